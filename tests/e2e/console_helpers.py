"""Helpers for the supervisor console tests: API reads as the truth, no internet, downloads."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from pathlib import Path

import httpx

from .helpers import PASSWORD


def api(base: str, token: str, path: str, **params) -> httpx.Response:
    res = httpx.get(f"{base}{path}", params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert res.status_code == 200, f"{path}: {res.status_code} {res.text}"
    return res


def api_json(base: str, token: str, path: str, **params) -> dict:
    return api(base, token, path, **params).json()


def block_internet(ctx) -> list[str]:
    """Abort every request that leaves this machine (map tiles among them); returns what was tried."""
    tried: list[str] = []

    def abort(route):
        tried.append(route.request.url)
        route.abort("internetdisconnected")

    ctx.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/])"), abort)
    return tried


def area_by_code(base: str, token: str, code: str) -> dict:
    return next(a for a in api_json(base, token, "/api/me")["areas"] if a["code"] == code)


def push(base: str, login: dict, mutations: list[dict]) -> list[dict]:
    at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    body = {"device_id": login["device_id"],
            "mutations": [{"id": str(uuid.uuid4()), "at": at, **m} for m in mutations]}
    res = httpx.post(f"{base}/api/sync/push", json=body, timeout=30,
                     headers={"Authorization": f"Bearer {login['token']}"})
    assert res.status_code == 200, res.text
    return res.json()["results"]


def new_dispute(base: str, login: dict, area_id: str, title: str, category: str = "neighbour", **fields) -> str:
    dispute_id = str(uuid.uuid4())
    result = push(base, login, [{
        "collection": "disputes", "record_id": dispute_id, "op": "create", "base_version": None,
        "fields": {"area_id": area_id, "household_ids": [], "title": title, "description": "", "category": category,
                   "risk": "yellow", "status": "reported", "parties": [], **fields},
    }])[0]
    assert result["status"] == "applied", result
    return dispute_id


def create_user(base: str, admin_token: str, username: str, role: str, area_ids: list[str]) -> dict:
    res = httpx.post(f"{base}/api/users", timeout=10, headers={"Authorization": f"Bearer {admin_token}"},
                     json={"username": username, "role": role, "password": PASSWORD, "area_ids": area_ids})
    assert res.status_code in (200, 201), res.text
    return res.json()


def download(page, selector: str) -> tuple[str, bytes]:
    """Click an export button; the file's name and bytes."""
    with page.expect_download() as info:
        page.click(selector)
    dl = info.value
    return dl.suggested_filename, Path(dl.path()).read_bytes()


def open_screen(page, hash_: str, ready: str) -> None:
    page.evaluate("(h) => { location.hash = h; }", hash_)
    page.wait_for_selector(ready)
