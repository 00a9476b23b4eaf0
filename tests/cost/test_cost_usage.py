"""Usage input: counts such as 432M, the quick-case flags, and usage files with positioned errors."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apilint.cost.errors import CostError
from apilint.cost.money import compact
from apilint.cost.usage import ApiUsage, RouteUsage, WebSocketUsage, load_usage_file, parse_quantity
from apilint.model import ApiType, EndpointType
from tests.cost.cost_support import FIXTURES, REPO, run_cost


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5000000", 5_000_000),
        ("5,000,000", 5_000_000),
        ("5_000_000", 5_000_000),
        ("432M", 432_000_000),
        ("1.08M", 1_080_000),
        ("15B", 15_000_000_000),
        ("750K", 750_000),
        ("21.6M", 21_600_000),
        (" 2T ", 2_000_000_000_000),
        ("432m", 432_000_000),
        (".5M", 500_000),
        (0, 0),
        (1.5e6, 1_500_000),
    ],
)
def test_counts(text: object, expected: int) -> None:
    assert parse_quantity(text, "--requests") == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12X", "--requests: expected a count such as 5000000, 432M, 1.08M or 15B, got '12X'"),
        ("-5", "--requests: expected a count such as 5000000, 432M, 1.08M or 15B, got '-5'"),
        ("1e6", "--requests: expected a count such as 5000000, 432M, 1.08M or 15B, got '1e6'"),
        ("5,00", "--requests: expected a count such as 5000000, 432M, 1.08M or 15B, got '5,00'"),
        ("", "--requests: expected a count such as 5000000, 432M, 1.08M or 15B, got ''"),
        ("1.5", "--requests: 1.5 is not a whole number"),
        (True, "--requests: expected a count such as 5000000, 432M, 1.08M or 15B, got True"),
    ],
)
def test_bad_counts(text: object, message: str) -> None:
    with pytest.raises(CostError) as error:
        parse_quantity(text, "--requests")
    assert str(error.value) == message


def test_fractional_counts_where_allowed() -> None:
    assert parse_quantity("1.5", "--connection-minutes", whole=False) == Decimal("1.5")


@given(st.integers(min_value=0, max_value=10**15))
def test_every_count_survives_its_short_form(number: int) -> None:
    assert parse_quantity(compact(Decimal(number)), "n") == number
    assert parse_quantity(f"{number:,}", "n") == number


def test_review_usage_file() -> None:
    profile = load_usage_file(FIXTURES / "usage" / "review.yaml")
    assert profile.region == "us-east-1"
    assert profile.hours_per_month is None and profile.free_tier is None
    orders, notifications = profile.apis
    assert orders == ApiUsage(
        name="orders",
        current_type=ApiType.REST,
        routes=(
            RouteUsage("GET /orders", Decimal(300_000_000), Decimal(2), Decimal(40)),
            RouteUsage("POST /orders", Decimal(90_000_000), Decimal(12), Decimal(8)),
            RouteUsage("GET /orders/{id}", Decimal(42_000_000), Decimal(2), Decimal(8)),
        ),
        by_route=True,
        cache_size_gb=Decimal("0.5"),
        definition="orders.yaml",
        type_given=True,
    )
    assert notifications.current_type is ApiType.WEBSOCKET
    # 500 of each client's 600 daily messages are received: they are what the API sends out.
    assert notifications.websocket == WebSocketUsage(
        Decimal(18_000_000), Decimal(3), Decimal(21_600_000), Decimal(15_000_000)
    )
    assert notifications.derivations == (
        (
            "notifications: connection minutes = 1,000 clients x 1 session a day x 720 minutes x 30 days = "
            "21,600,000."
        ),
        "notifications: messages = (100 sent + 500 received a day) x 1,000 clients x 30 days = 18,000,000.",
    )
    assert orders.requests == Decimal(432_000_000)
    assert EndpointType.PRIVATE not in {orders.endpoint_type, notifications.endpoint_type}


BAD_FILES = sorted((FIXTURES / "usage" / "bad").glob("*.yaml"))


@pytest.mark.parametrize("path", BAD_FILES, ids=[path.stem for path in BAD_FILES])
def test_bad_usage_files_name_the_line(path) -> None:
    """Each file in fixtures/cost/usage/bad says what apilint must report with ``# expect: line:col: "
    "message``."""
    relative = path.relative_to(REPO)
    expected = [
        f"apilint: error: {relative}:{match.group(1)}"
        for match in re.finditer(r"^# expect: (.*)$", path.read_text(), flags=re.MULTILINE)
    ]
    assert expected, f"{relative} has no '# expect:' line"
    run = run_cost("--usage", str(relative))
    assert (run.exit_code, run.stdout, run.stderr.splitlines()) == (2, "", expected)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--requests", "12X"],
            "--requests: expected a count such as 5000000, 432M, 1.08M or 15B, got '12X'",
        ),
        (
            ["--requests", "5M", "--api-type", "graphql"],
            "--api-type: expected one of rest, http, websocket, got 'graphql'",
        ),
        (
            ["--requests", "5M", "--endpoint-type", "public"],
            "--endpoint-type: expected one of edge, regional, private, got 'public'",
        ),
        (
            ["--requests", "5M", "--request-size-kb", "20000"],
            (
                "API: request size 20000 KB of (all routes) is over the 10240 KB (10 MB) payload limit of "
                "REST "
                "and HTTP APIs"
            ),
        ),
        (
            ["--api-type", "websocket", "--messages", "5M", "--message-size-kb", "129"],
            "API: message size 129 KB is over the 128 KB limit of WebSocket messages",
        ),
        (["--response-size-kb", "3"], "--request-size-kb and --response-size-kb need --requests"),
        (
            ["--cache-size-gb", "300"],
            "API: cache size 300 GB is larger than the largest API Gateway cache (237 GB)",
        ),
        (["--cache-size-gb", "0"], "--cache-size-gb: expected a positive number, got '0'"),
        (
            ["--requests", "5M", "--request-size-kb", "big"],
            "--request-size-kb: expected a number such as 12 or 0.5, got 'big'",
        ),
        (
            ["--requests", "5M", "--messages-per-request", "0.5"],
            "--messages-per-request: expected at least 1 (the message that carries the request), got 0.5",
        ),
        (
            ["--requests", "5M", "--hours-per-month", "0"],
            "--hours-per-month: expected a positive number, got '0'",
        ),
        ([], "no usage given: pass --requests (or --messages for a WebSocket API), or --usage FILE"),
        (
            ["--usage", "fixtures/cost/usage/aws-chat.yaml", "--requests", "5M", "--api-type", "rest"],
            "--api-type, --requests cannot be combined with --usage; describe the traffic in the usage file",
        ),
        (
            ["--usage", "fixtures/cost/usage/missing.yaml"],
            "cannot read usage file fixtures/cost/usage/missing.yaml: No such file or directory",
        ),
        (
            ["--requests", "5M", "--format", "xml"],
            "--format: expected one of text, json, markdown, got 'xml'",
        ),
        (["--requests", "5M", "missing.yaml"], "missing.yaml: no such file or directory"),
    ],
)
def test_bad_flags_exit_2_with_one_line(args: list[str], message: str) -> None:
    run = run_cost(*args)
    assert (run.exit_code, run.stdout, run.stderr) == (2, "", f"apilint: error: {message}\n")


