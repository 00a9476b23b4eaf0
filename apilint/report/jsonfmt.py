"""Machine-readable report: findings, the APIs apilint saw, and a summary."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
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
    yield ',\n  "summary": ' + indented_json(totals, 1) + "\n}\n"


def _array(values: Iterable[Any], level: int) -> Iterator[str]:
    """A JSON array at nesting ``level`` (its first line already written up to the array), an entry at a time."""
    inside = "\n" + "  " * (level + 1)
    separator = "["
    for value in values:
        yield separator + inside + indented_json(value, level + 1)
        separator = ","
    yield "[]" if separator == "[" else "\n" + "  " * level + "]"


def indented_json(value: Any, level: int = 0, ascii_only: bool = True) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=ascii_only)`` with its lines indented to nesting
    ``level``.

    The standard library encodes with ``indent`` in pure Python, a generator per container; here
    containers are joined directly and strings go through the same compiled escaping, in about
    40 % of the time on findings. Anything but plain JSON data (subclasses, tuples, keys that are
    not strings, NaN) is left to ``json.dumps``.
    """
    return _encode(value, "\n" + "  " * level, _ASCII if ascii_only else _UNICODE)


def _encode(value: Any, newline: str, string: Callable[[str], str]) -> str:
    kind = type(value)
    if kind is str:
        return string(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = newline + "  "
        items = []
        for key, item in value.items():
            if type(key) is not str:
                return _fallback(value, newline, string)
            items.append(string(key) + ": " + _encode(item, inner, string))
        return "{" + inner + ("," + inner).join(items) + newline + "}"
    if kind is list:
        if not value:
            return "[]"
        inner = newline + "  "
        return "[" + inner + ("," + inner).join([_encode(item, inner, string) for item in value]) + newline + "]"
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is float and value - value == 0:  # finite: NaN and the infinities are json's to spell
        return float.__repr__(value)
    return _fallback(value, newline, string)


def _fallback(value: Any, newline: str, string: Callable[[str], str]) -> str:
    return json.dumps(value, indent=2, ensure_ascii=string is _ASCII).replace("\n", newline)


_ASCII: Callable[[str], str] = json.encoder.encode_basestring_ascii
_UNICODE: Callable[[str], str] = json.encoder.encode_basestring
