"""Structural validity of the OpenAPI document against the official OpenAPI schemas.

The default engine validates with a compiled (Rust) JSON Schema validator against the same schema
files ``openapi-spec-validator`` ships, read from its installed package without importing it; the
``reference`` engine runs ``openapi-spec-validator`` itself.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from apilint.finding import Severity
from apilint.model import ANY_METHOD, HTTP_METHODS, Api, has_placeholder, is_intrinsic
from apilint.rules import Violation

_SCHEMA_DIRS = {"2.0": "v2.0", "3.0": "v3.0", "3.1": "v3.1"}
_MAX_MESSAGE = 200


def _schema_root() -> Path:
    spec = importlib.util.find_spec("openapi_spec_validator")
    if spec is None or spec.origin is None:
        raise RuntimeError("openapi-spec-validator is not installed")
    return Path(spec.origin).parent / "resources" / "schemas"


@cache
def _schema(version: str) -> dict[str, Any]:
    with open(_schema_root() / _SCHEMA_DIRS[version] / "schema.json", encoding="utf-8") as handle:
        return json.load(handle)


@cache
def _validator(version: str) -> Any:
    import jsonschema_rs

    schema = _schema(version)

    def refuse(uri: str) -> Any:
        raise ValueError(f"apilint does not fetch {uri}")

    return jsonschema_rs.validator_for(schema, retriever=refuse)


@cache
def _dialect_validator() -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for({"$schema": _DIALECT, "$ref": _DIALECT})


_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def prepare() -> None:
    """Compile every validator now (before worker processes are forked, which then share them)."""
    for version in _SCHEMA_DIRS:
        _validator(version)
    _dialect_validator()


def schema_problems(document: dict[str, Any], version: str) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(path, message) of every place the document breaks its version's schema.

    OpenAPI 3.1 Schema Objects are JSON Schema 2020-12; the 3.1 document schema leaves them open, so
    the named schemas under ``components.schemas`` are checked against the 2020-12 meta-schema too.
    """
    for error in _validator(version).iter_errors(document):
        yield _typed_path(document, error.instance_path), error.message
    yield from _dialect_problems(document, version)


