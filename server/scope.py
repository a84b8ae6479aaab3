"""Area scope: the one place that decides which areas a user may read and write."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import false, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from server.models import Area

ROLES = ("field_worker", "mediator", "supervisor", "admin")


@dataclass(frozen=True)
class AreaTree:
    """Parent links of every area, enough to expand a subtree."""

    parents: dict[str, str | None]

    @classmethod
    async def load(cls, session: AsyncSession) -> AreaTree:
        rows = await session.execute(select(Area.id, Area.parent_id))
        return cls({area_id: parent for area_id, parent in rows})

    def subtree(self, roots: Iterable[str]) -> frozenset[str]:
        children: dict[str | None, list[str]] = {}
        for area_id, parent in self.parents.items():
            children.setdefault(parent, []).append(area_id)
        seen: set[str] = set()
        stack = [r for r in roots if r in self.parents]
        while stack:
            area_id = stack.pop()
            if area_id not in seen:
                seen.add(area_id)
                stack.extend(children.get(area_id, ()))
        return frozenset(seen)


@dataclass(frozen=True)
class Scope:
    """The areas a user answers for: assigned areas and everything below them (``None`` means all)."""

    area_ids: frozenset[str] | None

    @property
    def is_all(self) -> bool:
        return self.area_ids is None

    def covers(self, area_id: str | None) -> bool:
        if self.area_ids is None:
            return True
        return area_id is not None and area_id in self.area_ids

    def covers_all(self, area_ids: Iterable[str | None]) -> bool:
        return all(self.covers(a) for a in area_ids)

    def clause(self, column: ColumnElement) -> ColumnElement[bool]:
        """A SQL condition that keeps rows whose ``column`` lies in scope."""
        if self.area_ids is None:
            return true()
        if not self.area_ids:
            return false()
        return column.in_(sorted(self.area_ids))

    def fingerprint(self) -> str:
        """A short stable digest of the scope, so a cursor can notice that the scope changed."""
        import hashlib

        text = "*" if self.area_ids is None else ",".join(sorted(self.area_ids))
        return hashlib.sha256(text.encode()).hexdigest()[:16]
