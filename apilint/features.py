"""Which API Gateway features an API uses, and where: ``rules/features.yaml`` evaluated against an API.

The feature table says which API types support each feature and how a feature shows in a definition
or a template (its *signals*). This module only reads the table and matches the signals; it knows
nothing about rules. The API-type mismatch rules report the uses their API type does not support,
and the cost estimator's migration advisor lists what would block a move to another API type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from apilint.model import INTEGRATION, Api, ApiType, Pointer
from apilint.record import Frozen
from apilint.rules import FEATURES_FILE, data_file, rules_dir
from apilint.template import MAPPING_RESOURCES, OWNER_KEYS, arn_parts, referenced_name, refers_to
from apilint.values import NO_VALUE, is_intrinsic, sub_text

if TYPE_CHECKING:
    from apilint.load.source import Source

OPENAPI_PLACES = ("root", "path-item", "operation", "integration", "security-scheme", "server", "tag", "components")
#: The objects of the deployment model (:class:`apilint.model.Api`) a ``deployment`` signal looks at,
#: and the settings each one has (attribute names of the model's classes).
DEPLOYMENT_OBJECTS: dict[str, tuple[str, ...]] = {
    "stage": ("tracing_enabled", "access_log_destination", "cache_cluster_enabled", "cache_cluster_size",
              "client_certificate"),
    "route-settings": ("throttling_burst", "throttling_rate", "caching_enabled", "cache_ttl", "cache_encrypted",
                       "logging_level", "metrics_enabled", "data_trace_enabled"),
    "canary": ("percent_traffic", "use_stage_cache"),
    "waf": ("web_acl", "resource_arn"),
    "usage-plan": ("throttle_burst", "throttle_rate", "quota_limit", "quota_period"),
    "domain": ("endpoint",),
}
SUPPORT_VALUES = (True, False, "unconfirmed")
_INTEGRATIONS = "x-amazon-apigateway-integrations"
_MAPPED_PROPERTIES = ("DomainName", "DomainNameArn")


class FeaturesFileError(Exception):
    """``features.yaml`` does not say what a feature must say, or uses a matcher this module lacks."""


# --- the table ----------------------------------------------------------------------------------------


class Signal(Frozen):
    """One matcher of a feature: an ``openapi``, ``template`` or ``deployment`` kind, as the file's
    header defines."""

    kind: str
    place: str | None  # openapi: the objects looked at; deployment: the model's objects
    resources: tuple[str, ...]
    key: tuple[str, ...]
    equals: tuple[Any, ...] | None
    matches: re.Pattern[str] | None
    where: tuple[tuple[tuple[str, ...], tuple[Any, ...]], ...]
    used: bool
    not_empty: bool

    def __init__(
        self,
        kind: str,
        place: str | None = None,
        resources: tuple[str, ...] = (),
        key: tuple[str, ...] = (),
        equals: tuple[Any, ...] | None = None,
        matches: re.Pattern[str] | None = None,
        where: tuple[tuple[tuple[str, ...], tuple[Any, ...]], ...] = (),
        used: bool = False,
        not_empty: bool = False,
    ) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "place", place)
        object.__setattr__(self, "resources", resources)
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "equals", equals)
        object.__setattr__(self, "matches", matches)
        object.__setattr__(self, "where", where)
        object.__setattr__(self, "used", used)
        object.__setattr__(self, "not_empty", not_empty)


class Feature(Frozen):
    """One row of the feature table."""

    id: str
    title: str
    supported: dict[str, bool | str]
    source: tuple[str, ...]
    note: str | None
    blocks_migration_message: str
    signals: tuple[Signal, ...]

    def __init__(self, id: str, title: str, supported: dict[str, bool | str], source: tuple[str, ...],
                 note: str | None, blocks_migration_message: str, signals: tuple[Signal, ...]) -> None:
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "supported", supported)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "note", note)
        object.__setattr__(self, "blocks_migration_message", blocks_migration_message)
        object.__setattr__(self, "signals", signals)

    def support(self, api_type: ApiType) -> bool | str:
        """True, False or ``"unconfirmed"`` for an API type."""
        return self.supported[api_type.value]


class FeatureUse(Frozen):
    """A feature found in an API: which one, who supports it, where it shows, and what was seen."""

    feature_id: str
    title: str
    supported: dict[str, bool | str]
    at: Pointer
    message: str

    def __init__(self, feature_id: str, title: str, supported: dict[str, bool | str], at: Pointer,
                 message: str) -> None:
        object.__setattr__(self, "feature_id", feature_id)
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "supported", supported)
        object.__setattr__(self, "at", at)
        object.__setattr__(self, "message", message)


def _steps(text: Any, where: str) -> tuple[str, ...]:
    if not isinstance(text, str) or not text:
        raise FeaturesFileError(f"{where}: a path is a non-empty string")
    return tuple(text.split("."))


def _choices(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, list) else (value,)


def _signal(raw: Any, where: str) -> Signal:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise FeaturesFileError(f"{where}: a signal is a mapping with one key, openapi, template or deployment")
    kind, spec = next(iter(raw.items()))
    if kind not in ("openapi", "template", "deployment") or not isinstance(spec, dict):
        raise FeaturesFileError(f"{where}: unknown signal kind {kind!r} (expected openapi, template or deployment)")
    if kind == "deployment":
        return _deployment_signal(spec, where)
    known = {"key", "equals", "matches", "where", "not_empty"} | ({"at", "used"} if kind == "openapi" else {"resource", "property"})
    unknown = set(spec) - known
    if unknown:
        raise FeaturesFileError(f"{where}: unknown field(s) {', '.join(sorted(unknown))} in a {kind} signal")
    place: str | None = None
    resources: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    if kind == "openapi":
        place = spec.get("at")
        if place not in OPENAPI_PLACES:
            raise FeaturesFileError(f"{where}: `at` must be one of {', '.join(OPENAPI_PLACES)}, not {place!r}")
        if "key" in spec:
            key = _steps(spec["key"], where)
        if spec.get("used") and place != "security-scheme":
            raise FeaturesFileError(f"{where}: `used` applies to security-scheme signals only")
    else:
        resources = tuple(str(r) for r in _choices(spec.get("resource")) if r)
        if not resources:
            raise FeaturesFileError(f"{where}: a template signal names its resource type(s)")
        if "property" in spec:
            key = _steps(spec["property"], where)
    where_spec = spec.get("where") or {}
    if not isinstance(where_spec, dict):
        raise FeaturesFileError(f"{where}: `where` is a mapping of paths to values")
    if ("equals" in spec or "matches" in spec or "not_empty" in spec) and not key:
        raise FeaturesFileError(f"{where}: `equals`, `matches` and `not_empty` need a key or property")
    try:
        pattern = re.compile(str(spec["matches"])) if "matches" in spec else None
    except re.error as error:
        raise FeaturesFileError(f"{where}: bad regular expression: {error}") from None
    return Signal(
        kind=kind,
        place=place,
        resources=resources,
        key=key,
        equals=_choices(spec["equals"]) if "equals" in spec else None,
        matches=pattern,
        where=tuple((_steps(path, where), _choices(value)) for path, value in where_spec.items()),
        used=bool(spec.get("used")),
        not_empty=bool(spec.get("not_empty")),
    )


def _deployment_signal(spec: dict[str, Any], where: str) -> Signal:
    """A matcher of the deployment model: an object (``stage``, ``waf``...) and maybe one of its settings."""
    unknown = set(spec) - {"object", "setting", "equals", "matches"}
    if unknown:
        raise FeaturesFileError(f"{where}: unknown field(s) {', '.join(sorted(unknown))} in a deployment signal")
    place = spec.get("object")
    if place not in DEPLOYMENT_OBJECTS:
        raise FeaturesFileError(f"{where}: `object` must be one of {', '.join(DEPLOYMENT_OBJECTS)}, not {place!r}")
    setting = spec.get("setting")
    if setting is not None and setting not in DEPLOYMENT_OBJECTS[place]:
        raise FeaturesFileError(f"{where}: a {place} has no setting {setting!r} "
                                f"(it has {', '.join(DEPLOYMENT_OBJECTS[place])})")
    if ("equals" in spec or "matches" in spec) and setting is None:
        raise FeaturesFileError(f"{where}: `equals` and `matches` need a setting")
    try:
        pattern = re.compile(str(spec["matches"])) if "matches" in spec else None
    except re.error as error:
        raise FeaturesFileError(f"{where}: bad regular expression: {error}") from None
    return Signal(kind="deployment", place=place, key=(setting,) if setting else (),
                  equals=_choices(spec["equals"]) if "equals" in spec else None, matches=pattern)


def _feature(raw: Any, index: int) -> Feature:
    if not isinstance(raw, dict):
        raise FeaturesFileError(f"{FEATURES_FILE}: feature #{index + 1} is not a mapping")
    where = f"{FEATURES_FILE}: feature {raw.get('id', '#' + str(index + 1))}"
    missing = [k for k in ("id", "title", "supported", "source", "blocks_migration_message", "signals") if k not in raw]
    if missing:
        raise FeaturesFileError(f"{where}: missing {', '.join(missing)}")
    supported = raw["supported"]
    if not isinstance(supported, dict) or set(supported) != {t.value for t in ApiType} or any(
        value not in SUPPORT_VALUES for value in supported.values()
    ):
        raise FeaturesFileError(f"{where}: `supported` gives rest, http and websocket each true, false or \"unconfirmed\"")
    signals = raw["signals"] or []
    if not isinstance(signals, list):
        raise FeaturesFileError(f"{where}: `signals` is a list")
    return Feature(
        id=str(raw["id"]),
        title=str(raw["title"]),
        supported={str(k): v for k, v in supported.items()},
        source=tuple(str(s) for s in _choices(raw["source"])),
        note=str(raw["note"]) if raw.get("note") else None,
        blocks_migration_message=str(raw["blocks_migration_message"]),
        signals=tuple(_signal(s, f"{where}, signal {n + 1}") for n, s in enumerate(signals)),
    )


@lru_cache(maxsize=1)
def load_features() -> tuple[Feature, ...]:
    """Every feature of ``rules/features.yaml``, in file order."""
    data = data_file(rules_dir() / FEATURES_FILE)
    raw = data.get("features") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise FeaturesFileError(f"{FEATURES_FILE}: expected a top-level `features` list")
    features = tuple(_feature(item, index) for index, item in enumerate(raw))
    ids = [f.id for f in features]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise FeaturesFileError(f"{FEATURES_FILE}: duplicate feature id(s) {', '.join(duplicates)}")
    return features


@lru_cache(maxsize=1)
def feature_index() -> Mapping[str, Feature]:
    """Features by id."""
    return MappingProxyType({f.id: f for f in load_features()})


@lru_cache(maxsize=64)  # one per rule that names features, and what the configuration names
def _features_of(ids: frozenset[str]) -> tuple[Feature, ...]:
    """The features with these ids, in table order."""
    return tuple(feature for feature in load_features() if feature.id in ids)


def unknown_feature_ids(ids: Iterable[str]) -> list[str]:
    """The ids that name no feature (for checking rule options)."""
    index = feature_index()
    return [i for i in ids if i not in index]


# --- values -------------------------------------------------------------------------------------------


def _same(value: Any, wanted: Any) -> bool:
    # True == 1 in Python; a YAML boolean and a number are different values here
    if isinstance(value, bool) or isinstance(wanted, bool):
        return isinstance(value, bool) and isinstance(wanted, bool) and value is wanted
    if wanted is None:
        return value is None
    if isinstance(value, (int, float)) and isinstance(wanted, (int, float)):
        return value == wanted
    return type(value) is type(wanted) and value == wanted


def _equals(value: Any, choices: tuple[Any, ...]) -> bool:
    if type(value) is str:
        return value in choices  # what _same says: a string equals only the same string
    values = value if isinstance(value, list) else [value]
    return any(_same(v, c) for v in values for c in choices)


def _joined_text(value: Any) -> str | None:
    """An ``Fn::Join`` with an empty delimiter as text: its literal parts, each reference as ``${...}``."""
    parts = arn_parts(value) if isinstance(value, dict) else None
    if parts is None:
        return None
    return "".join(part if isinstance(part, str) else "${}" for part in parts)


def _matches(value: Any, pattern: re.Pattern[str]) -> bool:
    values = value if isinstance(value, list) else [value]
    for item in values:
        text = sub_text(item)
        if text is None:
            text = _joined_text(item)
        if text is not None and pattern.search(text):
            return True
    return False


def _value_matches(signal: Signal, value: Any) -> bool:
    """Whether a value found at the signal's key passes its ``equals``, ``matches`` and ``not_empty``."""
    if signal.equals is not None and not _equals(value, signal.equals):
        return False
    if signal.matches is not None and not _matches(value, signal.matches):
        return False
    return not signal.not_empty or (isinstance(value, (list, dict, str)) and bool(value) and not is_intrinsic(value))


