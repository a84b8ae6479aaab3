"""Domain errors that carry their HTTP status, and the one JSON error shape."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

log = logging.getLogger("doorstep")


class DoorstepError(Exception):
    """Base of every error a client may cause; ``status_code`` picks the HTTP status."""

    status_code = 400

    def __init__(self, detail: str, *, extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
        self.headers = headers or {}


class BadRequest(DoorstepError):
    status_code = 400


class NotAuthenticated(DoorstepError):
    status_code = 401


class Forbidden(DoorstepError):
    status_code = 403


class NotFound(DoorstepError):
    status_code = 404


class Conflict(DoorstepError):
    status_code = 409


class Gone(DoorstepError):
    status_code = 410


class TooLarge(DoorstepError):
    status_code = 413


class UnsupportedMediaType(DoorstepError):
    status_code = 415


class Throttled(DoorstepError):
    status_code = 429


class ChecksumMismatch(DoorstepError):
    """tus checksum failure: the bytes do not hash to what the client declared."""

    status_code = 460


def error_body(status_code: int, detail: str, extra: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status_code": status_code, "detail": detail}
    if extra:
        body["extra"] = extra
    return body


def _response(status_code: int, detail: str, extra: Any = None, headers: dict[str, str] | None = None) -> Response:
    return Response(
        content=error_body(status_code, detail, extra),
        status_code=status_code,
        media_type=MediaType.JSON,
        headers=headers,
    )


def on_doorstep_error(_: Request, exc: DoorstepError) -> Response:
    return _response(exc.status_code, exc.detail, exc.extra, exc.headers)


def on_http_exception(_: Request, exc: HTTPException) -> Response:
    extra = exc.extra if isinstance(exc, ValidationException) else None
    if isinstance(extra, list):
        # msgspec names the field in the message; keep only what helps the client fix the request.
        extra = [{k: v for k, v in e.items() if k in ("key", "message", "source")} for e in extra if isinstance(e, dict)]
    status = exc.status_code
    detail = exc.detail if status < 500 else "The server could not complete this request."
    return _response(status, detail, extra, exc.headers)


def on_database_error(request: Request, exc: SQLAlchemyError) -> Response:
    # Database text can reveal schema and data: log it, never send it.
    log.error("database error on %s %s: %s", request.method, request.url.path, exc)
    if isinstance(exc, DBAPIError) and "locked" in str(exc).lower():
        return _response(503, "The ledger is busy; try again shortly.", headers={"Retry-After": "2"})
    return _response(HTTP_500_INTERNAL_SERVER_ERROR, "The server could not complete this request.")


def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _response(HTTP_500_INTERNAL_SERVER_ERROR, "The server could not complete this request.")


EXCEPTION_HANDLERS = {
    DoorstepError: on_doorstep_error,
    HTTPException: on_http_exception,
    SQLAlchemyError: on_database_error,
    Exception: on_unexpected,
}
