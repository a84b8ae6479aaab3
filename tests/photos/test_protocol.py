"""tus protocol details and the photo endpoints, through the in-process client."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

from sqlalchemy import update

from server.clock import utcnow
from server.models import Upload
from server.photos.store import DirectoryBlobStore
from tests.photos.conftest import link_photo
from tests.photos.images import jpeg, png, sha, webp
from tests.photos.tus_helpers import OCTETS, TUS, create, metadata, patch, send, start


async def test_options_advertises_version_extensions_and_max_size(client, ledger, settings):
    r = await client.options("/api/uploads", headers=await ledger.headers("worker1"))
    assert r.status_code == 204
    assert r.headers["tus-resumable"] == "1.0.0"
    assert r.headers["tus-version"] == "1.0.0"
    assert set(r.headers["tus-extension"].split(",")) >= {"creation", "creation-with-upload", "expiration", "checksum",
                                                    "termination"}
    assert r.headers["tus-max-size"] == str(settings.photo_max_bytes)
    assert "sha1" in r.headers["tus-checksum-algorithm"]


async def test_creation_answers_location_and_expiry(client, ledger):
    headers = await ledger.headers("worker1")
    r = await create(client, headers, b"abc", filetype="image/jpeg", filename="a.jpg")
    assert r.status_code == 201
    assert r.headers["location"].startswith("/api/uploads/")
    assert r.headers["tus-resumable"] == "1.0.0"
    assert r.headers["upload-expires"].endswith("GMT")
    head = await client.head(r.headers["location"], headers={**headers, **TUS})
    assert head.status_code == 200
    assert head.headers["upload-offset"] == "0" and head.headers["upload-length"] == "3"
    assert head.headers["cache-control"] == "no-store"
    assert head.headers["tus-resumable"] == "1.0.0"
    assert "sha256 " in head.headers["upload-metadata"]


async def test_creation_refuses_bad_headers(client, ledger, settings):
    headers = await ledger.headers("worker1")
    good = metadata(sha256="a" * 64)
    cases = [
        ({"Upload-Metadata": good}, 400, "Upload-Length"),
        ({"Upload-Length": "-1", "Upload-Metadata": good}, 400, "Upload-Length"),
        ({"Upload-Length": "12abc", "Upload-Metadata": good}, 400, "Upload-Length"),
        ({"Upload-Length": "0", "Upload-Metadata": good}, 400, "at least 1"),
        ({"Upload-Length": "10"}, 400, "sha256"),
        ({"Upload-Length": "10", "Upload-Metadata": metadata(sha256="A" * 64)}, 400, "lowercase hex"),
        ({"Upload-Length": "10", "Upload-Metadata": metadata(sha256="abc")}, 400, "sha256"),
        ({"Upload-Length": "10", "Upload-Metadata": "sha256 !!!notbase64"}, 400, "base64"),
        ({"Upload-Length": "10", "Upload-Metadata": f"{good},{good}"}, 400, "twice"),
        ({"Upload-Length": str(settings.photo_max_bytes + 1), "Upload-Metadata": good}, 413, "limit"),
        ({"Upload-Length": "10", "Upload-Metadata": metadata(sha256="a" * 64, filetype="image/heic")}, 415, "heic"),
    ]
    for extra, status, words in cases:
        r = await client.post("/api/uploads", headers={**headers, **TUS, **extra})
        assert r.status_code == status, (extra, r.text)
        assert words in r.json()["detail"], (extra, r.json())
        assert r.headers["tus-resumable"] == "1.0.0"


async def test_wrong_or_missing_tus_version_is_412(client, ledger):
    headers = await ledger.headers("worker1")
    for version in (None, "0.2.2"):
        extra = {"Tus-Resumable": version} if version else {}
        r = await client.post("/api/uploads", headers={**headers, **extra, "Upload-Length": "3",
                                                       "Upload-Metadata": metadata(sha256="a" * 64)})
        assert r.status_code == 412
        assert r.headers["tus-version"] == "1.0.0"


async def test_patch_checks_content_type_and_offset(client, ledger):
    headers = await ledger.headers("worker1")
    data = jpeg(seed=20)
    location = await start(client, headers, data)
    r = await client.patch(location, content=data[:10],
                           headers={**headers, **TUS, "Upload-Offset": "0", "Content-Type": "application/json"})
    assert r.status_code == 415
    r = await patch(client, headers, location, 5, data[5:10])
    assert r.status_code == 409 and "HEAD" in r.json()["detail"]
    r = await patch(client, headers, location, 0, data[:1000])
    assert r.status_code == 204 and r.headers["upload-offset"] == "1000"
    r = await patch(client, headers, location, 0, data[:1000])
    assert r.status_code == 409
    r = await patch(client, headers, location, 1000, data[1000:])
    assert r.status_code == 204 and r.headers["upload-offset"] == str(len(data))
    # Sending nothing at the end of a finished upload is harmless.
    r = await patch(client, headers, location, len(data), b"")
    assert r.status_code == 204 and r.headers["upload-offset"] == str(len(data))


async def test_body_past_upload_length_is_413_and_keeps_the_offset(client, ledger):
    headers = await ledger.headers("worker1")
    data = jpeg(seed=21)
    location = await start(client, headers, data)
    r = await patch(client, headers, location, 0, data + b"extra")
    assert r.status_code == 413
    head = await client.head(location, headers={**headers, **TUS})
    assert head.headers["upload-offset"] == "0"


async def test_unknown_foreign_and_expired_uploads(client, ledger, db):
    worker1, worker2 = await ledger.headers("worker1"), await ledger.headers("worker2")
    data = jpeg(seed=22)
    location = await start(client, worker1, data)
    for path in ("/api/uploads/" + "0" * 32, "/api/uploads/../etc", "/api/uploads/xyz"):
        assert (await client.head(path, headers={**worker1, **TUS})).status_code == 404
    # An upload belongs to its user: another user's token cannot see or touch it.
    assert (await client.head(location, headers={**worker2, **TUS})).status_code == 404
    assert (await patch(client, worker2, location, 0, data)).status_code == 404
    assert (await client.delete(location, headers={**worker2, **TUS})).status_code == 404
    async with db.write() as session:
        await session.execute(update(Upload).values(expires_at=utcnow() - timedelta(seconds=1)))
    r = await client.head(location, headers={**worker1, **TUS})
    assert r.status_code == 410
    r = await patch(client, worker1, location, 0, data)
    assert r.status_code == 410 and r.headers["tus-resumable"] == "1.0.0"
    assert "expired" in r.json()["detail"]


async def test_checksum_extension_refuses_a_damaged_chunk_and_keeps_the_offset(client, ledger):
    headers = await ledger.headers("worker1")
    data = jpeg(seed=23)
    location = await start(client, headers, data)
    chunk = data[:4096]
    good = "sha1 " + base64.b64encode(hashlib.sha1(chunk).digest()).decode()
    bad = "sha1 " + base64.b64encode(hashlib.sha1(b"other").digest()).decode()
    r = await patch(client, headers, location, 0, chunk, **{"Upload-Checksum": bad})
    assert r.status_code == 460 and r.json()["status_code"] == 460
    assert (await client.head(location, headers={**headers, **TUS})).headers["upload-offset"] == "0"
    r = await patch(client, headers, location, 0, chunk, **{"Upload-Checksum": good})
    assert r.status_code == 204 and r.headers["upload-offset"] == "4096"
    r = await patch(client, headers, location, 4096, data[4096:], **{"Upload-Checksum": "crc32 AAAA"})
    assert r.status_code == 400
    rest = data[4096:]
    r = await patch(client, headers, location, 4096, rest,
                    **{"Upload-Checksum": "sha256 " + base64.b64encode(hashlib.sha256(rest).digest()).decode()})
    assert r.status_code == 204 and r.headers["upload-offset"] == str(len(data))


async def test_termination_frees_the_upload(client, ledger, settings):
    headers = await ledger.headers("worker1")
    data = jpeg(seed=24)
    location = await start(client, headers, data)
    assert (await patch(client, headers, location, 0, data[:500])).status_code == 204
    assert any(settings.upload_dir.iterdir())
    assert (await client.delete(location, headers={**headers, **TUS})).status_code == 204
    assert (await client.head(location, headers={**headers, **TUS})).status_code == 404
    assert not any(settings.upload_dir.iterdir())


async def test_png_and_webp_are_accepted_and_served_as_themselves(client, ledger, db):
    headers = await ledger.headers("worker1")
    for data, mime in ((png(), "image/png"), (webp(), "image/webp")):
        assert (await send(client, headers, data)).status_code == 204
        await link_photo(client, ledger, sha(data))
        r = await client.get(f"/api/photos/{sha(data)}", headers=headers)
        assert r.status_code == 200 and r.headers["content-type"] == mime
        r = await client.get(f"/api/photos/{sha(data)}?size=thumb", headers=headers)
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"


async def test_held_and_missing_tell_a_client_what_to_upload(client, ledger):
    headers = await ledger.headers("worker2")
    data, other = jpeg(seed=25), jpeg(seed=26)
    assert (await client.head(f"/api/photos/{sha(data)}", headers=headers)).status_code == 404
    assert (await send(client, headers, data)).status_code == 204
    # No record links it yet and worker2's scope is irrelevant: this only says "do not upload again".
    assert (await client.head(f"/api/photos/{sha(data)}", headers=headers)).status_code == 200
    assert (await client.head("/api/photos/not-a-hash", headers=headers)).status_code == 404
    r = await client.post("/api/photos/missing", headers=headers, json={"ids": [sha(data), sha(other), sha(other)]})
    assert r.status_code == 200 and r.json() == {"missing": [sha(other)]}
    for body in ({"ids": ["nothex"]}, {"ids": "x"}, {}, {"ids": [sha(data)], "more": 1}, {"ids": ["a" * 64] * 1001}):
        r = await client.post("/api/photos/missing", headers=headers, json=body)
        assert r.status_code == 400, body
        assert r.json()["status_code"] == 400


async def test_get_is_immutable_with_a_strong_etag_and_304(client, ledger, db):
    headers = await ledger.headers("worker1")
    data = jpeg(seed=27)
    assert (await send(client, headers, data)).status_code == 204
    await link_photo(client, ledger, sha(data))
    r = await client.get(f"/api/photos/{sha(data)}", headers={**headers, "Accept-Encoding": "identity"})
    assert r.status_code == 200
    etag = r.headers["etag"]
    assert etag == f'"{sha(data)}"' and not etag.startswith("W/")
    assert r.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert int(r.headers["content-length"]) == len(r.content)
    again = await client.get(f"/api/photos/{sha(data)}", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and "immutable" in again.headers["cache-control"]
    thumb = await client.get(f"/api/photos/{sha(data)}?size=thumb", headers=headers)
    assert thumb.headers["etag"] != etag
    assert (await client.get(f"/api/photos/{sha(data)}?size=thumb",
                             headers={**headers, "If-None-Match": f'"x", {thumb.headers["etag"]}'})).status_code == 304
    assert (await client.get(f"/api/photos/{sha(data)}?size=huge", headers=headers)).status_code == 400


async def test_images_are_not_gzipped(client, ledger, db):
    headers = await ledger.headers("worker1")
    data = jpeg(seed=32)
    assert (await send(client, headers, data)).status_code == 204
    await link_photo(client, ledger, sha(data))
    r = await client.get(f"/api/photos/{sha(data)}", headers={**headers, "Accept-Encoding": "gzip"})
    assert r.status_code == 200 and "content-encoding" not in r.headers


async def test_archived_record_hides_the_photo(client, ledger, db):
    headers = await ledger.headers("worker1")
    data = jpeg(seed=28)
    assert (await send(client, headers, data)).status_code == 204
    await link_photo(client, ledger, sha(data), archived=True)
    assert (await client.get(f"/api/photos/{sha(data)}", headers=headers)).status_code == 404


async def test_record_before_bytes_shows_the_photo_once_the_bytes_arrive(client, ledger, db):
    headers = await ledger.headers("worker1")
    data = jpeg(seed=29)
    await link_photo(client, ledger, sha(data))
    assert (await client.get(f"/api/photos/{sha(data)}", headers=headers)).status_code == 404
    assert (await send(client, headers, data)).status_code == 204
    assert (await client.get(f"/api/photos/{sha(data)}", headers=headers)).status_code == 200


async def test_same_bytes_again_skip_the_work_but_still_check_the_hash(client, ledger, settings):
    headers = await ledger.headers("worker1")
    data = jpeg(seed=30)
    assert (await send(client, headers, data)).status_code == 204
    stored = (settings.photo_dir / sha(data)[:2] / sha(data)).stat().st_mtime_ns
    assert (await send(client, headers, data)).status_code == 204
    assert (settings.photo_dir / sha(data)[:2] / sha(data)).stat().st_mtime_ns == stored
    # A second upload claiming a stored photo's hash with other bytes is still refused.
    r = await send(client, headers, jpeg(seed=31), declared=sha(data))
    assert r.status_code == 460


async def test_tus_errors_carry_tus_resumable(client, ledger):
    headers = await ledger.headers("worker1")
    r = await client.patch("/api/uploads/" + "f" * 32, content=b"x",
                           headers={**headers, **TUS, **OCTETS, "Upload-Offset": "0"})
    assert r.status_code == 404 and r.headers["tus-resumable"] == "1.0.0"


async def test_a_store_without_local_files_is_streamed(client, ledger, db, monkeypatch):
    headers = await ledger.headers("worker1")
    data = jpeg(seed=33)
    assert (await send(client, headers, data)).status_code == 204
    await link_photo(client, ledger, sha(data))
    direct = await client.get(f"/api/photos/{sha(data)}", headers=headers)
    monkeypatch.setattr(DirectoryBlobStore, "local_path", lambda self, key: None)
    streamed = await client.get(f"/api/photos/{sha(data)}", headers=headers)
    assert streamed.status_code == 200 and streamed.content == direct.content
    assert streamed.headers["etag"] == direct.headers["etag"]


async def test_creation_with_upload_stores_a_small_photo_in_one_request(client, ledger):
    headers = await ledger.headers("worker1")
    data = jpeg(seed=34)
    r = await client.post("/api/uploads", content=data, headers={
        **headers, **TUS, **OCTETS, "Upload-Length": str(len(data)), "Upload-Metadata": metadata(sha256=sha(data))})
    assert r.status_code == 201 and r.headers["upload-offset"] == str(len(data))
    assert (await client.head(f"/api/photos/{sha(data)}", headers=headers)).status_code == 200
    # The first bytes only: the rest follows with PATCH from the offset the POST reported.
    other = jpeg(seed=35)
    r = await client.post("/api/uploads", content=other[:5000], headers={
        **headers, **TUS, **OCTETS, "Upload-Length": str(len(other)), "Upload-Metadata": metadata(sha256=sha(other))})
    assert r.status_code == 201 and r.headers["upload-offset"] == "5000"
    assert (await patch(client, headers, r.headers["location"], 5000, other[5000:])).status_code == 204
    assert (await client.head(f"/api/photos/{sha(other)}", headers=headers)).status_code == 200
    r = await client.post("/api/uploads", content=b"not a photo", headers={
        **headers, **TUS, **OCTETS, "Upload-Length": "11", "Upload-Metadata": metadata(sha256=sha(b"not a photo"))})
    assert r.status_code == 415
