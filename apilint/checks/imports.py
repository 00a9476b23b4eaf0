"""What the OpenAPI importers of API Gateway refuse or warn about in a definition as a whole.

These checks judge the document API Gateway receives: model names, path keys, and values that
only CloudFormation could have filled in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from apilint.checks.values import is_unknown
from apilint.model import Api, Pointer, has_placeholder, is_intrinsic
from apilint.rules import Violation
from apilint.values import INTRINSIC_KEYS

_ALPHANUMERIC = re.compile(r"^[A-Za-z0-9]+$")

# --- AG416 ------------------------------------------------------------------------------------------


def _schema_container(api: Api) -> tuple[Any, Pointer | None]:
    """The map of named schemas API Gateway turns into models, and where it is."""
    document, at = api.root()
    if api.openapi_version == "2.0":
        return document.get("definitions"), at.child("definitions")
    components = document.get("components")
    if isinstance(components, dict):
        return components.get("schemas"), at.child("components", "schemas")
    return None, None


def _alphanumeric_hint(name: str) -> str:
    suggestion = re.sub(r"[^A-Za-z0-9]", "", name)
    return f" (for example {suggestion!r})" if suggestion else ""


def model_name_not_alphanumeric(api: Api, run: Any) -> Iterator[Violation]:
    """Schema and model names that are not alphanumeric; API Gateway cannot create models for them."""
    schemas, schemas_at = _schema_container(api)
    if isinstance(schemas, dict) and schemas_at is not None and not is_unknown(schemas):
        for name in schemas:
            if not isinstance(name, str) or has_placeholder(name) or _ALPHANUMERIC.match(name):
                continue
            yield Violation(schemas_at.child(name),
                            f"schema {name!r} becomes a model of the REST API, and model names must be "
                            f"alphanumeric: the import fails with \"Unable to create model for '{name}': Model "
                            f"name must be alphanumeric\"; rename it{_alphanumeric_hint(name)} and its $refs")
    if api.resource_type == "AWS::Serverless::Api":
        models = api.properties.get("Models")
        if isinstance(models, dict) and not is_intrinsic(models):
            for name in models:
                if isinstance(name, str) and not _ALPHANUMERIC.match(name):
                    yield Violation(api.property_at("Models", name),
                                    f"SAM model {name!r} becomes a model of the REST API, and model names must "
                                    f"be alphanumeric{_alphanumeric_hint(name)}")
    for model in api.related("AWS::ApiGateway::Model"):
        logical_id, props, props_at = model.name, model.properties, model.properties_at
        name = props.get("Name")
        if isinstance(name, str) and not has_placeholder(name) and not _ALPHANUMERIC.match(name):
            yield Violation(props_at.child("Name"),
                            f"model {logical_id} is named {name!r}; API Gateway refuses model names that are not "
                            f"alphanumeric{_alphanumeric_hint(name)}")


# --- AG417 ------------------------------------------------------------------------------------------

DEFAULT_ROUTE = "$default"


def default_route_path_without_slash(api: Api, run: Any) -> Iterator[Violation]:
    """An HTTP API path key ``$default`` written without its leading slash."""
    document, at = api.root()
    paths = document.get("paths")
    if not isinstance(paths, dict) or DEFAULT_ROUTE not in paths:
        return
    if api.resource_type == "AWS::Serverless::HttpApi" and api.properties.get("FailOnWarnings") is True:
        return  # SAM renames the path to /$default itself when FailOnWarnings is set
    yield Violation(at.child("paths", DEFAULT_ROUTE),
                    "path $default has no leading slash: HTTP API imports warn \"Resource $default should start "
                    "with /\" (and fail with FailOnWarnings); write it as /$default")


# --- AG418 ------------------------------------------------------------------------------------------


def _intrinsics(value: Any, at: Pointer) -> Iterator[tuple[str, Pointer]]:
    """Every intrinsic function in a value, outermost only, with the function's name."""
    stack: list[tuple[Any, Pointer]] = [(value, at)]
    while stack:
        node, node_at = stack.pop()
        if isinstance(node, dict):
            if is_intrinsic(node):
                yield next(iter(node)), node_at
                continue
            for key, child in reversed(list(node.items())):
                stack.append((child, node_at.child(key)))
        elif isinstance(node, list):
            for index in range(len(node) - 1, -1, -1):
                stack.append((node[index], node_at.child(index)))