def explained_problems(document: dict[str, Any], version: str) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Like :func:`schema_problems`, but a failed ``oneOf``/``anyOf`` is replaced by the errors of
    the alternative that came closest, so the finding says what is wrong and where."""
    for error in _validator(version).iter_errors(document):
        for inner in _closest(error):
            yield _typed_path(document, inner.instance_path), _alternatives_message(inner, version)
    yield from _dialect_problems(document, version)


def _alternatives_message(error: Any, version: str) -> str:
    """For a failed ``oneOf``/``anyOf`` of named definitions, say which objects were expected."""
    if type(getattr(error, "kind", None)).__name__ not in {"OneOfNotValid", "AnyOf"}:
        return error.message
    node: Any = _schema(version)
    for step in error.schema_path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return error.message
    names = []
    for branch in node if isinstance(node, list) else []:
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        if not isinstance(ref, str):
            return error.message
        names.append(ref.rsplit("/", 1)[-1])
    if not names:
        return error.message
    expected = " or ".join(names)
    return f"the value is not a valid {expected} object"


_MAX_DESCENT = 20


def _closest(error: Any, depth: int = 0) -> list[Any]:
    """The errors of the alternative that matched best, descending through nested alternatives."""
    kind = getattr(error, "kind", None)
    branches = getattr(kind, "context", None) if type(kind).__name__ in {"OneOfNotValid", "AnyOf"} else None
    if not branches or depth > _MAX_DESCENT:
        return [error]
    own = len(error.instance_path)

    def only_wants_ref(branch: list[Any]) -> bool:
        # the Reference alternative, for a value that is not a reference
        return any(len(e.instance_path) == own and '"$ref" is a required' in e.message for e in branch)

    def misses_discriminator(branch: list[Any]) -> bool:
        # an alternative for another kind of object ("type: oauth2" against the apiKey schema)
        return any(
            type(e.kind).__name__ in {"Enum", "Constant"} and len(e.instance_path) == own + 1
            and str(e.instance_path[-1]) in {"type", "in"}
            for e in branch
        )

    candidates = [b for b in branches if b and not only_wants_ref(b)] or [b for b in branches if b]
    candidates = [b for b in candidates if not misses_discriminator(b)] or candidates
    if not candidates:
        return [error]
    best = max(candidates, key=lambda b: (max(len(e.instance_path) for e in b), -len(b)))
    if max(len(e.instance_path) for e in best) == own and len(candidates) > 1:
        return [error]  # no alternative got further than the value itself: the generic message is honest
    result: list[Any] = []
    for inner in best:
        result.extend(_closest(inner, depth + 1))
    return result


def _dialect_problems(document: dict[str, Any], version: str) -> Iterator[tuple[tuple[Any, ...], str]]:
    if version == "3.1":
        components = document.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        if isinstance(schemas, dict):
            for name, schema in schemas.items():
                if isinstance(schema, (dict, bool)):
                    for error in _dialect_validator().iter_errors(schema):
                        path = ("components", "schemas", name) + tuple(error.instance_path)
                        yield _typed_path(document, path), error.message


def _describe(instance: Any) -> str:
    if isinstance(instance, dict):
        return "the object"
    if isinstance(instance, list):
        return "the list"
    return json.dumps(instance)[:60]


def tidy(message: str, instance: Any) -> str:
    """Shorten a validator message that starts by repeating a large value."""
    if isinstance(instance, (dict, list)) and message.startswith(("{", "[")):
        for marker in (" is not ", " is valid ", " has ", " does not ", " is a ", " is too ", " should "):
            index = message.rfind(marker)
            if index > 0:
                return (_describe(instance) + message[index:])[:_MAX_MESSAGE]
    if len(message) > _MAX_MESSAGE:
        return message[:_MAX_MESSAGE] + "…"
    return message


def _unknown(instance: Any) -> bool:
    return is_intrinsic(instance) or has_placeholder(instance)


def _typed_path(document: Any, raw: Any) -> tuple[Any, ...]:
    """The validator's path with mapping keys as strings and list indexes as ints."""
    node = document
    path: list[Any] = []
    for step in raw:
        if isinstance(node, dict):
            step = str(step)
        elif isinstance(node, list) and isinstance(step, str) and step.isdigit():
            step = int(step)
        path.append(step)
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
    return tuple(path)


def _value_at(document: Any, path: tuple[Any, ...]) -> Any:
    node = document
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
        if _unknown(node):
            return node
    return node


