"""One error tree for the whole project.

Every failure a user can meet is one of these, and the CLI boundary turns each kind
into a single readable line and its own exit code. Anything that is not a
``TraderError`` is a bug and is allowed to show its traceback.

    TraderError
    ├── ConfigError            the user can fix it in the config or the environment   (exit 2)
    │   └── MissingCredentials  APCA_API_KEY_ID / APCA_API_SECRET_KEY not set          (exit 2)
    ├── BrokerError            the broker said something we cannot use               (exit 4)
    │   ├── TemporaryBrokerError   worth retrying: timeouts, 429, 5xx                 (exit 5)
    │   │   ├── BrokerTimeout      no answer in time; the request may still arrive    (exit 5)
    │   │   └── BrokerUnreachable  no connection at all                               (exit 3)
    │   ├── AuthenticationError    the broker refused the keys                        (exit 6)
    │   ├── NotFound               no such order / position / asset                   (exit 4)
    │   ├── MalformedResponse      the answer did not parse; nothing was stored        (exit 7)
    │   └── OrderRejected          an order refused, with symbol, side, qty, message  (exit 8)
    ├── StorageError           the database cannot be opened or migrated             (exit 9)
    ├── Interrupted            Ctrl-C: says what was sent and how to resume          (exit 130)
    ├── TelegramError          the Telegram Bot API refused the token, a chat or a request (exit 23)
    │   ├── TelegramUnreachable no answer from Telegram after the retries              (exit 24)
    │   └── BotLocked           another ``trader bot`` runs on the same account        (exit 25)
    └── ExecutionRefused       ``trader execute`` refused to send, with the reason   (exit 10)
        ├── StalePlan           the account changed since the plan was made           (exit 10)
        ├── PlanExpired         the plan is older than plan_ttl_minutes               (exit 11)
        ├── PriceMoved          a price moved more than max_price_move_pct            (exit 12)
        ├── MarketClosed        the market is closed and --allow-queued not given     (exit 13)
        ├── AccountBlocked      the broker blocks trading on the account              (exit 14)
        ├── NothingToExecute    no staged plan, or it was already executed            (exit 15)
        ├── LimitExceeded       an order or the session is over the fat-finger limits (exit 16)
        ├── ExecutionLocked     another trader execute runs on the account            (exit 17)
        └── DepositNotArrived   the plan counted a deposit the account does not have yet (exit 22)

An execution that ran but left orders rejected exits 8 (``OrderRejected``'s code),
one that left orders open past the fill timeout exits 18, and one that sent orders
with ``--allow-queued`` while the market was closed (queued for the open) exits 19.
``trader run`` exits 20 when a plan waits for review and 21 when ``auto_execute`` sent one
and every order filled. The README's exit-code table lists them all; a test holds it, and
this tree, to the ``exit_code`` attributes below.
"""

from __future__ import annotations


class TraderError(Exception):
    """Base of every error a user may see. ``exit_code`` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(TraderError):
    """Bad configuration or environment: the user can fix it."""

    exit_code = 2


class MissingCredentials(ConfigError):
    """An account mode that talks to Alpaca was chosen without keys in the environment."""


class BrokerError(TraderError):
    """The broker answered with something we cannot use."""

    exit_code = 4

    def __init__(self, message: str, status: int | None = None, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class TemporaryBrokerError(BrokerError):
    """Retryable: a timeout, a rate limit or a server error. ``retry_at`` is the Unix time
    the broker said its rate-limit window resets (``X-RateLimit-Reset``), when it said so."""

    exit_code = 5

    def __init__(
        self,
        message: str,
        status: int | None = None,
        code: int | None = None,
        retry_at: float | None = None,
    ) -> None:
        super().__init__(message, status, code)
        self.retry_at = retry_at


class BrokerTimeout(TemporaryBrokerError):
    """The broker did not answer in time: the request may still be on its way."""


class BrokerUnreachable(TemporaryBrokerError):
    """The broker could not be reached at all."""

    exit_code = 3


class AuthenticationError(BrokerError):
    """The broker refused the API keys."""

    exit_code = 6


class NotFound(BrokerError):
    """No such order, position or asset."""


class MalformedResponse(BrokerError):
    """The broker's answer did not have the shape we expect."""

    exit_code = 7


class OrderRejected(BrokerError):
    """The broker refused an order; carries what was sent and the broker's message."""

    exit_code = 8

    def __init__(
        self,
        message: str,
        *,
        symbol: str | None = None,
        side: str | None = None,
        qty: str | None = None,
        status: int | None = None,
        code: int | None = None,
    ) -> None:
        detail = " ".join(x for x in (side, qty, symbol) if x)
        super().__init__(f"order {detail} rejected: {message}" if detail else message, status, code)
        self.broker_message = message
        self.symbol = symbol
        self.side = side
        self.qty = qty


class StorageError(TraderError):
    """The database cannot be opened, migrated or written."""

    exit_code = 9


class Interrupted(TraderError):
    """The user stopped a command (Ctrl-C); the message says what was done and how to go on."""

    exit_code = 130


class TelegramError(TraderError):
    """The Telegram Bot API refused the token, a chat or a request; the message never
    carries the token."""

    exit_code = 23


class TelegramUnreachable(TelegramError):
    """Telegram could not be reached, or kept answering 429 or 5xx, after the retries."""

    exit_code = 24


class BotLocked(TelegramError):
    """Another ``trader bot`` runs on the same account: two would both answer every tap."""

    exit_code = 25


class ExecutionRefused(TraderError):
    """``trader execute`` refused to send anything; the message says why."""

    exit_code = 10


class StalePlan(ExecutionRefused):
    """A staged plan no longer matches the account it was made for."""

    exit_code = 10


class PlanExpired(ExecutionRefused):
    exit_code = 11


class PriceMoved(ExecutionRefused):
    exit_code = 12


class MarketClosed(ExecutionRefused):
    exit_code = 13


class AccountBlocked(ExecutionRefused):
    exit_code = 14


class NothingToExecute(ExecutionRefused):
    exit_code = 15


class LimitExceeded(ExecutionRefused):
    exit_code = 16


class ExecutionLocked(ExecutionRefused):
    exit_code = 17


class DepositNotArrived(ExecutionRefused):
    """A plan made with ``--deposit`` waits until the cash is really in the account.

    Not a :class:`StalePlan` (exit 10): the account did not change behind the plan's back,
    the plan is waiting for a transfer, and the same plan can run once it arrives.
    """

    exit_code = 22


EXIT_ORDERS_OPEN = 18
EXIT_ORDERS_QUEUED = 19  # sent with --allow-queued while closed: they wait for the open
