"""The tables, as SQLModel rows. Rows are not domain values: ``convert`` maps between them.

    account ─┬─< sync_snapshot ─┬─< snapshot_position   (holdings at that sync)
             │                  └─< snapshot_order      (orders open at that sync)
             ├─< fill            (each FILL activity once, deduplicated by activity id)
             └─< corporate_action (each split, dividend, merger... activity once)
    event                        (every command run and broker call outcome)
    plan ─┬─< plan_order         (a staged rebalancing plan and the orders it sends)
          └─< execution          (each run of ``trader execute`` on it)
    price_peak                   (each holding's peak since bought: the trailing stops' memory)
    score                        (built-in scores by symbol and market date)
    plan ──< approval            (a plan alert's one-time Telegram token, stored hashed)
    telegram_offset              (the last Telegram update the bot has handled, per bot)
    pause                        (an account mode paused from Telegram: ``trader run`` waits)

Money, quantities and prices are ``ExactDecimal``, each rounded to its own step as it
is written (``_money`` to the cent, ``_qty`` and ``_price`` to 9 decimals); times are
``UTCDateTime``. Enumerated values (mode, side) are plain strings guarded by CHECK
constraints, which are cheaper to extend in a later migration than database enum
types. Every constraint has a name (see ``NAMING_CONVENTION``) so later migrations, including
SQLite batch migrations, can refer to it.

The schema itself is owned by the Alembic migrations in ``migrations/``; these
classes must stay identical to what they create, and a test compares them.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from trader.core.money import CENT, PRICE_STEP, QTY_STEP
from trader.core.statuses import OrderKind, OrderStatus, PlanStatus
from trader.store.types import ExactDecimal, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

MODES = ("sim", "paper", "live", "manual")
SIDES = ("buy", "sell")
# The stored strings of trader.core.statuses, in the order the migrations list them.
ORDER_KINDS = tuple(kind.value for kind in OrderKind)
PLAN_STATUSES = tuple(status.value for status in PlanStatus)
ORDER_STATUSES = tuple(status.value for status in OrderStatus)
FOREIGN_KINDS = ("position", "order", "activity")
EXECUTION_STATUSES = ("running", "completed", "interrupted", "refused")
# A Telegram approval: issued with the alert; ``approving`` while the tap that claimed it
# is handled (a replay of that same update may finish it); ``confirming`` while a live
# approval waits for the account number's last four digits; ``used`` for good.
APPROVAL_STATES = ("issued", "approving", "confirming", "used")

WITHDRAWAL_STATES = ("set_aside", "left", "cancelled")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _parent(target: str, *, index: bool = True) -> Column:
    """A required foreign key that disappears with its parent row.

    ``index=False`` where a composite index already starts with this column.
    """
    return Column(Integer, ForeignKey(target, ondelete="CASCADE"), nullable=False, index=index)


def _money(nullable: bool = False) -> Decimal:
    """Dollars: rounded to the cent where they are stored."""
    return Field(sa_type=ExactDecimal(CENT), nullable=nullable)


def _qty(nullable: bool = False) -> Decimal:
    """Shares: rounded to Alpaca's 9 decimals where they are stored."""
    return Field(sa_type=ExactDecimal(QTY_STEP), nullable=nullable)


def _price(nullable: bool = False) -> Decimal:
    """Dollars per share: rounded to 9 decimals where they are stored."""
    return Field(sa_type=ExactDecimal(PRICE_STEP), nullable=nullable)


def _number(nullable: bool = False) -> Decimal:
    """Neither money nor shares (a score, a percentage): kept as given."""
    return Field(sa_type=ExactDecimal(), nullable=nullable)


def _time(nullable: bool = False) -> datetime:
    return Field(sa_type=UTCDateTime(), nullable=nullable)


