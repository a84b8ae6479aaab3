"""Server time in UTC, and the one conversion for datetimes read back from SQLite."""

from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def iso(value: datetime | None) -> str | None:
    """RFC 3339 with an offset, as every time on the wire."""
    return None if value is None else as_utc(value).isoformat()
