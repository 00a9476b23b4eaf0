"""Usage: how much traffic each API has, from command-line flags or a usage file.

Counts accept ``5000000``, ``5,000,000``, ``432M``, ``1.08M``, ``15B``. The usage file is YAML,
validated against ``apilint/data/usage.schema.json``; every error names its file, line and column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from apilint.cost.errors import CostError, Problem, UsageFileError
from apilint.model import ApiType, EndpointType

USAGE_SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "usage.schema.json"
DEFAULT_HOURS_PER_MONTH = Decimal(730)
DEFAULT_MESSAGES_PER_REQUEST = Decimal(2)
DEFAULT_CONNECTION_MINUTES_PER_REQUEST = Decimal(1)
QUANTITY_EXAMPLES = "a count such as 5000000, 432M, 1.08M or 15B"
_QUANTITY = re.compile(
    r"^(?P<number>[0-9]+(?:[,_][0-9]{3})*(?:\.[0-9]+)?|\.[0-9]+)\s*(?P<suffix>[KkMmBbTt]?)$"
)
_SUFFIXES = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}
_NUMBER = re.compile(r"^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_ROUTE = re.compile(r"^(?P<method>[A-Za-z]+) (?P<path>/\S*)$")


# --------------------------------------------------------------------------- the typed usage


@dataclass(frozen=True)
class RouteUsage:
    """Monthly calls of one route (``GET /orders``) or of a whole API, with average payload sizes."""

    route: str
    requests: Decimal
    request_size_kb: Decimal = Decimal(0)
    response_size_kb: Decimal = Decimal(0)


@dataclass(frozen=True)
class WebSocketUsage:
    """WebSocket traffic as given: messages sent plus received, their size, connection minutes."""

    messages: Decimal | None = None
    message_size_kb: Decimal | None = None
    connection_minutes: Decimal | None = None
    #: Of the messages, those clients receive (the API sends), when the usage says.
    outbound_messages: Decimal | None = None


@dataclass(frozen=True)
class Projection:
    """How request traffic would look on WebSocket, and which of these values the user gave."""

    messages_per_request: Decimal = DEFAULT_MESSAGES_PER_REQUEST
    connection_minutes_per_request: Decimal = DEFAULT_CONNECTION_MINUTES_PER_REQUEST
    given: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ApiUsage:
    """One API: its current type, traffic, cache and how to project it onto other types."""

    name: str
    current_type: ApiType = ApiType.REST
    routes: tuple[RouteUsage, ...] = ()
    by_route: bool = False
    endpoint_type: EndpointType | None = None
    cache_size_gb: Decimal | None = None
    #: More stage caches of the same API (a template with several caching stages): each is its own
    #: cache cluster, billed by the hour like the first.
    more_caches_gb: tuple[Decimal, ...] = ()
    vpc_endpoint_azs: int = 0
    websocket: WebSocketUsage = WebSocketUsage()
    projection: Projection = Projection()
    definition: str | None = None
    derivations: tuple[str, ...] = ()
    #: Whether the usage says the current type, the endpoint type and the cache size; when it does
    #: not, what the API's definition says is used.
    type_given: bool = False
    endpoint_given: bool = False

    @property
    def requests(self) -> Decimal:
        """Monthly calls over all routes."""
        return sum((route.requests for route in self.routes), Decimal(0))


@dataclass(frozen=True)
class UsageProfile:
    """Every API of a review and the settings the usage file gave (None: not given)."""

    apis: tuple[ApiUsage, ...]
    region: str | None = None
    hours_per_month: Decimal | None = None
    free_tier: bool | None = None


# --------------------------------------------------------------------------- parsing values


def parse_quantity(value: Any, what: str, whole: bool = True) -> Decimal:
    """A monthly count: ``5000000``, ``5,000,000``, ``432M``, ``1.08M``, ``15B`` (K, M, B, T suffixes)."""
    if isinstance(value, bool):
        raise CostError(f"{what}: expected {QUANTITY_EXAMPLES}, got {value!r}")
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        match = _QUANTITY.match(str(value).strip())
        if match is None:
            raise CostError(f"{what}: expected {QUANTITY_EXAMPLES}, got {str(value)!r}")
        digits = match.group("number").replace(",", "").replace("_", "")
        number = Decimal(digits) * _SUFFIXES[match.group("suffix").lower()]
    if not number.is_finite() or number < 0:
        raise CostError(f"{what}: expected {QUANTITY_EXAMPLES}, got {value!r}")
    if number == number.to_integral_value():
        return Decimal(int(number))
    if whole:
        raise CostError(f"{what}: {value} is not a whole number")
    return number


def parse_number(value: Any, what: str, positive: bool = False) -> Decimal:
    """A plain non-negative decimal such as ``12`` or ``0.3`` (positive when asked)."""
    if isinstance(value, bool):
        raise CostError(f"{what}: expected a number, got {value!r}")
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = str(value).strip()
        if not _NUMBER.match(text):
            raise CostError(f"{what}: expected a number such as 12 or 0.5, got {text!r}")
        number = Decimal(text)
    if not number.is_finite() or number < 0 or (positive and number == 0):
        kind = "a positive" if positive else "a non-negative"
        raise CostError(f"{what}: expected {kind} number, got {value!r}")
    return number


def parse_route(text: str, what: str) -> str:
    """``get /orders`` -> ``GET /orders``; ``$default`` stays as it is."""
    text = text.strip()
    if text == "$default":
        return text
    match = _ROUTE.match(text)
    if match is None:
        raise CostError(f"{what}: expected a route such as 'GET /orders' or '$default', got {text!r}")
    return f"{match.group('method').upper()} {match.group('path')}"


def parse_choice(value: str, what: str, choices: type[ApiType | EndpointType]) -> Any:
    """An enum member from its value, with the choices in the error."""
    try:
        return choices(value.strip().lower())
    except ValueError:
        allowed = ", ".join(member.value for member in choices)
        raise CostError(f"{what}: expected one of {allowed}, got {value!r}") from None


# --------------------------------------------------------------------------- flags


@dataclass(frozen=True)
class UsageFlags:
    """The traffic flags of ``apilint cost`` as typed on the command line (None: not given)."""

    api_type: str | None = None
    requests: str | None = None
    request_size_kb: str | None = None
    response_size_kb: str | None = None
    cache_size_gb: str | None = None
    messages: str | None = None
    message_size_kb: str | None = None
    connection_minutes: str | None = None
    messages_per_request: str | None = None
    connection_minutes_per_request: str | None = None
    endpoint_type: str | None = None
    vpc_endpoint_azs: str | None = None
    clients: str | None = None
    session_minutes: str | None = None
    sessions_per_day: str | None = None
    days_per_month: str | None = None
    messages_sent_per_day: str | None = None
    messages_received_per_day: str | None = None

    def given(self) -> list[str]:
        """The flags that were given, spelled as on the command line."""
        return ["--" + name.replace("_", "-") for name, value in vars(self).items() if value is not None]


def _optional(value: str | None, parse: Any, what: str, **options: Any) -> Decimal | None:
    return None if value is None else parse(value, what, **options)


def usage_from_flags(flags: UsageFlags, name: str = "API") -> ApiUsage:
    """One API's usage from the quick-case flags."""
    current = parse_choice(flags.api_type, "--api-type", ApiType) if flags.api_type else ApiType.REST
    requests = _optional(flags.requests, parse_quantity, "--requests")
    routes: tuple[RouteUsage, ...] = ()
    if requests is not None:
        routes = (
            RouteUsage(
                "(all routes)",
                requests,
                _optional(flags.request_size_kb, parse_number, "--request-size-kb") or Decimal(0),
                _optional(flags.response_size_kb, parse_number, "--response-size-kb") or Decimal(0),
            ),
        )
    elif flags.request_size_kb is not None or flags.response_size_kb is not None:
        raise CostError("--request-size-kb and --response-size-kb need --requests")
    websocket = WebSocketUsage(
        messages=_optional(flags.messages, parse_quantity, "--messages"),
        message_size_kb=_optional(flags.message_size_kb, parse_number, "--message-size-kb"),
        connection_minutes=_optional(
            flags.connection_minutes, parse_quantity, "--connection-minutes", whole=False
        ),
    )
    websocket, derivations = _clients_from_flags(flags, websocket, name)
    api = ApiUsage(
        name=name,
        current_type=current,
        routes=routes,
        endpoint_type=parse_choice(flags.endpoint_type, "--endpoint-type", EndpointType)
        if flags.endpoint_type
        else None,
        cache_size_gb=_optional(flags.cache_size_gb, parse_number, "--cache-size-gb", positive=True),
        vpc_endpoint_azs=int(_optional(flags.vpc_endpoint_azs, parse_quantity, "--vpc-endpoint-azs") or 0),
        websocket=websocket,
        projection=_projection_from(
            flags.messages_per_request,
            flags.connection_minutes_per_request,
            ("--messages-per-request", "--connection-minutes-per-request"),
        ),
        derivations=derivations,
        type_given=flags.api_type is not None,
        endpoint_given=flags.endpoint_type is not None,
    )
    problems = check_api(api)
    if problems:
        raise CostError("\n".join(problems))
    return api


