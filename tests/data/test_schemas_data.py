"""Checks of the rule data that needs no engine: the extension schemas and the feature table.

The schemas in ``rules/schemas`` refer to each other (``_defs.json``); ``schema_registry`` shows
how a validator resolves those references offline, with a ``referencing.Registry`` built from the
folder. Run ``python tests/data/test_schemas_data.py`` to print every corpus value the schemas
reject.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "rules" / "schemas"
FEATURES = REPO / "rules" / "features.yaml"
CORPUS = REPO.parent / "shared" / "corpus"

#: The 31 topics of the "OpenAPI extensions for API Gateway" page [DGcur:api-gateway-swagger-extensions]
#: and where each one is defined: ``<file>#<pointer>``.
TOPICS = {
    "x-amazon-apigateway-any-method": "x-amazon-apigateway-any-method.json#",
    "x-amazon-apigateway-cors": "x-amazon-apigateway-cors.json#",
    "x-amazon-apigateway-api-key-source": "x-amazon-apigateway-api-key-source.json#",
    "x-amazon-apigateway-auth": "x-amazon-apigateway-auth.json#",
    "x-amazon-apigateway-authorizer": "x-amazon-apigateway-authorizer.json#",
    "x-amazon-apigateway-authtype": "x-amazon-apigateway-authtype.json#",
    "x-amazon-apigateway-binary-media-types": "x-amazon-apigateway-binary-media-types.json#",
    "x-amazon-apigateway-documentation": "x-amazon-apigateway-documentation.json#",
    "x-amazon-apigateway-endpoint-access-mode": "x-amazon-apigateway-endpoint-access-mode.json#",
    "x-amazon-apigateway-endpoint-configuration": "x-amazon-apigateway-endpoint-configuration.json#",
    "x-amazon-apigateway-gateway-responses": "x-amazon-apigateway-gateway-responses.json#",
    "x-amazon-apigateway-gateway-responses.gatewayResponse":
        "x-amazon-apigateway-gateway-responses.json#/$defs/gatewayResponse",
    "x-amazon-apigateway-gateway-responses.responseParameters":
        "x-amazon-apigateway-gateway-responses.json#/$defs/responseParameters",
    "x-amazon-apigateway-gateway-responses.responseTemplates":
        "x-amazon-apigateway-gateway-responses.json#/$defs/responseTemplates",
    "x-amazon-apigateway-importexport-version": "x-amazon-apigateway-importexport-version.json#",
    "x-amazon-apigateway-integration": "x-amazon-apigateway-integration.json#",
    "x-amazon-apigateway-integrations": "x-amazon-apigateway-integrations.json#",
    "x-amazon-apigateway-integration.requestTemplates":
        "x-amazon-apigateway-integration.json#/$defs/requestTemplates",
    "x-amazon-apigateway-integration.requestParameters":
        "x-amazon-apigateway-integration.json#/$defs/requestParameters",
    "x-amazon-apigateway-integration.responses": "x-amazon-apigateway-integration.json#/$defs/responses",
    "x-amazon-apigateway-integration.response": "x-amazon-apigateway-integration.json#/$defs/response",
    "x-amazon-apigateway-integration.responseTemplates":
        "x-amazon-apigateway-integration.json#/$defs/responseTemplates",
    "x-amazon-apigateway-integration.responseParameters":
        "x-amazon-apigateway-integration.json#/$defs/responseParameters",
    "x-amazon-apigateway-integration.tlsConfig": "x-amazon-apigateway-integration.json#/$defs/tlsConfig",
    "x-amazon-apigateway-minimum-compression-size": "x-amazon-apigateway-minimum-compression-size.json#",
    "x-amazon-apigateway-policy": "x-amazon-apigateway-policy.json#",
    "x-amazon-apigateway-request-validator": "x-amazon-apigateway-request-validator.json#",
    "x-amazon-apigateway-request-validators": "x-amazon-apigateway-request-validators.json#",
    "x-amazon-apigateway-request-validators.requestValidator":
        "x-amazon-apigateway-request-validators.json#/$defs/requestValidator",
    "x-amazon-apigateway-security-policy": "x-amazon-apigateway-security-policy.json#",
    "x-amazon-apigateway-tag-value": "x-amazon-apigateway-tag-value.json#",
}

#: Extensions as keys in a document (topics without a ".member" part).
EXTENSIONS = sorted(topic for topic in TOPICS if "." not in topic)

#: Every x-amazon-apigateway-integration property in fact sheet §1.3.
INTEGRATION_PROPERTIES = {
    "type", "uri", "httpMethod", "credentials", "requestParameters", "requestTemplates", "responses",
    "passthroughBehavior", "contentHandling", "cacheKeyParameters", "cacheNamespace", "connectionType",
    "connectionId", "timeoutInMillis", "tlsConfig", "payloadFormatVersion", "integrationSubtype",
    "responseParameters", "responseTransferMode", "integrationTarget", "$ref",
}

#: Every x-amazon-apigateway-authorizer property in fact sheet §6.1.
AUTHORIZER_PROPERTIES = {
    "type", "authorizerUri", "authorizerCredentials", "authorizerPayloadFormatVersion",
    "enableSimpleResponses", "identitySource", "jwtConfiguration", "identityValidationExpression",
    "authorizerResultTtlInSeconds", "providerARNs",
}

SOURCE_TAG = re.compile(r"^(DG23|DGcur|BOTO1|BOTO2|CFN|CFNLINT|WN|GH):\S")

LAMBDA_URI = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:123456789012:function:pets/invocations"
)


# ------------------------------------------------------------------------------------------ helpers


@cache
def load_schemas() -> dict[str, dict[str, Any]]:
    """Every schema file in rules/schemas by file name."""
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(SCHEMAS.glob("*.json"))}


def schema_registry(folder: Path = SCHEMAS) -> Registry:
    """A registry holding every schema of ``folder`` under its ``$id``, so cross-file ``$ref``s resolve
    without network access."""
    resources = []
    for path in sorted(folder.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["$id"], Resource.from_contents(contents)))
    return Registry().with_resources(resources)


@cache
def validator_for(extension: str) -> Draft202012Validator:
    """A validator for one extension's value."""
    return Draft202012Validator(load_schemas()[extension + ".json"], registry=schema_registry())


def errors_of(extension: str, value: Any) -> list[ValidationError]:
    return list(validator_for(extension).iter_errors(value))


