"""Photo ingest through the real HTTP path: photos per second, and milliseconds per thumbnail.

Generates N phone-sized JPEGs (1600x1200, about 300 KB, with noise so they compress like
photos), starts a server process on loopback (SQLite in a temporary data directory, the test
town seeded), signs in as worker1 and sends every photo with tus (POST, then PATCHes of
--chunk bytes, as the field app does) from --concurrency client threads. Then it times the
Pillow step alone in this process: the whole clean-and-thumbnail of one upload, and the
thumbnail by itself.

    .venv/bin/python -m bench.bench_photos [--photos 200] [--concurrency 4] [--chunk 262144]
                                           [--creation-with-upload]

Target: at least 20 photos/s on 2 cores (client and server share the cores here).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from PIL import Image, ImageChops, ImageDraw

from server.db import Database, migrate
from server.photos.imaging import make_thumbnail, process_upload
from server.settings import Settings
from tests.seed import PASSWORD, seed

ROOT = Path(__file__).resolve().parents[1]


def phone_jpegs(count: int, width: int = 1600, height: int = 1200) -> list[bytes]:
    """Distinct photo-like JPEGs: a gradient scene, shapes, and sensor-like noise."""
    textures = [Image.effect_noise((width, height), 24 + 4 * i).convert("RGB") for i in range(4)]
    scene = Image.merge("RGB", (
        Image.linear_gradient("L").resize((width, height)),
        Image.linear_gradient("L").rotate(90).resize((width, height)),
        Image.radial_gradient("L").resize((width, height)),
    ))
    photos = []
    for i in range(count):
        img = Image.blend(scene, ImageChops.offset(textures[i % 4], i * 37, i * 53), 0.18)
        draw = ImageDraw.Draw(img)
        for j in range(6):
            x, y = (i * 131 + j * 257) % width, (i * 89 + j * 173) % height
            draw.rectangle((x, y, x + 220, y + 160), fill=((i * 7 + j * 40) % 256, (j * 60) % 256, (i * 3) % 256))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=85)
        photos.append(buf.getvalue())
    return photos


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    settings = Settings.from_env({}, data_dir=data_dir)
    migrate(settings)

    async def seed_town() -> None:
        db = Database(settings)
        try:
            await seed(db)
        finally:
            await db.dispose()

    asyncio.run(seed_town())
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")}
    env.update(DOORSTEP_DATA_DIR=str(data_dir), DOORSTEP_LOG_LEVEL="WARNING")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app_from_env", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/api/health", timeout=1).status_code == 200:
                return proc, base
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start")


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process so far (Linux), to measure cost apart from load."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def upload(session: requests.Session, base: str, token: str, data: bytes, chunk: int, with_upload: bool) -> float:
    """One photo through tus; returns the seconds it took."""
    began = time.perf_counter()
    digest = hashlib.sha256(data).hexdigest()
    headers = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
    meta = f"sha256 {base64.b64encode(digest.encode()).decode()},filetype {base64.b64encode(b'image/jpeg').decode()}"
    create = {**headers, "Upload-Length": str(len(data)), "Upload-Metadata": meta}
    if with_upload:
        create["Content-Type"] = "application/offset+octet-stream"
    r = session.post(f"{base}/api/uploads", headers=create, data=data[:chunk] if with_upload else None)
    r.raise_for_status()
    url = base + r.headers["Location"]
    offset = int(r.headers.get("Upload-Offset", 0))
    while offset < len(data):
        r = session.patch(url, data=data[offset:offset + chunk], headers={
            **headers, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
        r.raise_for_status()
        offset = int(r.headers["Upload-Offset"])
    return time.perf_counter() - began


def ingest(base: str, photos: list[bytes], concurrency: int, chunk: int,
           with_upload: bool) -> tuple[float, list[float]]:
    r = requests.post(f"{base}/api/auth/login", json={"username": "worker1", "password": PASSWORD,
                                                      "device_name": "bench"}, timeout=10)
    r.raise_for_status()
    token = r.json()["token"]
    sessions = [requests.Session() for _ in range(concurrency)]
    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(lambda ip: upload(sessions[ip[0] % concurrency], base, token, ip[1], chunk,
                                                         with_upload),
                                  enumerate(photos)))
    elapsed = time.perf_counter() - began
    ids = [hashlib.sha256(p).hexdigest() for p in photos]
    r = requests.post(f"{base}/api/photos/missing", json={"ids": ids}, timeout=30,
                      headers={"Authorization": f"Bearer {token}"})
    assert r.json() == {"missing": []}, "every photo must be stored"
    return elapsed, latencies


def pillow_timings(photos: list[bytes], samples: int) -> tuple[float, float]:
    """Median CPU ms of the whole Pillow step per photo, and of the thumbnail alone (decoded pixels in).

    CPU time of this thread rather than wall time, so other work on the machine does not count.
    """
    whole, thumbs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        counter = iter(range(10**6))
        for data in photos[:samples]:
            src = tmp_path / "upload"
            src.write_bytes(data)
            t = time.thread_time()
            process_upload(src, hashlib.sha256(data).hexdigest(), 40_000_000,
                           lambda: tmp_path / f"{next(counter)}.tmp")
            whole.append(time.thread_time() - t)
            img = Image.open(io.BytesIO(data))
            img.load()
            t = time.thread_time()
            make_thumbnail(img, tmp_path / "thumb.jpg")
            thumbs.append(time.thread_time() - t)
    return statistics.median(whole) * 1000, statistics.median(thumbs) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--chunk", type=int, default=256 * 1024, help="PATCH size in bytes (the field app's)")
    parser.add_argument("--creation-with-upload", action="store_true",
                        help="send the first chunk with the POST (tus creation-with-upload)")
    args = parser.parse_args()

    t = time.perf_counter()
    photos = phone_jpegs(args.photos)
    sizes = [len(p) for p in photos]
    print(f"generated {len(photos)} JPEGs 1600x1200, median {statistics.median(sizes) / 1024:.0f} KB "
          f"({time.perf_counter() - t:.1f} s)")
    with tempfile.TemporaryDirectory() as tmp:
        proc, base = start_server(Path(tmp))
        try:
            cpu_before = cpu_seconds(proc.pid)
            elapsed, latencies = ingest(base, photos, args.concurrency, args.chunk, args.creation_with_upload)
            cpu_after = cpu_seconds(proc.pid)
        finally:
            proc.terminate()
            proc.wait(10)
    latencies.sort()
    print(f"ingest over HTTP: {len(photos) / elapsed:.1f} photos/s ({elapsed:.1f} s for {len(photos)}, "
          f"{args.concurrency} clients, {args.chunk // 1024} KiB chunks"
          f"{', first with the POST' if args.creation_with_upload else ''}, {os.cpu_count()} cores)")
    if cpu_before is not None and cpu_after is not None:
        cpu_ms = (cpu_after - cpu_before) / len(photos) * 1000
        print(f"  server CPU per photo: {cpu_ms:.1f} ms, so {2000 / cpu_ms:.0f} photos/s would fill 2 cores "
              f"(load average now {os.getloadavg()[0]:.1f})")
    print(f"  per photo: p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
          f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms")
    whole_ms, thumb_ms = pillow_timings(photos, min(50, len(photos)))
    print(f"Pillow per photo (hash, validate, strip or re-encode, thumbnail): {whole_ms:.1f} ms CPU, median")
    print(f"thumbnail alone (decoded 1600 px pixels to a 320 px JPEG): {thumb_ms:.1f} ms CPU, median")


if __name__ == "__main__":
    main()
