"""Which API type a bare OpenAPI document describes, and why."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apilint.model import ANY_METHOD, HTTP_METHODS, INTEGRATION, ApiType, EndpointType

# Root keys that only one API type understands, with how strongly they point at it.
_HTTP_ROOT = {
    "x-amazon-apigateway-importexport-version": 3,
    "x-amazon-apigateway-cors": 2,
}
_REST_ROOT = {
    "x-amazon-apigateway-request-validators": 3,
    "x-amazon-apigateway-request-validator": 3,
    "x-amazon-apigateway-gateway-responses": 3,
    "x-amazon-apigateway-api-key-source": 3,
    "x-amazon-apigateway-policy": 2,
    "x-amazon-apigateway-minimum-compression-size": 2,
    "x-amazon-apigateway-binary-media-types": 1,
    "x-amazon-apigateway-documentation": 2,
}
_HTTP_INTEGRATION = {"payloadFormatVersion": 3, "integrationSubtype": 3}
_REST_INTEGRATION = {"requestTemplates": 3, "passthroughBehavior": 2, "responses": 2, "cacheKeyParameters": 2,
                     "responseTransferMode": 2}


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return
    for path_key, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method, op in item.items():
            if (method in HTTP_METHODS or method == ANY_METHOD) and isinstance(op, dict):
                yield str(path_key), method, op


def is_apigw_document(document: dict[str, Any]) -> bool:
    """Whether the document uses any API Gateway extension (else only structural checks apply)."""
    if any(isinstance(k, str) and k.startswith("x-amazon-apigateway-") for k in document):
        return True
    components = document.get("components")
    if isinstance(components, dict) and "x-amazon-apigateway-integrations" in components:
        return True
    for _, _, op in _operations(document):
        if INTEGRATION in op or "x-amazon-apigateway-auth" in op or "x-amazon-apigateway-request-validator" in op:
            return True
    paths = document.get("paths")
    if isinstance(paths, dict) and any(isinstance(item, dict) and ANY_METHOD in item for item in paths.values()):
        return True
    return False


def infer_api_type(document: dict[str, Any]) -> tuple[ApiType, str]:
    """The API type the document's own features point at, with the reason.

    Each REST-only or HTTP-only feature adds its weight; the heavier side wins and REST, API
    Gateway's default, is assumed when nothing decides.
    """
    if "swagger" in document:
        return ApiType.REST, "Swagger 2.0 document (HTTP APIs import OpenAPI 3 only)"
    rest: dict[str, int] = {}
    http: dict[str, int] = {}
    for key, weight in _HTTP_ROOT.items():
        if key in document:
            http[key] = weight
    for key, weight in _REST_ROOT.items():
        if key in document:
            rest[key] = weight
    components = document.get("components")
    if isinstance(components, dict) and "x-amazon-apigateway-integrations" in components:
        http["x-amazon-apigateway-integrations"] = 3
    tags = document.get("tags")
    if isinstance(tags, list) and any(isinstance(t, dict) and "x-amazon-apigateway-tag-value" in t for t in tags):
        http["x-amazon-apigateway-tag-value"] = 2
    for _, method, op in _operations(document):
        if method == ANY_METHOD and op.get("isDefaultRoute") is not None:
            http["isDefaultRoute"] = 3
        if "x-amazon-apigateway-request-validator" in op:
            rest["x-amazon-apigateway-request-validator"] = 3
        integration = op.get(INTEGRATION)
        if not isinstance(integration, dict):
            continue
        for key, weight in _HTTP_INTEGRATION.items():
            if key in integration:
                http[key] = weight
        for key, weight in _REST_INTEGRATION.items():
            if key in integration:
                rest[key] = weight
        kind = integration.get("type")
        if isinstance(kind, str) and kind.lower() in {"mock", "aws", "http"}:
            rest[f"integration type {kind}"] = 1
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    if isinstance(schemes, dict):
        for scheme in schemes.values():
            authorizer = scheme.get("x-amazon-apigateway-authorizer") if isinstance(scheme, dict) else None
            if isinstance(authorizer, dict):
                kind = str(authorizer.get("type", "")).lower()
                if kind in {"token", "cognito_user_pools"}:
                    rest[f"{kind} authorizer"] = 2
                if kind == "jwt" or "authorizerPayloadFormatVersion" in authorizer:
                    http["jwt or payload-format authorizer"] = 2
    rest_score, http_score = sum(rest.values()), sum(http.values())
    if http_score > rest_score:
        return ApiType.HTTP, "uses HTTP API features: " + ", ".join(sorted(http))
    if rest_score:
        return ApiType.REST, "uses REST API features: " + ", ".join(sorted(rest))
    return ApiType.REST, "nothing in the document decides; REST (API Gateway's default) is assumed"


def infer_endpoint_type(api_type: ApiType, document: dict[str, Any]) -> tuple[EndpointType, str]:
    """The endpoint type a bare document implies."""
    if api_type is not ApiType.REST:
        return EndpointType.REGIONAL, f"{api_type.label} APIs are Regional"
    for config in _endpoint_configurations(document):
        if isinstance(config, dict) and config.get("vpcEndpointIds"):
            return EndpointType.PRIVATE, "vpcEndpointIds in x-amazon-apigateway-endpoint-configuration"
    return EndpointType.EDGE, "not set; API Gateway imports REST APIs as edge-optimized by default"


def _endpoint_configurations(document: dict[str, Any]) -> Iterator[Any]:
    key = "x-amazon-apigateway-endpoint-configuration"
    if key in document:
        yield document[key]
    servers = document.get("servers")
    if isinstance(servers, list):
        for server in servers:
            if isinstance(server, dict) and key in server:
                yield server[key]
