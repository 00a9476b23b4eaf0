"""Machine-readable report: findings, the APIs apilint saw, and a summary."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from apilint.finding import Finding
from apilint.report import ReportContext, summary


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return "".join(pieces(findings, context))


def pieces(findings: Sequence[Finding], context: ReportContext) -> Iterator[str]:
    """The report as ``json.dumps(document, indent=2)`` writes it, one finding and one API at a time.

    A run over thousands of files reports thousands of findings: neither the document nor its text
    is ever whole in memory. Each entry is dumped alone and its lines indented to where it sits in
    the document; dumped text holds no line break but those the indentation writes.
    """
    yield '{\n  "version": ' + json.dumps(context.tool_version) + ',\n  "findings": '
    yield from _array((finding.to_dict() for finding in findings), 1)
    yield ',\n  "apis": '
    yield from _array((api.to_dict() for api in context.apis), 1)
    totals = {**summary(findings), "files": context.files_checked, "fail_on": str(context.fail_on)}
    yield ',\n  "summary": ' + _indented(totals, 1) + "\n}\n"


def _array(values: Iterable[Any], level: int) -> Iterator[str]:
    """A JSON array at nesting ``level`` (its first line already written up to the array), an entry at a time."""
    inside = "\n" + "  " * (level + 1)
    separator = "["
    for value in values:
        yield separator + inside + _indented(value, level + 1)
        separator = ","
    yield "[]" if separator == "[" else "\n" + "  " * level + "]"


def _indented(value: Any, level: int) -> str:
    return json.dumps(value, indent=2).replace("\n", "\n" + "  " * level)
