"""Every string key the field app uses exists in both language files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

PWA = Path(__file__).resolve().parents[2] / "pwa"
# Codes from the sync protocol (section 2) and the server's extra fields.
CODES = {
    "outcome": ["met", "nobody_home", "refused", "moved"],
    "category": ["marriage_family", "neighbour", "labour", "land_requisition", "land_contract", "property",
                 "private_lending", "illegal_fundraising", "medical", "education", "traffic", "environment",
                 "enterprise", "consumer", "other"],
    "risk": ["red", "orange", "yellow", "blue"],
    "status": ["reported", "assigned", "in_mediation", "resolved", "referred", "unresolved"],
    "handling": ["people_mediation", "admin_mediation", "judicial_mediation", "arbitration", "admin_ruling",
                 "litigation", "referral"],
    "kind": ["site", "agreement", "other"],
    "role": ["field_worker", "mediator", "supervisor", "admin"],
    "areaKind": ["town", "village", "community", "grid"],
    "collection": ["households", "visits", "disputes", "followups", "photos"],
    "sync.phase": ["idle", "pushing", "uploading", "pulling", "waiting", "auth", "error"],
    "outbox.state": ["pending", "sending", "rejected", "conflict", "uploading", "photo", "failed"],
    "lang": ["zh-CN", "en"],
    "geo": ["denied", "timeout", "unavailable", "unsupported"],
}


def _load(lang: str) -> dict[str, str]:
    return json.loads((PWA / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))


def _used_keys(namespaces: set[str]) -> set[str]:
    """Literal keys in the JS: t('a.b') calls and 'a.b' strings passed on to t()."""
    keys: set[str] = set()
    for js in (PWA / "js").rglob("*.js"):
        text = js.read_text(encoding="utf-8")
        keys.update(re.findall(r"\bt\(\s*'([^']+)'", text))
        for literal in re.findall(r"'([A-Za-z]+(?:\.[A-Za-z0-9_-]+)+)'", text):
            if literal.split(".")[0] in namespaces:
                keys.add(literal)
    return keys


def test_both_languages_have_the_same_keys():
    zh, en = _load("zh-CN"), _load("en")
    assert sorted(set(zh) - set(en)) == []
    assert sorted(set(en) - set(zh)) == []
    assert [k for k, v in {**zh, **en}.items() if not str(v).strip()] == []


def test_every_key_used_in_the_code_exists():
    zh, en = _load("zh-CN"), _load("en")
    namespaces = {k.split(".")[0] for k in zh}
    used = _used_keys(namespaces)
    assert len(used) > 100
    assert sorted(used - set(zh)) == []
    assert sorted(used - set(en)) == []


def test_every_code_has_a_label():
    zh, en = _load("zh-CN"), _load("en")
    wanted = {f"{prefix}.{code}" for prefix, codes in CODES.items() for code in codes}
    wanted |= {f"followup.class{c}" for c in (1, 2, 3)}
    assert sorted(wanted - set(zh)) == []
    assert sorted(wanted - set(en)) == []


def test_placeholders_match_between_languages():
    zh, en = _load("zh-CN"), _load("en")
    bad = [k for k in zh if set(re.findall(r"\{(\w+)\}", zh[k])) != set(re.findall(r"\{(\w+)\}", en[k]))]
    assert bad == []
