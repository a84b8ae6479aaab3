"""The field-level three-way merge: pure functions, no I/O.

A record keeps, per field, the version at which the field last changed and the device that changed it
(``field_meta``). An update from ``base_version`` b sets field f to v:

- when v already equals the ledger's value: nothing to do (applied);
- when nobody changed f after b, or the last change to f came from this same device: applied
  (a device never conflicts with its own earlier mutations, e.g. two edits queued offline on one base);
- otherwise: a clash. The ledger keeps its value; the caller stores a conflict with base, server, client.

Lists (``household_ids``, ``dispute_ids``, ``parties``) are single values: a whole list is replaced, and
two devices that change one list differently clash, so no entry is ever dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Merge:
    """The outcome of merging one update into the current record."""

    changed: dict[str, Any] = field(default_factory=dict)  # fields whose value changes
    clashes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (server value, client value)

    @property
    def clean(self) -> bool:
        return not self.clashes


def same(a: Any, b: Any) -> bool:
    """Equal as JSON values: true is not 1, 1 is 1.0, and object key order does not matter."""
    if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def last_change(meta: dict[str, Any], name: str) -> tuple[int, str | None]:
    """(version, device) of the last change to ``name``; fields never set count as set at creation."""
    entry = meta.get(name)
    if not entry:
        return 0, None
    return int(entry[0]), entry[1]


def merge(current: dict[str, Any], meta: dict[str, Any], base_version: int, device_id: str | None,
          fields: dict[str, Any]) -> Merge:
    """Merge ``fields`` (sent from ``base_version`` by ``device_id``) into ``current``."""
    out = Merge()
    for name, value in fields.items():
        now = current.get(name)
        if same(value, now):
            continue
        version, device = last_change(meta, name)
        if version <= base_version or (device is not None and device == device_id):
            out.changed[name] = value
        else:
            out.clashes[name] = (now, value)
    return out