def _clients_from_flags(
    flags: UsageFlags, websocket: WebSocketUsage, name: str
) -> tuple[WebSocketUsage, tuple[str, ...]]:
    """WebSocket traffic from --clients and the session flags, which need --clients."""
    session_flags = {
        "--session-minutes": flags.session_minutes,
        "--sessions-per-day": flags.sessions_per_day,
        "--days-per-month": flags.days_per_month,
        "--messages-sent-per-day": flags.messages_sent_per_day,
        "--messages-received-per-day": flags.messages_received_per_day,
    }
    if flags.clients is None:
        given = [flag for flag, value in session_flags.items() if value is not None]
        if given:
            raise CostError(f"{', '.join(given)} describe WebSocket clients: give --clients too")
        return websocket, ()
    if flags.session_minutes is None:
        raise CostError("--clients needs --session-minutes (how long each client stays connected)")
    if websocket.connection_minutes is not None:
        raise CostError("give --connection-minutes or --clients, not both")
    clients = Clients(
        count=parse_quantity(flags.clients, "--clients"),
        session_minutes=parse_number(flags.session_minutes, "--session-minutes"),
        sessions_per_day=_optional(flags.sessions_per_day, parse_number, "--sessions-per-day"),
        days_per_month=_optional(flags.days_per_month, parse_number, "--days-per-month"),
        sent_per_day=_optional(flags.messages_sent_per_day, parse_quantity, "--messages-sent-per-day", whole=False),
        received_per_day=_optional(
            flags.messages_received_per_day, parse_quantity, "--messages-received-per-day", whole=False
        ),
    )
    if clients.counts_messages and websocket.messages is not None:
        raise CostError("give --messages or the clients' messages per day, not both")
    traffic = clients.traffic(name)
    messages, outbound = websocket.messages, None
    if traffic.messages is not None:
        messages, outbound = traffic.messages, traffic.outbound
    return WebSocketUsage(messages, websocket.message_size_kb, traffic.minutes, outbound), traffic.derivations


