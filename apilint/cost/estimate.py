"""The estimate: price each API as REST, HTTP and WebSocket, compare, and find break-even traffic.

Pure functions over a :class:`PriceBook` and typed usage. Tiers are graduated and applied in order
(first 333M at one price, the next 667M at the next...). AWS counts tiers over the account's whole
monthly volume in a region, so the totals price all APIs' volumes together; each API's own figures
price it alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, localcontext
from typing import TYPE_CHECKING

from apilint.cost.blockers import ApiBlockers, Blocker, blockers_of
from apilint.cost.metering import ChargeKey, Workload, describe, workload
from apilint.cost.money import compact, format_quantity, plain
from apilint.cost.prices import Meter, PriceBook, Provenance, Tier, TieredPrice
from apilint.cost.usage import ApiUsage
from apilint.model import ApiType, EndpointType

if TYPE_CHECKING:
    from apilint.cost.advisor import RouteSplit

API_TYPES = (ApiType.REST, ApiType.HTTP, ApiType.WEBSOCKET)
ITEM_NAMES = {
    Meter.REST_REQUESTS: "requests",
    Meter.HTTP_REQUESTS: "requests",
    Meter.WEBSOCKET_MESSAGES: "messages",
    Meter.WEBSOCKET_MINUTES: "connection_minutes",
    Meter.DATA_TRANSFER_OUT: "data_transfer_out",
    Meter.CACHE: "cache",
    Meter.VPC_ENDPOINT_HOURS: "vpc_endpoint_hours",
    Meter.VPC_ENDPOINT_DATA: "vpc_endpoint_data",
}
UNITS = {
    Meter.REST_REQUESTS: "requests",
    Meter.HTTP_REQUESTS: "requests",
    Meter.WEBSOCKET_MESSAGES: "messages",
    Meter.WEBSOCKET_MINUTES: "minutes",
    Meter.DATA_TRANSFER_OUT: "GB",
    Meter.CACHE: "hours",
    Meter.VPC_ENDPOINT_HOURS: "AZ-hours",
    Meter.VPC_ENDPOINT_DATA: "GB",
}
DESCRIPTIONS = {
    Meter.REST_REQUESTS: "REST API requests",
    Meter.HTTP_REQUESTS: "HTTP API requests",
    Meter.WEBSOCKET_MESSAGES: "WebSocket messages",
    Meter.WEBSOCKET_MINUTES: "WebSocket connection minutes",
    Meter.DATA_TRANSFER_OUT: "data transfer out",
    Meter.CACHE: "cache",
    Meter.VPC_ENDPOINT_HOURS: "VPC endpoint (PrivateLink) hours",
    Meter.VPC_ENDPOINT_DATA: "VPC endpoint (PrivateLink) data processed",
}
# Line items in the order reports show them; the first meter of each type is shown even when zero.
_ORDER = (
    Meter.REST_REQUESTS,
    Meter.HTTP_REQUESTS,
    Meter.WEBSOCKET_MESSAGES,
    Meter.WEBSOCKET_MINUTES,
    Meter.DATA_TRANSFER_OUT,
    Meter.CACHE,
    Meter.VPC_ENDPOINT_HOURS,
    Meter.VPC_ENDPOINT_DATA,
)
_ALWAYS_SHOWN = (Meter.REST_REQUESTS, Meter.HTTP_REQUESTS, Meter.WEBSOCKET_MESSAGES, Meter.WEBSOCKET_MINUTES)
#: The traffic axis when APIs of several current types are priced together: multiples of today's traffic.
MULTIPLE_AXIS = "traffic (x today)"
#: Break-even points further than this multiple of today's traffic are not reported.
BREAK_EVEN_RANGE = Decimal(100)


@dataclass(frozen=True)
class EstimateOptions:
    """Settings that change prices: the hours billed per month and whether the free tier applies."""

    hours_per_month: Decimal = Decimal(730)
    free_tier: bool = False


# --------------------------------------------------------------------------- line items


@dataclass(frozen=True)
class TierCharge:
    """The part of a line item priced in one tier (or one cache size)."""

    label: str
    quantity: Decimal
    usd_per_unit: Decimal
    usd: Decimal
    provenance: Provenance


@dataclass(frozen=True)
class LineItem:
    """One billed dimension: its quantity after metering, and its exact cost."""

    meter: Meter
    label: str
    quantity: Decimal
    usd: Decimal
    charges: tuple[TierCharge, ...]
    free_quantity: Decimal = Decimal(0)

    @property
    def item(self) -> str:
        return ITEM_NAMES[self.meter]

    @property
    def unit(self) -> str:
        return UNITS[self.meter]


@dataclass(frozen=True)
class Priced:
    """Line items, and what could not be priced (then there is no total)."""

    line_items: tuple[LineItem, ...]
    missing: tuple[str, ...] = ()

    @property
    def total(self) -> Decimal | None:
        if self.missing:
            return None
        return sum((item.usd for item in self.line_items), Decimal(0))


def tier_label(tier: Tier, unit: str) -> str:
    """``first 333M``, ``next 667M``, ``over 20B``; data transfer in TB (``first 10 TB``)."""

    def amount(value: Decimal) -> str:
        if unit == "GB" and value % 1024 == 0:
            return f"{plain(value / 1024)} TB"
        return compact(value) + (" GB" if unit == "GB" else "")

    if tier.end is None:
        return "all" if tier.begin == 0 else f"over {amount(tier.begin)}"
    if tier.begin == 0:
        return f"first {amount(tier.end)}"
    return f"next {amount(tier.end - tier.begin)}"


def price_tiers(price: TieredPrice, quantity: Decimal) -> tuple[TierCharge, ...]:
    """Graduated pricing: each tier prices only the units that fall inside it."""
    charges = []
    for tier in price.tiers:
        upper = quantity if tier.end is None else min(quantity, tier.end)
        inside = upper - tier.begin
        if inside <= 0:
            break
        charges.append(
            TierCharge(
                tier_label(tier, price.unit),
                inside,
                tier.usd_per_unit,
                inside * tier.usd_per_unit,
                tier.provenance,
            )
        )
    return tuple(charges)


def _missing(book: PriceBook, what: str) -> str:
    return f"no {what} price for {book.region} in {book.origin}"


def price_line(
    book: PriceBook, key: ChargeKey, quantity: Decimal, options: EstimateOptions
) -> LineItem | str:
    """One line item, or why it cannot be priced."""
    meter, size = key
    if meter is Meter.CACHE:
        return _price_cache(book, size, quantity)
    price = book.tiered.get(meter)
    if price is None:
        return _missing(book, DESCRIPTIONS[meter])
    free = min(quantity, book.rules.free_tier.get(meter, Decimal(0))) if options.free_tier else Decimal(0)
    billable = quantity - free
    if price.known_up_to is not None and billable > price.known_up_to:
        known = tier_label(
            Tier(Decimal(0), price.known_up_to, Decimal(0), price.tiers[0].provenance), price.unit
        )
        return _missing(book, f"{DESCRIPTIONS[meter]} beyond the {known} a month")
    charges = price_tiers(price, billable)
    usd = sum((charge.usd for charge in charges), Decimal(0))
    return LineItem(meter, DESCRIPTIONS[meter], quantity, usd, charges, free)


def _price_cache(book: PriceBook, size: str, hours: Decimal) -> LineItem | str:
    price = book.cache.get(Decimal(size))
    if price is None:
        return _missing(book, f"{size} GB cache")
    charge = TierCharge(f"{size} GB", hours, price.usd_per_hour, hours * price.usd_per_hour, price.provenance)
    return LineItem(Meter.CACHE, f"cache ({size} GB)", hours, charge.usd, (charge,))


def price_quantities(
    book: PriceBook, quantities: Mapping[ChargeKey, Decimal], options: EstimateOptions
) -> Priced:
    """Price every billed quantity; zero quantities are left out except the main meter of a type."""
    items: list[LineItem] = []
    missing: list[str] = []
    for key in sorted(quantities, key=lambda k: (_ORDER.index(k[0]), Decimal(k[1] or 0))):
        quantity = quantities[key]
        if quantity == 0 and key[0] not in _ALWAYS_SHOWN:
            continue
        priced = price_line(book, key, quantity, options)
        if isinstance(priced, str):
            if quantity != 0:
                missing.append(priced)
        else:
            items.append(priced)
    return Priced(tuple(items), tuple(missing))


# --------------------------------------------------------------------------- comparison


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
class BreakEven:
    """Traffic at which two types cost the same; below it one is cheaper, above it the other."""

    cheaper_below: ApiType
    cheaper_above: ApiType
    factor: Decimal
    traffic: Decimal
    monthly_usd: Decimal


@dataclass(frozen=True)
class Chart:
    """Monthly cost of each type at several traffic levels (None: not priced at that level)."""

    axis: str
    traffic: tuple[Decimal, ...]
    series: Mapping[ApiType, tuple[Decimal | None, ...]]


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
    savings = None
    if cheapest is not None and current_usd is not None:
        savings = current_usd - next(e.monthly_usd for e in estimates if e.api_type is cheapest)  # type: ignore[operator]
    label, base = axis
    break_even: tuple[BreakEven, ...] = ()
    chart = None
    if base > 0:
        break_even = find_break_even(book, workloads, options, base)
        chart = cost_chart(book, workloads, options, label, base, break_even)
    return Comparison(current_type, current_usd, estimates, cheapest, savings, label, base, break_even, chart)


# --------------------------------------------------------------------------- break-even


def _cost(book: PriceBook, load: Workload, factor: Decimal, options: EstimateOptions) -> Decimal | None:
    return price_quantities(book, load.at(factor), options).total


def _kinks(book: PriceBook, load: Workload, options: EstimateOptions) -> set[Decimal]:
    """Traffic factors at which a quantity crosses a tier bound or the free allowance."""
    kinks = set()
    for key, per_factor in load.variable.items():
        price = book.tiered.get(key[0])
        if per_factor <= 0 or price is None:
            continue
        free = book.rules.free_tier.get(key[0], Decimal(0)) if options.free_tier else Decimal(0)
        fixed = load.fixed.get(key, Decimal(0))
        bounds = [tier.begin + free for tier in price.tiers] + [free]
        if price.known_up_to is not None:
            bounds.append(price.known_up_to + free)
        kinks.update((bound - fixed) / per_factor for bound in bounds if bound > fixed)
    return kinks


def _crossing(k1: Decimal, d1: Decimal, k2: Decimal, d2: Decimal) -> Decimal | None:
    """Where a straight line through (k1, d1) and (k2, d2) crosses zero inside (k1, k2]."""
    if d1 == 0 or (d1 > 0) == (d2 > 0) and d2 != 0:
        return None
    with localcontext() as context:
        context.prec = 40
        return k1 + (k2 - k1) * d1 / (d1 - d2)


def _break_even_pair(
    book: PriceBook,
    first: tuple[ApiType, Workload],
    second: tuple[ApiType, Workload],
    options: EstimateOptions,
    base: Decimal,
) -> list[BreakEven]:
    (type_a, load_a), (type_b, load_b) = first, second
    kinks = sorted(_kinks(book, load_a, options) | _kinks(book, load_b, options) | {Decimal(0)})
    # Past the last kink both costs are straight lines, so one more point settles the rest.
    points = kinks + [kinks[-1] * 2 + 1]
    found = []
    previous: tuple[Decimal, Decimal] | None = None
    for factor in points:
        cost_a, cost_b = _cost(book, load_a, factor, options), _cost(book, load_b, factor, options)
        if cost_a is None or cost_b is None:
            break
        difference = cost_a - cost_b
        if previous is not None:
            root = _crossing(previous[0], previous[1], factor, difference)
            if root is not None and root > 0:
                found.append(_break_even_at(book, type_a, load_a, type_b, previous[1], root, options, base))
        previous = (factor, difference)
    if previous is not None and len(points) >= 2 and previous[0] == points[-1]:
        found.extend(_beyond(book, (type_a, load_a), (type_b, load_b), points, options, base))
    return found


def _beyond(
    book: PriceBook,
    first: tuple[ApiType, Workload],
    second: tuple[ApiType, Workload],
    points: list[Decimal],
    options: EstimateOptions,
    base: Decimal,
) -> list[BreakEven]:
    """A crossing on the straight stretch after the last kink."""
    (type_a, load_a), (type_b, load_b) = first, second
    k1, k2 = points[-2], points[-1]
    d1 = _cost(book, load_a, k1, options) - _cost(book, load_b, k1, options)  # type: ignore[operator]
    d2 = _cost(book, load_a, k2, options) - _cost(book, load_b, k2, options)  # type: ignore[operator]
    if d1 == d2 or d2 == 0 or (d1 > 0) != (d2 > 0):
        return []
    with localcontext() as context:
        context.prec = 40
        root = k2 - d2 * (k2 - k1) / (d2 - d1)
    if root <= k2:
        return []
    return [_break_even_at(book, type_a, load_a, type_b, d2, root, options, base)]


def _break_even_at(
    book: PriceBook,
    type_a: ApiType,
    load_a: Workload,
    type_b: ApiType,
    difference_below: Decimal,
    factor: Decimal,
    options: EstimateOptions,
    base: Decimal,
) -> BreakEven:
    below, above = (type_b, type_a) if difference_below > 0 else (type_a, type_b)
    cost = _cost(book, load_a, factor, options) or Decimal(0)
    return BreakEven(below, above, factor, factor * base, cost)


def find_break_even(
    book: PriceBook, workloads: Mapping[ApiType, Workload], options: EstimateOptions, base: Decimal
) -> tuple[BreakEven, ...]:
    """Traffic levels, up to ``BREAK_EVEN_RANGE`` times today's, where two priced types cost the same."""
    found: list[BreakEven] = []
    for index, type_a in enumerate(API_TYPES):
        for type_b in API_TYPES[index + 1 :]:
            found.extend(
                _break_even_pair(
                    book, (type_a, workloads[type_a]), (type_b, workloads[type_b]), options, base
                )
            )
    in_range = [point for point in found if point.factor <= BREAK_EVEN_RANGE]
    return tuple(sorted(in_range, key=lambda b: (b.factor, API_TYPES.index(b.cheaper_below))))


