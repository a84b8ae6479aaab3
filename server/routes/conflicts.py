"""Kept conflicts (sync-protocol.md section 5): list them, and resolve one through the sync engine."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, Parameter

from server.auth import Principal
from server.sync import conflicts, retry
from server.sync.protocol import ConflictList, ResolveRequest, ResolveResponse

AuthedRequest = Request[Principal, str, State]


class ConflictController(Controller):
    path = "/api/conflicts"
    tags = ["sync"]

    @get("/")
    async def list_conflicts(self, request: AuthedRequest, state: State,
                             status: str | None = Parameter(default=None, description="open or resolved"),
                             limit: int = Parameter(default=conflicts.MAX_LIST,
                                                    description="Conflicts per page (1 to 2,000)."),
                             cursor: str | None = Parameter(default=None, description="The cursor from the last page."),
                             ) -> ConflictList:
        """Conflicts in my scope (supervisors and admins), or the ones my own mutations caused; oldest first."""
        async with state.db.read() as session:
            return await conflicts.list_conflicts(session, request.user, status, limit, cursor)

    @post("/{conflict_id:str}/resolve", status_code=200)
    async def resolve(self, request: AuthedRequest, state: State, conflict_id: FromPath[str],
                      data: JSONBody[ResolveRequest]) -> ResolveResponse:
        """Write ``value`` into the field as a new version and mark the conflict resolved (409 if it was)."""
        return await retry.write(state.db, lambda session: conflicts.resolve(session, request.user, conflict_id,
                                                                             data.value))
