"""The feature table (rules/features.yaml) and the detector that evaluates its signals against an API."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from apilint.apis import ApiBuilder, FileSettings, kind_of
from apilint.features import (
    _PLACES,
    OPENAPI_PLACES,
    FeaturesFileError,
    _feature,
    detect_features,
    feature_index,
    load_features,
    unknown_feature_ids,
)
from apilint.load.source import read_source
from apilint.model import Api, ApiType
from apilint.rules import load_rules

LAMBDA = ("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
          "arn:aws:lambda:eu-west-1:123456789012:function:orders/invocations")


def apis(tmp_path: Path, text: str, name: str = "api.yaml") -> list[Api]:
    """The APIs apilint builds from one file."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    source = read_source(path, name)
    builder = ApiBuilder(tmp_path, lambda p: read_source(p, p.name))
    if kind_of(source.data) == "openapi":
        return [builder.from_openapi(source, FileSettings())]
    return builder.from_template(source, FileSettings())


def uses(api: Api, *ids: str) -> list[tuple[str, tuple]]:
    return [(use.feature_id, use.at.path) for use in detect_features(api, ids or None)]


# --- the table --------------------------------------------------------------------------------------


def test_every_feature_says_who_supports_it_and_why():
    features = load_features()
    assert len({f.id for f in features}) == len(features)
    for feature in features:
        assert set(feature.supported) == {"rest", "http", "websocket"}, feature.id
        assert feature.source, f"{feature.id} names no source"
        assert feature.blocks_migration_message.strip(), feature.id


def test_rule_options_name_existing_features():
    for rule in load_rules():
        ids = rule.options.get("features")
        if ids is not None:
            assert not unknown_feature_ids(ids), f"{rule.code} names unknown features {unknown_feature_ids(ids)}"


def test_unconfirmed_support_is_kept_apart_from_yes_and_no():
    index = feature_index()
    assert index["jwt-authorizer"].supported["rest"] is True
    assert index["edge-endpoint"].supported["websocket"] == "unconfirmed"
    assert index["request-validation"].support(ApiType.HTTP) is False


@pytest.mark.parametrize("raw,problem", [
    ({"id": "x", "title": "X", "supported": {"rest": True, "http": False}, "source": [], "signals": [],
      "blocks_migration_message": "m"}, "supported"),
    ({"id": "x", "title": "X", "supported": {"rest": True, "http": "maybe", "websocket": False}, "source": [],
      "signals": [], "blocks_migration_message": "m"}, "supported"),
    ({"id": "x", "title": "X", "supported": {"rest": True, "http": True, "websocket": True}, "source": [],
      "signals": [{"openapi": {"at": "everywhere", "key": "a"}}], "blocks_migration_message": "m"}, "`at`"),
    ({"id": "x", "title": "X", "supported": {"rest": True, "http": True, "websocket": True}, "source": [],
      "signals": [{"openapi": {"at": "root", "key": "a", "contains": "b"}}], "blocks_migration_message": "m"},
     "unknown field"),
    ({"id": "x", "title": "X", "supported": {"rest": True, "http": True, "websocket": True}, "source": [],
      "signals": [{"graphql": {}}], "blocks_migration_message": "m"}, "signal kind"),
    ({"id": "x", "title": "X", "supported": {"rest": True, "http": True, "websocket": True}, "source": [],
      "signals": [{"template": {"property": "A"}}], "blocks_migration_message": "m"}, "resource"),
    ({"id": "x", "title": "X"}, "missing"),
])
def test_a_malformed_feature_is_refused_with_its_id(raw, problem):
    with pytest.raises(FeaturesFileError, match=problem) as error:
        _feature(raw, 0)
    assert "feature x" in str(error.value)


def test_unknown_feature_ids_are_refused():
    with pytest.raises(KeyError, match="no-such-feature"):
        detect_features(Api("x", None, None, None, ApiType.REST, ""), ["no-such-feature"])  # type: ignore[arg-type]


# --- OpenAPI signals ----------------------------------------------------------------------------------


def test_every_place_a_signal_may_name_is_found():
    assert set(_PLACES) == set(OPENAPI_PLACES)


