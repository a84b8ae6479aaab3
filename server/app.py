"""``create_app(settings)``: the only way the server is built. No logic lives here."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import xstatic.pkg.leaflet
from litestar import Litestar, Request, Response
from litestar.config.compression import CompressionConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from server import __version__
from server.auth import TokenAuthMiddleware
from server.compression import IsalGzipMiddleware
from server.db import Database
from server.errors import EXCEPTION_HANDLERS, BadRequest, UnsupportedMediaType
from server.photos.cleanup import photo_janitor
from server.routes import ROUTE_HANDLERS
from server.settings import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "geolocation=(self), camera=(self), microphone=()",
}
# Besides handlers marked exclude_from_auth (health, sign-in, the field app's files), the schema is public.
PUBLIC_PATHS = [r"^/schema"]
# A push allocates tens of thousands of short-lived dicts; the first generation is collected less often.
GC_THRESHOLDS = (10_000, 20, 20)
# Request bodies that are not JSON: tus uploads carry raw bytes, imports carry CSV.
NON_JSON_BODIES = ("/api/uploads", "/api/imports")


def _require_json(request: Request) -> None:
    if request.method not in ("POST", "PUT", "PATCH") or not request.url.path.startswith("/api/"):
        return
    if request.url.path.startswith(NON_JSON_BODIES):
        return
    content_type = request.headers.get("content-type", "")
    if content_type and not content_type.split(";")[0].strip().lower().endswith("json"):
        raise UnsupportedMediaType(f"Send the body as JSON (Content-Type: application/json), not {content_type}.")


def _refuse_nul(request: Request) -> None:
    # PostgreSQL text cannot hold NUL: an id or filter with one would be a database error, not a 400 or 404.
    if "\x00" in request.url.path or b"%00" in request.scope.get("query_string", b""):
        raise BadRequest("The address contains a NUL character (%00); remove it.")


async def _before_request(request: Request) -> None:
    _refuse_nul(request)
    _require_json(request)


async def _after_request(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def create_app(settings: Settings) -> Litestar:
    """Build the ASGI app for ``settings``; the database opens in the lifespan."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        db = Database(settings)
        app.state.db = db
        _settle_garbage_collector()
        try:
            yield
        finally:
            await db.dispose()

    static = create_static_files_router(
        path="/",
        directories=[settings.pwa_dir],
        html_mode=True,
        name="pwa",
        opt={"exclude_from_auth": True},
        include_in_schema=False,
        # The service worker decides what to keep offline; the browser always revalidates,
        # so a new sw.js is seen at once.
        cache_control=CacheControlHeader(no_cache=True),
    )
    # Leaflet for the supervisor map, served from its PyPI package: no npm step, no CDN.
    leaflet = create_static_files_router(
        path="/vendor/leaflet",
        directories=[xstatic.pkg.leaflet.BASE_DIR],
        name="leaflet",
        opt={"exclude_from_auth": True},
        include_in_schema=False,
        cache_control=CacheControlHeader(max_age=86400, public=True),
    )
    app = Litestar(
        route_handlers=[*ROUTE_HANDLERS, leaflet, static],
        lifespan=[lifespan, photo_janitor],
        state=_initial_state(settings),
        middleware=[DefineMiddleware(TokenAuthMiddleware, exclude=PUBLIC_PATHS)],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        compression_config=CompressionConfig(
            # Gzip by server/compression.py (ISA-L for large bodies). Handlers that send already-compressed
            # bytes (JPEG, WebP) opt out with skip_compression.
            backend="gzip", middleware_class=IsalGzipMiddleware, minimum_size=512, exclude_opt_key="skip_compression"
        ),
        before_request=_before_request,
        after_request=_after_request,
        openapi_config=OpenAPIConfig(
            title="Doorstep",
            version=__version__,
            path="/schema",
            render_plugins=[JsonRenderPlugin()],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")},
            ),
            security=[{"bearer": []}],
        ),
        request_max_body_size=24 * 1024 * 1024,
        debug=False,
    )
    return app


def _settle_garbage_collector() -> None:
    # Everything loaded so far (modules, the app, SQLAlchemy's metadata) lives as long as the process:
    # frozen, the collector stops walking it, which cost a push of 500 mutations about 10 ms of pauses.
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _initial_state(settings: Settings) -> State:
    return State({"settings": settings})


def configure_logging(settings: Settings) -> None:
    """Process-wide logging for a served app (tests leave logging to pytest)."""
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")


def create_app_from_env() -> Litestar:
    """Factory for ``uvicorn --factory``: settings from this process's environment."""
    settings = Settings.from_env(os.environ)
    configure_logging(settings)
    return create_app(settings)
