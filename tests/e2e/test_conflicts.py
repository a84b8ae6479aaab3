"""Two phones edit the same dispute offline: one conflict, shown on the sync
screen and in the API, with nothing lost."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import httpx
import pytest

from .helpers import api_login, api_pull_all, api_session, go_offline, go_online, sign_in, wait_outbox

pytestmark = pytest.mark.e2e


def _create_dispute(server: str, login: dict, title: str) -> str:
    headers = {"Authorization": f"Bearer {login['token']}"}
    me = httpx.get(f"{server}/api/me", headers=headers, timeout=10).json()
    grid = next(a for a in me["areas"] if a["kind"] == "grid")
    dispute_id = str(uuid.uuid4())
    res = httpx.post(f"{server}/api/sync/push", headers=headers, timeout=10, json={
        "device_id": login["device_id"],
        "mutations": [{
            "id": str(uuid.uuid4()), "collection": "disputes", "record_id": dispute_id, "op": "create",
            "base_version": None, "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "fields": {"area_id": grid["id"], "household_ids": [], "title": title, "description": "",
                       "category": "neighbour", "risk": "yellow", "status": "reported", "parties": []},
        }],
    })
    assert res.status_code == 200 and res.json()["results"][0]["status"] == "applied", res.text
    return dispute_id


def _set_status(page, dispute_id: str, status: str) -> None:
    page.goto(page.url.split("#")[0] + f"#/d/{dispute_id}/edit")
    form = page.locator("form[data-form=dispute]")
    form.locator("select[name=status]").select_option(status)
    form.locator("[type=submit]").click()
    page.wait_for_selector("[data-action=edit-dispute]")


def test_two_phones_edit_one_dispute_offline(server, phone):
    title = f"灌溉水渠 {uuid.uuid4().hex[:6]}"
    dispute_id = _create_dispute(server, api_session(server, "worker1"), title)

    a_ctx, b_ctx = phone(), phone()
    a, b = a_ctx.new_page(), b_ctx.new_page()
    sign_in(a, server, "worker1")
    sign_in(b, server, "mediator")
    for page in (a, b):
        page.goto(page.url.split("#")[0] + f"#/d/{dispute_id}")
        page.wait_for_selector("[data-action=edit-dispute]")

    go_offline(a_ctx)
    go_offline(b_ctx)
    _set_status(a, dispute_id, "in_mediation")
    _set_status(b, dispute_id, "resolved")
    wait_outbox(a, 1)
    wait_outbox(b, 1)

    go_online(a_ctx)
    a.click("[data-action=sync-now]")
    wait_outbox(a, 0)
    go_online(b_ctx)
    b.click("[data-action=sync-now]")
    wait_outbox(b, 0)

    # Shown on the sync screen of the phone whose edit clashed.
    b.click("[data-nav='#/sync']")
    item = b.locator(f"[data-conflict-id][data-record-id='{dispute_id}']")
    item.wait_for()
    assert item.count() == 1
    assert item.locator("[data-value=server]").text_content() == "in_mediation"
    assert item.locator("[data-value=client]").text_content() == "resolved"

    # And in the API: one open conflict on that record, both values kept.
    sup = api_login(server, "supervisor")
    res = httpx.get(f"{server}/api/conflicts", params={"status": "open"}, headers={"Authorization": f"Bearer {sup}"}, timeout=10)
    mine = [c for c in res.json()["conflicts"] if c["record_id"] == dispute_id]
    assert len(mine) == 1
    assert mine[0]["field"] == "status"
    assert {mine[0]["server"], mine[0]["client"]} == {"in_mediation", "resolved"}

    # The case's timeline, online, says who changed it and that the mediator's edit clashed.
    names = {u: httpx.get(f"{server}/api/me", timeout=10, headers={"Authorization": f"Bearer {api_login(server, u)}"})
             .json()["user"]["display_name"] for u in ("worker1", "mediator")}
    b.goto(b.url.split("#")[0] + f"#/d/{dispute_id}")
    timeline = b.locator("[data-timeline] li")
    timeline.filter(has_text=names["worker1"]).first.wait_for()
    assert timeline.filter(has_text=names["mediator"]).count() == 1


def test_an_edit_sends_only_the_changed_field_with_its_base_version(server, phone):
    title = f"道路占用 {uuid.uuid4().hex[:6]}"
    dispute_id = _create_dispute(server, api_session(server, "worker1"), title)
    ctx = phone()
    page = ctx.new_page()
    sign_in(page, server, "worker1")
    pushed: list[dict] = []
    ctx.route("**/api/sync/push", lambda route: (pushed.append(route.request.headers.get("content-encoding")), route.continue_()))
    page.goto(page.url.split("#")[0] + f"#/d/{dispute_id}/edit")
    page.select_option("form[data-form=dispute] select[name=risk]", "orange")
    page.click("form[data-form=dispute] [type=submit]")
    page.wait_for_selector("[data-action=edit-dispute]")
    entry = page.evaluate("import('/js/outbox.js').then(async (m) => (await m.entries())[0])")
    assert entry["op"] == "update" and entry["fields"] == {"risk": "orange"} and entry["base_version"] == 1
    wait_outbox(page, 0)
    assert pushed and pushed[0] == "gzip"
    # The risk shows as its colour.
    assert page.locator(".risk-bar.risk-orange [data-risk=orange]").count() == 1


def test_follow_up_recorded_from_the_dispute(server, phone):
    title = f"借款纠纷 {uuid.uuid4().hex[:6]}"
    dispute_id = _create_dispute(server, api_session(server, "worker1"), title)
    ctx = phone()
    page = ctx.new_page()
    sign_in(page, server, "worker1")
    page.goto(page.url.split("#")[0] + f"#/d/{dispute_id}")
    page.click(f"a[href='#/f/new?dispute={dispute_id}']")
    form = page.locator("form[data-form=followup]")
    form.locator("input[name=done]").check()
    form.locator("select[name=agreement_kept]").select_option("true")
    form.locator("textarea[name=notes]").fill("双方按协议还款")
    form.locator("[type=submit]").click()
    page.wait_for_selector("[data-action=edit-dispute]")
    wait_outbox(page, 0)
    followups = api_pull_all(server, api_login(server, "worker1")).get("followups", {}).values()
    mine = [f for f in followups if f["dispute_id"] == dispute_id]
    assert len(mine) == 1
    assert mine[0]["agreement_kept"] is True and mine[0]["done_at"] and mine[0]["notes"] == "双方按协议还款"
    # It shows in the follow-ups list as done.
    page.click("[data-nav='#/followups']")
    page.wait_for_selector(f"[data-followup-id='{mine[0]['id']}']")


def test_assignee_chosen_from_the_people_in_scope_offline(server, phone):
    login = api_session(server, "worker1")
    dispute_id = _create_dispute(server, login, f"占道经营 {uuid.uuid4().hex[:6]}")
    people = httpx.get(f"{server}/api/users", headers={"Authorization": f"Bearer {login['token']}"}, timeout=10).json()["users"]
    mediator = next(u for u in people if u["username"] == "mediator")
    ctx = phone()
    page = ctx.new_page()
    sign_in(page, server, "worker1")
    page.wait_for_function("() => import('/js/db.js').then((m) => m.getMeta('people')).then((p) => !!(p && p.users.length))")

    # Offline, after a reload: the list comes from this phone.
    go_offline(ctx)
    page.reload()
    page.evaluate("(id) => { location.hash = `#/d/${id}/edit`; }", dispute_id)
    select = page.locator("form[data-form=dispute] select[name=assignee_id]")
    select.wait_for()
    offered = select.evaluate("(s) => Array.from(s.options, (o) => o.value)")
    assert mediator["id"] in offered
    select.select_option(mediator["id"])
    page.click("form[data-form=dispute] [type=submit]")
    page.wait_for_selector("[data-action=edit-dispute]")
    assert mediator["display_name"] in page.text_content("dl.facts")
    go_online(ctx)
    page.click("[data-action=sync-now]")
    wait_outbox(page, 0)
    record = api_pull_all(server, api_login(server, "worker1"))["disputes"][dispute_id]
    assert record["assignee_id"] == mediator["id"]