class _Walker:
    """Follows a path of steps through data, ``$ref`` objects resolved along the way."""

    def __init__(self, api: Api):
        self.api = api

    def values(self, node: Any, source: Source, path: tuple[Any, ...],
               steps: tuple[str, ...]) -> Iterator[tuple[Any, Source, tuple[Any, ...]]]:
        """Every value the path of steps reaches from ``node`` (at ``path`` in ``source``), with the file
        and path it is at; nothing where the path does not exist. Plain paths, not pointers: a caller
        makes a pointer only for a value it reports."""
        if not steps:
            if node != NO_VALUE:
                yield node, source, path
            return
        step, rest = steps[0], steps[1:]
        if isinstance(node, dict) and "$ref" in node and step != "$ref":
            node, at = self.api.deref(node, Pointer(source, path))
            source, path = at.source, at.path
        if is_intrinsic(node):
            return  # decided at deploy time: neither present nor absent
        if step == "*":
            if isinstance(node, dict):
                for key, child in node.items():
                    yield from self.values(child, source, path + (key,), rest)
            elif isinstance(node, list):
                for index, child in enumerate(node):
                    yield from self.values(child, source, path + (index,), rest)
        elif isinstance(node, dict) and step in node:
            yield from self.values(node[step], source, path + (step,), rest)

    def holds(self, node: Any, at: Pointer, where: tuple[tuple[tuple[str, ...], tuple[Any, ...]], ...]) -> bool:
        """Whether every ``where`` test holds on the object (``null`` holds for a missing path)."""
        for path, choices in where:
            found = [value for value, _, _ in self.values(node, at.source, at.path, path)]
            if not found:
                if not any(c is None for c in choices):
                    return False
            elif not any(_equals(value, choices) for value in found):
                return False
        return True


