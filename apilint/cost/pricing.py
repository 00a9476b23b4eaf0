"""Pricing billed quantities: graduated tiers applied in order, caches by the hour, the free tier.

Pure functions over a :class:`PriceBook`. Each tier prices only the units that fall inside it (first
333M at one price, the next 667M at the next...). A quantity the book has no price for is reported
as missing rather than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from apilint.cost.metering import ChargeKey
from apilint.cost.money import compact, plain
from apilint.cost.prices import Meter, PriceBook, Provenance, Tier, TieredPrice

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
