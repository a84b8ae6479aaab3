"""A supervisor with more open conflicts than the inbox's one page: the console shows the oldest page
and says there are more."""

from __future__ import annotations

import uuid

import pytest

from .console_helpers import api_json, area_by_code, open_screen, push
from .helpers import api_login, api_session, sign_in

pytestmark = pytest.mark.e2e

PAGE = 2000  # the server's largest page of conflicts


def _disputes(area_id: str, n: int) -> list[dict]:
    return [{"collection": "disputes", "record_id": str(uuid.uuid4()), "op": "create", "base_version": None,
             "fields": {"area_id": area_id, "title": f"界址 {i}", "category": "neighbour", "risk": "blue"}}
            for i in range(n)]


def test_the_inbox_says_when_there_are_more_than_one_page(server, desktop):
    worker, mediator = api_session(server, "worker1"), api_session(server, "mediator")
    grid = area_by_code(server, worker["token"], "QSZ-QS-G2")["id"]
    creates = _disputes(grid, PAGE + 1)
    ids = [c["record_id"] for c in creates]
    updates = [{"collection": "disputes", "record_id": i, "op": "update", "base_version": 1} for i in ids]
    for start in range(0, len(ids), 1000):
        assert {r["status"] for r in push(server, worker, creates[start:start + 1000])} == {"applied"}
        assert {r["status"] for r in push(server, worker, [u | {"fields": {"risk": "yellow"}}
                                                           for u in updates[start:start + 1000]])} == {"applied"}
        assert {r["status"] for r in push(server, mediator, [u | {"fields": {"risk": "red"}}
                                                             for u in updates[start:start + 1000]])} == {"conflict"}
    sup = api_login(server, "supervisor")
    first = api_json(server, sup, "/api/conflicts", status="open")
    assert len(first["conflicts"]) == PAGE and first["has_more"] is True

    page = desktop().new_page()
    sign_in(page, server, "supervisor")
    open_screen(page, "#/console/conflicts", "[data-conflict-id]")
    assert page.locator("[data-conflict-id]").count() == PAGE
    assert f"最早的 {PAGE} 处待裁定冲突" in page.text_content("main")