# --------------------------------------------------------------------------- chart


def cost_chart(
    book: PriceBook,
    workloads: Mapping[ApiType, Workload],
    options: EstimateOptions,
    axis: str,
    base: Decimal,
    break_even: Sequence[BreakEven] = (),
) -> Chart:
    """Monthly cost of each type from no traffic to twice today's (further when a break-even lies beyond)."""
    top = max([Decimal(2)] + [b.factor * Decimal("1.25") for b in break_even])
    top = top.to_integral_value(rounding=ROUND_CEILING) if top > 2 else top
    factors = [top * step / 8 for step in range(9)]
    series = {t: tuple(_cost(book, workloads[t], f, options) for f in factors) for t in API_TYPES}
    return Chart(axis, tuple(f * base for f in factors), series)


# --------------------------------------------------------------------------- whole estimate


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


def traffic_axis(apis: Sequence[ApiUsage]) -> tuple[str, Decimal]:
    """What the traffic axis counts (requests, messages or a multiple) and today's value on it."""
    from apilint.cost.metering import request_routes

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
    """Blockers that follow from the usage itself: a private endpoint cannot become an HTTP API."""
    if api.endpoint_type is not EndpointType.PRIVATE:
        return {}
    return {
        ApiType.HTTP: (
            Blocker(
                "private-endpoint",
                f"{api.name} has a private endpoint; HTTP APIs offer only Regional endpoints",
            ),
        )
    }


def merged_blockers(api: ApiUsage, given: ApiBlockers | None) -> dict[ApiType, tuple[Blocker, ...]]:
    """Blockers of each type for one API: from its definition (if known) and from its usage."""
    derived = usage_blockers(api)
    known = given.by_type if given is not None else {}
    return {t: blockers_of([*known.get(t, ()), *derived.get(t, ())]) for t in API_TYPES}


def estimate_api(
    book: PriceBook, api: ApiUsage, options: EstimateOptions, blockers: ApiBlockers | None = None
) -> ApiEstimate:
    """One API priced as each type, compared, with the route split for REST APIs priced by route."""
    from apilint.cost.advisor import split_routes

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
        api_wide = usage_blockers(api).get(ApiType.HTTP, ())
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
    notes = [*assumptions, *general_assumptions(book, options)]
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
            "the EC2 "
            "internet rates, for REST and HTTP APIs; payloads sent to the API are free. WebSocket APIs are "
            "priced by "
            "messages and connection minutes only, as in AWS's WebSocket example; if a bill shows data "
            "transfer for "
            "one, the HTTP estimate's data transfer line is the amount to add."
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
