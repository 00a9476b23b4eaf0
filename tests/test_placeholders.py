"""Definitions that are templates: placeholders where JSON expects a value or inside a YAML flow
mapping are read as the filled-in definition would be, positions as written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apilint.load.placeholders import interpolation_end, json_with_tokens, put_back, with_stand_ins
from apilint.load.source import TEMPLATE_NOTE, parse_text
from tests.conftest import run_cli


def test_an_interpolation_ends_at_its_brace_counting_nested_braces_and_strings():
    text = 'a ${jsonencode({"k" = "}"})} b'
    assert text[2:interpolation_end(text, 2)] == '${jsonencode({"k" = "}"})}'
    assert interpolation_end("${open", 0) is None


def test_unquoted_placeholders_become_tokens_of_the_same_length_and_come_back():
    text = '{"a": ${timeout}, "b": "https://${host}/x", "c": [${one}, ${two}], "d": $${literal}}'
    tokens = json_with_tokens(text)
    assert tokens is not None
    replaced, originals = tokens
    assert len(replaced) == len(text)
    assert sorted(originals.values()) == ["${one}", "${timeout}", "${two}"]  # not the quoted one
    data = json.loads(replaced.replace("$${literal}", '"x"'))
    put_back(data, originals)
    assert data == {"a": "${timeout}", "b": "https://${host}/x", "c": ["${one}", "${two}"], "d": "x"}


def test_a_directive_outside_a_string_is_not_turned_into_a_value():
    assert json_with_tokens('{"a": %{ if x }1%{ else }2%{ endif }}') is None
    assert json_with_tokens('{"a": "no placeholder"}') is None


def test_stand_ins_keep_every_line_and_column():
    text = "a: {b: ${x}, c: %{ if y }1%{ endif }}\nd: ${multi\nline}\n"
    stand_ins = with_stand_ins(text)
    assert stand_ins == "a: {b: xxxx, c: xxxxxxxxx1xxxxxxxxxx}\nd: xxxxxxx\nxxxxx\n"
    assert with_stand_ins("a: 1\n") is None


def test_a_json_template_is_checked_with_its_placeholders_as_values_decided_later():
    text = ('{\n  "openapi": "3.0.1",\n  "info": {"title": "t", "version": "1"},\n'
            '  "x-amazon-apigateway-minimum-compression-size": ${size},\n  "paths": {}\n}\n')
    source = parse_text(Path("api.json"), "api.json", text)
    assert source.problems == [] and source.note is None
    assert source.data["x-amazon-apigateway-minimum-compression-size"] == "${size}"
    assert source.text == text  # fixes and ignore comments work on the file as written
    span = source.document.locate(("x-amazon-apigateway-minimum-compression-size",))[0]
    assert (span.line, span.column) == (4, 3)


@pytest.mark.parametrize("name", ["api.yaml", "api.json"])
def test_a_syntax_error_the_placeholders_do_not_explain_is_reported_where_it_is(name):
    text = ('{\n  "openapi": "3.0.1",\n  "x": ${a},\n  "paths": {} ]\n}\n' if name.endswith(".json")
            else "openapi: 3.0.1\nx: {a: ${a}}\npaths: {a: [}\n")
    source = parse_text(Path(name), name, text)
    assert source.note is None and source.data is None
    assert [(p.code, p.span.line) for p in source.problems] == [("AG001", 4 if name.endswith(".json") else 3)]


def test_a_yaml_template_readable_once_filled_in_is_not_checked_and_says_why():
    source = parse_text(Path("api.yaml"), "api.yaml", "openapi: 3.0.1\npaths:\n  /x: {get: {x: ${timeout}}}\n")
    assert (source.data, source.problems, source.note) == (None, [], TEMPLATE_NOTE)


def test_terraform_templates_as_a_team_commits_them(tmp_path: Path):
    """The module, the JSON template (checked as the HTTP API deploys it) and the YAML template (not
    checked) named alone, as the pre-commit hook names them, and the folder."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_apigatewayv2_api" "h" {\n  name          = "h"\n  protocol_type = "HTTP"\n'
        '  body          = templatefile("${path.module}/api.json", { timeout = 3000 })\n}\n'
        'resource "aws_api_gateway_rest_api" "r" {\n  name = "r"\n'
        '  body = templatefile("${path.module}/rest.yaml", { timeout = 45000 })\n}\n', encoding="utf-8")
    (tmp_path / "api.json").write_text(
        '{\n  "openapi": "3.0.1",\n  "info": {"title": "h", "version": "1"},\n  "paths": {\n'
        '    "/orders": {\n      "get": {\n        "security": [{"key": []}],\n'
        '        "x-amazon-apigateway-integration": {"type": "http_proxy", "httpMethod": "GET", '
        '"uri": "https://${host}/", "payloadFormatVersion": "1.0", "timeoutInMillis": ${timeout}},\n'
        '        "responses": {"200": {"description": "ok"}}\n      }\n    }\n  },\n'
        '  "components": {"securitySchemes": {"key": {"type": "apiKey", "name": "x-api-key", "in": "header"}}}\n}\n',
        encoding="utf-8")
    (tmp_path / "rest.yaml").write_text(
        "openapi: 3.0.1\ninfo: {title: r, version: '1'}\npaths:\n  /z:\n    get:\n"
        "      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: 'https://e.com', "
        "timeoutInMillis: ${timeout}}\n", encoding="utf-8")
    key_on_http = ("api.json:13:38: error AG101 security scheme 'key' requires an API key (x-api-key header), used "
                   "by GET /orders; HTTP APIs have no API keys or usage plans [api-key-on-http-api]\n")
    alone = run_cli("check", "api.json", cwd=tmp_path)
    assert (alone.code, alone.out) == (1, key_on_http + "Found 1 problem (1 error, 0 warnings, 0 info) in 1 file.\n")
    template = run_cli("check", "rest.yaml", "--verbose", cwd=tmp_path)
    assert template.code == 0 and "AG001" not in template.out
    assert template.out.startswith(f"rest.yaml: note: {TEMPLATE_NOTE}\n")
    folder = run_cli("check", ".", "--verbose", cwd=tmp_path)
    assert folder.code == 1 and key_on_http in folder.out and "AG001" not in folder.out
    assert f"main.tf: note: the body of aws_api_gateway_rest_api.r, rest.yaml, is {TEMPLATE_NOTE}\n" in folder.out


def test_a_text_with_more_placeholders_than_any_template_keeps_its_syntax_error():
    """A million placeholders would take seconds to read one at a time: the text is not a template."""
    from apilint.load.placeholders import MAX_PLACEHOLDERS

    many = "openapi: 3.0.1\na: {" + ", ".join(f"k{i}: ${{x}}" for i in range(MAX_PLACEHOLDERS + 1)) + "}\n"
    source = parse_text(Path("api.yaml"), "api.yaml", many)
    assert source.note is None and [(p.code, p.span.line, p.span.column) for p in source.problems] == [("AG001", 2, 10)]
    few = "openapi: 3.0.1\na: {" + ", ".join(f"k{i}: ${{x}}" for i in range(MAX_PLACEHOLDERS)) + "}\n"
    assert parse_text(Path("api.yaml"), "api.yaml", few).note == TEMPLATE_NOTE
