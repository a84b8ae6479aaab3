"""What the app needs to know of the server's configuration: offices, targets, map tiles."""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.datastructures import State


class ClientConfig(msgspec.Struct):
    offices: dict[str, str]
    resolution_target: float
    tile_url: str


@get("/api/config", tags=["operations"])
async def client_config(state: State) -> ClientConfig:
    """Offices per dispute category, the resolution target and the map tile URL."""
    settings = state.settings
    return ClientConfig(offices=settings.offices, resolution_target=settings.resolution_target,
                        tile_url=settings.tile_url)
