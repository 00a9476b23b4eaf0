"""Reporters: small pure functions ``(findings, context) -> str``, chosen by name."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from apilint.finding import Finding, Severity

#: format name -> "module:function" (imported only when used)
REPORTERS = {
    "text": "apilint.report.text:render",
    "json": "apilint.report.jsonfmt:render",
}


@dataclass
class ReportContext:
    """What reporters may show besides the findings."""

    files_checked: int = 0
    files_skipped: int = 0
    apis: list[Any] = field(default_factory=list)
    notices: list[Any] = field(default_factory=list)
    verbose: bool = False
    color: bool = False
    fail_on: Severity = Severity.ERROR
    root: str = "."
    tool_version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def summary(findings: Sequence[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for finding in findings:
        counts[str(finding.severity)] += 1
    counts["total"] = len(findings)
    return counts


def reporter(name: str) -> Callable[[Sequence[Finding], ReportContext], str]:
    module_name, _, function = REPORTERS[name].partition(":")
    return getattr(importlib.import_module(module_name), function)