def test_root_and_operation_keys_are_found_where_they_are_written(tmp_path):
    [api] = apis(tmp_path, """\
        openapi: 3.0.1
        info: {title: t, version: "1"}
        x-amazon-apigateway-request-validators:
          all: {validateRequestBody: true, validateRequestParameters: true}
        paths:
          /orders:
            post:
              x-amazon-apigateway-request-validator: all
              responses: {"200": {description: OK}}
        """)
    found = detect_features(api, ["request-validation"])
    assert [use.at.path for use in found] == [
        ("x-amazon-apigateway-request-validators",),
        ("paths", "/orders", "post", "x-amazon-apigateway-request-validator"),
    ]
    assert found[1].message == "`x-amazon-apigateway-request-validator` in POST /orders"
    assert found[0].supported == {"rest": True, "http": False, "websocket": "unconfirmed"}
    assert found[0].title.startswith("Request validation")


def test_shared_integrations_are_read_once_and_their_references_are_uses(tmp_path):
    [api] = apis(tmp_path, f"""\
        openapi: 3.0.1
        info: {{title: t, version: "1"}}
        paths:
          /a:
            get:
              responses: {{"200": {{description: OK}}}}
              x-amazon-apigateway-integration: {{$ref: "#/components/x-amazon-apigateway-integrations/ping"}}
          /b:
            get:
              responses: {{"200": {{description: OK}}}}
              x-amazon-apigateway-integration: {{$ref: "#/components/x-amazon-apigateway-integrations/ping"}}
        components:
          x-amazon-apigateway-integrations:
            ping: {{type: mock}}
            orders: {{type: aws_proxy, httpMethod: POST, uri: "{LAMBDA}"}}
        """)
    assert uses(api, "mock-integration") == [
        ("mock-integration", ("components", "x-amazon-apigateway-integrations", "ping", "type")),
    ]
    assert uses(api, "integrations-components") == [
        ("integrations-components", ("components", "x-amazon-apigateway-integrations")),
        ("integrations-components", ("paths", "/a", "get", "x-amazon-apigateway-integration", "$ref")),
        ("integrations-components", ("paths", "/b", "get", "x-amazon-apigateway-integration", "$ref")),
    ]


def test_where_tests_and_null_for_missing(tmp_path):
    [api] = apis(tmp_path, """\
        swagger: "2.0"
        info: {title: t, version: "1"}
        paths:
          /public:
            get:
              responses: {"200": {description: OK}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "https://example.com"}
          /private:
            get:
              responses: {"200": {description: OK}}
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: "https://internal.example.com"
                connectionType: VPC_LINK
                connectionId: abc123
        """)
    assert [path[1] for _, path in uses(api, "http-integration")] == ["/public"]
    assert [path[1] for _, path in uses(api, "private-integration-nlb")] == ["/private"]


def test_intrinsics_and_placeholders_are_unknown_not_matches(tmp_path):
    [api] = apis(tmp_path, """\
        AWSTemplateFormatVersion: "2010-09-09"
        Conditions:
          Private: {Fn::Equals: [a, b]}
        Resources:
          Api:
            Type: AWS::ApiGateway::RestApi
            Properties:
              EndpointConfiguration: {Types: [REGIONAL]}
              Body:
                openapi: 3.0.1
                info: {title: t, version: "1"}
                x-amazon-apigateway-endpoint-configuration:
                  Fn::If: [Private, {vpcEndpointIds: [vpce-1]}, {Ref: AWS::NoValue}]
                paths:
                  /a:
                    get:
                      responses: {"200": {description: OK}}
                      x-amazon-apigateway-integration:
                        type: {Ref: IntegrationType}
                        httpMethod: POST
                        uri: {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}
        """)
    assert uses(api, "private-endpoint", "mock-integration", "non-proxy-integration") == []
    # an Fn::Sub template string is matched as written
    assert [f for f, _ in uses(api, "lambda-integration")] == ["lambda-integration"]


def test_not_empty_and_boolean_equality(tmp_path):
    [api] = apis(tmp_path, """\
        openapi: 3.0.1
        info: {title: t, version: "1"}
        servers:
          - url: https://example.com
            x-amazon-apigateway-endpoint-configuration: {disableExecuteApiEndpoint: 1}
        paths:
          /a:
            get:
              responses: {"200": {description: OK}}
              x-amazon-apigateway-integration:
                {type: http_proxy, httpMethod: GET, uri: "https://example.com", cacheNamespace: abc, cacheKeyParameters: []}
        """)
    assert uses(api, "integration-cache-keys", "disable-execute-api-endpoint") == []


