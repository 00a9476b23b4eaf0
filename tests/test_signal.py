"""What a team sees on its real repository: one finding per mistake, protection read from the whole
deployment, and messages that fit what was found. Each case is written like the real file it stands for."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.conftest import run_cli


def _check(tmp_path: Path, name: str, text: str, *args: str) -> list[dict]:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    result = run_cli("check", "--format", "json", *args, str(path), cwd=tmp_path)
    assert result.code in (0, 1), result.err
    return result.json()["findings"]


def _codes(findings: list[dict], code: str) -> list[tuple[int, int, str]]:
    return [(f["line"], f["column"], f["message"]) for f in findings if f["code"] == code]


LAMBDA = ("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
          "arn:aws:lambda:eu-west-1:123456789012:function:orders/invocations")

PUBLIC_BODY = f"""\
        openapi: 3.0.1
        info: {{title: Orders, version: "1.0"}}
        paths:
          /orders:
            get:
              responses: {{"200": {{description: OK}}}}
              x-amazon-apigateway-integration: {{type: aws_proxy, httpMethod: POST, uri: "{LAMBDA}"}}
            post:
              responses: {{"201": {{description: Created}}}}
              x-amazon-apigateway-integration: {{type: aws_proxy, httpMethod: POST, uri: "{LAMBDA}"}}
