"""The default human-readable report: one line per finding and a summary line."""

from __future__ import annotations

from collections.abc import Sequence

from apilint.finding import Finding, Severity
from apilint.report import ReportContext, nothing_checked, summary

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    lines = []
    if context.verbose:
        for api in context.apis:
            endpoint = f", {api.endpoint_type} endpoint ({api.endpoint_reason})" if api.endpoint_type else ""
            scope = "" if api.is_apigw else "; no API Gateway extensions, structural checks only"
            lines.append(f"{api.label}: {api.api_type.upper()} API ({api.api_type_reason}){endpoint}{scope}")
        for notice in context.notices:
            lines.append(f"{notice.file}: note: {notice.message}")
    for finding in findings:
        severity = str(finding.severity)
        if context.color:
            severity = f"{_COLORS[finding.severity]}{severity}{_RESET}"
            code = f"{_BOLD}{finding.code}{_RESET}"
            name = f"{_DIM}[{finding.name}]{_RESET}"
        else:
            code, name = finding.code, f"[{finding.name}]"
        lines.append(f"{finding.file}:{finding.line}:{finding.column}: {severity} {code} {finding.message} {name}")
    counts = summary(findings)
    files = _plural(context.files_checked, "file")
    if counts["total"]:
        lines.append(
            f"Found {_plural(counts['total'], 'problem')} ({_plural(counts['error'], 'error')}, "
            f"{_plural(counts['warning'], 'warning')}, {counts['info']} info) in {files}."
        )
    elif not context.files_checked:
        lines.append(nothing_checked(context))
    else:
        lines.append(f"No problems found in {files}.")
    if context.baselined:
        lines.append(f"{_plural(context.baselined, 'known finding')} hidden by the baseline.")
    if context.verbose and context.files_skipped:
        count = context.files_skipped
        lines.append(f"Skipped {_plural(count, 'file')} that {'is' if count == 1 else 'are'} neither OpenAPI "
                     f"definitions nor templates.")
    if context.verbose and context.files_ignored:
        lines.append(f"Left out {_plural(context.files_ignored, 'path')} ignored by .gitignore or --exclude.")
    return "\n".join(lines) + "\n"