class AccountRow(SQLModel, table=True):
    """A broker account seen by ``trader sync``; never holds the full account number."""

    __tablename__ = "account"
    __table_args__ = (
        UniqueConstraint("mode", "broker_account_id"),
        CheckConstraint(_one_of("mode", MODES), name="mode"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mode: str
    broker_account_id: str
    account_number_masked: str
    first_seen: datetime = _time()
    last_synced: datetime | None = _time(nullable=True)


class SyncSnapshotRow(SQLModel, table=True):
    """The account's balances at one sync; positions and open orders hang off it."""

    __tablename__ = "sync_snapshot"
    __table_args__ = (Index(None, "account_id", "taken_at"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_parent("account.id", index=False))
    taken_at: datetime = _time()
    status: str
    currency: str
    cash: Decimal = _money()
    equity: Decimal = _money()
    buying_power: Decimal = _money()
    long_market_value: Decimal = _money()
    trading_blocked: bool
    account_blocked: bool


class SnapshotPositionRow(SQLModel, table=True):
    """One holding at one sync."""

    __tablename__ = "snapshot_position"
    __table_args__ = (UniqueConstraint("snapshot_id", "symbol"),)

    id: int | None = Field(default=None, primary_key=True)
    snapshot_id: int = Field(sa_column=_parent("sync_snapshot.id"))
    symbol: str
    asset_id: str
    qty: Decimal = _qty()
    avg_entry_price: Decimal = _price()
    current_price: Decimal = _price()
    market_value: Decimal = _money()
    cost_basis: Decimal = _money()
    unrealized_pl: Decimal = _money()


class SnapshotOrderRow(SQLModel, table=True):
    """An order that was open at one sync."""

    __tablename__ = "snapshot_order"
    __table_args__ = (
        UniqueConstraint("snapshot_id", "broker_order_id"),
        CheckConstraint(_one_of("side", SIDES), name="side"),
    )

    id: int | None = Field(default=None, primary_key=True)
    snapshot_id: int = Field(sa_column=_parent("sync_snapshot.id"))
    broker_order_id: str
    client_order_id: str
    symbol: str
    side: str
    order_type: str
    time_in_force: str
    status: str
    qty: Decimal | None = _qty(nullable=True)
    notional: Decimal | None = _money(nullable=True)
    filled_qty: Decimal = _qty()
    filled_avg_price: Decimal | None = _price(nullable=True)
    limit_price: Decimal | None = _price(nullable=True)
    stop_price: Decimal | None = _price(nullable=True)
    trail_percent: Decimal | None = _number(nullable=True)
    submitted_at: datetime | None = _time(nullable=True)
    created_at: datetime = _time()


class SnapshotForeignRow(SQLModel, table=True):
    """A position, open order or fill at one sync that ``trader`` does not trade (crypto,
    options, multi-leg or IPO orders, shorts), kept as the broker's JSON."""

    __tablename__ = "snapshot_foreign"
    __table_args__ = (CheckConstraint(_one_of("kind", FOREIGN_KINDS), name="kind"),)

    id: int | None = Field(default=None, primary_key=True)
    snapshot_id: int = Field(sa_column=_parent("sync_snapshot.id"))
    kind: str
    symbol: str
    asset_class: str
    reason: str
    raw_json: str


class FillRow(SQLModel, table=True):
    """One FILL activity, stored once per account whatever the number of syncs that saw it."""

    __tablename__ = "fill"
    __table_args__ = (
        UniqueConstraint("account_id", "activity_id"),
        CheckConstraint(_one_of("side", SIDES), name="side"),
        Index(None, "account_id", "transaction_time"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_parent("account.id", index=False))
    # The sync that first recorded it; kept if that snapshot is ever pruned.
    snapshot_id: int | None = Field(
        default=None, foreign_key="sync_snapshot.id", ondelete="SET NULL", index=True
    )
    activity_id: str
    order_id: str
    symbol: str
    side: str
    qty: Decimal = _qty()
    price: Decimal = _price()
    transaction_time: datetime = _time()
    fill_type: str
    cum_qty: Decimal = _qty()
    leaves_qty: Decimal = _qty()


class CorporateActionRow(SQLModel, table=True):
    """One corporate-action activity (SPLIT, DIV, SPIN, MA, NC, ...), stored once per
    account; the lots replay the splits among the fills."""

    __tablename__ = "corporate_action"
    __table_args__ = (
        UniqueConstraint("account_id", "activity_id"),
        Index(None, "account_id", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_parent("account.id", index=False))
    activity_id: str
    kind: str
    sub_type: str
    symbol: str
    day: date = Field(sa_type=Date(), nullable=False)
    qty: Decimal | None = _qty(nullable=True)
    price: Decimal | None = _price(nullable=True)
    net_amount: Decimal | None = _money(nullable=True)
    group_id: str
    description: str
    raw_json: str = Field(sa_type=Text(), nullable=False)


class EventRow(SQLModel, table=True):
    """One line of the event log: a command run or a broker call, and how it ended."""

    __tablename__ = "event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime(), nullable=False, index=True)
    command: str
    kind: str
    outcome: str
    detail: str = Field(default="{}", sa_type=Text())


class PlanRow(SQLModel, table=True):
    """A plan made by ``trader plan``; only the newest plan of an account stays ``staged``.

    ``payload`` is the plan as its JSON report has it (allocation, skipped orders,
    warnings); the orders themselves are rows of ``plan_order``. ``account_id`` is
    empty for the hand-kept ``manual`` account, which has no broker account.
    """

    __tablename__ = "plan"
    __table_args__ = (
        UniqueConstraint("uid"),
        Index(None, "mode", "status"),
        CheckConstraint(_one_of("mode", MODES), name="mode"),
        CheckConstraint(_one_of("status", PLAN_STATUSES), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str
    account_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    snapshot_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("sync_snapshot.id", ondelete="SET NULL"), nullable=True
        ),
    )
    mode: str
    status: str
    created_at: datetime = _time()
    method: str
    input_hash: str
    equity: Decimal = _money()
    investable: Decimal = _money()
    cash: Decimal = _money()
    cash_after: Decimal = _money()
    payload: str = Field(default="{}", sa_type=Text())
    basis: str = Field(default="{}", sa_type=Text())


class PlanOrderRow(SQLModel, table=True):
    """One order of a plan, with the client order id it will be sent under."""

    __tablename__ = "plan_order"
    __table_args__ = (
        UniqueConstraint("client_order_id"),
        UniqueConstraint("plan_id", "seq"),
        CheckConstraint(_one_of("side", SIDES), name="side"),
        CheckConstraint(_one_of("status", ORDER_STATUSES), name="status"),
        CheckConstraint(_one_of("kind", ORDER_KINDS), name="kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_parent("plan.id", index=False))
    seq: int
    client_order_id: str
    symbol: str
    side: str
    qty: Decimal = _qty()
    notional: Decimal | None = _money(nullable=True)
    est_price: Decimal = _price()
    est_value: Decimal = _money()
    est_realized_pl: Decimal | None = _money(nullable=True)
    category: str
    reason: str = Field(sa_type=Text())
    status: str
    sent_qty: Decimal | None = _qty(nullable=True)
    broker_order_id: str | None = None
    filled_qty: Decimal = _qty()
    filled_avg_price: Decimal | None = _price(nullable=True)
    message: str | None = Field(default=None, sa_type=Text(), nullable=True)
    submitted_at: datetime | None = _time(nullable=True)
    updated_at: datetime | None = _time(nullable=True)
    # Why the order exists (rebalance, harvest, trailing_stop) and its tax estimate: the
    # short- and long-term parts of est_realized_pl and the loss a wash sale disallows.
    kind: str = Field(default="rebalance", sa_column_kwargs={"server_default": "rebalance"})
    est_short_term: Decimal | None = _money(nullable=True)
    est_long_term: Decimal | None = _money(nullable=True)
    est_washed: Decimal | None = _money(nullable=True)


class ExecutionRow(SQLModel, table=True):
    """One run of ``trader execute --confirm`` on a plan: refused, interrupted or completed."""

    __tablename__ = "execution"
    __table_args__ = (CheckConstraint(_one_of("status", EXECUTION_STATUSES), name="status"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_parent("plan.id"))
    started_at: datetime = _time()
    finished_at: datetime | None = _time(nullable=True)
    status: str
    detail: str = Field(default="{}", sa_type=Text())


class PricePeakRow(SQLModel, table=True):
    """A holding's highest daily close since ``since`` (its oldest open lot), up to ``through``.

    The trailing stop's memory: the next plan reads only the bars after ``through``.
    """

    __tablename__ = "price_peak"
    __table_args__ = (UniqueConstraint("account_id", "symbol"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_parent("account.id", index=False))
    symbol: str
    since: date = Field(sa_type=Date(), nullable=False)
    through: date = Field(sa_type=Date(), nullable=False)
    peak: Decimal = _price()


class ScoreRow(SQLModel, table=True):
    """A symbol's built-in score as of a market date (the cache ``trader scores`` fills)."""

    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("symbol", "as_of"),)

    id: int | None = Field(default=None, primary_key=True)
    symbol: str
    as_of: date = Field(sa_type=Date(), nullable=False)
    score: Decimal = _number()


class DailyCloseRow(SQLModel, table=True):
    """A symbol's adjusted daily close from the data API (the cache ``trader backtest`` fills)."""

    __tablename__ = "daily_close"
    __table_args__ = (UniqueConstraint("symbol", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    symbol: str
    day: date = Field(sa_type=Date(), nullable=False)
    close: Decimal = _price()


class DailyCloseSpanRow(SQLModel, table=True):
    """The days already asked of the data API for a symbol, bars or not: a second backtest
    over them reads only the cache (a fund that starts later has no bars to store)."""

    __tablename__ = "daily_close_span"
    __table_args__ = (UniqueConstraint("symbol"),)

    id: int | None = Field(default=None, primary_key=True)
    symbol: str
    first_day: date = Field(sa_type=Date(), nullable=False)
    last_day: date = Field(sa_type=Date(), nullable=False)
    # The day its closes were first read: they are adjusted for the splits and dividends
    # up to then, and stale once another one comes (see ``price_history.cached_bars``).
    read_on: date = Field(sa_type=Date(), nullable=False)


class AssetCacheRow(SQLModel, table=True):
    """What the broker said of a symbol on one trading day: its attributes, or that it does
    not know it (``known`` false). Read again on the next trading day."""

    __tablename__ = "asset_cache"
    __table_args__ = (UniqueConstraint("symbol"),)

    id: int | None = Field(default=None, primary_key=True)
    symbol: str
    known: bool
    name: str
    exchange: str
    tradable: bool
    fractionable: bool
    status: str
    asset_id: str
    read_on: date = Field(sa_type=Date(), nullable=False)


class ApprovalRow(SQLModel, table=True):
    """The one-time token of a plan alert's buttons, as a SHA-256 hash: the token itself
    lives only in the Telegram message. It dies at ``expires_at`` (the plan's TTL) or
    when a tap uses it."""

    __tablename__ = "approval"
    __table_args__ = (
        UniqueConstraint("token_hash"),
        CheckConstraint(_one_of("state", APPROVAL_STATES), name="state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_parent("plan.id"))
    token_hash: str
    state: str
    created_at: datetime = _time()
    expires_at: datetime = _time()
    # The Telegram update that claimed it, and (live accounts) the prompt for the digits.
    update_id: int | None = None
    chat_id: int | None = None
    prompt_message_id: int | None = None
    used_at: datetime | None = _time(nullable=True)
    outcome: str | None = None


class TelegramOffsetRow(SQLModel, table=True):
    """The newest Telegram update the bot has handled: the next poll acknowledges it."""

    __tablename__ = "telegram_offset"
    __table_args__ = (UniqueConstraint("bot_id"),)

    id: int | None = Field(default=None, primary_key=True)
    bot_id: str
    update_id: int
    updated_at: datetime = _time()


class PauseRow(SQLModel, table=True):
    """An account mode paused (``/pause``): ``trader run`` neither stages nor sends."""

    __tablename__ = "pause"
    __table_args__ = (
        UniqueConstraint("mode"),
        CheckConstraint(_one_of("mode", MODES), name="mode"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mode: str
    paused_at: datetime = _time()
    paused_by: str


class WithdrawalRow(SQLModel, table=True):
    """Cash a plan raised to be transferred out (``--withdraw``).

    ``set_aside`` while it is kept in cash beside the reserve; ``left`` once transfers
    out of the account (or the cash dropping below it) took it away; ``cancelled`` by
    ``trader plan --cancel-withdrawal``. ``amount`` is what is still set aside: a
    transfer out of part of it lowers it; ``counted`` the ids of the transfer
    activities already taken off (JSON), ``raised_on`` the market date from which
    transfers count.
    """

    __tablename__ = "withdrawal"
    __table_args__ = (
        Index(None, "account_id", "state"),
        CheckConstraint(_one_of("state", WITHDRAWAL_STATES), name="state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_parent("account.id", index=False))
    plan_uid: str
    raised: Decimal = _money()
    amount: Decimal = _money()
    raised_at: datetime = _time()
    raised_on: date
    counted: str = Field(default="[]", sa_type=Text())
    state: str
    closed_at: datetime | None = _time(nullable=True)
    note: str | None = Field(default=None, sa_type=Text(), nullable=True)


ALL_TABLES = (
    "account",
    "sync_snapshot",
    "snapshot_position",
    "snapshot_order",
    "snapshot_foreign",
    "fill",
    "corporate_action",
    "event",
    "plan",
    "plan_order",
    "execution",
    "price_peak",
    "score",
    "daily_close",
    "daily_close_span",
    "asset_cache",
    "approval",
    "telegram_offset",
    "pause",
    "withdrawal",
)
