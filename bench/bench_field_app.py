"""Field app measures in headless Chromium against a real server.

Prints: app shell transfer size, offline cold start to usable, bytes on the
wire per synced visit (gzip), bytes per photo, and the time of a bulk sync of
N visits and M photos from one phone over loopback.

    .venv/bin/python -m bench.bench_field_app [--base-url URL] [--visits 500] [--photos 100]
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, PHONE, sign_in, wait_outbox
from tests.e2e.photos_fixture import camera_photo
from tests.e2e.server_process import run_server

ROOT = Path(__file__).resolve().parents[1]


def shell_bytes(base: str) -> tuple[int, int]:
    """Bytes on the wire (gzip where the server compresses) and raw bytes of the precache list."""
    sw = (ROOT / "pwa" / "sw.js").read_text()
    urls = re.findall(r"'(/[^']*)'", sw[sw.index("PRECACHE"):sw.index("];")])
    wire = raw = 0
    with httpx.Client(base_url=base, headers={"Accept-Encoding": "gzip"}) as c:
        for url in ["/sw.js", *urls]:
            if url == "/index.html":
                continue  # the same document as "/"
            res = c.get(url)
            res.raise_for_status()
            wire += res.num_bytes_downloaded
            raw += len(res.content)
    return wire, raw


def cold_start_ms(browser, base: str, runs: int = 5) -> float:
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = ctx.new_page()
    sign_in(page, base, "worker1")
    page.close()
    ctx.set_offline(True)
    times = []
    for _ in range(runs):
        p = ctx.new_page()
        p.goto(f"{base}/")
        p.wait_for_selector("[data-action=households]")
        times.append(p.evaluate("performance.getEntriesByName('doorstep-ready')[0].startTime"))
        p.close()
    ctx.close()
    return statistics.median(times)


def visit_bytes(browser, base: str, photo: Path) -> dict:
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = ctx.new_page()
    sign_in(page, base, "worker1")
    sent: list[tuple[int, int]] = []

    def count(route):
        body = route.request.post_data_buffer or b""
        res = route.fetch()
        sent.append((len(body), len(res.body())))
        route.fulfill(response=res)

    ctx.set_offline(True)
    page.locator("[data-household-id]").first.click()
    page.click("[data-action=new-visit]")
    page.fill("textarea[name=notes]", "家中两兄弟因宅基地边界发生争执，已当场劝解，约定下周再谈。")
    page.set_input_files("input[name=photo]", [str(photo)])
    page.wait_for_selector("[data-photo-id]")
    page.click("form[data-form=visit] [type=submit]")
    page.wait_for_selector("[data-action=new-visit]")
    photo_size = page.evaluate("import('/js/outbox.js').then(async (m) => (await m.uploads())[0].size)")
    # One visit alone, without its photo record, is what "a synced visit" costs.
    page.evaluate("""async () => {
        const db = await import('/js/db.js');
        const rows = await db.getAll('outbox');
        for (const r of rows) if (r.collection === 'photos') await db.del('outbox', r.seq);
        for (const u of await db.getAll('uploads')) await db.del('uploads', u.id);
    }""")
    ctx.route("**/api/sync/push", count)
    ctx.set_offline(False)
    page.click("[data-action=sync-now]")
    wait_outbox(page, 0, timeout=60)
    encoded = page.evaluate("""() => performance.getEntriesByType('resource')
        .filter((e) => e.name.includes('/api/sync/push')).map((e) => e.encodedBodySize)""")
    ctx.close()
    req, resp = sent[0]
    return {"request_gzip": req, "response_encoded": encoded[-1] if encoded else resp, "photo": photo_size}


BULK_JS = """async ({ visits, photos }) => {
    const { enqueueMany } = await import('/js/outbox.js');
    const { list } = await import('/js/store.js');
    const { putBlob } = await import('/js/db.js');
    const { sha256Hex } = await import('/js/photos.js');
    const { uuid, nowRfc3339 } = await import('/js/util.js');
    const hhs = await list('households');
    const items = [];
    const visitIds = [];
    for (let i = 0; i < visits; i++) {
        const hh = hhs[i % hhs.length];
        const id = uuid();
        visitIds.push(id);
        items.push(['visits', id, 'create', { household_id: hh.id, visited_at: nowRfc3339(), outcome: 'met',
            notes: `第 ${i} 户：家中无矛盾，询问了低保办理进度。`, concerns: '', dispute_ids: [],
            lat: 30.27 + i / 1e5, lon: 120.15, accuracy_m: 12 }]);
    }
    const uploads = [];
    const canvas = new OffscreenCanvas(1600, 1200);
    const g = canvas.getContext('2d');
    for (let i = 0; i < photos; i++) {
        for (let k = 0; k < 400; k++) {
            g.fillStyle = `hsl(${Math.random() * 360},50%,${30 + Math.random() * 40}%)`;
            g.fillRect(Math.random() * 1600, Math.random() * 1200, 20 + Math.random() * 120, 20 + Math.random() * 120);
        }
        const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
        const id = await sha256Hex(await blob.arrayBuffer());
        await putBlob(id, blob);
        items.push(['photos', id, 'create', { record: { collection: 'visits', id: visitIds[i % visitIds.length] },
            caption: '', taken_at: nowRfc3339(), kind: 'site' }]);
        uploads.push({ id, size: blob.size, type: 'image/jpeg', url: null, offset: 0, state: 'pending' });
    }
    await enqueueMany(items, uploads);
    return uploads.reduce((n, u) => n + u.size, 0);
}"""


def bulk_sync_s(browser, base: str, visits: int, photos: int) -> tuple[float, int, int]:
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = ctx.new_page()
    sign_in(page, base, "worker2")
    push_bytes = [0]

    def count(route):
        push_bytes[0] += len(route.request.post_data_buffer or b"")
        route.continue_()

    ctx.route("**/api/sync/push", count)
    ctx.set_offline(True)
    photo_bytes = page.evaluate(BULK_JS, {"visits": visits, "photos": photos})
    ctx.set_offline(False)
    started = time.perf_counter()
    page.click("[data-action=sync-now]")
    wait_outbox(page, 0, timeout=900)
    took = time.perf_counter() - started
    ctx.close()
    return took, photo_bytes, push_bytes[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-url")
    ap.add_argument("--visits", type=int, default=500)
    ap.add_argument("--photos", type=int, default=100)
    args = ap.parse_args()
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        base = args.base_url or stack.enter_context(run_server(tmp / "data"))
        wire, raw = shell_bytes(base)
        print(f"app shell: {wire / 1024:.1f} KB on the wire ({raw / 1024:.1f} KB uncompressed)")
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        print(f"offline cold start to usable: {cold_start_ms(browser, base):.0f} ms (median of 5)")
        v = visit_bytes(browser, base, camera_photo(tmp / "camera.jpg"))
        print(f"one synced visit: {v['request_gzip']} B request body (gzip), {v['response_encoded']} B response body")
        print(f"one 12 MP camera photo after downscale: {v['photo'] / 1024:.0f} KB")
        took, photo_bytes, push_bytes = bulk_sync_s(browser, base, args.visits, args.photos)
        print(f"bulk sync of {args.visits} visits and {args.photos} photos ({photo_bytes / 1048576:.1f} MB): {took:.1f} s")
        per = push_bytes / (args.visits + args.photos)
        print(f"  push bodies in bulk: {push_bytes / 1024:.1f} KB gzip, {per:.0f} B per mutation")


if __name__ == "__main__":
    main()
