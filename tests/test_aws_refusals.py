"""Rules for what AWS refuses at import and deploy: cases the per-rule fixtures cannot express
(rule options, messages, what must stay silent)."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from tests.conftest import FIXTURES, run_cli

RULES = FIXTURES / "rules"


def _findings(*args: str, cwd: Path | None = None) -> list[dict]:
    result = run_cli("check", "--format", "json", *args, cwd=cwd)
    assert result.code in (0, 1), result.err
    return result.json()["findings"]


@cache
def _ag602_bad() -> tuple[dict, ...]:
    """AG602's findings on its bad template, read once for the tests that each look at some lines."""
    return tuple(_findings("--select", "AG602", str(RULES / "AG602" / "bad-template.yaml")))


def test_intrinsics_in_a_definition_checked_alone_need_the_standalone_option(tmp_path: Path):
    definition = tmp_path / "api.yaml"
    shutil.copy(RULES / "AG418" / "bad-definition.yaml", definition)
    assert _findings("--select", "AG418", str(definition), cwd=tmp_path) == []
    (tmp_path / ".apilint.yaml").write_text("options:\n  AG418:\n    standalone: true\n")
    found = _findings("--select", "AG418", str(definition), cwd=tmp_path)
    assert [(f["line"], f["column"], f["severity"]) for f in found] == [(14, 9, "error")]
    assert found[0]["message"].startswith("Fn::Sub is a CloudFormation function, but the definition is imported as "
                                          "it is (rule option standalone)")


def test_intrinsics_read_through_definition_uri_name_the_property():
    found = _findings("--select", "AG418", str(RULES / "AG418" / "bad-template.yaml"))
    assert len(found) == 1
    assert found[0]["file"].endswith("AG418/bad-definition.yaml")
    assert found[0]["message"].startswith("Fn::Sub is a CloudFormation function, but the definition is read "
                                          "through DefinitionUri, which CloudFormation does not process")


def test_aws_proxy_to_another_service_quotes_aws():
    found = [f for f in _findings("--select", "AG409", str(RULES / "AG409" / "bad.yaml")) if f["line"] == 51]
    assert len(found) == 1
    assert "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream" in (
        found[0]["message"])


def test_integration_method_missing_is_an_error_except_for_aws_proxy():
    found = _findings("--select", "AG419", str(RULES / "AG419" / "bad.yaml"))
    assert [(f["line"], f["severity"]) for f in found] == [(11, "error"), (19, "warning")]
    assert "Enumeration value for HttpMethod must be non-empty" in found[0]["message"]


def test_model_names_in_sam_and_template_resources():
    found = _findings("--select", "AG416", str(RULES / "AG416" / "bad-template.yaml"))
    assert [f["message"] for f in found] == [
        ("SAM model 'order-input' becomes a model of the REST API, and model names must be alphanumeric "
        "(for example 'orderinput')"),
        ("model OrderModel is named 'order_model'; API Gateway refuses model names that are not alphanumeric "
        "(for example 'ordermodel')"),
    ]



def test_sam_refusals_quote_sam():
    found = _findings("--select", "AG602", str(RULES / "AG602" / "bad-template.yaml"))
    assert [f["message"] for f in found if f["line"] in (46, 53)] == [
        "SAM refuses the API: \"Tenant Lambda Authorizer must define 'AuthorizerPayloadFormatVersion'.\"",
        "SAM refuses the API: \"StageName cannot be empty.\" (event List of Orders names it)"]
    assert all(f["severity"] == "error" for f in found)


def test_a_rest_default_authorizer_without_authorizers_is_left_to_sam(tmp_path: Path):
    template = tmp_path / "template.yaml"
    template.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n"
                        "    Properties:\n      StageName: prod\n      Auth:\n        DefaultAuthorizer: Users\n")
    assert _findings("--select", "AG601", str(template)) == []


SAM_EVENTS = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        swagger: "2.0"
        info: {title: orders, version: "1"}
        paths: {}
  Reports:
    Type: AWS::Serverless::HttpApi
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Events:
        Own:
          Type: Api
          Properties:
            RestApiId: !Ref OrdersApi
            Path: /orders
            Method: get
            Auth: {Authorizer: Admins}
            RequestParameters: [querystring.page]
        Imported:
          Type: Api
          Properties:
            RestApiId: !ImportValue shared-api-id
            Path: /orders
            Method: post
        Report:
          Type: HttpApi
          Properties:
            ApiId: !Ref Reports
            Auth: {AuthorizationScopes: [read]}
