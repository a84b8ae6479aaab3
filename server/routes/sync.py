"""Push and pull (sync-protocol.md sections 3 and 4): thin handlers over server/sync."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody
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
    PushRequest,
    PushResponse,
)

AuthedRequest = Request[Principal, str, State]


def _inline(schema: Any, defs: dict[str, Any]) -> Any:
    """``schema`` with msgspec's ``#/$defs/...`` references replaced by what they name."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _inline(value, defs) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_inline(value, defs) for value in schema]
    return schema


_PUSH_SCHEMA = msgspec.json.schema(PushRequest)
PUSH_BODY = RequestBody(
    required=True,
    description="The mutations, as JSON, optionally with Content-Encoding: gzip; at most 1,000 mutations and "
                "8 MiB (inflated) per push.",
    content={"application/json": OpenAPIMediaType(schema=_inline(_PUSH_SCHEMA, _PUSH_SCHEMA["$defs"]))},
)


@dataclass
class PushOperation(Operation):
    """The push body is read as bytes (it may be gzip), so the schema names it here instead."""

    def __post_init__(self) -> None:
        self.request_body = PUSH_BODY


class SyncController(Controller):
    path = "/api/sync"
    tags = ["sync"]

    # The body limit is enforced while reading (read_body), so the 413 can name the push limits.
    @post("/push", status_code=200, request_max_body_size=None, operation_class=PushOperation)
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
