"""Users as admins manage them, and as supervisors see them (to assign cases)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import Principal, hash_password
from server.errors import BadRequest, Conflict, NotFound
from server.models import User, UserArea
from server.scope import ROLES, AreaTree
from server.services.accounts import add_user, user_summary


async def _areas_by_user(session: AsyncSession) -> dict[str, list[str]]:
    links: dict[str, list[str]] = {}
    for user_id, area_id in await session.execute(select(UserArea.user_id, UserArea.area_id)):
        links.setdefault(user_id, []).append(area_id)
    return {k: sorted(v) for k, v in links.items()}


async def list_users(session: AsyncSession, principal: Principal) -> list[dict]:
    """People who work in the caller's scope: users whose own scope overlaps it (admins see everyone).

    Anyone may see them, to assign a case; it is names and roles, not parties' details.
    """
    links = await _areas_by_user(session)
    tree = await AreaTree.load(session)
    users = await session.scalars(select(User).order_by(User.username))
    out = []
    for user in users:
        areas = links.get(user.id, [])
        overlaps = principal.scope.area_ids is not None and bool(tree.subtree(areas) & principal.scope.area_ids)
        if principal.is_admin or (user.role != "admin" and overlaps):
            out.append({**user_summary(user, areas), "disabled": user.disabled})
    return out


async def create_user(session: AsyncSession, username: str, role: str, password: str, area_ids: list[str],
                      display_name: str | None) -> dict:
    if await session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(f"The username {username!r} is taken; choose another.")
    user = await add_user(session, username, role, password, area_ids, display_name)
    return {**user_summary(user, sorted(set(area_ids))), "disabled": user.disabled}


async def update_user(session: AsyncSession, user_id: str, *, role: str | None, area_ids: list[str] | None,
                      display_name: str | None, password: str | None, disabled: bool | None) -> dict:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user {user_id}.")
    if role is not None:
        if role not in ROLES:
            raise BadRequest(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        user.role = role
    if display_name is not None:
        user.display_name = display_name
    if password is not None:
        if len(password) < 8:
            raise BadRequest("password must be at least 8 characters")
        user.password_hash = hash_password(password)
    if disabled is not None:
        user.disabled = disabled
    if area_ids is not None:
        tree = await AreaTree.load(session)
        unknown = [a for a in area_ids if a not in tree.parents]
        if unknown:
            raise BadRequest(f"unknown area ids: {', '.join(unknown)}")
        for link in await session.scalars(select(UserArea).where(UserArea.user_id == user_id)):
            await session.delete(link)
        await session.flush()
        session.add_all(UserArea(user_id=user_id, area_id=a) for a in sorted(set(area_ids)))
    await session.flush()
    return {**user_summary(user, (await _areas_by_user(session)).get(user_id, [])), "disabled": user.disabled}
