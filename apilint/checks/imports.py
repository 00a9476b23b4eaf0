"""What the OpenAPI importers of API Gateway refuse or warn about in a definition as a whole.

These checks judge the document API Gateway receives: model names, path keys, and values that
only CloudFormation could have filled in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from apilint.checks.values import is_unknown
from apilint.model import INTRINSIC_KEYS, Api, Pointer, has_placeholder, is_intrinsic
from apilint.rules import Violation

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
        props_at = api.template_context.get("properties_at")
        if isinstance(models, dict) and isinstance(props_at, Pointer) and not is_intrinsic(models):
            for name in models:
                if isinstance(name, str) and not _ALPHANUMERIC.match(name):
                    yield Violation(props_at.child("Models", name),
                                    f"SAM model {name!r} becomes a model of the REST API, and model names must "
                                    f"be alphanumeric{_alphanumeric_hint(name)}")
    for logical_id, props, props_at in api.template_context.get("related", {}).get("AWS::ApiGateway::Model", []):
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