def _projection_from(
    messages_per_request: Any, minutes_per_request: Any, names: tuple[str, str]
) -> Projection:
    given = set()
    messages = DEFAULT_MESSAGES_PER_REQUEST
    minutes = DEFAULT_CONNECTION_MINUTES_PER_REQUEST
    if messages_per_request is not None:
        messages = parse_number(messages_per_request, names[0])
        if messages < 1:
            raise CostError(
                f"{names[0]}: expected at least 1 (the message that carries the request), got {messages}"
            )
        given.add("messages_per_request")
    if minutes_per_request is not None:
        minutes = parse_number(minutes_per_request, names[1])
        given.add("connection_minutes_per_request")
    return Projection(messages, minutes, frozenset(given))


def check_api(api: ApiUsage) -> list[str]:
    """What is wrong with an API's usage as a whole (limits, missing traffic), as messages."""
    from apilint.cost.prices import load_rules

    rules = load_rules()
    problems = []
    has_traffic = api.routes or any(
        value is not None for value in (api.websocket.messages, api.websocket.connection_minutes)
    )
    if not has_traffic and api.cache_size_gb is None:
        problems.append(
            f"{api.name}: no traffic given; give requests, WebSocket messages or connection minutes, "
            "or a cache size"
        )
    for route in api.routes:
        if route.request_size_kb > rules.payload_limit_kb:
            problems.append(
                f"{api.name}: request size {route.request_size_kb} KB of {route.route} is over the "
                f"{rules.payload_limit_kb} KB (10 MB) payload limit of REST and HTTP APIs"
            )
    size = api.websocket.message_size_kb
    if size is not None and size > rules.websocket_message_limit_kb:
        problems.append(
            f"{api.name}: message size {size} KB is over the {rules.websocket_message_limit_kb} KB "
            "limit of WebSocket messages"
        )
    for size in (api.cache_size_gb, *api.more_caches_gb):
        if size is not None and rules.cache_size_at_least(size) is None:
            problems.append(
                f"{api.name}: cache size {size} GB is larger than the largest API Gateway cache "
                f"({rules.cache_sizes_gb[-1]} GB)"
            )
    return problems


