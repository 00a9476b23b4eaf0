"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request's diff.

Annotations need no token, so they work on pull requests from forks. GitHub shows at most ten
annotations of each level per step; the SARIF upload and the Markdown job summary carry the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

from apilint.finding import Finding, Severity
from apilint.report import ReportContext, nothing_checked, repository_path, summary

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message: ``%``, carriage returns and newlines."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: as messages, plus ``:`` and ``,``, which separate properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, context: ReportContext | None = None) -> str:
    """The workflow command for one finding (paths relative to the repository, as GitHub wants)."""
    end_line = max(finding.end_line, finding.line)
    # GitHub's end column is inclusive; apilint's points just past the last character.
    end_column = max(finding.end_column - 1, 1)
    if end_line == finding.line:
        end_column = max(end_column, finding.column)
    properties = {
        "file": repository_path(finding.file, context) if context else finding.file.replace("\\", "/"),
        "line": str(finding.line),
        "col": str(finding.column),
        "endLine": str(end_line),
        "endColumn": str(end_column),
        "title": f"{finding.code} {finding.name}",
    }
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{COMMANDS[finding.severity]} {rendered}::{escape_data(finding.message)}"


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    lines = [annotation(finding, context) for finding in findings]
    counts = summary(findings)
    if counts["total"]:
        lines.append(
            f"apilint: {counts['total']} problem(s) ({counts['error']} error(s), {counts['warning']} warning(s), "
            f"{counts['info']} info) in {context.files_checked} file(s)"
        )
    elif not context.files_checked:
        lines.append(f"::warning title=apilint::{escape_data(nothing_checked(context))}")
    else:
        lines.append(f"apilint: no problems in {context.files_checked} file(s)")
    return "\n".join(lines) + "\n"
