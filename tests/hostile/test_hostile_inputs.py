"""Files nobody should write, each answered with findings at a position or a clean verdict, never a crash."""

from __future__ import annotations

import codecs
import os
import stat
import textwrap
from pathlib import Path

import pytest

from tests.hostile.conftest import LOAD_RULES, check, findings, messages

API = 'openapi: 3.0.1\ninfo: {title: Orders, version: "1.0"}\npaths: {}\n'


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


# --- shapes that are not definitions ------------------------------------------------------------------

@pytest.mark.parametrize("name,content", [
    ("empty.yaml", b""),
    ("blank.yaml", b"  \n\t\n   \n"),
    ("scalar.yaml", b"just a string\n"),
    ("list.yaml", b"- a\n- b\n"),
    ("number.json", b"42"),
    ("list.json", b'[{"openapi": "3.0.1"}]'),
    ("comments.yaml", b"# nothing but a comment\n"),
    ("empty-document.yaml", b"---\n...\n"),
])
def test_files_that_are_not_definitions_give_no_findings(tmp_path, name, content):
    path = write(tmp_path, name, content)
    result = check("--format", "json", str(path))
    assert result.code == 0 and findings(result) == []


def test_json_with_trailing_garbage_is_a_syntax_error_where_the_garbage_starts(tmp_path):
    path = write(tmp_path, "api.json", '{"openapi": "3.0.1", "paths": {}}\n  trailing garbage')
    result = check("--format", "json", str(path))
    assert result.code == 1
    assert findings(result) == [(2, 3, "AG001")]
    assert messages(result, "AG001") == ["JSON syntax error: Extra data"]


def test_several_yaml_documents_check_the_first_and_point_at_the_second(tmp_path):
    path = write(tmp_path, "api.yaml", API + "---\n" + API + "---\n!!binary garbage: [\n")
    result = check("--select", LOAD_RULES, "--format", "json", str(path))
    assert findings(result) == [(4, 1, "AG004")]


def test_a_trailing_document_marker_is_not_a_second_document(tmp_path):
    path = write(tmp_path, "api.yaml", API + "---\n")
    assert findings(check("--select", LOAD_RULES, "--format", "json", str(path))) == []


# --- encodings and binary content --------------------------------------------------------------------

def test_bytes_that_are_not_utf8_are_reported_where_they_are(tmp_path):
    path = write(tmp_path, "api.yaml", "openapi: 3.0.1\ninfo:\n  title: Caf\xe9\n".encode("latin-1"))
    result = check("--format", "json", str(path))
    assert result.code == 1 and findings(result) == [(3, 13, "AG001")]
    assert "not valid UTF-8" in messages(result, "AG001")[0]


@pytest.mark.parametrize("bom,encoding", [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
])
def test_byte_order_marks_are_honoured(tmp_path, bom, encoding):
    text = 'openapi: 3.0.1\ninfo: {title: Orders, version: "1.0"}\npaths:\n  /a: {get: {}}\n  /a: {}\n'
    path = write(tmp_path, "api.yaml", bom + text.encode(encoding))
    result = check("--select", "AG001", "--format", "json", str(path))
    assert findings(result) == [(5, 3, "AG001")]  # the duplicate key, found in the decoded text


def test_nul_bytes_are_reported_at_the_first_one(tmp_path):
    path = write(tmp_path, "api.yaml", b"openapi: 3.0.1\ninfo:\n  title: a\x00b\n")
    result = check("--format", "json", str(path))
    assert findings(result) == [(3, 11, "AG001")]
    assert "NUL" in messages(result, "AG001")[0]


def test_utf16_without_a_byte_order_mark_is_recognised_as_not_text(tmp_path):
    path = write(tmp_path, "api.yaml", API.encode("utf-16-le"))
    result = check("--format", "json", str(path))
    assert [f[2] for f in findings(result)] == ["AG001"]


