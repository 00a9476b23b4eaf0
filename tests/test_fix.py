"""``apilint check --fix`` and ``--diff``: every fix against its before/after fixtures, byte for byte,
and the guarantees around writing (atomic, mode kept, never outside the root, never a broken file,
never a fix that brings a new finding, never a write without ``--fix``)."""

from __future__ import annotations

import io
import stat
import sys
from pathlib import Path

import pytest

from apilint.fixer import fix_text
from apilint.rules import load_rules
from apilint.workspace import CheckRequest, run_options
from tests.conftest import FIXTURES, run_cli

FIX_FIXTURES = FIXTURES / "fixes"


def _pairs() -> list[tuple[str, Path, Path]]:
    pairs = []
    for folder in sorted(FIX_FIXTURES.glob("AG*")):
        for before in sorted(folder.glob("before*")):
            pairs.append((folder.name, before, before.with_name(before.name.replace("before", "after", 1))))
    return pairs


PAIRS = _pairs()


def _codes(result, code: str) -> list[str]:
    return [f"{f['line']}:{f['column']}" for f in result.json()["findings"] if f["code"] == code]


def test_every_fixable_rule_has_before_and_after_fixtures():
    fixable = {rule.code for rule in load_rules() if rule.fix}
    assert fixable == {"AG401", "AG402", "AG403", "AG404"}
    assert {code for code, _, _ in PAIRS} == fixable
    for _, _, after in PAIRS:
        assert after.is_file(), f"{after} is missing"


@pytest.mark.parametrize("code,before,after", PAIRS, ids=[f"{c}/{b.name}" for c, b, _ in PAIRS])
def test_fix_gives_the_after_fixture_byte_for_byte(code, before, after, tmp_path):
    found = run_cli("check", "--select", code, "-f", "json", str(before))
    assert _codes(found, code), f"{before} has no {code} finding to fix"
    copy = tmp_path / before.name
    copy.write_bytes(before.read_bytes())
    copy.chmod(0o640)
    result = run_cli("check", "--select", code, "--fix", "-f", "json", str(copy), cwd=tmp_path)
    assert copy.read_bytes() == after.read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o640
    assert _codes(result, code) == []  # what is reported after --fix is what is left: nothing
    assert "apilint: fixed" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == [before.name]  # no temporary file left
    again = run_cli("check", "--select", code, "-f", "json", str(after))
    assert _codes(again, code) == []


@pytest.mark.parametrize("code,before,after", PAIRS, ids=[f"{c}/{b.name}" for c, b, _ in PAIRS])
def test_diff_prints_the_change_and_writes_nothing(code, before, after, tmp_path):
    copy = tmp_path / before.name
    copy.write_bytes(before.read_bytes())
    result = run_cli("check", "--select", code, "--diff", before.name, cwd=tmp_path)
    assert result.code == 1
    assert copy.read_bytes() == before.read_bytes()
    assert result.out.startswith(f"--- a/{before.name}\n+++ b/{before.name}\n@@ ")
    removed = [line[1:] for line in result.out.splitlines()[2:] if line.startswith("-")]
    added = [line[1:] for line in result.out.splitlines()[2:] if line.startswith("+")]
    before_lines, after_lines = before.read_text().splitlines(), after.read_text().splitlines()
    assert removed == [line for line in before_lines if line not in after_lines]
    assert added == [line for line in after_lines if line not in before_lines]


def test_nothing_to_fix_gives_an_empty_diff_and_exit_code_0(tmp_path):
    after = FIX_FIXTURES / "AG403" / "after.yaml"
    result = run_cli("check", "--select", "AG403", "--diff", str(after))
    assert (result.code, result.out) == (0, "")


def test_without_fix_nothing_is_written(tmp_path):
    copy = tmp_path / "api.yaml"
    copy.write_bytes((FIX_FIXTURES / "AG403" / "before.yaml").read_bytes())
    before = copy.stat()
    result = run_cli("check", str(copy), cwd=tmp_path)
    assert result.code == 0 and "AG403" in result.out
    after = copy.stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)


def _fix(tmp_path: Path, text: str, name: str = "api.yaml", select: str | None = None):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    run = run_options(CheckRequest(paths=[path], root=tmp_path, select=[select] if select else []))
    return fix_text(run, path, text)


_INTEGRATION = """openapi: 3.0.1\r
info: {title: t, version: "1"}\r
paths:\r
  /a:\r
    get:\r
      responses: {"200": {description: OK}}\r
      x-amazon-apigateway-integration:\r
        type: http_proxy\r
        httpMethod: GET\r
        uri: https://example.com/a\r
"""


def test_line_endings_and_everything_else_stay_as_written(tmp_path):
    text = _INTEGRATION + "        passthroughBehaviour: never # comment\r\n"
    fixed, findings = _fix(tmp_path, text)
    assert fixed == _INTEGRATION + "        passthroughBehavior: never # comment\r\n"
    assert [f.code for f in findings] == ["AG403"]


