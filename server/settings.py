"""Settings: one frozen object parsed from an injected ``DOORSTEP_*`` mapping."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PREFIX = "DOORSTEP_"
DEFAULT_PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"

# The plans' mapping of dispute categories to the office that answers for them.
DEFAULT_OFFICES = {
    "marriage_family": "妇联",
    "neighbour": "司法所",
    "labour": "劳动保障所",
    "land_requisition": "规划办",
    "land_contract": "规划办",
    "property": "规划办",
    "private_lending": "司法所",
    "illegal_fundraising": "派出所",
    "medical": "民政办",
    "education": "教育办",
    "traffic": "派出所",
    "environment": "生态环境所",
    "enterprise": "经济发展办",
    "consumer": "市场监管所",
    "other": "综治中心",
}


class SettingsError(ValueError):
    """A setting has a value Doorstep cannot use; the message names the variable."""


def _doc(text: str, default: Any = dataclasses.MISSING, **kw: Any) -> Any:
    if default is dataclasses.MISSING and "default_factory" not in kw:
        return field(metadata={"doc": text}, **kw)
    if "default_factory" in kw:
        return field(metadata={"doc": text}, **kw)
    return field(default=default, metadata={"doc": text})


@dataclass(frozen=True)
class Settings:
    """Every setting Doorstep reads; see README.md for the list."""

    data_dir: Path = _doc("Directory for the SQLite ledger, photos and partial uploads.", Path("doorstep-data"))
    database_url: str = _doc(
        "SQLAlchemy async URL; empty means SQLite at <data_dir>/doorstep.sqlite3. "
        "Example: postgresql+asyncpg://user@host/doorstep", ""
    )
    host: str = _doc("Address `doorstep serve` listens on.", "127.0.0.1")
    port: int = _doc("Port `doorstep serve` listens on.", 8000)
    workers: int = _doc("Server processes for `doorstep serve` (more than 1 needs PostgreSQL).", 1)
    pwa_dir: Path = _doc("Directory of the field app served at /.", DEFAULT_PWA_DIR)
    token_ttl_days: int = _doc("Days a device token lives without use; renewed on use.", 30)
    login_max_failures: int = _doc("Failed logins per username within the window before 429.", 5)
    login_max_failures_per_address: int = _doc("Failed logins per client address within the window before 429.", 30)
    login_window_seconds: int = _doc("Window for counting failed logins, in seconds.", 900)
    upload_expiry_hours: int = _doc("Hours an unfinished photo upload is kept before it is removed.", 72)
    photo_max_bytes: int = _doc("Largest photo accepted, in bytes.", 20 * 1024 * 1024)
    photo_max_pixels: int = _doc("Largest photo accepted, in pixels (width x height).", 40_000_000)
    tile_url: str = _doc(
        "Map tile URL template for the supervisor map.", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    )
    tile_attribution: str = _doc(
        "Credit shown on the map for its tiles (plain text).", "© OpenStreetMap contributors"
    )
    resolution_target: float = _doc("Target dispute resolution rate shown on the dashboard (0..1).", 0.8)
    offices: dict[str, str] = _doc(
        "Responsible office per dispute category, as category=office pairs separated by ';'.",
        default_factory=lambda: dict(DEFAULT_OFFICES),
    )
    log_level: str = _doc("Log level: DEBUG, INFO, WARNING or ERROR.", "INFO")

    @property
    def db_url(self) -> str:
        """The database URL in force, with the SQLite default filled in."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'doorstep.sqlite3').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @property
    def photo_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides: Any) -> Settings:
        """Parse settings from ``env``; ``overrides`` win over the mapping."""
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            name = PREFIX + f.name.upper()
            if f.name in overrides:
                values[f.name] = overrides[f.name]
                continue
            raw = env.get(name)
            if raw is None or raw == "" and f.name != "database_url":
                continue
            values[f.name] = _parse(name, f.type, raw)
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse values that parse but make no sense."""
        positive = ("port", "workers", "token_ttl_days", "login_max_failures", "login_max_failures_per_address",
                    "login_window_seconds", "upload_expiry_hours", "photo_max_bytes", "photo_max_pixels")
        for name in positive:
            if getattr(self, name) < 1:
                raise SettingsError(f"{PREFIX}{name.upper()} must be at least 1, got {getattr(self, name)}")
        if not 0 <= self.resolution_target <= 1:
            raise SettingsError(f"{PREFIX}RESOLUTION_TARGET must be between 0 and 1, got {self.resolution_target}")
        if self.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise SettingsError(f"{PREFIX}LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {self.log_level!r}")
        url = self.db_url
        if not (url.startswith("sqlite+aiosqlite://") or url.startswith("postgresql+asyncpg://")):
            raise SettingsError(
                f"{PREFIX}DATABASE_URL must start with postgresql+asyncpg:// (or sqlite+aiosqlite://), got {url!r}"
            )

    @staticmethod
    def documented() -> list[tuple[str, str, str]]:
        """(variable, default, description) for every setting, for the README and `--help`."""
        rows = []
        for f in dataclasses.fields(Settings):
            default = f.default if f.default is not dataclasses.MISSING else "(see README)"
            rows.append((PREFIX + f.name.upper(), str(default), f.metadata["doc"]))
        return rows


def _parse(name: str, kind: Any, raw: str) -> Any:
    kind = str(kind)
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "Path":
            return Path(raw)
        if kind.startswith("dict"):
            return _parse_offices(raw)
    except ValueError as exc:
        raise SettingsError(f"{name}: cannot use {raw!r}: {exc}") from None
    return raw


def _parse_offices(raw: str) -> dict[str, str]:
    offices = dict(DEFAULT_OFFICES)
    for pair in filter(None, (p.strip() for p in raw.split(";"))):
        category, sep, office = pair.partition("=")
        if not sep or not office.strip():
            raise ValueError(f"expected category=office, got {pair!r}")
        if category.strip() not in DEFAULT_OFFICES:
            raise ValueError(f"unknown category {category.strip()!r}")
        offices[category.strip()] = office.strip()
    return offices