def openapi_structure(api: Api, run: Any) -> Iterator[Violation]:
    """Every mistake where the document breaks the OpenAPI schema of its version, one finding each."""
    document, at = api.root()
    if api.document is None:
        return
    version = api.openapi_version
    if SAM_VERSION_KEY in document:
        yield Violation(at.child(SAM_VERSION_KEY), _SAM_VERSION_MESSAGE)
    if version not in _SCHEMA_DIRS:
        key = "swagger" if "swagger" in document else "openapi"
        if key in document:
            yield Violation(at.child(key), f"unsupported OpenAPI version {document[key]!r} (expected 2.0, 3.0.x or 3.1.x)")
        elif SAM_VERSION_KEY not in document:
            message = ("no `openapi` or `swagger` key: the document cannot be read as OpenAPI 2.0 or 3.x "
                       "(start it with `openapi: 3.0.1` or `swagger: \"2.0\"`)")
            yield _refused_by_sam(Violation(at, message), _sam_http_body_refusal(api))
        return
    if run.options.get("engine") == "reference":
        yield from _reference(api, version)
        return
    lenient = api.is_apigw and not run.options.get("strict", False)
    if not lenient:
        # API Gateway derives path parameters from the path, so it imports undeclared ones
        yield from _path_parameters(api)
        yield from _duplicate_parameters(api)
    misplaced: dict[tuple[Any, ...], str] = {}
    grouped: dict[tuple[Any, ...], list[tuple[str, Severity | None]]] = {}
    for path, message in explained_problems(document, version):
        instance = _value_at(document, path)
        if _unknown(instance):
            continue
        if lenient and _tolerated_by_api_gateway(message, path, instance):
            continue
        if path == () and SAM_VERSION_KEY in document and f"'{SAM_VERSION_KEY}' was unexpected" in message:
            message = _without_key(message, SAM_VERSION_KEY)
            if not message:
                continue  # said above, as the mistake it is
        owner = _type_outside_schema(document, path) if version != "2.0" else None
        if owner is not None:
            misplaced.setdefault(owner[0], owner[1])
            continue
        if message.endswith('is not a "regex"') and isinstance(instance, str):
            problem = ecma_regex_problem(instance)
            if problem is None:
                continue  # valid ECMA-262, the dialect OpenAPI specifies (Python's re may refuse it)
            message = f"pattern {instance!r} is not a valid ECMA-262 regular expression: {problem}"
        severity = Severity.INFO if lenient and _spec_only(message, path, version) else None
        grouped.setdefault(path, []).append((tidy(message, instance), severity))
    for path, message in misplaced.items():
        yield Violation(at.child(*path), message)
    for path, entries in grouped.items():
        messages = [m for m, _ in entries]
        if len(messages) > 1:  # the generic "not valid under any of the schemas" adds nothing to the others
            messages = [m for m in messages if "not valid under any of the schemas" not in m] or messages
        severity = Severity.INFO if all(level is Severity.INFO for _, level in entries) else None
        message = "; ".join(dict.fromkeys(messages))
        yield _refused_by_sam(Violation(at.child(*path), message, severity),
                              _sam_refusal(api, path, _value_at(document, path)))


#: Properties that SAM writes into an inline ``DefinitionBody``: with any of them (or a function event
#: that adds a route) SAM's transform reads the definition and refuses what it cannot edit.
_SAM_EDITS = {
    "AWS::Serverless::Api": ("Auth", "Cors", "GatewayResponses", "Models", "DisableExecuteApiEndpoint",
                             "OpenApiVersion"),
    "AWS::Serverless::HttpApi": ("Auth", "CorsConfiguration", "Tags", "DisableExecuteApiEndpoint"),
}


_PATH_ITEM_FIELDS = frozenset({"parameters", "summary", "description", "servers", "$ref"})


def _refused_by_sam(violation: Violation, refusal: str | None) -> Violation:
    """The finding as it stands, or an error that quotes SAM when SAM's transform refuses the place."""
    if refusal is None:
        return violation
    return Violation(violation.at, f"{violation.message}; SAM's transform refuses it: \"{refusal}\"", Severity.ERROR)


def _inline_sam_body(api: Api) -> bool:
    """Whether the API is a SAM API whose definition is its inline ``DefinitionBody`` (SAM reads it)."""
    resource = api.resource
    return (resource is not None and resource.type in _SAM_EDITS and api.doc_at is not None
            and api.doc_at.path[-1:] == ("DefinitionBody",))


def _sam_http_body_refusal(api: Api) -> str | None:
    """SAM's words when it must edit an HTTP API's inline definition that has no ``openapi`` key: to add
    the routes of function events, or ``Tags``."""
    resource = api.resource
    if resource is None or resource.type != "AWS::Serverless::HttpApi" or not _inline_sam_body(api):
        return None
    if resource.events_merged and resource.events:
        return ("Invalid OpenApi document. Invalid values or missing keys for 'openapi' or 'paths' in "
                "'DefinitionBody'.")
    if resource.properties.setting("Tags").written:
        return "Unable to add `Tags` because 'DefinitionBody' does not contain a valid OpenApi definition."
    return None


