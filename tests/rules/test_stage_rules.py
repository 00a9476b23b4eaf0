"""Template-level rules on stages, throttles, authorizers and endpoint options: messages, the opt-in
selection, SAM ``Globals`` reported once, and what must stay silent (cases the fixtures cannot express)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FIXTURES, run_cli

RULES = FIXTURES / "rules"


def _findings(*args: str, cwd: Path | None = None) -> list[tuple[str, int, int, str, str]]:
    result = run_cli("check", "--format", "json", *args, cwd=cwd)
    assert result.code in (0, 1), result.err
    return [(f["code"], f["line"], f["column"], f["severity"], f["message"]) for f in result.json()["findings"]]


def test_stage_without_access_logging_is_opt_in(tmp_path: Path):
    bad = str(RULES / "AG216" / "bad.yaml")
    assert not [f for f in _findings(bad, cwd=tmp_path) if f[0] == "AG216"]
    (tmp_path / ".apilint.yaml").write_text("extend-select: [stage-without-access-logging]\n")
    found = _findings(bad, cwd=tmp_path)
    assert [f[:4] for f in found if f[0] == "AG216"] == [("AG216", 12, 3, "warning"), ("AG216", 30, 7, "warning")]
    assert [f[4] for f in found if f[0] == "AG216"] == [
        ("stage prod (ProdStage) writes no access log: requests to it leave no record of who called what and with "
        "which result (set the stage's access log destination and format)"),
        ("stage live (LiveStage) has no access log destination: requests to it leave no record of who called what "
        "and with which result (set the stage's access log destination and format)"),
    ]


def test_extend_select_adds_to_the_default_selection(tmp_path: Path):
    template = tmp_path / "template.yaml"
    template.write_text((RULES / "AG216" / "bad.yaml").read_text() + (
        "  Wide:\n    Type: AWS::ApiGateway::UsagePlan\n    Properties:\n      ApiStages:\n"
        "        - ApiId: !Ref OrdersApi\n          Stage: prod\n      Throttle:\n        RateLimit: 50000\n"))
    (tmp_path / ".apilint.yaml").write_text("extend-select: [AG216]\n")
    codes = {f[0] for f in _findings(str(template), cwd=tmp_path)}
    assert {"AG212", "AG216"} <= codes


def test_access_log_format_from_globals_is_reported_once():
    found = _findings("--select", "AG217", str(RULES / "AG217" / "bad-sam.yaml"))
    assert found == [("AG217", 8, 7, "warning",
                      ("stage prod (OrdersApi): the access log format has neither $context.requestId nor "
                       "$context.extendedRequestId; API Gateway requires one of them, and without it a log line "
                       "cannot be matched to the request and its execution log (set in Globals, inherited by "
                       "OrdersApi, PaymentsApi)"))]


def test_access_log_rules_on_terraform(tmp_path: Path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_apigatewayv2_api" "chat" {\n  name = "chat"\n  protocol_type = "HTTP"\n}\n'
        'resource "aws_apigatewayv2_stage" "prod" {\n  api_id = aws_apigatewayv2_api.chat.id\n  name = "prod"\n}\n'
        'resource "aws_apigatewayv2_stage" "test" {\n  api_id = aws_apigatewayv2_api.chat.id\n  name = "test"\n'
        '  access_log_settings {\n    destination_arn = "arn:aws:logs:eu-west-1:123456789012:log-group:api"\n'
        '    format = jsonencode({ status = "$context.status" })\n  }\n}\n')
    found = _findings("--select", "AG216,AG217", "main.tf", cwd=tmp_path)
    assert [f[:3] for f in found] == [("AG216", 5, 1), ("AG217", 14, 5)]


def test_throttling_values_messages():
    found = _findings("--select", "AG218", str(RULES / "AG218" / "bad.yaml"))
    assert [f[4] for f in found] == [
        ("stage prod (ProdStage): throttling rate -100 is negative; rates (requests per second) and bursts "
        "(requests) are 0 or more"),
        ("stage prod (ProdStage), ~1orders/POST: a burst limit of 0 lets no request through (the token bucket "
        "holds no token), so its rate of 50 per second is never reached; give a burst of at least 1, "
        "or a rate of 0 too to block on purpose"),
        ("usage plan PartnerPlan: burst limit -5 is negative; rates (requests per second) and bursts (requests) "
        "are 0 or more"),
        ("stage $default (PaymentsStage), POST /payments: a burst limit of 0 lets no request through (the token "
        "bucket holds no token), so its rate of 10 per second is never reached; give a burst of at "
        "least 1, or a rate of 0 too to block on purpose"),
    ]
    assert {f[3] for f in found} == {"warning"}


def test_cache_settings_from_globals_are_reported_once_for_every_api():
    found = _findings("--select", "AG208", str(RULES / "AG208" / "bad-sam-globals.yaml"))
    assert [f[:3] for f in found] == [("AG208", 7, 5), ("AG208", 12, 9)]
    assert found[1][4] == ("API CatalogApi: cache TTL 7,200 s is outside 0–3,600 s (set in Globals, inherited by "
                           "CatalogApi, SearchApi, ServerlessRestApi)")


def test_authorizer_resources_of_the_other_api_family():
    found = _findings("--select", "AG106", str(RULES / "AG106" / "bad-template.yaml"))
    assert found == [
        ("AG106", 13, 7, "error",
         ("authorizer UserPoolAuthorizer is a REST API authorizer (AWS::ApiGateway::Authorizer, type "
         "COGNITO_USER_POOLS), but RestApiId ties it to ChatApi, a WebSocket API; WebSocket API authorizers are "
         "AWS::ApiGatewayV2::Authorizer resources of type REQUEST")),
        ("AG106", 25, 7, "error",
         ("authorizer OrdersAuthorizer is an HTTP or WebSocket API authorizer (AWS::ApiGatewayV2::Authorizer, type "
         "JWT), but ApiId ties it to OrdersApi, a REST API; REST API authorizers are AWS::ApiGateway::Authorizer "
         "resources of type TOKEN, REQUEST, COGNITO_USER_POOLS")),
    ]


def test_edge_endpoint_option_on_an_http_definition(tmp_path: Path):
    definition = str(RULES / "AG109" / "bad-endpoint-option.yaml")
    found = _findings("--select", "AG109", "--endpoint-type", "edge", definition)
    assert found == [("AG109", 1, 1, "error",
                      ("--endpoint-type edge (or endpoint-type in the configuration) is given for this definition, "
                      "an HTTP API (uses HTTP API features: payloadFormatVersion, "
                      "x-amazon-apigateway-importexport-version); HTTP APIs are Regional only: no "
                      "edge-optimized or private endpoint exists for them"))]
    assert _findings("--select", "AG109", definition) == []
    (tmp_path / ".apilint.yaml").write_text("endpoint-type: private\n")
    assert [f[:3] for f in _findings("--select", "AG109", definition, cwd=tmp_path)] == [("AG109", 1, 1)]


def test_malformed_stage_and_authorizer_values_stay_silent_or_say_so(tmp_path: Path):
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Api:\n    AccessLogSetting: [1, 2]\n"
        "Resources:\n  A:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n"
        "      MethodSettings: [null, {ThrottlingBurstLimit: abc, ThrottlingRateLimit: '-3'}, x]\n"
        "  H:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {ProtocolType: HTTP, Name: h}\n"
        "  S:\n    Type: AWS::ApiGatewayV2::Stage\n    Properties: {ApiId: !Ref H, StageName: s, "
        "AccessLogSettings: text, RouteSettings: [1, 2]}\n"
        "  Auth:\n    Type: AWS::ApiGateway::Authorizer\n    Properties: {RestApiId: !Ref H, Type: [x]}\n")
    found = _findings("--select", "AG106,AG216,AG217,AG218", "template.yaml", cwd=tmp_path)
    assert [f[:3] for f in found] == [("AG218", 10, 58), ("AG106", 19, 18)]
    assert "type not known" in found[1][4]


def test_large_and_fractional_throttles_are_written_as_numbers(tmp_path: Path):
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties: {Name: a}\n"
        "  Prod:\n    Type: AWS::ApiGateway::Stage\n    Properties:\n      RestApiId: !Ref Api\n"
        "      StageName: prod\n      MethodSettings:\n        - ResourcePath: '/*'\n          HttpMethod: '*'\n"
        "          ThrottlingRateLimit: 99999999\n          ThrottlingBurstLimit: -2.5\n")
    result = run_cli("check", "--select", "AG212,AG218", "--format", "json", "template.yaml", cwd=tmp_path)
    messages = [(f["line"], f["message"]) for f in result.json()["findings"]]
    assert messages == [
        (13, ("stage prod (Prod): throttling rate 99,999,999 requests per second is above the account quota of "
             "10,000 in most Regions, shared by every API of the account; request a quota increase first or lower "
             "the rate")),
        (14, ("stage prod (Prod): burst limit -2.5 is negative; rates (requests per second) and bursts (requests) "
             "are 0 or more")),
    ]


def test_usage_plan_method_throttles_in_terraform_and_cloudformation(tmp_path: Path):
    """A usage plan's per-method throttles are read in both forms: Terraform's ``throttle`` blocks
    (one per method path) and CloudFormation's ``Throttle`` map."""
    found = _findings("--select", "AG212", str(RULES / "AG212" / "bad-terraform.tf"))
    assert (found[2][:3], found[2][4]) == (("AG212", 28, 7), (
        "usage plan aws_api_gateway_usage_plan.partners, /pets/GET: throttling rate 12,000 requests per second is "
        "above the account quota of 10,000 in most Regions, shared by every API of the account; request a quota "
        "increase first or lower the rate"))
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties: {Name: a}\n"
        "  Plan:\n    Type: AWS::ApiGateway::UsagePlan\n    Properties:\n      ApiStages:\n"
        "        - ApiId: !Ref Api\n          Stage: prod\n          Throttle:\n"
        "            /pets/GET: {RateLimit: 5, BurstLimit: -4}\n")
    found = _findings("--select", "AG212,AG218", "template.yaml", cwd=tmp_path)
    assert [(f[:3], f[4]) for f in found] == [(("AG218", 12, 39), (
        "usage plan Plan, /pets/GET: burst limit -4 is negative; rates (requests per second) and bursts (requests) "
        "are 0 or more"))]


def test_edge_domain_of_an_http_api_in_terraform():
    found = _findings("--select", "AG109", str(RULES / "AG109" / "bad-terraform-domain.tf"))
    assert found == [("AG109", 11, 5, "error", (
        "`domain_name_configuration[0].endpoint_type: EDGE` of aws_apigatewayv2_domain_name.api, in an HTTP API: "
        "Edge-optimized endpoints exist only for REST APIs; an HTTP API is Regional only."))]
