"""Adopting apilint where findings already exist: record them once, then fail only on new ones."""

from __future__ import annotations

import json
from pathlib import Path

from apilint.baseline import stable_message
from tests.conftest import run_cli
from tests.integrations.conftest import BAD_HTTP_API, BROKEN, CORE

NEW_TIMEOUT = """\
  /refunds:
    post:
      operationId: createRefund
      responses:
        "201":
          description: Created
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:refund/invocations
        payloadFormatVersion: "2.0"
        timeoutInMillis: 40000
"""


def _positions(result) -> list[tuple]:
    return [(f["file"], f["line"], f["column"], f["code"]) for f in result.json()["findings"]]


def test_write_baseline_records_findings_and_exits_zero(project: Path):
    result = run_cli("check", "--select", CORE, "--write-baseline", "baseline.json", "apis", cwd=project)
    assert result.code == 0
    assert "wrote 6 finding(s) to the baseline baseline.json" in result.err
    document = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert document["apilint_baseline"] == 1
    entries = [(e["file"], e["line"], e["code"]) for e in document["findings"]]
    assert ("apis/bad-http-api.yaml", 19, "AG201") in entries and ("apis/broken.yaml", 8, "AG001") in entries
    timeout = next(e for e in document["findings"] if e["line"] == 19)
    assert timeout["path"] == ["paths", "/orders", "get", "x-amazon-apigateway-integration", "timeoutInMillis"]


def test_baseline_hides_known_findings_even_when_lines_move(project: Path):
    run_cli("check", "--select", CORE, "--write-baseline", "baseline.json", "apis", cwd=project)
    unchanged = run_cli("check", "--select", CORE, "--baseline", "baseline.json", "apis", cwd=project)
    assert unchanged.code == 0
    assert unchanged.out == "No problems found in 4 files.\n6 known findings hidden by the baseline.\n"

    # Unrelated edits above every finding: a comment block and a new description.
    definition = project / "apis" / "bad-http-api.yaml"
    text = definition.read_text(encoding="utf-8")
    text = "# Orders API, owned by the payments team.\n# Reviewed 2024-06-01.\n" + text
    text = text.replace('  version: "2024-05-01"\n', '  version: "2024-05-01"\n  description: |\n    Orders.\n    More.\n')
    definition.write_text(text, encoding="utf-8")
    broken = project / "apis" / "broken.yaml"
    broken.write_text("# still broken\n" + broken.read_text(encoding="utf-8"), encoding="utf-8")

    shifted = run_cli("check", "--select", CORE, "--format", "json", "apis", cwd=project)
    assert _positions(shifted)[:1] == [("apis/bad-http-api.yaml", 24, 9, "AG201")]  # really moved by 5 lines
    assert ("apis/broken.yaml", 9, 1, "AG001") in _positions(shifted)
    known = run_cli("check", "--select", CORE, "--format", "json", "--baseline", "baseline.json", "apis", cwd=project)
    assert known.code == 0 and known.json()["findings"] == []


def test_baseline_reports_only_the_new_finding_at_its_position(project: Path):
    run_cli("check", "--select", CORE, "--write-baseline", "baseline.json", "apis", cwd=project)
    definition = project / "apis" / "bad-http-api.yaml"
    text = definition.read_text(encoding="utf-8")
    text = text.replace("components:\n", NEW_TIMEOUT + "components:\n")
    definition.write_text(text, encoding="utf-8")
    result = run_cli("check", "--select", CORE, "--baseline", "baseline.json", "apis", cwd=project)
    assert result.code == 1
    assert result.out.splitlines()[0].startswith("apis/bad-http-api.yaml:54:9: error AG201 integration timeout "
                                                 "40,000 ms")
    assert result.out.splitlines()[1:] == [
        "Found 1 problem (1 error, 0 warnings, 0 info) in 4 files.",
        "6 known findings hidden by the baseline.",
    ]


def test_a_second_identical_finding_is_new(project: Path, tmp_path: Path):
    """Identical findings are counted, so copying a known problem into a second file is still reported."""
    run_cli("check", "--select", CORE, "--write-baseline", "baseline.json", "apis/broken.yaml", cwd=project)
    copy = project / "apis" / "broken-copy.yaml"
    copy.write_text((project / "apis" / "broken.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli("check", "--select", CORE, "--format", "json", "--baseline", "baseline.json",
                     "apis/broken.yaml", "apis/broken-copy.yaml", cwd=project)
    assert _positions(result) == [("apis/broken-copy.yaml", 8, 1, "AG001")]


def test_fixed_findings_are_mentioned_with_verbose(project: Path):
    run_cli("check", "--select", CORE, "--write-baseline", "baseline.json", "apis", cwd=project)
    (project / "apis" / "broken.yaml").write_text("openapi: 3.0.1\ninfo: {title: Fixed, version: '1'}\npaths: {}\n",
                                                 encoding="utf-8")
    result = run_cli("check", "--select", CORE, "-v", "--format", "json", "--baseline", "baseline.json", "apis",
                     cwd=project)
    assert result.code == 0
    assert "1 baseline entry no longer occur; refresh the baseline with --write-baseline baseline.json" in result.err


def test_baseline_problems_are_usage_errors(project: Path):
    missing = run_cli("check", "--baseline", "none.json", "apis", cwd=project)
    assert missing.code == 2
    assert "none.json: baseline file not found (create it with --write-baseline none.json)" in missing.err
    (project / "bad.json").write_text('{"findings": 3}', encoding="utf-8")
    wrong = run_cli("check", "--baseline", "bad.json", "apis", cwd=project)
    assert wrong.code == 2 and "bad.json: not a baseline file" in wrong.err


def test_positions_quoted_in_messages_are_not_identity():
    assert stable_message("duplicate key 'a' (first defined at line 12)") == "duplicate key 'a' (first defined at line #)"
    assert stable_message("see 3:14, then") == "see #, then"
    assert stable_message("arn:aws:lambda:eu-west-1:123456789012:function:f") == \
        "arn:aws:lambda:eu-west-1:123456789012:function:f"


def test_expected_positions_are_the_real_ones(project: Path):
    result = run_cli("check", "--select", CORE, "--format", "json", "apis/bad-http-api.yaml", "apis/broken.yaml",
                     cwd=project)
    assert _positions(result) == [(f, line, col, code) for f, line, col, code, _ in BAD_HTTP_API + BROKEN]