def test_clients_and_sessions_as_flags() -> None:
    """AWS's chat example from flags alone: 1,000 clients, 12-hour sessions, 100 sent and 500 received a day."""
    from tests.cost.cost_support import estimate_of, items

    run = run_cost(
        "--api-type", "websocket", "--clients", "1000", "--session-minutes", "720",
        "--messages-sent-per-day", "100", "--messages-received-per-day", "500", "--message-size-kb", "3",
        "--format", "json",
    )
    report = run.json()
    websocket = estimate_of(report, "websocket")
    assert [(i["item"], i["quantity"]) for i in websocket["line_items"]][:2] == [
        ("messages", 18_000_000),
        ("connection_minutes", 21_600_000),
    ]
    assert items(websocket)["messages"] == 18.00 and items(websocket)["connection_minutes"] == 5.40
    assert (
        "API: connection minutes = 1,000 clients x 1 session a day x 720 minutes x 30 days = 21,600,000."
        in report["assumptions"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--clients", "1000"], "--clients needs --session-minutes (how long each client stays connected)"),
        (["--requests", "5M", "--session-minutes", "5"], "--session-minutes describe WebSocket clients: give --clients too"),
        (
            ["--clients", "10", "--session-minutes", "5", "--connection-minutes", "9"],
            "give --connection-minutes or --clients, not both",
        ),
    ],
)
def test_client_flags_that_do_not_add_up(args: list[str], message: str) -> None:
    run = run_cost(*args)
    assert (run.exit_code, run.stdout, run.stderr) == (2, "", f"apilint: error: {message}\n")
