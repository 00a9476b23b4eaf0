"""Authorization checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apilint.model import Api, ApiType
from apilint.rules import Violation

API_KEY_SOURCE = "x-amazon-apigateway-api-key-source"


def _api_key_schemes(api: Api) -> dict[str, Any]:
    """Security schemes that require an API Gateway API key (``x-api-key`` header, no authorizer)."""
    result = {}
    for name, (scheme, at) in api.security_schemes().items():
        if (
            str(scheme.get("type", "")).lower() == "apikey"
            and str(scheme.get("name", "")).lower() == "x-api-key"
            and str(scheme.get("in", "")).lower() == "header"
            and "x-amazon-apigateway-authorizer" not in scheme
        ):
            result[name] = at
    return result


def _requirement_names(requirements: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(requirements, list):
        for requirement in requirements:
            if isinstance(requirement, dict):
                names.update(str(key) for key in requirement)
    return names


def api_key_on_http_api(api: Api, run: Any) -> Iterator[Violation]:
    """API keys required on an HTTP API, which has no API keys or usage plans."""
    document, at = api.root()
    if API_KEY_SOURCE in document:
        yield Violation(at.child(API_KEY_SOURCE),
                        f"{API_KEY_SOURCE} has no effect on an HTTP API: HTTP APIs have no API keys")
    schemes = _api_key_schemes(api)
    if schemes:
        used: dict[str, str] = {}
        for operation in api.operations():
            requirements, _ = api.effective_security(operation)
            for name in _requirement_names(requirements) & set(schemes):
                used.setdefault(name, operation.label)
        for name, first_use in used.items():
            yield Violation(schemes[name], f"security scheme {name!r} requires an API key (x-api-key header), "
                                           f"used by {first_use}; HTTP APIs have no API keys or usage plans")
    properties = api.properties
    auth = properties.get("Auth") if isinstance(properties.get("Auth"), dict) else None
    if auth is not None and api.resource_type == "AWS::Serverless::HttpApi":
        for key in ("ApiKeyRequired", "UsagePlan"):
            if key in auth and auth[key] not in (False, None):
                yield Violation(api.property_at("Auth", key),
                                f"Auth.{key} on an AWS::Serverless::HttpApi: HTTP APIs have no API keys or usage plans")
    for resource in api.related("AWS::ApiGatewayV2::Route"):
        route_id, route, route_at = resource.name, resource.properties, resource.properties_at
        if api.api_type is ApiType.HTTP and route.get("ApiKeyRequired") is True:
            yield Violation(route_at.child("ApiKeyRequired"),
                            f"route {route_id} requires an API key: HTTP APIs have no API keys or usage plans")
