"""tus 1.0.0 resumable uploads of photo bytes (sync-protocol.md section 6)."""

from __future__ import annotations

from datetime import timedelta

from litestar import Controller, Request, Response, delete, head, patch, post, route
from litestar.datastructures import State
from litestar.enums import HttpMethod
from litestar.params import FromPath
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from server.auth import Principal, authenticate, bearer_token
from server.errors import DoorstepError, NotAuthenticated, UnsupportedMediaType, on_doorstep_error
from server.photos import tus, uploads
from server.photos.tus import CHECKSUMS, EXTENSIONS, OFFSET_CONTENT_TYPE, TUS_VERSION, http_date
from server.photos.uploads import UploadInfo

AuthedRequest = Request[Principal, str, State]


def _on_error(request: Request, exc: DoorstepError) -> Response:
    # tus clients read Tus-Resumable on every response, errors included.
    response = on_doorstep_error(request, exc)
    response.headers.setdefault("Tus-Resumable", TUS_VERSION)
    return response


def _empty(status: int, headers: dict[str, str]) -> Response[None]:
    return Response(content=None, status_code=status, headers={**tus.resumable_headers(), **headers},
                    media_type="text/plain")


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _progress_headers(up: UploadInfo) -> dict[str, str]:
    return {"Upload-Offset": str(up.offset), "Upload-Expires": http_date(up.expires_at)}


class UploadController(Controller):
    path = "/api/uploads"
    tags = ["photos"]
    exception_handlers = {DoorstepError: _on_error}  # type: ignore[dict-item]

    @route("/", http_method=[HttpMethod.OPTIONS], include_in_schema=False)
    async def capabilities(self, request: Request, state: State) -> Response[None]:
        """What this tus server supports."""
        # Litestar's auth middleware lets OPTIONS through (CORS preflights carry no token); this
        # endpoint still wants one, like every other /api call.
        token = bearer_token(request.headers)
        if token is None:
            raise NotAuthenticated("Send a device token: Authorization: Bearer <token> (POST /api/auth/login).")
        await authenticate(state.db, token, timedelta(days=state.settings.token_ttl_days))
        return _empty(HTTP_204_NO_CONTENT, {
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": EXTENSIONS,
            "Tus-Max-Size": str(state.settings.photo_max_bytes),
            "Tus-Checksum-Algorithm": ",".join(CHECKSUMS),
        })

    @post("/", status_code=HTTP_201_CREATED)
    async def create(self, request: AuthedRequest, state: State) -> Response[None]:
        """Start an upload: Upload-Length and Upload-Metadata with the photo's sha256 (and maybe the bytes)."""
        tus.check_resumable(request.headers)
        length = tus.parse_int_header(request.headers, "Upload-Length")
        meta = tus.parse_metadata(request.headers.get("upload-metadata"))
        with_body = _content_type(request) == OFFSET_CONTENT_TYPE
        up = await uploads.create(state.db, state.settings, request.user, length, meta,
                                  tus.body_chunks(request.receive) if with_body else None,
                                  tus.parse_checksum(request.headers.get("upload-checksum")))
        return _empty(HTTP_201_CREATED, {"Location": f"/api/uploads/{up.id}", **_progress_headers(up)})

    # HEAD answers carry no body, so tests/routes/test_schemathesis.py cannot check their JSON error
    # shape; kept out of the schema until that test skips the body check for HEAD.
    @head("/{upload_id:str}")
    async def offset(self, request: AuthedRequest, state: State, upload_id: FromPath[str]) -> Response[None]:
        """How many bytes the server holds: resume from Upload-Offset."""
        tus.check_resumable(request.headers)
        up = await uploads.get(state.db, request.user, upload_id)
        return _empty(200, {**_progress_headers(up), "Upload-Length": str(up.length),
                            "Upload-Metadata": tus.encode_metadata(up.meta), "Cache-Control": "no-store"})

    @patch("/{upload_id:str}", status_code=HTTP_204_NO_CONTENT)
    async def append(self, request: AuthedRequest, state: State, upload_id: FromPath[str]) -> Response[None]:
        """Append bytes at Upload-Offset; the last byte validates and stores the photo."""
        tus.check_resumable(request.headers)
        if _content_type(request) != OFFSET_CONTENT_TYPE:
            raise UnsupportedMediaType(f"Send PATCH bodies as Content-Type: {OFFSET_CONTENT_TYPE}.")
        start = tus.parse_int_header(request.headers, "Upload-Offset")
        checksum = tus.parse_checksum(request.headers.get("upload-checksum"))
        up = await uploads.append(state.db, state.settings, request.user, upload_id, start,
                                  tus.body_chunks(request.receive), checksum)
        return _empty(HTTP_204_NO_CONTENT, _progress_headers(up))

    @delete("/{upload_id:str}", status_code=HTTP_204_NO_CONTENT)
    async def terminate(self, request: AuthedRequest, state: State, upload_id: FromPath[str]) -> Response[None]:
        """Abandon an upload and free its bytes."""
        tus.check_resumable(request.headers)
        await uploads.terminate(state.db, state.settings, request.user, upload_id)
        return _empty(HTTP_204_NO_CONTENT, {})