def _relative(base: Pointer, source: Source, path: tuple[Any, ...], key: tuple[str, ...]) -> tuple[str, ...]:
    """The steps from an object to a value found in it; the signal's key when a ``$ref`` was crossed."""
    if source is base.source and path[:len(base.path)] == base.path and len(path) - len(base.path) == len(key):
        return tuple(str(step) for step in path[len(base.path):])
    return key


def _describe(key: tuple[str, ...], value: Any, signal: Signal) -> str:
    name = ".".join(key)
    if (signal.equals is not None or signal.matches is not None) and isinstance(value, (str, int, float, bool)):
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        return f"`{name}: {shown}`"
    return f"`{name}`"


# --- OpenAPI signals --------------------------------------------------------------------------------


class _Place(Frozen):
    """An object an OpenAPI signal looks at, and how to name it in a message."""

    data: Any
    at: Pointer
    label: str
    name: str | None

    def __init__(self, data: Any, at: Pointer, label: str, name: str | None = None) -> None:
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "at", at)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "name", name)


def _root_places(api: Api) -> tuple[_Place, ...]:
    doc, at = api.root()
    return (_Place(doc, at, "at the document root"),)


def _path_item_places(api: Api) -> tuple[_Place, ...]:
    doc, at = api.root()
    paths = doc.get("paths")
    if not isinstance(paths, dict):
        return ()
    found = []
    for key, item in paths.items():
        item, item_at = api.deref(item, at.child("paths", key))
        if isinstance(item, dict):
            found.append(_Place(item, item_at, f"in path {key}"))
    return tuple(found)