def test_used_security_schemes_only(tmp_path):
    text = """\
        swagger: "2.0"
        info: {title: t, version: "1"}
        paths:
          /a:
            get:
              %s
              responses: {"200": {description: OK}}
        securityDefinitions:
          key: {type: apiKey, name: x-api-key, in: header}
        """
    [unused] = apis(tmp_path, text % "description: open", "unused.yaml")
    [used] = apis(tmp_path, text % "security: [{key: []}]", "used.yaml")
    assert uses(unused, "api-keys") == []
    assert uses(used, "api-keys") == [("api-keys", ("securityDefinitions", "key"))]


# --- template signals -------------------------------------------------------------------------------


def test_template_resources_count_only_when_tied_to_the_api(tmp_path):
    orders, reports = apis(tmp_path, """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Orders:
            Type: AWS::Serverless::Api
            Properties: {StageName: prod}
          Reports:
            Type: AWS::Serverless::Api
            Properties: {StageName: prod}
          OrdersValidator:
            Type: AWS::ApiGateway::RequestValidator
            Properties: {RestApiId: !Ref Orders, ValidateRequestBody: true}
          Waf:
            Type: AWS::WAFv2::WebACLAssociation
            Properties:
              WebACLArn: arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/1
              ResourceArn: !Sub arn:aws:apigateway:${AWS::Region}::/restapis/${Reports}/stages/prod
          Handler:
            Type: AWS::Serverless::Function
            Properties:
              Handler: index.handler
              Runtime: python3.12
              Events:
                ForOrders:
                  Type: Api
                  Properties: {RestApiId: !Ref Orders, Path: /, Method: get, Auth: {Authorizer: AWS_IAM}}
                ForReports:
                  Type: Api
                  Properties: {RestApiId: !Ref Reports, Path: /, Method: get}
        """)
    assert sorted(uses(orders, "request-validation", "waf", "iam-auth")) == [
        ("iam-auth", ("Resources", "Handler", "Properties", "Events", "ForOrders", "Properties", "Auth", "Authorizer")),
        ("request-validation", ("Resources", "OrdersValidator")),
    ]
    assert uses(reports, "request-validation", "waf", "iam-auth") == [
        ("waf", ("Resources", "Waf", "Properties", "ResourceArn")),
    ]


def test_api_properties_from_globals_point_into_globals(tmp_path):
    [api] = apis(tmp_path, """\
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Api:
            TracingEnabled: true
        Resources:
          Orders:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              EndpointConfiguration: {Type: REGIONAL}
        """)
    assert sorted(uses(api, "x-ray", "regional-endpoint", "edge-endpoint")) == [
        ("regional-endpoint", ("Resources", "Orders", "Properties", "EndpointConfiguration", "Type")),
        ("x-ray", ("Globals", "Api", "TracingEnabled")),
    ]


def test_custom_domains_count_through_their_mappings(tmp_path):
    orders, other = apis(tmp_path, """\
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Orders:
            Type: AWS::ApiGatewayV2::Api
            Properties: {Name: orders, ProtocolType: HTTP}
          Other:
            Type: AWS::ApiGatewayV2::Api
            Properties: {Name: other, ProtocolType: HTTP}
          Domain:
            Type: AWS::ApiGatewayV2::DomainName
            Properties:
              DomainName: api.example.com
              DomainNameConfigurations: [{CertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/x}]
              MutualTlsAuthentication: {TruststoreUri: s3://bucket/truststore.pem}
          Mapping:
            Type: AWS::ApiGatewayV2::ApiMapping
            Properties: {ApiId: !Ref Orders, DomainName: !Ref Domain, Stage: prod}
        """)
    assert uses(orders, "mutual-tls") == [("mutual-tls", ("Resources", "Domain", "Properties", "MutualTlsAuthentication"))]
    assert uses(other, "mutual-tls") == []


def test_where_on_the_api_resource_itself(tmp_path):
    [api] = apis(tmp_path, """\
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Legacy:
            Type: AWS::ApiGateway::RestApi
            Properties: {Name: legacy}
        """)
    [use] = detect_features(api, ["edge-endpoint"])
    assert use.at.path == ("Resources", "Legacy")
    assert "EndpointConfiguration: unset" in use.message


# --- the rules that read the table ------------------------------------------------------------------


