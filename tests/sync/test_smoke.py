from tests.sync.helpers import household, mutation, new_id, pull_all, push, visit


async def test_push_then_pull(client, ledger):
    h = await ledger.headers("worker1")
    hid = new_id()
    results = await push(client, h, [mutation("households", hid, household(ledger.area("G1"))),
                                     mutation("visits", new_id(), visit(hid))])
    assert [r["status"] for r in results] == ["applied", "applied"], results
    changes, cursor, reset = await pull_all(client, h)
    assert len(changes) == 2
    assert changes[1]["record"]["area_id"] == ledger.area("G1")
