"""JUnit XML for CI test views: one test suite per file, one test case per file and rule.

A rule that found errors or warnings in a file is a failed test case whose ``failure`` lists every
finding with its position; findings of severity info are kept in the case's ``system-out`` and do not
fail it. Rules that ran and found nothing are passing test cases, so the report shows what was checked.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence

from apilint.finding import Finding, Severity
from apilint.report import ReportContext


def _rule_names(context: ReportContext, findings: Sequence[Finding]) -> dict[str, str]:
    names = {rule.code: rule.name for rule in context.rules}
    names.update({finding.code: finding.name for finding in findings})
    return names


def _describe(finding: Finding) -> str:
    return f"{finding.file}:{finding.line}:{finding.column}: {finding.severity} {finding.code} {finding.message}"


def _test_case(file: str, code: str, name: str, found: list[Finding]) -> tuple[ET.Element, bool]:
    case = ET.Element("testcase", {"classname": file, "name": f"{code} {name}".strip(), "file": file})
    if found:
        case.set("line", str(found[0].line))
    failing = [f for f in found if f.severity >= Severity.WARNING]
    if failing:
        worst = max(f.severity for f in failing)
        first = failing[0]
        failure = ET.SubElement(case, "failure", {
            "type": str(worst),
            "message": f"{first.file}:{first.line}:{first.column}: {first.message}"
            + (f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""),
        })
        failure.text = "\n".join(_describe(f) for f in failing)
    notes = [f for f in found if f.severity < Severity.WARNING]
    if notes:
        ET.SubElement(case, "system-out").text = "\n".join(_describe(f) for f in notes)
    return case, bool(failing)


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    by_file: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in findings:
        by_file[finding.file][finding.code].append(finding)
    files = list(dict.fromkeys([*context.files, *by_file]))
    names = _rule_names(context, findings)
    root = ET.Element("testsuites", {"name": "apilint"})
    total_tests = total_failures = 0
    for file in files:
        found_here = by_file.get(file, {})
        codes = sorted(set(context.rules_by_file.get(file, [])) | set(found_here))
        suite = ET.SubElement(root, "testsuite", {"name": file, "file": file})
        failures = 0
        for code in codes:
            case, failed = _test_case(file, code, names.get(code, ""), found_here.get(code, []))
            suite.append(case)
            failures += failed
        if not codes:
            # A file no rule applied to (e.g. an empty definition) still shows that it was read.
            ET.SubElement(suite, "testcase", {"classname": file, "name": "apilint", "file": file})
        tests = max(len(codes), 1)
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total_tests += tests
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
