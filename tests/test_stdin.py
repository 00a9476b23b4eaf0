"""``apilint check - --stdin-filename NAME``: standard input checked as if it were the file NAME."""

from __future__ import annotations

import io
import sys

import pytest

from tests.conftest import run_cli

DEFINITION = """openapi: 3.0.1
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses: {"200": {description: OK}}
      x-amazon-apigateway-integration:
        $ref: "#/components/x-amazon-apigateway-integrations/a"
components:
  x-amazon-apigateway-integrations:
    a:
      type: http_proxy
      httpMethod: GET
      uri: https://example.com/a
      timeoutInMillis: 90000
"""


@pytest.fixture
def stdin(monkeypatch):
    def feed(text: str | bytes) -> None:
        data = text.encode("utf-8") if isinstance(text, str) else text
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    return feed


def _found(result) -> list[str]:
    return [f"{f['file']}:{f['line']}:{f['column']}:{f['code']}" for f in result.json()["findings"]]


def test_standard_input_is_reported_under_the_given_name(tmp_path, stdin):
    stdin(DEFINITION)
    result = run_cli("check", "-", "--stdin-filename", "apis/orders.yaml", "-f", "json", "--select", "AG201",
                     cwd=tmp_path)
    assert result.code == 1
    assert _found(result) == ["apis/orders.yaml:15:7:AG201"]


def test_the_text_read_is_standard_input_not_the_file_on_disk(tmp_path, stdin):
    (tmp_path / "api.yaml").write_text(DEFINITION.replace("90000", "1000"))
    stdin(DEFINITION)
    result = run_cli("check", "-", "--stdin-filename", "api.yaml", "-f", "json", "--select", "AG201", cwd=tmp_path)
    assert _found(result) == ["api.yaml:15:7:AG201"]


def test_configuration_applies_by_the_given_name(tmp_path, stdin):
    (tmp_path / ".apilint.yaml").write_text("files:\n  - match: 'legacy/*'\n    ignore: [AG201]\n")
    stdin(DEFINITION)
    ignored = run_cli("check", "-", "--stdin-filename", "legacy/api.yaml", "-f", "json", cwd=tmp_path)
    assert "AG201" not in [f["code"] for f in ignored.json()["findings"]]
    stdin(DEFINITION)
    checked = run_cli("check", "-", "--stdin-filename", "current/api.yaml", "-f", "json", cwd=tmp_path)
    assert "AG201" in [f["code"] for f in checked.json()["findings"]]


def test_references_resolve_from_where_the_given_name_is(tmp_path, stdin):
    (tmp_path / "apis").mkdir()
    (tmp_path / "apis" / "integrations.yaml").write_text(
        "a:\n  type: http_proxy\n  httpMethod: GET\n  uri: https://example.com/a\n  timeoutInMillis: 90000\n")
    text = DEFINITION.split("components:")[0].replace(
        '"#/components/x-amazon-apigateway-integrations/a"', "integrations.yaml#/a")
    stdin(text)
    result = run_cli("check", "-", "--stdin-filename", "apis/api.yaml", "-f", "json", "--select", "AG201,AG006",
                     cwd=tmp_path)
    assert _found(result) == ["apis/integrations.yaml:5:3:AG201"]


def test_without_a_name_standard_input_is_shown_as_a_dash(tmp_path, stdin):
    stdin("openapi: 3.0.1\npaths: [\n")
    result = run_cli("check", "-", cwd=tmp_path)
    assert result.code == 1
    assert result.out.startswith("-:3:1: error AG001 ")


def test_undecodable_input_is_a_finding_not_a_crash(tmp_path, stdin):
    stdin(b"openapi: 3.0.1\n\xff\xfe\n")
    result = run_cli("check", "-", "--stdin-filename", "api.yaml", cwd=tmp_path)
    assert result.code == 1 and "api.yaml:2:1: error AG001 the file is not valid UTF-8" in result.out


def test_standard_input_with_other_paths_is_a_usage_error(tmp_path, stdin):
    (tmp_path / "api.yaml").write_text(DEFINITION)
    stdin(DEFINITION)
    result = run_cli("check", "-", "api.yaml", cwd=tmp_path)
    assert result.code == 2 and "cannot be checked together with other paths" in result.err