def refs_in(node: Any) -> Iterator[str]:
    """Every ``$ref`` keyword value in a schema (a property *named* ``$ref`` holds a schema, not a string)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs_in(item)


@cache
def load_features() -> dict[str, Any]:
    return yaml.safe_load(FEATURES.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------ schema files


def test_one_schema_file_per_extension() -> None:
    names = {name for name in load_schemas() if not name.startswith("_")}
    assert names == {extension + ".json" for extension in EXTENSIONS}
    assert len(TOPICS) == 31


@pytest.mark.parametrize("name", sorted(load_schemas()))
def test_schema_is_valid_against_its_metaschema(name: str) -> None:
    schema = load_schemas()[name]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", sorted(load_schemas()))
def test_schema_metadata(name: str) -> None:
    schema = load_schemas()[name]
    assert schema["$id"] == "https://apilint.dev/schemas/" + name
    assert schema["description"].strip()
    assert schema["x-apilint-source"], "every schema names its fact-sheet sources"
    for tag in schema["x-apilint-source"]:
        assert SOURCE_TAG.match(tag), tag
    if not name.startswith("_"):
        assert schema["title"] == name.removesuffix(".json")
        assert set(schema["x-apilint-at"]) <= {
            "root", "operation", "security-scheme", "server", "path-item", "tag", "components",
        }


@pytest.mark.parametrize("name", sorted(load_schemas()))
def test_every_ref_resolves(name: str) -> None:
    schema = load_schemas()[name]
    resolver = schema_registry().resolver(base_uri=schema["$id"])
    refs = list(refs_in(schema))
    for ref in refs:
        resolver.lookup(ref)  # raises when unresolvable
    if name != "_defs.json":
        assert any(ref.startswith("_defs.json#") for ref in refs), "typed values go through _defs"


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_every_topic_has_a_definition(topic: str) -> None:
    file_name, _, pointer = TOPICS[topic].partition("#")
    schema = load_schemas()[file_name]
    resolved = schema_registry().resolver(base_uri=schema["$id"]).lookup("#" + pointer).contents
    assert isinstance(resolved, dict)
    if "." in topic:
        assert schema["x-apilint-topics"][topic] == "#" + pointer


def test_integration_schema_lists_every_documented_property() -> None:
    integration = load_schemas()["x-amazon-apigateway-integration.json"]["$defs"]["integration"]
    assert set(integration["properties"]) == INTEGRATION_PROPERTIES
    assert integration["additionalProperties"] == {"$ref": "_defs.json#/$defs/unknownProperty"}


def test_authorizer_schema_lists_every_documented_property() -> None:
    authorizer = load_schemas()["x-amazon-apigateway-authorizer.json"]["$defs"]["authorizer"]
    assert set(authorizer["properties"]) == AUTHORIZER_PROPERTIES


def test_api_type_specific_ranges_stay_out_of_the_schemas() -> None:
    """timeoutInMillis limits differ per API type (REST 29,000, HTTP 30,000); a rule owns them."""
    timeout = load_schemas()["x-amazon-apigateway-integration.json"]["$defs"]["integration"]["properties"][
        "timeoutInMillis"
    ]
    assert "minimum" not in json.dumps(timeout) and "maximum" not in json.dumps(timeout)


# ------------------------------------------------------------------------------------------ examples

#: Values from the fact sheet and the AWS pages it cites that must validate.
VALID: list[tuple[str, Any]] = [
    ("x-amazon-apigateway-any-method", {
        "isDefaultRoute": True,
        "x-amazon-apigateway-integration": {"type": "AWS_PROXY", "httpMethod": "POST", "uri": LAMBDA_URI,
                                            "payloadFormatVersion": "2.0"},
    }),
    ("x-amazon-apigateway-any-method", {"responses": {"200": {"description": "ok"}}, "parameters": []}),
    ("x-amazon-apigateway-cors", {
        "allowOrigins": ["https://www.example.com", "*", "https://*"], "allowCredentials": True,
        "exposeHeaders": ["x-apigateway-header", "x-amz-date", "content-type"], "maxAge": 3600,
        "allowMethods": ["GET", "OPTIONS", "POST"], "allowHeaders": ["*"],
    }),
    ("x-amazon-apigateway-cors", {"maxAge": -1}),
    ("x-amazon-apigateway-api-key-source", "HEADER"),
    ("x-amazon-apigateway-api-key-source", "AUTHORIZER"),
    ("x-amazon-apigateway-auth", {"type": "NONE"}),
    ("x-amazon-apigateway-auth", {"type": "aws_iam"}),
    ("x-amazon-apigateway-auth", {"type": "Aws_Iam"}),
    ("x-amazon-apigateway-authorizer", {
        "type": "token", "authorizerUri": LAMBDA_URI,
        "authorizerCredentials": "arn:aws:iam::123456789012:role/apigAwsProxyRole",
        "authorizerResultTtlInSeconds": 60, "identityValidationExpression": "^x-[a-z]+",
    }),
    ("x-amazon-apigateway-authorizer", {
        "type": "request", "identitySource": "method.request.header.Auth, method.request.querystring.Name",
        "authorizerUri": LAMBDA_URI, "authorizerResultTtlInSeconds": "300",
    }),
    ("x-amazon-apigateway-authorizer", {
        "type": "cognito_user_pools",
        "providerARNs": ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc123"],
    }),
    ("x-amazon-apigateway-authorizer", {
        "type": "request", "identitySource": "$request.header.Authorization", "authorizerUri": LAMBDA_URI,
        "authorizerPayloadFormatVersion": "2.0", "authorizerResultTtlInSeconds": 300,
        "enableSimpleResponses": True,
    }),
    ("x-amazon-apigateway-authorizer", {
        "type": "jwt", "identitySource": "$request.header.Authorization",
        "jwtConfiguration": {"issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc123",
                             "audience": ["7sp0example"]},
    }),
    ("x-amazon-apigateway-authtype", "awsSigv4"),
    ("x-amazon-apigateway-authtype", "cognito_user_pools"),
    ("x-amazon-apigateway-authtype", "Custom scheme with corporate claims"),
    ("x-amazon-apigateway-binary-media-types", ["image/png", "application/octet-stream", "*/*", "image/*"]),
    ("x-amazon-apigateway-documentation", {
        "version": "1.0.3", "createdDate": "2016-11-17T07:03:59Z",
        "documentationParts": [
            {"location": {"type": "API"}, "properties": {"description": "API description"}},
            {"location": {"type": "RESPONSE", "method": "GET", "path": "/pets", "statusCode": "200"},
             "properties": {"description": "200 response"}},
        ],
    }),
    ("x-amazon-apigateway-endpoint-access-mode", "STRICT"),
    ("x-amazon-apigateway-endpoint-access-mode", "BASIC"),
    ("x-amazon-apigateway-endpoint-configuration", {
        "disableExecuteApiEndpoint": True, "vpcEndpointIds": ["vpce-0212a4ababd5b8c3e", "vpce-01d622316a7df47f9"],
    }),
    ("x-amazon-apigateway-endpoint-configuration", {"ipAddressType": "dualstack"}),
    ("x-amazon-apigateway-gateway-responses", {
        "MISSING_AUTHENTICATION_TOKEN": {
            "statusCode": 404,
            "responseParameters": {
                "gatewayresponse.header.x-request-path": "method.request.path.petId",
                "gatewayresponse.header.Access-Control-Allow-Origin": "'a.b.c'",
            },
            "responseTemplates": {"application/json": "{\"message\": $context.error.messageString}"},
        },
        "DEFAULT_4XX": {"statusCode": "400"},
        "REQUEST_TOO_LARGE": {"statusCode": "413"},
    }),
    ("x-amazon-apigateway-importexport-version", "1.0"),
    ("x-amazon-apigateway-integration", {
        "type": "aws", "uri": LAMBDA_URI, "httpMethod": "POST",
        "credentials": "arn:aws:iam::123456789012:role/apigAwsProxyRole",
        "requestTemplates": {"application/json": "#set ($root=$input.path('$')) { \"stage\": \"$root.name\" }"},
        "requestParameters": {"integration.request.path.stage": "method.request.querystring.version",
                              "integration.request.header.x-static": "'static'"},
        "cacheNamespace": "cache namespace", "cacheKeyParameters": [],
        "responses": {
            "2\\d{2}": {"statusCode": "200",
                        "responseParameters": {"method.response.header.requestId": "integration.response.header.cid"},
                        "responseTemplates": {"application/json": "$input.json('$')"}},
            "default": {"statusCode": 400, "contentHandling": "CONVERT_TO_TEXT"},
        },
        "passthroughBehavior": "when_no_match", "contentHandling": "CONVERT_TO_TEXT", "timeoutInMillis": 29000,
    }),
    ("x-amazon-apigateway-integration", {
        "type": "HTTP_PROXY", "httpMethod": "ANY", "uri": "https://petstore.example.com/{proxy}",
        "connectionType": "VPC_LINK", "connectionId": "${stageVariables.vpcLinkId}",
        "tlsConfig": {"insecureSkipVerification": True}, "passthroughBehavior": "WHEN_NO_TEMPLATES",
    }),
    ("x-amazon-apigateway-integration", {
        "type": "AWS_PROXY", "integrationSubtype": "SQS-SendMessage", "payloadFormatVersion": "1.0",
        "credentials": "arn:aws:iam::123456789012:role/apigateway-sqs",
        "requestParameters": {"QueueUrl": "$request.header.queueUrl", "MessageBody": "$request.body.message"},
        "responseParameters": {"500": {"overwrite:statuscode": "403"}},
    }),
    ("x-amazon-apigateway-integration", {
        "type": "http_proxy", "httpMethod": "GET", "connectionType": "VPC_LINK", "connectionId": "abc123",
        "uri": "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/my-alb/50dc6c495c0c9188/0467ef3c8400ae65",
        "tlsConfig": {"serverNameToVerify": "example.com"}, "payloadFormatVersion": "1.0",
    }),
    ("x-amazon-apigateway-integration", {
        "type": "AWS_PROXY", "httpMethod": "POST", "responseTransferMode": "STREAM",
        "uri": "arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/"
               "arn:aws:lambda:us-east-1:123456789012:function:chat/response-streaming-invocations",
        "integrationTarget": "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/nlb/1/2",
    }),
    ("x-amazon-apigateway-integration", {"type": "mock", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}}),
    ("x-amazon-apigateway-integration", {"$ref": "#/components/x-amazon-apigateway-integrations/integration1"}),
    ("x-amazon-apigateway-integration", {"type": "aws_proxy", "uri": LAMBDA_URI, "x-vendor-note": "kept"}),
    ("x-amazon-apigateway-integrations", {
        "integration1": {"type": "http_proxy", "httpMethod": "GET", "uri": "https://www.example.com",
                         "payloadFormatVersion": "1.0"},
        "integration2": {"type": "aws_proxy", "httpMethod": "POST", "uri": LAMBDA_URI, "payloadFormatVersion": "2.0"},
    }),
    ("x-amazon-apigateway-minimum-compression-size", 0),
    ("x-amazon-apigateway-minimum-compression-size", 10485760),
    ("x-amazon-apigateway-policy", {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": ["execute-api:/*"]},
            {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
             "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24"]}}},
            {"Effect": "Deny", "Principal": {"AWS": ["arn:aws:iam::123456789012:root"]},
             "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
             "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}},
        ],
    }),
    ("x-amazon-apigateway-policy", {"Statement": {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                                  "Action": "execute-api:Invoke", "Resource": "*"}}),
    ("x-amazon-apigateway-request-validator", "basic"),
    ("x-amazon-apigateway-request-validators", {
        "basic": {"validateRequestBody": True, "validateRequestParameters": True},
        "params-only": {"validateRequestBody": False, "validateRequestParameters": True},
    }),
    ("x-amazon-apigateway-security-policy", "SecurityPolicy_TLS13_1_3_2025_09"),
    ("x-amazon-apigateway-security-policy", "TLS_1_2"),
    ("x-amazon-apigateway-tag-value", "Admin"),
    ("x-amazon-apigateway-tag-value", ""),
]

#: Values that must fail: (extension, value, absolute path of the error, JSON Schema keyword).
INVALID: list[tuple[str, Any, list[Any], str]] = [
    ("x-amazon-apigateway-any-method", {"isDefaultRoute": "yes"}, ["isDefaultRoute"], "type"),
    ("x-amazon-apigateway-cors", {"maxAge": 86401}, ["maxAge"], "maximum"),
    ("x-amazon-apigateway-cors", {"allowOrigin": ["*"]}, ["allowOrigin"], "not"),
    ("x-amazon-apigateway-cors", {"allowOrigins": "https://example.com"}, ["allowOrigins"], "type"),
    ("x-amazon-apigateway-api-key-source", "QUERY", [], "enum"),
    ("x-amazon-apigateway-auth", {"type": "COGNITO_USER_POOLS"}, ["type"], "pattern"),
    ("x-amazon-apigateway-auth", {}, [], "required"),
    ("x-amazon-apigateway-authorizer", {"type": "oauth2"}, ["type"], "enum"),
    ("x-amazon-apigateway-authorizer", {"identitySource": "method.request.header.Auth"}, [], "required"),
    ("x-amazon-apigateway-authorizer", {"type": "token", "authorizerResultTtlInSeconds": 3601},
     ["authorizerResultTtlInSeconds"], "maximum"),
    ("x-amazon-apigateway-authorizer", {"type": "request", "authorizerPayloadFormatVersion": "3.0"},
     ["authorizerPayloadFormatVersion"], "enum"),
    ("x-amazon-apigateway-authorizer", {"type": "jwt", "jwtConfiguration": {"issuer": "https://x", "audiences": ["a"]}},
     ["jwtConfiguration", "audiences"], "not"),
    ("x-amazon-apigateway-authorizer", {"type": "cognito_user_pools", "providerARNs": "arn:aws:cognito-idp:x"},
     ["providerARNs"], "type"),
    ("x-amazon-apigateway-authtype", "awsIam", [], "const"),
    ("x-amazon-apigateway-binary-media-types", ["image~1png"], [0], "pattern"),
    ("x-amazon-apigateway-binary-media-types", "image/png", [], "type"),
    ("x-amazon-apigateway-documentation", {"documentationParts": [{"location": {"type": "PATH"}}]},
     ["documentationParts", 0, "location", "type"], "enum"),
    ("x-amazon-apigateway-documentation", {"documentationParts": [{"properties": {}}]},
     ["documentationParts", 0], "required"),
    ("x-amazon-apigateway-endpoint-access-mode", "LOOSE", [], "enum"),
    ("x-amazon-apigateway-endpoint-configuration", {"ipAddressType": "ipv6"}, ["ipAddressType"], "enum"),
    ("x-amazon-apigateway-endpoint-configuration", {"types": ["PRIVATE"]}, ["types"], "not"),
    ("x-amazon-apigateway-endpoint-configuration", "this should be a dict", [], "type"),
    ("x-amazon-apigateway-gateway-responses", {"NOT_FOUND": {"statusCode": "404"}}, ["NOT_FOUND"], "not"),
    ("x-amazon-apigateway-gateway-responses", {"DEFAULT_5XX": {"statusCode": 999}},
     ["DEFAULT_5XX", "statusCode"], "maximum"),
    ("x-amazon-apigateway-gateway-responses",
     {"INVALID_API_KEY": {"responseParameters": {"method.response.header.X": "'x'"}}},
     ["INVALID_API_KEY", "responseParameters", "method.response.header.X"], "not"),
    ("x-amazon-apigateway-importexport-version", "2.0", [], "enum"),
    ("x-amazon-apigateway-integration", {"type": "aws", "passThroughBehavior": "when_no_match"},
     ["passThroughBehavior"], "not"),
    ("x-amazon-apigateway-integration", {"type": "aws", "passthroughBehaviour": "never"},
     ["passthroughBehaviour"], "not"),
    ("x-amazon-apigateway-integration", {"type": "aws", "integrationResponses": {}}, ["integrationResponses"], "not"),
    ("x-amazon-apigateway-integration", {"type": "aws", "passthroughBehavior": "WHEN_NO_MATCHES"},
     ["passthroughBehavior"], "enum"),
    ("x-amazon-apigateway-integration", {"type": "lambda"}, ["type"], "enum"),
    ("x-amazon-apigateway-integration", {"type": "Aws_Proxy"}, ["type"], "enum"),
    ("x-amazon-apigateway-integration", {"uri": LAMBDA_URI, "httpMethod": "POST"}, [], "required"),
    ("x-amazon-apigateway-integration", {"type": "aws", "timeoutInMillis": "29s"}, ["timeoutInMillis"], "type"),
    ("x-amazon-apigateway-integration", {"type": "aws", "timeoutInMillis": {"Fn::Bogus": 1}},
     ["timeoutInMillis"], "type"),
    ("x-amazon-apigateway-integration", {"type": "aws", "timeoutInMillis": {"Ref": "A", "Fn::Sub": "b"}},
     ["timeoutInMillis"], "type"),
    ("x-amazon-apigateway-integration", {"type": "aws_proxy", "payloadFormatVersion": "3.0"},
     ["payloadFormatVersion"], "enum"),
    ("x-amazon-apigateway-integration", {"type": "http", "tlsConfig": {"insecureSkipVerification": "yes"}},
     ["tlsConfig", "insecureSkipVerification"], "type"),
    ("x-amazon-apigateway-integration", {"type": "http", "tlsConfig": {"skipVerification": True}},
     ["tlsConfig", "skipVerification"], "not"),
    ("x-amazon-apigateway-integration", {"type": "aws", "responses": {"default": {"statusCode": "200",
                                                                                  "responseTemplate": {}}}},
     ["responses", "default", "responseTemplate"], "not"),
    ("x-amazon-apigateway-integration", {"type": "aws", "responses": {"default": {"statusCode": "20"}}},
     ["responses", "default", "statusCode"], "pattern"),
    ("x-amazon-apigateway-integration", {"type": "aws", "requestParameters": {"integration.request.header.x": True}},
     ["requestParameters", "integration.request.header.x"], "type"),
    ("x-amazon-apigateway-integration", {"type": "aws_proxy", "responseTransferMode": "STREAMING"},
     ["responseTransferMode"], "enum"),
    ("x-amazon-apigateway-integration", {"type": "aws_proxy", "integrationSubtype": "SQS-Send"},
     ["integrationSubtype"], "enum"),
    ("x-amazon-apigateway-integration", {"type": "aws", "contentHandling": "CONVERT_TO_JSON"},
     ["contentHandling"], "enum"),
    ("x-amazon-apigateway-integration", {"type": "http", "connectionType": "VPC"}, ["connectionType"], "enum"),
    ("x-amazon-apigateway-integration", {"$ref": "#/components/schemas/Pet"}, ["$ref"], "pattern"),
    ("x-amazon-apigateway-integrations", {"integration1": {"type": "aws_proxy", "uri": 5}},
     ["integration1", "uri"], "type"),
    ("x-amazon-apigateway-minimum-compression-size", 10485761, [], "maximum"),
    ("x-amazon-apigateway-minimum-compression-size", -1, [], "minimum"),
    ("x-amazon-apigateway-minimum-compression-size", "1KB", [], "type"),
    ("x-amazon-apigateway-policy", {"Version": "2012-10-17"}, [], "required"),
    ("x-amazon-apigateway-policy", {"Statement": [{"Effect": "allow", "Action": "*"}]},
     ["Statement", 0, "Effect"], "enum"),
    ("x-amazon-apigateway-policy", {"Statement": [{"Effect": "Allow", "Principal": "everyone"}]},
     ["Statement", 0, "Principal"], "const"),
    ("x-amazon-apigateway-policy", {"Statement": {"Action": "*"}}, ["Statement"], "required"),
    ("x-amazon-apigateway-request-validator", 5, [], "type"),
    ("x-amazon-apigateway-request-validators", {"basic": {"validateRequestBody": "true"}},
     ["basic", "validateRequestBody"], "type"),
    ("x-amazon-apigateway-request-validators", {"basic": {"validateBody": True}}, ["basic", "validateBody"], "not"),
    ("x-amazon-apigateway-security-policy", "TLS_1_3", [], "enum"),
    ("x-amazon-apigateway-tag-value", 5, [], "type"),
    ("x-amazon-apigateway-tag-value", "x" * 257, [], "maxLength"),
]

#: Values only known at deploy or render time, accepted wherever a typed value is expected.
DYNAMIC: list[tuple[str, Any]] = [
    ("x-amazon-apigateway-integration", {"type": "aws", "timeoutInMillis": {"Fn::Sub": "${Timeout}"}}),
    ("x-amazon-apigateway-integration", {"type": "aws", "timeoutInMillis": "${timeout}"}),
    ("x-amazon-apigateway-integration", {"type": "aws", "timeoutInMillis": {"Ref": "Timeout"}}),
    ("x-amazon-apigateway-integration", {"type": "${integration_type}", "passthroughBehavior": "${passthrough}"}),
    ("x-amazon-apigateway-integration", {"type": {"Fn::If": ["IsMock", "MOCK", "AWS"]}}),
    ("x-amazon-apigateway-integration", {
        "type": "aws_proxy", "httpMethod": "POST",
        "uri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"},
        "credentials": {"Fn::GetAtt": ["ApiRole", "Arn"]},
        "requestTemplates": {"application/json": {"Fn::Sub": "{\"TableName\": \"${Table}\"}"}},
        "cacheKeyParameters": {"Fn::Split": [",", "a,b"]},
    }),
    ("x-amazon-apigateway-integration", {"Fn::If": ["UseLambda", {"type": "aws_proxy"}, {"Ref": "AWS::NoValue"}]}),
    ("x-amazon-apigateway-integration", {"type": "aws", "timeoutInMillis": {"Fn::Unknown": "29000"}}),
    ("x-amazon-apigateway-cors", {"allowCredentials": "${allow_credentials}", "maxAge": {"Ref": "MaxAge"},
                                  "allowOrigins": "${origins}"}),
    ("x-amazon-apigateway-minimum-compression-size", "${min_size}"),
    ("x-amazon-apigateway-policy", {"Fn::Sub": "${PolicyJson}"}),
    ("x-amazon-apigateway-policy", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": {"Fn::Sub": "execute-api:/${Stage}/*"},
         "Condition": {"IpAddress": {"aws:SourceIp": {"Ref": "AllowedCidr"}}}},
    ]}),
    ("x-amazon-apigateway-endpoint-configuration", {"vpcEndpointIds": [{"Ref": "ApiVpce"}],
                                                    "disableExecuteApiEndpoint": "${disable}"}),
    ("x-amazon-apigateway-authorizer", {"type": "jwt", "jwtConfiguration": {
        "issuer": {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"},
        "audience": [{"Ref": "UserPoolClient"}]}}),
    ("x-amazon-apigateway-security-policy", "${security_policy}"),
    ("x-amazon-apigateway-binary-media-types", [{"Ref": "MediaType"}, "image/png"]),
    ("x-amazon-apigateway-gateway-responses", {"DEFAULT_4XX": {"statusCode": "${code}"}}),
]


@pytest.mark.parametrize(("extension", "value"), VALID + DYNAMIC)
def test_valid_value_is_accepted(extension: str, value: Any) -> None:
    assert [error.message for error in errors_of(extension, value)] == []


@pytest.mark.parametrize(("extension", "value", "path", "keyword"), INVALID)
def test_invalid_value_is_rejected_where_it_stands(extension: str, value: Any, path: list[Any], keyword: str) -> None:
    found = [(list(error.absolute_path), error.validator) for error in errors_of(extension, value)]
    assert (path, keyword) in found, found


def test_every_extension_has_valid_and_invalid_examples() -> None:
    assert {extension for extension, _ in VALID} == set(EXTENSIONS)
    assert {extension for extension, *_ in INVALID} == set(EXTENSIONS)


def test_a_plain_word_is_no_placeholder() -> None:
    errors = errors_of("x-amazon-apigateway-integration", {"type": "aws", "timeoutInMillis": "timeout"})
    assert [(list(error.absolute_path), error.validator) for error in errors] == [(["timeoutInMillis"], "type")]


def test_fast_validator_agrees() -> None:
    """The engine may validate with jsonschema-rs; it must read the schemas the same way."""
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    registry = jsonschema_rs.Registry([(schema["$id"], schema) for schema in load_schemas().values()])
    compiled = {
        extension: jsonschema_rs.validator_for(load_schemas()[extension + ".json"], registry=registry)
        for extension in EXTENSIONS
    }
    for extension, value in VALID + DYNAMIC:
        assert compiled[extension].is_valid(value), (extension, value)
    for extension, value, path, _keyword in INVALID:
        paths = [list(error.instance_path) for error in compiled[extension].iter_errors(value)]
        assert path in paths, (extension, value, paths)


# ------------------------------------------------------------------------------------------ features.yaml

FEATURE_FIELDS = {"id", "title", "supported", "source", "blocks_migration_message", "signals"}
OPTIONAL_FEATURE_FIELDS = {"note"}
PLACEMENTS = {"root", "path-item", "operation", "integration", "security-scheme", "server", "tag", "components"}
MATCHER_FIELDS = {
    "openapi": ({"at"}, {"key", "equals", "matches", "not_empty", "where", "used"}),
    "template": ({"resource"}, {"property", "equals", "matches", "not_empty", "where"}),
    "deployment": ({"object"}, {"setting", "equals", "matches"}),
}
REQUIRED_FEATURE_IDS = {
    "api-keys", "usage-plans", "request-validation", "caching", "mapping-templates", "gateway-responses",
    "resource-policy", "edge-endpoint", "private-endpoint", "waf", "mock-integration", "response-streaming",
    "minimum-compression", "binary-media-types", "documentation-parts", "security-policy", "endpoint-access-mode",
    "http-cors-extension", "integrations-components", "importexport-version", "tag-value", "payload-format-version",
    "integration-subtype", "default-route", "jwt-authorizer", "cognito-authorizer", "token-authorizer", "x-ray",
    "execution-logs", "canary", "client-certificate", "mutual-tls", "iam-auth", "lambda-authorizer",
    "cloud-map-integration",
    # the remaining rows of the REST/HTTP comparison (§2)
    "regional-endpoint", "custom-domains", "developer-portal", "cors", "test-invocations",
    "user-controlled-deployments", "automatic-deployments", "parameter-mapping", "cloudwatch-metrics",
    "access-logs-cloudwatch", "access-logs-firehose", "http-integration", "aws-service-integration",
    "lambda-integration", "private-integration-nlb", "private-integration-alb",
}


def features() -> list[dict[str, Any]]:
    return load_features()["features"]


def matchers() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for feature in features():
        for signal in feature["signals"]:
            assert isinstance(signal, dict) and len(signal) == 1, (feature["id"], signal)
            ((kind, fields),) = signal.items()
            yield feature["id"], kind, fields


def test_features_have_required_fields() -> None:
    ids = [feature["id"] for feature in features()]
    assert len(ids) == len(set(ids)), "feature ids are unique"
    for feature in features():
        assert FEATURE_FIELDS <= set(feature) <= FEATURE_FIELDS | OPTIONAL_FEATURE_FIELDS, feature["id"]
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", feature["id"])
        assert isinstance(feature["title"], str) and feature["title"]
        assert isinstance(feature["signals"], list)
        assert feature["source"] and all(SOURCE_TAG.match(tag) for tag in feature["source"]), feature["id"]
        message = feature["blocks_migration_message"]
        assert isinstance(message, str) and message.endswith(".") and "\n" not in message, feature["id"]


def test_supported_values() -> None:
    for feature in features():
        assert set(feature["supported"]) == {"rest", "http", "websocket"}, feature["id"]
        for value in feature["supported"].values():
            assert value is True or value is False or value == "unconfirmed", (feature["id"], value)


def test_required_features_are_present() -> None:
    assert REQUIRED_FEATURE_IDS <= {feature["id"] for feature in features()}


def test_matchers_use_documented_kinds_and_fields() -> None:
    header = FEATURES.read_text(encoding="utf-8").split("\nfeatures:", 1)[0]
    # the header lists each field at the start of a comment line: "#   at   required. ..."
    names = re.findall(r"^#\s{2,5}([a-z_]+(?:, [a-z_]+)*)(?:\s{2,}|:\s|$)", header, re.MULTILINE)
    documented = {name for entry in names for name in entry.split(", ")}
    assert FEATURE_FIELDS | OPTIONAL_FEATURE_FIELDS <= documented
    assert set(MATCHER_FIELDS) <= documented
    for feature_id, kind, fields in matchers():
        assert kind in MATCHER_FIELDS, (feature_id, kind)
        required, optional = MATCHER_FIELDS[kind]
        assert required <= set(fields) <= required | optional, (feature_id, fields)
        assert set(fields) <= documented, (feature_id, set(fields) - documented)
        if kind == "openapi":
            assert fields["at"] in PLACEMENTS, (feature_id, fields["at"])
            assert "key" in fields or "where" in fields, feature_id
            assert "used" not in fields or fields["at"] == "security-scheme", feature_id
        if {"equals", "matches", "not_empty"} & set(fields):
            assert {"key", "property", "setting"} & set(fields), feature_id
        if "matches" in fields:
            re.compile(fields["matches"])
        if "where" in fields:
            assert isinstance(fields["where"], dict) and fields["where"], feature_id
    for word in ["openapi", "template", "deployment", *PLACEMENTS]:
        assert re.search(rf"\b{re.escape(word)}\b", header), word


def test_every_extension_is_a_signal_of_some_feature() -> None:
    """The cost report and the API-type rules see every extension through a feature."""
    signalled: set[str] = set()
    for _feature_id, kind, fields in matchers():
        if kind != "openapi":
            continue
        if fields["at"] == "integration":
            signalled.add("x-amazon-apigateway-integration")
        for path in [fields.get("key", ""), *fields.get("where", {})]:
            first = str(path).split(".", 1)[0]
            if first.startswith("x-amazon-apigateway-"):
                signalled.add(first)
    missing = set(EXTENSIONS) - signalled
    assert not missing, missing


# ------------------------------------------------------------------------------------------ signals on real files
#
# A minimal evaluator of the `openapi` matchers, written from the header of features.yaml, proves
# the vocabulary can be evaluated as documented and that the signals fire on real definitions. The
# engine has its own; this one exists only to test the data.

OPERATION_KEYS = {"get", "put", "post", "delete", "options", "head", "patch", "trace", "x-amazon-apigateway-any-method"}


def _dicts(values: Any) -> list[dict[str, Any]]:
    if isinstance(values, dict):
        values = list(values.values())
    return [value for value in values or [] if isinstance(value, dict)]


def placements(document: dict[str, Any], at: str) -> list[dict[str, Any]]:
    """The objects a matcher's `at` names."""
    components = document.get("components") if isinstance(document.get("components"), dict) else {}
    path_items = _dicts(document.get("paths"))
    operations = [op for item in path_items for key, op in item.items() if key in OPERATION_KEYS and isinstance(op, dict)]
    found: dict[str, list[dict[str, Any]]] = {
        "root": [document],
        "path-item": path_items,
        "operation": operations,
        "integration": [
            op["x-amazon-apigateway-integration"]
            for op in operations
            if isinstance(op.get("x-amazon-apigateway-integration"), dict)
        ]
        + _dicts(components.get("x-amazon-apigateway-integrations")),
        "security-scheme": _dicts(document.get("securityDefinitions")) + _dicts(components.get("securitySchemes")),
        "server": _dicts(document.get("servers")),
        "tag": _dicts(document.get("tags")),
        "components": [components] if components else [],
    }
    return found[at]


