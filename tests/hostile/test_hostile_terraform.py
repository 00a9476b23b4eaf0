"""Terraform files nobody should write: a finding at a position or a clean verdict, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.conftest import LOAD_RULES, check, findings, messages

API = 'resource "aws_api_gateway_rest_api" "api" {\n  name = "api"\n'


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


@pytest.mark.parametrize(("content", "expected"), [
    (API, [(3, 1, "AG001")]),                                             # the block never closes
    (API + '  body = <<EOT\n{"openapi": "3.0.1"}\n}\n', [(3, 10, "AG001")]),  # a heredoc never closed
    (API + '  body = "\\q"\n}\n', []),                                      # an unknown escape stays as written
    (API + "  body = file(\n}\n", [(4, 1, "AG001")]),                      # a call never closed
    (API + "}\n}\n", [(4, 1, "AG001")]),                                   # one brace too many
    (API + '  x = 1 y = 2\n}\n', []),  # two arguments on one line: python-hcl2 accepts it (Terraform's job)
    (API + '  "quoted" = 1\n}\n', [(3, 3, "AG001")]),                      # an argument name in quotes
    ("\ufeff" + API + "}\n", []),                                          # a byte-order mark
    (API.replace("\n", "\r\n") + "}\r\n", []),                             # Windows line ends
    # nested past the depth limit: AG005 where the limit is crossed
    (API + "  body = " + "[" * 5000 + "]" * 5000 + "\n}\n", [(3, 1009, "AG005")]),
    (API + "  body = " + "(" * 3000 + "1" + ")" * 3000 + "\n}\n", [(3, 1009, "AG005")]),
    ('resource "aws_api_gateway_rest_api" {\n}\n', []),                   # a resource without a name
    ('resource "aws_api_gateway_rest_api" "a" "b" "c" {\n}\n', []),       # too many labels
    ('resource = "aws_api_gateway_rest_api"\n', []),                     # "resource" as an argument
    ('resource "aws_api_gateway_rest_api" "api" {\n  body = null\n}\n', []),
    ('resource "aws_api_gateway_rest_api" "api" {\n  body = 42\n}\n', []),
    ('resource "aws_api_gateway_rest_api" "api" {\n  body = jsonencode([1, 2])\n}\n', []),
    ('resource "aws_api_gateway_rest_api" "api" {\n  body = jsonencode({}, {})\n}\n', []),
    ('resource "aws_api_gateway_rest_api" "api" {\n  body = file()\n}\n', []),
    ('resource "aws_api_gateway_rest_api" "api" {\n  body = file("/etc/passwd")\n}\n', []),
    ('resource "aws_api_gateway_rest_api" "api" {\n  body = file("../../outside.yaml")\n}\n', []),
    ('resource "aws_api_gateway_rest_api" "api" {\n  body = file("${path.module}/missing.yaml")\n}\n', []),
    ('resource "aws_api_gateway_rest_api" "api" {\n  body = "not an OpenAPI document"\n}\n', []),
    ('resource "aws_api_gateway_rest_api" "api" {\n  body = "{\\"openapi\\": \\"3.0.1\\", "\n}\n', []),
    ('resource "aws_api_gateway_stage" "orphan" {\n  rest_api_id = "abc123"\n}\n', []),
])
def test_broken_or_odd_terraform_is_a_finding_at_a_place_or_nothing(tmp_path, content, expected):
    path = write(tmp_path, "main.tf", content)
    result = check("--select", LOAD_RULES, "--format", "json", str(path), cwd=tmp_path)
    assert findings(result) == expected


def test_a_body_string_that_is_not_json_or_yaml_is_reported_where_the_body_is(tmp_path):
    path = write(tmp_path, "main.tf", API + '  body = "{\\"openapi\\": \\"3.0.1\\", "\n}\n')
    result = check("--format", "json", "--verbose", str(path), cwd=tmp_path)
    assert result.code == 0
    assert findings(result) == []


def test_binary_and_undecodable_terraform_files_are_reported_when_named(tmp_path):
    path = write(tmp_path, "main.tf", b"aws_api_gateway_rest_api\x00\xff\xfe")
    result = check("--format", "json", str(path), cwd=tmp_path)
    assert [code for *_, code in findings(result)] == ["AG001"]


def test_a_terraform_json_file_with_odd_shapes_gives_no_traceback(tmp_path):
    write(tmp_path, "a.tf.json", '{"resource": [{"aws_api_gateway_rest_api": {"x": [{"body": 1}, 2]}}], '
                                 '"provider": [{"aws": [1, {"region": ["eu-west-1"]}]}]}')
    write(tmp_path, "b.tf.json", '{"resource": {"aws_api_gateway_rest_api": ["not", "a", "map"]}}')
    write(tmp_path, "c.tf.json", '["aws_api_gateway_rest_api"]')
    write(tmp_path, "d.tf.json", '{"resource": {"aws_api_gateway_rest_api": {"y": {"body": "${file(}"}}}}')
    result = check("--format", "json", ".", cwd=tmp_path)
    assert result.code == 0 and findings(result) == []


def test_a_self_referencing_module_and_a_definition_read_twice_terminate(tmp_path):
    write(tmp_path, "api.yaml", "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\n")
    write(tmp_path, "main.tf", "".join(
        f'resource "aws_api_gateway_rest_api" "a{i}" {{\n  body = file("api.yaml")\n}}\n' for i in range(50)))
    result = check("--format", "json", "api.yaml", "main.tf", cwd=tmp_path)
    assert result.code == 0
    assert messages(result, "AG001") == []
