"""How a withdrawal set aside ends: transfers out take it off, or the cash drops below it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from trader.broker.transfers import cash_transfer_out
from trader.core.domain import CashTransfer
from trader.core.withdrawal import Withdrawal, WithdrawalState, settle

D = Decimal
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
RAISED = Withdrawal(
    plan_uid="a" * 32,
    raised=D(5000),
    amount=D(5000),
    raised_at=NOW,
    raised_on=date(2026, 11, 24),
)


def out(ident: str, amount: str, day: date = date(2026, 11, 25)) -> CashTransfer:
    return CashTransfer(ident, "CSW", day, D(amount))


def test_a_transfer_of_part_lowers_it_and_is_counted_once():
    once = settle(RAISED, [out("1", "2000")], D(9000), NOW)
    assert once.is_set_aside and once.amount == 3000 and once.counted == {"1"}
    twice = settle(once, [out("1", "2000")], D(9000), NOW)
    assert twice == once


def test_transfers_before_it_was_raised_do_not_count():
    earlier = settle(RAISED, [out("0", "5000", date(2026, 11, 20))], D(9000), NOW)
    assert earlier.is_set_aside and earlier.amount == 5000


def test_the_rest_transferred_closes_it():
    done = settle(RAISED, [out("1", "2000"), out("2", "3000")], D(9000), NOW)
    assert done.state is WithdrawalState.LEFT and done.amount == 0
    assert done.note == "it left the account by transfer (CSW)"


def test_cash_below_what_is_set_aside_closes_it():
    dropped = settle(RAISED, [], D("1152.46"), NOW)
    assert dropped.state is WithdrawalState.LEFT
    assert "the cash ($1,152.46) dropped below the $5,000.00 still set aside" in dropped.note


def test_only_money_going_out_is_a_transfer_out():
    base = {"id": "20261125::x", "date": "2026-11-25"}
    assert cash_transfer_out({**base, "activity_type": "CSD", "net_amount": "100"}) is None
    assert cash_transfer_out({**base, "activity_type": "DIV", "net_amount": "-1"}) is None
    assert cash_transfer_out({**base, "activity_type": "JNLC", "net_amount": "25"}) is None
    found = cash_transfer_out({**base, "activity_type": "JNLC", "net_amount": "-250.5"})
    assert found == CashTransfer("20261125::x", "JNLC", date(2026, 11, 25), D("250.5"))
