"""Break-even traffic and cost curves: where two API types cost the same as traffic grows.

Traffic scales the variable quantities of each type's workload; fixed ones (caches, VPC endpoint
hours, connection minutes of known clients) stay. Costs are piecewise linear in traffic, so each
crossing is solved exactly on the straight piece between two tier bounds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, localcontext

from apilint.cost.metering import API_TYPES, Workload
from apilint.cost.prices import PriceBook
from apilint.cost.pricing import EstimateOptions, price_quantities
from apilint.model import ApiType

#: Break-even points further than this multiple of today's traffic are not reported.
BREAK_EVEN_RANGE = Decimal(100)


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


def _cost(book: PriceBook, load: Workload, factor: Decimal, options: EstimateOptions) -> Decimal | None:
    return price_quantities(book, load.at(factor), options).total


def _kinks(book: PriceBook, load: Workload, options: EstimateOptions) -> set[Decimal]:
    """Traffic factors at which a quantity crosses a tier bound or the free allowance."""
    kinks: set[Decimal] = set()
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
