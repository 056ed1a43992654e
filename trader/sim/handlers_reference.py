"""Trading API handlers for what surrounds the orders: assets, clock, calendar and FILL activities.

Activities page the way Alpaca's do: ``page_size`` items at most (100), newest
first unless ``direction=asc``, and ``page_token`` is the id of the last item the
client has seen. An unknown token (say, from before a reset) is read as a cursor:
activity ids begin with their timestamp, so they compare in time order.
"""

from __future__ import annotations

from datetime import date, timedelta

from trader.sim import serialize
from trader.sim import trading_calendar as cal
from trader.sim.app import SimApp
from trader.sim.assets import ASSETS, find_asset
from trader.sim.errors import CODE_BAD_REQUEST, ApiError, not_found
from trader.sim.routing import Request, Response, Router
from trader.sim.state import FillActivity

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


def _matches(activity: FillActivity, request: Request) -> bool:
    after, until = request.instant("after"), request.instant("until")
    on = request.text("date")
    when = activity.transaction_time
    if on is not None:
        return cal.local(when).date().isoformat() == on[:10]
    return (after is None or when > after) and (until is None or when < until)


def _page(activities: list[FillActivity], request: Request) -> list[FillActivity]:
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


def fill_activities(app: SimApp, request: Request) -> Response:
    with app.reading() as state:
        page = _page(list(state.activities), request)
        return Response(body=[serialize.activity(a) for a in page])


def activities(app: SimApp, request: Request) -> Response:
    wanted = {t.strip().upper() for t in (request.text("activity_types") or "FILL").split(",")}
    if "FILL" not in wanted:
        return Response(body=[])
    return fill_activities(app, request)


def other_activities(app: SimApp, request: Request) -> Response:
    # The sim books no dividends, fees or transfers: every other type is an empty list.
    return Response(body=[])


def register(router: Router) -> None:
    router.add("GET", "/v2/assets", list_assets)
    router.add("GET", "/v2/assets/([^/]+)", get_asset)
    router.add("GET", "/v2/clock", get_clock)
    router.add("GET", "/v2/calendar", get_calendar)
    router.add("GET", "/v2/account/activities", activities)
    router.add("GET", "/v2/account/activities/FILL", fill_activities)
    router.add("GET", "/v2/account/activities/([A-Z_]+)", other_activities)
