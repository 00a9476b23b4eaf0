"""Helpers for the ``apilint cost`` tests: run the command as a user would, read its JSON."""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass
from typing import Any

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "cost"
OFFER_FILE = FIXTURES / "price-lists" / "AmazonApiGateway-fixture.json"


@dataclass
class Run:
    """What one run of ``apilint cost`` printed and returned."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        assert self.exit_code == 0, self.stderr
        return json.loads(self.stdout)


def run_cost(*args: str) -> Run:
    """``apilint cost ARGS`` through apilint's own entry point, in this process."""
    from tests.conftest import run_cli

    result = run_cli("cost", *args)
    return Run(result.code, result.out, result.err)


def estimate_of(report: dict[str, Any], api_type: str) -> dict[str, Any]:
    """The ``estimates`` entry of one API type in a JSON report (or an ``apis`` entry)."""
    return next(entry for entry in report["estimates"] if entry["api_type"] == api_type)


def items(estimate: dict[str, Any]) -> dict[str, float]:
    """Line items of an estimate as ``{item: usd}`` (cache items keyed by their label)."""
    return {(i["label"] if i["item"] == "cache" else i["item"]): i["usd"] for i in estimate["line_items"]}
