"""The estimate as pure functions: tiers, metering, free tier, blockers, break-even and the route split."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apilint.cost.advisor import split_routes
from apilint.cost.blockers import ApiBlockers, Blocker
from apilint.cost.estimate import estimate, estimate_api
from apilint.cost.metering import API_TYPES, units_per_call, workload
from apilint.cost.prices import Meter, Provenance, Tier, TieredPrice, load_bundled
from apilint.cost.pricing import EstimateOptions, price_quantities, price_tiers
from apilint.cost.usage import ApiUsage, RouteUsage, WebSocketUsage
from apilint.model import ApiType, EndpointType

BOOK = load_bundled("us-east-1")
OPTIONS = EstimateOptions()
D = Decimal


def test_tiers_are_graduated_like_infracosts_buckets() -> None:
    # Infracost's tier buckets: 150 requests with tiers [first 10, next 90] give [10, 90, 50];
    # 99 requests give [10, 89, 0].
    provenance = Provenance("confirmed", ())
    price = TieredPrice(
        Meter.REST_REQUESTS,
        "request",
        (
            Tier(D(0), D(10), D(3), provenance),
            Tier(D(10), D(100), D(2), provenance),
            Tier(D(100), None, D(1), provenance),
        ),
    )
    assert [(c.label, c.quantity, c.usd) for c in price_tiers(price, D(150))] == [
        ("first 10", 10, 30),
        ("next 90", 90, 180),
        ("over 100", 50, 50),
    ]
    assert [c.quantity for c in price_tiers(price, D(99))] == [10, 89]
    assert price_tiers(price, D(0)) == ()


@pytest.mark.parametrize(
    ("size_kb", "unit_kb", "units"),
    [
        (0, 512, 1),
        (12, 512, 1),
        (512, 512, 1),
        (513, 512, 2),
        (4608, 512, 9),
        (3, 32, 1),
        (32, 32, 1),
        (33, 32, 2),
        (128, 32, 4),
        (D("0.3"), 32, 1),
    ],
)
def test_units_per_call(size_kb: object, unit_kb: int, units: int) -> None:
    assert units_per_call(D(size_kb), D(unit_kb)) == units


def test_free_tier_only_when_asked() -> None:
    api = ApiUsage("api", routes=(RouteUsage("(all routes)", D(5_000_000)),))
    quantities = workload(api, ApiType.REST, BOOK.rules, D(730)).at()
    assert price_quantities(BOOK, quantities, OPTIONS).total == D("17.5")
    with_free = price_quantities(BOOK, quantities, EstimateOptions(free_tier=True))
    assert with_free.total == D("14.0")
    assert with_free.line_items[0].free_quantity == 1_000_000
    chat = ApiUsage("chat", ApiType.WEBSOCKET, websocket=WebSocketUsage(D(18_000_000), D(3), D(21_600_000)))
    result = estimate(BOOK, [chat], EstimateOptions(free_tier=True))
    websocket = result.total.of(ApiType.WEBSOCKET)
    # 1M messages and 750K minutes free; the 51.5 GB of data transfer are not part of the free tier.
    assert [(item.item, item.usd) for item in websocket.priced.line_items] == [
        ("messages", D("17.0")),
        ("connection_minutes", D("5.2125")),
        ("data_transfer_out", D(18_000_000 * 3) / 1024 / 1024 * D("0.09")),
    ]


def test_quantities_beyond_known_tiers_are_not_priced() -> None:
    paris = load_bundled("eu-west-3")
    api = ApiUsage("api", ApiType.HTTP, routes=(RouteUsage("(all routes)", D(400_000_000)),))
    result = estimate(paris, [api], OPTIONS)
    http = result.total.of(ApiType.HTTP)
    assert http.monthly_usd is None
    assert http.priced.missing == (
        (
            "no HTTP API requests beyond the first 300M a month price for eu-west-3 in bundled price data "
            "(eu-west-3.json)"
        ),
    )
    assert result.total.of(ApiType.REST).priced.missing == (
        "no REST API requests price for eu-west-3 in bundled price data (eu-west-3.json)",
    )
    assert result.total.cheapest is None


def test_blocked_type_is_unavailable_and_never_cheapest() -> None:
    api = ApiUsage("orders", routes=(RouteUsage("(all routes)", D(5_000_000), D(0), D(3)),))
    blocker = Blocker("api-keys", "HTTP APIs have no API keys", "orders.yaml", 12)
    blockers = {"orders": ApiBlockers({ApiType.HTTP: (blocker,)})}
    result = estimate(BOOK, [api], OPTIONS, blockers)
    http = result.total.of(ApiType.HTTP)
    assert (http.available, http.monthly_usd.quantize(D("0.01"))) == (False, D("6.29"))
    assert http.blocked_by == (Blocker("api-keys", "HTTP APIs have no API keys", "orders.yaml", 12),)
    assert result.total.cheapest is ApiType.WEBSOCKET
    # REST $18.79 against WebSocket $11.25 + the same $1.29 of data transfer.
    assert result.total.savings_usd.quantize(D("0.01")) == D("6.25")


def test_private_endpoint_blocks_http_and_drops_data_transfer() -> None:
    api = ApiUsage(
        "internal",
        endpoint_type=EndpointType.PRIVATE,
        routes=(RouteUsage("(all routes)", D(5_000_000), D("0.3"), D(3)),),
    )
    result = estimate(BOOK, [api], OPTIONS)
    rest, http = result.total.of(ApiType.REST), result.total.of(ApiType.HTTP)
    assert [item.item for item in rest.priced.line_items] == ["requests"]
    assert [b.feature for b in http.blocked_by] == ["private-endpoint"]
    assert [item.item for item in http.priced.line_items] == ["requests", "data_transfer_out"]
    assert (
        "internal: PrivateLink (VPC endpoint) charges are not included; give the endpoint's Availability "
        "Zones (--vpc-endpoint-azs, or vpc_endpoint_azs) to add them." in result.assumptions
    )


def test_projection_onto_websocket() -> None:
    # One message carries each 2 KB request, one more replies with the 40 KB response (2 units).
    api = ApiUsage("orders", routes=(RouteUsage("GET /orders", D(1_000_000), D(2), D(40)),))
    quantities = workload(api, ApiType.WEBSOCKET, BOOK.rules, D(730)).at()
    assert quantities == {
        (Meter.WEBSOCKET_MESSAGES, ""): 3_000_000,
        (Meter.WEBSOCKET_MINUTES, ""): 1_000_000,
        # The same 40 KB responses leave the API as on REST and HTTP.
        (Meter.DATA_TRANSFER_OUT, ""): D(40_000_000) / 1024 / 1024,
    }


def test_break_even_of_the_chat_example() -> None:
    chat = ApiUsage("chat", ApiType.WEBSOCKET, websocket=WebSocketUsage(D(18_000_000), D(3), D(21_600_000)))
    points = estimate(BOOK, [chat], OPTIONS).total.break_even
    # REST: 67.634857...k dollars, HTTP: 22.634857...k, WebSocket: 18k + 5.40 (fixed connection minutes).
    assert [
        (p.cheaper_below, p.cheaper_above, p.traffic.to_integral_value(), p.monthly_usd.quantize(D("0.01")))
        for p in points
    ] == [
        # Every type carries the same data transfer, so it cancels out of each crossing:
        # REST 3.50x = WebSocket 1.00x + $5.40 at x = 2.16M messages ($7.56 + $0.56 of data transfer).
        (ApiType.REST, ApiType.WEBSOCKET, 2_160_000, D("8.12")),
        # At 1B messages HTTP costs $930.00 and WebSocket $1,005.40; past 1B WebSocket messages cost
        # $0.80/M against HTTP's $0.90/M, which closes the $75.40 gap 754M later: 1.754B messages.
        (ApiType.HTTP, ApiType.WEBSOCKET, 1_754_000_000, D("2060.24")),
    ]


def test_no_break_even_when_one_type_is_always_cheaper() -> None:
    api = ApiUsage(
        "orders", routes=(RouteUsage("(all routes)", D(5_000_000), D(0), D(3)),), cache_size_gb=D("0.5")
    )
    points = estimate_api(BOOK, api, OPTIONS).comparison.break_even
    assert [(p.cheaper_below, p.cheaper_above) for p in points] == []


@settings(max_examples=40, deadline=None)
@given(
    requests=st.integers(min_value=1, max_value=30_000_000_000),
    response_kb=st.integers(min_value=0, max_value=300),
    minutes=st.integers(min_value=0, max_value=5_000_000_000),
    cache=st.sampled_from([None, D("0.5"), D("237")]),
)
def test_break_even_points_are_where_costs_meet(requests: int, response_kb: int, minutes: int, cache) -> None:
    api = ApiUsage(
        "api",
        routes=(RouteUsage("(all routes)", D(requests), D(1), D(response_kb)),),
        cache_size_gb=cache,
        websocket=WebSocketUsage(connection_minutes=D(minutes)),
    )
    loads = {t: workload(api, t, BOOK.rules, D(730)) for t in API_TYPES}
    for point in estimate_api(BOOK, api, OPTIONS).comparison.break_even:
        below = price_quantities(BOOK, loads[point.cheaper_below].at(point.factor), OPTIONS).total
        above = price_quantities(BOOK, loads[point.cheaper_above].at(point.factor), OPTIONS).total
        assert abs(below - above) < D("0.000001")
        nudge = point.factor * D("0.001")
        cost = lambda t, k: price_quantities(BOOK, loads[t].at(k), OPTIONS).total
        assert cost(point.cheaper_below, point.factor - nudge) <= cost(
            point.cheaper_above, point.factor - nudge
        )
        assert cost(point.cheaper_above, point.factor + nudge) <= cost(
            point.cheaper_below, point.factor + nudge
        )


ROUTES = (
    RouteUsage("GET /orders", D(300_000_000), D(2), D(40)),
    RouteUsage("POST /orders", D(90_000_000), D(12), D(8)),
    RouteUsage("GET /orders/{id}", D(42_000_000), D(2), D(8)),
)


def test_route_split_moves_routes_without_blockers() -> None:
    validation = Blocker("request-validation", "HTTP APIs do not validate requests", "orders.yaml", 17)
    template = ApiUsage("orders", cache_size_gb=D("0.5"))
    split = split_routes(ROUTES, {"POST /orders": [validation], "GET /orders": []}, BOOK, OPTIONS, template)
    assert [route.route for route in split.movable] == ["GET /orders", "GET /orders/{id}"]
    assert [(route.route, blockers) for route, blockers in split.staying] == [("POST /orders", (validation,))]
    # All REST: 432M calls $1,442.70 + 12,451.17 GB $1,109.549609375 + cache $14.60.
    assert split.rest_only.total == D("2566.849609375")
    # Split: REST 90M calls $315.00 + HTTP 342M calls $337.80 + the same data transfer + cache $14.60.
    assert split.split.total == D("1776.949609375")
    assert split.savings_usd == D("789.9")


def test_route_split_when_every_route_can_move_drops_the_cache() -> None:
    split = split_routes(ROUTES, {}, BOOK, OPTIONS, ApiUsage("orders", cache_size_gb=D("0.5")))
    assert [item.item for item in split.split.line_items] == ["requests", "data_transfer_out"]
    assert split.split.total == D("418.8") + D("1109.549609375")