def _imported_without_cloudformation(api: Api, run: Any) -> str | None:
    """Why the definition reaches API Gateway without CloudFormation reading it, else None."""
    if api.resource_type is None:
        if run.options.get("standalone"):
            return "the definition is imported as it is (rule option standalone)"
        return None  # it may be an AWS::Include target, which CloudFormation does process
    properties = api.properties
    if "DefinitionBody" in properties or "Body" in properties:
        return None  # inline or AWS::Include: CloudFormation resolves the functions
    for key in ("DefinitionUri", "BodyS3Location"):
        if key in properties:
            return f"the definition is read through {key}, which CloudFormation does not process"
    return None


def intrinsic_outside_cloudformation(api: Api, run: Any) -> Iterator[Violation]:
    """CloudFormation intrinsic functions in a definition API Gateway receives unprocessed."""
    how = _imported_without_cloudformation(api, run)
    if how is None or api.document is None or api.doc_at is None:
        return
    for name, at in _intrinsics(api.document, api.doc_at):
        if name not in INTRINSIC_KEYS:
            continue
        yield Violation(at, f"{name} is a CloudFormation function, but {how}: API Gateway receives the "
                            "function itself and refuses the definition (\"Unable to parse API definition because "
                            "of a malformed integration\"); inline the definition with DefinitionBody/Body, "
                            "include it with AWS::Include, or write the value")


# --- AG420 ------------------------------------------------------------------------------------------

_VARIABLE = re.compile(r"^\{(?P<name>[^{}]+?)(?P<greedy>\+)?\}$")


def _segments(path_key: str) -> list[str]:
    return [segment for segment in path_key.split("/") if segment]


def path_variable_conflicts(api: Api, run: Any) -> Iterator[Violation]:
    """Resources API Gateway cannot create: a path below a greedy variable, or (REST) sibling path
    variables with different names."""
    from apilint.model import ApiType

    document, at = api.root()
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return
    # parent path -> the first variable segment written under it, and the path that wrote it
    variables: dict[tuple[str, ...], tuple[str, str]] = {}
    for path_key in paths:
        if not isinstance(path_key, str) or has_placeholder(path_key):
            continue
        segments = _segments(path_key)
        for index, segment in enumerate(segments):
            match = _VARIABLE.match(segment)
            if match is None:
                continue
            if match.group("greedy") and index < len(segments) - 1:
                yield Violation(at.child("paths", path_key),
                                f"path {path_key} goes on below the greedy variable {segment}, which must be the "
                                "last part of a path: API Gateway cannot create a resource under it")
                break
            if api.api_type is not ApiType.REST:
                continue
            parent = tuple(segments[:index])
            first = variables.setdefault(parent, (segment, path_key))
            if first[0] != segment:
                yield Violation(at.child("paths", path_key),
                                f"path {path_key} has the variable {segment} where {first[1]} has {first[0]}: a REST "
                                f"API resource can have only one variable child, and the import fails with \"A "
                                f"sibling ({first[0]}) of this resource already has a variable path part -- only "
                                f"one is allowed\"; use one name for both")
                break


# --- AG421 ------------------------------------------------------------------------------------------

_METHOD_LOCATIONS = ("path", "query", "header")


def parameter_name_not_unique(api: Api, run: Any) -> Iterator[Violation]:
    """REST operations with one parameter name in two of path, query string and headers."""
    for operation in api.operations():
        seen: dict[str, str] = {}
        for container, container_at in ((operation.path_item, operation.path_item_at), (operation.data, operation.at)):
            parameters = container.get("parameters")
            if not isinstance(parameters, list):
                continue
            for index, parameter in enumerate(parameters):
                parameter_at = container_at.child("parameters", index)
                parameter, _ = api.deref(parameter, parameter_at)
                if not isinstance(parameter, dict):
                    continue
                location, name = parameter.get("in"), parameter.get("name")
                if location not in _METHOD_LOCATIONS or not isinstance(name, str) or has_placeholder(name):
                    continue
                other = seen.setdefault(name, location)
                if other != location:
                    where = {"query": "query string", "header": "header", "path": "path"}
                    yield Violation(parameter_at,
                                    f"{operation.label} has a {where[location]} parameter {name!r} and a "
                                    f"{where[other]} parameter of the same name: API Gateway refuses the method "
                                    "(\"Parameter names must be unique across querystring, header and path\")")


# --- AG422 ------------------------------------------------------------------------------------------