@pytest.mark.parametrize("content", [
    bytes(range(256)) * 8,
    b"\x89PNG\r\n\x1a\n" + bytes(300),
    b"\x7fELF\x02\x01\x01" + os.urandom(2000),
    b"PK\x03\x04" + bytes(range(40, 200)),
])
def test_binary_files_with_a_yaml_name_are_skipped(tmp_path, content):
    # not text, and no definition's keys in their bytes: not an API, named or walked
    path = write(tmp_path, "image.yaml", content)
    result = check("--format", "json", str(path))
    assert result.code == 0 and findings(result) == []
    verbose = check("--verbose", str(path))
    assert "Skipped 1 file that is neither OpenAPI definitions nor templates." in verbose.out


def test_a_binary_file_that_writes_a_definitions_keys_is_one_finding(tmp_path):
    path = write(tmp_path, "api.yaml", b"openapi: 3.0.1\ninfo: \xff\xfe\x00\x89PNG\n")
    result = check("--format", "json", str(path))
    assert result.code == 1 and [f[2] for f in findings(result)] == ["AG001"]


def test_json_escapes_of_lone_surrogates_cannot_break_the_report(tmp_path):
    """``"\\ud800"`` decodes to a string no output can encode: every message quoting it would crash."""
    text = ('{"openapi": "3.0.1", "info": {"title": "\\ud800", "version": "1"}, "\\udead": 1, "\\udead": 2, '
            '"paths": {"/\\udc00": {"get": {"x-amazon-apigateway-integration": {"type": "\\ud800", '
            '"uri": "\\udfff", "timeoutInMillis": "\\ud83d\\ude00"}}}}}')
    path = write(tmp_path, "api.json", text)
    for output in ("text", "json", "sarif", "github", "junit", "markdown"):
        result = check("--format", output, str(path))
        assert result.code == 1
    assert (1, 80, "AG001") in findings(check("--format", "json", str(path)))  # the duplicate key


def test_file_names_that_are_not_utf8_are_shown_with_escapes(tmp_path):
    """A pull request can add ``api\\xff.yaml``: its name must not break any report."""
    try:
        (tmp_path / os.fsdecode(b"api\xff.yaml")).write_bytes(b"openapi: [\n")
    except (OSError, UnicodeError):
        pytest.skip("this file system takes only UTF-8 names")
    for output in ("text", "json", "sarif", "github", "junit", "markdown"):
        result = check("--format", output, "--output", str(tmp_path.parent / f"report.{output}"), ".", cwd=tmp_path)
        assert result.code == 1
        assert "xff" in (tmp_path.parent / f"report.{output}").read_text(encoding="utf-8")


def test_control_characters_are_reported_at_their_position(tmp_path):
    path = write(tmp_path, "api.yaml", 'openapi: 3.0.1\ninfo: "\x07"\n')
    result = check("--format", "json", str(path))
    assert findings(result) == [(2, 8, "AG001")]


@pytest.mark.parametrize("number", ["9" * 4300, "9" * 5000, "0x" + "f" * 5000, "0o" + "7" * 6000, "-" + "9" * 9000],
                         ids=["4300-digits", "5000-digits", "hex", "octal", "negative"])
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_integers_too_long_to_print_are_read_as_infinite(tmp_path, number, suffix):
    """Python prints no integer of more than 4,300 digits: one reaching a rule's message would crash it."""
    if suffix == ".json" and not number.lstrip("-").isdigit():
        pytest.skip("JSON has decimal integers only")
    integration = ('{"type": "http_proxy", "httpMethod": "GET", "uri": "https://e.com", '
                   f'"timeoutInMillis": {number}}}')
    text = ('{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, '
            f'"x-size": {number}, "paths": {{"/a": {{"get": {{"x-amazon-apigateway-integration": {integration}}}}}}}}}')
    result = check("--format", "json", str(write(tmp_path, "api" + suffix, text)))
    assert result.code in (0, 1) and not [f for f in findings(result) if f[2] == "AG001"]


# --- SAM and CloudFormation oddities -----------------------------------------------------------------

