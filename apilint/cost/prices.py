"""Prices with provenance: the bundled per-region data files, or an AWS Price List offer file.

Both end up as one :class:`PriceBook`: graduated tiers per meter, cache prices per size, and the
region-independent rules (metering units, limits, free tier) from ``global.json``. A meter missing
from a book is simply absent; the estimate reports it as "not priced" instead of guessing.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from apilint.cost.errors import CostError

PRICES_DIR = Path(__file__).resolve().parent.parent / "data" / "prices"
OFFER_URL = (
    "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonApiGateway/current/{region}/index.json"
)
REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]+$")
STATUSES = ("confirmed", "single-source", "unconfirmed")


class Meter(str, enum.Enum):
    """What API Gateway bills, one price (often tiered) each."""

    REST_REQUESTS = "rest_requests"
    HTTP_REQUESTS = "http_requests"
    WEBSOCKET_MESSAGES = "websocket_messages"
    WEBSOCKET_MINUTES = "websocket_connection_minutes"
    DATA_TRANSFER_OUT = "data_transfer_out"
    VPC_ENDPOINT_HOURS = "vpc_endpoint_hours"
    VPC_ENDPOINT_DATA = "vpc_endpoint_data"
    CACHE = "cache"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Source:
    """Where a price was read, and when (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``undated``)."""

    key: str
    title: str
    url: str | None
    read: str

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "url": self.url, "read": self.read}


@dataclass(frozen=True)
class Provenance:
    """How sure a price is (confirmed, single-source, unconfirmed) and which sources say so."""

    status: str
    sources: tuple[Source, ...]
    note: str | None = None

    @property
    def read(self) -> str:
        """The newest date among the sources, or ``undated``."""
        dates = [source.read for source in self.sources if source.read != "undated"]
        return max(dates) if dates else "undated"


@dataclass(frozen=True)
class Tier:
    """One graduated tier: units from ``begin`` up to ``end`` (None: no upper bound) at one price."""

    begin: Decimal
    end: Decimal | None
    usd_per_unit: Decimal
    provenance: Provenance


@dataclass(frozen=True)
class TieredPrice:
    """A meter's tiers, sorted and contiguous from zero. They may stop short of infinity."""

    meter: Meter
    unit: str
    tiers: tuple[Tier, ...]

    @property
    def known_up_to(self) -> Decimal | None:
        """The largest monthly quantity these tiers price, or None when they have no upper bound."""
        return self.tiers[-1].end


@dataclass(frozen=True)
class CachePrice:
    """The hourly price of one REST API cache size."""

    size_gb: Decimal
    usd_per_hour: Decimal
    provenance: Provenance


@dataclass(frozen=True)
class PricingRules:
    """Metering units, limits, cache sizes and free-tier allowances: the same in every region."""

    http_unit_kb: Decimal
    websocket_unit_kb: Decimal
    kb_per_gb: Decimal
    payload_limit_kb: Decimal
    websocket_message_limit_kb: Decimal
    cache_sizes_gb: tuple[Decimal, ...]
    free_tier: Mapping[Meter, Decimal]
    free_tier_provenance: Provenance

    def cache_size_at_least(self, size_gb: Decimal) -> Decimal | None:
        """The smallest cache size that holds ``size_gb``, or None when none is large enough."""
        return next((size for size in self.cache_sizes_gb if size >= size_gb), None)


@dataclass(frozen=True)
class PriceBook:
    """Everything needed to price one region."""

    region: str
    location: str
    as_of: str
    origin: str
    tiered: Mapping[Meter, TieredPrice]
    cache: Mapping[Decimal, CachePrice]
    rules: PricingRules


# --------------------------------------------------------------------------- bundled data


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=1)
def load_sources() -> dict[str, Source]:
    """The source register shared by every bundled price file."""
    raw = _read_json(PRICES_DIR / "sources.json")["sources"]
    return {key: Source(key, entry["title"], entry.get("url"), entry["read"]) for key, entry in raw.items()}


def _provenance(entry: Mapping[str, Any]) -> Provenance:
    sources = load_sources()
    return Provenance(entry["status"], tuple(sources[key] for key in entry["sources"]), entry.get("note"))


