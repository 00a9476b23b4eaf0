"""The ``x-amazon-apigateway-*`` extensions checked against their JSON Schemas in ``rules/schemas/``.

The schema folder is the catalogue of extensions: one file per extension, named after it, plus
``_defs.json`` with the helpers that let CloudFormation intrinsics and ``${...}`` placeholders
through. ``jsonschema`` is imported when one of these rules first runs, and each validator is built
once per process.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from apilint.fix import Fix, value_at
from apilint.model import INTEGRATION, Api, Pointer
from apilint.rules import Violation, rules_dir

PREFIX = "x-amazon-apigateway-"
INTEGRATIONS = "x-amazon-apigateway-integrations"
GATEWAY_RESPONSES = "x-amazon-apigateway-gateway-responses"
_MAX_MESSAGE = 200

# Values under these keys are data (examples, enumerations, schema property names), not extensions.
_DATA_KEYS = frozenset({"example", "examples", "enum", "default", "const", "x-example"})


def schema_dir() -> Path:
    return rules_dir() / "schemas"


@lru_cache(maxsize=1)
def _schemas() -> dict[str, dict[str, Any]]:
    """Every schema by file stem (the extension name, or ``_defs``)."""
    schemas: dict[str, dict[str, Any]] = {}
    for path in sorted(schema_dir().glob("*.json")):
        with open(path, encoding="utf-8") as handle:
            schemas[path.stem] = json.load(handle)
    return schemas


def extension_names() -> frozenset[str]:
    """The names of every documented extension (one schema file each)."""
    return frozenset(name for name in _schemas() if name.startswith(PREFIX))


def prepare() -> None:
    """Compile the fast validator of every extension now (before worker processes are forked)."""
    for name in extension_names():
        _fast_validator(name)


@lru_cache(maxsize=64)  # one per extension
def _validator(name: str) -> Any:
    """A validator for one extension's schema, with every schema registered for ``$ref``."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources = [(schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012))
                 for schema in _schemas().values() if "$id" in schema]
    registry = Registry().with_resources(resources)
    schema = _schemas()[name]
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema, registry=registry)


