"""YAML loading with positions, YAML 1.2 scalar meaning and CloudFormation short-form tags.

libyaml's C parser (through PyYAML) turns the text into events; one loop here builds plain dicts,
lists and scalars from them and records where every entry is written. The loop is iterative, so no
nesting depth can exhaust the stack (libyaml's own composer recurses and crashes the process on deep
input), and it counts depth and nodes as it goes, stopping at the first limit crossed. Plain scalars
are resolved as YAML 1.2 readers (and API Gateway) read them; keys are always strings as written.

Most definitions use none of what makes that loop necessary (tags, anchors, duplicate keys, typed
keys, versions written as numbers, nesting near the limits). For those, :mod:`apilint.load.fastyaml`
builds the same data with a compiled parser several times faster, and this loop runs only when a
finding asks for a position.
"""

from __future__ import annotations

import re
from typing import Any

from apilint.finding import Span
from apilint.load.collector import collector_paused
from apilint.load.limits import Limits
from apilint.load.problems import LoadProblem
from apilint.record import Record

# PyYAML is imported by the functions that run the loop, not here: importing it (its pure-Python
# reader compiles a large character class) costs more than reading a small file, and a file the
# fast path reads needs it only when a finding asks for a position.

_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF_NAN = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_VERSION_KEYS = {"openapi", "swagger"}
_FALSE = {"false", "False", "FALSE"}

#: CloudFormation short-form tags and the long form they stand for.
INTRINSIC_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!Sub": "Fn::Sub",
    "!GetAtt": "Fn::GetAtt",
    "!Join": "Fn::Join",
    "!If": "Fn::If",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!FindInMap": "Fn::FindInMap",
    "!ImportValue": "Fn::ImportValue",
    "!Base64": "Fn::Base64",
    "!Cidr": "Fn::Cidr",
    "!GetAZs": "Fn::GetAZs",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!Not": "Fn::Not",
    "!Equals": "Fn::Equals",
    "!Transform": "Fn::Transform",
    "!Length": "Fn::Length",
    "!ToJsonString": "Fn::ToJsonString",
}

_STD_TAG = "tag:yaml.org,2002:"
BLANK = re.compile(r"\s*")
#: First characters of the plain scalars that may be something other than a string.
_MAYBE_TYPED = frozenset("0123456789+-.~nNtTfF")


def _printable(value: int) -> int | float:
    """An integer that ``str()`` can print (Python refuses more than 4,300 digits), else infinity."""
    if value.bit_length() > 14_000:  # about 4,200 decimal digits
        return float("inf") if value > 0 else float("-inf")
    return value


def _int_or_float(text: str) -> Any:
    """``int(text)``, or a float for integers too long for ``int()`` (over 4,300 digits)."""
    try:
        return int(text)
    except ValueError:
        return float(text)


def resolve_plain(text: str, key: str | None) -> Any:
    """The YAML 1.2 core-schema meaning of a plain scalar.

    A scalar under a key that names a version (``openapi``, ``version``, ``payloadFormatVersion``)
    stays the string it was written as: ``openapi: 3.0`` and ``version: 1.10`` are versions, not
    floats, in every specification this tool reads.
    """
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    first = text[0]
    if first.isdigit() or first in "+-.":
        if key is not None and (key in _VERSION_KEYS or key.lower().endswith("version")):
            return text
        if _INT.match(text):
            return _int_or_float(text)
        if _FLOAT.match(text):
            return float(text)
        if text in _INF_NAN:
            return _INF_NAN[text]
        if _OCT.match(text):
            return _printable(int(text, 8))
        if _HEX.match(text):
            return _printable(int(text, 16))
    return text


def _scalar_value(tag: str | None, value: str, style: str | None, key: str | None) -> Any:
    """The meaning of a scalar: plain ones resolved as YAML 1.2 does, explicit standard tags obeyed."""
    if tag is None:
        return resolve_plain(value, key) if not style else value
    if tag.startswith(_STD_TAG):
        kind = tag[len(_STD_TAG):]
        if kind == "int" and _INT.match(value):
            return _int_or_float(value)
        if kind == "float" and (_FLOAT.match(value) or value in _INF_NAN):
            return float(_INF_NAN.get(value, value))
        if kind == "bool":
            return value in _TRUE
        if kind == "null":
            return None
    return value  # "!" (non-specific), !!str, global and local tags: the text as written


def _is_local_tag(tag: str | None) -> bool:
    return tag is not None and len(tag) > 1 and tag[0] == "!" and tag[1] != "!"


class _Tagged(Record):
    """What a short-form tag turns a value into, and the problem an unknown tag raises."""

    value: Any
    problem: str | None

    def __init__(self, value: Any, problem: str | None) -> None:
        self.value = value
        self.problem = problem


