"""The reference tus client (tuspy) against a real server on loopback: every rule of issue 4."""

from __future__ import annotations

import io
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests
from PIL import ExifTags, Image
from sqlalchemy import func, select
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError, TusUploadFailed

from server.models import PhotoBlob, Upload
from tests.photos.conftest import LiveServer
from tests.photos.images import huge_png, jpeg, oriented_jpeg_with_gps, sha

pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


def upload(live: LiveServer, data: bytes, *, user: str = "worker1", declared: str | None = None,
           chunk_size: int | None = None, filetype: str = "image/jpeg"):  # type: ignore[no-untyped-def]
    uploader = live.tus(user).uploader(
        file_stream=io.BytesIO(data), chunk_size=chunk_size or len(data),
        metadata={"sha256": declared or sha(data), "filetype": filetype, "filename": "site.jpg"},
    )
    uploader.upload()
    return uploader


def failure(live: LiveServer, data: bytes, **kw) -> TusUploadFailed:  # type: ignore[no-untyped-def]
    with pytest.raises(TusUploadFailed) as caught:
        upload(live, data, **kw)
    return caught.value


def held(live: LiveServer, photo_id: str) -> int:
    return requests.head(f"{live.url}/api/photos/{photo_id}", headers=live.auth("worker1"), timeout=10).status_code


def stored_files(settings) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(p.name for p in settings.photo_dir.rglob("*") if p.is_file())


async def test_full_upload_stores_the_photo_and_its_thumbnail(live, db, settings):
    data = jpeg(1600, 1200)
    uploader = upload(live, data)
    assert uploader.offset == len(data)
    assert held(live, sha(data)) == 200
    assert stored_files(settings) == [sha(data), f"{sha(data)}.thumb"]
    assert not any(settings.upload_dir.iterdir()), "the partial bytes are gone once the photo is stored"
    async with db.read() as session:
        blob = await session.get(PhotoBlob, sha(data))
    assert (blob.size, blob.width, blob.height, blob.mime) == (len(data), 1600, 1200, "image/jpeg")
    # The upload itself still answers HEAD with its full length until it expires.
    head = requests.head(uploader.url, headers={**live.auth("worker1"), "Tus-Resumable": "1.0.0"}, timeout=10)
    assert head.headers["Upload-Offset"] == str(len(data))


async def test_cut_after_first_chunk_resumes_with_a_new_client_from_the_server_offset(live, db):
    data = jpeg(1600, 1200, seed=1)
    first = live.tus("worker1").uploader(file_stream=io.BytesIO(data), chunk_size=64 * 1024,
                                         metadata={"sha256": sha(data)})
    first.upload_chunk()
    assert first.offset == 64 * 1024
    assert held(live, sha(data)) == 404
    # A new client (the app restarted) knows only the upload URL and asks the server where to go on.
    second = live.tus("worker1").uploader(file_stream=io.BytesIO(data), url=first.url, chunk_size=100_000)
    assert second.offset == 64 * 1024
    second.upload()
    assert second.offset == len(data)
    assert held(live, sha(data)) == 200


async def test_connection_cut_mid_chunk_resumes_at_the_exact_byte(live, db):
    data = jpeg(1600, 1200, seed=2)
    creator = live.tus("worker1").uploader(file_stream=io.BytesIO(data), chunk_size=len(data),
                                           metadata={"sha256": sha(data)})
    creator.set_url(creator.create_url())
    sent = 30_001
    _patch_then_drop(creator.url, live.token("worker1"), data[:sent], declared_length=len(data))
    resumed = None
    for _ in range(100):  # the server records the bytes once it sees the disconnect
        resumed = live.tus("worker1").uploader(file_stream=io.BytesIO(data), url=creator.url)
        if resumed.offset == sent:
            break
        time.sleep(0.02)
    assert resumed.offset == sent
    resumed.upload()
    assert held(live, sha(data)) == 200


