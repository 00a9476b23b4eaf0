"""The template-level rules on the Terraform form of each mistake: the same model objects (stages,
route settings, canaries, WAF associations, usage plans, VPC links) read from a Terraform module give
the same findings as the CloudFormation form, at the Terraform line and column."""

from __future__ import annotations

import pytest

from apilint.apis import source_kind
from apilint.config import load_config, resolve_file_options
from apilint.engine import Engine, RunOptions
from apilint.features import detect_features
from tests.conftest import FIXTURES, run_cli

RULES = FIXTURES / "rules"

EXPECTED = [
    ("AG108", 15, 13, ("`cacheKeyParameters` in the integration of GET /orders/{id}, in an HTTP API: Cache key "
                      "parameters belong to REST API caching; HTTP and WebSocket APIs have no cache.")),
    ("AG109", 8, 7, ("`x-amazon-apigateway-endpoint-configuration.vpcEndpointIds` at the document root, in an HTTP "
                    "API: Private API endpoints (reachable only from a VPC) exist only on REST APIs.")),
    ("AG109", 20, 7, ("vpcEndpointIds apply only to private REST APIs, and this one is regional (endpoint_configuration "
                     "of aws_api_gateway_rest_api.pets)")),
    ("AG113", 11, 5, ("`access_log_settings[0].destination_arn: arn:aws:firehose:eu-west-1:123456789012:deliverystream/"
                     "amazon-apigateway-orders` of aws_apigatewayv2_stage.prod, in an HTTP API: Access logs can go to "
                     "Amazon Data Firehose only from REST APIs.")),
    ("AG113", 16, 5, ("`default_route_settings[0].logging_level: INFO` of aws_apigatewayv2_stage.prod, in an HTTP API: "
                     "Execution logging exists only on REST APIs; HTTP APIs offer access logs only.")),
    ("AG113", 24, 3, ("`resource_arn` of aws_wafv2_web_acl_association.orders, in an HTTP API: AWS WAF web ACLs attach "
                     "only to REST API stages.")),
    ("AG113", 28, 1, ("aws_api_gateway_usage_plan.partners, in an HTTP API: Per-client throttling and quotas through "
                     "usage plans exist only on REST APIs.")),
    ("AG212", 11, 5, ("stage prod (aws_apigatewayv2_stage.prod): throttling rate 20,000 requests per second is above "
                     "the account quota of 10,000 in most Regions, shared by every API of the account; request a "
                     "quota increase first or lower the rate")),
    ("AG212", 12, 5, ("stage prod (aws_apigatewayv2_stage.prod): burst limit 8,000 is above the account's burst bucket "
                     "of 5,000 requests in most Regions, which cannot be raised: bursts above 5,000 are throttled "
                     "anyway")),
    ("AG212", 28, 7, ("usage plan aws_api_gateway_usage_plan.partners, /pets/GET: throttling rate 12,000 requests "
                     "per second is above the account quota of 10,000 in most Regions, shared by every API of the "
                     "account; request a quota increase first or lower the rate")),
    ("AG212", 33, 5, ("usage plan aws_api_gateway_usage_plan.partners: burst limit 6,000 is above the account's burst "
                     "bucket of 5,000 requests in most Regions, which cannot be raised: bursts above 5,000 are "
                     "throttled anyway")),
    ("AG213", 12, 5, ("stage prod (aws_api_gateway_stage.prod): canary percent_traffic 150 is outside 0–100, the share "
                     "of requests the canary deployment receives")),
    ("AG214", 13, 13, ("stage variable backendHost is used here but no stage of the API defines it (stage prod "
                      "(aws_api_gateway_stage.prod)); the reference resolves to an empty value at run time")),
    ("AG214", 30, 5, ("stage prod (aws_api_gateway_stage.prod): stage variable name 'backend-host' must be 1–64 "
                     "letters, digits or underscores")),
    ("AG214", 31, 5, ("stage prod (aws_api_gateway_stage.prod): stage variable owner has characters API Gateway "
                     "refuses in a value (' '); values use letters, digits and - . _ ~ : / ? # & = , only")),
    ("AG215", 15, 13, ("GET /orders goes through VPC link aws_api_gateway_vpc_link.legacy, a REST API (V1) VPC link; "
                      "HTTP API private integrations need an aws_apigatewayv2_vpc_link")),
    ("AG215", 26, 18, ("VPC link aws_api_gateway_vpc_link.legacy targets an Application Load Balancer; REST API (V1) "
                      "VPC links reach Network Load Balancers only (use a V2 VPC link for an ALB)")),
]


@pytest.mark.parametrize("code", sorted({code for code, *_ in EXPECTED}))
def test_the_terraform_form_of_each_mistake_is_reported_with_its_message(code):
    path = RULES / code / "bad-terraform.tf"
    result = run_cli("check", "--select", code, "--format", "json", str(path))
    assert result.code in (0, 1), result.err
    found = [(f["code"], f["line"], f["column"], f["message"]) for f in result.json()["findings"]]
    assert found == [entry for entry in EXPECTED if entry[0] == code]


def test_a_rest_stage_in_terraform_shows_every_stage_feature_of_the_table_and_none_is_reported():
    """The REST form: the feature table sees each stage feature in the Terraform resources (the cost
    estimate's blockers come from there), and AG113 reports none, since REST stages have them all."""
    folder = RULES / "AG113"
    engine = Engine(RunOptions(folder.resolve(), load_config(None), {}))
    source = engine.open_source(folder / "good-terraform.tf")
    _, apis = engine.build_apis(source, source_kind(source),
                                resolve_file_options(engine.run.config, folder / "good-terraform.tf", {}))
    (api,) = apis
    uses = detect_features(api, ["waf", "canary", "x-ray", "execution-logs", "access-logs-firehose", "usage-plans"])
    found = [(use.feature_id, use.at.source.locate(use.at.path).line, use.message) for use in uses]
    assert found == [
        ("waf", 35, "`resource_arn` of aws_wafv2_web_acl_association.pets"),
        ("usage-plans", 39, "aws_api_gateway_usage_plan.pets"),
        ("canary", 17, "`canary_settings[0]` of aws_api_gateway_stage.live"),
        ("access-logs-firehose", 13, ("`access_log_settings[0].destination_arn: arn:aws:firehose:eu-west-1:"
                                     "123456789012:deliverystream/amazon-apigateway-pets` of aws_api_gateway_stage.live")),
        ("execution-logs", 29, "`settings[0].logging_level: INFO` of aws_api_gateway_method_settings.all"),
        ("execution-logs", 30, "`settings[0].data_trace_enabled: true` of aws_api_gateway_method_settings.all"),
        ("x-ray", 10, "`xray_tracing_enabled: true` of aws_api_gateway_stage.live"),
    ]
    result = run_cli("check", "--select", "AG113", "--format", "json", str(folder / "good-terraform.tf"))
    assert (result.code, result.json()["findings"]) == (0, [])
