"""The schema errors of extension values (AG401, AG403) come from the compiled validator and are the
errors the pure-Python ``jsonschema`` validator gave, which apilint used before: the same errors in
the same order, at the same paths, with the same keywords, messages and allowed values.

The values are the extension values of the fixtures, the examples of tests/data/test_schemas_data.py
and a few written here, each changed in many ways (wrong types, enum values in another case, unknown
and misspelled keys, keys written as numbers, numbers out of range, required keys taken away, strings
too long or ending in a line break, infinite numbers), one change at a time and two at a time. The
reference below is the former code path, kept here only. The differences known, where only Python's
regular expressions find a problem, are in test_what_only_pythons_regular_expressions_find.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from apilint.checks import extensions
from apilint.load.fastyaml import load_yaml
from tests.conftest import FIXTURES, REPO
from tests.data.test_schemas_data import DYNAMIC, INVALID, VALID

# --- the former code path: jsonschema's errors as apilint described them ---------------------------


@cache
def _reference_validator(name: str) -> Any:
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    schemas = extensions._schemas()
    resources = [(schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012))
                 for schema in schemas.values() if "$id" in schema]
    cls = jsonschema.validators.validator_for(schemas[name], default=jsonschema.Draft202012Validator)
    return cls(schemas[name], registry=Registry().with_resources(resources))


def _reference_describe(error: Any, unknown: bool) -> str:
    if unknown:
        return f"unknown property {error.absolute_path[-1]!r}"
    if error.validator == "enum":
        spellings = extensions._unique_spellings(error.validator_value)
        message = f"{extensions._short(error.instance)} is not one of " \
                  f"{', '.join(dict.fromkeys(str(value) for value in spellings))}"
    else:
        message = error.message
        if error.validator == "minLength" and error.validator_value == 1:
            # jsonschema 4.18 (the oldest apilint declares) wrote "is too short" here too; apilint has the
            # wording of later releases, as in the one constraints.txt pins
            message = message.replace(" is too short", " should be non-empty")
        if isinstance(error.instance, (dict, list)) and message.startswith(("{", "[")):
            kind = "the object" if isinstance(error.instance, dict) else "the list"
            for marker in (" is not ", " is a ", " has ", " does not ", " should ", " is too "):
                index = message.rfind(marker)
                if index > 0:
                    message = kind + message[index:]
                    break
    if len(message) > extensions._MAX_MESSAGE:
        message = message[:extensions._MAX_MESSAGE] + "…"
    return message


def _reference(name: str, value: Any) -> list[tuple[Any, ...]]:
    found = []
    for error in _reference_validator(name).iter_errors(value):
        unknown = error.validator == "not" and "additionalProperties" in error.relative_schema_path \
            and bool(error.absolute_path)
        allowed = tuple(error.validator_value) if error.validator == "enum" else ()
        found.append((tuple(error.absolute_path), str(error.validator), _reference_describe(error, unknown),
                      unknown, allowed))
    return found


def _new(name: str, value: Any) -> list[tuple[Any, ...]]:
    extension = extensions.ExtensionValue(name, value, None)  # type: ignore[arg-type]
    return [(error.path, error.keyword, error.message, error.unknown_key, error.allowed)
            for error in extensions._errors_of(extension)]


@pytest.fixture
def ordered_extras(monkeypatch):
    """jsonschema visits an object's additional properties in the order of a ``set`` of their names,
    which changes with the hash seed; apilint reports them in the order the object has them, and so
    does the reference here."""
    import jsonschema

    keywords = sys.modules[jsonschema.Draft202012Validator.VALIDATORS["additionalProperties"].__module__]
    monkeypatch.setattr(keywords, "set", dict.fromkeys, raising=False)


# --- the values --------------------------------------------------------------------------------------

# Values of the extensions the fixtures use little or not at all, and of the branches they miss.
_WRITTEN = {
    "x-amazon-apigateway-any-method": [{"isDefaultRoute": True, "responses": {}}],
    "x-amazon-apigateway-auth": [{"type": "AWS_IAM"}, {"type": "none", "x-note": 1}],
    "x-amazon-apigateway-authorizer": [
        {"type": "jwt", "identitySource": "$request.header.Authorization",
         "jwtConfiguration": {"issuer": "https://example.com", "audience": ["a", "b"]}},
        {"type": "request", "authorizerUri": "arn:aws:lambda", "authorizerPayloadFormatVersion": "2.0",
         "enableSimpleResponses": True, "authorizerResultTtlInSeconds": 300},
        {"type": "token", "authorizerResultTtlInSeconds": "60", "identityValidationExpression": ".*"},
        {"type": "cognito_user_pools", "providerARNs": ["arn:aws:cognito-idp:pool"]},
    ],
    "x-amazon-apigateway-authtype": ["awsSigv4", "custom"],
    "x-amazon-apigateway-cors": [{"allowOrigins": ["*"], "allowCredentials": False, "maxAge": 3600,
                                  "allowMethods": ["GET"], "allowHeaders": ["x"], "exposeHeaders": ["y"]}],
    "x-amazon-apigateway-documentation": [{
        "version": "1", "documentationParts": [
            {"location": {"type": "API"}, "properties": {"description": "d"}},
            {"location": {"type": "METHOD", "path": "/a", "method": "GET", "statusCode": "200", "name": "n"},
             "properties": "{\"description\": \"d\"}"},
        ]}],
    "x-amazon-apigateway-endpoint-configuration": [{"disableExecuteApiEndpoint": True,
                                                    "vpcEndpointIds": ["vpce-1"], "ipAddressType": "dualstack"}],
    "x-amazon-apigateway-gateway-responses": [{
        "DEFAULT_4XX": {"statusCode": 400, "responseParameters": {"gatewayresponse.header.X-A": "'a'"},
                        "responseTemplates": {"application/json": "{}"}},
        "THROTTLED": {"statusCode": "429"}, "x-note": {}}],
    "x-amazon-apigateway-importexport-version": ["1.0", 1.0],
    "x-amazon-apigateway-integrations": [{
        "one": {"type": "http_proxy", "httpMethod": "GET", "uri": "https://example.com",
                "tlsConfig": {"serverNameToVerify": "example.com", "insecureSkipVerification": False}},
        "two": {"type": "aws_proxy", "uri": "arn", "payloadFormatVersion": "2.0",
                "responseParameters": {"200": {"overwrite:header.a": "b"}}}}],
    "x-amazon-apigateway-minimum-compression-size": [0, 1024],
    "x-amazon-apigateway-policy": [
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
                                                 "Resource": ["execute-api:/*"],
                                                 "Condition": {"IpAddress": {"aws:SourceIp": ["1.2.3.4"]}}}]},
        {"Statement": {"Effect": "Deny", "Principal": {"AWS": ["arn:aws:iam::1:root"]}, "NotAction": ["x"]}},
    ],
    "x-amazon-apigateway-request-validator": ["all"],
    "x-amazon-apigateway-request-validators": [{"all": {"validateRequestBody": True,
                                                        "validateRequestParameters": True}}],
    "x-amazon-apigateway-security-policy": ["TLS_1_2"],
    "x-amazon-apigateway-tag-value": ["value"],
    "x-amazon-apigateway-binary-media-types": [["image/png", "*/*"]],
    "x-amazon-apigateway-api-key-source": ["HEADER"],
    "x-amazon-apigateway-endpoint-access-mode": ["STRICT"],
}

_REPLACEMENTS = [5, -7, 1.5, 0, True, None, "text", "", [], {}, ["a", 1], {"k": 1}, float("inf"),
                 float("-inf"), float("nan"), 10**20, "${var}", {"Ref": "X"}, {"Ref": "X", "Other": 1},
                 "aws_custom", "*", "2000", "image"]
_UNKNOWN_KEYS = ["unknownKey", "x-vendor", "Type", "x-a\n", "200", "007", "+7", "0"]
_SEEDS_PER_EXTENSION = 12
_VALUES_PER_EXTENSION = 500


def _extension_values(data: Any, names: frozenset[str]) -> Iterator[tuple[str, Any]]:
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in names:
                    yield key, value
                stack.append(value)
        elif isinstance(node, list):
            stack += node


def _fixture_values() -> dict[str, list[Any]]:
    names = extensions.extension_names()
    found: dict[str, dict[str, Any]] = {name: {} for name in names}
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix not in (".yaml", ".json"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
            data = json.loads(text) if path.suffix == ".json" else load_yaml(text).data
        except (ValueError, RecursionError):  # not a definition, or one of the deep ones
            continue
        for name, value in _extension_values(data, names):
            found[name].setdefault(json.dumps(value, sort_keys=True, default=str), value)
    seeds = {}
    for name, values in found.items():
        ordered = [values[key] for key in sorted(values, key=lambda key: (len(key), key))]
        step = max(1, len(ordered) // _SEEDS_PER_EXTENSION)
        seeds[name] = ordered[::step][:_SEEDS_PER_EXTENSION] + _WRITTEN.get(name, [])
    # and the schema tests' own examples, valid, dynamic and invalid
    for name, value, *_ in VALID + DYNAMIC + INVALID:
        seeds[name].append(value)
    return seeds


def _places(value: Any) -> list[tuple[Any, ...]]:
    """The path of every node of ``value`` (its root first)."""
    places, stack = [], [((), value)]
    while stack:
        path, node = stack.pop()
        places.append(path)
        if isinstance(node, dict):
            stack += ((path + (key,), item) for key, item in node.items())
        elif isinstance(node, list):
            stack += ((path + (index,), item) for index, item in enumerate(node))
    return places


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    _at(copy, path[:-1])[path[-1]] = new
    return copy


def _changes(node: Any) -> list[Any]:
    """What one node may be changed into."""
    changes = list(_REPLACEMENTS)
    if isinstance(node, str):
        changes += [node.lower(), node.upper(), node.swapcase(), node + "\n", node + "x", "y" * 300]
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        changes += [node + 10**7, -node - 2, 3601, 86401, 600, 99, 10485761, float(node) + 0.5]
    elif isinstance(node, dict):
        for key in _UNKNOWN_KEYS:
            changes.append({**node, key: 1})
        # a pattern property for Python's `$` only (see test_what_only_pythons_regular_expressions_find)
        changes.append({**node, "gatewayresponse.header.X-A\n": "'a'"})
        changes.append({**node, "zzz": 1, "aaa": "b", "mmm": [1]})
        for key in node:
            changes.append({k: v for k, v in node.items() if k != key})  # a required key missing
            if isinstance(key, str):
                changes.append({(k.lower() if k == key else k): v for k, v in node.items()})
                changes.append({(k + "s" if k == key else k): v for k, v in node.items()})
        changes.append({k: 5 for k in node})
    elif isinstance(node, list):
        changes += [node + [5], node + [None, {}], node * 60 if node else ["a"] * 51, []]
    return changes


def _variants(name: str, seeds: list[Any], rng: random.Random) -> list[Any]:
    singles = []
    for seed in seeds:
        for path in _places(seed):
            singles += [(seed, path, change) for change in _changes(_at(seed, path))]
    rng.shuffle(singles)
    values = [_replaced(seed, path, change) for seed, path, change in singles[:_VALUES_PER_EXTENSION]]
    for _ in range(_VALUES_PER_EXTENSION // 5):  # two changes in one value
        seed, path, change = rng.choice(singles)
        first = _replaced(seed, path, change)
        places = [place for place in _places(first) if place[:len(path)] != path and path[:len(place)] != place]
        if places:
            place = rng.choice(places)
            values.append(_replaced(first, place, rng.choice(_changes(_at(first, place)))))
    return values


# --- the tests ---------------------------------------------------------------------------------------


def test_errors_are_those_jsonschema_gave(ordered_extras):
    rng = random.Random(20261205)
    keywords: Counter[str] = Counter()
    compared = 0
    for name, seeds in sorted(_fixture_values().items()):
        assert seeds, name
        for value in _variants(name, seeds, rng):
            if extensions._is_valid(name, value):
                continue
            expected = _reference(name, value)
            assert _new(name, value) == expected, (name, value)
            compared += 1
            keywords.update(error[1] for error in expected)
    assert compared > 3000
    # every keyword of the schemas that can fail outside an `if`
    assert set(keywords) >= {"type", "enum", "const", "pattern", "minimum", "maximum", "minLength", "maxLength",
                             "maxItems", "required", "not"}, keywords


@pytest.mark.parametrize(("name", "value"), [
    ("x-amazon-apigateway-minimum-compression-size", float("inf")),
    ("x-amazon-apigateway-minimum-compression-size", float("-inf")),
    ("x-amazon-apigateway-minimum-compression-size", float("nan")),
    ("x-amazon-apigateway-cors", {"maxAge": float("inf"), "allowCredentials": float("nan")}),
    ("x-amazon-apigateway-integration", {"type": "HTTP", "credentials": float("inf"), "timeoutInMillis": 1.5,
                                         "responses": {"default": {"statusCode": "200\n"}}}),
    ("x-amazon-apigateway-gateway-responses", {"DEFAULT_4XX": {"statusCode": 5000, "responseParameters": {
        "gatewayresponse.header.A\n": "a", "gatewayresponse.header.B": 1, "other": "x"}}}),
    ("x-amazon-apigateway-binary-media-types", ["image/png\n", "image png", 5]),
    ("x-amazon-apigateway-tag-value", (1, 2)),
    ("x-amazon-apigateway-integration", {"uri": "u", "requestTemplates": {"b": 1, "a": 2, "c": "x", "d": []}}),
    ("x-amazon-apigateway-policy", {"Statement": [{"Effect": "allow", "Principal": "AWS"}, {"Action": 5}]}),
    ("x-amazon-apigateway-integration", {"type": "MOCK", "responses": {
        "7": {"statusCode": "2000", "bar": 1}, "007": {"statusCode": 5}, "+7": 1, "200": {"a/b~c": 1}}}),
    ("x-amazon-apigateway-integrations", {"1": {"type": "x"}, "01": {"uri": 1}, "one": {"type": "mock", "0": 1}}),
])
def test_values_json_and_the_two_regex_engines_read_differently(ordered_extras, name, value):
    """Infinite and NaN numbers, a tuple, ``$`` before a final line break, several errors in one object,
    and keys written as numbers (the compiled validator's error paths give them as integers)."""
    assert not extensions._is_valid(name, value)
    assert _new(name, value) == _reference(name, value)


def test_what_only_pythons_regular_expressions_find():
    """The differences known. Where the compiled validator's regular expressions find a problem that
    Python's do not, nothing is reported, as before (``$`` before a final line break, above). Where
    only Python's find one, the compiled validator passed that part of the value and it is not
    reported any more: Python's ``\\s`` also matches the separators U+001C to U+001F and U+0085, and
    a key ending in a line break is a pattern property for Python's ``$``, whose value only
    jsonschema checked against the pattern property's schema."""
    media_types = "x-amazon-apigateway-binary-media-types"
    value = ["image/png\x1c", 5]
    assert _new(media_types, value) == [((1,), "type", "5 is not of type 'string'", False, ())]
    assert [error[:2] for error in _reference(media_types, value)] == [((0,), "pattern"), ((1,), "type")]
    responses = "x-amazon-apigateway-gateway-responses"
    value = {"DEFAULT_4XX": {"responseParameters": {"gatewayresponse.header.A\n": 1}}}
    assert _new(responses, value) == []
    assert [error[1:] for error in _reference(responses, value)] == [("type", "1 is not of type 'string'", False, ())]


def test_a_check_with_schema_errors_imports_neither_jsonschema_nor_referencing(tmp_path):
    definition = tmp_path / "api.yaml"
    definition.write_text(
        "swagger: '2.0'\n"
        "info: {title: t, version: '1'}\n"
        "x-amazon-apigateway-api-key-source: QUERY\n"
        "paths:\n"
        "  /a:\n"
        "    get:\n"
        "      responses: {'200': {description: OK}}\n"
        "      x-amazon-apigateway-integration:\n"
        "        type: http_proxy\n"
        "        httpMethod: GET\n"
        "        uri: https://example.com/\n"
        "        passThroughBehavior: never\n",
        encoding="utf-8")
    probe = (
        "import io, json, sys\n"
        "from contextlib import redirect_stdout\n"
        "from apilint.cli import main\n"
        "out = io.StringIO()\n"
        "with redirect_stdout(out):\n"
        "    try:\n"
        "        main(['check', '--format', 'json', sys.argv[1]])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "codes = sorted({f['code'] for f in json.loads(out.getvalue())['findings']} & {'AG401', 'AG403'})\n"
        "print(codes, 'jsonschema' in sys.modules, 'referencing' in sys.modules)\n"
    )
    completed = subprocess.run([sys.executable, "-c", probe, str(definition)], capture_output=True, text=True,
                               cwd=REPO, timeout=60, check=False)
    assert completed.stdout.strip().splitlines()[-1] == "['AG401', 'AG403'] False False", completed.stderr