def _tag_wrap(tag: str, value: Any) -> _Tagged:
    """Wrap a value carrying a CloudFormation short-form tag into its long form."""
    long_name = INTRINSIC_TAGS.get(tag)
    if long_name is None:
        return _Tagged({"Fn::Unknown": value}, f"unknown YAML tag {tag}: its value is treated as unknown")
    if long_name == "Fn::GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        value = [resource, attribute]
    return _Tagged({long_name: value}, None)


#: A span as stored for every node: one integer packing the 0-based start line, start column, end
#: line and end column (as libyaml's marks give them) in 32 bits each, the start in the high half.
#: One integer costs a third of a tuple of four; :func:`_span` unpacks it into the 1-based
#: :class:`Span` findings carry.
_Span = int
_LOW = (1 << 32) - 1
_END = (1 << 64) - 1


def _pack(start: Any, end: Any) -> _Span:
    return (start.line << 96) | (start.column << 64) | (end.line << 32) | end.column


def _span(span: _Span) -> Span:
    return Span((span >> 96) + 1, ((span >> 64) & _LOW) + 1, ((span >> 32) & _LOW) + 1, (span & _LOW) + 1)


def _byte_position(text: str, offset: int) -> Span:
    """The position of a byte offset into the UTF-8 form of ``text`` (libyaml counts bytes)."""
    before = text.encode("utf-8")[:offset].decode("utf-8", "ignore")
    line = before.count("\n") + 1
    column = len(before) - before.rfind("\n")
    return Span(line, column, line, column)


def _point(mark: Any) -> Span:
    return Span(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 1)


class YamlDocument:
    """A loaded YAML document: its data, and the positions of every mapping entry and list item.

    Positions are kept beside the data, per container, rather than in a node tree: a tuple per
    entry costs a fraction of what a node with two marks does.
    """

    def __init__(self, data: Any, positions: dict[int, Any], root_span: _Span | None,
                 problems: list[LoadProblem], keep: list[Any] | None = None):
        self.data = data
        self.problems = problems
        self._positions = positions  # id of a non-empty container -> its entries' spans
        self._root_span = root_span
        self._keep = keep  # values a duplicate key replaced: alive, so their ids are not reused

    def locate(self, path: tuple[Any, ...]) -> tuple[Span, int]:
        """Span of the deepest existing node on ``path`` and how many path steps it matched.

        For a mapping entry the span starts at the key and ends at the end of the value, so an editor
        underlines the whole entry; a missing key falls back to its parent. A value reached through a
        YAML alias is located where the alias is written.
        """
        if self._root_span is None:
            return Span(1, 1, 1, 1), 0
        node, span, matched = self.data, self._root_span, 0
        for step in path:
            entries = self._positions.get(id(node))
            if entries is None:
                break
            if isinstance(node, dict):
                key = step if isinstance(step, str) else str(step)
                if key not in node or key not in entries:
                    break
                span, node = entries[key], node[key]
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(entries):
                span, node = entries[step], node[step]
            else:
                break
            matched += 1
        return _span(span), matched


class _Frame:
    """An open mapping or list, and the key its parent was at when it opened."""

    __slots__ = ("anchor", "container", "entries", "is_mapping", "key", "key_span", "start", "tag")

    def __init__(self, container: Any, entries: Any, is_mapping: bool, tag: str | None, anchor: str | None,
                 start: Any):
        self.container = container
        self.entries = entries
        self.is_mapping = is_mapping
        self.tag = tag
        self.anchor = anchor
        self.start = start
        self.key: str | None = None
        self.key_span: _Span | None = None


def _base_loader() -> Any:
    """libyaml's C parser, which makes large files fast; the pure-Python one when PyYAML lacks libyaml."""
    import yaml

    return getattr(yaml, "CBaseLoader", yaml.BaseLoader)


class _Stop(Exception):
    """Composition ends early: a limit was reached or the input is broken (the problem is recorded)."""


def compose_yaml(text: str, limits: type[Limits] = Limits) -> YamlDocument:
    """:func:`load_yaml` without the fast path: data, positions and problems from libyaml's events."""
    import yaml

    with collector_paused():  # the collector costs more than the parse itself on large files
        document = _read(_base_loader(), text, limits)
        if document is None:
            # libyaml (in PyYAML 6.0.4 and later) refuses nesting beyond a limit of its own. The depth
            # limit is apilint's: the pure-Python parser has none, so the same loop reads the text
            # again and stops where apilint's limit is crossed, whatever libyaml's limit is.
            document = _read(yaml.BaseLoader, text, limits)
    assert document is not None  # the pure-Python parser has no nesting limit
    return document


_NESTING_REFUSED = "exceeded maximum nesting depth"