"""


# --- AG301 ------------------------------------------------------------------------------------------


def test_public_api_is_not_reported_per_operation(tmp_path):
    assert _codes(_check(tmp_path, "api.yaml", PUBLIC_BODY), "AG301") == []


def test_public_api_is_stated_once_when_asked(tmp_path):
    (tmp_path / ".apilint.yaml").write_text("options:\n  AG301:\n    report_public_apis: true\n")
    findings = _check(tmp_path, "api.yaml", PUBLIC_BODY)
    assert [(f["line"], f["column"], f["severity"], f["message"]) for f in findings if f["code"] == "AG301"] == [
        (3, 1, "info", ("no operation of this API requires authorization: anyone can call its 2 operations "
                       "(GET /orders, POST /orders)"))]


def test_operation_left_open_beside_protected_ones_is_reported(tmp_path):
    findings = _check(tmp_path, "api.yaml", f"""\
        openapi: 3.0.1
        info: {{title: Orders, version: "1.0"}}
        components:
          securitySchemes:
            sigv4: {{type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}}
        paths:
          /orders:
            get:
              security: [{{sigv4: []}}]
              responses: {{"200": {{description: OK}}}}
              x-amazon-apigateway-integration: {{type: aws_proxy, httpMethod: POST, uri: "{LAMBDA}"}}
            delete:
              responses: {{"204": {{description: Deleted}}}}
              x-amazon-apigateway-integration: {{type: aws_proxy, httpMethod: POST, uri: "{LAMBDA}"}}
    """)
    assert _codes(findings, "AG301") == [
        (12, 5, ("DELETE /orders has no authorization (no security requirement, no x-amazon-apigateway-auth "
                "AWS_IAM), while 1 other operation of this API requires it (GET /orders: security sigv4)"))]


def _sam(tmp_path: Path, api_properties: str, extra: str = "") -> list[dict]:
    body = textwrap.indent(textwrap.dedent(PUBLIC_BODY), " " * 8)
    text = ("Transform: AWS::Serverless-2016-10-31\nResources:\n  OrdersApi:\n    Type: AWS::Serverless::Api\n"
            "    Properties:\n      StageName: prod\n" + textwrap.indent(textwrap.dedent(api_properties), " " * 6)
            + "      DefinitionBody:\n" + body + textwrap.indent(textwrap.dedent(extra), "  "))
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / ".apilint.yaml").write_text("options:\n  AG301:\n    report_public_apis: true\n")
    result = run_cli("check", "--format", "json", "--select", "AG301", str(path), cwd=tmp_path)
    assert result.code in (0, 1), result.err
    return result.json()["findings"]


def test_every_way_a_deployment_protects_an_api_is_honoured(tmp_path):
    # the same API, public as written, is protected as a whole by each of these
    assert _sam(tmp_path, "Auth: {ApiKeyRequired: true}\n") == []
    assert _sam(tmp_path, "Auth: {DefaultAuthorizer: AWS_IAM}\n") == []
    assert _sam(tmp_path, "Auth:\n  UsagePlan: {CreateUsagePlan: PER_API, Quota: {Limit: 1000, Period: DAY}}\n") == []
    assert _sam(tmp_path, "Auth:\n  ResourcePolicy: {IpRangeWhitelist: [10.0.0.0/8]}\n") == []
    assert _sam(tmp_path, "EndpointConfiguration: {Type: PRIVATE}\n"
                          "Auth:\n  ResourcePolicy: {SourceVpcWhitelist: [vpc-0abc]}\n") == []
    assert _sam(tmp_path, "", """\
          OrdersPlan:
            Type: AWS::ApiGateway::UsagePlan
            Properties:
              ApiStages:
                - ApiId: !Ref OrdersApi
                  Stage: prod
        """) == []
    # and without any of them, the API is stated public once, at its resource
    assert [(f["line"], f["column"]) for f in _sam(tmp_path, "")] == [(3, 3)]


def test_globals_auth_protects_the_api(tmp_path):
    path = tmp_path / "template.yaml"
    body = textwrap.indent(textwrap.dedent(PUBLIC_BODY), " " * 8)
    path.write_text("Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Api:\n    Auth:\n"
                    "      DefaultAuthorizer: OrdersCognito\n      Authorizers:\n        OrdersCognito:\n"
                    "          UserPoolArn: arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_x\n"
                    "Resources:\n  OrdersApi:\n    Type: AWS::Serverless::Api\n    Properties:\n"
                    "      StageName: prod\n      DefinitionBody:\n" + body)
    result = run_cli("check", "--format", "json", "--select", "AG301", str(path), cwd=tmp_path)
    assert result.json()["findings"] == []


# --- AG303, AG306, AG105 ----------------------------------------------------------------------------


def test_policy_open_only_on_preflights_and_one_route_is_not_reported(tmp_path):
    findings = _check(tmp_path, "api.yaml", """\
        swagger: "2.0"
        info: {title: Orders, version: "1.0"}
        x-amazon-apigateway-policy:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Principal: "*", Action: execute-api:Invoke, Resource: "execute-api:/*/OPTIONS/*"}
            - Effect: Allow
              Principal: "*"
              Action: execute-api:Invoke
              Resource: "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/prod/GET/health"
            - {Effect: Allow, Principal: {AWS: "arn:aws:iam::123456789012:root"}, Action: execute-api:Invoke,
               Resource: "execute-api:/*"}
        paths: {}
    """, "--select", "AG303")
    assert findings == []


def test_policy_open_on_every_route_is_reported(tmp_path):
    findings = _check(tmp_path, "api.yaml", """\
        swagger: "2.0"
        info: {title: Orders, version: "1.0"}
        x-amazon-apigateway-policy:
          Statement:
            - Effect: Allow
              Principal: "*"
              Action: execute-api:Invoke
              Resource: "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/*/*/*"
        paths: {}
    """, "--select", "AG303")
    assert _codes(findings, "AG303") == [
        (6, 7, ("x-amazon-apigateway-policy allows everyone (Principal *) to invoke the API without a Condition, and "
               "no Deny statement narrows it: the policy restricts nothing (Checkov CKV2_AWS_70)"))]


TOKEN_API = """\
    openapi: 3.0.1
    info: {title: Identity, version: "1.0"}
    paths:
      /oauth2/token:
        post:
          security: [{client: []}]
          responses: {"200": {description: Token}}
      %s
    components:
      securitySchemes:
        client: {type: http, scheme: basic}
    x-amazon-apigateway-api-key-source: HEADER
