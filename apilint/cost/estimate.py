"""The estimate: price each API as REST, HTTP and WebSocket, compare, and find break-even traffic.

Pure functions over a :class:`PriceBook` and typed usage. AWS counts tiers over the account's whole
monthly volume in a region, so the totals price all APIs' volumes together; each API's own figures
price it alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from apilint.cost.advisor import RouteSplit, split_routes
from apilint.cost.blockers import ApiBlockers, Blocker, blockers_of
from apilint.cost.breakeven import BREAK_EVEN_RANGE, BreakEven, Chart, cost_chart, find_break_even
from apilint.cost.metering import API_TYPES, Workload, describe, request_routes, workload
from apilint.cost.money import format_quantity, plain
from apilint.cost.prices import Meter, PriceBook
from apilint.cost.pricing import EstimateOptions, Priced, price_quantities
from apilint.cost.usage import ApiUsage
from apilint.model import ApiType, EndpointType

#: The traffic axis when APIs of several current types are priced together: multiples of today's traffic.
MULTIPLE_AXIS = "traffic (x today)"


@dataclass(frozen=True)
class TypeEstimate:
    """What the workload costs as one API type, and what blocks that type."""

    api_type: ApiType
    priced: Priced
    blocked_by: tuple[Blocker, ...] = ()

    @property
    def monthly_usd(self) -> Decimal | None:
        return self.priced.total

    @property
    def available(self) -> bool:
        return not self.blocked_by


@dataclass(frozen=True)
class Comparison:
    """The three types side by side, for one API or for all APIs together."""

    current_type: ApiType | None
    current_usd: Decimal | None
    estimates: tuple[TypeEstimate, ...]
    cheapest: ApiType | None
    savings_usd: Decimal | None
    axis: str
    base_traffic: Decimal
    break_even: tuple[BreakEven, ...] = ()
    chart: Chart | None = None

    def of(self, api_type: ApiType) -> TypeEstimate:
        return next(estimate for estimate in self.estimates if estimate.api_type is api_type)


def cheapest_type(estimates: Iterable[TypeEstimate], current: ApiType | None = None) -> ApiType | None:
    """The available, priced type with the lowest monthly cost.

    On a tie the current type stays (switching would save nothing), then REST, HTTP, WebSocket order.
    """
    candidates = [e for e in estimates if e.available and e.monthly_usd is not None]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda e: (e.monthly_usd, e.api_type is not current, API_TYPES.index(e.api_type)),
    ).api_type


def compare(
    book: PriceBook,
    workloads: Mapping[ApiType, Workload],
    current: Workload,
    current_type: ApiType | None,
    blocked_by: Mapping[ApiType, tuple[Blocker, ...]],
    options: EstimateOptions,
    axis: tuple[str, Decimal],
) -> Comparison:
    """Price each type's workload, pick the cheapest available one, and look for break-even traffic."""
    estimates = tuple(
        TypeEstimate(t, price_quantities(book, workloads[t].at(), options), blocked_by.get(t, ()))
        for t in API_TYPES
    )
    current_usd = price_quantities(book, current.at(), options).total
    cheapest = cheapest_type(estimates, current_type)
    cheapest_usd = next((e.monthly_usd for e in estimates if e.api_type is cheapest), None)
    savings = None if current_usd is None or cheapest_usd is None else current_usd - cheapest_usd
    label, base = axis
    break_even: tuple[BreakEven, ...] = ()
    chart = None
    if base > 0:
        break_even = find_break_even(book, workloads, options, base)
        chart = cost_chart(book, workloads, options, label, base, break_even)
    return Comparison(current_type, current_usd, estimates, cheapest, savings, label, base, break_even, chart)


@dataclass(frozen=True)
class ApiEstimate:
    """One API: the comparison of the three types, and the route split when routes are known."""

    name: str
    usage: ApiUsage
    comparison: Comparison
    route_split: RouteSplit | None = None


