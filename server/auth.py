"""Password hashes, device tokens, the authenticated principal and role guards."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from sqlalchemy import Select, bindparam, literal, select, true, update

from server.clock import as_utc, utcnow
from server.errors import Forbidden, NotAuthenticated
from server.models import Area, Device, User, UserArea
from server.scope import Scope

_hasher = PasswordHasher()
# Verified against when the username is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("doorstep-no-such-user")
# Renewing an expiry on every request would make every read a write; once an hour is enough.
RENEW_EVERY = timedelta(hours=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password off the event loop (argon2 is deliberately slow)."""

    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user, their device and their scope."""

    user_id: str
    username: str
    display_name: str
    role: str
    device_id: str
    area_ids: tuple[str, ...]
    scope: Scope

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_supervise(self) -> bool:
        return self.role in ("supervisor", "admin")

    def require_role(self, *roles: str) -> None:
        if self.role not in roles:
            raise Forbidden(f"This needs one of the roles {', '.join(roles)}; you are {self.role}.")


def bearer_token(headers: Any) -> str | None:
    value = headers.get("authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def authenticate(db: Any, token: str, ttl: timedelta) -> Principal:
    """Resolve a bearer token to its principal, renewing the token's expiry on use."""
    now = utcnow()
    # A plain connection, not an ORM session: this runs before every request.
    async with db.engine.connect() as conn:
        rows = (await conn.execute(_PRINCIPAL, {"hashed": token_hash(token)})).all()
    if not rows:
        raise NotAuthenticated("Sign in again: this token is not known.")
    first = rows[0]
    if first.revoked_at is not None:
        raise NotAuthenticated("Sign in again: this device was signed out or revoked.")
    if as_utc(first.expires_at) <= now:
        raise NotAuthenticated("Sign in again: this token has expired.")
    if first.disabled:
        raise NotAuthenticated("Sign in again: this account is disabled.")
    if now - as_utc(first.last_seen_at) >= RENEW_EVERY:
        await _renew(db, first.device_id, now, ttl)
    areas = sorted({r.area_id for r in rows if r.assigned})
    scope = Scope(None) if first.role == "admin" else Scope(frozenset(r.area_id for r in rows if r.area_id))
    return Principal(first.user_id, first.username, first.display_name, first.role, first.device_id,
                     tuple(areas), scope)


def _principal_query() -> Select[Any]:
    """The device, its user and the user's scope in one statement, for the token hash ``hashed``.

    Each row is one area of the scope (assigned, or below an assigned one through the recursive CTE),
    or a single row with area_id NULL for a user with no areas.
    """
    hashed = bindparam("hashed")
    below = (select(UserArea.area_id.label("area_id"), literal(True).label("assigned"))
             .join(Device, Device.user_id == UserArea.user_id).where(Device.token_hash == hashed)
             .cte("below", recursive=True))
    below = below.union(select(Area.id, literal(False)).join(below, Area.parent_id == below.c.area_id))
    return (select(Device.id.label("device_id"), Device.revoked_at, Device.expires_at, Device.last_seen_at,
                   User.id.label("user_id"), User.username, User.display_name, User.role, User.disabled,
                   below.c.area_id, below.c.assigned)
            .join(User, User.id == Device.user_id).outerjoin(below, true())
            .where(Device.token_hash == hashed))


_PRINCIPAL = _principal_query()


async def _renew(db: Any, device_id: str, now: datetime, ttl: timedelta) -> None:
    async with db.write() as session:
        await session.execute(
            update(Device)
            .where(Device.id == device_id, Device.revoked_at.is_(None))
            .values(last_seen_at=now, expires_at=now + ttl)
        )


class TokenAuthMiddleware(AbstractAuthenticationMiddleware):
    """Every ``/api/`` call but health and login needs a valid device token (401, never a redirect)."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        token = bearer_token(connection.headers)
        if token is None:
            raise NotAuthenticated("Send a device token: Authorization: Bearer <token> (POST /api/auth/login).")
        state = connection.app.state
        principal = await authenticate(state.db, token, timedelta(days=state.settings.token_ttl_days))
        return AuthenticationResult(user=principal, auth=token)


def principal_of(connection: ASGIConnection) -> Principal:
    return connection.user  # type: ignore[no-any-return]


def supervisors_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Route guard: supervisors and admins."""
    principal_of(connection).require_role("supervisor", "admin")


def admins_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Route guard: admins."""
    principal_of(connection).require_role("admin")