def _read(loader_class: Any, text: str, limits: type[Limits]) -> YamlDocument | None:
    """Compose ``text`` with one of PyYAML's parsers; None when the parser refused to nest deeper."""
    import yaml

    problems: list[LoadProblem] = []
    loader = loader_class(text)
    try:
        data, positions, root_span, keep = _compose(loader, problems, limits)
    except _Stop:
        return YamlDocument(None, {}, None, problems)
    except yaml.MarkedYAMLError as error:
        if _NESTING_REFUSED in (error.problem or ""):
            return None
        mark = error.problem_mark or error.context_mark
        message = " ".join(part for part in (error.context, error.problem) if part)
        span = _point(mark) if mark is not None else Span(1, 1, 1, 1)
        problems.append(LoadProblem("AG001", f"YAML syntax error: {message}", span))
        return YamlDocument(None, {}, None, problems)
    except yaml.reader.ReaderError as error:
        problems.append(LoadProblem(
            "AG001", f"YAML error: character #x{error.character:04x}: {error.reason}",
            _byte_position(text, error.position)))
        return YamlDocument(None, {}, None, problems)
    except yaml.YAMLError as error:
        message = " ".join(str(error).split())
        problems.append(LoadProblem("AG001", f"YAML error: {message}", Span(1, 1, 1, 1)))
        return YamlDocument(None, {}, None, problems)
    finally:
        loader.dispose()
    return YamlDocument(data, positions, root_span, problems, keep)


def _compose(loader: Any, problems: list[LoadProblem],
             limits: type[Limits]) -> tuple[Any, dict[int, Any], _Span | None, list[Any]]:
    """Build the first document from the parser's events: the hot loop of every YAML read.

    The open container, its entries and the key waiting for a value live in local variables (they
    are saved in the container's frame while a nested one is open), so that a scalar costs a few
    local operations.
    """
    from yaml.events import (
        AliasEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
    )

    get_event = loader.get_event
    get_event()  # StreamStartEvent
    if isinstance(get_event(), StreamEndEvent):  # else the first DocumentStartEvent
        return None, {}, None, []
    scalar_event, alias_event = ScalarEvent, AliasEvent
    start_events, end_events = (MappingStartEvent, SequenceStartEvent), (MappingEndEvent, SequenceEndEvent)
    maybe_typed = _MAYBE_TYPED
    # Every container with entries is reachable from the root or kept in ``keep``, so no id in
    # ``positions`` can be reused by another object while the document lives.
    positions: dict[int, Any] = {}
    keep: list[Any] = []
    anchors: dict[str, tuple[Any, str | None]] = {}  # value, and the text of a scalar (for alias keys)
    measured: dict[int, tuple[int, int]] = {}
    stack: list[_Frame] = []
    container: Any = None
    entries: Any = None
    is_mapping = False
    key: str | None = None
    key_span: _Span | None = None
    root: Any = None
    root_span: _Span | None = None
    nodes = repeated_nodes = repeated_chars = 0
    max_depth, max_nodes = limits.max_depth, limits.max_nodes
    while True:
        event = get_event()
        kind = event.__class__
        if kind is scalar_event:
            start, end = event.start_mark, event.end_mark
            span = (start.line << 96) | (start.column << 64) | (end.line << 32) | end.column
            raw = value = event.value
            nodes += 1
            if nodes > max_nodes:
                _too_many(problems, max_nodes, start)
            if is_mapping and key_span is None:
                key, key_span = raw, span  # keys stay the text they are written as
                if event.anchor is not None:
                    anchors[event.anchor] = (raw, raw)
                continue
            tag = event.tag
            if tag is None:
                if not event.style and (not raw or raw[0] in maybe_typed):
                    value = resolve_plain(raw, key if is_mapping else None)
            elif tag != "!":
                value = _scalar_value(tag, raw, event.style, None)
                if tag[0] == "!" and tag[1:2] != "!":
                    value = _wrap(tag, value, span, positions, problems)
            if event.anchor is not None:
                anchors[event.anchor] = (value, raw)
        elif kind in start_events:
            start = event.start_mark
            if len(stack) >= max_depth:
                problems.append(LoadProblem(
                    "AG005", f"the document nests deeper than {max_depth:,} levels here; the file is not checked",
                    _point(start)))
                raise _Stop
            nodes += 1
            if nodes > max_nodes:
                _too_many(problems, max_nodes, start)
            if stack:
                parent = stack[-1]
                parent.key, parent.key_span = key, key_span
            is_mapping = kind is MappingStartEvent
            container = {} if is_mapping else []
            entries = {} if is_mapping else []
            stack.append(_Frame(container, entries, is_mapping, event.tag, event.anchor, start))
            key = key_span = None
            continue
        elif kind in end_events:
            frame = stack.pop()
            span = _pack(frame.start, event.end_mark)
            value = container
            raw = None
            if entries:
                positions[id(value)] = entries
            tag = frame.tag
            if tag is not None and tag[0] == "!" and tag[1:2] != "!":
                value = _wrap(tag, value, span, positions, problems)
            if frame.anchor is not None:
                anchors[frame.anchor] = (value, None)
            if stack:
                parent = stack[-1]
                container, entries, is_mapping = parent.container, parent.entries, parent.is_mapping
                key, key_span = parent.key, parent.key_span
            else:
                container = entries = None
                is_mapping = False
        elif kind is alias_event:
            start = event.start_mark
            span = _pack(start, event.end_mark)
            anchored = anchors.get(event.anchor)
            if anchored is None:
                problems.append(LoadProblem(
                    "AG001", f"YAML alias *{event.anchor} names no anchor defined before it", _span(span)))
                raise _Stop
            value, raw = anchored
            size, chars = repeated_size(value, measured)
            repeated_nodes += size
            repeated_chars += chars
            if repeated_nodes > limits.max_alias_nodes:
                _too_much_repeated(problems, f"{limits.max_alias_nodes:,} nodes", start)
            if repeated_chars > limits.max_alias_text:
                _too_much_repeated(problems, f"{limits.max_alias_text:,} characters of text", start)
        else:  # DocumentEndEvent: the first document is complete
            _further_documents(get_event, problems)
            return root, positions, root_span, keep
        if not stack:
            root, root_span = value, span  # the next event ends the document
        elif not is_mapping:
            container.append(value)
            entries.append(span)
        elif key_span is None:  # a key that is a collection or an alias
            key = raw if raw is not None else f"<complex key at line {(span >> 96) + 1}>"
            key_span = span
        else:
            earlier = entries.get(key)
            if earlier is not None:
                problems.append(LoadProblem(
                    "AG001", f"duplicate key {key!r} (first defined at line {(earlier >> 96) + 1})", _span(key_span)))
                keep.append(container[key])
            container[key] = value
            entries[key] = (key_span & ~_END) | (span & _END)
            key_span = None


