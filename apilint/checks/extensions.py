"""The ``x-amazon-apigateway-*`` extensions checked against their JSON Schemas in ``rules/schemas/``.

The schema folder is the catalogue of extensions: one file per extension, named after it, plus
``_defs.json`` with the helpers that let CloudFormation intrinsics and ``${...}`` placeholders
through. Each extension's compiled validator (``jsonschema-rs``) is built when one of these rules
first needs it, once per process; it decides which values are valid and gives the errors of the
others.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from apilint.fix import Fix, value_at
from apilint.load.refs import parse_pointer, pointer_steps, walk
from apilint.model import INTEGRATION, Api, Pointer
from apilint.record import Frozen
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
    """Compile the validator of every extension now (before worker processes are forked)."""
    for name in extension_names():
        _validator(name)


@lru_cache(maxsize=1)
def _schemas_by_id() -> dict[str, dict[str, Any]]:
    """Every schema by its ``$id`` (what a ``$ref`` names)."""
    return {schema["$id"]: schema for schema in _schemas().values() if "$id" in schema}


@lru_cache(maxsize=1)
def _registry() -> Any:
    """Every schema registered for ``$ref``, built once for all the extensions' validators."""
    import jsonschema_rs

    return jsonschema_rs.Registry(list(_schemas_by_id().items()))


@lru_cache(maxsize=64)  # one per extension
def _validator(name: str) -> Any:
    """The compiled (Rust) validator of one extension, with every schema registered for ``$ref``."""
    import jsonschema_rs

    def refuse(uri: str) -> Any:
        raise ValueError(f"apilint does not fetch {uri}")

    return jsonschema_rs.validator_for(_schemas()[name], registry=_registry(), retriever=refuse)


def _is_valid(name: str, value: Any) -> bool:
    try:
        return bool(_validator(name).is_valid(value))
    except (ValueError, TypeError):  # a value the compiled validator cannot take (a YAML date, ...)
        return False


class ExtensionValue(Frozen):
    """One extension key found in a document, its value and where the key is."""

    name: str
    value: Any
    at: Pointer

    def __init__(self, name: str, value: Any, at: Pointer) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "at", at)


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
    source, prefix, data_keys, containers = at.source, PREFIX, _DATA_KEYS, (dict, list)
    # paths, not pointers: a pointer is made only for the keys found
    stack: list[tuple[Any, tuple[Any, ...], bool]] = [(document, at.path, False)]
    pop, push = stack.pop, stack.append
    while stack:
        node, path, names_are_data = pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            for key, value in node.items():
                if names_are_data:  # the keys of a schema's `properties` are property names, their values schemas
                    if isinstance(value, containers):
                        push((value, path + (key,), False))
                    continue
                # most keys do not start with an x: the first character is looked at before the case
                if isinstance(key, str) and key[:1] in "xX" and key.lower().startswith(prefix):
                    found.append(ExtensionValue(key, value, Pointer(source, path + (key,))))
                if isinstance(value, containers) and key not in data_keys:
                    push((value, path + (key,), key == "properties"))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, containers):
                    push((value, path + (index,), False))
    return tuple(found)


class SchemaError(Frozen):
    """One place where an extension value breaks its schema."""

    extension: ExtensionValue
    path: tuple[Any, ...]
    message: str
    unknown_key: bool
    keyword: str
    #: The allowed values of an ``enum`` error.
    allowed: tuple[Any, ...]

    def __init__(self, extension: ExtensionValue, path: tuple[Any, ...], message: str, unknown_key: bool,
                 keyword: str, allowed: tuple[Any, ...] = ()) -> None:
        object.__setattr__(self, "extension", extension)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "unknown_key", unknown_key)
        object.__setattr__(self, "keyword", keyword)
        object.__setattr__(self, "allowed", allowed)

    @property
    def at(self) -> Pointer:
        return self.extension.at.child(*self.path)


def schema_errors(api: Api) -> tuple[SchemaError, ...]:
    """Every schema violation of every documented extension in the document (found once per API:
    AG401 and AG403 both read them).

    Values the compiled validator passes are not looked at again. The errors of the others come
    from the same validator; each is followed through the schema (:func:`_trace`) for its order,
    the value it is about and the keyword's value, from which its message is written.
    """
    return api.derived(_find_schema_errors)


def _find_schema_errors(api: Api) -> tuple[SchemaError, ...]:
    names = extension_names()
    errors: list[SchemaError] = []
    for extension in extension_values(api):
        if extension.name in names and not _is_valid(extension.name, extension.value):
            errors += _errors_of(extension)
    return tuple(errors)


