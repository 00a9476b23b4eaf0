"""The deployment model: what a template deploys around an API, with where each setting is written."""

from __future__ import annotations

import textwrap
from pathlib import Path

from apilint.apis import ApiBuilder, FileSettings
from apilint.load.source import read_source
from apilint.model import Api, Pointer


def build(tmp_path: Path, text: str, name: str = "template.yaml") -> list[Api]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    builder = ApiBuilder(tmp_path, lambda p: read_source(p, p.name))
    return builder.from_template(read_source(path, name), FileSettings())


def line(at: Pointer | None) -> str:
    assert at is not None
    span = at.source.locate(at.path)
    return f"{span.line}:{span.column}"


REST = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Api:
        Type: AWS::ApiGateway::RestApi
        Properties:
          Name: orders
      Prod:
        Type: AWS::ApiGateway::Stage
        Properties:
          RestApiId: !Ref Api
          DeploymentId: !Ref Release
          StageName: prod
          TracingEnabled: "true"
          CacheClusterEnabled: true
          CacheClusterSize: "0.5"
          AccessLogSetting:
            DestinationArn: !GetAtt Logs.Arn
            Format: $context.requestId
          CanarySetting:
            PercentTraffic: 10
            StageVariableOverrides:
              color: green
          Variables:
            link: !Ref Link
          MethodSettings:
            - ResourcePath: /*
              HttpMethod: "*"
              ThrottlingBurstLimit: 100
              ThrottlingRateLimit: "50"
              CachingEnabled: true
              CacheTtlInSeconds: 300
            - ResourcePath: /~1orders
              HttpMethod: GET
              LoggingLevel: INFO
      Release:
        Type: AWS::ApiGateway::Deployment
        Properties:
          RestApiId: !Ref Api
      Link:
        Type: AWS::ApiGateway::VpcLink
        Properties:
          Name: orders
          TargetArns: [!Ref Balancer]
      Unused:
        Type: AWS::ApiGateway::VpcLink
        Properties:
          Name: other
          TargetArns: [!Ref Balancer]
      Plan:
        Type: AWS::ApiGateway::UsagePlan
        Properties:
          ApiStages:
            - ApiId: !Ref Other
              Stage: prod
            - ApiId: !Ref Api
              Stage: !Ref Prod
          Throttle:
            BurstLimit: 20
            RateLimit: 10
          Quota:
            Limit: 1000
            Period: DAY
      Firewall:
        Type: AWS::WAFv2::WebACLAssociation
        Properties:
          WebACLArn: !GetAtt Acl.Arn
          ResourceArn: !Sub arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/${Prod}
      JoinedFirewall:
        Type: AWS::WAFv2::WebACLAssociation
        Properties:
          WebACLArn: !GetAtt Acl.Arn
          ResourceArn: !Join ["", ["arn:aws:apigateway:", !Ref "AWS::Region", "::/restapis/", !Ref Api, "/stages/beta"]]
      OtherFirewall:
        Type: AWS::WAFv2::WebACLAssociation
        Properties:
          WebACLArn: !GetAtt Acl.Arn
          ResourceArn: !Sub arn:aws:apigateway:${AWS::Region}::/restapis/${Other}/stages/prod
      Domain:
        Type: AWS::ApiGateway::DomainName
        Properties:
          DomainName: api.example.com
          RegionalCertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/abc
          EndpointConfiguration: {Types: [REGIONAL]}
      Mapping:
        Type: AWS::ApiGateway::BasePathMapping
        Properties:
          DomainName: !Ref Domain
          RestApiId: !Ref Api
          BasePath: orders
          Stage: prod
      Authorizer:
        Type: AWS::ApiGateway::Authorizer
        Properties:
          RestApiId: !GetAtt Api.RestApiId
          Type: TOKEN
          IdentitySource: method.request.header.Authorization
          AuthorizerResultTtlInSeconds: "300"
"""


def test_rest_stage_settings_are_read_with_their_positions(tmp_path):
    [api] = build(tmp_path, REST)
    [stage] = api.stages  # the deployment has no StageName: it creates no stage
    assert (stage.kind, stage.logical_id, stage.name_text, stage.label) == (
        "AWS::ApiGateway::Stage", "Prod", "prod", "stage prod (Prod)")
    assert stage.tracing_enabled.flag() is True and line(stage.tracing_enabled.at) == "13:7"
    assert stage.cache_cluster_enabled.flag() is True
    assert stage.cache_cluster_size.number() == 0.5
    assert stage.access_log_destination.unknown and stage.access_log_format.text() == "$context.requestId"
    assert line(stage.access_log_at) == "16:7"
    assert stage.canary is not None and stage.canary.percent_traffic.number() == 10
    assert stage.canary.variable_overrides["color"].value == "green"
    assert set(stage.variables) == {"link"} and line(stage.variables["link"].at) == "24:9"
    everything, orders = stage.route_settings
    assert everything.method_path == "*/*" and everything.applies_to_all
    assert everything.throttling_burst.whole() == 100 and everything.throttling_rate.number() == 50.0
    assert everything.caching_enabled.flag() is True and everything.cache_ttl.whole() == 300
    assert line(everything.cache_ttl.at) == "31:11"
    assert orders.method_path == "~1orders/GET" and not orders.applies_to_all
    assert orders.logging_level.text() == "INFO" and not orders.throttling_burst.written
    assert stage.settings_for_all() == [everything]


