"""What users see: the text (default, --details, --brief), JSON and Markdown reports, pinned as
snapshots, and --output.

Run with APILINT_UPDATE_SNAPSHOTS=1 to rewrite the snapshots after an intended change, then review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cost.cost_support import REPO, run_cost

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SCENARIOS = {
    "rest-5m": ["--region", "us-east-1", "--requests", "5M", "--response-size-kb", "3"],
    "chat": [
        "--region",
        "us-east-1",
        "--api-type",
        "websocket",
        "--messages",
        "18M",
        "--message-size-kb",
        "3",
        "--connection-minutes",
        "21.6M",
    ],
    # The usage file names orders.yaml (definition:), which the check engine models for real.
    "review": ["--usage", "fixtures/cost/usage/review.yaml"],
    "free-tier": ["--region", "us-east-1", "--requests", "20M", "--cache-size-gb", "6", "--free-tier"],
}
SUFFIXES = {"text": "txt", "json": "json", "markdown": "md", "details": "details.txt", "brief": "brief.txt"}
VIEWS = {"details": ["--details"], "brief": ["--brief"]}
@pytest.mark.parametrize("output_format", sorted(SUFFIXES))
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_snapshot(scenario: str, output_format: str) -> None:
    view = VIEWS.get(output_format, ["--format", output_format])
    run = run_cost(*SCENARIOS[scenario], *view)
    assert (run.exit_code, run.stderr) == (0, "")
    path = SNAPSHOTS / f"{scenario}.{SUFFIXES[output_format]}"
    if os.environ.get("APILINT_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(run.stdout)
    assert run.stdout == path.read_text()


def test_json_shape() -> None:
    report = json.loads((SNAPSHOTS / "rest-5m.json").read_text())
    assert {"region", "prices_as_of", "assumptions", "estimates"} <= set(report)
    assert [e["api_type"] for e in report["estimates"]] == ["rest", "http", "websocket"]
    for estimate in report["estimates"]:
        assert {"api_type", "monthly_usd", "available", "blocked_by", "line_items"} <= set(estimate)
        for item in estimate["line_items"]:
            assert {"item", "quantity", "unit", "usd"} <= set(item)
            assert item["item"] in {
                "requests",
                "data_transfer_out",
                "cache",
                "messages",
                "connection_minutes",
            }


def test_markdown_has_a_mermaid_chart_of_the_three_types() -> None:
    markdown = (SNAPSHOTS / "rest-5m.md").read_text()
    start = markdown.index("```mermaid")
    chart = markdown[start : markdown.index("```", start + 3) + 3].splitlines()
    assert chart == [
        "```mermaid",
        "xychart-beta",
        '    title "Monthly cost by API type"',
        (
            '    x-axis "requests per month" '
            '["0", "1.25M", "2.5M", "3.75M", "5M", "6.25M", "7.5M", "8.75M", "10M"]'
        ),
        '    y-axis "USD per month" 0 --> 38',
        "    line [0.00, 4.70, 9.39, 14.09, 18.79, 23.48, 28.18, 32.88, 37.57]",
        "    line [0.00, 1.57, 3.14, 4.72, 6.29, 7.86, 9.43, 11.00, 12.57]",
        # WebSocket carries the same data transfer as REST and HTTP: $11.25 + $1.29 at 5M.
        "    line [0.00, 3.13, 6.27, 9.40, 12.54, 15.67, 18.81, 21.94, 25.07]",
        "```",
    ]


def test_unconfirmed_prices_are_marked() -> None:
    text = (SNAPSHOTS / "free-tier.txt").read_text()
    assert "UNCONFIRMED price used: cache 6.1 GB at $0.20 per hour (Undated secondary notes only.)" in text


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "cost.md"
    run = run_cost(*SCENARIOS["rest-5m"], "--format", "markdown", "--output", str(target))
    assert (run.exit_code, run.stdout, run.stderr) == (0, "", "")
    assert target.read_text() == (SNAPSHOTS / "rest-5m.md").read_text()


def test_a_one_number_question_gets_a_short_answer() -> None:
    """The default text view fits a terminal: under 40 lines, none wider than 100 characters."""
    lines = run_cost("--requests", "5M").stdout.splitlines()
    assert len(lines) < 40 and max(map(len, lines)) <= 100
    assert "Cheapest available: HTTP at $5.00 a month, saving $12.50 a month against REST (current)." in lines
    brief = run_cost("--requests", "5M", "--brief").stdout
    assert brief == (
        "REST       $17.50  current\n"
        "HTTP        $5.00  cheapest available, saves $12.50 a month\n"
        "WebSocket  $11.25  available, saves $6.25 a month\n"
    )


def test_the_report_names_the_folder_it_priced(monkeypatch) -> None:
    """``apilint cost .`` names the working directory, as a reviewer knows the project."""
    project = REPO / "fixtures" / "terraform" / "project"
    monkeypatch.chdir(project)
    text = run_cost(".", "--requests", "10M").stdout
    assert text.splitlines()[2] == "== project =="
    assert run_cost("infra", "--requests", "10M").stdout.splitlines()[2] == "== infra =="