_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+/[A-Za-z0-9!#$%&'*+.^_`|~-]+\s*(;.*)?$")


def _template_maps(api: Api) -> Iterator[tuple[Any, Pointer]]:
    """Every map of mapping templates keyed by content type, with where it is."""
    for view in api.all_integrations():
        if view.form == "v2":
            continue
        request_key, responses_key, response_templates = (
            ("requestTemplates", "responses", "responseTemplates") if view.form == "openapi"
            else ("RequestTemplates", "IntegrationResponses", "ResponseTemplates"))
        if request_key in view.data:
            yield view.data[request_key], view.at.child(request_key)
        responses = view.data.get(responses_key)
        entries = responses.items() if isinstance(responses, dict) else (
            enumerate(responses) if isinstance(responses, list) else ())
        for key, response in entries:
            if isinstance(response, dict) and response_templates in response:
                yield response[response_templates], view.at.child(responses_key, key, response_templates)
    document, at = api.root()
    gateway_responses = document.get("x-amazon-apigateway-gateway-responses")
    if isinstance(gateway_responses, dict):
        for kind, response in gateway_responses.items():
            if isinstance(response, dict) and "responseTemplates" in response:
                yield response["responseTemplates"], at.child("x-amazon-apigateway-gateway-responses", kind,
                                                              "responseTemplates")
    for response in api.related("AWS::ApiGateway::GatewayResponse"):
        props, props_at = response.properties, response.properties_at
        if "ResponseTemplates" in props:
            yield props["ResponseTemplates"], props_at.child("ResponseTemplates")


def template_key_not_content_type(api: Api, run: Any) -> Iterator[Violation]:
    """Mapping templates keyed by something that is not a content type."""
    for templates, at in _template_maps(api):
        if not isinstance(templates, dict) or is_intrinsic(templates):
            continue
        for key in templates:
            if not isinstance(key, str) or has_placeholder(key) or _CONTENT_TYPE.match(key.strip()):
                continue
            yield Violation(at.child(key), f"mapping template key {key!r} is not a content type (such as "
                                           "application/json): API Gateway refuses it (\"Invalid content type "
                                           "specified\")")


# --- AG423 ------------------------------------------------------------------------------------------

_ENDPOINT_TYPES = ("EDGE", "REGIONAL", "PRIVATE")


def rest_api_settings_refused(api: Api, run: Any) -> Iterator[Violation]:
    """REST API settings API Gateway refuses when it creates the API."""
    if api.resource is None or api.resource_type not in ("AWS::ApiGateway::RestApi", "AWS::Serverless::Api"):
        return
    props_at = api.resource.properties.own_at
    properties = api.properties
    if properties.get("Description") == "":
        yield Violation(props_at.child("Description"), "Description is empty: API Gateway refuses it "
                                                       "(\"Description cannot be an empty string\"); remove it or "
                                                       "write one")
    config = properties.get("EndpointConfiguration")
    config_at = props_at.child("EndpointConfiguration")
    if isinstance(config, str):
        config = {"Type": config}
        type_key = None
    else:
        type_key = "Types" if api.resource_type == "AWS::ApiGateway::RestApi" else "Type"
    if not isinstance(config, dict) or is_intrinsic(config):
        return
    types = config.get("Types" if api.resource_type == "AWS::ApiGateway::RestApi" else "Type")
    types_at = config_at.child(type_key) if type_key else config_at
    listed = types if isinstance(types, list) else [types] if types is not None else []
    known = [t for t in listed if isinstance(t, str) and not has_placeholder(t)]
    if isinstance(types, list) and len(types) > 1:
        yield Violation(types_at, f"{len(types)} endpoint types are listed: a REST API has exactly one, and API "
                                  "Gateway refuses more (\"Cannot create an api with multiple Endpoint Types\")")
        return
    for index, kind in enumerate(known):
        if kind.upper() not in _ENDPOINT_TYPES:
            at = types_at.child(index) if isinstance(types, list) else types_at
            yield Violation(at, f"endpoint type {kind!r} does not exist: REST APIs are EDGE, REGIONAL or PRIVATE")
            return
    address_type = config.get("IpAddressType")
    if (len(known) == 1 and known[0].upper() == "PRIVATE" and isinstance(address_type, str)
            and address_type.lower() == "ipv4"):
        yield Violation(config_at.child("IpAddressType"),
                        "a private REST API with IpAddressType ipv4: API Gateway refuses it (\"Only dualstack "
                        "ipAddressType is supported for Private APIs\"); use dualstack")
