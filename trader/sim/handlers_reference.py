"""Trading API handlers for what surrounds the orders: assets, clock, calendar and activities.

Activities page the way Alpaca's do: ``page_size`` items at most (100), newest
first unless ``direction=asc``, and ``page_token`` is the id of the last item the
client has seen. An unknown token (say, from before a reset) is read as a cursor:
activity ids begin with their timestamp, so they compare in time order. The sim
books FILLs and, for corporate actions, SPLIT and DIV activities; ``activity_types``
or ``category`` choose among them (every other type is an empty list). ``after``,
``until`` and ``date`` compare a fill's transaction time and a non-trade activity's
creation time.
"""

from __future__ import annotations

from datetime import date, timedelta

from trader.sim import serialize
from trader.sim import trading_calendar as cal
from trader.sim.app import SimApp
from trader.sim.assets import ASSETS, find_asset
from trader.sim.errors import CODE_BAD_REQUEST, ApiError, not_found
from trader.sim.routing import Request, Response, Router
from trader.sim.state import FillActivity, NonTradeActivity

Activity = FillActivity | NonTradeActivity

MAX_PAGE_SIZE = 100
CALENDAR_DEFAULT_SPAN = timedelta(days=365)


def list_assets(app: SimApp, request: Request) -> Response:
    status = (request.text("status") or "").lower()
    asset_class = (request.text("asset_class") or "us_equity").lower()
    exchange = (request.text("exchange") or "").upper()
    if asset_class != "us_equity":
        return Response(body=[])
    chosen = [
        serialize.asset(info)
        for info in ASSETS.values()
        if (not status or info.status == status) and (not exchange or info.exchange == exchange)
    ]
    return Response(body=chosen)


def get_asset(app: SimApp, request: Request) -> Response:
    info = find_asset(request.groups[0])
    if info is None:
        raise not_found(f"asset not found for {request.groups[0]}")
    return Response(body=serialize.asset(info))


def get_clock(app: SimApp, request: Request) -> Response:
    with app.reading() as state:
        return Response(body=serialize.clock(state.now))


def _day(request: Request, name: str, default: date) -> date:
    value = request.text(name)
    if value is None:
        return default
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ApiError(400, f"invalid {name}: {value}", CODE_BAD_REQUEST) from None


def get_calendar(app: SimApp, request: Request) -> Response:
    with app.reading() as state:
        today = cal.local(state.now).date()
    start = max(_day(request, "start", today - CALENDAR_DEFAULT_SPAN), date(cal.FIRST_YEAR, 1, 1))
    end = min(_day(request, "end", today + CALENDAR_DEFAULT_SPAN), date(cal.LAST_YEAR, 12, 31))
    return Response(body=[serialize.calendar_day(s) for s in cal.sessions_between(start, end)])


def _when(activity: Activity):  # type: ignore[no-untyped-def]
    return activity.transaction_time if isinstance(activity, FillActivity) else activity.created_at


def _matches(activity: Activity, request: Request) -> bool:
    after, until = request.instant("after"), request.instant("until")
    on = request.text("date")
    when = _when(activity)
    if on is not None:
        return cal.local(when).date().isoformat() == on[:10]
    return (after is None or when > after) and (until is None or when < until)


def _page(activities: list[Activity], request: Request) -> list[Activity]:
    direction = request.choice("direction", "desc", ("asc", "desc"))
    size = request.integer("page_size", MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    chosen = [a for a in activities if _matches(a, request)]
    if direction == "desc":
        chosen.reverse()
    token = request.text("page_token")
    if token is not None:
        ids = [a.id for a in chosen]
        if token in ids:
            chosen = chosen[ids.index(token) + 1 :]
        elif direction == "asc":
            chosen = [a for a in chosen if a.id > token]
        else:
            chosen = [a for a in chosen if a.id < token]
    return chosen[:size]


def _serialized(activity: Activity) -> dict:
    if isinstance(activity, FillActivity):
        return serialize.activity(activity)
    return serialize.non_trade_activity(activity)


def _answer(app: SimApp, request: Request, types: set[str] | None) -> Response:
    """The activities of ``types`` (all of them when None), paged."""
    with app.reading() as state:
        chosen: list[Activity] = []
        if types is None or "FILL" in types:
            chosen.extend(state.activities)
        chosen.extend(a for a in state.non_trade if types is None or a.activity_type in types)
        chosen.sort(key=_when)  # stable: fills of one instant keep the order they were booked
        return Response(body=[_serialized(a) for a in _page(chosen, request)])


def fill_activities(app: SimApp, request: Request) -> Response:
    return _answer(app, request, {"FILL"})


def activities(app: SimApp, request: Request) -> Response:
    listed, category = request.text("activity_types"), request.text("category")
    if listed and category:
        raise ApiError(422, "category cannot be used with activity_types", CODE_BAD_REQUEST)
    if category is not None:
        kind = request.choice("category", "", ("trade_activity", "non_trade_activity"))
        if kind == "trade_activity":
            return _answer(app, request, {"FILL"})
        with app.reading() as state:
            others = {a.activity_type for a in state.non_trade}
        return _answer(app, request, others)
    if not listed:
        return _answer(app, request, None)
    return _answer(app, request, {t.strip().upper() for t in listed.split(",") if t.strip()})


def other_activities(app: SimApp, request: Request) -> Response:
    # Of the other types the sim books SPLIT and DIV; the rest are empty lists.
    return _answer(app, request, {request.groups[0].upper()})


def register(router: Router) -> None:
    router.add("GET", "/v2/assets", list_assets)
    router.add("GET", "/v2/assets/([^/]+)", get_asset)
    router.add("GET", "/v2/clock", get_clock)
    router.add("GET", "/v2/calendar", get_calendar)
    router.add("GET", "/v2/account/activities", activities)
    router.add("GET", "/v2/account/activities/FILL", fill_activities)
    router.add("GET", "/v2/account/activities/([A-Z_]+)", other_activities)
