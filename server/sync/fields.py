"""The field schema of each collection: types, codes, required fields, and messages a person can act on.

Values are checked and normalised to their wire form (dates as ``YYYY-MM-DD`` text, device times as the
RFC 3339 text the device sent, numbers as floats), so the merge compares like with like.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

OUTCOMES = ("met", "nobody_home", "refused", "moved")
CATEGORIES = ("marriage_family", "neighbour", "labour", "land_requisition", "land_contract", "property",
              "private_lending", "illegal_fundraising", "medical", "education", "traffic", "environment",
              "enterprise", "consumer", "other")
RISKS = ("red", "orange", "yellow", "blue")
STATUSES = ("reported", "assigned", "in_mediation", "resolved", "referred", "unresolved")
HANDLINGS = ("people_mediation", "admin_mediation", "judicial_mediation", "arbitration", "admin_ruling",
             "litigation", "referral")
PHOTO_KINDS = ("site", "agreement", "other")
LINKABLE = ("households", "visits", "disputes", "followups")

ID_MAX = 64
TEXT_MAX = 20_000
LIST_MAX = 500
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class FieldError(ValueError):
    """A value the collection cannot hold; ``code`` goes into the rejected result."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Field:
    """One client-writable field."""

    kind: str  # text, id, code, number, bool, date, time, ids, parties, ref, class
    required: bool = False  # must be present (and not null) on create, and can never become null
    max_len: int = TEXT_MAX
    min_len: int = 0
    codes: tuple[Any, ...] = ()
    lo: float = -math.inf
    hi: float = math.inf
    default: Any = None  # what a create without the field stores

    def describe(self) -> str:
        if self.kind in ("code", "class"):
            allowed = "one of " + ", ".join(str(c) for c in self.codes)
        else:
            allowed = _KIND_TEXT[self.kind]
            if self.kind == "number" and math.isfinite(self.lo):
                allowed += f" from {self.lo:g} to {self.hi:g}" if math.isfinite(self.hi) else f" of at least {self.lo:g}"
            if self.kind == "text" and self.max_len < TEXT_MAX:
                allowed += f" of at most {self.max_len} characters"
        return allowed if self.required else allowed + " or null"


_KIND_TEXT = {
    "text": "text", "id": f"an id (text of 1 to {ID_MAX} characters)", "number": "a number",
    "bool": "true or false", "date": "a date YYYY-MM-DD", "time": "an RFC 3339 time with an offset",
    "ids": f"a list of ids (at most {LIST_MAX})", "parties": 'a list of {"name", "role", "phone"}',
    "ref": '{"collection", "id"} naming a household, visit, dispute or follow-up',
}

LAT = Field("number", lo=-90, hi=90)
LON = Field("number", lo=-180, hi=180)
ACCURACY = Field("number", lo=0)
NOTE = Field("text")

SCHEMAS: dict[str, dict[str, Field]] = {
    "households": {
        "area_id": Field("id", required=True), "address": Field("text", required=True),
        "head_name": Field("text", max_len=200), "lat": LAT, "lon": LON,
    },
    "visits": {
        "household_id": Field("id", required=True), "visited_at": Field("time", required=True),
        "outcome": Field("code", required=True, codes=OUTCOMES), "notes": NOTE, "concerns": NOTE,
        "dispute_ids": Field("ids", default=[]), "lat": LAT, "lon": LON, "accuracy_m": ACCURACY,
    },
    "disputes": {
        "area_id": Field("id", required=True), "household_ids": Field("ids", default=[]),
        "title": Field("text", required=True, min_len=1, max_len=300), "description": NOTE,
        "category": Field("code", required=True, codes=CATEGORIES),
        "risk": Field("code", required=True, codes=RISKS),
        "status": Field("code", required=True, codes=STATUSES, default="reported"),
        "parties": Field("parties", default=[]), "office": Field("text", max_len=200),
        "assignee_id": Field("id"), "deadline": Field("date"), "followup_class": Field("class", codes=(1, 2, 3)),
        "handling": Field("code", codes=HANDLINGS), "outcome": NOTE, "location": NOTE, "lat": LAT, "lon": LON,
    },
    "followups": {
        "dispute_id": Field("id", required=True), "due_on": Field("date"), "done_at": Field("time"),
        "agreement_kept": Field("bool"), "notes": NOTE,
    },
    "photos": {
        "record": Field("ref", required=True), "kind": Field("code", codes=PHOTO_KINDS), "caption": NOTE,
        "taken_at": Field("time"), "lat": LAT, "lon": LON, "accuracy_m": ACCURACY,
    },
}
for _fields in SCHEMAS.values():
    _fields["archived"] = Field("bool", required=True, default=False)

# Where a record's area comes from: its own area_id, or the record its parent field names.
PARENTS: dict[str, tuple[str, str] | None] = {
    "households": None, "disputes": None,
    "visits": ("household_id", "households"), "followups": ("dispute_id", "disputes"), "photos": ("record", ""),
}
COMMON_OUT = ("id", "version", "area_id", "created_at", "updated_at", "created_by", "updated_by", "archived",
              "conflicts")
SERVER_SET = {"id", "version", "created_at", "updated_at", "created_by", "updated_by", "conflicts", "resolved_at",
              "field_meta"}