def _operation_places(api: Api) -> tuple[_Place, ...]:
    return tuple(_Place(operation.data, operation.at, f"in {operation.label}") for operation in api.operations())


def _integration_places(api: Api) -> tuple[_Place, ...]:
    found = []
    seen: set[tuple[Any, ...]] = set()
    doc, doc_at = api.root()
    components = doc.get("components")
    shared = components.get(_INTEGRATIONS) if isinstance(components, dict) else None
    shared_at = doc_at.child("components", _INTEGRATIONS)
    for operation in api.operations():
        raw = operation.data.get(INTEGRATION)
        if not isinstance(raw, dict) or is_intrinsic(raw):
            continue
        at = operation.at.child(INTEGRATION)
        label = f"in the integration of {operation.label}"
        if "$ref" in raw:
            found.append(_Place(raw, at, label))  # the reference itself (only HTTP APIs can share integrations)
            target, target_at = api.deref(raw, at)
            if not isinstance(target, dict) or target_at.path[:len(shared_at.path)] == shared_at.path:
                continue  # shared integrations are looked at once, below
            raw, at = target, target_at
        key = (at.source.display, at.path)
        if key not in seen:
            seen.add(key)
            found.append(_Place(raw, at, label))
    if isinstance(shared, dict):
        for name, integration in shared.items():
            integration, at = api.deref(integration, shared_at.child(name))
            if isinstance(integration, dict) and not is_intrinsic(integration):
                found.append(_Place(integration, at, f"in the shared integration {name!r}"))
    return tuple(found)


