"""AWS's worked pricing examples and Infracost's golden outputs, to the cent, through the command.

Every us-east-1 example runs twice: on the bundled prices and on an AWS Price List offer file.
"""

from __future__ import annotations

import pytest

from tests.cost.cost_support import OFFER_FILE, estimate_of, items, run_cost

PRICE_SOURCES = {"bundled": [], "offer-file": ["--price-list", str(OFFER_FILE)]}


@pytest.fixture(params=sorted(PRICE_SOURCES))
def prices(request: pytest.FixtureRequest) -> list[str]:
    return ["--region", "us-east-1", *PRICE_SOURCES[request.param]]


def cost_json(prices: list[str], *args: str) -> dict:
    return run_cost(*prices, *args, "--format", "json").json()


def test_http_example_1_serverless_web_application(prices: list[str]) -> None:
    # 10,000 page loads a minute for a 30-day month; 12 KB requests are one 512 KB unit each.
    report = cost_json(prices, "--api-type", "http", "--requests", "432M", "--request-size-kb", "12")
    http = estimate_of(report, "http")
    assert http["monthly_usd"] == 418.80
    assert http["line_items"][0]["tiers"] == [
        {
            "tier": "first 300M",
            "quantity": 300000000,
            "usd_per_unit": "0.000001",
            "usd": 300.00,
            "status": "confirmed",
        },
        {
            "tier": "over 300M",
            "quantity": 132000000,
            "usd_per_unit": "0.0000009",
            "usd": 118.80,
            "status": "confirmed",
        },
    ]
    assert report["current_type"] == "http" and report["cheapest"] == "http"


def test_http_example_2_uploads_are_metered_in_512_kb_units(prices: list[str]) -> None:
    # 25 uploads a minute for 30 days = 1,080,000 calls of 4.5 MB (4608 KB) = 9 units each.
    report = cost_json(prices, "--api-type", "http", "--requests", "1.08M", "--request-size-kb", "4608")
    requests = estimate_of(report, "http")["line_items"][0]
    assert requests["quantity"] == 9720000
    assert requests["usd"] == 9.72
    assert estimate_of(report, "http")["monthly_usd"] == 9.72


def test_rest_example_1_five_million_calls_with_3_kb_responses(prices: list[str]) -> None:
    report = cost_json(prices, "--requests", "5000000", "--response-size-kb", "3")
    rest = estimate_of(report, "rest")
    assert items(rest) == {"requests": 17.50, "data_transfer_out": 1.29}
    assert rest["monthly_usd"] == 18.79
    assert rest["line_items"][1]["quantity"] == 14.30511474609375


def test_rest_example_2_fifteen_billion_calls_follow_the_transfer_tiers(prices: list[str]) -> None:
    report = cost_json(prices, "--requests", "15B", "--response-size-kb", "4")
    rest = estimate_of(report, "rest")
    requests, transfer = rest["line_items"]
    assert [tier["usd"] for tier in requests["tiers"]] == [1165.50, 1867.60, 33320.00]
    assert requests["usd"] == 36353.10
    # AWS's example charges 57,220.46 GB flat at $0.09 ($5,149.84); the tiers give $4,824.63.
    assert transfer["quantity"] == 57220.458984375
    assert [tier["usd"] for tier in transfer["tiers"]] == [921.60, 3481.60, 421.43]
    assert transfer["usd"] == 4824.63
    assert rest["monthly_usd"] == 41177.73


def test_rest_example_3_private_api_pays_privatelink_not_data_transfer(prices: list[str]) -> None:
    report = cost_json(
        prices,
        "--endpoint-type",
        "private",
        "--requests",
        "5M",
        "--request-size-kb",
        "0.3",
        "--response-size-kb",
        "3",
        "--vpc-endpoint-azs",
        "1",
        "--hours-per-month",
        "720",
    )
    rest = estimate_of(report, "rest")
    assert items(rest) == {"requests": 17.50, "vpc_endpoint_hours": 7.20, "vpc_endpoint_data": 0.16}
    assert rest["monthly_usd"] == 24.86
    assert estimate_of(report, "http")["available"] is False


def test_rest_example_4_cache_for_a_day_and_a_month(prices: list[str]) -> None:
    # "If your API needs 1.5 GB of cache ... provision a 1.6 GB cache at $0.038/hr. $0.038 * 24 = $0.912/day"
    day = estimate_of(cost_json(prices, "--cache-size-gb", "1.5", "--hours-per-month", "24"), "rest")
    cache = day["line_items"][1]
    assert (cache["label"], cache["quantity"], cache["usd_exact"], cache["usd"]) == (
        "cache (1.6 GB)",
        24,
        "0.912",
        0.91,
    )
    month = estimate_of(cost_json(prices, "--cache-size-gb", "1.6"), "rest")
    assert items(month)["cache (1.6 GB)"] == 27.74