@dataclass(frozen=True)
class EstimateResult:
    """Everything the reporters show."""

    region: str
    location: str
    prices_as_of: str
    price_origin: str
    options: EstimateOptions
    assumptions: tuple[str, ...]
    total: Comparison
    apis: tuple[ApiEstimate, ...]
    #: The modelling choices behind every estimate (the same for every run with these options).
    general: tuple[str, ...] = ()

    @property
    def all_assumptions(self) -> tuple[str, ...]:
        return (*self.assumptions, *self.general)


def traffic_axis(apis: Sequence[ApiUsage]) -> tuple[str, Decimal]:
    """What the traffic axis counts (requests, messages or a multiple) and today's value on it."""
    kinds = {api.current_type is ApiType.WEBSOCKET for api in apis}
    if kinds == {False}:
        return "requests per month", sum((api.requests for api in apis), Decimal(0))
    if kinds == {True}:
        total = sum((_messages_today(api) for api in apis), Decimal(0))
        return "messages per month", total
    has_traffic = any(request_routes(api) or api.websocket.messages for api in apis)
    return MULTIPLE_AXIS, Decimal(1) if has_traffic else Decimal(0)


def _messages_today(api: ApiUsage) -> Decimal:
    if api.websocket.messages is not None:
        return api.websocket.messages
    return api.requests * api.projection.messages_per_request


def usage_blockers(api: ApiUsage) -> dict[ApiType, tuple[Blocker, ...]]:
    """Blockers that follow from the usage itself: a private endpoint cannot become an HTTP API, and
    a stage cache exists only on REST APIs."""
    found: dict[ApiType, list[Blocker]] = {}
    if api.endpoint_type is EndpointType.PRIVATE:
        found.setdefault(ApiType.HTTP, []).append(
            Blocker(
                "private-endpoint",
                f"{api.name} has a private endpoint; HTTP APIs offer only Regional endpoints",
            )
        )
    if api.cache_size_gb is not None:
        for target in (ApiType.HTTP, ApiType.WEBSOCKET):
            found.setdefault(target, []).append(
                Blocker(
                    "caching",
                    f"{api.name} uses a {plain(api.cache_size_gb)} GB stage cache; only REST API stages cache "
                    "responses",
                )
            )
    return {target: tuple(items) for target, items in found.items()}


def merged_blockers(api: ApiUsage, given: ApiBlockers | None) -> dict[ApiType, tuple[Blocker, ...]]:
    """Blockers of each type for one API: from its definition (if known) and from its usage; a
    feature the definition already shows is not repeated from the usage."""
    derived = usage_blockers(api)
    known = given.by_type if given is not None else {}
    result = {}
    for target in API_TYPES:
        own = known.get(target, ())
        features = {blocker.feature for blocker in own}
        result[target] = blockers_of([*own, *(b for b in derived.get(target, ()) if b.feature not in features)])
    return result


def estimate_api(
    book: PriceBook, api: ApiUsage, options: EstimateOptions, blockers: ApiBlockers | None = None
) -> ApiEstimate:
    """One API priced as each type, compared, with the route split for REST APIs priced by route."""
    rules = book.rules
    workloads = {t: workload(api, t, rules, options.hours_per_month) for t in API_TYPES}
    blocked_by = merged_blockers(api, blockers)
    comparison = compare(
        book,
        workloads,
        workloads[api.current_type],
        api.current_type,
        blocked_by,
        options,
        traffic_axis([api]),
    )
    split = None
    if api.current_type is ApiType.REST and api.by_route:
        route_blockers = dict(blockers.by_route or {}) if blockers is not None else {}
        api_wide = tuple(b for b in usage_blockers(api).get(ApiType.HTTP, ()) if b.feature != "caching")
        per_route = {
            route.route: blockers_of([*route_blockers.get(route.route, ()), *api_wide])
            for route in api.routes
        }
        split = split_routes(api.routes, per_route, book, options, template=api)
    return ApiEstimate(api.name, api, comparison, split)


