"""What the app needs to know of the server's configuration: offices, targets, map tiles."""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.datastructures import State


class ClientConfig(msgspec.Struct):
    offices: dict[str, str]
    resolution_target: float
    tile_url: str
    tile_attribution: str


@get("/api/config", tags=["operations"])
async def client_config(state: State) -> ClientConfig:
    """Offices per dispute category, the resolution target, the map tile URL and its credit."""
    settings = state.settings
    return ClientConfig(offices=settings.offices, resolution_target=settings.resolution_target,
                        tile_url=settings.tile_url, tile_attribution=settings.tile_attribution)