#: the OpenAPI 3 versions for which SAM rewrites a REST definition's OPTIONS responses (compiled by
#: ``re``'s cache when a SAM template asks, not by every run)
_SAM_OPENAPI_3 = r"3(\.\d)(\.\d)?$"


def _sam_options_refusal(api: Api, path: tuple[Any, ...], instance: Any) -> str | None:
    """SAM rewrites the OPTIONS operations of every OpenAPI 3 REST definition written inline (adding
    ``schema`` to the headers of their ``200`` response), and refuses ``responses`` or those headers
    when they are not maps."""
    resource = api.resource
    if resource is None or resource.type != "AWS::Serverless::Api" or api.document is None:
        return None
    if len(path) not in (4, 6) or path[0] != "paths" or path[2] != "options" or path[3] != "responses":
        return None
    if "swagger" in api.document:
        return None
    version = resource.properties.get(SAM_VERSION_KEY) or api.document.get("openapi")
    if not isinstance(version, str) or not re.match(_SAM_OPENAPI_3, version):
        return None
    if len(path) == 4 and instance is not None and not isinstance(instance, dict):
        return f"Invalid responses in options method for path {path[1]}: It should be a map."
    if len(path) == 6 and path[4] == "200" and path[5] == "headers" and instance and not isinstance(instance, dict):
        return (f"Value of response's headers in options method for path {path[1]} must be a dictionary according "
                "to Swagger spec.")
    return None


def _sam_method_key_refusal(api: Api, path: tuple[Any, ...], instance: Any) -> str | None:
    """An HTTP API's ``DefaultAuthorizer`` has SAM visit every operation under the key it writes for the
    method (lower case, ``x-amazon-apigateway-any-method`` for ANY): a path item keyed otherwise
    (``any``, ``GET``) is not found."""
    resource = api.resource
    if resource is None or resource.type != "AWS::Serverless::HttpApi":
        return None
    auth = resource.properties.get("Auth")
    if not isinstance(auth, dict) or not auth.get("DefaultAuthorizer") or is_intrinsic(auth):
        return None
    if len(path) != 2 or path[0] != "paths" or not isinstance(instance, dict):
        return None
    for key in instance:
        if not isinstance(key, str):
            continue
        written = key.lower()
        written = ANY_METHOD if written == "any" else written
        if written != key and written not in instance and written not in ("parameters", "options"):
            return f"Could not find {written} in {path[1]} within DefinitionBody."
    return None


def _sam_refusal(api: Api, path: tuple[Any, ...], instance: Any) -> str | None:
    """SAM's words when SAM's transform refuses the structure at ``path`` of an inline definition it edits.

    The transform's OpenAPI editor requires every path item to be a map, every operation too when
    ``Auth`` has it visit them all, and ``securityDefinitions``; for an HTTP API, ``tags`` must be a
    list. (SAM accepts a null operation that a function event fills in.)
    """
    resource = api.resource
    if resource is None or not _inline_sam_body(api):
        return None  # DefinitionUri: SAM passes the file on without reading it
    refusal = _sam_options_refusal(api, path, instance) or _sam_method_key_refusal(api, path, instance)
    if refusal is not None:
        return refusal
    writes_events = resource.events_merged and bool(resource.events)
    if not writes_events and not any(resource.properties.setting(key).written for key in _SAM_EDITS[resource.type]):
        return None
    if len(path) == 2 and path[0] == "paths" and not isinstance(instance, dict):
        return f"Value of '{path[1]}' path must be a dictionary according to Swagger spec."
    if resource.properties.setting("Auth").written:
        # Auth puts authorizers on every operation: the editor takes every key of a path item but
        # its fields for a method, and each must be a map (a route an event adds is filled in instead)
        if len(path) == 2 and path[0] == "paths":
            for key, value in instance.items():
                if key not in _PATH_ITEM_FIELDS and not isinstance(value, dict) and not is_intrinsic(value):
                    return f"Definition of method '{key}' for path '{path[1]}' should be a map."
        if len(path) == 3 and path[0] == "paths" and path[2] in (*HTTP_METHODS, ANY_METHOD) and not isinstance(
                instance, dict):
            return f"Definition of method '{path[2]}' for path '{path[1]}' should be a map."
    if path == ("securityDefinitions",) and not isinstance(instance, dict):
        return "securityDefinitions must be a dictionary."
    if path == ("tags",) and resource.type == "AWS::Serverless::HttpApi" and not isinstance(instance, list):
        return "Tags in OpenApi DefinitionBody needs to be a list."
    return None