def test_a_fix_that_would_bring_a_new_finding_is_not_applied(tmp_path):
    # renaming gives passthroughBehavior a value AG401 rejects: the misspelling stays
    text = _INTEGRATION.replace("\r\n", "\n") + "        passthroughBehaviour: nevr\n"
    fixed, findings = _fix(tmp_path, text)
    assert (fixed, findings) == (text, [])


def test_the_other_fixes_of_the_file_are_still_applied(tmp_path):
    text = (_INTEGRATION.replace("\r\n", "\n").replace("uri:", "connectiontype: INTERNET\n        uri:")
            + "        passthroughBehaviour: nevr\n")
    fixed, findings = _fix(tmp_path, text)
    assert fixed == text.replace("connectiontype", "connectionType")
    assert [f.message.split("'")[1] for f in findings] == ["connectiontype"]


@pytest.mark.parametrize("line", [
    "        integrationResponses: {}\n",  # the CloudFormation name: its value has another shape
    "        timeout: 100\n",  # more than one name is close, or none is near enough
    "        passthroughBehaviour: never\n        passthroughBehavior: never\n",  # the right name is already there
])
def test_no_fix_where_the_name_is_not_certain(tmp_path, line):
    text = _INTEGRATION.replace("\r\n", "\n") + line
    assert _fix(tmp_path, text) == (text, [])
    assert "AG403" in run_cli("check", "api.yaml", cwd=tmp_path).out


def test_a_distant_single_suggestion_is_shown_but_not_applied(tmp_path):
    text = _INTEGRATION.replace("\r\n", "\n") + "x-amazon-apigateway-cors-configuration: {}\n"
    (tmp_path / "api.yaml").write_text(text)
    result = run_cli("check", "-f", "json", "api.yaml", cwd=tmp_path)
    finding = next(f for f in result.json()["findings"] if f["code"] == "AG402")
    assert "did you mean 'x-amazon-apigateway-endpoint-configuration'?" in finding["message"]
    assert _fix(tmp_path, text) == (text, [])


def test_a_file_that_does_not_parse_is_never_touched(tmp_path):
    path = tmp_path / "api.yaml"
    text = _INTEGRATION.replace("\r\n", "\n") + "        passthroughBehaviour: never\n        httpMethod: GET\n"
    path.write_text(text)
    result = run_cli("check", "--fix", "api.yaml", cwd=tmp_path)
    assert "AG001" in result.out and "not fixed: it does not parse" in result.err
    assert path.read_text() == text


def test_a_file_outside_the_root_is_never_written(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "api.yaml"
    text = _INTEGRATION.replace("\r\n", "\n") + "        passthroughBehaviour: never\n"
    target.write_text(text)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "api.yaml").symlink_to(target)
    result = run_cli("check", "--fix", str(target), "--root", str(root), cwd=root)
    assert f"not fixed: it lies outside {root}" in result.err
    assert target.read_text() == text


def test_a_byte_order_mark_is_kept(tmp_path):
    path = tmp_path / "api.yaml"
    text = _INTEGRATION.replace("\r\n", "\n") + "        passthroughBehaviour: never\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    run_cli("check", "--fix", "api.yaml", cwd=tmp_path)
    assert path.read_bytes() == b"\xef\xbb\xbf" + text.replace("Behaviour", "Behavior").encode()


def test_fix_and_diff_together_is_a_usage_error(tmp_path):
    (tmp_path / "api.yaml").write_text(_INTEGRATION)
    result = run_cli("check", "--fix", "--diff", "api.yaml", cwd=tmp_path)
    assert result.code == 2 and "give one of them" in result.err


def _stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


def test_fix_on_standard_input_prints_the_fixed_text(tmp_path, monkeypatch):
    text = _INTEGRATION + "        passthroughBehaviour: never\r\n"
    _stdin(monkeypatch, text)
    result = run_cli("check", "-", "--stdin-filename", "api.yaml", "--fix", cwd=tmp_path)
    assert result.out == text.replace("Behaviour", "Behavior")
    assert result.code == 0
    assert list(tmp_path.iterdir()) == []


def test_diff_on_standard_input(tmp_path, monkeypatch):
    _stdin(monkeypatch, _INTEGRATION + "        passthroughBehaviour: never\r\n")
    result = run_cli("check", "-", "--stdin-filename", "api.yaml", "--diff", cwd=tmp_path)
    assert result.code == 1
    assert "-        passthroughBehaviour: never\r\n+        passthroughBehavior: never\r\n" in result.out


def test_rules_list_says_which_rules_fix(cli):
    result = cli("rules")
    header = result.out.splitlines()[0].split()
    assert header[:6] == ["code", "name", "severity", "api", "types", "fix"]
    rows = {line.split()[0]: line for line in result.out.splitlines()[2:]}
    assert " fix " in rows["AG403"] and " fix " not in rows["AG201"]


def test_rule_docs_describe_the_fix(cli):
    assert "## Fix" in cli("rule", "AG404").out
    assert "## Fix" not in cli("rule", "AG407").out
