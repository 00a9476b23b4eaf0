"""Metering: an API's usage as the quantities AWS bills if the API were a given type.

HTTP calls count in 512 KB units of the request payload, WebSocket messages in 32 KB units, data
transfer out in GB (1 GB = 1024 x 1024 KB). Quantities that grow with traffic are kept apart from
those that do not (cache hours, VPC endpoint hours, connection minutes of a known set of clients), so
that the estimate can scale traffic for break-even points and charts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from apilint.cost.money import format_quantity, plain
from apilint.cost.prices import Meter, PricingRules
from apilint.cost.usage import ApiUsage, RouteUsage
from apilint.model import ApiType, EndpointType

#: A billed quantity: the meter and, for caches, the cache size ("" otherwise).
ChargeKey = tuple[Meter, str]
#: The three API types, in the order reports show them.
API_TYPES = (ApiType.REST, ApiType.HTTP, ApiType.WEBSOCKET)


@dataclass(frozen=True)
class Workload:
    """Monthly billed quantities: ``variable`` ones scale with traffic, ``fixed`` ones do not."""

    variable: Mapping[ChargeKey, Decimal] = field(default_factory=dict)
    fixed: Mapping[ChargeKey, Decimal] = field(default_factory=dict)

    def at(self, factor: Decimal = Decimal(1)) -> dict[ChargeKey, Decimal]:
        """The quantities when traffic is ``factor`` times what the usage says."""
        quantities = dict(self.fixed)
        for key, quantity in self.variable.items():
            quantities[key] = quantities.get(key, Decimal(0)) + quantity * factor
        return quantities

    def __add__(self, other: Workload) -> Workload:
        return Workload(_add(self.variable, other.variable), _add(self.fixed, other.fixed))


def _add(left: Mapping[ChargeKey, Decimal], right: Mapping[ChargeKey, Decimal]) -> dict[ChargeKey, Decimal]:
    total = dict(left)
    for key, quantity in right.items():
        total[key] = total.get(key, Decimal(0)) + quantity
    return total


def units_per_call(size_kb: Decimal, unit_kb: Decimal) -> Decimal:
    """Billed units for one payload: ``ceil(size / unit)``, and at least one (an empty call still counts)."""
    return max(Decimal(1), (size_kb / unit_kb).to_integral_value(rounding=ROUND_CEILING))


def request_routes(api: ApiUsage) -> tuple[RouteUsage, ...]:
    """The API's calls: as given, or for a WebSocket API one call per message of the message size."""
    if api.routes:
        return api.routes
    messages = api.websocket.messages
    if not messages:
        return ()
    size = api.websocket.message_size_kb or Decimal(0)
    return (RouteUsage("(one call per WebSocket message)", messages, size, size),)


def cache_size(api: ApiUsage, rules: PricingRules) -> Decimal | None:
    """The cache size API Gateway would provision: the requested size rounded up to an offered size."""
    if api.cache_size_gb is None:
        return None
    return rules.cache_size_at_least(api.cache_size_gb)


def cache_sizes(api: ApiUsage, rules: PricingRules) -> list[tuple[Decimal, Decimal]]:
    """Every cache of the API as (requested, provisioned) sizes: one cluster each."""
    requested = [size for size in (api.cache_size_gb, *api.more_caches_gb) if size is not None]
    return [(size, provisioned) for size in requested if (provisioned := rules.cache_size_at_least(size)) is not None]


def workload(api: ApiUsage, api_type: ApiType, rules: PricingRules, hours_per_month: Decimal) -> Workload:
    """What AWS would bill each month if ``api`` were an API of ``api_type``."""
    if api_type is ApiType.REST:
        return _rest(api, rules, hours_per_month)
    if api_type is ApiType.HTTP:
        return _http(api, rules)
    return _websocket(api, rules)


def _gb(routes: tuple[RouteUsage, ...], kb_per_gb: Decimal, with_requests: bool = False) -> Decimal:
    kilobytes = sum(
        (r.requests * (r.response_size_kb + (r.request_size_kb if with_requests else 0)) for r in routes),
        Decimal(0),
    )
    return kilobytes / kb_per_gb