def check_value(collection: str, name: str, value: Any) -> Any:
    """``value`` in wire form, or FieldError naming ``name`` and what is allowed."""
    spec = SCHEMAS[collection].get(name)
    if spec is None:
        if name in SERVER_SET or name == "area_id":
            raise FieldError("read_only_field", _read_only(collection, name))
        known = ", ".join(sorted(SCHEMAS[collection]))
        raise FieldError("unknown_field", f"{collection} has no field `{name}`; its fields are {known}.")
    if value is None:
        if spec.required:
            raise FieldError("invalid_value", f"`{name}` is required: it must be {spec.describe()}, not null.")
        return None
    try:
        return _CHECKS[spec.kind](spec, value)
    except _INVALID:
        if _has_nul(value):
            raise FieldError("invalid_value", f"`{name}` must not contain NUL characters (\\u0000).") from None
        raise FieldError("invalid_value", f"`{name}` must be {spec.describe()}; got {_show(value)}.") from None


# What a check raises for a value it refuses (OverflowError: an integer too large for a float).
_INVALID = (TypeError, ValueError, KeyError, AttributeError, OverflowError)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    return isinstance(value, list) and any(_has_nul(v) for v in value)


def _read_only(collection: str, name: str) -> str:
    if name == "area_id":
        parent = PARENTS[collection]
        source = "the linked record" if collection == "photos" else f"its {parent[0] if parent else 'parent'}"
        return f"`area_id` of {collection} is taken from {source}; change that instead."
    return f"`{name}` is set by the server; leave it out."


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(spec: Field, v: Any) -> str:
    if not isinstance(v, str) or not spec.min_len <= len(v) <= spec.max_len or "\x00" in v:
        raise ValueError
    return v


def _id(spec: Field, v: Any) -> str:
    if not isinstance(v, str) or not 1 <= len(v) <= ID_MAX or "\x00" in v:
        raise ValueError
    return v


def _code(spec: Field, v: Any) -> Any:
    if isinstance(v, bool) or v not in spec.codes:
        raise ValueError
    return v


def _number(spec: Field, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError
    f = float(v)
    if not (math.isfinite(f) and spec.lo <= f <= spec.hi):
        raise ValueError
    return f


def _bool(spec: Field, v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError
    return v


def _date(spec: Field, v: Any) -> str:
    if isinstance(v, date) and not isinstance(v, datetime):
        return v.isoformat()
    if not isinstance(v, str) or not _DATE.match(v):
        raise ValueError
    date.fromisoformat(v)
    return v


def _time(spec: Field, v: Any) -> str:
    if not isinstance(v, str) or len(v) > 40 or not _RFC3339.match(v):
        raise ValueError
    datetime.fromisoformat(v.replace("z", "Z").replace("t", "T"))
    return v


def _ids(spec: Field, v: Any) -> list[str]:
    if not isinstance(v, list) or len(v) > LIST_MAX:
        raise ValueError
    return [_id(spec, x) for x in v]


_PARTY_KEYS = {"name": 200, "role": 100, "phone": 40}


def _parties(spec: Field, v: Any) -> list[dict[str, Any]]:
    if not isinstance(v, list) or len(v) > LIST_MAX:
        raise ValueError
    out = []
    for party in v:
        if not isinstance(party, dict) or not set(party) <= set(_PARTY_KEYS):
            raise ValueError
        for key, limit in _PARTY_KEYS.items():
            value = party.get(key)
            if value is not None and (not isinstance(value, str) or len(value) > limit or "\x00" in value):
                raise ValueError
        out.append({key: party.get(key) for key in _PARTY_KEYS})
    return out


def _ref(spec: Field, v: Any) -> dict[str, str]:
    if not isinstance(v, dict) or set(v) != {"collection", "id"} or v["collection"] not in LINKABLE:
        raise ValueError
    return {"collection": v["collection"], "id": _id(spec, v["id"])}


def _class(spec: Field, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int | float) or v not in spec.codes or int(v) != v:
        raise ValueError
    return int(v)


_CHECKS = {"text": _text, "id": _id, "code": _code, "number": _number, "bool": _bool, "date": _date,
           "time": _time, "ids": _ids, "parties": _parties, "ref": _ref, "class": _class}


def check_fields(collection: str, fields: dict[str, Any], creating: bool) -> dict[str, Any]:
    """Every field checked and normalised; on create, required fields must be there."""
    if not isinstance(fields, dict):
        raise FieldError("invalid_value", "`fields` must be an object of field names and values.")
    schema = SCHEMAS[collection]
    out = {}
    for name, value in fields.items():
        spec = schema.get(name)
        if spec is None or value is None:
            out[name] = check_value(collection, name, value)
        else:
            try:
                out[name] = _CHECKS[spec.kind](spec, value)
            except _INVALID:
                check_value(collection, name, value)  # raises with the message
                raise
    if creating:
        for name in _REQUIRED[collection]:
            if name not in out:
                raise FieldError("missing_field", f"`{name}` is required to create {collection}: "
                                                  f"send {schema[name].describe()}.")
    return out


_REQUIRED = {c: [n for n, spec in fields.items() if spec.required and spec.default is None]
             for c, fields in SCHEMAS.items()}
_DEFAULTS = {c: {n: spec.default for n, spec in fields.items()} for c, fields in SCHEMAS.items()}
_LIST_DEFAULTS = {c: [n for n, spec in fields.items() if isinstance(spec.default, list)]
                  for c, fields in SCHEMAS.items()}


def defaults(collection: str) -> dict[str, Any]:
    """What a new record holds for the fields a create leaves out."""
    out = dict(_DEFAULTS[collection])
    for name in _LIST_DEFAULTS[collection]:
        out[name] = []
    return out


def with_defaults(collection: str, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` completed with the defaults of the fields it leaves out (fresh lists, never shared)."""
    out = _DEFAULTS[collection] | fields
    for name in _LIST_DEFAULTS[collection]:
        if name not in fields:
            out[name] = []
    return out