@lru_cache(maxsize=1)
def load_rules() -> PricingRules:
    """Metering units, limits, cache sizes and the free tier from ``global.json``."""
    raw = _read_json(PRICES_DIR / "global.json")
    metering, limits, free = raw["metering"], raw["limits"], raw["free_tier"]
    return PricingRules(
        http_unit_kb=Decimal(metering["http_request_unit_kb"]["value"]),
        websocket_unit_kb=Decimal(metering["websocket_message_unit_kb"]["value"]),
        kb_per_gb=Decimal(metering["kb_per_gb"]["value"]),
        payload_limit_kb=Decimal(limits["payload_kb"]["value"]),
        websocket_message_limit_kb=Decimal(limits["websocket_message_kb"]["value"]),
        cache_sizes_gb=tuple(sorted(Decimal(size) for size in raw["cache_sizes_gb"]["value"])),
        free_tier={Meter(name): Decimal(value) for name, value in free["allowances"].items()},
        free_tier_provenance=_provenance(free),
    )


def bundled_regions() -> list[str]:
    """Regions with a bundled price file, sorted."""
    return sorted(path.stem for path in PRICES_DIR.glob("*.json") if REGION_PATTERN.match(path.stem))


def _bundled_tiered(meter: Meter, entry: Mapping[str, Any]) -> TieredPrice:
    tiers = tuple(
        Tier(
            Decimal(tier["begin"]),
            None if tier["end"] is None else Decimal(tier["end"]),
            Decimal(tier["usd_per_unit"]),
            _provenance(tier),
        )
        for tier in entry["tiers"]
    )
    return TieredPrice(meter, entry["unit"], tiers)


def load_bundled(region: str) -> PriceBook:
    """The bundled prices of ``region``; a region without a file is an error that says what to do."""
    path = PRICES_DIR / f"{region}.json"
    if not REGION_PATTERN.match(region) or not path.is_file():
        raise CostError(no_prices_message(region))
    raw = _read_json(path)
    prices = dict(raw["prices"])
    cache_raw = prices.pop("cache", {})
    return PriceBook(
        region=region,
        location=raw["location"],
        as_of=raw["as_of"],
        origin=f"bundled price data ({path.name})",
        tiered={Meter(name): _bundled_tiered(Meter(name), entry) for name, entry in prices.items()},
        cache={
            Decimal(size): CachePrice(Decimal(size), Decimal(entry["usd_per_hour"]), _provenance(entry))
            for size, entry in cache_raw.items()
        },
        rules=load_rules(),
    )


@lru_cache(maxsize=1)
def known_regions() -> dict[str, str]:
    """AWS Regions with published API Gateway prices, by code, with their Price List location names."""
    return dict(_read_json(PRICES_DIR / "regions.json")["regions"])


def no_prices_message(region: str) -> str:
    """Why a region cannot be priced, and how to get an offer file for it."""
    if not REGION_PATTERN.match(region):
        return f"{region!r} is not an AWS region code (expected something like us-east-1)"
    if region not in known_regions():
        return (
            f"unknown region {region!r}: not one of the AWS Regions apilint knows (docs/cost.md lists them); "
            "check the spelling, or price a new Region with its offer file (--price-list)"
        )
    return (
        f"no bundled prices for region {region} (bundled: {', '.join(bundled_regions())}); "
        f"download its AWS Price List offer file, e.g. `curl -o apigateway-{region}.json "
        f"{OFFER_URL.format(region=region)}`, and pass --price-list apigateway-{region}.json"
    )


# --------------------------------------------------------------------------- offer files

_OFFER_SUFFIXES = {
    Meter.REST_REQUESTS: "ApiGatewayRequest",
    Meter.HTTP_REQUESTS: "ApiGatewayHttpRequest",
    Meter.WEBSOCKET_MESSAGES: "ApiGatewayMessage",
    Meter.WEBSOCKET_MINUTES: "ApiGatewayMinute",
    Meter.DATA_TRANSFER_OUT: "DataTransfer-Out-Bytes",
}
_UNITS = {
    Meter.REST_REQUESTS: "request",
    Meter.HTTP_REQUESTS: "request",
    Meter.WEBSOCKET_MESSAGES: "message",
    Meter.WEBSOCKET_MINUTES: "minute",
    Meter.DATA_TRANSFER_OUT: "GB",
}
_CACHE_USAGE = re.compile(r"(?:^|-)ApiGatewayCacheUsage:(?P<size>[0-9.]+)GB$")
# Offer files may spell sizes as 1.55 or 6.05 where the API takes 1.6 or 6.1.
_CACHE_SIZE_TOLERANCE = Decimal("0.05")


@dataclass(frozen=True)
class _OfferProduct:
    sku: str
    usage_type: str
    attributes: Mapping[str, Any]