def _security_scheme_places(api: Api) -> tuple[_Place, ...]:
    return tuple(_Place(scheme, at, f"in security scheme {name!r}", name)
                 for name, (scheme, at) in api.security_schemes().items())


def _server_places(api: Api) -> tuple[_Place, ...]:
    doc, at = api.root()
    servers = doc.get("servers")
    if not isinstance(servers, list):
        return ()
    found = []
    for index, server in enumerate(servers):
        server, server_at = api.deref(server, at.child("servers", index))
        if isinstance(server, dict):
            found.append(_Place(server, server_at, f"in server {index + 1}"))
    return tuple(found)


def _tag_places(api: Api) -> tuple[_Place, ...]:
    doc, at = api.root()
    tags = doc.get("tags")
    if not isinstance(tags, list):
        return ()
    found = []
    for index, tag in enumerate(tags):
        if isinstance(tag, dict):
            name = tag.get("name")
            found.append(_Place(tag, at.child("tags", index), f"in tag {name!r}" if isinstance(name, str) else "in a tag"))
    return tuple(found)


def _components_places(api: Api) -> tuple[_Place, ...]:
    doc, at = api.root()
    components = doc.get("components")
    return (_Place(components, at.child("components"), "in components"),) if isinstance(components, dict) else ()


#: How the objects of each ``at`` name of the feature table are found.
_PLACES: dict[str, Callable[[Api], tuple[_Place, ...]]] = {
    "root": _root_places, "path-item": _path_item_places, "operation": _operation_places,
    "integration": _integration_places, "security-scheme": _security_scheme_places, "server": _server_places,
    "tag": _tag_places, "components": _components_places,
}


def _places(api: Api, place: str) -> tuple[_Place, ...]:
    """The objects of the document an ``at`` name of the feature table names (found once per API)."""
    return api.derived(_PLACES[place])


def _used_schemes(api: Api) -> frozenset[str]:
    """Names of the security schemes some security requirement of the document names."""
    doc, _ = api.root()
    used: set[str] = set()
    for requirements in [doc.get("security")] + [p.data.get("security") for p in _places(api, "operation")]:
        for requirement in requirements if isinstance(requirements, list) else ():
            if isinstance(requirement, dict):
                used.update(str(name) for name in requirement)
    return frozenset(used)


def _openapi_uses(api: Api, signal: Signal, walker: _Walker) -> Iterator[tuple[Pointer, str]]:
    assert signal.place is not None
    used = api.derived(_used_schemes) if signal.used else None
    for place in _places(api, signal.place):
        if not isinstance(place.data, dict):
            continue
        if used is not None and place.name not in used:
            continue
        if signal.where and not walker.holds(place.data, place.at, signal.where):
            continue
        if not signal.key:
            yield place.at, f"{_shape(signal)} {place.label}"
            continue
        first = signal.key[0]
        if first != "*" and first not in place.data and "$ref" not in place.data:
            continue  # most objects lack the key: no walk begins
        for value, source, path in walker.values(place.data, place.at.source, place.at.path, signal.key):
            if not _value_matches(signal, value):
                continue
            shown = _relative(place.at, source, path, signal.key)
            yield Pointer(source, path), f"{_describe(shown, value, signal)} {place.label}"


