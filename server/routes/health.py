"""Liveness: answers without a token, and only when the database answers too."""

from litestar import get
from litestar.datastructures import State
from sqlalchemy import text

from server import __version__
from server.schemas import Health


@get("/api/health", exclude_from_auth=True, security=[], tags=["operations"])
async def health(state: State) -> Health:
    """Server and database are up."""
    async with state.db.read() as session:
        await session.execute(text("SELECT 1"))
    return Health(status="ok", version=__version__)
