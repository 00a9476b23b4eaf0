"""Files found in a folder walk are parsed only when their text could hold a definition or a template."""

from __future__ import annotations

from pathlib import Path

import pytest

from apilint.apis import may_be_api_text
from tests.conftest import run_cli

HELM = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include "chart.fullname" . }}\n  labels: {\n'
API = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _found(result) -> list[tuple[str, int, int, str]]:
    return [(f["file"], f["line"], f["column"], f["code"]) for f in result.json()["findings"]]


def test_a_broken_yaml_file_that_cannot_be_an_api_is_skipped_in_a_walk(tmp_path):
    _write(tmp_path, "charts/web/templates/service.yaml", HELM)
    _write(tmp_path, "api/openapi.yaml", API)
    result = run_cli("check", "--format", "json", ".", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert _found(result) == []
    verbose = run_cli("check", "--verbose", ".", cwd=tmp_path)
    assert "Skipped 1 file that is neither OpenAPI definitions nor templates." in verbose.out


def test_the_same_file_named_on_the_command_line_is_reported(tmp_path):
    _write(tmp_path, "service.yaml", HELM)
    result = run_cli("check", "--format", "json", "service.yaml", cwd=tmp_path)
    assert result.code == 1
    assert [(f, c) for f, _, _, c in _found(result)] == [("service.yaml", "AG001")]


def test_a_broken_definition_is_still_reported_in_a_walk(tmp_path):
    _write(tmp_path, "api/openapi.yaml", "openapi: 3.0.3\ninfo: {title: t\npaths: {}\n")
    result = run_cli("check", "--format", "json", ".", cwd=tmp_path)
    assert result.code == 1
    assert [(f, c) for f, _, _, c in _found(result)] == [("api/openapi.yaml", "AG001")]


def test_a_broken_template_is_still_reported_in_a_walk(tmp_path):
    _write(tmp_path, "template.yaml", "Resources:\n  Api: {Type: AWS::Serverless::Api\n")
    result = run_cli("check", "--format", "json", ".", cwd=tmp_path)
    assert [(f, c) for f, _, _, c in _found(result)] == [("template.yaml", "AG001")]


def test_a_key_spelled_with_escapes_keeps_the_file_in(tmp_path):
    # "\u006fpenapi" is "openapi": the file is a definition, with an HTTP-only extension on a REST API
    _write(tmp_path, "api.json",
           '{"\\u006fpenapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},\n'
           ' "x-amazon-apigateway-api-key-source": "HEADER", "x-amazon-apigateway-cors": {"allowOrigins": ["*"]}}\n')
    result = run_cli("check", "--format", "json", "--api-type", "rest", ".", cwd=tmp_path)
    assert ("api.json", 2, 50, "AG105") in _found(result)


@pytest.mark.parametrize("first", ["a-fragment.yaml", "z-fragment.yaml"])
def test_a_fragment_skipped_in_the_walk_is_still_read_for_a_reference(tmp_path, first):
    # the fragment has none of the keys of a definition, so the walk does not parse it; the
    # definition's $ref must still read it in full, whichever file comes first
    _write(tmp_path, first, "Pet:\n  type: object\n  properties:\n    name: {type: string\n")
    _write(tmp_path, "m-api.yaml",
           "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n      responses:\n"
           f"        '200':\n          description: ok\n          content:\n            application/json:\n"
           f"              schema: {{$ref: '{first}#/Pet'}}\n")
    result = run_cli("check", "--format", "json", "--select", "AG001,AG006", ".", cwd=tmp_path)
    assert result.code == 1
    assert _found(result) == [("m-api.yaml", 11, 24, "AG006")]
    message = result.json()["findings"][0]["message"]
    assert f"cannot be followed: {first}:5:1: YAML syntax error" in message


@pytest.mark.parametrize(
    "text, expected",
    [
        (API, True),
        ("swagger: '2.0'\n", True),
        ("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n", True),
        ('{"\\u006fpenapi": "3.1.0"}', True),
        ('"open\\\n  api": 3.0.0\n', True),
        ("kind: Deployment\nspec: {replicas: 2}\n", False),
        ("name: OpenAPI tools\n", False),  # the key is case-sensitive
        ("", False),
    ],
)
def test_what_could_be_an_api(text, expected):
    assert may_be_api_text(text) is expected
