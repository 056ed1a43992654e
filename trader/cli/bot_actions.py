"""What ``trader bot`` does with each update: the commands and the plan buttons.

Only chats listed in ``TELEGRAM_CHAT_ID`` get an answer. Anything from another chat
is logged as a refused event and otherwise ignored: no reply, no answer to a tap.

The commands are the CLI's own use cases: ``/plan`` is ``trader plan``, Approve is
``trader execute --confirm --plan ID`` through the same function with every check,
``/status`` reads the account as ``trader status`` does. Nothing here decides about
money; it parses a tap, claims its one-time token, calls the use case, and says
what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from trader.app.execute import run_execute
from trader.app.plan import run_plan
from trader.app.run import look
from trader.broker.connect import open_broker
from trader.cli.alert_views import execution_alert
from trader.cli.alerting import approval_refused, send_plan_alert
from trader.cli.context import AppContext
from trader.core.domain import AccountMode
from trader.core.engine import Plan
from trader.core.engine.allocation import Allocation, measure
from trader.core.money import dollars
from trader.core.policy import Holding, Portfolio
from trader.core.schedule import market_time, next_check
from trader.core.statuses import PlanStatus
from trader.errors import ExecutionRefused, TelegramError, TemporaryBrokerError, TraderError
from trader.planning.inputs import manual_portfolio, policy_from_settings
from trader.planning.schedule_inputs import describe, schedule_entries
from trader.store import Store
from trader.store.bot import Claim
from trader.telegram import messages
from trader.telegram.api import Incoming, TelegramApi

COMMAND = "bot"


@dataclass
class BotActions:
    context: AppContext
    api: TelegramApi
    store: Store
    chats: frozenset[int]
    live: bool = False

    @property
    def mode(self) -> AccountMode:
        return AccountMode(self.context.settings.account)

    def handle(self, update: Incoming) -> None:
        if update.chat_id not in self.chats:
            self.store.log_event(
                COMMAND,
                "telegram",
                "refused",
                {
                    "reason": "chat not in TELEGRAM_CHAT_ID",
                    "update_id": update.update_id,
                    "chat_id": update.chat_id,
                    "user_id": update.user_id,
                    "kind": update.kind,
                },
            )
            return
        if update.kind == "tap":
            self._tap(update)
        elif update.kind == "message":
            self._message(update)

    # -- messages --------------------------------------------------------------------------
    def _message(self, update: Incoming) -> None:
        assert update.chat_id is not None
        chat = update.chat_id
        if update.reply_to is not None:
            found = self.store.claim_confirmation(chat, update.reply_to, update_id=update.update_id)
            if found is not None:
                self._digits(update, *found)
                return
        word = update.text.strip().split(maxsplit=1)[0].lower() if update.text.strip() else ""
        word = word.split("@", 1)[0]
        self.store.log_event(COMMAND, "telegram", "command", {"command": word, "chat_id": chat})
        try:
            if word == "/status":
                self.api.send(chat, self._status())
            elif word == "/plan":
                self._plan(chat)
            elif word == "/pause":
                pause = self.store.pause(self.mode, f"from Telegram chat {chat}")
                self.api.send(
                    chat,
                    f"Paused since {market_time(pause.paused_at)}: trader run neither stages "
                    f"nor sends until /resume. The buttons of a plan already sent still work.",
                )
            elif word == "/resume":
                lifted = self.store.resume(self.mode)
                self.api.send(
                    chat,
                    "Resumed: trader run checks, stages and sends again."
                    if lifted
                    else "Not paused: nothing to resume.",
                )
            else:
                self.api.send(chat, messages.help_text())
        except TelegramError:
            raise  # Telegram itself failed: the poller waits, the update comes again
        except TraderError as exc:  # the account, the broker or the config said no: say why
            self.api.send(chat, f"{word} failed: {exc}")

    def _status(self) -> str:
        settings = self.context.settings
        mode = self.mode
        policy = policy_from_settings(settings)
        lines = [f"Account: {settings.account}, method {settings.rebalancing.method}"]
        if mode is AccountMode.MANUAL:
            portfolio = manual_portfolio(settings)
            day = None
        else:
            today = look(self.context, live=self.live, sync=True)
            day = today
            key = self.store.latest_account(mode)
            snapshot = self.store.latest_snapshot(key) if key is not None else None
            assert snapshot is not None  # look() has just synced it
            portfolio = Portfolio(
                cash=snapshot.account.cash,
                holdings=tuple(
                    Holding(p.symbol, p.qty, p.current_price, p.avg_entry_price)
                    for p in snapshot.positions
                    if p.qty > 0 and p.current_price > 0
                ),
            )
        allocation = measure(policy, portfolio)
        lines.append(
            f"Equity {dollars(allocation.equity)}, cash {dollars(portfolio.cash)}, "
            f"investable {dollars(allocation.investable)}"
        )
        lines += messages.allocation_lines(allocation)
        if settings.rebalancing.method == "threshold":
            lines.append("Checks: the bands, on every trader run (trading days).")
        elif day is not None:
            entries = schedule_entries(settings)
            upcoming = next_check(entries, day.day, day.trading, day.last_check)
            lines.append(f"Schedule: {describe(entries)}; next check {upcoming or 'none soon'}.")
        lines.append(messages.plan_state(self.store.latest_plan(mode)))
        pause = self.store.paused(mode)
        if pause is not None:
            lines.append(f"Paused since {market_time(pause.paused_at)} ({pause.paused_by}).")
        return "\n".join(lines)

    def _plan(self, chat: int) -> None:
        outcome = run_plan(self.context, sync=True, live=self.live, command=COMMAND)
        if outcome.staged is None:
            plan = outcome.plan
            self.api.send(
                chat,
                "\n".join(
                    [
                        f"Nothing to send: {'no order passes the rules' if plan.due else 'no rebalance is due'}.",
                        *messages.allocation_lines(_allocation(plan)),
                    ]
                ),
            )
            return
        send_plan_alert(
            self.context,
            COMMAND,
            outcome,
            enabled=True,
            buttons=True,
            chats=(chat,),
        )

    # -- buttons ---------------------------------------------------------------------------
    def _tap(self, update: Incoming) -> None:
        assert update.chat_id is not None and update.callback_id is not None
        tap = messages.parse_tap(update.text)
        if tap is None:
            self.api.answer(update.callback_id, "This button is not one of trader's.")
            return
        detail = {"plan_id": tap.plan_uid, "action": tap.action, "chat_id": update.chat_id}
        if tap.action == messages.DETAILS:
            self._details(update, tap)
            return
        if tap.action == messages.APPROVE:
            why_not = approval_refused(self.context, self.mode)
            if why_not is not None:
                self.store.log_event(COMMAND, "approval", "refused", {**detail, "why": why_not})
                self.api.answer(update.callback_id, why_not[:190])
                return
        claim = self.store.claim_approval(
            tap.plan_uid,
            tap.token,
            update_id=update.update_id,
            chat_id=update.chat_id,
            final=tap.action == messages.REJECT,
        )
        self.store.log_event(COMMAND, "approval", claim.value, detail)
        if claim is Claim.UNKNOWN:
            self.api.answer(update.callback_id, "Unknown button: nothing done.")
            return
        if claim is Claim.USED:
            self.api.answer(update.callback_id, "Already used: each button works once.")
            return
        if claim is Claim.DONE:  # this tap was handled before a restart: say how it ended
            self.api.answer(update.callback_id, "Already handled.")
            self._settled(update, tap.plan_uid)
            return
        if claim is Claim.EXPIRED:
            self.api.answer(update.callback_id, "Expired: nothing done.")
            self._edit(
                update,
                f"{update.message_text}\n\nExpired: the buttons worked for plan_ttl_minutes "
                f"only; nothing was sent. Send /plan for a new plan.",
            )
            return
        if tap.action == messages.REJECT:
            self._reject(update, tap)
        elif self.mode is AccountMode.LIVE:
            self._ask_digits(update, tap)
        else:
            self.api.answer(update.callback_id, "Approved: sending…")
            self._approve(update.chat_id, update.message_id, update.message_text, tap.plan_uid)

    def _settled(self, update: Incoming, plan_uid: str) -> None:
        plan = self.store.staged_plan(self.mode, plan_uid)
        if plan is None:
            return
        if plan.status == PlanStatus.EXECUTED:
            title, body = execution_alert(plan, "recorded", [])
            self._edit(update, f"{update.message_text}\n\n{title}\n{body}")
        elif plan.status == PlanStatus.REJECTED:
            self._edit(
                update,
                f"{update.message_text}\n\nRejected: plan {plan_uid[:8]} will never be sent.",
            )

    def _details(self, update: Incoming, tap: messages.Tap) -> None:
        assert update.callback_id is not None and update.chat_id is not None
        plan = self.store.staged_plan(self.mode, tap.plan_uid)
        if plan is None or not self.store.approval_known(tap.plan_uid, tap.token):
            self.api.answer(update.callback_id, "Unknown button: nothing done.")
            return
        self.api.answer(update.callback_id)
        self.api.send(update.chat_id, messages.review_text(plan))

    def _reject(self, update: Incoming, tap: messages.Tap) -> None:
        assert update.callback_id is not None
        status = self.store.reject_plan(tap.plan_uid)
        self.store.log_event(COMMAND, "command", status, {"plan_id": tap.plan_uid})
        if status == PlanStatus.REJECTED:
            self.api.answer(update.callback_id, "Rejected.")
            said = f"Rejected: plan {tap.plan_uid[:8]} will never be sent."
        else:
            self.api.answer(update.callback_id, f"Plan is {status}: nothing to reject.")
            said = f"Not rejected: plan {tap.plan_uid[:8]} is {status}."
        self._edit(update, f"{update.message_text}\n\n{said}")

    def _ask_digits(self, update: Incoming, tap: messages.Tap) -> None:
        assert update.callback_id is not None and update.chat_id is not None
        self.api.answer(update.callback_id, "Real money: the account number is asked.")
        plan = self.store.staged_plan(self.mode, tap.plan_uid)
        count = len(plan.orders) if plan else 0
        prompt = self.api.send(
            update.chat_id,
            f"Real money. Reply to this message with the last four digits of the account "
            f"number to send the {count} order(s) of plan {tap.plan_uid[:8]}.",
            ask_reply=True,
        )
        self.store.await_digits(tap.plan_uid, tap.token, prompt)
        self._edit(update, f"{update.message_text}\n\nApproved: waiting for the account number.")

    def _digits(self, update: Incoming, plan_uid: str, claim: Claim) -> None:
        assert update.chat_id is not None
        detail = {"plan_id": plan_uid, "chat_id": update.chat_id}
        self.store.log_event(COMMAND, "live_confirmation", claim.value, detail)
        if claim is Claim.USED:
            self.api.send(update.chat_id, "That confirmation was used already: nothing done.")
            return
        if claim is Claim.EXPIRED:
            self.api.send(update.chat_id, "Too late: the plan expired. Nothing was sent.")
            return
        with open_broker(self.context.settings, self.context.home, live_flag=self.live) as opened:
            number = opened.broker.account().account_number
        if update.text.strip() != number[-4:]:
            self.store.finish_approval(plan_uid, None, "wrong digits")
            self.store.log_event(COMMAND, "live_confirmation", "refused", detail)
            self.api.send(
                update.chat_id,
                f"Those are not the account number's last four digits: nothing was sent. "
                f"Plan {plan_uid[:8]} stays staged; trader execute --confirm --live sends it.",
            )
            return
        self._approve(update.chat_id, None, "", plan_uid)

    def _approve(self, chat: int, message_id: int | None, shown: str, plan_uid: str) -> None:
        """Run ``trader execute --confirm --plan ID``, and show how it ended."""
        head = f"{shown}\n\n" if shown else ""
        plan = self.store.staged_plan(self.mode, plan_uid)
        if plan is not None and plan.status == PlanStatus.EXECUTED:
            # Sent already (the bot stopped before it could say so): show how it ended.
            title, body = execution_alert(plan, "recorded", [])
            self._say(chat, message_id, f"{head}{title}\n{body}")
            self.store.finish_approval(plan_uid, None, "executed")
            return
        if message_id is not None:
            self.api.edit(chat, message_id, f"{head}Approved: sending the orders…")
        buttons: list = []
        try:
            result = run_execute(self.context, plan_id=plan_uid, live=self.live, command=COMMAND)
        except ExecutionRefused as exc:
            outcome, said = "refused", f"Refused: {exc}"
        except TemporaryBrokerError as exc:
            outcome, said = "interrupted", f"Stopped: {exc}"
            buttons = self._fresh_buttons(plan_uid)
            if buttons:
                said += "\nApprove again to finish it (the orders sent are recorded)."
        except TraderError as exc:
            outcome, said = "failed", f"Failed: {exc}"
        else:
            outcome = result.payload["status"]
            title, body = execution_alert(result.outcome.plan, outcome, result.outcome.notes)
            said = f"{title}\n{body}"
            if result.outcome.still_open:
                said += "\nOrders are still open: trader orders shows them, trader sync records their fills."
        self.store.finish_approval(plan_uid, None, outcome)
        self._say(chat, message_id, f"{head}{said}", buttons)

    def _fresh_buttons(self, plan_uid: str) -> list:
        plan = self.store.staged_plan(self.mode, plan_uid)
        if plan is None:
            return []
        expires_at = plan.created_at + timedelta(
            minutes=self.context.settings.execution.plan_ttl_minutes
        )
        token = self.store.issue_approval(plan_uid, expires_at)
        return messages.plan_buttons(plan_uid, token, approvable=True)

    def _say(
        self, chat: int, message_id: int | None, text: str, buttons: list | None = None
    ) -> None:
        if message_id is None:
            self.api.send(chat, text, buttons or ())
        else:
            self.api.edit(chat, message_id, text, buttons or ())

    def _edit(self, update: Incoming, text: str) -> None:
        assert update.chat_id is not None
        self._say(update.chat_id, update.message_id, text)


def _allocation(plan: Plan) -> Allocation:
    return Allocation(plan.equity, plan.investable, plan.allocation, ())
