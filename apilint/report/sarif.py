"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one run, every rule, every finding.

Locations are relative to ``%SRCROOT%``, the root of the git work tree (else the run's root), so
code scanning can place them. Columns count Unicode code points, as apilint's positions do, and the end
column points just past the last character, as SARIF's does. ``partialFingerprints`` carry the same
line-independent identity as baselines, so a finding keeps its alert when lines move above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from apilint.baseline import fingerprint
from apilint.finding import Finding, Severity
from apilint.report import REPOSITORY_URL, ReportContext, repository_path, rule_docs_url
from apilint.report.jsonfmt import indented_json

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT_KEY = "apilintFinding/v1"
#: Rules AG3xx are the security rules. GitHub code scanning ranks them by ``security-severity``, a
#: CVSS-like score: 7.0-8.9 is "high", 4.0-6.9 "medium", 0.1-3.9 "low".
SECURITY_PREFIX = "AG3"
SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}


def _rule_descriptor(rule: Any) -> dict[str, Any]:
    from apilint.docs import rule_markdown

    help_markdown = rule_markdown(rule)
    what = " ".join(str(rule.docs.get("what", rule.summary)).split())
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": what},
        "help": {"text": f"{rule.summary} See {rule_docs_url(rule.code)}", "markdown": help_markdown},
        "helpUri": rule_docs_url(rule.code),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": _rule_properties(rule),
    }


def _rule_properties(rule: Any) -> dict[str, Any]:
    tags = sorted(t.value for t in rule.api_types)
    properties: dict[str, Any] = {
        "tags": tags,
        "problem.severity": str(rule.severity) if rule.severity != Severity.INFO else "recommendation",
    }
    if rule.code.startswith(SECURITY_PREFIX):
        properties["tags"] = ["security", *tags]
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    return properties


def _uri(file: str) -> tuple[str, bool]:
    """A URI reference for a repository path, and whether it is relative to the source root."""
    path = Path(file)
    if path.is_absolute():
        return path.as_uri(), False
    return quote(path.as_posix(), safe="/-_.~"), True


def _region(finding: Finding) -> dict[str, int]:
    end_line = max(finding.end_line, finding.line)
    end_column = finding.end_column
    if end_line == finding.line and end_column < finding.column:
        end_column = finding.column
    return {"startLine": finding.line, "startColumn": finding.column, "endLine": end_line,
            "endColumn": max(end_column, 1)}


def _result(finding: Finding, rule_index: dict[str, int], context: ReportContext) -> dict[str, Any]:
    uri, relative = _uri(repository_path(finding.file, context))
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = "%SRCROOT%"
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": _region(finding)}}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
    }
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    if finding.path:
        result["properties"] = {"documentPath": [str(step) for step in finding.path]}
    return result


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    rules = list(context.rules)
    if not rules:
        from apilint.rules import load_rules

        rules = list(load_rules())
    rule_index = {rule.code: index for index, rule in enumerate(rules)}
    root = Path(context.repository_root or context.root).resolve()
    driver: dict[str, Any] = {
        "name": "apilint",
        "informationUri": REPOSITORY_URL,
        "rules": [_rule_descriptor(rule) for rule in rules],
    }
    if context.tool_version:
        driver["version"] = context.tool_version
        driver["semanticVersion"] = context.tool_version
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "invocations": [{"executionSuccessful": True}],
        "results": [_result(finding, rule_index, context) for finding in findings],
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return indented_json(document, ascii_only=False) + "\n"