@lru_cache(maxsize=64)  # one per extension
def _fast_validator(name: str) -> Any:
    """A compiled (Rust) validator for one extension, used to pass valid values quickly; None when
    jsonschema-rs or its registry is not available."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    if not hasattr(jsonschema_rs, "Registry"):
        return None

    def refuse(uri: str) -> Any:
        raise ValueError(f"apilint does not fetch {uri}")

    registry = jsonschema_rs.Registry([(schema["$id"], schema) for schema in _schemas().values() if "$id" in schema])
    return jsonschema_rs.validator_for(_schemas()[name], registry=registry, retriever=refuse)


def _is_valid(name: str, value: Any) -> bool:
    fast = _fast_validator(name)
    if fast is None:
        return not any(True for _ in _validator(name).iter_errors(value))
    try:
        return bool(fast.is_valid(value))
    except (ValueError, TypeError):  # a value the compiled validator cannot take (a YAML date, ...)
        return False


@dataclass(frozen=True)
class ExtensionValue:
    """One extension key found in a document, its value and where the key is."""

    name: str
    value: Any
    at: Pointer


def extension_values(api: Api) -> tuple[ExtensionValue, ...]:
    """Every ``x-amazon-apigateway-*`` key of the document (known or not), with its value.

    Example values, enumerations and the property names of schemas are data and are not searched.
    The document is walked once per API (AG401, AG402 and AG403 all read it).
    """
    return api.derived(_find_extension_values)


def _find_extension_values(api: Api) -> tuple[ExtensionValue, ...]:
    document, at = api.root()
    if api.document is None:
        return ()
    found: list[ExtensionValue] = []
    seen: set[int] = set()
    # paths, not pointers: a pointer is made only for the keys found
    stack: list[tuple[Any, tuple[Any, ...], bool]] = [(document, at.path, False)]
    while stack:
        node, path, names_are_data = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            for key, value in node.items():
                if not names_are_data and isinstance(key, str) and key.lower().startswith(PREFIX):
                    found.append(ExtensionValue(key, value, Pointer(at.source, path + (key,))))
                if key in _DATA_KEYS and not names_are_data:
                    continue
                if isinstance(value, (dict, list)):
                    # the keys of a schema's `properties` are property names, their values schemas
                    stack.append((value, path + (key,), key == "properties" and not names_are_data))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    stack.append((value, path + (index,), False))
    return tuple(found)


@dataclass(frozen=True)
class SchemaError:
    """One place where an extension value breaks its schema."""

    extension: ExtensionValue
    path: tuple[Any, ...]
    message: str
    unknown_key: bool
    keyword: str
    #: The allowed values of an ``enum`` error.
    allowed: tuple[Any, ...] = ()

    @property
    def at(self) -> Pointer:
        return self.extension.at.child(*self.path)


def schema_errors(api: Api) -> tuple[SchemaError, ...]:
    """Every schema violation of every documented extension in the document (found once per API:
    AG401 and AG403 both read them).

    Values the compiled validator passes are not looked at again; the others are validated with
    ``jsonschema``, whose errors carry the path and keyword each finding needs.
    """
    return api.derived(_find_schema_errors)


def _find_schema_errors(api: Api) -> tuple[SchemaError, ...]:
    names = extension_names()
    errors: list[SchemaError] = []
    for extension in extension_values(api):
        if extension.name not in names or _is_valid(extension.name, extension.value):
            continue
        for error in _validator(extension.name).iter_errors(extension.value):
            path = tuple(error.absolute_path)
            unknown = _is_unknown_key(error)
            allowed = tuple(error.validator_value) if error.validator == "enum" else ()
            errors.append(SchemaError(extension, path, _describe(error, unknown), unknown, str(error.validator),
                                      allowed))
    return tuple(errors)


def _is_unknown_key(error: Any) -> bool:
    """An ``additionalProperties`` failure: the key at the end of the path is not defined."""
    return error.validator == "not" and "additionalProperties" in error.relative_schema_path \
        and bool(error.absolute_path)


def _describe(error: Any, unknown: bool) -> str:
    if unknown:
        return f"unknown property {error.absolute_path[-1]!r}"
    if error.validator == "enum":
        allowed = ", ".join(dict.fromkeys(str(value) for value in _unique_spellings(error.validator_value)))
        message = f"{_short(error.instance)} is not one of {allowed}"
    else:
        message = error.message
        if isinstance(error.instance, (dict, list)) and message.startswith(("{", "[")):
            kind = "the object" if isinstance(error.instance, dict) else "the list"
            for marker in (" is not ", " is a ", " has ", " does not ", " should ", " is too "):
                index = message.rfind(marker)
                if index > 0:
                    message = kind + message[index:]
                    break
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + "…"
    return message


def _unique_spellings(values: list[Any]) -> list[Any]:
    """Enum values without the lower-case twins of upper-case ones (``AWS`` and ``aws``)."""
    upper = {value for value in values if isinstance(value, str) and value == value.upper()}
    return [value for value in values
            if not (isinstance(value, str) and value != value.upper() and value.upper() in upper)]


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "…"


def close_names(word: str, candidates: list[str]) -> list[str]:
    """The names ``word`` may be a misspelling of, closest first: the one that differs only in case,
    else those difflib finds close enough (compared as written, then ignoring case)."""
    by_case = {candidate.lower(): candidate for candidate in candidates}
    if word.lower() in by_case:
        return [by_case[word.lower()]]
    close = difflib.get_close_matches(word, candidates, n=3, cutoff=0.7)
    if not close:
        close = [by_case[name] for name in difflib.get_close_matches(word.lower(), list(by_case), n=3, cutoff=0.7)]
    return close


def _suggestion(names: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest name, or nothing."""
    return f" (did you mean {names[0]!r}?)" if names else ""


#: How many single-character edits (ignoring case) a misspelling may be from the name it is renamed to.
_FIXABLE_EDITS = 2


def _rename(at: Pointer, names: list[str], candidates: list[str]) -> Fix | None:
    """Renaming a misspelled key is safe when one valid name only is within a couple of edits of it,
    that name is the one suggested, and the object does not have it already."""
    word = str(at.path[-1]).lower()
    near = [name for name in candidates if _edits(word, name.lower()) <= _FIXABLE_EDITS]
    siblings = value_at(at.source.data, at.path[:-1])
    if len(near) != 1 or names[:1] != near or not isinstance(siblings, dict) or near[0] in siblings:
        return None
    return Fix.rename_key(at, near[0])


