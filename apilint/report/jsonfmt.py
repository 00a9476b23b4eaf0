"""Machine-readable report: findings, the APIs apilint saw, and a summary."""

from __future__ import annotations

import json
from collections.abc import Sequence

from apilint.finding import Finding
from apilint.report import ReportContext, summary


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    document = {
        "version": context.tool_version,
        "findings": [finding.to_dict() for finding in findings],
        "apis": [api.to_dict() for api in context.apis],
        "summary": {**summary(findings), "files": context.files_checked, "fail_on": str(context.fail_on)},
    }
    return json.dumps(document, indent=2) + "\n"