"""


def test_sam_event_references_quote_sam_and_name_what_the_api_has(tmp_path: Path):
    (tmp_path / "template.yaml").write_text(SAM_EVENTS, encoding="utf-8")
    found = _findings("--select", "AG601,AG604", "template.yaml", cwd=tmp_path)
    # OrdersApi keeps its own definition: SAM reads neither the event's authorizer nor its parameters
    assert [(f["code"], f["line"], f["column"], f["message"]) for f in found] == [
        ("AG601", 30, 13,
         ("SAM refuses the event Imported of Orders: \"RestApiId must be a valid reference to an "
         "'AWS::Serverless::Api' resource in same template.\" Its RestApiId is Fn::ImportValue, which SAM cannot "
         "look up; SAM adds routes only to an API of the same template (declare the route in the definition of an "
         "API deployed elsewhere)")),
        ("AG601", 37, 13,
         ("SAM refuses the event Report of Orders: \"'Auth' section requires either an explicit 'Authorizer' set or "
         "a 'DefaultAuthorizer' configured on the HttpApi.\"")),
    ]


def test_sam_event_routes_count_in_operation_protection(tmp_path: Path):
    template = SAM_EVENTS.replace("      DefinitionBody:\n        swagger: \"2.0\"\n        info: {title: orders, "
                                  "version: \"1\"}\n        paths: {}\n",
                                  "      Auth:\n        Authorizers:\n          Admins:\n            UserPoolArn: "
                                  "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc123\n")
    template = template.replace("!ImportValue shared-api-id", "!Ref OrdersApi")
    (tmp_path / "template.yaml").write_text(template, encoding="utf-8")
    found = _findings("--select", "AG301,AG604", "template.yaml", cwd=tmp_path)
    assert [(f["code"], f["line"], f["column"], f["message"]) for f in found] == [
        ("AG604", 26, 33,
         ("SAM refuses the event Own of Orders: \"Invalid value for 'RequestParameters' property. Keys must be in the "
         "format 'method.request.[querystring|path|header].{value}', e.g 'method.request.header.Authorization'.\" "
         "('querystring.page' is not)")),
        ("AG301", 27, 9,
         ("POST /orders (event Imported of Orders) has no authorization (no Auth.Authorizer, no Auth.ApiKeyRequired "
         "and no default authorizer), while 1 other operation of this API requires it (GET /orders (event Own of "
         "Orders): authorizer Admins (Auth.Authorizer of event Own))")),
    ]


def test_a_rest_api_with_merged_definitions_reads_its_events(tmp_path: Path):
    template = SAM_EVENTS.replace("      StageName: prod\n", "      StageName: prod\n      MergeDefinitions: true\n")
    (tmp_path / "template.yaml").write_text(template, encoding="utf-8")
    found = _findings("--select", "AG601", "template.yaml", cwd=tmp_path)
    assert [(f["line"], f["column"]) for f in found] == [(26, 20), (31, 13), (38, 13)]
    assert found[0]["message"].startswith("SAM refuses the event Own of Orders: \"Unable to set Authorizer [Admins] "
                                          "on API method [get] for path [/orders] because the related API does not "
                                          "define any Authorizers.\"")


def test_separate_methods_beside_a_sam_rest_api_say_where_its_definition_comes_from():
    found = [f for f in _findings("--select", "AG603", str(RULES / "AG603" / "bad-template.yaml")) if f["line"] == 97]
    assert [(f["severity"], f["message"]) for f in found] == [(
        "warning", ("AWS::ApiGateway::Method SamOrdersExport belongs to a SAM REST API defined by its DefinitionBody: "
                   "CloudFormation puts the definition in overwrite mode, so the API drifts between the two; declare "
                   "it in the definition instead"))]


def test_a_route_added_twice_names_the_first_event():
    found = [f for f in _findings("--select", "AG604", str(RULES / "AG604" / "bad-template.yaml")) if 30 < f["line"] < 50]
    assert [(f["line"], f["message"]) for f in found] == [
        (32, ("SAM refuses the event Search of SearchOrders: \"API method \"get\" defined multiple times for path "
             "\"/orders\".\" (event List of ListOrders adds the same route)")),
        (45, ("SAM refuses the event Fallback of Catchall: \"API method 'any' defined multiple times for path "
             "'$default'.\" (event Default of Catchall adds the same route)")),
    ]


def test_an_empty_stage_name_in_globals_is_one_finding(tmp_path: Path):
    events = "".join(
        f"  {api}Handler:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n"
        f"      Runtime: python3.12\n      Events:\n        Get:\n          Type: Api\n          Properties:\n"
        f"            RestApiId: !Ref {api}\n            Path: /items\n            Method: get\n"
        f"  {api}:\n    Type: AWS::Serverless::Api\n" for api in ("OrdersApi", "UsersApi"))
    (tmp_path / "template.yaml").write_text("Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Api:\n    StageName: ''\n"
                                            f"Resources:\n{events}", encoding="utf-8")
    found = _findings("--select", "AG602", "template.yaml", cwd=tmp_path)
    assert [(f["line"], f["column"], f["message"]) for f in found] == [
        (4, 5, ("SAM refuses the API: \"StageName cannot be empty.\" (event Get of OrdersApiHandler names it) (set in "
               "Globals, inherited by OrdersApi, UsersApi)"))]


def test_sam_refuses_path_items_and_operations_that_are_not_maps_in_a_body_it_edits():
    found = _findings("--select", "AG002", str(RULES / "AG002" / "bad-sam-body.yaml"))
    assert [(f["line"], f["column"], f["severity"], f["message"]) for f in found] == [
        (14, 11, "error", ("null is not of type \"object\"; SAM's transform refuses it: \"Value of '/orders' path must "
                          "be a dictionary according to Swagger spec.\"")),
        (31, 13, "error", ("null is not of type \"object\"; SAM's transform refuses it: \"Definition of method 'get' "
                          "for path '/users' should be a map.\"")),
    ]
    accepted = _findings("--select", "AG002", str(RULES / "AG002" / "bad-sam-null-operation.yaml"))
    assert [(f["line"], f["severity"], f["message"]) for f in accepted] == [(13, "warning", 'null is not of type "object"')]


def test_sam_property_types_quote_sam():
    found = _findings("--select", "AG602", str(RULES / "AG602" / "bad-template.yaml"))
    messages = {(f["line"], f["column"]): f["message"] for f in found}
    assert messages[(70, 7)] == "SAM refuses the API: \"Property 'DefinitionBody' should be a map.\" (it is a string)"
    assert messages[(71, 7)] == ("SAM refuses the API: \"The OpenApiVersion value must be of the format '3.0.0'.\" "
                                 "('5.0'; SAM takes 2.x, 2.x.y, 3.x or 3.x.y)")
    assert messages[(76, 7)] == ("SAM refuses the API: \"Type of property 'DisableExecuteApiEndpoint' is invalid.\" "
                                 "(it is a string)")
    assert messages[(78, 9)].startswith("SAM refuses the API: \"Invalid input. Value for AllowedOrigins is required\"")
    assert messages[(79, 7)] == "SAM refuses the API: \"Property 'Domain.DomainName' is required.\""
    assert messages[(83, 25)] == ("SAM refuses the API: \"Property 'Domain.BasePath[1]' should be a string.\" "
                                  "(2; quote it)")
    assert messages[(87, 11)] == ("SAM refuses the API: \"Property 'Domain.Route53.SeparateRecordSetGroup' should be "
                                  "a boolean.\" (it is a string)")
    assert messages[(95, 11)] == ("SAM refuses the API: \"Available MutualTlsAuthentication fields are ['TruststoreUri', "
                                  "'TruststoreVersion'].\" (TruststoreUrl is not one)")


def test_a_domain_in_globals_without_a_domain_name_is_one_finding(tmp_path: Path):
    apis = "".join(f"  {api}:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n"
                   for api in ("OrdersApi", "UsersApi"))
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Api:\n    Domain:\n"
        "      CertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/abc\n"
        f"Resources:\n{apis}", encoding="utf-8")
    found = _findings("--select", "AG602", "template.yaml", cwd=tmp_path)
    assert [(f["line"], f["column"], f["message"]) for f in found] == [
        (4, 5, ("SAM refuses the API: \"Property 'Domain.DomainName' is required.\" (set in Globals, inherited by "
                "OrdersApi, UsersApi)"))]


def test_override_api_auth_without_an_override_quotes_sam():
    found = [f for f in _findings("--select", "AG604", str(RULES / "AG604" / "bad-template.yaml")) if f["line"] == 59]
    assert [(f["column"], f["message"]) for f in found] == [
        (15, ("SAM refuses the event Refund of Refunds: \"Must define one of: Authorizer, ApiKeyRequired or "
              "ResourcePolicy when using the OverrideApiAuth property.\""))]


def test_sam_refuses_what_it_cannot_edit_in_a_body_and_only_there():
    found = _findings("--select", "AG002", str(RULES / "AG002" / "bad-sam-edits.yaml"))
    refusals = [(f["line"], f["severity"], f["message"].partition("SAM's transform refuses it: ")[2]) for f in found]
    assert refusals == [
        (14, "error", "\"Invalid responses in options method for path /orders: It should be a map.\""),
        (20, "error", ("\"Value of response's headers in options method for path /orders/{id} must be a dictionary "
                       "according to Swagger spec.\"")),
        (31, "warning", ""),  # a Swagger 2.0 body: SAM leaves its OPTIONS operations alone
        (37, "error", "\"Unable to add `Tags` because 'DefinitionBody' does not contain a valid OpenApi definition.\""),
        (42, "warning", ""),  # nothing for SAM to add to the definition
        (59, "error", "\"Could not find x-amazon-apigateway-any-method in /tenants within DefinitionBody.\""),
    ]


def test_sam_refuses_a_malformed_if_and_authorizer_fields_of_the_other_kind():
    assert [(f["line"], f["column"], f["message"]) for f in _ag602_bad() if 100 < f["line"] <= 122] == [
        (106, 13, ("SAM refuses the API: \"Value of Fn::If must be a list.\" (Fn::If takes [condition, value if true, "
                   "value if false])")),
        (114, 13, "SAM refuses the API: \"AuthorizationScopes must be a list.\" (authorizer Jwt)"),
        (122, 13, "SAM refuses the API: \"IdentitySource must be defined only for OAuth2 Authorizer.\" (authorizer Tenant)"),
    ]


def test_sam_refuses_a_rest_api_without_a_stage_name_unless_globals_give_one():
    """SAM: "Missing required property 'StageName'." for an AWS::Serverless::Api; Globals: Api may give it."""
    assert [(f["line"], f["column"], f["message"]) for f in _ag602_bad() if 122 < f["line"] < 130] == [
        (123, 3, ("SAM refuses the API: \"Missing required property 'StageName'.\"; name the stage (StageName: prod), "
                  "here or under Globals: Api")),
    ]
    assert _findings("--select", "AG602", str(RULES / "AG602" / "good-globals-stage.yaml")) == []


def test_sam_refuses_http_base_paths_it_cannot_write_and_fills_in_parameters():
    """HTTP API base paths: letters, digits, /, - and _ only; an intrinsic only when SAM can fill in
    every name it uses (a parameter, a pseudo parameter)."""
    assert [(f["line"], f["column"], f["message"]) for f in _ag602_bad() if 130 < f["line"] < 146] == [
        (136, 20, ("SAM refuses the API: \"Invalid Basepath name provided.\" ('v1.0': a base path of an HTTP API "
                   "holds only letters, digits, /, - and _)")),
        (144, 13, ("SAM refuses the API: \"Basepath must be a string.\" (SAM fills in template parameters here, "
                   "nothing else; write the path, or a Ref or Sub of a parameter)")),
    ]
    assert _findings("--select", "AG602", str(RULES / "AG602" / "good-http-base-paths.yaml")) == []


def test_sam_refuses_disable_execute_api_endpoint_without_an_inline_definition_it_can_edit():
    assert [(f["line"], f["column"], f["message"]) for f in _ag602_bad() if 146 < f["line"] < 158] == [
        (150, 7, ("SAM refuses the API: \"DisableExecuteApiEndpoint works only within 'DefinitionBody' property.\"; "
                  "SAM writes it into the definition, which it cannot do to one read from DefinitionUri")),
        (156, 7, ("SAM refuses the API: \"Invalid Swagger document or the Swagger document is not explicitly defined "
                  "in 'DefinitionBody'.\" (DisableExecuteApiEndpoint makes SAM write into the definition, which Fn::If "
                  "hides from it)")),
    ]
    assert _findings("--select", "AG602", str(RULES / "AG602" / "good-disable-endpoint.yaml")) == []


def test_sam_reads_an_unquoted_open_api_version_as_a_number():
    """apilint reads ``OpenApiVersion: 3.0`` as the text written (versions in a definition are read so);
    SAM reads the template as YAML types and refuses the number. Quoted, it is accepted."""
    assert [(f["line"], f["column"], f["message"]) for f in _ag602_bad() if 158 < f["line"] < 163] == [
        (162, 7, ("SAM refuses the API: \"Property 'OpenApiVersion' should be a string.\" (it is a number as written: "
                  "3.0; quote it, '3.0')")),
    ]
    assert _findings("--select", "AG602", str(RULES / "AG602" / "good-globals-stage.yaml")) == []


def test_sam_refuses_auth_sections_of_the_wrong_type():
    assert [(f["line"], f["column"], f["message"]) for f in _ag602_bad() if 162 < f["line"] < 183] == [
        (167, 7, "SAM refuses the API: \"Property 'Auth' should be a map.\" (it is a string)"),
        (173, 11, "SAM refuses the API: \"Property 'Auth.Authorizers.Iam' should be a map.\" (it is a string)"),
        (182, 9, ("SAM refuses the API: \"Property 'Auth.DefaultAuthorizer' should be a string.\" (SAM reads the name "
                  "before any parameter is filled in; Ref is not one)")),
    ]


def test_sam_refuses_values_it_reads_itself():
    """A Domain that is not a map, a DefinitionUri that is a URL but not an S3 one, a REST authorizer's
    FunctionPayloadType other than TOKEN or REQUEST, an HTTP authorizer's OpenIdConnectUrl."""
    assert [(f["line"], f["column"], f["message"]) for f in _ag602_bad() if f["line"] > 182] == [
        (187, 7, "SAM refuses the API: \"Property 'Domain' should be a map.\" (SAM reads its keys itself; it is Ref)"),
        (192, 7, ("SAM refuses the API: \"'DefinitionUri' is not a valid S3 Uri of the form 's3://bucket/key' with "
                  "optional versionId query parameter.\"")),
        (201, 13, ("SAM refuses the API: \"Custom Authorizer has invalid 'FunctionPayloadType': HEADER.\" (TOKEN or "
                   "REQUEST)")),
        (208, 13, ("SAM refuses the API: \"'OpenIdConnectUrl' is no longer a supported property for authorizer 'Oidc'. "
                   "Please refer to the AWS SAM documentation.\" (the issuer goes in JwtConfiguration)")),
    ]