# --------------------------------------------------------------------------- usage file


@lru_cache(maxsize=1)
def usage_schema() -> dict[str, Any]:
    """The JSON Schema of usage files."""
    with USAGE_SCHEMA_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


class _At(Exception):
    """A problem at a path inside the usage document; the loader turns the path into a position."""

    def __init__(self, path: Sequence[str | int], message: str, on_key: bool = False):
        super().__init__(message)
        self.path = tuple(path)
        self.message = message
        self.on_key = on_key


def load_usage_file(path: Path, text: str | None = None) -> UsageProfile:
    """Read, validate and convert a usage file; problems raise :class:`UsageFileError` with positions.

    ``text`` is the file's content when it comes from elsewhere than the disk (a git revision).
    """
    name = str(path)
    document = _load_yaml(path, text)
    problems = [_located(document, name, at) for at in _schema_problems(document)]
    if problems:
        raise UsageFileError(problems)
    try:
        return _profile(document)
    except _At as at:
        raise UsageFileError([_located(document, name, at)]) from None


def _load_yaml(path: Path, text: str | None = None) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError

    if text is None:
        if path.is_dir():
            raise CostError(f"usage file {path} is a directory")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CostError(f"cannot read usage file {path}: {error.strerror or error}") from None
        except UnicodeDecodeError:
            raise CostError(f"usage file {path} is not UTF-8 text") from None
    try:
        document = YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise UsageFileError(
            [Problem(str(path), line, column, f"YAML: {error.problem or error.context}")]
        ) from None
    except RecursionError:  # collections nested thousands deep: the YAML reader recurses
        raise UsageFileError(
            [Problem(str(path), 1, 1, "the file nests deeper than the YAML reader can follow; a usage file is a "
                                      "few levels deep")]
        ) from None
    if document is None:
        raise UsageFileError(
            [Problem(str(path), 1, 1, "the usage file is empty; expected a mapping with 'apis'")]
        )
    return document


def _position(document: Any, path: Sequence[str | int], on_key: bool) -> tuple[int, int]:
    """The 1-based line and column of the node at ``path``, or of its nearest existing parent."""
    node, line, column = document, 0, 0
    for index, step in enumerate(path):
        last = index == len(path) - 1
        if isinstance(node, dict) and step in node and hasattr(node, "lc"):
            line, column = node.lc.key(step) if (on_key or not last) else node.lc.value(step)
            node = node[step]
        elif (
            isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node) and hasattr(node, "lc")
        ):
            line, column = node.lc.item(step)
            node = node[step]
        else:
            break
    return line + 1, column + 1


def _located(document: Any, name: str, at: _At) -> Problem:
    line, column = _position(document, at.path, at.on_key)
    return Problem(name, line, column, at.message)


def _schema_problems(document: Any) -> list[_At]:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(usage_schema())
    found = []
    for error in validator.iter_errors(document):
        found.extend(_explain(error))
    return found