def _edits(a: str, b: str) -> int:
    """Levenshtein distance, given up early: anything above the fixable number is that number plus one."""
    if abs(len(a) - len(b)) > _FIXABLE_EDITS:
        return _FIXABLE_EDITS + 1
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        if min(current) > _FIXABLE_EDITS:
            return _FIXABLE_EDITS + 1
        previous = current
    return previous[-1]


def _in_integration(error: SchemaError) -> bool:
    return error.extension.name in (INTEGRATION, INTEGRATIONS)


# --- AG401 ------------------------------------------------------------------------------------------

# Limits the schemas encode that dedicated rules report with more context; AG401 leaves them alone.
# (extension, path of the value, schema keywords)
_REPORTED_ELSEWHERE = (
    ("x-amazon-apigateway-minimum-compression-size", (), {"minimum", "maximum"}),  # AG206
    ("x-amazon-apigateway-authorizer", ("authorizerResultTtlInSeconds",), {"minimum", "maximum"}),  # AG202
    ("x-amazon-apigateway-authorizer", ("jwtConfiguration", "audience"), {"maxItems"}),  # AG207
)


def _reported_elsewhere(error: SchemaError) -> bool:
    return any(error.extension.name == name and error.path == path and error.keyword in keywords
               for name, path, keywords in _REPORTED_ELSEWHERE)


def invalid_extension_value(api: Api, run: Any) -> Iterator[Violation]:
    """Extension values that break their schema, each reported at the offending node.

    Unknown keys of integrations (AG403), unknown gateway response types (AG413) and the limits that
    AG202, AG206 and AG207 check have their own rules and are left to them.
    """
    for error in schema_errors(api):
        if error.unknown_key and _in_integration(error):
            continue
        if error.unknown_key and error.extension.name == GATEWAY_RESPONSES and len(error.path) == 1:
            continue
        if _reported_elsewhere(error):
            continue
        message = error.message
        fix = None
        if error.unknown_key:
            known = _known_keys(error.extension.name, error.path)
            names = close_names(str(error.path[-1]), known)
            message += f" in {error.extension.name}" + _suggestion(names)
            fix = _rename(error.at, names, known)
        else:
            message = f"{error.extension.name}{_path_text(error.path)}: {message}"
            fix = _enum_case_fix(error)
        yield Violation(error.at, message, fix=fix)


def _enum_case_fix(error: SchemaError) -> Fix | None:
    """A string that is one of the allowed values written in another case: the allowed spelling.

    When the schema allows several spellings of that value (``AWS_PROXY`` and ``aws_proxy``), they
    mean the same and the first one listed is written.
    """
    value = value_at(error.at.source.data, error.at.path)
    if error.keyword != "enum" or not isinstance(value, str) or not error.path:
        return None
    same = [v for v in error.allowed if isinstance(v, str) and v.lower() == value.lower()]
    if not same or value in same:
        return None
    return Fix.replace_value(error.at, value, same[0])


def _path_text(path: tuple[Any, ...]) -> str:
    return "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)


# --- AG402 ------------------------------------------------------------------------------------------


def unknown_extension(api: Api, run: Any) -> Iterator[Violation]:
    """``x-amazon-apigateway-*`` keys that API Gateway does not define."""
    names = extension_names()
    for extension in extension_values(api):
        if extension.name in names:
            continue
        known = sorted(names)
        close = close_names(extension.name, known)
        yield Violation(extension.at, f"{extension.name!r} is not an API Gateway extension{_suggestion(close)}; "
                                      "API Gateway does not act on it",
                        fix=_rename(extension.at, close, known))



# --- AG403 ------------------------------------------------------------------------------------------


def _integration_schema_part(topic: str) -> dict[str, Any]:
    schema = _schemas()[INTEGRATION]
    pointer = schema.get("x-apilint-topics", {}).get(topic, "")
    node: Any = schema
    for step in pointer.lstrip("#/").split("/"):
        if step:
            node = node.get(step, {}) if isinstance(node, dict) else {}
    return node if isinstance(node, dict) else {}


def _properties_of(part: dict[str, Any]) -> list[str]:
    """Property names a schema part defines (directly or in its non-dynamic ``else`` branch)."""
    for candidate in (part, part.get("else", {})):
        if isinstance(candidate, dict) and isinstance(candidate.get("properties"), dict):
            return sorted(candidate["properties"])
    return []