def test_event_scopes_and_request_validators_quote_sam():
    found = [f for f in _findings("--select", "AG604", str(RULES / "AG604" / "bad-template.yaml")) if f["line"] > 60]
    assert [(f["line"], f["column"], f["message"]) for f in found] == [
        (84, 15, ("SAM refuses the event Create of CreateOrder: \"Unable to set Authorizer on API method [post] for "
                  "path [/orders] because 'AuthorizationScopes' must be a list of strings.\" ('orders.write'; write "
                  "it as [...] or a list of lines)")),
        (87, 15, ("SAM refuses the event Create of CreateOrder: \"Unable to set Validator to RequestModel [Order] on "
                  "API method [post] for path [/orders] ValidateBody and ValidateParameters must be a boolean type, "
                  "strings or intrinsics are not supported.\" (ValidateBody is 'true')")),
    ]


def test_a_template_of_functions_only_whose_events_name_a_parameter(tmp_path: Path):
    """A nested stack of functions, the API in another stack: SAM refuses the events, though this
    template declares no API for them to belong to."""
    (tmp_path / "functions.yaml").write_text((RULES / "AG601" / "bad-functions-only.yaml").read_text())
    found = _findings("functions.yaml", cwd=tmp_path)
    assert [(f["code"], f["line"], f["column"], f["message"]) for f in found] == [
        ("AG601", 17, 13,
         ("SAM refuses the event List of ListOrders: \"RestApiId must be a valid reference to an "
          "'AWS::Serverless::Api' resource in same template.\" Its RestApiId names ApiId, which is no resource of "
          "this template (a parameter, or nothing); SAM adds routes only to an API of the same template (declare "
          "the route in the definition of an API deployed elsewhere)")),
    ]
    # the same template with its events on an implicit API has nothing to report
    (tmp_path / "functions.yaml").write_text(
        (RULES / "AG601" / "bad-functions-only.yaml").read_text().replace("            RestApiId: !Ref ApiId\n", ""))
    assert _findings("functions.yaml", cwd=tmp_path) == []