def _patch_then_drop(url: str, token: str, body: bytes, declared_length: int) -> None:
    """Send a PATCH announcing the whole file, deliver only ``body``, then close the socket."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as s:
        head = (f"PATCH {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
                f"Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
                f"Content-Length: {declared_length}\r\n\r\n")
        s.sendall(head.encode() + body)
        time.sleep(0.2)


async def test_wrong_hash_is_460_with_a_json_error_and_the_upload_is_dropped(live, db, settings):
    data = jpeg(seed=3)
    err = failure(live, data, declared=sha(b"something else"))
    assert err.status_code == 460
    body = requests.models.complexjson.loads(err.response_content)
    assert body["status_code"] == 460 and "sha256" in body["detail"]
    assert held(live, sha(data)) == 404 and held(live, sha(b"something else")) == 404
    assert stored_files(settings) == []
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Upload)) == 0


async def test_non_image_is_415(live, db, settings):
    err = failure(live, b"%PDF-1.7\n" + b"x" * 5000, filetype="application/octet-stream")
    assert err.status_code == 415
    assert stored_files(settings) == []


async def test_truncated_jpeg_is_refused_and_nothing_is_stored(live, db, settings):
    data = jpeg(1600, 1200, seed=4)[:150_000]
    err = failure(live, data)
    assert err.status_code == 415
    assert "truncated" in err.response_content.decode()
    assert held(live, sha(data)) == 404
    assert stored_files(settings) == []


async def test_fifty_megapixel_png_is_413_from_the_header(live, db):
    data = huge_png(10_000, 5_000)
    assert len(data) < 200_000
    err = failure(live, data, filetype="image/png")
    assert err.status_code == 413
    assert "megapixels" in err.response_content.decode()


async def test_too_long_upload_is_413_at_creation(live, db, settings):
    uploader = live.tus("worker1").uploader(file_stream=io.BytesIO(b"x"), metadata={"sha256": sha(b"x")})
    headers = {**uploader.get_url_creation_headers(), "upload-length": str(settings.photo_max_bytes + 1)}
    r = requests.post(f"{live.url}/api/uploads", headers=headers, timeout=10)
    assert r.status_code == 413
    assert r.headers["Tus-Resumable"] == "1.0.0"
    assert str(settings.photo_max_bytes) in r.json()["detail"]


async def test_orientation_is_applied_and_exif_gps_xmp_comments_are_gone(live, db):
    data = oriented_jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    upload(live, data)
    live.link_photo(sha(data))
    r = live.get(f"/api/photos/{sha(data)}", "worker1")
    assert r.status_code == 200
    img = Image.open(io.BytesIO(r.content))
    assert img.size == (200, 300)
    red = img.convert("RGB").getpixel((190, 10))
    assert red[0] > 200 and red[2] < 60, "the stored top-left corner is now top right"
    assert not img.getexif()
    assert not set(img.info) & {"exif", "xmp", "comment", "XML:com.adobe.xmp"}
    for needle in (b"Exif", b"PhoneMaker", b"Lane Road", b"xmpmeta", b"30.25"):
        assert needle not in r.content
    thumb = Image.open(io.BytesIO(live.get(f"/api/photos/{sha(data)}?size=thumb", "worker1").content))
    assert thumb.size == (200, 300)
    assert not thumb.getexif() and "comment" not in thumb.info


async def test_thumbnail_is_at_most_320_px_on_the_long_edge(live, db):
    data = jpeg(1600, 1200, seed=5)
    upload(live, data)
    live.link_photo(sha(data))
    r = live.get(f"/api/photos/{sha(data)}?size=thumb", "worker1")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/jpeg")
    assert Image.open(io.BytesIO(r.content)).size == (320, 240)
    full = Image.open(io.BytesIO(live.get(f"/api/photos/{sha(data)}", "worker1").content))
    assert full.size == (1600, 1200)


async def test_only_users_whose_scope_covers_the_record_see_the_photo(live, db):
    data = jpeg(seed=6)
    upload(live, data)
    path = f"/api/photos/{sha(data)}"
    assert live.get(path, "worker1").status_code == 404, "bytes without a record are nobody's yet"
    live.link_photo(sha(data))
    for user in ("worker1", "mediator", "supervisor", "admin"):
        assert live.get(path, user).status_code == 200, user
        assert live.get(path + "?size=thumb", user).status_code == 200, user
    other = live.get(path, "worker2")
    assert other.status_code == 404
    assert live.get(f"/api/photos/{sha(b'unknown')}", "worker2").json()["detail"] == other.json()["detail"]
    assert live.get(path + "?size=thumb", "worker2").status_code == 404


async def test_no_token_is_401_on_every_upload_and_photo_call(live, db):
    data = jpeg(seed=7)
    uploader = upload(live, data)
    tus = {"Tus-Resumable": "1.0.0"}
    calls = [
        ("OPTIONS", "/api/uploads"), ("POST", "/api/uploads"), ("HEAD", urlsplit(uploader.url).path),
        ("PATCH", urlsplit(uploader.url).path), ("DELETE", urlsplit(uploader.url).path),
        ("HEAD", f"/api/photos/{sha(data)}"), ("GET", f"/api/photos/{sha(data)}"),
        ("POST", "/api/photos/missing"),
    ]
    for method, path in calls:
        r = requests.request(method, f"{live.url}{path}", headers=tus, timeout=10)
        assert r.status_code == 401, (method, path, r.status_code)
    anonymous = tus_client.TusClient(f"{live.url}/api/uploads")
    with pytest.raises(TusCommunicationError) as caught:
        anonymous.uploader(file_stream=io.BytesIO(data), url=uploader.url)
    assert caught.value.status_code == 401


async def test_two_devices_uploading_the_same_photo_end_with_one_stored_file(live, db, settings):
    data = jpeg(1600, 1200, seed=8)
    results: dict[str, object] = {}

    def send(user: str) -> None:
        try:
            results[user] = upload(live, data, user=user, chunk_size=40_000).offset
        except Exception as exc:  # reported below
            results[user] = exc

    threads = [threading.Thread(target=send, args=(u,)) for u in ("worker1", "mediator")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == {"worker1": len(data), "mediator": len(data)}
    assert stored_files(settings) == [sha(data), f"{sha(data)}.thumb"]
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(PhotoBlob)) == 1
