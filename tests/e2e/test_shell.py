"""The app shell: both languages at phone width, installability, and the
"new version ready" reload that keeps a half-filled form."""

from __future__ import annotations

import httpx
import pytest

from .helpers import (CHROMIUM, CHROMIUM_ARGS, PHONE, api_login, api_pull_all, go_offline, go_online, open_new_visit,
                      sign_in, wait_outbox)

pytestmark = pytest.mark.e2e


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_languages_follow_the_browser_and_the_switch(server, phone):
    en = phone(locale="en-US").new_page()
    en.goto(f"{server}/")
    assert en.locator("h2").first.text_content() == "Sign in"
    assert en.evaluate("document.documentElement.lang") == "en"
    sign_in(en, server, "worker1")
    assert en.locator("[data-action=households]").text_content() == "Households"
    _no_sideways_scroll(en)

    en.select_option("select.lang", "zh-CN")
    en.wait_for_function("() => document.querySelector('[data-action=households]').textContent === '住户'")
    en.reload()
    en.wait_for_selector("[data-action=households]")
    assert en.locator("[data-action=households]").text_content() == "住户"

    zh = phone(locale="zh-CN").new_page()
    zh.goto(f"{server}/")
    assert zh.locator("h2").first.text_content() == "登录"
    sign_in(zh, server, "worker1")
    for screen in ("#/", "#/households", "#/followups", "#/sync"):
        zh.evaluate(f"location.hash = '{screen}'")
        zh.wait_for_selector("main .page")
        _no_sideways_scroll(zh)
    # Touch targets: nav and header buttons are at least 44 px high.
    heights = zh.eval_on_selector_all("nav button, [data-action=sync-now]", "els => els.map(e => e.getBoundingClientRect().height)")
    assert min(heights) >= 44


def test_installable(server, playwright_instance, tmp_path):
    ctx = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.goto(f"{server}/")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        cdp = ctx.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == []
        manifest = httpx.get(f"{server}/manifest.webmanifest", timeout=10).json()
        sizes = {(i["sizes"], i.get("purpose", "any")) for i in manifest["icons"]}
        assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    finally:
        ctx.close()


def test_reload_keeps_a_half_filled_form(server, phone):
    """The "new version ready" button reloads the page; drafts make that safe.

    (Chromium fetches a service worker update outside Playwright's routes, so
    the test reloads the way the button does: flush drafts, then reload.)
    """
    ctx = phone()
    page = ctx.new_page()
    sign_in(page, server, "worker1")
    open_new_visit(page)
    page.fill("textarea[name=notes]", "半截的走访记录")
    page.select_option("select[name=outcome]", "refused")
    page.click("[data-action=add-dispute]")
    page.fill("input[name$=_title]", "宅基地边界")
    page.evaluate("import('/js/drafts.js').then((m) => m.flushDrafts())")
    page.reload()
    page.wait_for_selector("form[data-form=visit]")
    assert page.input_value("textarea[name=notes]") == "半截的走访记录"
    assert page.input_value("select[name=outcome]") == "refused"
    assert page.input_value("input[name$=_title]") == "宅基地边界"
    # Saving clears the draft: the next visit form starts empty.
    page.click("form[data-form=visit] [type=submit]")
    page.click("[data-action=new-visit]")
    assert page.input_value("textarea[name=notes]") == ""


def test_households_search_filter_and_add_one_found_in_the_field(server, phone):
    ctx = phone()
    page = ctx.new_page()
    sign_in(page, server, "worker1")
    items = page.locator("[data-household-id]")
    total = items.count()
    assert total > 1
    # Every household shown belongs to one of my grids, grouped under its name.
    assert page.locator(".grid-group").count() >= 1

    address = items.first.locator(".hh-address").text_content()
    page.fill("input[name=q]", address)
    page.wait_for_function("(n) => document.querySelectorAll('[data-household-id]').length < n", arg=total)
    assert address in page.locator("[data-household-id]").first.text_content()
    page.fill("input[name=q]", "")
    page.wait_for_function("(n) => document.querySelectorAll('[data-household-id]').length === n", arg=total)

    # Visit the first one, then the not-visited filter leaves it out.
    first_id = items.first.get_attribute("data-household-id")
    items.first.click()
    page.click("[data-action=new-visit]")
    page.click("form[data-form=visit] [type=submit]")
    page.wait_for_selector("[data-visit-id]")
    wait_outbox(page, 0)
    page.click("[data-action=households]")
    page.check("input[name=not_visited]")
    page.wait_for_function("(id) => !document.querySelector(`[data-household-id='${id}']`)", arg=first_id)
    page.uncheck("input[name=not_visited]")

    go_offline(ctx)
    page.click("a[href='#/households/new']")
    page.fill("input[name=address]", "新建村道 99 号（临时棚屋）")
    page.fill("input[name=head_name]", "陈某")
    page.click("form[data-form=household] [type=submit]")
    page.wait_for_selector("[data-action=new-visit]")
    wait_outbox(page, 1)
    go_online(ctx)
    page.click("[data-action=sync-now]")
    wait_outbox(page, 0)
    households = api_pull_all(server, api_login(server, "worker1"))["households"].values()
    found = [x for x in households if x["address"] == "新建村道 99 号（临时棚屋）"]
    assert len(found) == 1 and found[0]["head_name"] == "陈某"