def test_usage_plans_waf_vpc_links_domains_and_authorizers_tied_to_the_api(tmp_path):
    [api] = build(tmp_path, REST)
    [plan] = api.usage_plans
    assert plan.logical_id == "Plan" and [line(s.at) for s in plan.stages] == ["55:11"]
    assert plan.throttle_burst.whole() == 20 and plan.quota_period.text() == "DAY"
    assert [(w.logical_id, w.stage_name) for w in api.waf] == [("Firewall", "prod"), ("JoinedFirewall", "beta")]
    assert line(api.waf[0].web_acl.at) == "66:7"
    assert [(link.version, link.logical_id) for link in api.vpc_links] == [("v1", "Link")]
    assert api.vpc_links[0].target_arns.unknown is False and api.vpc_links[0].target_arns.written
    [domain] = api.domains
    [mapping] = domain.mappings
    assert (mapping.base_path.text(), mapping.stage.text(), mapping.logical_id) == ("orders", "prod", "Mapping")
    [authorizer] = api.authorizers
    assert (authorizer.name, authorizer.kind, authorizer.ttl.whole()) == ("Authorizer", "token", 300)
    assert api.related("AWS::ApiGateway::Authorizer")[0].name == "Authorizer"  # tied through !GetAtt Api.RestApiId


SAM = """\
    Transform: AWS::Serverless-2016-10-31
    Globals:
      Api:
        TracingEnabled: true
        MethodSettings:
          - ResourcePath: /*
            HttpMethod: "*"
            ThrottlingRateLimit: 5
        Auth:
          ApiKeyRequired: true
      HttpApi:
        DefaultRouteSettings:
          ThrottlingBurstLimit: 10
    Resources:
      Rest:
        Type: AWS::Serverless::Api
        Properties:
          StageName: live
          Auth:
            UsagePlan:
              CreateUsagePlan: PER_API
              Throttle:
                RateLimit: 20
            ResourcePolicy:
              CustomStatements:
                - Effect: Allow
                  Principal: "*"
                  Action: execute-api:Invoke
                  Resource: execute-api:/*
          Domain:
            DomainName: rest.example.com
            CertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/abc
            BasePath: [v1, v2]
      Http:
        Type: AWS::Serverless::HttpApi
        Properties:
          StageVariables:
            mode: fast
          RouteSettings:
            "GET /items":
              ThrottlingRateLimit: 3
      Waf:
        Type: AWS::WAFv2::WebACLAssociation
        Properties:
          WebACLArn: arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/y
          ResourceArn: !Sub arn:aws:apigateway:${AWS::Region}::/restapis/${Rest}/stages/${Rest.Stage}
"""


