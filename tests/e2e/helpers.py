"""Helpers shared by the field app tests (imported, unlike conftest)."""

from __future__ import annotations

import os

import httpx

CHROMIUM = os.environ.get("DOORSTEP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = os.environ.get("DOORSTEP_E2E_PASSWORD", "e2e-pass-4711")
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
# Where the emulated phone stands (any point works; the server does not check it).
GEO = {"latitude": 30.2741, "longitude": 120.1551, "accuracy": 12}


def api_login(base: str, username: str) -> str:
    return api_session(base, username)["token"]


def api_session(base: str, username: str) -> dict:
    """Sign in over HTTP as a separate device; returns the login response."""
    res = httpx.post(
        f"{base}/api/auth/login",
        json={"username": username, "password": PASSWORD, "device_name": "e2e check"},
        timeout=10,
    )
    assert res.status_code == 200, res.text
    return res.json()


def api_pull_all(base: str, token: str) -> dict[str, dict[str, dict]]:
    """Every record the user can see, by collection and id, following the cursor."""
    out: dict[str, dict[str, dict]] = {}
    cursor = None
    for _ in range(1000):
        params = {"limit": 2000}
        if cursor:
            params["cursor"] = cursor
        res = httpx.get(f"{base}/api/sync/pull", params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert res.status_code == 200, res.text
        page = res.json()
        for ch in page["changes"]:
            rec = ch["record"]
            if rec.get("removed"):
                out.get(ch["collection"], {}).pop(rec["id"], None)
            else:
                out.setdefault(ch["collection"], {})[rec["id"]] = rec
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    return out


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit]")
    page.click("[data-action=households]")
    page.wait_for_selector("[data-household-id]")
    # The service worker must hold the shell before any offline step.
    # wait_for_function times out (a page.evaluate on ready would hang if the worker never installs).
    page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)", timeout=20_000)
    wait_outbox(page, 0)


def outbox_count(page) -> int:
    return int(page.text_content("[data-outbox-count]") or "0")


def wait_outbox(page, expected: int, timeout: float = 20.0) -> None:
    try:
        page.wait_for_function(
            "n => { const el = document.querySelector('[data-outbox-count]'); return el && el.textContent.trim() === String(n); }",
            arg=expected, timeout=timeout * 1000,
        )
    except Exception as exc:
        state = page.evaluate("""async () => {
            const [outbox, sync] = await Promise.all([import('/js/outbox.js'), import('/js/sync.js')]);
            return { entries: await outbox.entries(), uploads: (await outbox.uploads()).map((u) => ({ ...u, blob: undefined })),
                     phase: sync.status.phase, error: sync.status.error };
        }""")
        raise AssertionError(f"outbox did not reach {expected}: {state}") from exc


def go_offline(ctx) -> None:
    ctx.set_offline(True)


def go_online(ctx) -> None:
    ctx.set_offline(False)


def open_new_visit(page) -> str:
    """From any screen: the first household's new-visit form. Returns that household's id."""
    page.click("[data-action=households]")
    first = page.locator("[data-household-id]").first
    household_id = first.get_attribute("data-household-id")
    first.click()
    page.click("[data-action=new-visit]")
    return household_id


def fill_visit(page, outcome: str, notes: str):  # type: ignore[no-untyped-def]
    """Fill the open visit form's outcome and notes; returns the form's locator."""
    form = page.locator("form[data-form=visit]")
    form.locator("select[name=outcome]").select_option(outcome)
    form.locator("textarea[name=notes]").fill(notes)
    return form
