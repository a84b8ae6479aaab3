"""A lost push response, a photo upload cut mid-PATCH, a rejected mutation."""

from __future__ import annotations

import uuid

import httpx
import pytest

from .helpers import (PASSWORD, api_login, api_pull_all, fill_visit, go_offline, go_online, open_new_visit,
                      sign_in, wait_outbox)
from .photos_fixture import camera_photo, gravel_photo

pytestmark = pytest.mark.e2e


def _record_visit(page, notes: str, photos=()) -> str:
    household_id = open_new_visit(page)
    form = fill_visit(page, "nobody_home", notes)
    if photos:
        form.locator("input[name=photo]").set_input_files([str(p) for p in photos])
        page.wait_for_selector(f"[data-photo-id] >> nth={len(photos) - 1}")
    form.locator("[type=submit]").click()
    page.wait_for_selector("[data-action=new-visit]")
    return household_id


def test_lost_push_response_is_retried_and_applied_once(server, phone):
    ctx = phone()
    page = ctx.new_page()
    sign_in(page, server, "worker2")
    pushes: list[dict] = []

    def lose_first_response(route):
        body = route.request.post_data_json if route.request.headers.get("content-encoding") != "gzip" else None
        response = route.fetch()
        pushes.append({"status": response.status, "json": response.json(), "sent": body})
        if len(pushes) == 1:
            route.abort("connectionreset")  # the server applied it; the phone never hears
        else:
            route.fulfill(response=response)

    ctx.route("**/api/sync/push", lose_first_response)
    notes = f"lost response {uuid.uuid4().hex[:8]}"
    household_id = _record_visit(page, notes)
    wait_outbox(page, 0, timeout=30)

    assert len(pushes) >= 2
    first, second = pushes[0]["json"]["results"], pushes[1]["json"]["results"]
    assert first[0]["status"] == "applied" and first[0]["replayed"] is False
    assert second[0]["id"] == first[0]["id"]
    assert second[0]["replayed"] is True and second[0]["version"] == first[0]["version"]
    visits = api_pull_all(server, api_login(server, "worker2")).get("visits", {}).values()
    assert len([v for v in visits if v.get("notes") == notes and v["household_id"] == household_id]) == 1


def test_photo_upload_cut_mid_patch_resumes_from_server_offset(server, phone, tmp_path):
    ctx = phone()
    page = ctx.new_page()
    sign_in(page, server, "worker2")
    posts: list[dict] = []
    patches: list[dict] = []

    def log_post(route):
        req = route.request
        if req.method == "POST":
            posts.append({"length": int(req.headers["upload-length"]), "type": req.headers.get("content-type"),
                          "sent": len(req.post_data_buffer or b"")})
        route.continue_()

    def cut_first_patch(route):
        req = route.request
        if req.method != "PATCH":
            route.continue_()
            return
        body = req.post_data_buffer or b""
        offset = int(req.headers["upload-offset"])
        if not patches:
            # Half the chunk reaches the server, then the link dies.
            half = len(body) // 2
            route.fetch(post_data=body[:half])
            patches.append({"offset": offset, "sent": half, "cut": True})
            route.abort("connectionreset")
            return
        patches.append({"offset": offset, "sent": len(body), "cut": False})
        route.continue_()

    go_offline(ctx)
    # A busy scene stays over one chunk after downscaling; a plain one fits in one.
    photos = [gravel_photo(tmp_path / "gravel.jpg"), camera_photo(tmp_path / "site.jpg", seed=5)]
    _record_visit(page, f"photo resume {uuid.uuid4().hex[:8]}", photos)
    sizes, chunk = page.evaluate("""async () => {
        const [{ uploads }, { CHUNK }] = await Promise.all([import('/js/outbox.js'), import('/js/photos.js')]);
        return [(await uploads()).map((u) => u.size).sort((a, b) => b - a), CHUNK];
    }""")
    big, small = sizes
    assert chunk == 1024 * 1024 and big > chunk > small
    ctx.route("**/api/uploads", log_post)
    ctx.route("**/api/uploads/**", cut_first_patch)
    go_online(ctx)
    page.click("[data-action=sync-now]")
    wait_outbox(page, 0, timeout=40)

    # Each upload carries its first chunk on the creation POST; the small photo needs nothing more.
    by_length = {p["length"]: p for p in posts}
    assert all(p["type"] == "application/offset+octet-stream" for p in posts)
    assert by_length[small]["sent"] == small and by_length[big]["sent"] == chunk
    cut = patches[0]
    assert cut["offset"] == chunk and cut["cut"]
    resumed = patches[1:]
    assert resumed, "no PATCH after the cut"
    # It resumed where the server said it stood, not from the start of the chunk.
    assert resumed[0]["offset"] == chunk + cut["sent"] > chunk
    assert sum(p["sent"] for p in resumed) == big - chunk - cut["sent"]


