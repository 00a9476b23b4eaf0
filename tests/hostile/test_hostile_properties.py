"""No input makes apilint crash: generated and mutated definitions, templates and corpus files.

Each example is checked in this process with every rule; the exit code must be 0, 1 or 2 (never 3,
an internal error) and nothing may print a traceback. The runs are derandomized so that CI is
stable; ``APILINT_FUZZ=1`` explores new examples (and more of them) on a developer's machine.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CORPUS, run_cli
from tests.hostile.conftest import assert_contract

EXPLORE = bool(os.environ.get("APILINT_FUZZ"))
FUZZ = settings(
    max_examples=1000 if EXPLORE else 150,
    deadline=None,
    derandomize=not EXPLORE,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

INTEGRATION = {
    "type": "http_proxy", "httpMethod": "POST", "uri": "https://backend.example.com/orders",
    "timeoutInMillis": 29000, "payloadFormatVersion": "1.0", "connectionType": "INTERNET",
    "requestParameters": {"integration.request.header.x-id": "method.request.header.x-id"},
    "requestTemplates": {"application/json": '{"id": "$input.params(\'id\')"}'},
    "responses": {"default": {"statusCode": "200"}},
}
OPENAPI = {
    "openapi": "3.0.1",
    "info": {"title": "Orders", "version": "1.0"},
    "servers": [{"url": "https://api.example.com", "x-amazon-apigateway-endpoint-configuration": {
        "disableExecuteApiEndpoint": True}}],
    "x-amazon-apigateway-api-key-source": "HEADER",
    "x-amazon-apigateway-request-validators": {"all": {"validateRequestBody": True,
                                                        "validateRequestParameters": True}},
    "x-amazon-apigateway-cors": {"allowOrigins": ["*"], "allowMethods": ["GET"]},
    "x-amazon-apigateway-binary-media-types": ["image/png"],
    "paths": {
        "/orders": {
            "get": {
                "security": [{"api_key": []}, {"jwt": ["read"]}],
                "parameters": [{"name": "id", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"$ref": "#/components/responses/Ok"}},
                "x-amazon-apigateway-request-validator": "all",
                "x-amazon-apigateway-integration": INTEGRATION,
            },
            "post": {"x-amazon-apigateway-integration": {"$ref": "#/components/x-amazon-apigateway-integrations/i"}},
        },
        "/$default": {"x-amazon-apigateway-any-method": {"isDefaultRoute": True, "x-amazon-apigateway-integration": {
            "type": "aws_proxy", "uri": "${LambdaArn}", "payloadFormatVersion": "2.0"}}},
        "/ref": {"$ref": "#/paths/~1orders"},
    },
    "components": {
        "responses": {"Ok": {"description": "OK"}},
        "securitySchemes": {
            "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
            "jwt": {"type": "oauth2", "x-amazon-apigateway-authorizer": {
                "type": "jwt", "identitySource": "$request.header.Authorization",
                "jwtConfiguration": {"audience": ["a"], "issuer": "https://issuer.example.com"}}},
            "lambda": {"type": "apiKey", "name": "Authorization", "in": "header",
                       "x-amazon-apigateway-authtype": "custom",
                       "x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": "arn:aws:lambda",
                                                          "authorizerResultTtlInSeconds": 300}},
        },
        "x-amazon-apigateway-integrations": {"i": {"type": "http_proxy", "httpMethod": "GET",
                                                   "uri": "https://example.com", "payloadFormatVersion": "1.0"}},
    },
}
TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Transform": "AWS::Serverless-2016-10-31",
    "Globals": {"Api": {"EndpointConfiguration": "REGIONAL", "Auth": {"ApiKeyRequired": True}},
                "HttpApi": {"Domain": {"DomainName": "api.example.com", "CertificateArn": "arn:aws:acm:eu-west-1:1:certificate/x"}}},
    "Parameters": {"Stage": {"Type": "String"}},
    "Resources": {
        "RestApi": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": {"Ref": "Stage"}, "EndpointConfiguration": {"Type": "EDGE"},
            "Domain": {"DomainName": "r.example.com", "CertificateArn": "arn:aws:acm:eu-central-1:1:certificate/y",
                       "EndpointConfiguration": "EDGE"},
            "DefinitionBody": copy.deepcopy(OPENAPI)}},
        "HttpApi": {"Type": "AWS::Serverless::HttpApi", "Properties": {
            "DefinitionBody": {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {
                "Location": "https://example.com/api.yaml"}}}}},
        "V2": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"ProtocolType": "WEBSOCKET",
                                                                 "RouteSelectionExpression": "$request.body.a"}},
        "Classic": {"Type": "AWS::ApiGateway::RestApi", "Properties": {
            "Body": {"Fn::If": ["C", copy.deepcopy(OPENAPI), {"Ref": "AWS::NoValue"}]},
            "EndpointConfiguration": {"Types": ["PRIVATE"]}}},
        "Domain": {"Type": "AWS::ApiGateway::DomainName", "Properties": {
            "DomainName": "d.example.com", "CertificateArn": {"Fn::Sub": "arn:aws:acm:${AWS::Region}:1:certificate/z"},
            "EndpointConfiguration": {"Types": ["EDGE"]}, "SecurityPolicy": "TLS_1_0"}},
        "Mapping": {"Type": "AWS::ApiGateway::BasePathMapping", "Properties": {
            "DomainName": {"Ref": "Domain"}, "RestApiId": {"Ref": "Classic"}}},
        "DomainV2": {"Type": "AWS::ApiGatewayV2::DomainName", "Properties": {
            "DomainName": "v2.example.com", "DomainNameConfigurations": [{"EndpointType": "REGIONAL",
                                                                          "CertificateArn": "arn"}]}},
        "Function": {"Type": "AWS::Serverless::Function", "Properties": {"Events": {"Api": {
            "Type": "Api", "Properties": {"RestApiId": {"Ref": "RestApi"}, "Path": "/", "Method": "get"}}}}},
    },
}

KEYS = ["paths", "get", "post", "x-amazon-apigateway-any-method", "x-amazon-apigateway-integration", "type",
        "uri", "timeoutInMillis", "httpMethod", "payloadFormatVersion", "responses", "security", "components",
        "securitySchemes", "x-amazon-apigateway-authorizer", "$ref", "openapi", "swagger", "info",
        "Resources", "Type", "Properties", "DefinitionBody", "Body", "DefinitionUri", "Domain", "Globals",
        "Fn::Transform", "Ref", "Fn::Sub", "Fn::If", "Fn::GetAtt", "EndpointConfiguration", "Types",
        "x-apilint-ignore", "Metadata", "requestTemplates", "x-amazon-apigateway-cors", "servers"]
SPECIAL = [
    "#/components/responses/Ok", "#/paths/~1orders/get", "#/nowhere", "#bad", "", "#", "https://example.com/x",
    "../../../../etc/passwd", "/etc/passwd", "other.yaml#/a", ".git/config", "AWS_IAM", "HTTP_PROXY", "MOCK",
    "aws_proxy", "REGIONAL", "EDGE", "PRIVATE", "WEBSOCKET", "HTTP", "AWS::Serverless::Api",
    "AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api", "AWS::Serverless::HttpApi",
    "AWS::ApiGateway::DomainName", "${stageVariables.url}", "arn:aws:acm:us-east-1:1:certificate/a", "3.0.1",
    "2.0", "3.1.0", "1.0", "2.0", "jwt", "token", "request", "cognito_user_pools", "*", "AG201", "all",
    "9" * 5000, "-1", "1e999", "\u202e\u0000\ud7ff", "\ufeff", "x" * 300, "\ud800", "a\udfffb",
]
scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12) | st.sampled_from(SPECIAL))
values = st.recursive(
    scalars,
    lambda children: (st.lists(children, max_size=4)
                      | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=4)
                      | st.builds(lambda k, v: {k: v}, st.sampled_from(["Ref", "Fn::Sub", "Fn::If", "$ref",
                                                                          "Fn::Transform"]), children)),
    max_leaves=10,
)


def mutate(document: Any, data: st.DataObject) -> Any:
    """The document with a few nodes replaced, removed, added, wrapped or retyped."""
    document = copy.deepcopy(document)
    for _ in range(data.draw(st.integers(1, 6), label="mutations")):
        parent, key = None, None
        node = document
        while isinstance(node, (dict, list)) and node and data.draw(st.integers(0, 4), label="descend"):
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            key = data.draw(st.sampled_from(keys), label="key")
            parent, node = node, node[key]
        operation = data.draw(st.sampled_from(["replace", "delete", "add", "wrap", "retype"]), label="operation")
        if parent is None:
            if operation == "replace":
                document = data.draw(values, label="document")
            continue
        if operation == "replace":
            parent[key] = data.draw(values, label="value")
        elif operation == "delete":
            del parent[key]
        elif operation == "add" and isinstance(node, dict):
            node[data.draw(st.sampled_from(KEYS), label="new key")] = data.draw(values, label="new value")
        elif operation == "wrap":
            parent[key] = {data.draw(st.sampled_from(["Fn::If", "Ref", "Fn::Sub", "$ref"]), label="wrapper"): node}
        elif operation == "retype":
            parent[key] = list(node.values()) if isinstance(node, dict) else (
                {str(i): v for i, v in enumerate(node)} if isinstance(node, list) else [node])
    return document


def text_of(document: Any, data: st.DataObject) -> tuple[str, str]:
    """(suffix, text) of the document as JSON, block YAML or flow YAML, sometimes damaged."""
    form = data.draw(st.sampled_from([".json", ".yaml", ".flow.yaml"]), label="format")
    if form == ".json":
        text = json.dumps(document, indent=data.draw(st.sampled_from([None, 2]), label="indent"))
    else:
        text = yaml.dump(document, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False,
                         default_flow_style=form == ".flow.yaml", allow_unicode=True, width=100)
    if data.draw(st.integers(0, 3), label="damage") == 0:
        text = damage(text, data)
    return (".json" if form == ".json" else ".yaml"), text


TOKENS = ["!Ref ", "!Sub ", "!GetAtt a.b ", "!Bogus ", "&a ", "*a", "*b", "<<: *a\n", "{", "}", "[", "]",
          "- ", ": ", "? ", "\t", "\x00", '"', "'", "#", "---\n", "...\n", "\n", "  ", "%YAML 1.1\n", "!!binary ",
          "$ref: '#/paths'\n", "\ufeff", "\\u0000", "\\ud800", '"\\udc00"', ",", "1e999", "9" * 400]


def damage(text: str, data: st.DataObject) -> str:
    """The text with a token inserted, a slice removed or repeated, a line re-indented, or cut short."""
    if not text:
        return text
    for _ in range(data.draw(st.integers(1, 3), label="damages")):
        position = data.draw(st.integers(0, len(text)), label="position")
        kind = data.draw(st.sampled_from(["insert", "remove", "repeat", "cut"]), label="damage kind")
        if kind == "insert":
            text = text[:position] + data.draw(st.sampled_from(TOKENS), label="token") + text[position:]
        elif kind == "remove":
            text = text[:position] + text[position + data.draw(st.integers(1, 40), label="length"):]
        elif kind == "repeat":
            piece = text[position:position + data.draw(st.integers(1, 80), label="length")]
            text = text[:position] + piece * data.draw(st.integers(2, 5), label="times") + text[position:]
        else:
            text = text[:position]
    return text


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fuzz")
    (path / "other.yaml").write_text("a: {description: referenced}\n")
    return path


def run(folder: Path, suffix: str, text: str, encoding: str = "utf-8") -> None:
    for stale in folder.glob("doc.*"):
        stale.unlink()
    path = folder / f"doc{suffix}"
    path.write_bytes(text.encode(encoding, "surrogatepass"))
    result = run_cli("check", "--format", "json", "--jobs", "1", path.name, cwd=folder)
    assert_contract(result)
    if result.code in (0, 1):
        json.loads(result.out)


@FUZZ
@given(data=st.data())
def test_mutated_definitions_and_templates_never_crash(folder, data):
    base = data.draw(st.sampled_from([OPENAPI, TEMPLATE]), label="base")
    suffix, text = text_of(mutate(base, data), data)
    run(folder, suffix, text)


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    files = sorted(p for folder in ("openapi", "templates") for p in (CORPUS / folder).glob("*") if p.is_file())
    return files[::max(1, len(files) // 60)]  # an even sample, so every example stays fast


@pytest.mark.skipif(not corpus_files(), reason="the shared corpus (../shared/corpus) is not present")
@FUZZ
@given(data=st.data())
def test_mutated_corpus_files_never_crash(folder, data):
    source = data.draw(st.sampled_from(corpus_files()), label="corpus file")
    raw = source.read_bytes()
    text = raw.decode("utf-8", "replace")
    if data.draw(st.booleans(), label="structural"):
        try:
            loaded = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            loaded = None
        if isinstance(loaded, (dict, list)):
            suffix, text = text_of(mutate(json.loads(json.dumps(loaded, default=str)), data), data)
            run(folder, suffix, text)
            return
    suffix = source.suffix if source.suffix in (".json", ".yaml", ".yml") else ".yaml"
    run(folder, suffix, damage(text, data))