def transfer_out_gb(api: ApiUsage, rules: PricingRules) -> Decimal:
    """The data the API sends out each month, the same on every type (like for like).

    Request traffic sends its responses; WebSocket traffic given as messages sends the messages
    clients receive when the usage says how many, else every message (an upper bound).
    """
    if api.routes:
        return _gb(api.routes, rules.kb_per_gb)
    size = api.websocket.message_size_kb or Decimal(0)
    outbound = api.websocket.outbound_messages
    messages = outbound if outbound is not None else api.websocket.messages or Decimal(0)
    return messages * size / rules.kb_per_gb


def _rest(api: ApiUsage, rules: PricingRules, hours: Decimal) -> Workload:
    routes = request_routes(api)
    variable = {(Meter.REST_REQUESTS, ""): sum((r.requests for r in routes), Decimal(0))}
    fixed: dict[ChargeKey, Decimal] = {}
    private = api.endpoint_type is EndpointType.PRIVATE
    if not private:
        variable[(Meter.DATA_TRANSFER_OUT, "")] = transfer_out_gb(api, rules)
    elif api.vpc_endpoint_azs:
        fixed[(Meter.VPC_ENDPOINT_HOURS, "")] = api.vpc_endpoint_azs * hours
        variable[(Meter.VPC_ENDPOINT_DATA, "")] = _gb(routes, rules.kb_per_gb, with_requests=True)
    for _, size in cache_sizes(api, rules):
        key = (Meter.CACHE, plain(size))
        fixed[key] = fixed.get(key, Decimal(0)) + hours
    return Workload(variable, fixed)


def _http(api: ApiUsage, rules: PricingRules) -> Workload:
    routes = request_routes(api)
    units = sum(
        (r.requests * units_per_call(r.request_size_kb, rules.http_unit_kb) for r in routes), Decimal(0)
    )
    # HTTP APIs have no private endpoint: as an HTTP API the traffic leaves through a Regional one.
    return Workload({(Meter.HTTP_REQUESTS, ""): units, (Meter.DATA_TRANSFER_OUT, ""): transfer_out_gb(api, rules)})


def _websocket(api: ApiUsage, rules: PricingRules) -> Workload:
    variable = {
        (Meter.WEBSOCKET_MESSAGES, ""): _message_units(api, rules),
        (Meter.DATA_TRANSFER_OUT, ""): transfer_out_gb(api, rules),
    }
    fixed: dict[ChargeKey, Decimal] = {}
    if api.websocket.connection_minutes is not None:
        fixed[(Meter.WEBSOCKET_MINUTES, "")] = api.websocket.connection_minutes
    elif api.current_type is ApiType.WEBSOCKET:
        fixed[(Meter.WEBSOCKET_MINUTES, "")] = Decimal(0)
    else:
        minutes = api.requests * api.projection.connection_minutes_per_request
        variable[(Meter.WEBSOCKET_MINUTES, "")] = minutes
    return Workload(variable, fixed)


def _message_units(api: ApiUsage, rules: PricingRules) -> Decimal:
    unit = rules.websocket_unit_kb
    given_size = api.websocket.message_size_kb
    if api.websocket.messages is not None:
        return api.websocket.messages * units_per_call(given_size or Decimal(0), unit)
    per_request = api.projection.messages_per_request
    total = Decimal(0)
    for route in api.routes:
        if given_size is not None:
            total += route.requests * per_request * units_per_call(given_size, unit)
        else:
            # The first message carries the request, the others carry replies of the response size.
            total += route.requests * (
                units_per_call(route.request_size_kb, unit)
                + (per_request - 1) * units_per_call(route.response_size_kb, unit)
            )
    return total


# --------------------------------------------------------------------------- assumptions


