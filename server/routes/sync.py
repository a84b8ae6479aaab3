"""Push and pull (sync-protocol.md sections 3 and 4): thin handlers over server/sync."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import Parameter

from server.auth import Principal
from server.clock import iso, utcnow
from server.errors import BadRequest
from server.sync import retry
from server.sync.apply import apply_batch
from server.sync.body import decode_push, read_body
from server.sync.feed import pull
from server.sync.protocol import (
    DEFAULT_PULL_LIMIT,
    MAX_PULL_LIMIT,
    PullResponse,
    PushResponse,
)

AuthedRequest = Request[Principal, str, State]


class SyncController(Controller):
    path = "/api/sync"
    tags = ["sync"]

    # The body limit is enforced while reading (read_body), so the 413 can name the push limits.
    @post("/push", status_code=200, request_max_body_size=None)
    async def push(self, request: AuthedRequest, state: State) -> PushResponse:
        """Apply a batch of mutations (JSON, optionally gzip): one result per mutation, all committed."""
        body = decode_push(await read_body(request), request.headers.get("content-encoding"))
        results = await retry.write(state.db, lambda session: apply_batch(session, request.user, body.mutations))
        # The write has committed: a 200 means every result in it is durable.
        return PushResponse(results=results, server_time=iso(utcnow()) or "")

    @get("/pull")
    async def pull(self, request: AuthedRequest, state: State,
                   cursor: str | None = Parameter(default=None, description="The cursor from the last page."),
                   limit: int = Parameter(default=DEFAULT_PULL_LIMIT, description="Changes per page (1 to 2,000).")
                   ) -> PullResponse:
        """Changes since ``cursor`` in the caller's scope, each record once as its latest state."""
        if limit < 1:
            raise BadRequest(f"`limit` must be from 1 to {MAX_PULL_LIMIT}; got {limit}.")
        async with state.db.read() as session:
            return await pull(session, request.user, cursor, min(limit, MAX_PULL_LIMIT))