def _shape(signal: Signal) -> str:
    if signal.where:
        tests = ", ".join(f"{'.'.join(path)}: {'/'.join(str(c) for c in choices if c is not None) or 'unset'}"
                          for path, choices in signal.where)
        return f"an object with {tests}"
    return "an object"


# --- template signals -------------------------------------------------------------------------------


class _Resource(Frozen):
    """A template resource tied to the API, with the properties a signal reads."""

    logical_id: str
    type: str
    properties: dict[str, Any]
    at: Pointer  # the resource
    properties_at: Pointer
    is_api: bool
    linked_events: frozenset[str] | None  # AWS::Serverless::Function: events tied to the API

    def __init__(self, logical_id: str, type: str, properties: dict[str, Any], at: Pointer,
                 properties_at: Pointer, is_api: bool = False, linked_events: frozenset[str] | None = None) -> None:
        object.__setattr__(self, "logical_id", logical_id)
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "properties", properties)
        object.__setattr__(self, "at", at)
        object.__setattr__(self, "properties_at", properties_at)
        object.__setattr__(self, "is_api", is_api)
        object.__setattr__(self, "linked_events", linked_events)


def _template_resources(api: Api) -> tuple[_Resource, ...]:
    """The API's own resource and every resource tied to it (found once per API).

    A resource is tied to the API when its properties refer to the API; a custom domain is tied when
    a mapping tied to the API names it; a SAM function is tied through the events that name the API.
    """
    context = api.resource
    if context is None:
        return ()
    logical_id = context.name
    result = [_Resource(logical_id, context.type, api.properties, context.at, context.resource.properties_at,
                        is_api=True)]
    domains: set[str] = set()
    for other in context.siblings.values():
        if other.name == logical_id:
            continue
        kind, props = other.type, other.properties
        if kind == "AWS::Serverless::Function":
            events = props.get("Events")
            linked = frozenset(
                str(name) for name, event in (events.items() if isinstance(events, dict) else ())
                if isinstance(event, dict) and isinstance(event.get("Properties"), dict)
                and any(refers_to(event["Properties"].get(k), logical_id) for k in OWNER_KEYS)
            )
            if linked:
                result.append(_Resource(other.name, kind, props, other.at, other.properties_at, linked_events=linked))
            continue
        if not props or not refers_to(props, logical_id):
            continue
        result.append(_Resource(other.name, kind, props, other.at, other.properties_at))
        if kind in MAPPING_RESOURCES:
            for key in _MAPPED_PROPERTIES:
                target = referenced_name(props.get(key))
                if target is not None:
                    domains.add(target)
    for domain_id in sorted(domains - {r.logical_id for r in result}):
        domain = context.siblings.get(domain_id)
        if domain is not None and domain.properties:
            result.append(_Resource(domain_id, domain.type, domain.properties, domain.at, domain.properties_at))
    return tuple(result)


def _template_uses(api: Api, signal: Signal, resources: tuple[_Resource, ...],
                   walker: _Walker) -> Iterator[tuple[Pointer, str]]:
    for resource in resources:
        if resource.type not in signal.resources:
            continue
        label = f"{resource.type} {resource.logical_id}"
        if signal.where and not walker.holds(resource.properties, resource.properties_at, signal.where):
            continue
        if not signal.key:
            if signal.where:
                yield resource.at, f"{label} ({_shape(signal)[len('an object with '):]})"
            else:
                yield resource.at, label
            continue
        base = resource.properties_at
        for value, source, path in walker.values(resource.properties, base.source, base.path, signal.key):
            relative = path[len(base.path):]
            if resource.linked_events is not None and (
                    len(relative) < 2 or relative[0] != "Events" or str(relative[1]) not in resource.linked_events):
                continue
            if not _value_matches(signal, value):
                continue
            at = api.property_at(*relative) if resource.is_api else Pointer(source, path)
            shown = tuple(str(step) for step in relative)
            yield at, f"{_describe(shown, value, signal)} of {label}"


