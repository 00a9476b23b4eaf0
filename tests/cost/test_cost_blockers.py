"""Blocking features through the command: the hook into the linter core, and what it changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from apilint.cost import blockers as blockers_module
from tests.cost.cost_support import estimate_of, run_cost

VALIDATION = {
    "feature": "request-validation",
    "message": "HTTP APIs do not validate requests",
    "file": "fixtures/cost/usage/orders.yaml",
    "line": 17,
}


def fake_core(result: dict[str, Any]):
    """Stand in for the linter core's ``blockers_for_paths``: record the paths, return ``result``."""
    seen: list[list[Path]] = []

    def hook(paths):
        seen.append(list(paths))
        return result

    hook.seen = seen  # type: ignore[attr-defined]
    return hook


def test_without_definitions_nothing_is_blocked() -> None:
    report = run_cost("--requests", "5M", "-f", "json").json()
    assert [e["available"] for e in report["estimates"]] == [True, True, True]
    assert report["assumptions"][0] == (
        "No region given (--region, usage file, AWS_REGION): us-east-1 is priced."
    )
    assert report["assumptions"][1] == (
        "No definition given: blocking features were not checked; every API type counts as available."
    )


def test_real_definition_blocks_http_with_positions() -> None:
    """API keys on the SAM example's REST API keep it from moving to an HTTP API."""
    report = run_cost(
        "--requests", "5M", "--region", "us-east-1", "fixtures/examples/payments-sam/template.yaml", "-f", "json"
    ).json()
    by_type = {e["api_type"]: e for e in report["estimates"]}
    assert by_type["rest"]["available"] is True
    assert by_type["http"]["available"] is False
    blockers = [(b["feature"], b["file"], b["line"]) for b in by_type["http"]["blocked_by"]]
    template = "fixtures/examples/payments-sam/template.yaml"
    assert blockers == [("edge-endpoint", template, 10), ("api-keys", template, 35)]


def test_flags_with_a_definition_take_its_blockers_and_type(monkeypatch: pytest.MonkeyPatch) -> None:
    hook = fake_core(
        {
            "fixtures/cost/usage/orders.yaml": {
                "current_type": "http",
                "api_types": {"rest": [], "websocket": [VALIDATION]},
            }
        }
    )
    monkeypatch.setattr(blockers_module, "blockers_for_paths", hook)
    report = run_cost(
        "--requests", "5M", "--region", "us-east-1", "fixtures/cost/usage/orders.yaml", "-f", "json"
    ).json()
    assert hook.seen == [[Path("fixtures/cost/usage/orders.yaml")]]
    assert report["current_type"] == "http"
    websocket = estimate_of(report, "websocket")
    assert (websocket["available"], websocket["blocked_by"]) == (False, [VALIDATION])
    assert report["cheapest"] == "http" and report["savings"] == {"api_type": "http", "monthly_usd": 0.0}


def test_usage_file_routes_with_blockers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        blockers_module,
        "blockers_for_paths",
        fake_core(
            {
                "fixtures/cost/usage/orders.yaml": {
                    "api_types": {"http": [VALIDATION]},
                    "routes": {"POST /orders": [VALIDATION], "GET /orders": []},
                }
            }
        ),
    )
    report = run_cost(
        "--usage", "fixtures/cost/usage/review.yaml", "fixtures/cost/usage/orders.yaml", "-f", "json"
    ).json()
    orders, notifications = report["apis"]
    assert estimate_of(orders, "http")["available"] is False
    assert orders["cheapest"] == "websocket"
    split = orders["route_split"]
    assert split["movable_routes"] == ["GET /orders", "GET /orders/{id}"]
    assert split["staying_routes"] == [{"route": "POST /orders", "blocked_by": [VALIDATION]}]
    assert (split["rest_only_monthly_usd"], split["split_monthly_usd"], split["savings_monthly_usd"]) == (
        2566.85,
        1776.95,
        789.90,
    )
    assert notifications["route_split"] is None
    assert (
        "notifications: no definition of it was passed, so its blocking features were not checked."
        in report["assumptions"]
    )
    # A type blocked for one API is blocked for all of them together.
    assert estimate_of(report, "http")["blocked_by"] == [VALIDATION]
    assert report["current_monthly_usd"] == 2590.25