def test_rejected_mutation_is_shown_fixed_and_resent(server, phone):
    ctx = phone()
    page = ctx.new_page()
    sign_in(page, server, "worker2")
    title = f"bad risk {uuid.uuid4().hex[:6]}"
    # A value the forms never produce (an old app version could): risk "purple".
    page.evaluate("""async (title) => {
        const { enqueue } = await import('/js/outbox.js');
        const { me } = await import('/js/store.js');
        const info = await me();
        const grid = info.areas.find((a) => a.kind === 'grid');
        await enqueue('disputes', crypto.randomUUID(), 'create', {
            area_id: grid.id, household_ids: [], title, description: '', category: 'neighbour',
            risk: 'purple', status: 'reported', parties: [] });
    }""", title)
    page.click("[data-action=sync-now]")
    page.click("[data-nav='#/sync']")
    item = page.locator("[data-state=rejected]")
    item.wait_for()
    message = item.locator("[data-error]").text_content()
    assert "risk" in message
    assert page.text_content("[data-outbox-count]") == "1"

    item.locator("input[name=risk]").fill("red")
    item.locator("[data-action=resend]").click()
    wait_outbox(page, 0, timeout=20)
    disputes = api_pull_all(server, api_login(server, "worker2")).get("disputes", {}).values()
    mine = [d for d in disputes if d["title"] == title]
    assert len(mine) == 1 and mine[0]["risk"] == "red"


def test_revoked_token_keeps_the_outbox_and_asks_to_sign_in_again(server, phone):
    ctx = phone()
    page = ctx.new_page()
    sign_in(page, server, "worker2")
    go_offline(ctx)
    notes = f"after revoke {uuid.uuid4().hex[:8]}"
    _record_visit(page, notes)
    device_id = page.evaluate("import('/js/session.js').then((m) => m.session.device_id)")
    admin = api_login(server, "admin")
    res = httpx.delete(f"{server}/api/devices/{device_id}", headers={"Authorization": f"Bearer {admin}"}, timeout=10)
    assert res.status_code in (200, 204), res.text

    go_online(ctx)
    # Coming back online starts a sync by itself; make sure one runs now.
    page.evaluate("import('/js/sync.js').then((m) => m.syncNow())")
    # The token is dead: the app asks for a new sign-in and keeps the visit.
    page.wait_for_selector("input[name=password]")
    assert page.input_value("input[name=username]") == "worker2"
    assert page.text_content("[data-outbox-count]") == "1"
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit]")
    wait_outbox(page, 0, timeout=20)
    visits = api_pull_all(server, api_login(server, "worker2")).get("visits", {}).values()
    assert len([v for v in visits if v.get("notes") == notes]) == 1


def test_sign_in_after_a_refused_token_keeps_the_device(server, phone):
    ctx = phone()
    page = ctx.new_page()
    logins: list[dict] = []
    ctx.route("**/api/auth/login", lambda route: (logins.append(route.request.post_data_json), route.continue_()))
    sign_in(page, server, "worker2")
    assert "device_id" not in logins[0]
    device_id = page.evaluate("import('/js/session.js').then((m) => m.session.device_id)")
    go_offline(ctx)
    notes = f"after expiry {uuid.uuid4().hex[:8]}"
    _record_visit(page, notes)
    # The server stops accepting the token, as when it expires.
    page.evaluate("import('/js/session.js').then((m) => { m.session.token = 'expired'; })")
    go_online(ctx)
    page.evaluate("import('/js/sync.js').then((m) => m.syncNow())")
    page.wait_for_selector("input[name=password]")
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit]")
    wait_outbox(page, 0, timeout=20)
    # The phone named its device, and the server kept it: the queued visit is that device's.
    assert logins[-1]["device_id"] == device_id
    assert page.evaluate("import('/js/session.js').then((m) => m.session.device_id)") == device_id
    admin = api_login(server, "admin")
    devices = httpx.get(f"{server}/api/devices", headers={"Authorization": f"Bearer {admin}"}, timeout=10).json()["devices"]
    mine = next(d for d in devices if d["id"] == device_id)
    assert mine["username"] == "worker2" and mine["revoked_at"] is None
    visits = api_pull_all(server, api_login(server, "worker2")).get("visits", {}).values()
    assert len([v for v in visits if v.get("notes") == notes]) == 1