def repeated_size(value: Any, measured: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """Nodes and characters of text in a value, shared subtrees counted at each use, each measured once."""
    if not isinstance(value, (dict, list)):
        return 1, len(value) if isinstance(value, str) else 0
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in measured:
            continue
        children = [c for pair in node.items() for c in pair] if isinstance(node, dict) else node
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in children
                         if isinstance(child, (dict, list)) and id(child) not in measured)
            continue
        nodes, chars = 1, 0
        for child in children:
            if isinstance(child, (dict, list)):
                child_nodes, child_chars = measured[id(child)]
                nodes, chars = nodes + child_nodes, chars + child_chars
            else:
                nodes, chars = nodes + 1, chars + (len(child) if isinstance(child, str) else 0)
        measured[id(node)] = (nodes, chars)
    return measured[id(value)]


def _wrap(tag: str, value: Any, span: _Span, positions: dict[int, Any], problems: list[LoadProblem]) -> Any:
    """The long form of a tagged value, its one key located at the tagged node."""
    tagged = _tag_wrap(tag, value)
    if tagged.problem is not None:
        problems.append(LoadProblem("AG003", tagged.problem, _span(span)))
    wrapper = tagged.value
    positions[id(wrapper)] = {next(iter(wrapper)): span}
    return wrapper


def _too_many(problems: list[LoadProblem], max_nodes: int, mark: Any) -> None:
    problems.append(LoadProblem(
        "AG005", f"the document has more than {max_nodes:,} nodes here; the file is not checked", _point(mark)))
    raise _Stop


def _too_much_repeated(problems: list[LoadProblem], what: str, mark: Any) -> None:
    problems.append(LoadProblem(
        "AG005", f"YAML aliases repeat more than {what} by here (each use is checked again); the file is not "
        "checked", _point(mark)))
    raise _Stop


def _further_documents(get_event: Any, problems: list[LoadProblem]) -> None:
    """Report a second document (not an empty one after a trailing ``---``) without reading it."""
    import yaml
    from yaml.events import DocumentEndEvent, DocumentStartEvent, ScalarEvent, StreamEndEvent

    event = get_event()  # a syntax error here is one in the first document's text: it propagates
    if not isinstance(event, DocumentStartEvent):
        return
    start = event.start_mark
    try:
        first = get_event()
        empty = isinstance(first, ScalarEvent) and first.value == "" and first.tag is None and not first.style
        if empty and isinstance(get_event(), (DocumentEndEvent, StreamEndEvent)):
            return
    except yaml.YAMLError:
        pass  # a broken second document is still a second document
    problems.append(LoadProblem(
        "AG004", "the file holds more than one YAML document; only the first is checked", _point(start)))