def _errors_of(extension: ExtensionValue) -> list[SchemaError]:
    """The schema errors of one invalid value: the errors, order, paths, keywords and messages of
    the pure-Python ``jsonschema`` validator, which apilint used before (tests/rules/
    test_extension_schema_errors.py holds them to it)."""
    validator = _validator(extension.name)
    readable = _readable(extension.value)
    pointers: list[str] = []
    found: list[tuple[list[int], SchemaError]] = []
    for number, error in enumerate(validator.iter_errors(readable)):
        path = tuple(error.instance_path)
        if not _leads_through(extension.value, path):
            # A key written as a number ("200", "007") is an integer in this path. The JSON pointers of
            # the validator's evaluation keep it as written; it lists the same errors in the same order.
            pointers = pointers or [entry["instanceLocation"] for entry in validator.evaluate(readable).errors()]
            path = _pointer_path(extension.value, pointers[number])
        steps = list(error.evaluation_path)
        traced = _trace(extension.name, steps, extension.value, path)
        if traced is None:
            continue
        order, node, instance = traced
        keyword = steps[-1]
        expected = node[keyword]
        if keyword == "required":  # one error for each missing property, in the order listed
            expected = error.kind.property
            order.append(node[keyword].index(expected))
        if not _python_agrees(keyword, expected, instance):
            continue
        unknown = _is_unknown_key(keyword, steps, path)
        allowed = tuple(expected) if keyword == "enum" else ()
        message = _describe(keyword, expected, instance, path, unknown) or error.message
        found.append((order, SchemaError(extension, path, message, unknown, keyword, allowed)))
    found.sort(key=lambda item: item[0])
    return [error for _, error in found]


def _leads_through(value: Any, path: tuple[Any, ...]) -> bool:
    """Whether ``path`` names keys and indexes ``value`` has, each of its own type."""
    for step in path:
        key = isinstance(value, dict) and isinstance(step, str) and step in value
        if not (key or isinstance(value, list) and isinstance(step, int)):
            return False
        value = value[step]
    return True


def _pointer_path(value: Any, pointer: str) -> tuple[Any, ...]:
    """The path a JSON pointer names in ``value`` (list indexes as integers)."""
    return walk(value, pointer_steps(pointer))[2]


#: A finite, non-integral number beyond every limit the schemas set: what the compiled validator
#: reads instead of a value it cannot hold the way Python does (see :func:`_readable`).
_STAND_IN = 1e15 + 0.5


def _readable(value: Any) -> Any:
    """``value`` with every scalar that JSON cannot hold replaced by :data:`_STAND_IN` (its negative
    for negative infinity).

    The compiled validator reads an infinite or NaN number as null and refuses dates, byte strings
    and the like; ``jsonschema`` took them as what they are: of no type the schemas name (infinity
    is not an integer), equal to no ``enum`` or ``const`` value, beyond a ``maximum`` (or below a
    ``minimum``) when infinite. The stand-in is all of that too, and whether a ``minimum`` or
    ``maximum`` error stands is then decided on the value itself (:func:`_python_agrees`). A value
    holding none is returned as it is.
    """
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack += node.values()
        elif isinstance(node, list):
            stack += node
        elif not _json_scalar(node):
            break
    else:
        return value
    root: list[Any] = [None]
    copies: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while copies:
        node, parent, key = copies.pop()
        copy: Any
        if isinstance(node, dict):
            parent[key] = copy = dict.fromkeys(node)
            copies += ((item, copy, name) for name, item in node.items())
        elif isinstance(node, list):
            parent[key] = copy = [None] * len(node)
            copies += ((item, copy, index) for index, item in enumerate(node))
        elif _json_scalar(node):
            parent[key] = node
        else:
            parent[key] = -_STAND_IN if node == float("-inf") else _STAND_IN
    return root[0]


def _json_scalar(value: Any) -> bool:
    if isinstance(value, float):
        return value - value == 0  # not infinite, not NaN
    return value is None or isinstance(value, (str, int))


def _trace(name: str, steps: list[Any], value: Any,
           path: tuple[Any, ...]) -> tuple[list[int], dict[str, Any], Any] | None:
    """Follow an error of the compiled validator through the extension's schema and the value.

    ``steps`` is the error's evaluation path: keywords, property names and ``$ref`` steps, whose
    targets are looked up here as the validator resolved them; ``path`` is its place in the value.
    Returns the error's position in ``jsonschema``'s order (at each schema object the position of
    the keyword there, and under it of the property or item: ``then`` and ``else`` count where
    ``if`` stands, and the additional properties of an object come in the order the object has
    them, where ``jsonschema`` took them from a set), the schema object holding the failed keyword
    and the part of the value it failed on. None for an error ``jsonschema`` did not report: Python's
    regular expressions put the key under another schema of ``patternProperties`` or
    ``additionalProperties`` than the compiled validator's did.
    """
    node: Any = _schemas()[name]
    base = node["$id"]
    order: list[int] = []
    instance = value
    depth = 0  # steps of `path` followed
    index = 0
    while index < len(steps) - 1:
        step = steps[index]
        if step == "$ref":
            order.append(_position(node, step))
            node, base = _resolve(base, node[step])
        elif step in ("then", "else"):
            order.append(_position(node, "if"))
            node = node[step]
        elif step in ("properties", "patternProperties", "additionalProperties", "items"):
            key = path[depth]
            order.append(_position(node, step))
            if step in ("properties", "patternProperties"):
                index += 1
                order.append(_position(node[step], steps[index]))
                child = node[step][steps[index]]
                if step == "patternProperties" and not re.search(steps[index], key):
                    return None
            else:
                child = node[step]
                if step == "additionalProperties" and _pattern_property(node, key):
                    return None
            if step != "properties":
                order.append(key if isinstance(instance, list) else _position(instance, key))
            node, instance, depth = child, instance[key], depth + 1
        else:  # allOf, anyOf or oneOf (and the index that follows), or another keyword holding a schema
            order.append(step if isinstance(node, list) else _position(node, step))
            node = node[step]
        index += 1
    for key in path[depth:]:
        instance = instance[key]
    order.append(_position(node, steps[-1]))
    return order, node, instance