SAM_VERSION_KEY = "OpenApiVersion"
_SAM_VERSION_MESSAGE = (
    "`OpenApiVersion` is a property of the SAM resource (AWS::Serverless::Api or HttpApi), written here inside "
    "the definition: move it up beside `DefinitionBody`, and give the definition its own `openapi: 3.0.1`")


def _without_key(message: str, key: str) -> str:
    """An "Additional properties are not allowed (...)" message without one of the keys it names."""
    match = re.match(r"Additional properties are not allowed \((.*) (?:was|were) unexpected\)$", message)
    if match is None:
        return message
    keys = [k.strip() for k in match.group(1).split(",") if k.strip() != repr(key)]
    if not keys:
        return ""
    return f"Additional properties are not allowed ({', '.join(keys)} {'was' if len(keys) == 1 else 'were'} unexpected)"


def _type_outside_schema(document: Any, path: tuple[Any, ...]) -> tuple[tuple[Any, ...], str] | None:
    """An OpenAPI 3 parameter or header at or above ``path`` that writes ``type`` itself instead of
    under ``schema`` (the OpenAPI 2.0 way), with the one message for it; None otherwise."""
    for end in range(len(path), 1, -1):
        container = path[end - 2]
        if container not in ("parameters", "headers"):
            continue
        node = _value_at(document, path[:end])
        if not isinstance(node, dict) or "type" not in node or "schema" in node or "$ref" in node:
            continue
        kind = "header" if container == "headers" else "parameter"
        name = path[end - 1] if kind == "header" else node.get("name", path[end - 1])
        kind_text = node["type"] if isinstance(node["type"], str) else "..."
        return path[:end], (f"{kind} {name!r} writes `type: {kind_text}` directly: in OpenAPI 3 a {kind}'s type "
                            f"goes under `schema:` (`schema: {{type: {kind_text}}}`)")
    return None


