"""The three-way field merge: pure rules, then the same rules through push from several phones."""

from __future__ import annotations

from server.sync.merge import merge, same
from tests.sync.helpers import dispute, mutation, new_id, pull_all, push_one


def test_a_field_nobody_changed_since_the_base_is_applied():
    out = merge({"risk": "red"}, {"risk": [2, "A"]}, base_version=2, device_id="B", fields={"risk": "blue"})
    assert out.changed == {"risk": "blue"} and out.clean


def test_a_field_changed_after_the_base_by_another_device_clashes():
    out = merge({"risk": "red", "title": "t"}, {"risk": [3, "A"]}, base_version=2, device_id="B",
                fields={"risk": "blue", "title": "u"})
    assert out.changed == {"title": "u"}
    assert out.clashes == {"risk": ("red", "blue")}


def test_the_same_value_never_clashes_and_a_device_never_clashes_with_itself():
    assert merge({"risk": "red"}, {"risk": [3, "A"]}, 1, "B", {"risk": "red"}).changed == {}
    assert merge({"risk": "red"}, {"risk": [3, "A"]}, 1, "B", {"risk": "red"}).clean
    assert merge({"risk": "red"}, {"risk": [3, "B"]}, 1, "B", {"risk": "blue"}).changed == {"risk": "blue"}


def test_lists_are_whole_values():
    parties = [{"name": "A", "role": None, "phone": None}]
    out = merge({"parties": parties}, {"parties": [4, "A"]}, 2, "B", {"parties": parties + parties})
    assert out.clashes == {"parties": (parties, parties + parties)}


def test_same_is_json_equality():
    assert same(1, 1.0) and not same(True, 1) and not same(None, 0) and not same("1", 1)
    assert same({"a": 1, "b": [1, 2]}, {"b": [1.0, 2], "a": 1}) and not same([1, 2], [2, 1])


async def _dispute(client, ledger) -> str:
    did = new_id()
    r = await push_one(client, await ledger.headers("worker1"), mutation("disputes", did, dispute(ledger.area("G1"))))
    assert r["version"] == 1
    return did


async def test_two_phones_editing_different_fields_merge_cleanly(client, ledger):
    did = await _dispute(client, ledger)
    a, b = await ledger.headers("worker1"), await ledger.headers("mediator")
    ra = await push_one(client, a, mutation("disputes", did, {"parties": [{"name": "Wu", "role": "neighbour",
                                                                            "phone": "138"}]}, op="update", base=1))
    rb = await push_one(client, b, mutation("disputes", did, {"status": "in_mediation"}, op="update", base=1))
    assert (ra["status"], ra["version"], rb["status"], rb["version"]) == ("applied", 2, "applied", 3)
    record = (await pull_all(client, b))[0][0]["record"]
    assert record["status"] == "in_mediation" and record["parties"][0]["name"] == "Wu"


async def test_a_clash_keeps_the_ledger_value_and_stores_all_three(client, ledger):
    did = await _dispute(client, ledger)
    a, b = await ledger.headers("worker1"), await ledger.headers("mediator")
    await push_one(client, a, mutation("disputes", did, {"status": "assigned"}, op="update", base=1))
    await push_one(client, a, mutation("disputes", did, {"status": "in_mediation"}, op="update", base=2))
    r = await push_one(client, b, mutation("disputes", did, {"status": "resolved", "title": "Wall"}, op="update",
                                           base=1))
    assert r["status"] == "conflict" and r["version"] == 4
    [c] = r["conflicts"]
    assert (c["field"], c["base"], c["server"], c["client"]) == ("status", "reported", "in_mediation", "resolved")
    record = (await pull_all(client, b))[0][0]["record"]
    assert record["status"] == "in_mediation" and record["title"] == "Wall" and record["conflicts"] == 1
    assert record["resolved_at"] is None


async def test_one_phone_sends_two_edits_queued_on_one_base(client, ledger):
    did = await _dispute(client, ledger)
    a = await ledger.headers("mediator")
    r1 = await push_one(client, a, mutation("disputes", did, {"status": "assigned"}, op="update", base=1))
    r2 = await push_one(client, a, mutation("disputes", did, {"status": "in_mediation", "risk": "red"},
                                            op="update", base=1))
    assert (r1["status"], r2["status"], r2["version"]) == ("applied", "applied", 3)


async def test_an_old_base_with_the_same_value_is_applied(client, ledger):
    did = await _dispute(client, ledger)
    a, b = await ledger.headers("worker1"), await ledger.headers("mediator")
    await push_one(client, a, mutation("disputes", did, {"risk": "red"}, op="update", base=1))
    r = await push_one(client, b, mutation("disputes", did, {"risk": "red"}, op="update", base=1))
    assert r["status"] == "applied" and r["version"] == 2 and r["conflicts"] == []


async def test_the_base_value_comes_from_the_field_history(client, ledger):
    did = await _dispute(client, ledger)
    a, b = await ledger.headers("worker1"), await ledger.headers("mediator")
    for base, title in ((1, "one"), (2, "two"), (3, "three")):
        await push_one(client, a, mutation("disputes", did, {"title": title, "risk": "orange"}, op="update",
                                           base=base))
    r = await push_one(client, b, mutation("disputes", did, {"title": "mine"}, op="update", base=2))
    assert r["conflicts"][0]["base"] == "one" and r["conflicts"][0]["server"] == "three"
    # an earlier clash on a field does not count as that field's value in the history
    r = await push_one(client, b, mutation("disputes", did, {"title": "again"}, op="update", base=5))
    assert r["status"] == "applied"
