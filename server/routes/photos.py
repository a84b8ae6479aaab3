"""Photo bytes: whether the server holds them, and the scoped, cache-forever image and thumbnail."""

from __future__ import annotations

from typing import Literal

from litestar import Controller, Request, Response, get, head, post
from litestar.datastructures import ETag, State
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import File, Stream

from server.auth import Principal
from server.errors import NotFound
from server.photos import serving
from server.photos.schemas import MissingRequest, MissingResponse

AuthedRequest = Request[Principal, str, State]


class PhotoController(Controller):
    path = "/api/photos"
    tags = ["photos"]

    # Out of the schema for the same reason as HEAD /api/uploads/{id} (see server/routes/uploads.py).
    @head("/{sha256:str}")
    async def held(self, state: State, sha256: FromPath[str]) -> Response[None]:
        """200 when the server already holds these bytes (no upload needed), 404 otherwise."""
        if not await serving.held(state.db, sha256):
            raise NotFound("The server does not hold this photo's bytes.")
        return Response(content=None, status_code=200, media_type="text/plain")

    @post("/missing", status_code=200)
    async def missing(self, state: State, data: JSONBody[MissingRequest]) -> MissingResponse:
        """Which of these photo ids still need uploading."""
        return MissingResponse(await serving.missing(state.db, data.ids))

    # skip_compression: gzip would only burn CPU on bytes that are already compressed.
    @get("/{sha256:str}", opt={"skip_compression": True})
    async def image(self, request: AuthedRequest, state: State, sha256: FromPath[str],
                    size: FromQuery[Literal["full", "thumb"]] = "full") -> Response:
        """The photo (orientation applied, metadata removed) or its thumbnail (at most 320 px)."""
        served = await serving.visible(state.db, state.settings, request.user, sha256, size)
        return _image_response(served, request.headers.get("if-none-match"))


def _image_response(served: serving.Served, if_none_match: str | None) -> Response:
    headers = {"ETag": served.etag, "Cache-Control": serving.CACHE_FOREVER}
    if serving.not_modified(if_none_match, served.etag):
        return Response(content=b"", status_code=304, headers=headers, media_type=served.mime)
    path = served.path
    if path is None:  # a store without local files streams through the server
        return Stream(serving.chunks(served), headers=headers, media_type=served.mime)
    if not path.is_file():
        raise NotFound("No such photo.")
    return File(path, media_type=served.mime, headers={"Cache-Control": serving.CACHE_FOREVER},
                etag=ETag(value=served.etag.strip('"'), weak=False), content_disposition_type="inline",
                filename=f"{served.key}.{served.mime.split('/')[1]}")
