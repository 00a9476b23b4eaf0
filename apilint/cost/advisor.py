"""Migration advisor: which routes of a REST API could move to an HTTP API on their own, and what
running the two side by side would cost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from apilint.cost.blockers import Blocker
from apilint.cost.metering import Workload, workload
from apilint.cost.prices import PriceBook
from apilint.cost.pricing import EstimateOptions, Priced, price_quantities
from apilint.cost.usage import ApiUsage, RouteUsage, WebSocketUsage
from apilint.model import ApiType


@dataclass(frozen=True)
class RouteSplit:
    """Routes that can move (no blockers) and those that stay, priced all-REST and split."""

    movable: tuple[RouteUsage, ...]
    staying: tuple[tuple[RouteUsage, tuple[Blocker, ...]], ...]
    rest_only: Priced
    split: Priced

    @property
    def savings_usd(self) -> Decimal | None:
        """What the split saves each month against keeping every route on REST (None: not priced)."""
        if self.rest_only.total is None or self.split.total is None:
            return None
        return self.rest_only.total - self.split.total


def split_routes(
    routes: Sequence[RouteUsage],
    blockers_by_route: Mapping[str, Sequence[Blocker]],
    book: PriceBook,
    options: EstimateOptions,
    template: ApiUsage | None = None,
) -> RouteSplit:
    """Price moving every unblocked route to an HTTP API while the rest stay on REST.

    A route missing from ``blockers_by_route`` has no blockers. ``template`` carries the REST API's
    endpoint type, cache and VPC endpoint, which stay with the REST part while it keeps any route.
    Both parts are priced together, as one account shares data-transfer tiers.
    """
    base = replace(
        template or ApiUsage(name="API"), current_type=ApiType.REST, websocket=WebSocketUsage(), by_route=True
    )
    movable = tuple(route for route in routes if not blockers_by_route.get(route.route))
    staying = tuple(
        (route, tuple(blockers_by_route[route.route]))
        for route in routes
        if blockers_by_route.get(route.route)
    )
    hours = options.hours_per_month
    rest_only = workload(replace(base, routes=tuple(routes)), ApiType.REST, book.rules, hours)
    rest_part = (
        workload(replace(base, routes=tuple(r for r, _ in staying)), ApiType.REST, book.rules, hours)
        if staying
        else Workload()
    )
    http_part = (
        workload(replace(base, routes=movable), ApiType.HTTP, book.rules, hours) if movable else Workload()
    )
    return RouteSplit(
        movable=movable,
        staying=staying,
        rest_only=price_quantities(book, rest_only.at(), options),
        split=price_quantities(book, (rest_part + http_part).at(), options),
    )