def estimate(
    book: PriceBook,
    apis: Sequence[ApiUsage],
    options: EstimateOptions,
    blockers: Mapping[str, ApiBlockers] | None = None,
    assumptions: Sequence[str] = (),
) -> EstimateResult:
    """Price every API as REST, HTTP and WebSocket, and all of them together.

    ``blockers`` maps API names to what blocks each type (and each route); an API without an entry
    counts as unblocked. A type blocked for one API is blocked for the total too.
    """
    blockers = blockers or {}
    per_api = tuple(estimate_api(book, api, options, blockers.get(api.name)) for api in apis)
    rules = book.rules
    workloads = {t: _sum(workload(api, t, rules, options.hours_per_month) for api in apis) for t in API_TYPES}
    current = _sum(workload(api, api.current_type, rules, options.hours_per_month) for api in apis)
    current_types = {api.current_type for api in apis}
    blocked_by = {
        t: blockers_of([b for estimate_ in per_api for b in estimate_.comparison.of(t).blocked_by])
        for t in API_TYPES
    }
    total = compare(
        book,
        workloads,
        current,
        current_types.pop() if len(current_types) == 1 else None,
        blocked_by,
        options,
        traffic_axis(apis),
    )
    notes = list(assumptions)
    for api in apis:
        notes.extend(describe(api, rules))
        notes.extend(_route_notes(api, blockers.get(api.name)))
    return EstimateResult(
        region=book.region,
        location=book.location,
        prices_as_of=book.as_of,
        price_origin=book.origin,
        options=options,
        assumptions=tuple(dict.fromkeys(notes)),
        total=total,
        apis=per_api,
        general=tuple(general_assumptions(book, options)),
    )


def _route_notes(api: ApiUsage, blockers: ApiBlockers | None) -> list[str]:
    if api.current_type is not ApiType.REST or not api.by_route:
        return []
    if blockers is None or blockers.by_route is None:
        return [
            (
                f"{api.name}: no blocking features are known per route, so the route split counts every "
                "route "
                "as movable."
            )
        ]
    return []


def general_assumptions(book: PriceBook, options: EstimateOptions) -> list[str]:
    """The modelling choices behind every estimate, in words."""
    rules = book.rules
    free = rules.free_tier
    if options.free_tier:
        free_tier = (
            f"Free tier applied: the first {format_quantity(free[Meter.REST_REQUESTS])} REST calls, "
            f"{format_quantity(free[Meter.HTTP_REQUESTS])} HTTP calls, "
            f"{format_quantity(free[Meter.WEBSOCKET_MESSAGES])} "
            f"messages and {format_quantity(free[Meter.WEBSOCKET_MINUTES])} connection minutes of the month "
            "are free "
            "(a 12-month offer for accounts opened before 2025-07-15)."
        )
    else:
        free_tier = (
            "Free tier not applied: accounts opened since 2025-07-15 get Free Tier credits instead of the "
            "12-month allowances (--free-tier applies them)."
        )
    return [
        f"Prices: {book.origin} for {book.region} ({book.location}), as of {book.as_of}.",
        (
            f"A month has {plain(options.hours_per_month)} hours for caches and VPC endpoints; counts are "
            "per "
            "month."
        ),
        free_tier,
        (
            "Tiers are graduated and count only the volume in this estimate; AWS counts the account's whole "
            "monthly "
            "volume in the region, and the data transfer tiers also count other services' traffic."
        ),
        (
            f"Data transfer out = calls x response size (1 GB = {format_quantity(rules.kb_per_gb)} KB) at "
            "the EC2 internet rates; payloads sent to the API are free. The same volume is priced on "
            "every type, WebSocket included (AWS's WebSocket example leaves it out), so that the types "
            "compare like for like; private REST APIs pay none."
        ),
        (
            f"HTTP calls are metered in {plain(rules.http_unit_kb)} KB units of the request payload (a 4.5 "
            "MB upload "
            f"is 9 requests); WebSocket messages in {plain(rules.websocket_unit_kb)} KB units."
        ),
        (
            "Amounts are exact and rounded half up to cents only for display; a total is rounded from the "
            "exact sum, "
            "so shown line items may differ from it by a cent."
        ),
        (
            f"Break-even points are searched from no traffic up to {plain(BREAK_EVEN_RANGE)} times today's, "
            "scaling "
            "calls, messages and data transfer; caches, VPC endpoint hours and given connection minutes "
            "stay fixed."
        ),
    ]


def _sum(loads: Iterable[Workload]) -> Workload:
    total = Workload()
    for load in loads:
        total = total + load
    return total