def _usage_type_is(usage_type: str, suffix: str) -> bool:
    # us-east-1 usage types sometimes carry no region prefix, others always do ("EU-", "APN1-").
    return usage_type == suffix or usage_type.endswith("-" + suffix)


def _product_region(attributes: Mapping[str, Any]) -> str | None:
    # API Gateway products carry regionCode; data transfer products name where the data leaves from.
    return attributes.get("regionCode") or attributes.get("fromRegionCode")


def _decimal(text: Any, what: str) -> Decimal:
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        raise CostError(f"price list: {what} is {text!r}, not a number") from None
    if not value.is_finite() or value < 0:
        raise CostError(f"price list: {what} is {text!r}, not a non-negative number")
    return value


def _on_demand_term(terms: Mapping[str, Any], sku: str) -> Mapping[str, Any]:
    by_term = terms.get("OnDemand", {}).get(sku)
    if not isinstance(by_term, dict) or not by_term:
        raise CostError(f"price list: product {sku} has no OnDemand terms")
    # Several terms only appear when a price changes; the newest one applies.
    return max(by_term.values(), key=lambda term: str(term.get("effectiveDate", "")))


def _offer_tiers(term: Mapping[str, Any], sku: str, provenance: Provenance) -> tuple[Tier, ...]:
    dimensions = term.get("priceDimensions")
    if not isinstance(dimensions, dict) or not dimensions:
        raise CostError(f"price list: product {sku} has no priceDimensions")
    tiers = []
    for dimension in dimensions.values():
        end_text = str(dimension.get("endRange", "Inf"))
        tiers.append(
            Tier(
                begin=_decimal(dimension.get("beginRange", "0"), f"beginRange of {sku}"),
                end=None if end_text == "Inf" else _decimal(end_text, f"endRange of {sku}"),
                usd_per_unit=_decimal(
                    dimension.get("pricePerUnit", {}).get("USD"), f"the USD price of {sku}"
                ),
                provenance=provenance,
            )
        )
    # The order of priceDimensions in the file means nothing; the ranges do.
    tiers.sort(key=lambda tier: tier.begin)
    _check_contiguous(tiers, sku)
    return tuple(tiers)


def _check_contiguous(tiers: list[Tier], sku: str) -> None:
    expected: Decimal | None = Decimal(0)
    for tier in tiers:
        if expected is None or tier.begin != expected:
            raise CostError(f"price list: the tiers of product {sku} leave a gap or overlap at {tier.begin}")
        expected = tier.end


def _offer_products(offer: Mapping[str, Any], region: str) -> list[_OfferProduct]:
    products = []
    for sku, product in offer["products"].items():
        attributes = product.get("attributes", {}) if isinstance(product, dict) else {}
        if _product_region(attributes) == region:
            products.append(_OfferProduct(str(sku), str(attributes.get("usagetype", "")), attributes))
    return products


def _single(products: list[_OfferProduct], what: str) -> _OfferProduct | None:
    if len(products) > 1:
        skus = ", ".join(sorted(product.sku for product in products))
        raise CostError(f"price list: {len(products)} products match {what} ({skus}); expected one")
    return products[0] if products else None


def _canonical_cache_size(text: str, rules: PricingRules, sku: str) -> Decimal:
    size = _decimal(text, f"the cache size of {sku}")
    nearest = min(rules.cache_sizes_gb, key=lambda canonical: abs(canonical - size))
    if abs(nearest - size) > nearest * _CACHE_SIZE_TOLERANCE:
        raise CostError(
            f"price list: product {sku} is a {size} GB cache, which is not an API Gateway cache size"
        )
    return nearest