def test_sam_stages_take_globals_and_point_at_them(tmp_path):
    rest, http = build(tmp_path, SAM)
    [stage] = rest.stages
    assert (stage.kind, stage.name_text, stage.label) == ("AWS::Serverless::Api", "live", "stage live (Rest)")
    assert stage.tracing_enabled.flag() is True and line(stage.tracing_enabled.at) == "4:5"  # Globals
    [everything] = stage.route_settings
    assert everything.applies_to_all and everything.throttling_rate.whole() == 5
    assert line(everything.throttling_rate.at) == "8:9"
    assert rest.setting("Auth", "ApiKeyRequired").flag() is True
    assert line(rest.property_at("Auth", "ApiKeyRequired")) == "10:7"
    assert line(rest.property_at("Auth", "UsagePlan")) == "20:9"
    [plan] = rest.usage_plans
    assert plan.kind == "Auth.UsagePlan" and plan.throttle_rate.whole() == 20 and plan.stages[0].stage.text() == "live"
    [policy] = rest.resource_policies()
    assert policy.origin == "Auth.ResourcePolicy.CustomStatements" and line(policy.at) == "25:11"
    [waf] = rest.waf
    assert waf.stage_name == "live"
    [domain] = rest.domains
    assert [m.base_path.text() for m in domain.mappings] == ["v1", "v2"]
    [http_stage] = http.stages
    assert http_stage.name_text == "$default" and not http_stage.name.written
    assert http_stage.variables["mode"].text() == "fast"
    default, items = http_stage.route_settings
    assert default.route_key is None and default.applies_to_all and line(default.throttling_burst.at) == "13:7"
    assert items.route_key == "GET /items" and items.throttling_rate.whole() == 3
    assert http.waf == [] and http.usage_plans == []


def test_sam_lists_are_globals_entries_then_the_apis_own(tmp_path):
    """SAM concatenates a list of Globals with the resource's list (Globals first), as its translator's
    Globals plugin does; each entry points where it is written."""
    [api] = build(tmp_path, """\
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Api:
            BinaryMediaTypes: [image~1png]
            MethodSettings:
              - {ResourcePath: "/*", HttpMethod: "*", ThrottlingRateLimit: 5}
        Resources:
          Rest:
            Type: AWS::Serverless::Api
            Properties:
              StageName: live
              BinaryMediaTypes: [application~1pdf]
              MethodSettings:
                - {ResourcePath: /~1orders, HttpMethod: GET, ThrottlingRateLimit: 1}
        """)
    assert api.properties["BinaryMediaTypes"] == ["image~1png", "application~1pdf"]
    assert [line(api.property_at("BinaryMediaTypes", i)) for i in (0, 1)] == ["4:24", "12:26"]
    everything, orders = api.stages[0].route_settings
    assert (everything.method_path, everything.throttling_rate.whole(), line(everything.throttling_rate.at)) == (
        "*/*", 5, "6:47")
    assert (orders.method_path, orders.throttling_rate.whole(), line(orders.throttling_rate.at)) == (
        "~1orders/GET", 1, "14:54")


def test_v2_stage_resources_and_integrations(tmp_path):
    [api] = build(tmp_path, """\
        Resources:
          Api:
            Type: AWS::ApiGatewayV2::Api
            Properties: {Name: x, ProtocolType: HTTP}
          Stage:
            Type: AWS::ApiGatewayV2::Stage
            Properties:
              ApiId: !Ref Api
              StageName: $default
              AccessLogSettings: {DestinationArn: arn:aws:logs:eu-west-1:1:log-group:x, Format: $context.requestId}
              DefaultRouteSettings: {DetailedMetricsEnabled: true}
          Integration:
            Type: AWS::ApiGatewayV2::Integration
            Properties:
              ApiId: !Ref Api
              IntegrationType: HTTP_PROXY
              ConnectionType: VPC_LINK
              ConnectionId: !Ref Link
              TimeoutInMillis: "29000"
          Link:
            Type: AWS::ApiGatewayV2::VpcLink
            Properties: {Name: x, SubnetIds: [a, b]}
        """)
    [stage] = api.stages
    assert stage.kind == "AWS::ApiGatewayV2::Stage" and stage.access_log_destination.text().startswith("arn:")
    assert stage.route_settings[0].metrics_enabled.flag() is True
    [view] = api.all_integrations()
    assert (view.form, view.label, view.setting("timeout").whole()) == ("v2", "integration Integration", 29000)
    assert [(link.version, link.subnet_ids.value) for link in api.vpc_links] == [("v2", ["a", "b"])]
