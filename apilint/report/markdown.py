"""A Markdown summary for ``$GITHUB_STEP_SUMMARY`` or a pull-request comment.

Counts by severity and by rule, a table of findings with links to the rule pages, and the cost
section when the run was given a usage file. Long runs are cut at :data:`MAX_ROWS` findings (GitHub
keeps at most 1 MiB of summary per step); SARIF and JSON always hold all of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from tabulate import tabulate

from apilint.finding import Finding, Severity
from apilint.report import ReportContext, nothing_checked, rule_docs_url, summary

MAX_ROWS = 500
TITLE = "## apilint"


def _cell(text: str) -> str:
    """Text safe inside a GitHub table cell: no pipes, no line breaks, no raw HTML."""
    return (" ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("|", "\\|"))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _status(findings: Sequence[Finding], context: ReportContext) -> str:
    counts = summary(findings)
    files = _plural(context.files_checked, "file")
    failing = sum(1 for f in findings if f.severity >= context.fail_on)
    if not counts["total"] and not context.files_checked:
        line = f"**Nothing checked**: {nothing_checked(context)}"
    elif not counts["total"]:
        line = f"**Passed**: no problems found in {files}."
    else:
        verdict = "**Failed**" if failing else "**Passed**"
        line = (f"{verdict}: {_plural(counts['total'], 'problem')} ({_plural(counts['error'], 'error')}, "
                f"{_plural(counts['warning'], 'warning')}, {counts['info']} info) in {files}; "
                f"the run fails on {context.fail_on} and above.")
    if context.baselined:
        line += f" {_plural(context.baselined, 'known finding')} hidden by the baseline."
    return line


def _by_severity(findings: Sequence[Finding]) -> str:
    counts = summary(findings)
    rows = [(str(level), counts[str(level)]) for level in sorted(Severity, reverse=True)]
    return tabulate(rows, headers=["Severity", "Count"], tablefmt="github")


def _by_rule(findings: Sequence[Finding]) -> str:
    counts = Counter((f.code, f.name) for f in findings)
    worst: dict[str, Severity] = {}
    for finding in findings:
        worst[finding.code] = max(worst.get(finding.code, finding.severity), finding.severity)
    rows = [(f"[{code}]({rule_docs_url(code)})", name, str(worst[code]), count)
            for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return tabulate(rows, headers=["Rule", "Name", "Severity", "Count"], tablefmt="github")


def _table(findings: Sequence[Finding]) -> str:
    rows = [
        (str(f.severity), f"`{_cell(f.file)}:{f.line}:{f.column}`", f"[{f.code}]({rule_docs_url(f.code)})",
         _cell(f.message))
        for f in findings[:MAX_ROWS]
    ]
    return tabulate(rows, headers=["Severity", "Location", "Rule", "Message"], tablefmt="github",
                    disable_numparse=True)


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    parts = [TITLE, "", _status(findings, context), ""]
    if findings:
        parts += [_by_severity(findings), "", "### By rule", "", _by_rule(findings), "", "### Findings", "",
                  _table(findings), ""]
        if len(findings) > MAX_ROWS:
            parts += [f"… and {len(findings) - MAX_ROWS} more; the SARIF and JSON reports list them all.", ""]
    if context.cost_markdown is not None:
        parts += [context.cost_markdown.rstrip(), ""]
    return "\n".join(parts)