def select(node: Any, path: str) -> list[Any]:
    """Values at a dotted path; "*" steps over list elements and map values."""
    values = [node]
    for step in path.split("."):
        following = []
        for value in values:
            if step == "*":
                following += list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else []
            elif isinstance(value, dict) and step in value:
                following.append(value[step])
        values = following
    return values


def _equals(value: Any, expected: Any) -> bool:
    alternatives = expected if isinstance(expected, list) else [expected]
    candidates = value if isinstance(value, list) else [value]
    return any(type(c) is type(a) and c == a for c in candidates for a in alternatives if a is not None)


def _matches(value: Any, pattern: str) -> bool:
    if isinstance(value, dict) and "Fn::Sub" in value:
        value = value["Fn::Sub"][0] if isinstance(value["Fn::Sub"], list) else value["Fn::Sub"]
    return isinstance(value, str) and re.search(pattern, value) is not None


def _where_holds(obj: dict[str, Any], where: dict[str, Any]) -> bool:
    for path, expected in where.items():
        values = select(obj, path)
        alternatives = expected if isinstance(expected, list) else [expected]
        if not values:
            if None not in alternatives:
                return False
        elif not any(_equals(value, expected) for value in values):
            return False
    return True


def used_scheme_names(document: dict[str, Any]) -> set[str]:
    requirements = list(document.get("security") or [])
    for op in placements(document, "operation"):
        requirements += op.get("security") or []
    return {name for requirement in requirements if isinstance(requirement, dict) for name in requirement}