def test_a_rule_reports_only_what_the_api_type_lacks_for_sure(tmp_path):
    from apilint.checks.mismatch import unsupported_uses

    [api] = apis(tmp_path, """\
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Chat:
            Type: AWS::ApiGatewayV2::Api
            Properties: {Name: chat, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
          Validator:
            Type: AWS::ApiGateway::RequestValidator
            Properties: {RestApiId: !Ref Chat, ValidateRequestBody: true}
        """)
    assert api.api_type is ApiType.WEBSOCKET
    assert uses(api, "request-validation") == [("request-validation", ("Resources", "Validator"))]
    assert list(unsupported_uses(api, ["request-validation"])) == []  # "unconfirmed" for WebSocket APIs


def test_an_unknown_feature_id_in_the_configuration_is_a_usage_error(tmp_path):
    from tests.conftest import run_cli

    (tmp_path / ".apilint.yaml").write_text("options:\n  AG102:\n    features: [request-validaton]\n")
    (tmp_path / "api.yaml").write_text("openapi: 3.0.1\ninfo: {title: t, version: '1'}\n"
                                       "x-amazon-apigateway-importexport-version: '1.0'\npaths: {}\n")
    result = run_cli("check", "--select", "AG102", "api.yaml", cwd=tmp_path)
    assert (result.code, result.err) == (2, (
        "apilint: error: .apilint.yaml:3:16: options.AG102.features.0: unknown feature id(s) request-validaton "
        "(the ids are in rules/features.yaml)\n"))


#: Features an API type lacks that no ``features`` option reports, each with the rule that reports it
#: in its own words or the reason nothing does. A new feature, or a new "false" in the table, must be
#: placed here or in a rule's options: the table and the rules cannot drift apart.
REPORTED_BY_OWN_CHECK = {
    ("api-keys", "http"): "AG101 (api-key-on-http-api) reads API keys and usage plans itself",
    ("cognito-authorizer", "websocket"): "AG106 (authorizer-type-not-supported)",
    ("token-authorizer", "http"): "AG106 (authorizer-type-not-supported)",
    ("token-authorizer", "websocket"): "AG106 (authorizer-type-not-supported)",
    ("jwt-authorizer", "websocket"): "AG106 (authorizer-type-not-supported)",
    ("response-streaming", "http"): "AG411 (response-transfer-mode)",
}
NOT_REPORTED = {
    ("client-certificate", "http"): "a client certificate for the backend is a stage setting with no OpenAPI or "
                                    "HttpApi form to misplace",
    ("automatic-deployments", "rest"): "AutoDeploy exists only on V2 stage resources; a REST API cannot write it",
    ("response-streaming", "websocket"): "WebSocket routes have no OpenAPI definition that could carry it",
    ("any-method", "websocket"): "WebSocket APIs are not imported from OpenAPI",
    ("websocket-routes", "rest"): "route selection exists only on WebSocket APIs; REST and HTTP have paths",
    ("websocket-routes", "http"): "route selection exists only on WebSocket APIs; REST and HTTP have paths",
}
#: WebSocket APIs are not imported from OpenAPI, so OpenAPI-only features cannot reach them.
OPENAPI_ONLY_ON_WEBSOCKET = {
    "security-policy", "endpoint-access-mode", "lambda-authorizer-simple-responses", "http-cors-extension",
    "integration-cache-keys", "binary-media-types", "minimum-compression", "documentation-parts",
    "integration-subtype", "payload-format-version", "integrations-components", "importexport-version",
    "tag-value",
}


def test_every_feature_an_api_type_lacks_is_reported_by_a_rule_or_excused():
    from apilint.rules import FEATURES_FILE, data_file, rules_dir

    table = data_file(rules_dir() / FEATURES_FILE)["features"]
    reported: dict[str, set[str]] = {}
    for rule in load_rules():
        for feature_id in (rule.options or {}).get("features") or []:
            reported.setdefault(feature_id, set()).update(str(t) for t in rule.api_types)
    unplaced = []
    for feature in table:
        if not feature.get("signals"):
            continue
        for api_type, support in feature["supported"].items():
            key = (feature["id"], api_type)
            if support is not False or api_type in reported.get(feature["id"], set()):
                continue
            if key in REPORTED_BY_OWN_CHECK or key in NOT_REPORTED:
                continue
            if api_type == "websocket" and feature["id"] in OPENAPI_ONLY_ON_WEBSOCKET:
                continue
            unplaced.append(key)
    assert unplaced == []
    stale = [key for key in {**REPORTED_BY_OWN_CHECK, **NOT_REPORTED}
             if key[1] in reported.get(key[0], set())]
    assert stale == [], "excused features that a rule now reports"