def _explain(error: Any) -> list[_At]:
    path = list(error.absolute_path)
    prefix = f"{path[-1]}: " if path and isinstance(path[-1], str) else ""
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        extras = [name for name in error.instance if name not in allowed]
        return [
            _At(path + [extra], f"unknown key {extra!r}; expected one of: {', '.join(allowed)}", on_key=True)
            for extra in extras
        ]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return [_At(path, f"{prefix}missing required key {missing!r}", on_key=True)]
    custom = error.schema.get("x-error") if isinstance(error.schema, dict) else None
    if custom:
        return [_At(path, f"{prefix}expected {custom}, got {error.instance!r}")]
    return [_At(path, prefix + error.message)]


def _profile(document: Mapping[str, Any]) -> UsageProfile:
    apis = tuple(_api(item, ["apis", index]) for index, item in enumerate(document["apis"]))
    seen: dict[str, int] = {}
    for index, api in enumerate(apis):
        if api.name in seen:
            raise _At(
                ["apis", index, "name"],
                f"name: API {api.name!r} is already described (apis item {seen[api.name] + 1})",
            )
        seen[api.name] = index
    hours = document.get("hours_per_month")
    return UsageProfile(
        apis=apis,
        region=document.get("region"),
        hours_per_month=None
        if hours is None
        else _value(parse_number, hours, ["hours_per_month"], positive=True),
        free_tier=document.get("free_tier"),
    )


def _value(parse: Any, raw: Any, path: list[str | int], **options: Any) -> Any:
    try:
        return parse(raw, str(path[-1]), **options)
    except CostError as error:
        raise _At(path, str(error)) from None


def _maybe(parse: Any, item: Mapping[str, Any], key: str, path: list[str | int], **options: Any) -> Any:
    return None if item.get(key) is None else _value(parse, item[key], path + [key], **options)


def _api(item: Mapping[str, Any], path: list[str | int]) -> ApiUsage:
    request_kb = _maybe(parse_number, item, "request_size_kb", path) or Decimal(0)
    response_kb = _maybe(parse_number, item, "response_size_kb", path) or Decimal(0)
    if "routes" in item and "requests" in item:
        raise _At(
            path + ["requests"],
            "requests: give requests per route or for the whole API, not both",
            on_key=True,
        )
    routes = _routes(item, path, request_kb, response_kb)
    websocket, projection, derivations = _websocket(
        item.get("websocket") or {}, path + ["websocket"], str(item["name"])
    )
    api = ApiUsage(
        name=str(item["name"]),
        current_type=ApiType(item.get("type", "rest")),
        routes=routes,
        by_route="routes" in item,
        endpoint_type=EndpointType(item["endpoint_type"]) if "endpoint_type" in item else None,
        cache_size_gb=_maybe(parse_number, item, "cache_size_gb", path, positive=True),
        vpc_endpoint_azs=int(item.get("vpc_endpoint_azs", 0)),
        websocket=websocket,
        projection=projection,
        definition=item.get("definition"),
        derivations=derivations,
        type_given="type" in item,
        endpoint_given="endpoint_type" in item,
    )
    problems = check_api(api)
    if problems:
        raise _At(path, problems[0])
    return api


def _routes(
    item: Mapping[str, Any], path: list[str | int], request_kb: Decimal, response_kb: Decimal
) -> tuple[RouteUsage, ...]:
    if "requests" in item:
        requests = _value(parse_quantity, item["requests"], path + ["requests"])
        return (RouteUsage("(all routes)", requests, request_kb, response_kb),)
    routes: list[RouteUsage] = []
    for index, route in enumerate(item.get("routes", [])):
        route_path = path + ["routes", index]
        key = _value(parse_route, route["route"], route_path + ["route"])
        if any(existing.route == key for existing in routes):
            raise _At(route_path + ["route"], f"route: {key} is listed twice")
        routes.append(
            RouteUsage(
                key,
                _value(parse_quantity, route["requests"], route_path + ["requests"]),
                _maybe(parse_number, route, "request_size_kb", route_path) or request_kb,
                _maybe(parse_number, route, "response_size_kb", route_path) or response_kb,
            )
        )
    return tuple(routes)