def ecma_regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not an ECMA-262 regular expression, or None when it is one.

    OpenAPI's ``pattern`` uses the ECMA-262 dialect (``[\\w-_]`` is valid there, not in Python's re);
    the ``regress`` package is a Rust engine for exactly that dialect.
    """
    import regress

    try:
        regress.Regex(pattern)
    except Exception as error:  # noqa: BLE001 - regress raises its own error type for every refusal
        return str(error) or "refused"
    return None


#: Messages of departures from the OpenAPI schema that API Gateway imports and that OpenAPI tools
#: get past: reported at info level for API Gateway definitions (see the AG002 rule documentation).
_SWAGGER2_ROOT_KEYS = frozenset({"basePath", "schemes", "host", "consumes", "produces"})


def _spec_only(message: str, path: tuple[Any, ...], version: str) -> bool:
    """A departure from the schema that changes nothing for API Gateway or the tools that read the file."""
    if message.startswith('"description" is a required property') and len(path) >= 2 and path[-2] == "responses":
        return True
    if path == () and version != "2.0":
        match = re.match(r"Additional properties are not allowed \((.*) (?:was|were) unexpected\)$", message)
        keys = {k.strip().strip("'") for k in match.group(1).split(",")} if match else set()
        return bool(keys) and keys <= _SWAGGER2_ROOT_KEYS
    return False


_TOLERATED_REQUIRED = ('"info" is a required', '"version" is a required', '"title" is a required',
                       '"responses" is a required')


def _tolerated_by_api_gateway(message: str, path: tuple[Any, ...], instance: Any) -> bool:
    """Departures from the OpenAPI schema that API Gateway imports without complaint.

    API Gateway definitions routinely omit ``info`` details and operation ``responses`` (or leave
    them empty), write ``openapi: "3.0"``, and HTTP APIs use a ``$default`` path; none of these
    stops an import, so they are not reported unless the rule's ``strict`` option is set.
    """
    if message.startswith(_TOLERATED_REQUIRED):
        return True
    if path and path[-1] == "responses" and instance == {}:
        return True
    if path == ("openapi",) and isinstance(instance, str) and instance.startswith("3.0"):
        return True
    if path == ("paths",) and "'$default' was unexpected" in message:
        return True
    return False


_TEMPLATE = re.compile(r"\{([^{}]+)\}")


def _path_parameters(api: Api) -> Iterator[Violation]:
    """Path template variables that no parameter of the operation or its path item declares.

    The schema cannot express this; openapi-spec-validator checks it too. A greedy ``{proxy+}``
    variable is declared by a parameter named ``proxy`` in API Gateway definitions (and ``proxy+``
    is accepted too).
    """
    for operation in api.operations():
        if operation.method == ANY_METHOD:
            continue  # an extension, not an OpenAPI operation
        names = _TEMPLATE.findall(operation.path_key)
        if not names:
            continue
        declared = _declared_parameters(api, operation)
        for name in names:
            if name in declared or name.rstrip("+") in declared or _unknown(name):
                continue
            yield Violation(operation.at, f"path parameter {name!r} of {operation.label} is not declared in its parameters")


def _declared_parameters(api: Api, operation: Any) -> set[str]:
    declared: set[str] = set()
    for container, container_at in ((operation.path_item, operation.path_item_at), (operation.data, operation.at)):
        parameters = container.get("parameters")
        if not isinstance(parameters, list):
            continue
        for index, parameter in enumerate(parameters):
            parameter, _ = api.deref(parameter, container_at.child("parameters", index))
            if isinstance(parameter, dict) and parameter.get("in") == "path" and isinstance(parameter.get("name"), str):
                declared.add(parameter["name"])
    return declared


def _duplicate_parameters(api: Api) -> Iterator[Violation]:
    """Parameters declared twice (same ``name`` and ``in``) in one operation's own list."""
    for operation in api.operations():
        parameters = operation.data.get("parameters")
        if not isinstance(parameters, list):
            continue
        seen: set[tuple[str, str]] = set()
        for index, parameter in enumerate(parameters):
            at = operation.at.child("parameters", index)
            parameter, _ = api.deref(parameter, at)
            if not isinstance(parameter, dict):
                continue
            key = (str(parameter.get("name")), str(parameter.get("in")))
            if key in seen:
                yield Violation(at, f"parameter {key[0]!r} in {key[1]} is declared twice in {operation.label}")
            seen.add(key)


def _reference(api: Api, version: str) -> Iterator[Violation]:
    from openapi_spec_validator import (
        OpenAPIV2SpecValidator,
        OpenAPIV30SpecValidator,
        OpenAPIV31SpecValidator,
    )

    document, at = api.root()
    cls = {"2.0": OpenAPIV2SpecValidator, "3.0": OpenAPIV30SpecValidator, "3.1": OpenAPIV31SpecValidator}[version]
    try:
        errors = list(cls(document).iter_errors())
    except Exception as stopped:  # noqa: BLE001 - the reference validator raises on some malformed documents
        yield Violation(at, f"openapi-spec-validator stopped: {stopped}"[:_MAX_MESSAGE])
        return
    for error in errors:
        path = _typed_path(document, getattr(error, "absolute_path", ()) or ())
        instance = _value_at(document, path)
        if _unknown(instance):
            continue
        yield Violation(at.child(*path), tidy(str(getattr(error, "message", error)), instance))
