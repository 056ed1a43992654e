"""Buys are checked again at their limit when they are sent, after the sells.

The fat-finger check before sending counts each buy at its limit from the prices read
then; a buy is priced again after the sells, and its new limit may take it over
``max_order_dollars``: it is skipped, never sent bigger than the limit allows."""

from __future__ import annotations

from decimal import Decimal

D = Decimal
SUBMIT = ("POST", "/v2/orders")


def test_a_buy_whose_price_rose_past_max_order_dollars_after_the_checks_is_skipped(account, hook):
    # At the check QQQ is 410.00: 2.80482561 shares at the 414.10 limit, $1,161.48, pass
    # a $1,170 limit. As the sell goes out QQQ rises to 418.00: at the new 422.18 limit
    # the buy could cost $1,184.14.
    acct = account(("max_order_dollars: 10000", "max_order_dollars: 1170"))
    hook.once(*SUBMIT, lambda: acct.server.controls.set_prices({"QQQ": D("418.00")}))
    result = acct.execute()
    assert result.code == 0, result.out + result.err
    sell, qqq, xlf = acct.orders()
    assert sell["status"] == xlf["status"] == "filled"
    assert qqq["status"] == "skipped"
    assert qqq["message"] == (
        "skipped: 2.80482561 shares at its limit $422.18 could cost $1,184.14, above "
        "execution.max_order_dollars ($1,170.00)"
    )
    assert len(acct.posts()) == 2  # the sell and XLF only
    assert acct.plan_orders_at_broker()[qqq["client_order_id"]] == []
    acct.assert_nothing_more_to_send()