def _websocket(
    block: Mapping[str, Any], path: list[str | int], api_name: str
) -> tuple[WebSocketUsage, Projection, tuple[str, ...]]:
    messages = _maybe(parse_quantity, block, "messages", path)
    minutes = _maybe(parse_quantity, block, "connection_minutes", path, whole=False)
    outbound = None
    derivations: tuple[str, ...] = ()
    clients_block = block.get("clients")
    if clients_block is not None:
        cpath = path + ["clients"]
        if minutes is not None:
            raise _At(cpath, "clients: give connection_minutes or clients, not both", on_key=True)
        given = Clients(
            count=_value(parse_quantity, clients_block["count"], cpath + ["count"]),
            session_minutes=_value(parse_number, clients_block["session_minutes"], cpath + ["session_minutes"]),
            sessions_per_day=_maybe(parse_number, clients_block, "sessions_per_day", cpath),
            days_per_month=_maybe(parse_number, clients_block, "days_per_month", cpath),
            sent_per_day=_maybe(parse_quantity, clients_block, "messages_sent_per_day", cpath, whole=False),
            received_per_day=_maybe(parse_quantity, clients_block, "messages_received_per_day", cpath, whole=False),
        )
        if given.counts_messages and messages is not None:
            raise _At(cpath, "clients: give messages or clients' messages per day, not both", on_key=True)
        traffic = given.traffic(api_name)
        minutes, derivations = traffic.minutes, traffic.derivations
        if traffic.messages is not None:
            messages, outbound = traffic.messages, traffic.outbound
    try:
        projection = _projection_from(
            block.get("messages_per_request"),
            block.get("connection_minutes_per_request"),
            ("messages_per_request", "connection_minutes_per_request"),
        )
    except CostError as error:
        key = (
            "messages_per_request"
            if "messages_per_request" in str(error)
            else "connection_minutes_per_request"
        )
        raise _At(path + [key], str(error)) from None
    usage = WebSocketUsage(messages, _maybe(parse_number, block, "message_size_kb", path), minutes, outbound)
    return usage, projection, derivations


def _plural(number: Decimal, word: str) -> str:
    return f"{number} {word}" + ("" if number == 1 else "s")


@dataclass(frozen=True)
class ClientTraffic:
    """What a set of connected clients adds up to in a month."""

    minutes: Decimal
    messages: Decimal | None
    outbound: Decimal | None
    derivations: tuple[str, ...]


@dataclass(frozen=True)
class Clients:
    """WebSocket clients and their sessions, as a usage file's ``clients`` block or the flags give them."""

    count: Decimal
    session_minutes: Decimal
    sessions_per_day: Decimal | None = None
    days_per_month: Decimal | None = None
    sent_per_day: Decimal | None = None
    received_per_day: Decimal | None = None

    @property
    def counts_messages(self) -> bool:
        return self.sent_per_day is not None or self.received_per_day is not None

    def traffic(self, api_name: str) -> ClientTraffic:
        """Connection minutes (count x sessions a day x session minutes x days), and messages when
        per-day counts are given; the derivations in words for the report."""
        sessions = self.sessions_per_day if self.sessions_per_day is not None else Decimal(1)
        days = self.days_per_month if self.days_per_month is not None else Decimal(30)
        minutes = self.count * sessions * self.session_minutes * days
        derivations = [
            (
                f"{api_name}: connection minutes = {self.count:,} clients x {_plural(sessions, 'session')} "
                f"a day x {_plural(self.session_minutes, 'minute')} x {_plural(days, 'day')} = {minutes:,}."
            )
        ]
        messages = outbound = None
        if self.counts_messages:
            sent = self.sent_per_day or Decimal(0)
            received = self.received_per_day or Decimal(0)
            messages = self.count * (sent + received) * days
            outbound = self.count * received * days
            derivations.append(
                f"{api_name}: messages = ({sent} sent + {received} received a day) x {self.count:,} clients "
                f"x {_plural(days, 'day')} = {messages:,}."
            )
        return ClientTraffic(minutes, messages, outbound, tuple(derivations))
