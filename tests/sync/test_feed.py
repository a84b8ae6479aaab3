"""Pull (sync-protocol.md section 4): scope, latest state once per page, cursors, removed markers, resets."""

from __future__ import annotations

from tests.sync.helpers import (
    dispute,
    household,
    mutation,
    new_id,
    pull_all,
    push,
    push_one,
    replay_into,
    visit,
)


async def _page(client, headers, cursor=None, limit=500) -> dict:
    params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
    r = await client.get("/api/sync/pull", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()


async def test_only_records_in_scope_are_sent(client, ledger):
    w1, w2, sup = [await ledger.headers(u) for u in ("worker1", "worker2", "supervisor")]
    await push_one(client, w1, mutation("households", new_id(), household(ledger.area("G1"))))
    await push_one(client, w2, mutation("households", new_id(), household(ledger.area("G3"))))
    for headers, areas in ((w1, {ledger.area("G1")}), (w2, {ledger.area("G3")}),
                           (sup, {ledger.area("G1"), ledger.area("G3")})):
        changes, _, _ = await pull_all(client, headers)
        assert {c["record"]["area_id"] for c in changes} == areas


async def test_a_record_appears_once_per_page_as_its_latest_state(client, ledger):
    h = await ledger.headers("worker1")
    did = new_id()
    await push_one(client, h, mutation("disputes", did, dispute(ledger.area("G1"))))
    for base, status in ((1, "assigned"), (2, "in_mediation"), (3, "resolved")):
        await push_one(client, h, mutation("disputes", did, {"status": status}, op="update", base=base))
    page = await _page(client, h)
    assert [c["record"]["version"] for c in page["changes"]] == [4]
    assert page["changes"][0]["record"]["status"] == "resolved" and page["has_more"] is False
    assert page["reset"] is False


async def test_a_cursor_yields_exactly_the_later_changes(client, ledger):
    h = await ledger.headers("worker1")
    first = [mutation("households", new_id(), household(ledger.area("G1"))) for _ in range(7)]
    await push(client, h, first)
    changes, cursor, _ = await pull_all(client, h, limit=3)
    assert sorted(c["record"]["id"] for c in changes) == sorted(m["record_id"] for m in first)
    assert (await _page(client, h, cursor))["changes"] == []
    later = [mutation("households", new_id(), household(ledger.area("G1"))) for _ in range(4)]
    await push(client, h, later)
    changes, _, _ = await pull_all(client, h, cursor, limit=2)
    assert [c["record"]["id"] for c in changes] == [m["record_id"] for m in later]
    again, _, _ = await pull_all(client, h, cursor)
    assert [c["record"]["id"] for c in again] == [m["record_id"] for m in later]


async def test_paging_reports_has_more(client, ledger):
    h = await ledger.headers("worker1")
    await push(client, h, [mutation("households", new_id(), household(ledger.area("G1"))) for _ in range(5)])
    p1 = await _page(client, h, limit=2)
    p2 = await _page(client, h, p1["cursor"], limit=2)
    p3 = await _page(client, h, p2["cursor"], limit=2)
    assert [len(p["changes"]) for p in (p1, p2, p3)] == [2, 2, 1]
    assert [p["has_more"] for p in (p1, p2, p3)] == [True, True, False]


async def test_a_record_that_moves_away_is_sent_once_as_removed_and_its_children_follow(client, ledger):
    worker, mediator = await ledger.headers("worker1"), await ledger.headers("mediator")
    hid, vid = new_id(), new_id()
    await push(client, worker, [mutation("households", hid, household(ledger.area("G1"))),
                                mutation("visits", vid, visit(hid))])
    local: dict = {}
    changes, cursor, _ = await pull_all(client, worker)
    replay_into(local, changes)
    assert set(local) == {("households", hid), ("visits", vid)}
    _, mediator_cursor, _ = await pull_all(client, mediator)
    r = await push_one(client, mediator, mutation("households", hid, {"area_id": ledger.area("G2")}, op="update",
                                                  base=1))
    assert r["status"] == "applied"
    changes, cursor, _ = await pull_all(client, worker, cursor)
    assert sorted((c["collection"], c["record"]) for c in changes) == [
        ("households", {"id": hid, "removed": True}), ("visits", {"id": vid, "removed": True})]
    replay_into(local, changes)
    assert local == {}
    # the mediator (V1 = G1 + G2) sees both records again, now in G2 and one version on
    changes, _, _ = await pull_all(client, mediator, mediator_cursor)
    assert {(c["collection"], c["record"]["area_id"], c["record"]["version"]) for c in changes} == {
        ("households", ledger.area("G2"), 2), ("visits", ledger.area("G2"), 2)}
    assert (await _page(client, worker, cursor))["changes"] == []


async def test_a_scope_change_resets_the_feed(client, ledger):
    worker, admin = await ledger.headers("worker1"), await ledger.headers("admin")
    await push_one(client, worker, mutation("households", new_id(), household(ledger.area("G1"))))
    await push_one(client, admin, mutation("households", new_id(), household(ledger.area("G2"))))
    changes, cursor, reset = await pull_all(client, worker)
    assert len(changes) == 1 and not reset
    r = await client.patch(f"/api/users/{ledger.user_id('worker1')}", headers=admin,
                           json={"area_ids": [ledger.area("G1"), ledger.area("G2")]})
    assert r.status_code == 200, r.text
    page = await _page(client, worker, cursor)
    assert page["reset"] is True and len(page["changes"]) == 2
    page = await _page(client, worker, page["cursor"])
    assert page["reset"] is False and page["changes"] == []


async def test_an_unreadable_cursor_resets_and_never_errors(client, ledger):
    h = await ledger.headers("worker1")
    await push_one(client, h, mutation("households", new_id(), household(ledger.area("G1"))))
    _, cursor, _ = await pull_all(client, h)
    for bad in ("garbage", "", "x" * 5000, cursor[:-3], "WzEsMCw5OTk5OTk5LCJ4Il0", "WzEsMCw5OTk5OTksIiJd"):
        page = await _page(client, h, bad)
        if bad:
            assert page["reset"] is True, bad
        assert len(page["changes"]) == 1


async def test_a_cursor_from_beyond_the_feed_resets(client, ledger):
    """A cursor from another (or restored) ledger must not skip changes."""
    from server.sync.feed import decode_cursor, encode_cursor

    h = await ledger.headers("worker1")
    await push_one(client, h, mutation("households", new_id(), household(ledger.area("G1"))))
    _, cursor, _ = await pull_all(client, h)
    parsed = decode_cursor(cursor)
    ahead = encode_cursor(parsed.txid, parsed.seq + 1000, _Scope(parsed.scope))
    page = await _page(client, h, ahead)
    assert page["reset"] is True and len(page["changes"]) == 1


class _Scope:
    def __init__(self, fingerprint: str):
        self._fingerprint = fingerprint

    def fingerprint(self) -> str:
        return self._fingerprint