"""


def test_basic_on_a_token_endpoint_is_not_weak(tmp_path):
    assert _check(tmp_path, "api.yaml", TOKEN_API % "", "--select", "AG306") == []


def test_basic_on_other_operations_is_weak(tmp_path):
    other = '/me:\n        get: {security: [{client: []}], responses: {"200": {description: OK}}}'
    findings = _check(tmp_path, "api.yaml", TOKEN_API % other, "--select", "AG306")
    assert _codes(findings, "AG306") == [
        (12, 26, ("security scheme 'client' uses HTTP basic authentication: the password travels with every request, "
                 "and API Gateway does not check it itself; use IAM, Cognito, a JWT or a Lambda authorizer"))]


def test_payload_format_1_0_in_rest_api_says_it_changes_nothing(tmp_path):
    findings = _check(tmp_path, "api.json", f"""\
        {{"openapi": "3.0.2", "info": {{"title": "Payloads", "version": "1"}},
         "paths": {{"/payload": {{"get": {{"responses": {{"200": {{"description": "OK"}}}},
           "x-amazon-apigateway-integration": {{"type": "aws_proxy", "httpMethod": "POST",
             "uri": "{LAMBDA}", "payloadFormatVersion": "1.0", "passthroughBehavior": "when_no_templates",
             "requestTemplates": {{"application/json": "{{}}"}}, "responses": {{"default": {{"statusCode": "200"}}}}}}}}}}}}}}
    """, "--select", "AG105")
    assert [(f["line"], f["severity"], f["message"]) for f in findings] == [
        (4, "info", ("`payloadFormatVersion` in the integration of GET /payload, in a REST API (uses REST API "
                    "features: passthroughBehavior, requestTemplates, responses): a REST API ignores the key and always sends Lambda the 1.0 "
                    "event, so \"1.0\" changes nothing; remove the key"))]


# --- AG002 ------------------------------------------------------------------------------------------


def test_header_with_type_outside_schema_is_one_finding(tmp_path):
    # as in aws-samples/serverless-patterns apigw-cache-invalidation-eventbridge
    findings = _check(tmp_path, "api.yaml", """\
        openapi: "3.0.1"
        info: {title: cache, version: "1"}
        paths:
          /time:
            get:
              responses:
                "200":
                  description: "200 response"
                  content: {}
                  headers:
                    cache-timestamp:
                      type: "string"
              x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: "{}"}}
    """, "--select", "AG002")
    assert _codes(findings, "AG002") == [
        (11, 13, ("header 'cache-timestamp' writes `type: string` directly: in OpenAPI 3 a header's type goes under "
                 "`schema:` (`schema: {type: string}`)"))]


def test_parameter_with_type_outside_schema_is_one_finding(tmp_path):
    findings = _check(tmp_path, "api.yaml", """\
        openapi: "3.0.1"
        info: {title: items, version: "1"}
        paths:
          /items:
            get:
              parameters:
                - name: limit
                  in: query
                  type: integer
              responses: {"200": {description: OK}}
              x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: "{}"}}
    """, "--select", "AG002")
    assert _codes(findings, "AG002") == [
        (7, 11, ("parameter 'limit' writes `type: integer` directly: in OpenAPI 3 a parameter's type goes under "
                "`schema:` (`schema: {type: integer}`)"))]


PATTERN_API = """\
    openapi: 3.0.1
    info: {title: t, version: "1"}
    paths:
      /items/{id}:
        get:
          parameters:
            - {name: id, in: path, required: true, schema: {type: string, pattern: '%s'}}
          responses: {"200": {description: OK}}
          x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: "{}"}}
"""


def test_pattern_is_read_as_ecma_262(tmp_path):
    # "[\w-_]" is a valid ECMA-262 class (Python's re refuses it)
    assert _check(tmp_path, "api.yaml", PATTERN_API % r"^[\w-_]+$", "--select", "AG002") == []


def test_pattern_that_ecma_262_refuses_is_reported(tmp_path):
    findings = _check(tmp_path, "api.yaml", PATTERN_API % "^(unclosed$", "--select", "AG002")
    assert _codes(findings, "AG002") == [
        (7, 71, "pattern '^(unclosed$' is not a valid ECMA-262 regular expression: Unbalanced parenthesis")]


def test_openapi_version_inside_definition_body_is_named_as_that_mistake(tmp_path):
    findings = _check(tmp_path, "template.yaml", """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              DefinitionBody:
                OpenApiVersion: 3.0.1
                info: {title: t, version: "1"}
                paths: {}
    """, "--select", "AG002")
    assert _codes(findings, "AG002") == [
        (8, 9, ("`OpenApiVersion` is a property of the SAM resource (AWS::Serverless::Api or HttpApi), written here "
               "inside the definition: move it up beside `DefinitionBody`, and give the definition its own "
               "`openapi: 3.0.1`"))]


def test_swagger_root_keys_in_openapi_3_are_info(tmp_path):
    # as in SAM's integration test templates, which are deployed: API Gateway imports them
    findings = _check(tmp_path, "api.yaml", """\
        openapi: 3.0.1
        info: {title: t, version: "1"}
        basePath: /prod
        schemes: [https]
        paths:
          /:
            get:
              responses:
                "200": {}
              x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: "{}"}}
    """, "--select", "AG002")
    assert [(f["line"], f["severity"], f["message"]) for f in findings] == [
        (1, "info", "Additional properties are not allowed ('basePath', 'schemes' were unexpected)"),
        (9, "info", '"description" is a required property')]
