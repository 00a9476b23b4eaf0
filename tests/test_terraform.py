"""Terraform: .tf and .tf.json files, the bodies their API resources deploy, and the context around them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from apilint.load.hclload import load_hcl, parse_expression
from tests.conftest import FIXTURES, REPO, run_cli

TERRAFORM = FIXTURES / "terraform"
CASES = yaml.safe_load((TERRAFORM / "cases.yaml").read_text(encoding="utf-8"))


def _findings(folder: Path, *args: str) -> list[str]:
    result = run_cli("check", "--format", "json", *args, ".", cwd=folder)
    assert result.code in (0, 1), result.err
    return [f"{f['file']}:{f['line']}:{f['column']} {f['code']} {f['severity']}" for f in result.json()["findings"]]


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_body_form_reports_at_the_place_written_with_the_terraform_context(case):
    assert _findings(TERRAFORM / case, "--select", "AG001,AG002,AG201") == CASES[case]


def test_the_definition_a_module_reads_is_checked_once_with_its_context(tmp_path):
    result = run_cli("check", "--format", "json", "--select", "AG201", str(TERRAFORM / "yamldecode"), cwd=REPO)
    findings = result.json()["findings"]
    assert [(f["file"], f["line"], f["api"]) for f in findings] == [
        ("fixtures/terraform/yamldecode/legacy.yaml", 12,
         "fixtures/terraform/yamldecode/main.tf#aws_api_gateway_rest_api.legacy")]
    assert "edge-optimized" in findings[0]["message"]


def test_a_body_known_only_at_plan_time_is_a_notice_not_a_finding():
    result = run_cli("check", "--verbose", ".", cwd=TERRAFORM / "unknown")
    assert result.code == 0
    notes = [line for line in result.out.splitlines() if ": note: " in line]
    assert notes == [
        ("main.tf: note: the body of aws_api_gateway_rest_api.from_variable is var.body, a value known only at plan "
        "time; it is not checked"),
        ("main.tf: note: the body of aws_api_gateway_rest_api.from_path_variable is read from var.definition_path, a "
        "path known only at plan time; it is not checked"),
        ("main.tf: note: the body of aws_api_gateway_rest_api.from_local is built by jsonencode(local.openapi); it is "
        "not checked"),
    ]


# --- the reader ---------------------------------------------------------------------------------------


def test_hcl_reads_as_terraform_json_syntax_with_unknown_expressions():
    document = load_hcl(textwrap.dedent("""\
        provider "aws" {
          region = "eu-west-1"
        }
        resource "aws_api_gateway_stage" "prod" {
          rest_api_id = aws_api_gateway_rest_api.api.id
          stage_name  = "prod"
          description = "stage ${var.name} of \\"api\\""
          variables   = { lambda = "fn", "quoted key" = 1.5, flag = true, gone = null }
          tags        = [for k in var.keys : k]
          access_log_settings {
            destination_arn = "arn:aws:logs:eu-west-1:123456789012:log-group:x"
          }
        }
        """))
    assert document.problems == []
    stage = document.data["resource"]["aws_api_gateway_stage"]["prod"]
    assert document.data["provider"] == {"aws": {"region": "eu-west-1"}}
    assert stage["rest_api_id"] == "${aws_api_gateway_rest_api.api.id}"
    assert stage["stage_name"] == "prod"
    assert stage["description"] == 'stage ${var.name} of "api"'
    assert stage["variables"] == {"lambda": "fn", "quoted key": 1.5, "flag": True, "gone": None}
    assert stage["tags"] == "${[for k in var.keys : k]}"
    assert stage["access_log_settings"] == [{"destination_arn": "arn:aws:logs:eu-west-1:123456789012:log-group:x"}]


def test_positions_are_line_and_column_of_every_block_argument_and_entry():
    document = load_hcl(textwrap.dedent("""\
        resource "aws_api_gateway_rest_api" "api" {
          body = jsonencode({
            paths = {
              "/a" = { get = {} }
            }
          })
          endpoint_configuration {
            types = ["PRIVATE"]
          }
        }
        """))
    base = ("resource", "aws_api_gateway_rest_api", "api")
    locate = document.locate
    assert locate(base)[0].line == 1 and locate(base)[0].column == 1
    assert (locate((*base, "body"))[0].line, locate((*base, "body"))[0].column) == (2, 3)
    span, matched = locate((*base, "body", "paths", "/a", "get"))
    assert (span.line, span.column, matched) == (4, 16, 7)
    span, matched = locate((*base, "endpoint_configuration", 0, "types", 0))
    assert (span.line, span.column, span.end_column, matched) == (8, 14, 23, 7)
    span, matched = locate((*base, "body", "paths", "/missing"))
    assert (span.line, span.column, matched) == (3, 5, 5)  # the nearest parent that exists


def test_escaped_interpolation_is_literal_text_and_heredocs_keep_their_text():
    document = load_hcl('a = "$${stageVariables.fn}"\nb = <<-EOT\n    one\n      two\n    EOT\nc = "\\u00e9\\n"\n')
    assert document.data["a"] == "${stageVariables.fn}"
    assert document.data["b"] == "one\n  two\n"
    assert document.data["c"] == "é\n"


def test_jsonencode_of_an_object_is_the_object_located_where_it_is_written():
    document = load_hcl('policy = jsonencode({ Version = "2012-10-17", Statement = [] })\n'
                        'other = jsonencode({ arn = aws_lambda_function.f.arn })\n'
                        'text = jsonencode("x")\n')
    assert document.data["policy"] == {"Version": "2012-10-17", "Statement": []}
    assert document.data["other"] == {"arn": "${aws_lambda_function.f.arn}"}
    assert document.data["text"] == '"x"'
    span, matched = document.locate(("other", "arn"))
    assert (span.line, span.column, matched) == (2, 22, 2)


def test_an_expression_of_terraform_json_syntax_is_parsed_alone():
    expression = parse_expression('jsonencode(yamldecode(file("${path.module}/api.yaml")))')
    assert expression is not None and expression.name == "jsonencode"
    assert expression.items[0].name == "yamldecode"
    assert expression.items[0].items[0].items[0].value == "${path.module}/api.yaml"
    assert parse_expression("file(") is None


@pytest.mark.parametrize(("text", "line", "column", "message"), [
    ('resource "a" "b" {\n  x = \n}\n', 3, 1, "not valid Terraform (HCL) syntax: unexpected '}'"),
    ('a = "unterminated\n', 1, 6, "not valid Terraform (HCL) syntax: unexpected end of file"),
    ('resource "a" "b" {\n  x = 1\n', 3, 1, "not valid Terraform (HCL) syntax: unexpected end of file"),
    ("a = 1\nb = 2 3\n", 2, 7, "not valid Terraform (HCL) syntax: unexpected '3'"),
    ("a = 1\na = 2\n", 2, 1, "the argument 'a' is set twice in one block (first at line 1); Terraform rejects the file"),
    ("x = {a = 1, a = 2}\n", 1, 13, "the key 'a' is written twice in one object (first at line 1); only the last is used"),
])
def test_broken_hcl_is_one_finding_at_the_place_never_a_traceback(text, line, column, message):
    problems = load_hcl(text).problems
    assert [(p.code, p.span.line, p.span.column, p.message) for p in problems] == [("AG001", line, column, message)]


# --- which files, and how fast ------------------------------------------------------------------------


def test_a_terraform_file_without_api_gateway_passes_silently_named_or_walked_even_when_broken(tmp_path):
    (tmp_path / "network.tf").write_text('resource "aws_vpc" "main" {\n  cidr_block = \n', encoding="utf-8")
    (tmp_path / "terraform.tfvars").write_text('region = "eu-west-1"\n', encoding="utf-8")
    for args in (["."], ["network.tf", "terraform.tfvars"]):
        result = run_cli("check", *args, cwd=tmp_path)
        assert (result.code, result.err) == (0, ""), args
        where = ", ".join(f'"{arg}"' for arg in args)
        assert result.out == f"No API definition or template found in {where}: nothing was checked.\n"


def test_broken_hcl_in_a_file_with_api_gateway_resources_is_reported(tmp_path):
    (tmp_path / "api.tf").write_text('resource "aws_api_gateway_rest_api" "api" {\n  name = "x"\n  body = \n}\n',
                                     encoding="utf-8")
    result = run_cli("check", ".", cwd=tmp_path)
    assert result.code == 1
    assert result.out.splitlines()[0] == "api.tf:4:1: error AG001 not valid Terraform (HCL) syntax: unexpected '}' [parse-error]"


def test_checking_a_definition_alone_never_loads_the_hcl_parser(tmp_path):
    (tmp_path / "api.yaml").write_text("openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\n", encoding="utf-8")
    (tmp_path / "network.tf").write_text('resource "aws_vpc" "main" {}\n', encoding="utf-8")
    code = ("import sys\nfrom apilint.cli import main\n"
            "try:\n    main(['check', '.', 'api.yaml'])\nexcept SystemExit:\n    pass\n"
            "print('LOADED' if 'hcl2' in sys.modules or 'lark' in sys.modules else 'NOT LOADED', file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.stderr.strip().splitlines()[-1] == "NOT LOADED", result.stderr


def test_the_pre_commit_hook_passes_terraform_files():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks[0]["types_or"] == ["yaml", "json", "toml", "terraform"]


@pytest.mark.parametrize(("definition", "expected"), [
    ("file/openapi/catalog.yaml", "openapi/catalog.yaml:12:9 AG201 warning"),
    ("templatefile/api.yaml.tpl", "api.yaml.tpl:13:9 AG201 error"),
    ("yamldecode/legacy.yaml", "legacy.yaml:12:9 AG201 error"),
    ("tfjson/payments.json", "payments.json:11:11 AG201 warning"),
])
def test_a_definition_named_alone_is_checked_with_the_terraform_context_that_deploys_it(definition, expected):
    folder = TERRAFORM / definition.split("/")[0]
    named = definition.split("/", 1)[1]
    result = run_cli("check", "--format", "json", "--select", "AG201", named, cwd=folder)
    findings = result.json()["findings"]
    assert [f"{f['file']}:{f['line']}:{f['column']} {f['code']} {f['severity']}" for f in findings] == [expected]
    assert findings[0]["api"].startswith(("main.tf#", "main.tf.json#"))
    assert CASES[definition.split("/")[0]] == [expected]  # as when the whole module is checked


def test_a_definition_no_module_reads_is_checked_as_a_bare_definition(tmp_path):
    (tmp_path / "api.yaml").write_text((TERRAFORM / "yamldecode" / "legacy.yaml").read_text(), encoding="utf-8")
    (tmp_path / "main.tf").write_text('resource "aws_api_gateway_rest_api" "other" {\n'
                                      '  body = file("${path.module}/other-api.yaml")\n}\n', encoding="utf-8")
    result = run_cli("check", "--format", "json", "--select", "AG201", "api.yaml", cwd=tmp_path)
    assert [f["api"] for f in result.json()["findings"]] == ["api.yaml"]


def test_the_terraform_project_of_the_usage_guide_gives_the_output_shown_there():
    guide = (REPO / "docs" / "usage.md").read_text(encoding="utf-8")
    block = guide.split("<!-- terraform-example -->\n```\n", 1)[1].split("```", 1)[0].splitlines()
    assert block[0] == "$ apilint check infra/"
    result = run_cli("check", "infra/", cwd=TERRAFORM / "project")
    assert result.code == 1
    assert result.out.splitlines() == block[1:]


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


ORDERS = (TERRAFORM / "project" / "infra" / "openapi" / "orders.yaml").read_text(encoding="utf-8")
DOMAIN = (TERRAFORM / "project" / "infra" / "domain.tf").read_text(encoding="utf-8")
PROVIDER = 'provider "aws" {\n  region = "eu-west-1"\n}\n'
TIMEOUT = ("AG201", ("integration timeout 50,000 ms is over the default maximum of 29,000 ms; regional REST APIs need a "
           "quota increase for it"))
CERTIFICATE = ("AG502", ("Regional custom domain orders.example.com uses a certificate in us-east-1, but the API is in "
               "eu-west-1; Regional domains need the certificate in the API's region"))


def _located(*args: str, cwd: Path) -> list[tuple[str, int, int, str, str]]:
    result = run_cli("check", "--format", "json", *args, cwd=cwd)
    assert result.code in (0, 1), result.err
    return [(f["file"], f["line"], f["column"], f["code"], f["message"]) for f in result.json()["findings"]]


@pytest.mark.parametrize("body", [
    'templatefile("${path.module}/../api/orders.yaml", { handler_arn = aws_lambda_function.orders.invoke_arn })',
    "file(local.definition)",
])
def test_a_definition_named_alone_shows_only_its_own_findings_of_the_module_that_deploys_it(tmp_path, body):
    """What the pre-commit hook passes when only the definition changed: the module in another folder
    (found through the root's deployer index, not by looking above the definition), a path held in a
    literal local of another file, and the module's own mistake (a certificate in domain.tf) left to
    the module's files."""
    root = _write(tmp_path, {
        "api/orders.yaml": ORDERS,
        "infra/providers.tf": PROVIDER,
        "infra/locals.tf": 'locals {\n  definition = "${path.module}/../api/orders.yaml"\n}\n',
        "infra/api.tf": f'resource "aws_api_gateway_rest_api" "orders" {{\n  name = "orders"\n  body = {body}\n'
                        '  endpoint_configuration {\n    types = ["REGIONAL"]\n  }\n}\n',
        "infra/domain.tf": DOMAIN,
    })
    assert _located(".", cwd=root) == [("api/orders.yaml", 21, 9, *TIMEOUT), ("infra/domain.tf", 3, 3, *CERTIFICATE)]
    assert _located("api/orders.yaml", cwd=root) == [("api/orders.yaml", 21, 9, *TIMEOUT)]
    verbose = run_cli("check", "--verbose", "api/orders.yaml", cwd=root)
    assert ("api/orders.yaml: note: checked as the body of aws_api_gateway_rest_api.orders in infra/api.tf"
            in verbose.out.splitlines())
    # named with the file that declares the API: that file reports the definition's findings, once
    assert _located("api/orders.yaml", "infra/api.tf", cwd=root) == [
        ("api/orders.yaml", 21, 9, *TIMEOUT), ("infra/domain.tf", 3, 3, *CERTIFICATE)]


# --- Terraform JSON bodies written as a string ------------------------------------------------------------

_DOCUMENT = {"openapi": "3.0.1", "info": {"title": "p", "version": "1"}, "paths": {"/p": {"get": {
    "x-amazon-apigateway-integration": {"type": "http_proxy", "httpMethod": "GET", "uri": "https://example.com",
                                        "timeoutInMillis": 50000}}}}}
_REGIONAL = ("AG201", ("integration timeout 50,000 ms is over the default maximum of 29,000 ms; regional REST APIs "
                      "need a quota increase for it"))


def _tf_json(body: str) -> str:
    resource = {"name": "p", "body": body, "endpoint_configuration": {"types": ["REGIONAL"]}}
    return json.dumps({"resource": {"aws_api_gateway_rest_api": {"p": resource}}}, indent=2) + "\n"


def test_a_terraform_json_body_written_as_a_json_string_reports_inside_the_string(tmp_path):
    """``"body": "{\\"openapi\\": ...}"``: the finding is at the key inside the string, its column counted
    in the file as written (each escaped quote is two characters there)."""
    text = _tf_json(json.dumps(_DOCUMENT))
    (tmp_path / "main.tf.json").write_text(text, encoding="utf-8")
    line = text.splitlines()[5]
    column = line.index('\\"timeoutInMillis') + 1
    assert _located(".", "--select", "AG201", cwd=tmp_path) == [("main.tf.json", 6, column, *_REGIONAL)]


def test_a_terraform_json_body_written_over_several_string_lines_keeps_each_line(tmp_path):
    """A string with \\n escapes is one line of the file: the finding is still on it, at its place."""
    text = _tf_json(json.dumps(_DOCUMENT, indent=2))
    (tmp_path / "main.tf.json").write_text(text, encoding="utf-8")
    line = text.splitlines()[5]
    column = line.index('\\"timeoutInMillis') + 1
    assert _located(".", "--select", "AG201", cwd=tmp_path) == [("main.tf.json", 6, column, *_REGIONAL)]


def test_a_terraform_json_body_built_by_jsonencode_in_an_interpolation_reports_at_the_body_key(tmp_path):
    """``"body": "${jsonencode({...})}"``: the object is an HCL expression inside a JSON string; the
    finding is at the ``body`` key, where the expression is written."""
    body = ('${jsonencode({openapi = "3.0.1", info = {title = "p", version = "1"}, paths = {"/p" = {get = {'
            '"x-amazon-apigateway-integration" = {type = "http_proxy", httpMethod = "GET", uri = "https://example.com", '
            'timeoutInMillis = 50000}}}}})}')
    (tmp_path / "main.tf.json").write_text(_tf_json(body), encoding="utf-8")
    assert _located(".", "--select", "AG201", cwd=tmp_path) == [("main.tf.json", 6, 9, *_REGIONAL)]


# --- override files ------------------------------------------------------------------------------------------

_OVERRIDDEN_MODULE = {
    "main.tf": PROVIDER + """
        resource "aws_api_gateway_rest_api" "api" {
          name = "orders"
          body = file("${path.module}/v1.yaml")

          endpoint_configuration {
            types = ["REGIONAL"]
          }
        }

        resource "aws_api_gateway_stage" "prod" {
          rest_api_id   = aws_api_gateway_rest_api.api.id
          deployment_id = "abc123"
          stage_name    = "prod"

          canary_settings {
            deployment_id   = "def456"
            percent_traffic = 10
          }
        }
        """,
    "main_override.tf": """\
        resource "aws_api_gateway_rest_api" "api" {
          body = file("${path.module}/v2.yaml")
        }

        resource "aws_api_gateway_stage" "prod" {
          cache_cluster_enabled = true

          canary_settings {
            deployment_id   = "def456"
            percent_traffic = 150
          }
        }
        """,
    "v1.yaml": 'openapi: 3.0.1\ninfo: {title: orders, version: "1"}\npaths: {}\n',
    "v2.yaml": """\
        openapi: 3.0.1
        info: {title: orders, version: "2"}
        paths:
          /orders:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: https://orders.example.com
                timeoutInMillis: 50000
        """,
}
_CANARY = ("AG213", ("stage prod (aws_api_gateway_stage.prod): canary percent_traffic 150 is outside 0–100, the share "
                    "of requests the canary deployment receives"))


def test_an_override_file_replaces_the_body_and_the_stage_settings_it_writes(tmp_path):
    """Terraform merges ``*_override.tf`` over the module: the API deploys v2.yaml, not v1.yaml, and the
    stage's canary block is the override's, reported where the override writes it."""
    root = _write(tmp_path, _OVERRIDDEN_MODULE)
    expected = [("main_override.tf", 10, 5, *_CANARY), ("v2.yaml", 10, 9, *TIMEOUT)]
    assert _located(".", "--select", "AG201,AG213", cwd=root) == expected
    assert _located("main.tf", "--select", "AG201,AG213", cwd=root) == expected
    # the definition named alone is found through the override that names it; v1.yaml is deployed by nothing
    assert _located("v2.yaml", "--select", "AG201,AG213", cwd=root) == [("v2.yaml", 10, 9, *TIMEOUT)]
    assert _located("v1.yaml", "--select", "AG201,AG213", cwd=root) == []
    # the override file named alone (only it changed) reports what it writes; its definition keeps its own
    assert _located("main_override.tf", "--select", "AG201,AG213", cwd=root) == [expected[0]]
    assert _located("main_override.tf", "v2.yaml", "--select", "AG201,AG213", cwd=root) == expected
    # the cache the override switches on is priced (in us-east-1: the bundled prices of the provider's
    # region have no REST request price)
    report = run_cli("cost", "--requests", "10M", "--region", "us-east-1", "-f", "json", ".", cwd=root).json()
    rest = next(e for e in report["estimates"] if e["api_type"] == "rest")
    assert [i["label"] for i in rest["line_items"]] == ["REST API requests", "cache (0.5 GB)"]
