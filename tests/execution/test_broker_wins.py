"""When the broker and the store disagree about an order, the broker is right.

A resend the broker refuses as a duplicate proves the broker has the order, even when
its lookups said otherwise a moment before: the order stays open and is reconciled,
never recorded as rejected. And a final status in the store that the broker
contradicts (an old record, or one written from a wrong answer) is corrected to what
the broker says, with an event naming the correction: nothing crashes on it.
"""

from __future__ import annotations

import json

LOOKUP = ("GET", "/v2/orders:by_client_order_id")
SUBMIT = ("POST", "/v2/orders")


def test_a_resend_refused_as_a_duplicate_keeps_the_order_open_and_reconciles_it(account, hook):
    acct = account()
    controls = acct.server.controls
    # The sell is accepted but its answer is lost (connection reset); the next two
    # lookups by client order id answer 404, so the resend is refused as a duplicate.
    controls.drop_after_accept(1)
    hook.once(*LOOKUP, lambda: controls.fail_next(1, 404))
    hook.once(*LOOKUP, lambda: controls.fail_next(1, 404))
    result = acct.execute()
    assert result.code == 0, result.out + result.err
    assert hook.pending == 0
    assert [p["status"] for p in acct.posts()][:2] == [200, 422]  # dropped, then duplicate
    xlk = acct.orders()[0]
    assert xlk["status"] != "rejected", xlk
    acct.assert_recorded_once()  # filled, once, and the store says so
    orders = acct.trader("orders")
    assert orders.code == 0, orders.out + orders.err
    assert "Traceback" not in orders.err


def test_a_stored_final_status_the_broker_contradicts_is_corrected_and_logged(account):
    acct = account()
    result = acct.execute()
    assert result.code == 0, result.out + result.err
    cid = acct.client_ids[0]
    with acct.db() as database:  # a record written from a wrong answer, as before the fix
        database.execute(
            "update plan_order set status = 'rejected', filled_qty = '0', message = 'x' "
            "where client_order_id = ?",
            (cid,),
        )
    for command in (("orders",), ("orders", "--json"), ("sync",)):
        shown = acct.trader(*command)
        assert shown.code == 0, (command, shown.out, shown.err)
        assert "Traceback" not in shown.err
    xlk = acct.orders()[0]
    assert xlk["status"] == "filled" and xlk["filled_qty"] == xlk["qty"], xlk
    with acct.db() as database:
        events = [
            json.loads(row[0])
            for row in database.execute(
                "select detail from event where kind = 'order_corrected' order by id"
            )
        ]
    assert len(events) == 1, events
    assert events[0]["client_order_id"] == cid
    assert (events[0]["stored"], events[0]["broker"]) == ("rejected", "filled")