# --- deployment signals -----------------------------------------------------------------------------


def _deployment_objects(api: Api, name: str) -> Iterator[Any]:
    """The model's objects of one kind: the same for CloudFormation, SAM and Terraform."""
    if name == "stage":
        yield from api.stages
    elif name == "route-settings":
        for stage in api.stages:
            yield from stage.route_settings
    elif name == "canary":
        yield from (stage.canary for stage in api.stages if stage.canary is not None)
    elif name == "waf":
        yield from api.waf
    elif name == "usage-plan":
        yield from api.usage_plans
    elif name == "domain":
        yield from api.domains


def _written_in(api: Api, at: Pointer) -> tuple[str, tuple[str, ...]]:
    """How a message names what a setting is written in, and the setting's steps inside it: the
    template resource or Terraform block that holds it (``AWS::ApiGateway::Stage Prod``,
    ``aws_api_gateway_stage.prod``), else the API's resource (a SAM ``Globals`` section)."""
    context = api.resource
    if context is None:
        return "the deployment", tuple(str(step) for step in at.path)
    holder = None
    for resource in context.siblings.values():
        base = resource.at
        if base.source is at.source and at.path[:len(base.path)] == base.path and (
                holder is None or len(base.path) > len(holder.at.path)):
            holder = resource
    if holder is None:
        steps = at.path[2:] if at.path[:1] == ("Globals",) else at.path
        return f"{context.type} {context.name}", tuple(str(step) for step in steps)
    inner = holder.properties_at.path
    steps = at.path[len(inner):] if at.path[:len(inner)] == inner else ()
    if holder.name.startswith(holder.type + "."):  # a Terraform block: written as Terraform addresses it
        written = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in steps).lstrip(".")
        return holder.name, (written,) if written else ()
    return f"{holder.type} {holder.name}", tuple(str(step) for step in steps)


def _deployment_uses(api: Api, signal: Signal) -> Iterator[tuple[Pointer, str]]:
    assert signal.place is not None
    for item in _deployment_objects(api, signal.place):
        if signal.key:
            setting = getattr(item, signal.key[0])
            if setting.at is None or not _value_matches(signal, setting.value):
                continue
            at, value = setting.at, setting.value
        else:
            at, value = item.at, None
        label, steps = _written_in(api, at)
        if not steps:
            yield at, label
        elif signal.key:
            yield at, f"{_describe(steps, value, signal)} of {label}"
        else:
            yield at, f"`{'.'.join(steps)}` of {label}"


# --- detection ----------------------------------------------------------------------------------------


def detect_features(api: Api, only: Iterable[str] | None = None) -> list[FeatureUse]:
    """Every use of a feature in the API: one entry per feature and place, in table order.

    ``only`` limits the search to some feature ids (unknown ids raise :class:`KeyError`).
    """
    index = feature_index()
    if only is None:
        features: Iterable[Feature] = load_features()
    else:
        wanted = list(only)
        missing = [i for i in wanted if i not in index]
        if missing:
            raise KeyError(f"unknown feature id(s): {', '.join(missing)}")
        features = _features_of(frozenset(wanted))
    walker = _Walker(api)
    uses: list[FeatureUse] = []
    for feature in features:
        seen: set[tuple[str, tuple[Any, ...]]] = set()
        for signal in feature.signals:
            if signal.kind == "openapi":
                if api.document is None:
                    continue
                found = _openapi_uses(api, signal, walker)
            elif signal.kind == "deployment":
                found = _deployment_uses(api, signal)
            else:
                found = _template_uses(api, signal, api.derived(_template_resources), walker)
            for at, message in found:
                key = (at.source.display, at.path)
                if key in seen:
                    continue
                seen.add(key)
                uses.append(FeatureUse(feature.id, feature.title, dict(feature.supported), at, message))
    return uses


__all__ = ["Feature", "FeatureUse", "FeaturesFileError", "Signal", "detect_features", "feature_index",
           "load_features", "unknown_feature_ids"]