def test_websocket_chat_example(prices: list[str]) -> None:
    report = cost_json(
        prices,
        "--api-type",
        "websocket",
        "--messages",
        "18M",
        "--message-size-kb",
        "3",
        "--connection-minutes",
        "21.6M",
    )
    websocket = estimate_of(report, "websocket")
    # AWS's $18.00 + $5.40 = $23.40, and the data transfer every type carries (AWS's example leaves it
    # out): 18M messages x 3 KB = 51.50 GB at $0.09.
    assert items(websocket) == {"messages": 18.00, "connection_minutes": 5.40, "data_transfer_out": 4.63}
    assert websocket["monthly_usd"] == 28.03
    assert items(estimate_of(report, "http"))["data_transfer_out"] == 4.63


def test_websocket_chat_example_from_clients_in_a_usage_file(prices: list[str]) -> None:
    report = cost_json(prices, "--usage", "fixtures/cost/usage/aws-chat.yaml")
    websocket = estimate_of(report, "websocket")
    # AWS's $23.40; the clients receive 500 of their 600 daily messages, so 15M x 3 KB leave the API.
    assert [(i["item"], i["quantity"], i["usd"]) for i in websocket["line_items"]] == [
        ("messages", 18000000, 18.00),
        ("connection_minutes", 21600000, 5.40),
        ("data_transfer_out", 15_000_000 * 3 / 1024 / 1024, 3.86),
    ]
    assert report["current_monthly_usd"] == 27.26


def test_infracost_rest_api_golden_21_billion_requests(prices: list[str]) -> None:
    rest = estimate_of(cost_json(prices, "--requests", "21000000000"), "rest")
    assert [(t["tier"], t["usd"]) for t in rest["line_items"][0]["tiers"]] == [
        ("first 333M", 1165.50),
        ("next 667M", 1867.60),
        ("next 19B", 45220.00),
        ("over 20B", 1510.00),
    ]
    assert rest["monthly_usd"] == 49763.10


def test_infracost_stage_golden_two_caches(prices: list[str]) -> None:
    report = cost_json(prices, "--usage", "fixtures/cost/usage/infracost-stage.yaml")
    small, large = report["apis"]
    assert items(estimate_of(small, "rest")) == {"requests": 0.0, "cache (0.5 GB)": 14.60}
    assert items(estimate_of(large, "rest")) == {"requests": 0.0, "cache (237 GB)": 2774.00}
    assert report["current_monthly_usd"] == 2788.60


def test_infracost_apigatewayv2_golden(prices: list[str]) -> None:
    report = cost_json(prices, "--usage", "fixtures/cost/usage/infracost-v2.yaml")
    http_api, websocket_api = report["apis"]
    http = estimate_of(http_api, "http")
    assert [t["usd"] for t in http["line_items"][0]["tiers"]] == [300.00, 630.00]
    assert http["monthly_usd"] == 930.00
    websocket = estimate_of(websocket_api, "websocket")
    assert [t["usd"] for t in websocket["line_items"][0]["tiers"]] == [1000.00, 400.00]
    # Infracost's $1,400.00 + $2.50; apilint adds the data transfer of 1.5B 32 KB messages (45.8 TB:
    # 10 TB at $0.09, 35.8 TB at $0.085), which Infracost does not model for any type.
    assert items(websocket) == {"messages": 1400.00, "connection_minutes": 2.50, "data_transfer_out": 3942.19}
    assert websocket["monthly_usd"] == 5344.69
    assert report["current_type"] is None
    assert report["current_monthly_usd"] == 930.00 + 5344.69


@pytest.mark.parametrize(
    ("args", "api_type", "expected"),
    [
        # AWS Pricing Calculator estimate pasted in podaac/hydrocron issue 186.
        (["--requests", "1.8B"], "rest", 4937.10),
        # The 1B-request bands quoted for REST and HTTP in terrapod's pricing generator.
        (["--requests", "1B"], "rest", 3033.10),
        (["--requests", "1B", "--api-type", "http"], "http", 930.00),
        # An older HTTP example quoted by a third party (5,000 calls a minute for 30 days), not on AWS's page.
        (["--requests", "216M", "--api-type", "http"], "http", 216.00),
    ],
)
def test_other_published_figures(prices: list[str], args: list[str], api_type: str, expected: float) -> None:
    assert estimate_of(cost_json(prices, *args), api_type)["monthly_usd"] == expected


def test_seoul_websocket_tiers() -> None:
    # A unit test over the Seoul price list: 1.1B messages = 1,000 x $1.14 + 100 x $0.94 = $1,234.
    report = run_cost(
        "--region", "ap-northeast-2", "--api-type", "websocket", "--messages", "1.1B", "-f", "json"
    ).json()
    assert estimate_of(report, "websocket")["monthly_usd"] == 1234.00


def test_us_west_2_cache_bill() -> None:
    # A Cost and Usage Report line: USW2-ApiGatewayCacheUsage:0.5GB, 743.93 hours, $14.88.
    report = run_cost(
        "--region", "us-west-2", "--cache-size-gb", "0.5", "--hours-per-month", "743.93", "-f", "json"
    ).json()
    assert items(estimate_of(report, "rest"))["cache (0.5 GB)"] == 14.88