def _read_offer(path: Path) -> Mapping[str, Any]:
    try:
        offer = _read_json(path)
    except OSError as error:
        raise CostError(f"cannot read price list {path}: {error.strerror or error}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CostError(f"price list {path} is not JSON: {error}") from None
    except RecursionError:  # arrays nested thousands deep: json recurses
        raise CostError(f"price list {path} is not an AWS Price List offer file (it nests thousands of "
                        "levels deep)") from None
    if not isinstance(offer, dict) or not isinstance(offer.get("products"), dict):
        raise CostError(f"price list {path} is not an AWS Price List offer file (no 'products' object)")
    offer_code = offer.get("offerCode", "AmazonApiGateway")
    if offer_code != "AmazonApiGateway":
        raise CostError(f"price list {path} is the offer file of {offer_code}, not AmazonApiGateway")
    return offer


def _offer_regions(offer: Mapping[str, Any]) -> list[str]:
    regions = {
        _product_region(product.get("attributes", {}))
        for product in offer["products"].values()
        if isinstance(product, dict)
    }
    return sorted(region for region in regions if isinstance(region, str))


def load_offer_file(path: Path, region: str) -> PriceBook:
    """Prices of ``region`` from an AWS Price List offer file for ``AmazonApiGateway``.

    Products are matched by ``regionCode`` (``fromRegionCode`` for data transfer) and by the suffix of
    their ``usagetype``; each product's tiers are sorted by ``beginRange``.
    """
    offer = _read_offer(path)
    products = _offer_products(offer, region)
    if not products:
        found = ", ".join(_offer_regions(offer)) or "none"
        raise CostError(f"price list {path} has no products for region {region} (regions in it: {found})")
    rules = load_rules()
    as_of = str(offer.get("publicationDate", ""))[:10] or "undated"
    version = offer.get("version", "unknown")
    provenance = Provenance(
        "confirmed",
        (Source("offer-file", f"AWS Price List offer file {path.name}, version {version}", None, as_of),),
    )
    terms = offer.get("terms", {})
    tiered = _offer_tiered(products, terms, region, provenance)
    cache = _offer_cache(products, terms, rules, provenance)
    location = next((str(p.attributes["location"]) for p in products if "location" in p.attributes), region)
    origin = f"AWS Price List offer file {path.name} (version {version})"
    return PriceBook(region, location, as_of, origin, tiered, cache, rules)


def _offer_tiered(
    products: list[_OfferProduct], terms: Mapping[str, Any], region: str, provenance: Provenance
) -> dict[Meter, TieredPrice]:
    """The tiered prices of the region's products, one product per usage-type suffix."""
    tiered: dict[Meter, TieredPrice] = {}
    for meter, suffix in _OFFER_SUFFIXES.items():
        matching = [product for product in products if _usage_type_is(product.usage_type, suffix)]
        product = _single(matching, f"{suffix} in {region}")
        if product is None:
            continue
        term = _on_demand_term(terms, product.sku)
        _check_unit(meter, term, product.sku)
        tiered[meter] = TieredPrice(meter, _UNITS[meter], _offer_tiers(term, product.sku, provenance))
    return tiered


def _check_unit(meter: Meter, term: Mapping[str, Any], sku: str) -> None:
    if meter is not Meter.DATA_TRANSFER_OUT:
        return
    units = {str(dimension.get("unit", "")).upper() for dimension in term["priceDimensions"].values()}
    if units != {"GB"}:
        raise CostError(
            f"price list: data transfer product {sku} is priced per {'/'.join(sorted(units))}, not per GB"
        )


def _offer_cache(
    products: Iterable[_OfferProduct], terms: Mapping[str, Any], rules: PricingRules, provenance: Provenance
) -> dict[Decimal, CachePrice]:
    cache: dict[Decimal, CachePrice] = {}
    for product in products:
        match = _CACHE_USAGE.search(product.usage_type)
        if match is None:
            continue
        size_text = product.attributes.get("cacheMemorySizeGb") or match.group("size")
        size = _canonical_cache_size(str(size_text), rules, product.sku)
        tiers = _offer_tiers(_on_demand_term(terms, product.sku), product.sku, provenance)
        if size in cache:
            raise CostError(f"price list: two products price the {size} GB cache in one region")
        cache[size] = CachePrice(size, tiers[0].usd_per_unit, provenance)
    return cache


def load_price_book(region: str, price_list: Path | None = None) -> PriceBook:
    """The prices to use: the offer file when given, else the bundled data for the region.

    VPC endpoint (PrivateLink) prices are not in the API Gateway offer file; an offer-file book takes
    them from the bundled data of the region when there is some.
    """
    if price_list is None:
        return load_bundled(region)
    if not REGION_PATTERN.match(region):
        raise CostError(no_prices_message(region))
    book = load_offer_file(price_list, region)
    if region not in bundled_regions():
        return book
    bundled = load_bundled(region)
    private_link: dict[Meter, TieredPrice] = {
        meter: price
        for meter, price in bundled.tiered.items()
        if meter in (Meter.VPC_ENDPOINT_HOURS, Meter.VPC_ENDPOINT_DATA)
    }
    return replace(book, tiered={**book.tiered, **private_link})
