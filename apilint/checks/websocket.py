"""WebSocket APIs as templates declare them: routes, authorizers and selection expressions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from apilint.checks.values import is_unknown
from apilint.model import Api, ApiType, Pointer, known_string
from apilint.rules import Violation

CONNECT = "$connect"
_BODY_VARIABLE = re.compile(r"\$(\{)?request\.body(\.|\}|$)")
API_KEY_SELECTIONS = ("$request.header.x-api-key", "$context.authorizer.usageIdentifierKey")


def _properties_at(api: Api) -> Pointer | None:
    return api.resource.properties.own_at if api.resource is not None else None


def authorizer_outside_connect(api: Api, run: Any) -> Iterator[Violation]:
    """Authorization on a WebSocket route other than ``$connect``."""
    if api.api_type is not ApiType.WEBSOCKET:
        return
    for resource in api.related("AWS::ApiGatewayV2::Route"):
        logical_id, props, props_at = resource.name, resource.properties, resource.properties_at
        route_key = known_string(props.get("RouteKey"))
        authorization = known_string(props.get("AuthorizationType"))
        if route_key is None or authorization is None or "${" in route_key:
            continue
        if route_key == CONNECT or authorization.upper() == "NONE":
            continue
        yield Violation(props_at.child("AuthorizationType"),
                        f"route {route_key!r} ({logical_id}) sets AuthorizationType {authorization}, but WebSocket "
                        "APIs authorize only on $connect: the client is authorized once, when it connects")


def route_selection(api: Api, run: Any) -> Iterator[Violation]:
    """A WebSocket API without a route selection expression, or with one that cannot select a route."""
    properties_at = _properties_at(api)
    if api.api_type is not ApiType.WEBSOCKET or properties_at is None:
        return
    if api.resource_type != "AWS::ApiGatewayV2::Api":
        return
    if "RouteSelectionExpression" not in api.properties:
        if "Body" in api.properties or "BodyS3Location" in api.properties:
            return
        yield Violation(api.resource_at or properties_at,
                        f"WebSocket API {api.logical_id} has no RouteSelectionExpression; it "
                        "is required, for example $request.body.action")
        return
    raw = api.properties["RouteSelectionExpression"]
    expression = known_string(raw)
    if expression is None:
        return
    if _BODY_VARIABLE.search(expression) or expression.strip() == r"\$default":
        return
    if not isinstance(raw, str) and is_unknown(expression):
        return  # an Fn::Sub whose variables are filled in at deploy time
    yield Violation(properties_at.child("RouteSelectionExpression"),
                    f"route selection expression {expression!r} does not read the message body; API Gateway selects "
                    "WebSocket routes from the JSON message, $request.body.<path> (for example $request.body.action)")


def selection_expressions(api: Api, run: Any) -> Iterator[Violation]:
    """WebSocket API key and route response selection expressions API Gateway does not support."""
    properties_at = _properties_at(api)
    if api.api_type is not ApiType.WEBSOCKET or properties_at is None:
        return
    api_key = known_string(api.properties.get("ApiKeySelectionExpression"))
    if api_key is not None and api_key not in API_KEY_SELECTIONS:
        yield Violation(properties_at.child("ApiKeySelectionExpression"),
                        f"API key selection expression {api_key!r} is not supported: use "
                        f"{API_KEY_SELECTIONS[0]} or {API_KEY_SELECTIONS[1]}")
    for resource in api.related("AWS::ApiGatewayV2::Route"):
        logical_id, props, props_at = resource.name, resource.properties, resource.properties_at
        response = known_string(props.get("RouteResponseSelectionExpression"))
        if response is not None and response != "$default":
            yield Violation(props_at.child("RouteResponseSelectionExpression"),
                            f"route {logical_id} sets RouteResponseSelectionExpression {response!r}; WebSocket "
                            "routes only support $default")