def describe(api: ApiUsage, rules: PricingRules) -> list[str]:
    """Every assumption the workloads of ``api`` rest on, in words, for the report."""
    notes = list(api.derivations)
    notes.extend(_payload_notes(api))
    notes.extend(_endpoint_notes(api))
    notes.extend(_cache_notes(api, rules))
    if api.current_type is ApiType.WEBSOCKET:
        notes.extend(_websocket_current_notes(api))
    else:
        notes.extend(_projection_notes(api))
    return notes


def _payload_notes(api: ApiUsage) -> list[str]:
    if not api.routes or api.current_type is ApiType.WEBSOCKET:
        return []
    notes = []
    if all(route.response_size_kb == 0 for route in api.routes):
        notes.append(f"{api.name}: no response size given, so no data transfer out is priced.")
    return notes


def _endpoint_notes(api: ApiUsage) -> list[str]:
    if api.endpoint_type is not EndpointType.PRIVATE:
        return []
    notes = [
        (
            f"{api.name}: private endpoint: as a REST API it pays no data transfer out. HTTP APIs offer no "
            "private endpoint, and the HTTP and WebSocket estimates assume a Regional endpoint that does."
        )
    ]
    if not api.vpc_endpoint_azs:
        notes.append(
            f"{api.name}: PrivateLink (VPC endpoint) charges are not included; give the endpoint's "
            "Availability Zones (--vpc-endpoint-azs, or vpc_endpoint_azs) to add them."
        )
    return notes


def _cache_notes(api: ApiUsage, rules: PricingRules) -> list[str]:
    sizes = cache_sizes(api, rules)
    if not sizes:
        return []
    notes = []
    for requested, size in sizes:
        if size != requested:
            notes.append(
                f"{api.name}: a {plain(requested)} GB cache is provisioned as {plain(size)} GB, "
                "the next size API Gateway offers."
            )
    notes.append(
        f"{api.name}: HTTP and WebSocket APIs have no API Gateway cache, so their estimates have no cache "
        "line."
    )
    return notes


def _websocket_current_notes(api: ApiUsage) -> list[str]:
    notes = []
    if api.websocket.message_size_kb is None:
        notes.append(f"{api.name}: no message size given: each message counts as one 32 KB unit.")
    if api.websocket.connection_minutes is None:
        notes.append(f"{api.name}: no connection minutes given: connection time is priced at $0.")
    if not api.routes and api.websocket.messages:
        size = plain(api.websocket.message_size_kb or Decimal(0))
        notes.append(
            f"{api.name} as a REST or HTTP API: each WebSocket message becomes one call with a {size} KB "
            f"request and a {size} KB response."
        )
    return notes


def _projection_notes(api: ApiUsage) -> list[str]:
    if not api.routes:
        return []
    projection = api.projection
    notes = []
    if api.websocket.messages is not None:
        notes.append(
            f"{api.name} as a WebSocket API: {format_quantity(api.websocket.messages)} messages a month, as "
            "given."
        )
    else:
        origin = "given" if "messages_per_request" in projection.given else "default"
        size = api.websocket.message_size_kb
        payload = (
            f"each of {plain(size)} KB"
            if size is not None
            else "the first carries the request payload, the others reply with the response payload"
        )
        notes.append(
            f"{api.name} as a WebSocket API: {plain(projection.messages_per_request)} messages per request "
            f"({origin}; {payload}); both directions are billed."
        )
    if api.websocket.connection_minutes is not None:
        notes.append(
            f"{api.name} as a WebSocket API: {format_quantity(api.websocket.connection_minutes)} connection "
            "minutes a month, as given; they do not grow with traffic."
        )
    else:
        origin = "given" if "connection_minutes_per_request" in projection.given else "default"
        minutes = projection.connection_minutes_per_request
        notes.append(
            f"{api.name} as a WebSocket API: clients stay connected {plain(minutes)} "
            f"minute{'' if minutes == 1 else 's'} per request ({origin}); give connection minutes or "
            "clients and "
            "session lengths for long-lived connections."
        )
    return notes