def _integration_topic(path: tuple[Any, ...]) -> str:
    """Which object of an integration a key belongs to, from the path of that key."""
    parent = path[:-1]
    if len(parent) >= 1 and parent[-1] == "tlsConfig":
        return f"{INTEGRATION}.tlsConfig"
    if len(parent) >= 2 and parent[-2] == "responses":
        return f"{INTEGRATION}.response"
    return INTEGRATION


def _known_keys(extension: str, path: tuple[Any, ...]) -> list[str]:
    """Names that would have been valid where an unknown key stands (for the suggestion)."""
    if extension in (INTEGRATION, INTEGRATIONS):
        inner = path[1:] if extension == INTEGRATIONS else path
        return _properties_of(_integration_schema_part(_integration_topic(inner)))
    schema = _schemas().get(extension, {})
    node: Any = schema
    # follow the path through `properties` where the schema names them; good enough for suggestions
    for step in path[:-1]:
        branch = node.get("else", node) if isinstance(node, dict) else {}
        properties = branch.get("properties", {}) if isinstance(branch, dict) else {}
        node = properties.get(step, {}) if isinstance(properties, dict) else {}
    branch = node.get("else", node) if isinstance(node, dict) else {}
    properties = branch.get("properties", {}) if isinstance(branch, dict) else {}
    return sorted(properties) if isinstance(properties, dict) else []


# CloudFormation's names for integration properties whose OpenAPI names differ by more than case
_CLOUDFORMATION_NAMES = {"integrationresponses": "responses", "integrationhttpmethod": "httpMethod"}


def unknown_integration_property(api: Api, run: Any) -> Iterator[Violation]:
    """Keys of ``x-amazon-apigateway-integration`` (and its responses and tlsConfig) it does not define."""
    for error in schema_errors(api):
        if not (error.unknown_key and _in_integration(error)):
            continue
        key = str(error.path[-1])
        fix = None
        if key.lower() in _CLOUDFORMATION_NAMES:
            # no fix: the CloudFormation property's value has another shape (a list, not a map)
            hint = f" (did you mean {_CLOUDFORMATION_NAMES[key.lower()]!r}? {key!r} is the CloudFormation name)"
        else:
            known = _known_keys(error.extension.name, error.path)
            names = close_names(key, known)
            hint = _suggestion(names)
            fix = _rename(error.at, names, known)
        inner = error.path[1:] if error.extension.name == INTEGRATIONS else error.path
        topic = _integration_topic(inner)
        where = {INTEGRATION: INTEGRATION, f"{INTEGRATION}.tlsConfig": f"{INTEGRATION}.tlsConfig",
                 f"{INTEGRATION}.response": f"an integration response of {INTEGRATION}"}[topic]
        yield Violation(error.at, f"unknown property {key!r} in {where}{hint}; API Gateway ignores it", fix=fix)


# --- AG413 ------------------------------------------------------------------------------------------


def gateway_response_types() -> list[str]:
    """The gateway response types, as the gateway-responses schema lists them."""
    return _properties_of(_schemas()[GATEWAY_RESPONSES])


def gateway_response_type_unknown(api: Api, run: Any) -> Iterator[Violation]:
    """Gateway responses keyed by something that is not a gateway response type."""
    types = gateway_response_types()
    document, at = api.root()
    responses = document.get(GATEWAY_RESPONSES)
    if isinstance(responses, dict):
        for key in responses:
            if isinstance(key, str) and (key in types or key.startswith("x-")):
                continue
            yield Violation(at.child(GATEWAY_RESPONSES, key), _unknown_type_message(key, types))
    sam_responses = api.properties.get("GatewayResponses")
    if api.resource_type == "AWS::Serverless::Api" and isinstance(sam_responses, dict):
        for key in sam_responses:
            if key not in types:
                yield Violation(api.property_at("GatewayResponses", key), _unknown_type_message(key, types))
    for resource in api.related("AWS::ApiGateway::GatewayResponse"):
        props, props_at = resource.properties, resource.properties_at
        value = props.get("ResponseType")
        if isinstance(value, str) and value not in types:
            yield Violation(props_at.child("ResponseType"), _unknown_type_message(value, types))


def _unknown_type_message(key: Any, types: list[str]) -> str:
    return f"{str(key)!r} is not a gateway response type{_suggestion(close_names(str(key), types))}"