def _position(mapping: Any, key: Any) -> int:
    return list(mapping).index(key)


def _resolve(base: str, ref: str) -> tuple[Any, str]:
    """The schema a ``$ref`` names (a file of the schema folder, a pointer into it, or both) and the
    ``$id`` of its file."""
    document, _, fragment = ref.partition("#")
    if document:
        base = base.rsplit("/", 1)[0] + "/" + document
    return walk(_schemas_by_id()[base], parse_pointer(fragment) or ())[1], base


def _pattern_property(schema: dict[str, Any], key: Any) -> bool:
    """Whether ``jsonschema`` took ``key`` for a pattern property of ``schema`` (not an additional one)."""
    patterns = "|".join(schema.get("patternProperties", {}))
    return bool(patterns) and re.search(patterns, key) is not None


def _python_agrees(keyword: str, expected: Any, instance: Any) -> bool:
    """Whether ``jsonschema`` reported the error too, where the compiled validator may read the value
    otherwise: its regular expressions are not Python's (``$`` before a final line break), and it
    read a stand-in for an infinite or NaN number."""
    if keyword == "pattern":
        return isinstance(instance, str) and re.search(expected, instance) is None
    number = isinstance(instance, (int, float)) and not isinstance(instance, bool)
    if keyword == "minimum":
        return number and instance < expected
    if keyword == "maximum":
        return number and instance > expected
    return True


def _is_unknown_key(keyword: str, steps: list[Any], path: tuple[Any, ...]) -> bool:
    """An ``additionalProperties`` failure: the key at the end of the path is not defined."""
    return keyword == "not" and "additionalProperties" in steps and bool(path)


# jsonschema's wording of each keyword the schemas use, which apilint's messages have always had
# (Python reprs). anyOf, minProperties and maxProperties occur only under `if`, which reports nothing.
_MESSAGES = {
    "type": "{instance!r} is not of type {expected}",
    "const": "{expected!r} was expected",
    "pattern": "{instance!r} does not match {expected!r}",
    "minimum": "{instance!r} is less than the minimum of {expected!r}",
    "maximum": "{instance!r} is greater than the maximum of {expected!r}",
    "minLength": "{instance!r} is too short",
    "maxLength": "{instance!r} is too long",
    "maxItems": "{instance!r} is too long",
    "minProperties": "{instance!r} does not have enough properties",
    "maxProperties": "{instance!r} has too many properties",
    "required": "{expected!r} is a required property",
    "not": "{instance!r} should not be valid under {expected!r}",
    "anyOf": "{instance!r} is not valid under any of the given schemas",
}
# the wording for a limit of one (at least) or zero (at most)
_AT_ONE = {"minLength": "should be non-empty", "minProperties": "should be non-empty"}
_AT_ZERO = {"maxLength": "is expected to be empty", "maxItems": "is expected to be empty",
            "maxProperties": "is expected to be empty"}


def _describe(keyword: str, expected: Any, instance: Any, path: tuple[Any, ...], unknown: bool) -> str | None:
    """The message of one error, from its keyword, the keyword's value in the schema (the missing
    property of ``required``) and the value it failed on; None for a keyword the schemas do not use
    (the compiled validator's own message is shown)."""
    if unknown:
        return f"unknown property {path[-1]!r}"
    if keyword == "enum":
        allowed = ", ".join(dict.fromkeys(str(value) for value in _unique_spellings(expected)))
        message = f"{_short(instance)} is not one of {allowed}"
    elif keyword in _MESSAGES:
        if keyword == "type":
            expected = ", ".join(repr(kind) for kind in ([expected] if isinstance(expected, str) else expected))
        template = _MESSAGES[keyword]
        if expected == 1 and keyword in _AT_ONE:
            template = "{instance!r} " + _AT_ONE[keyword]
        elif expected == 0 and keyword in _AT_ZERO:
            template = "{instance!r} " + _AT_ZERO[keyword]
        message = template.format(instance=instance, expected=expected)
        if isinstance(instance, (dict, list)) and message.startswith(("{", "[")):
            kind = "the object" if isinstance(instance, dict) else "the list"
            for marker in (" is not ", " is a ", " has ", " does not ", " should ", " is too "):
                index = message.rfind(marker)
                if index > 0:
                    message = kind + message[index:]
                    break
    else:
        return None
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
    import difflib  # with the first unknown key, not for every run

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