def openapi_matches(document: dict[str, Any], fields: dict[str, Any]) -> bool:
    objects: list[Any] = placements(document, fields["at"])
    if fields.get("used"):
        schemes = {**(document.get("securityDefinitions") or {}), **(document.get("components") or {}).get("securitySchemes", {})}
        used = used_scheme_names(document)
        objects = [obj for obj in objects if any(obj is schemes.get(name) for name in used)]
    for obj in objects:
        if "where" in fields and not _where_holds(obj, fields["where"]):
            continue
        if "key" not in fields:
            return True
        for value in select(obj, fields["key"]):
            if "equals" in fields and not _equals(value, fields["equals"]):
                continue
            if "matches" in fields and not _matches(value, fields["matches"]):
                continue
            if fields.get("not_empty") and not (isinstance(value, (list, dict, str)) and value):
                continue
            return True
    return False


@cache
def corpus_documents() -> dict[str, dict[str, Any]]:
    documents = {}
    for file in sorted((CORPUS / "openapi").iterdir()):
        try:
            document = load_corpus_file(file)
        except (yaml.YAMLError, json.JSONDecodeError, UnicodeDecodeError):
            continue
        if isinstance(document, dict):
            documents[file.name] = document
    return documents


def features_found(document: dict[str, Any]) -> set[str]:
    found = set()
    for feature in features():
        for signal in feature["signals"]:
            if "openapi" in signal and openapi_matches(document, signal["openapi"]):
                found.add(feature["id"])
    return found


