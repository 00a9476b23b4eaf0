"""How the extension rules use the JSON Schemas of rules/schemas: the catalogue of extension names,
lazy and cached validators, and the split of schema violations between AG401, AG403 and AG413.
tests/rules/test_extension_schema_errors.py holds the errors to those of the pure-Python validator."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from apilint.checks import extensions
from tests.conftest import REPO, run_cli

# The extensions AWS's "OpenAPI extensions for API Gateway" page lists (fact sheet §1.1), without the
# topics that document parts of an extension (x-amazon-apigateway-integration.requestTemplates, ...).
DOCUMENTED = {
    "x-amazon-apigateway-any-method", "x-amazon-apigateway-cors", "x-amazon-apigateway-api-key-source",
    "x-amazon-apigateway-auth", "x-amazon-apigateway-authorizer", "x-amazon-apigateway-authtype",
    "x-amazon-apigateway-binary-media-types", "x-amazon-apigateway-documentation",
    "x-amazon-apigateway-endpoint-access-mode", "x-amazon-apigateway-endpoint-configuration",
    "x-amazon-apigateway-gateway-responses", "x-amazon-apigateway-importexport-version",
    "x-amazon-apigateway-integration", "x-amazon-apigateway-integrations",
    "x-amazon-apigateway-minimum-compression-size", "x-amazon-apigateway-policy",
    "x-amazon-apigateway-request-validator", "x-amazon-apigateway-request-validators",
    "x-amazon-apigateway-security-policy", "x-amazon-apigateway-tag-value",
}


def _findings(tmp_path, text: str, *codes: str) -> list[dict]:
    """The findings of ``codes`` on ``text`` (dedented), written to a file and checked."""
    path = tmp_path / "api.yaml"
    path.write_text(textwrap.dedent(text))
    result = run_cli("check", "--format", "json", "--select", ",".join(codes), str(path))
    assert result.code in (0, 1), result.err
    return result.json()["findings"]


def _check(tmp_path, text: str, *codes: str) -> list[tuple[str, int, int]]:
    return sorted((f["code"], f["line"], f["column"]) for f in _findings(tmp_path, text, *codes))


def test_the_schema_folder_names_exactly_the_documented_extensions():
    assert extensions.extension_names() == DOCUMENTED


def test_the_validator_is_imported_only_when_a_rule_runs():
    code = "import sys, apilint.checks.extensions; print('jsonschema_rs' in sys.modules, 'jsonschema' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def test_validators_are_built_once_per_extension():
    first = extensions._validator("x-amazon-apigateway-integration")
    assert extensions._validator("x-amazon-apigateway-integration") is first


def test_unknown_integration_keys_go_to_ag403_and_wrong_values_to_ag401(tmp_path):
    found = _check(tmp_path, """\
        swagger: "2.0"
        info: {title: t, version: "1"}
        paths:
          /a:
            get:
              responses: {"200": {description: OK}}
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: https://example.com/
                passThroughBehavior: never
                connectionType: PRIVATE
        """, "AG401", "AG403")
    assert found == [("AG401", 12, 9), ("AG403", 11, 9)]


def test_unknown_gateway_response_types_go_to_ag413_only(tmp_path):
    found = _check(tmp_path, """\
        swagger: "2.0"
        info: {title: t, version: "1"}
        x-amazon-apigateway-gateway-responses:
          DEFAULT_4xx: {statusCode: "400"}
          DEFAULT_5XX: {statusCode: "5000"}
        paths: {}
        """, "AG401", "AG413")
    assert found == [("AG401", 5, 17), ("AG413", 4, 3)]


def test_intrinsics_and_placeholders_stand_for_any_value(tmp_path):
    found = _check(tmp_path, """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              DefinitionBody:
                swagger: "2.0"
                info: {title: t, version: "1"}
                x-amazon-apigateway-api-key-source: !Ref KeySource
                x-amazon-apigateway-binary-media-types: !Split [",", !Ref MediaTypes]
                x-amazon-apigateway-request-validators:
                  all:
                    validateRequestBody: !If [Strict, true, false]
                    validateRequestParameters: "${validate_parameters}"
                paths:
                  /a:
                    get:
                      responses: {"200": {description: OK}}
                      x-amazon-apigateway-integration:
                        type: !Ref IntegrationType
                        httpMethod: POST
                        uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
                        timeoutInMillis: "${timeout}"
        """, "AG401", "AG403")
    assert found == []


def test_findings_under_a_key_written_as_a_number(tmp_path):
    """The compiled validator's error paths give a key such as "200" as an integer; the findings name
    the key as written and stand where it is."""
    findings = _findings(tmp_path, """\
        swagger: "2.0"
        info: {title: t, version: "1"}
        paths:
          /a:
            get:
              responses: {"200": {description: OK}}
              x-amazon-apigateway-integration:
                type: http
                httpMethod: GET
                uri: https://example.com/
                responses:
                  "200":
                    statusCode: "2000"
                  "007":
                    responseTemplate: {}
        """, "AG401", "AG403")
    found = sorted((f["code"], f["line"], f["path"][-2:], f["message"]) for f in findings)
    assert found == [
        ("AG401", 13, ["200", "statusCode"],
         "x-amazon-apigateway-integration.responses.200.statusCode: '2000' does not match '^[1-5][0-9]{2}$'"),
        ("AG403", 15, ["007", "responseTemplate"],
         ("unknown property 'responseTemplate' in an integration response of x-amazon-apigateway-integration "
          "(did you mean 'responseTemplates'?); API Gateway ignores it")),
    ]