TEMPLATE = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Globals: [not, a, mapping]
    Resources:
      NoType:
        Properties: {Name: x}
      ListProperties:
        Type: AWS::Serverless::Api
        Properties: [1, 2]
      NullProperties:
        Type: AWS::ApiGateway::RestApi
        Properties:
      StringProperties:
        Type: AWS::ApiGatewayV2::Api
        Properties: "hello"
      TypeList:
        Type: [AWS::Serverless::Api]
      TypeIntrinsic:
        Type: !Ref Something
      RemoteInclude:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          DefinitionBody:
            Fn::Transform:
              Name: AWS::Include
              Parameters:
                Location: https://example.com/api.yaml
      ShortRemoteInclude:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          DefinitionBody: !Transform {Name: AWS::Include, Parameters: {Location: s3://bucket/api.yaml}}
      RemoteUri:
        Type: AWS::Serverless::Api
        Properties:
          DefinitionUri: https://example.com/api.yaml
      BucketUri:
        Type: AWS::Serverless::Api
        Properties:
          DefinitionUri: {Bucket: b, Key: k}
      UnknownTag:
        Type: AWS::Serverless::HttpApi
        Properties:
          DefinitionBody: !Foo
            openapi: 3.0.1
          Domain: !Ref DomainName
          EndpointConfiguration: [1]
      Intrinsics:
        Type: AWS::Serverless::Api
        Properties:
          StageName: !Ref Stage
          EndpointConfiguration: !If [C, EDGE, REGIONAL]
          Auth: !If [C, {DefaultAuthorizer: A}, !Ref AWS::NoValue]
          DefinitionBody:
            openapi: 3.0.1
            info: {title: !Sub "${X}", version: !Ref V}
            paths: !If
              - C
              - /a: {get: {x-amazon-apigateway-integration: !Ref I}}
              - {}
            x-amazon-apigateway-policy: !GetAtt A.B
      Domain:
        Type: AWS::ApiGateway::DomainName
        Properties: !Ref X
      Domain2:
        Type: AWS::ApiGateway::DomainName
        Properties:
          EndpointConfiguration: {Types: "REGIONAL"}
          CertificateArn: [arn]
      Domain3:
        Type: AWS::ApiGatewayV2::DomainName
        Properties:
          DomainNameConfigurations: [5, null, {EndpointType: 7}]
      Mapping:
        Type: AWS::ApiGateway::BasePathMapping
        Properties: {DomainName: {Ref: [1]}, RestApiId: !Ref Intrinsics}
""")


def test_template_oddities_give_findings_not_crashes(tmp_path):
    path = write(tmp_path, "template.yaml", TEMPLATE)
    result = check("--format", "json", str(path))
    assert (45, 23, "AG003") in findings(result)  # !Foo


def test_intrinsic_functions_anywhere_in_a_definition(tmp_path):
    body = textwrap.dedent("""\
        openapi: !Sub "3.0.1"
        info: !If [C, {title: a, version: "1"}, {title: b, version: "2"}]
        paths:
          !Sub "/a": {get: !Ref Op}
          /b: !GetAtt A.B
          /c:
            get:
              responses: !Ref R
              x-amazon-apigateway-integration:
                type: !Ref T
                uri: !Join ["", [!Ref A, /x]]
                timeoutInMillis: !FindInMap [M, !Ref K, T]
              security: [!Ref S]
        components: !Ref C
        """)
    path = write(tmp_path, "api.yaml", body)
    check("--format", "json", str(path))


# --- wrong types where rules expect others ---------------------------------------------------------

WRONG_TYPES = textwrap.dedent("""\
    openapi: 3.0.1
    info: {title: t, version: "1"}
    x-amazon-apigateway-api-key-source: [1]
    paths:
      /a: "just a string"
      /b:
        get: "an operation as a string"
        post: [1, 2]
        put:
          x-amazon-apigateway-integration: null
        patch:
          x-amazon-apigateway-integration:
            type: http_proxy
            uri: https://example.com
            timeoutInMillis: "29000"
        delete:
          x-amazon-apigateway-integration:
            type: [http_proxy]
            uri: {a: 1}
            timeoutInMillis: 99999999999999999999999999999999999999999999999999999999
            httpMethod: 5
        options:
          x-amazon-apigateway-integration:
            type: HTTP_PROXY
            timeoutInMillis: 1e400
            requestTemplates: "x"
            responses: [1]
        head:
          security: "x"
          parameters: {a: 1}
          x-amazon-apigateway-integration:
            timeoutInMillis: -5
            type: 7
      /c: null
      /d: {$ref: 5}
      /e: {get: {$ref: [1]}}
      5: {get: {}}
    components: [1]
    securityDefinitions: "x"
    security: 5
    servers: {a: 1}
    tags: 5
    x-amazon-apigateway-endpoint-configuration: [1]
    x-amazon-apigateway-cors: 5
""")


def test_wrong_types_give_findings_not_crashes(tmp_path):
    check("--format", "json", str(write(tmp_path, "api.yaml", WRONG_TYPES)))


@pytest.mark.parametrize("paths", ["[/a, /b]", "null", "5", '"paths"', "{/a: [get]}", "{/a: {get: null}}"])
def test_paths_of_every_wrong_type(tmp_path, paths):
    path = write(tmp_path, "api.yaml", f'openapi: 3.0.1\ninfo: {{title: t, version: "1"}}\npaths: {paths}\n')
    check("--format", "json", str(path))


@pytest.mark.parametrize("root", ["swagger: 2.0\npaths: []\n", "openapi: [3]\n", "openapi: null\npaths: {}\n",
                                  "swagger: {a: 1}\n", "openapi: 3.1.0\nwebhooks: 5\ncomponents: {pathItems: 5}\n"])
def test_version_fields_of_wrong_types(tmp_path, root):
    check("--format", "json", str(write(tmp_path, "api.yaml", root)))


# --- configuration ---------------------------------------------------------------------------------

@pytest.mark.parametrize("config,where,key", [
    ("region: eu-west-1\nfail-on: error\nunknown-key: 1\n", ":3:1:", "unknown-key"),
    ("fail-on: 5\n", ":1:1:", "fail-on"),
    ("exclude: notalist\n", ":1:1:", "exclude"),
    ("max-file-size: -1\n", ":1:1:", "max-file-size"),
    ("severity: {AG201: fatal}\n", ":1:12:", "severity.AG201"),
    ("files:\n  - match: '*.yaml'\n    api-typo: rest\n", ":3:5:", "files.0.api-typo"),
    ("exclude: ['ok/*', '[unclosed']\n", ":1:19:", "exclude.1"),
    ("files:\n  - match: ['a', 'b[!']\n", ":2:18:", "files.0.match.1"),
    ("files:\n  - match: ''\n", ":2:5:", "files.0.match"),
])
def test_configuration_errors_name_file_line_and_key(tmp_path, config, where, key):
    write(tmp_path, ".apilint.yaml", config)
    write(tmp_path, "api.yaml", API)
    result = check("api.yaml", cwd=tmp_path)
    assert result.code == 2
    assert result.err.startswith(f"apilint: error: .apilint.yaml{where} {key}:"), result.err
    assert len(result.err.strip().splitlines()) == 1


@pytest.mark.parametrize("config", [": : :\n", "[1, 2]\n", b"\xff\xfe\x00garbage", "a: *undefined\n"])
def test_unreadable_configuration_is_a_usage_error(tmp_path, config):
    write(tmp_path, ".apilint.yaml", config)
    write(tmp_path, "api.yaml", API)
    result = check("api.yaml", cwd=tmp_path)
    assert result.code == 2 and result.err.startswith("apilint: error: .apilint.yaml")


# --- what a directory may hold ---------------------------------------------------------------------

def test_a_directory_of_thousands_of_files_that_are_not_definitions(tmp_path):
    many = tmp_path / "many"
    many.mkdir()
    for index in range(2000):
        (many / f"config{index}.yaml").write_text(f"name: thing{index}\nvalues: [1, 2, 3]\n")
        (many / f"notes{index}.txt").write_text("x")
    write(tmp_path, "api.yaml", API)
    result = check("--format", "json", ".", cwd=tmp_path)
    assert result.code == 0 and findings(result) == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file(tmp_path):
    path = write(tmp_path, "secret.yaml", API)
    path.chmod(0)
    try:
        named = check(str(path))
        assert named.code == 2 and "cannot read" in named.err
        walked = check(".", cwd=tmp_path)
        assert walked.code == 0 and "cannot read" in walked.err
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_is_never_opened_for_a_blocking_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")  # nothing ever writes to it: a blocking read would hang the run
    write(tmp_path, "api.yaml", API)
    walked = check(".", cwd=tmp_path)
    assert walked.code == 0 and "pipe.yaml: is a named pipe (FIFO)" in walked.err
    named = check("pipe.yaml", cwd=tmp_path)
    assert named.code in (0, 2) and "named pipe" in named.err


def test_a_directory_named_like_a_definition(tmp_path):
    (tmp_path / "api.yaml").mkdir()
    write(tmp_path / "api.yaml", "inner.yaml", API)
    assert check(".", cwd=tmp_path).code == 0


def test_configuration_files_nested_thousands_deep(tmp_path):
    """A pyproject.toml with [tool.apilint] and an array nested 100,000 deep is a usage error naming the
    file; a samconfig.toml or samconfig.yaml nested so deep states no region, and the template is checked."""
    deep_toml = "[" * 100_000 + "]" * 100_000
    write(tmp_path, "pyproject.toml", f'[tool.apilint]\nfail-on = "error"\n[x]\na = {deep_toml}\n')
    write(tmp_path, "api.yaml", API)
    result = check("api.yaml", cwd=tmp_path)
    assert result.code == 2
    assert result.err == (f"apilint: error: {tmp_path / 'pyproject.toml'}: cannot read [tool.apilint] (the file nests "
                          "deeper than Python's TOML reader can follow)\n")
    (tmp_path / "pyproject.toml").unlink()

    write(tmp_path, "template.yaml", "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n"
                                     "    Type: AWS::Serverless::HttpApi\n")
    for name, text in (("samconfig.toml", f"a = {deep_toml}\n"), ("samconfig.yaml", f"a: {deep_toml}\n")):
        write(tmp_path, name, text)
        for named in ("template.yaml", name):
            result = check(named, cwd=tmp_path)
            assert result.code in (0, 1) and "internal error" not in result.err, (name, named, result.err)
        (tmp_path / name).unlink()


def test_json_text_nested_thousands_deep_where_apilint_parses_json(tmp_path):
    """Resource policies written as JSON text (a template's Policy, Terraform's policy), a baseline, a usage
    file and a price list, each nested 50,000 deep: findings or a usage error, never an internal error."""
    from tests.conftest import run_cli
    from tests.hostile.conftest import assert_contract

    deep = "[" * 50_000 + "]" * 50_000
    write(tmp_path, "policy.yaml", "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n"
                                   f"      Name: orders\n      Policy: '{deep}'\n")
    assert findings(check("--format", "json", "policy.yaml", cwd=tmp_path)) == [(6, 7, "AG205")]
    write(tmp_path, "main.tf", f'resource "aws_api_gateway_rest_api" "orders" {{\n  name   = "orders"\n'
                               f'  policy = "{deep}"\n}}\n')
    assert check("main.tf", cwd=tmp_path).code in (0, 1)

    write(tmp_path, "baseline.json", f'{{"findings": {deep}}}')
    result = check("--baseline", "baseline.json", "policy.yaml", cwd=tmp_path)
    assert result.code == 2
    assert result.err == "apilint: error: baseline.json: not a baseline file: it nests deeper than a baseline does\n"

    write(tmp_path, "usage.yaml", f"apis: {deep}\n")
    cost = run_cli("cost", "--usage", "usage.yaml", "policy.yaml", cwd=tmp_path)
    assert_contract(cost)
    assert cost.code == 2 and cost.err.startswith("apilint: error: usage.yaml:1:1: the file nests deeper than the "
                                                  "YAML reader can follow")
    write(tmp_path, "prices.json", f'{{"products": {deep}}}')
    priced = run_cli("cost", "--requests", "1M", "--price-list", "prices.json", "policy.yaml", cwd=tmp_path)
    assert_contract(priced)
    assert priced.code == 2
    assert priced.err == ("apilint: error: price list prices.json is not an AWS Price List offer file (it nests "
                          "thousands of levels deep)\n")


def test_every_command_takes_the_debug_flag_the_internal_error_message_asks_for(tmp_path):
    from tests.conftest import run_cli

    write(tmp_path, "api.yaml", API)
    for args in (["rules", "--format", "json", "--debug"], ["cost", "--requests", "1M", "--debug", "api.yaml"],
                 ["check", "--debug", "api.yaml"]):
        result = run_cli(*args, cwd=tmp_path)
        assert result.code == 0 and "No such option" not in result.err, (args, result.err)
