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


def test_the_same_file_named_on_the_command_line_is_skipped_too(tmp_path):
    # pre-commit names every staged YAML file: a named file gets the screen of the walk
    _write(tmp_path, "service.yaml", HELM)
    result = run_cli("check", "--format", "json", "service.yaml", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert _found(result) == []
    verbose = run_cli("check", "--verbose", "service.yaml", cwd=tmp_path)
    assert "Skipped 1 file that is neither OpenAPI definitions nor templates." in verbose.out


TSCONFIG = """{
  // compiler options
  "compilerOptions": {
    "target": "es2020", /* modern browsers */
    "paths": {"@app/*": ["src\\\\app\\\\*"]},
    "strict": true,
  },
}
"""
ESLINTRC = '{\n  "root": true,\n  "extends": ["eslint:recommended",],\n  "rules": {"no-console": "warn",},\n}\n'
KUBERNETES = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
              "      containers:\n        - name: web\n          resources: {limits: {cpu: '1'}}\n---\n"
              "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n")
VAULT = ("db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6231336539666234306139346433616338\n"
         "swagger_ui_enabled: true\nopenapi_docs_path: /docs\n")


def _lockfile() -> str:
    """A package-lock.json over a 100,000-byte limit, with a dependency called swagger."""
    entries = ",\n".join(f'    "pkg-{i}": {{"version": "1.0.0", "integrity": "sha512-{"A" * 80}"}}' for i in range(1200))
    return ('{\n  "name": "web",\n  "lockfileVersion": 1,\n  "dependencies": {\n'
            f'{entries},\n    "swagger": {{"version": "0.7.5"}}\n  }}\n}}\n')


NOT_APIS = {"tsconfig.json": TSCONFIG, ".eslintrc.json": ESLINTRC, "package-lock.json": _lockfile(),
            "k8s/deploy.yaml": KUBERNETES, "group_vars/all.yml": VAULT,
            "charts/web/templates/service.yaml": HELM}


def test_named_files_that_are_not_apis_pass_silently(tmp_path):
    for name, text in NOT_APIS.items():
        _write(tmp_path, name, text)
    result = run_cli("check", "--format", "json", "--max-file-size", "100000", *NOT_APIS, cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert _found(result) == []
    assert result.json()["summary"]["files"] == 0
    verbose = run_cli("check", "--verbose", "--max-file-size", "100000", *NOT_APIS, cwd=tmp_path)
    assert "Skipped 6 files that are neither OpenAPI definitions nor templates." in verbose.out


@pytest.mark.parametrize("name,text,expected", [
    ("openapi.yaml", "openapi: 3.0.3\ninfo: {title: t\npaths: {}\n", (3, 6, "AG001")),
    ("openapi.json", '{\n  // orders\n  "openapi": "3.0.3",\n  "paths": {},\n}\n', (2, 3, "AG001")),
    ("template.yaml", "Resources:\n  Api: {Type: AWS::Serverless::Api\n", (3, 1, "AG001")),
    ("helm-api.yaml", ("swagger: '2.0'\ninfo:\n  title: {{ .Values.title | quote }}\n  version: '1'\n"
                      "{{- if .Values.paths }}\npaths: {}\n{{- end }}\n"), (6, 1, "AG001")),
])
def test_a_named_definition_or_template_that_cannot_be_read_still_fails(tmp_path, name, text, expected):
    for other, other_text in NOT_APIS.items():
        _write(tmp_path, other, other_text)
    _write(tmp_path, name, text)
    result = run_cli("check", "--format", "json", "--max-file-size", "100000", name, *NOT_APIS, cwd=tmp_path)
    assert result.code == 1, result.out + result.err
    assert [(line, column, code) for _, line, column, code in _found(result)] == [expected]


def test_a_named_definition_over_the_size_limit_still_fails(tmp_path):
    paths = ",\n".join(f'    "/p{i}": {{"get": {{"responses": {{"200": {{"description": "{"x" * 60}"}}}}}}}}'
                        for i in range(1500))
    _write(tmp_path, "big.json", '{\n  "info": {"title": "t", "version": "1"},\n  "paths": {\n'
                                 f'{paths}\n  }},\n  "openapi": "3.0.3"\n}}\n')
    result = run_cli("check", "--format", "json", "--max-file-size", "100000", "big.json", cwd=tmp_path)
    assert result.code == 1
    assert _found(result) == [("big.json", 1, 1, "AG005")]


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
