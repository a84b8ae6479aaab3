"""Accounts: sign-in with throttling, devices, users and what /api/me returns."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import Principal, hash_password, new_token, token_hash, verify_password
from server.clock import as_utc, utcnow
from server.errors import BadRequest, NotAuthenticated, NotFound, Throttled
from server.models import Area, AuditEntry, Device, LoginThrottle, User, UserArea
from server.scope import ROLES, AreaTree
from server.settings import Settings


def _upsert(session: AsyncSession):  # type: ignore[no-untyped-def]
    return (postgresql if session.bind.dialect.name == "postgresql" else sqlite).insert


async def _throttle_wait(session: AsyncSession, key: str, limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until ``key`` may try again (0 when it may now)."""
    row = await session.get(LoginThrottle, key)
    if row is None or row.failures < limit:
        return 0
    ends = as_utc(row.window_start) + window
    return max(0, math.ceil((ends - now).total_seconds()))


async def _record_failure(session: AsyncSession, key: str, window: timedelta, now: datetime) -> None:
    row = await session.get(LoginThrottle, key)
    fresh = row is None or as_utc(row.window_start) + window <= now
    failures = 1 if fresh else row.failures + 1  # type: ignore[union-attr]
    start = now if fresh else row.window_start  # type: ignore[union-attr]
    stmt = _upsert(session)(LoginThrottle).values(key=key, failures=failures, window_start=start)
    await session.execute(
        stmt.on_conflict_do_update(index_elements=["key"], set_={"failures": failures, "window_start": start})
    )


async def _device_to_keep(session: AsyncSession, user_id: str, device_id: str | None) -> Device | None:
    if not device_id:
        return None
    device = await session.get(Device, device_id)
    if device is None or device.user_id != user_id or device.revoked_at is not None:
        return None
    return device


async def login(db: Any, settings: Settings, username: str, password: str, device_name: str, address: str,
                device_id: str | None = None) -> dict:
    """Check credentials and issue a device token; repeated failures answer 429."""
    now = utcnow()
    window = timedelta(seconds=settings.login_window_seconds)
    keys = [(f"user:{username.lower()}", settings.login_max_failures),
            (f"addr:{address}", settings.login_max_failures_per_address)]
    async with db.read() as session:
        wait = max([await _throttle_wait(session, k, limit, window, now) for k, limit in keys])
        if wait:
            raise Throttled(f"Too many failed sign-ins; try again in {wait} seconds.",
                            headers={"Retry-After": str(wait)})
        user = await session.scalar(select(User).where(User.username == username))
    ok = await verify_password(user.password_hash if user else None, password)
    if not ok or user is None or user.disabled:
        async with db.write() as session:
            for key, _ in keys:
                await _record_failure(session, key, window, now)
        raise NotAuthenticated("Wrong username or password.")
    token = new_token()
    expires = now + timedelta(days=settings.token_ttl_days)
    async with db.write() as session:
        await session.execute(delete(LoginThrottle).where(LoginThrottle.key == keys[0][0]))
        device = await _device_to_keep(session, user.id, device_id)
        if device is None:
            device = Device(id=str(uuid.uuid4()), user_id=user.id, created_at=now)
            session.add(device)
        device.name = device_name.strip()[:200] or "device"
        device.token_hash, device.last_seen_at, device.expires_at = token_hash(token), now, expires
        session.add(AuditEntry(at=now, user_id=user.id, device_id=device.id, action="login",
                               detail={"device_name": device.name}))
        area_ids = await _assigned(session, user.id)
    return {
        "token": token,
        "device_id": device.id,
        "user": user_summary(user, area_ids),
        "expires_at": expires.isoformat(),
    }


def user_summary(user: User, area_ids: list[str]) -> dict:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "role": user.role, "area_ids": area_ids}


async def _assigned(session: AsyncSession, user_id: str) -> list[str]:
    return sorted(await session.scalars(select(UserArea.area_id).where(UserArea.user_id == user_id)))


async def revoke_device(session: AsyncSession, principal: Principal, device_id: str) -> None:
    """Cut a device off at once; admins may revoke any device, others only their own."""
    device = await session.get(Device, device_id)
    if device is None or (device.user_id != principal.user_id and not principal.is_admin):
        raise NotFound(f"No device {device_id} that you may revoke.")
    if device.revoked_at is None:
        now = utcnow()
        device.revoked_at = now
        session.add(AuditEntry(at=now, user_id=principal.user_id, device_id=principal.device_id,
                               action="revoke_device", detail={"device_id": device_id}))


async def list_devices(session: AsyncSession, principal: Principal) -> list[dict]:
    stmt = select(Device, User.username).join(User, User.id == Device.user_id).order_by(Device.created_at)
    if not principal.is_admin:
        stmt = stmt.where(Device.user_id == principal.user_id)
    return [
        {"id": d.id, "user_id": d.user_id, "username": username, "name": d.name,
         "created_at": as_utc(d.created_at).isoformat(), "last_seen_at": as_utc(d.last_seen_at).isoformat(),
         "expires_at": as_utc(d.expires_at).isoformat(),
         "revoked_at": as_utc(d.revoked_at).isoformat() if d.revoked_at else None}
        for d, username in await session.execute(stmt)
    ]


async def me(session: AsyncSession, principal: Principal) -> dict:
    """The caller, their role and their scope with the area tree's names."""
    user = await session.get(User, principal.user_id)
    stmt = select(Area.id, Area.parent_id, Area.kind, Area.name, Area.code).order_by(Area.code)
    stmt = stmt.where(principal.scope.clause(Area.id))
    areas = [{"id": i, "parent_id": p, "kind": k, "name": n, "code": c} for i, p, k, n, c in await session.execute(stmt)]
    return {
        "user": user_summary(user, list(principal.area_ids)),  # type: ignore[arg-type]
        "device_id": principal.device_id,
        "areas": areas,
        "scope_area_ids": [a["id"] for a in areas],
    }


async def add_user(session: AsyncSession, username: str, role: str, password: str, area_ids: list[str],
                   display_name: str | None = None) -> User:
    """Create a user (or update the role, password and areas of an existing one)."""
    if role not in ROLES:
        raise BadRequest(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if not username or len(username) > 64 or not username.replace("_", "").replace("-", "").replace(".", "").isalnum():
        raise BadRequest("username must be 1 to 64 letters, digits, '.', '-' or '_'")
    if len(password) < 8:
        raise BadRequest("password must be at least 8 characters")
    tree = await AreaTree.load(session)
    unknown = [a for a in area_ids if a not in tree.parents]
    if unknown:
        raise BadRequest(f"unknown area ids: {', '.join(unknown)}")
    if role != "admin" and not area_ids:
        raise BadRequest(f"a {role} needs at least one area (--area AREA_ID)")
    user = await session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(id=str(uuid.uuid4()), username=username, created_at=utcnow(), disabled=False,
                    display_name=display_name or username, role=role, password_hash=hash_password(password))
        session.add(user)
        await session.flush()
    else:
        user.role, user.password_hash = role, hash_password(password)
        user.display_name = display_name or user.display_name
        await session.execute(delete(UserArea).where(UserArea.user_id == user.id))
    for area_id in sorted(set(area_ids)):
        session.add(UserArea(user_id=user.id, area_id=area_id))
    await session.flush()
    return user


async def logout(session: AsyncSession, principal: Principal) -> None:
    await session.execute(update(Device).where(Device.id == principal.device_id).values(revoked_at=utcnow()))

