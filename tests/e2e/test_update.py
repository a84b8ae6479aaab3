"""The "new version ready" banner with a real service worker update.

The server serves a copy of pwa/, and the test rewrites the copy's sw.js
VERSION: Chromium fetches service worker scripts outside Playwright's routes,
so only a changed file on the server makes a real update.

The update check needs the network, and the app syncs as soon as it is back
online, so the phone finds the update while online and the unsent work is
made offline after the banner shows. The tap on the banner then happens
offline, as it often does in the field: the new worker must take over from
its own precache, and neither the queued visit nor the half-typed one may be
lost or sent twice.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from pathlib import Path

import pytest

from .helpers import (CHROMIUM, api_login, api_pull_all, fill_visit, go_offline, go_online, open_new_visit,
                      outbox_count, sign_in, wait_outbox)
from .server_process import run_server

pytestmark = pytest.mark.e2e

PWA = Path(__file__).resolve().parents[2] / "pwa"
VERSION_RE = re.compile(r"const VERSION = '([^']+)';")


@pytest.fixture(scope="module")
def pwa_copy(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("doorstep-pwa") / "pwa"
    shutil.copytree(PWA, target)
    return target


@pytest.fixture(scope="module")
def server(tmp_path_factory, pwa_copy) -> str:
    """A fresh server that serves the copy of the field app this module may change."""
    if os.environ.get("DOORSTEP_E2E_BASE_URL"):
        pytest.skip("the update test changes the served sw.js, so it needs its own server")
    assert os.path.exists(CHROMIUM), f"the browser tests need Debian's chromium at {CHROMIUM}"
    with run_server(tmp_path_factory.mktemp("doorstep-e2e"), {"DOORSTEP_PWA_DIR": str(pwa_copy)}) as base:
        yield base


def _bump_version(sw: Path) -> tuple[str, str]:
    """Give the served sw.js a new VERSION (and change nothing else); returns (old, new)."""
    text = sw.read_text(encoding="utf-8")
    old = VERSION_RE.search(text).group(1)
    new = f"v1-e2e{uuid.uuid4().hex[:8]}"
    sw.write_text(VERSION_RE.sub(f"const VERSION = '{new}';", text, count=1), encoding="utf-8")
    return old, new


def _registration(page) -> dict:
    return page.evaluate("""() => navigator.serviceWorker.getRegistration().then((r) => ({
        installing: !!r.installing, waiting: !!r.waiting, active: r.active && r.active.state,
        controlled: !!navigator.serviceWorker.controller }))""")


def test_update_banner_swaps_the_worker_and_keeps_unsent_work(server, pwa_copy, phone):
    ready_text = json.loads((PWA / "i18n" / "zh-CN.json").read_text(encoding="utf-8"))["update.ready"]
    tag = uuid.uuid4().hex[:6]
    queued_notes = f"离线走访 {tag}"
    draft_notes = f"半截的走访 {tag}"

    ctx = phone()
    page = ctx.new_page()
    sign_in(page, server, "worker1")
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    old_shell = page.evaluate("caches.keys()")
    assert any(name.startswith("doorstep-shell-") for name in old_shell)

    # A new version lands on the server; the phone checks for it (as its 30-minute poll does).
    old, new = _bump_version(pwa_copy / "sw.js")
    assert f"doorstep-shell-{old}" in old_shell
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    banner = page.locator("[data-action=reload-update]")
    banner.wait_for()
    assert page.get_by_text(ready_text, exact=True).is_visible()
    assert _registration(page) == {"installing": False, "waiting": True, "active": "activated", "controlled": True}
    # Until the tap, the old worker still serves the page.
    assert f"doorstep-shell-{old}" in page.evaluate("caches.keys()")

    # Out of signal: one visit is saved to the outbox, a second one is half typed.
    go_offline(ctx)
    household_id = open_new_visit(page)
    fill_visit(page, "met", queued_notes)
    page.click("form[data-form=visit] [type=submit]")
    page.wait_for_selector("[data-action=new-visit]")
    wait_outbox(page, 1)
    page.click("[data-action=new-visit]")
    fill_visit(page, "refused", draft_notes)

    # The tap: drafts are flushed, the waiting worker takes over and the page reloads, all offline.
    page.evaluate("window.__beforeUpdate = true")
    banner.click()
    page.wait_for_function("() => !window.__beforeUpdate && document.documentElement.dataset.ready === '1'")
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    assert _registration(page) == {"installing": False, "waiting": False, "active": "activated", "controlled": True}
    shells = [name for name in page.evaluate("caches.keys()") if name.startswith("doorstep-shell-")]
    # The new worker's activate step deletes the old shell cache.
    assert shells == [f"doorstep-shell-{new}"]
    assert page.locator("[data-action=reload-update]").count() == 0

    # Nothing was lost: the queued visit is still queued, the half-typed one is back in its form.
    page.wait_for_selector("form[data-form=visit]")
    wait_outbox(page, 1)
    assert page.input_value("textarea[name=notes]") == draft_notes
    assert page.input_value("select[name=outcome]") == "refused"
    page.click("form[data-form=visit] [type=submit]")
    page.wait_for_selector("[data-action=new-visit]")
    wait_outbox(page, 2)

    # Back in signal: both reach the server, once each.
    go_online(ctx)
    page.click("[data-action=sync-now]")
    wait_outbox(page, 0, timeout=30)
    assert outbox_count(page) == 0
    visits = api_pull_all(server, api_login(server, "worker1")).get("visits", {}).values()
    mine = [v for v in visits if v["household_id"] == household_id and tag in (v.get("notes") or "")]
    assert sorted((v["notes"], v["outcome"]) for v in mine) == sorted(
        [(queued_notes, "met"), (draft_notes, "refused")]
    )