#: Features the corpus shows, each with one file that uses it.
CORPUS_FEATURE_EXAMPLES = {
    "api-keys": "awslabs__aws-apigateway-importer__tst__resources__swagger__apigateway.json",
    "request-validation": "awsdocs__amazon-api-gateway-developer-guide__doc_source__"
    "api-gateway-request-validation-sample-api-swagger.md__block01.json",
    "mock-integration": "localstack__localstack__tests__aws__files__openapi-mock.json",
    "mapping-templates": "localstack__localstack__tests__aws__files__openapi-mock.json",
    "http-cors-extension": "awsdocs__amazon-api-gateway-developer-guide__doc_source__http-api-open-api.md__block05.json",
    "integrations-components": "awsdocs__amazon-api-gateway-developer-guide__doc_source__"
    "api-gateway-extensions-integrations.md__block01.json",
    "payload-format-version": "awsdocs__amazon-api-gateway-developer-guide__doc_source__http-api-open-api.md__block05.json",
    "documentation-parts": "localstack__localstack__tests__aws__files__oas30_documentation_parts.json",
    "binary-media-types": "awsdocs__amazon-api-gateway-developer-guide__doc_source__"
    "api-gateway-content-encodings-examples-image-s3.md__block01.json",
    "cognito-authorizer": "localstack__localstack__tests__aws__files__openapi.cognito-auth.json",
    "iam-auth": "awsdocs__amazon-api-gateway-developer-guide__doc_source__api-gateway-swagger-extensions-auth.md__block01.json",
    "lambda-integration": "awsdocs__amazon-api-gateway-developer-guide__doc_source__"
    "set-up-lambda-proxy-integrations.md__block01.json",
    "aws-service-integration": "awsdocs__amazon-api-gateway-developer-guide__doc_source__"
    "api-as-s3-proxy-export-swagger-with-extensions.md__block01.json",
    "any-method": "awslabs__aws-api-gateway-developer-portal__lambdas__catalog-updater____tests____oas3-ANY-method.json",
    "swagger-definition": "aws__aws-sam-cli__tests__integration__testdata__package__swagger.yaml",
    "gateway-responses": "aws-samples__serverless-patterns__apigw-dynamodb-lambda-scheduler-ses-auto-deletion-sam__"
    "restapi__api.yaml",
    "response-streaming": "aws-samples__serverless-patterns__apigw-lambda-bedrock-sam-node__"
    "api-gateway-streaming-config.yaml",
    "private-integration-nlb": "awsdocs__amazon-api-gateway-developer-guide__doc_source__"
    "set-up-api-with-vpclink-using-swagger.md__block01.json",
    "integration-subtype": "aws-samples__serverless-patterns__api-sqs-lambda-python__api.yaml",
    "importexport-version": "aws-samples__serverless-patterns__api-sqs-lambda-python__api.yaml",
    "token-authorizer": "localstack__localstack__tests__aws__files__petstore-authorizer.swagger.json",
}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
@pytest.mark.parametrize("feature_id", sorted(CORPUS_FEATURE_EXAMPLES))
def test_signals_fire_on_real_definitions(feature_id: str) -> None:
    documents = corpus_documents()
    assert feature_id in features_found(documents[CORPUS_FEATURE_EXAMPLES[feature_id]])


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_aws_examples_use_only_features_of_their_api_type() -> None:
    """AWS's own definitions never trip a support value of false (guards against over-eager signals)."""
    api_types = {}
    for line in (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        file, _repo, _path, _commit, _kind, api_type, _size = line.split("\t")
        api_types[file.removeprefix("openapi/")] = api_type
    support = {feature["id"]: feature["supported"] for feature in features()}
    checked = 0
    for name, document in corpus_documents().items():
        api_type = api_types.get(name)
        if not name.startswith("awsdocs__") or api_type not in {"rest", "http"}:
            continue
        checked += 1
        assert [f for f in sorted(features_found(document)) if support[f][api_type] is False] == [], name
    assert checked >= 15


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_every_openapi_signal_is_evaluable_on_every_definition() -> None:
    for document in corpus_documents().values():
        features_found(document)  # raises on a matcher the evaluator cannot read


# ------------------------------------------------------------------------------------------ corpus


class _CorpusLoader(yaml.SafeLoader):
    """PyYAML safe loading as apilint reads YAML: CloudFormation short tags become their long form,
    unknown tags are ignored, versions and dates stay strings, only true/false are booleans."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    name = {"Ref": "Ref", "Condition": "Condition"}.get(suffix, "Fn::" + suffix)
    if name == "Fn::GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {name: value}


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if (isinstance(key, str) and key.lower().endswith("version") and isinstance(value_node, yaml.ScalarNode)
                and not value_node.style):
            mapping[key] = value_node.value
        else:
            mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_CorpusLoader.add_multi_constructor("!", _tagged)
_CorpusLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
_CorpusLoader.add_constructor(
    "tag:yaml.org,2002:bool", lambda loader, node: {"true": True, "false": False}.get(node.value.lower(), node.value)
)
_CorpusLoader.add_constructor("tag:yaml.org,2002:map", lambda loader, node: _construct_mapping(loader, node, True))
_CorpusLoader.construct_mapping = _construct_mapping  # type: ignore[method-assign, assignment]


def load_corpus_file(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_CorpusLoader)


def extension_values(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str, Any]]:
    """Every ``x-amazon-apigateway-*`` key anywhere in a document: (path to the key, name, value)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and key.startswith("x-amazon-apigateway-"):
                yield path + (key,), key, value
            yield from extension_values(value, path + (key,))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from extension_values(item, path + (index,))


def corpus_failures(folder: str) -> tuple[list[tuple[str, str, str, str]], int]:
    """Schema errors on every extension value of a corpus folder: (file, path, keyword, message)."""
    failures = []
    checked = 0
    for file in sorted((CORPUS / folder).iterdir()):
        try:
            document = load_corpus_file(file)
        except (yaml.YAMLError, json.JSONDecodeError, UnicodeDecodeError):
            continue  # broken on purpose; reporting that is the loader's job
        for key_path, extension, value in extension_values(document):
            checked += 1
            for error in errors_of(extension, value) if extension in EXTENSIONS else []:
                where = "/".join(str(step) for step in (*key_path, *error.absolute_path))
                failures.append((f"{folder}/{file.name}", where, str(error.validator), error.message))
    return failures, checked


_SAM = "templates/aws__serverless-application-model__tests__translator__input__"
_SAM_CLI = "templates/aws__aws-sam-cli__tests__functional__commands__validate__lib__models__"
_GOFORMATION = "templates/awslabs__goformation__test__yaml__aws-serverless-api-swagger.yaml"
_COGNITO_ARNS = (
    "Resources/ExplicitApi/Properties/DefinitionBody/securityDefinitions/CognitoAuthorizer/"
    "x-amazon-apigateway-authorizer/providerARNs/0"
)
_OPTIONS = "Resources/StepFunctionsAPI/Properties/DefinitionBody/paths///options/x-amazon-apigateway-integration"

#: What the schemas reject in the shared corpus: every entry is a real mistake in that file.
#: (file, path to the value, JSON Schema keyword).
EXPECTED_CORPUS_FAILURES = {
    # a boolean where a mapping expression (a string) is required
    (
        "openapi/localstack__localstack__tests__aws__files__openapi-basepath-url.yaml",
        "paths//test/get/x-amazon-apigateway-integration/requestParameters/integration.request.header.nothing",
        "type",
    ),
    # an integration with connectionId and uri but no type
    (
        (
            "templates/aws-cloudformation__cfn-lint__test__fixtures__templates__good__parameters__"
            "used_transform_removed.yaml"
        ),
        "Resources/MyAPI/Properties/DefinitionBody/paths///get/x-amazon-apigateway-integration",
        "required",
    ),
    # misspelled property: integrationResponses instead of responses
    (
        "templates/aws-samples__serverless-patterns__serverless-message-processing__template.yaml",
        (
            "Resources/ApiGateway/Properties/DefinitionBody/paths//message/post/x-amazon-apigateway-integration/"
            "integrationResponses"
        ),
        "not",
    ),
    # resource policies without a Statement (SAM translator test stubs)
    *(
        (file, "Resources/WebhooksApi/Properties/DefinitionBody/x-amazon-apigateway-policy", "required")
        for file in [
            _SAM_CLI + "api_merge_definitions_with_any_method.yaml",
            _SAM + "api_merge_definitions_with_any_method.yaml",
            _SAM + "api_with_merge_definitions_null_paths.yaml",
        ]
    ),
    # an empty list entry (null) where a user pool ARN belongs
    *(
        (prefix + name + ".yaml", _COGNITO_ARNS, "type")
        for prefix in [_SAM, _SAM_CLI]
        for name in [
            "api_with_security_definition_and_components",
            "api_with_security_definition_and_no_components",
            "api_with_security_definition_and_none_components",
        ]
    ),
    (
        _SAM + "error_swagger_security_definitions_not_dict.yaml",
        _COGNITO_ARNS.replace("securityDefinitions/", "securityDefinitions/0/"),
        "type",
    ),
    # SAM error cases: an endpoint configuration that is not an object
    (
        _SAM + "error_api_invalid_endpoint_configuration.yaml",
        "Resources/ExplicitApi/Properties/DefinitionBody/x-amazon-apigateway-endpoint-configuration",
        "type",
    ),
    (
        _SAM + "error_api_invalid_endpoint_configuration_openapi_3.yaml",
        "Resources/ExplicitApi/Properties/DefinitionBody/servers/0/x-amazon-apigateway-endpoint-configuration",
        "type",
    ),
    # misspelled property: passthroughBehaviour (British spelling)
    (
        _SAM + "error_api_invalid_security.yaml",
        (
            "Resources/API/Properties/DefinitionBody/paths//test/get/x-amazon-apigateway-integration/"
            "passthroughBehaviour"
        ),
        "not",
    ),
    # integrations without a type; one integration indented into the responses map by mistake
    (
        _GOFORMATION,
        "Resources/AnotherRandomAPI/Properties/DefinitionBody/paths//user/login/get/x-amazon-apigateway-integration",
        "required",
    ),
    (
        _GOFORMATION,
        "Resources/AnotherRandomAPI/Properties/DefinitionBody/paths//user/logout/get/x-amazon-apigateway-integration",
        "required",
    ),
    (_GOFORMATION, _OPTIONS + "/responses/x-amazon-apigateway-integration/httpMethod", "not"),
    (_GOFORMATION, _OPTIONS + "/responses/x-amazon-apigateway-integration/uri", "not"),
    (_GOFORMATION, _OPTIONS + "/responses/x-amazon-apigateway-integration", "required"),
}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_corpus_extensions_fail_only_where_the_file_is_wrong() -> None:
    found = set()
    total = 0
    for folder in ["openapi", "templates"]:
        failures, checked = corpus_failures(folder)
        total += checked
        found |= {(file, where, keyword) for file, where, keyword, _message in failures}
    assert total > 700, "the corpus walk found the extensions"
    assert found == EXPECTED_CORPUS_FAILURES


if __name__ == "__main__":
    for corpus_folder in sys.argv[1:] or ["openapi", "templates"]:
        rows, count = corpus_failures(corpus_folder)
        print(f"# {corpus_folder}: {count} extension values checked, {len(rows)} schema errors")
        for row in rows:
            print("\t".join(row))
