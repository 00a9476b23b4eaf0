"""JSON loading: the C parser for the data, a lazy scanner for positions.

Parsing JSON with the standard library's C scanner costs a few milliseconds per megabyte; positions
are only needed for the handful of nodes findings point at, so they are found afterwards by one scan
of the text that descends only into the requested paths and skips everything else.
"""

from __future__ import annotations

import bisect
import json
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import accumulate
from types import FrameType
from typing import Any

from apilint.finding import Span, line_starts
from apilint.load.collector import collector_paused
from apilint.load.limits import Limits
from apilint.load.problems import LoadProblem

#: Skips values to find where they end: numbers stay text (no conversion, no digit limit).
_DECODER = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=str)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_WS = re.compile(r"[ \t\r\n]*")

_SCALAR_END = re.compile(r"[,\]}\s]")


def _skip_ws(text: str, pos: int) -> int:
    """The offset of the first character at or after ``pos`` that is not JSON whitespace."""
    match = _WS.match(text, pos)
    return match.end() if match is not None else pos


class JsonDocument:
    """A loaded JSON document: its data and the text positions are read from."""

    def __init__(self, data: Any, text: str, problems: list[LoadProblem]):
        self.data = data
        self.text = text
        self.problems = problems
        self._line_starts: list[int] | None = None
        self._members_at: dict[int, dict[str, tuple[int, int]] | list[int] | None] = {}
        self._ends: dict[int, int] = {}

    def _position(self, offset: int) -> tuple[int, int]:
        if self._line_starts is None:
            self._line_starts = line_starts(self.text)
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def _span(self, start: int, end: int) -> Span:
        line, column = self._position(start)
        end_line, end_column = self._position(end)
        return Span(line, column, end_line, end_column)

    def _skip_value(self, pos: int) -> int:
        """Offset just after the value starting at ``pos`` (the C decoder skips it fastest)."""
        end = self._ends.get(pos)
        if end is None:
            try:
                end = _DECODER.raw_decode(self.text, pos)[1]
            except (ValueError, RecursionError):
                match = _SCALAR_END.search(self.text, pos)
                end = match.start() if match else len(self.text)
            self._ends[pos] = end
        return end

    def _members(self, pos: int) -> dict[str, tuple[int, int]] | list[int] | None:
        """Where the entries of the object or array at ``pos`` start, found by one scan and kept.

        An object maps each key to the offsets of the key and of its value (the last of duplicate
        keys, as the parser keeps the last value); an array lists the offsets of its items. Each
        container is scanned once however many findings point into it.
        """
        if pos in self._members_at:
            return self._members_at[pos]
        text, length = self.text, len(self.text)
        opener = text[pos] if pos < length else ""
        members: dict[str, tuple[int, int]] | list[int] | None = None
        if opener == "{":
            members = {}
            cursor = _skip_ws(text, pos + 1)
            while cursor < length and text[cursor] == '"':
                key_match = _STRING.match(text, cursor)
                if key_match is None:
                    break
                try:
                    key = _clean(json.loads(key_match.group()))
                except ValueError:
                    break
                colon = _skip_ws(text, key_match.end())
                value_start = _skip_ws(text, colon + 1)
                members[key] = (cursor, value_start)
                cursor = _skip_ws(text, self._skip_value(value_start))
                if cursor < length and text[cursor] == ",":
                    cursor = _skip_ws(text, cursor + 1)
        elif opener == "[":
            members = []
            cursor = _skip_ws(text, pos + 1)
            while cursor < length and text[cursor] != "]":
                members.append(cursor)
                cursor = _skip_ws(text, self._skip_value(cursor))
                if cursor < length and text[cursor] == ",":
                    cursor = _skip_ws(text, cursor + 1)
                else:
                    break
        self._members_at[pos] = members
        return members

    def locate(self, path: tuple[Any, ...]) -> tuple[Span, int]:
        """Span of the deepest existing node on ``path`` and how many steps matched.

        Duplicate keys resolve to their last occurrence, as the parser keeps the last value.
        """
        pos = _skip_ws(self.text, 0)
        key_start: int | None = None
        matched = 0
        for step in path:
            members = self._members(pos)
            if isinstance(members, dict):
                found = members.get(str(step))
                if found is None:
                    break
                key_start, pos = found
            elif isinstance(members, list) and isinstance(step, int) and 0 <= step < len(members):
                key_start, pos = None, members[step]
            else:
                break
            matched += 1
        end = self._skip_value(pos)
        start = key_start if key_start is not None else pos
        return self._span(start, end), matched


_STRING_ANYWHERE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_DEPTH = {"[": 1, "{": 1, "]": -1, "}": -1}
_CHUNK = 1 << 20
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
#: The JSON decoder joins escaped surrogate pairs: a surrogate left in a string is a lone one.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
#: Text up to the first string not closed in it (possessive: linear whatever the input).
_WHOLE_STRINGS = re.compile(r'(?:[^"]++|"[^"\\]*+(?:\\.[^"\\]*+)*+")*+', re.DOTALL)
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},:]', re.DOTALL)


def _node_bound(text: str) -> int:
    """An upper bound on keys plus values: each follows a ``{``, ``[``, ``,`` or ``:`` (or is the root)."""
    return 1 + text.count("{") + text.count("[") + text.count(",") + text.count(":")


def _limit_problem(text: str, limits: type[Limits]) -> LoadProblem | None:
    """AG005 at the place the text nests too deep or holds too many nodes; None within the limits.

    Counting characters bounds both at C speed. Only a text that might be over a limit is measured,
    a chunk at a time with its strings removed (chunks end between strings), and only the chunk
    where a limit is crossed is scanned token by token, to find the place.
    """
    # every node takes at least one character, every level of nesting two
    deep = len(text) > 2 * limits.max_depth and text.count("[") + text.count("{") > limits.max_depth
    large = len(text) > limits.max_nodes and _node_bound(text) > limits.max_nodes
    if not (deep or large):
        return None
    depth, nodes, start = 0, 1, 0
    while start < len(text):
        end = _chunk_end(text, start)
        structure = _STRING_ANYWHERE.sub("", text[start:end])
        steps = list(map(_BRACKET_DEPTH.__getitem__, _NOT_BRACKET.sub("", structure)))
        chunk_nodes = _node_bound(structure) - 1
        if depth + max(accumulate(steps), default=0) > limits.max_depth or nodes + chunk_nodes > limits.max_nodes:
            return _scan(text, start, depth, nodes, limits)
        depth, nodes, start = depth + sum(steps), nodes + chunk_nodes, end
    return None


def _chunk_end(text: str, start: int) -> int:
    """The end of a chunk of about ``_CHUNK`` characters from ``start`` that cuts no string in two."""
    whole = _WHOLE_STRINGS.match(text, start, min(start + _CHUNK, len(text)))
    end = whole.end() if whole is not None else start
    if end == start:  # a string longer than a chunk starts here: the chunk is that string
        string = _STRING_ANYWHERE.match(text, start)
        end = string.end() if string is not None else len(text)
    return end


def _scan(text: str, start: int, depth: int, nodes: int, limits: type[Limits]) -> LoadProblem | None:
    """The problem at the first token from ``start`` on that crosses a limit, token by token."""
    for match in _STRUCTURE.finditer(text, start):
        token = match.group()
        if token == "[" or token == "{":
            depth += 1
            nodes += 1
            if depth > limits.max_depth:
                return LoadProblem("AG005", f"the document nests deeper than {limits.max_depth:,} levels here; "
                                   "the file is not checked", _span_at(text, match.start()))
        elif token == "]" or token == "}":
            depth -= 1
        elif token == "," or token == ":":
            nodes += 1
        if nodes > limits.max_nodes:
            return LoadProblem("AG005", f"the document has more than {limits.max_nodes:,} nodes here; "
                               "the file is not checked", _span_at(text, match.start()))
    return None


def _span_at(text: str, offset: int) -> Span:
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return Span(line, column, line, column)


def load_json(text: str, limits: type[Limits] = Limits) -> JsonDocument:
    """Parse JSON text within ``limits``; syntax errors, duplicate keys and crossed limits become problems.

    The node limit is bounded by counting characters first. Depth is checked on the parsed data
    (a walk over its containers, not over every character of the text), with the interpreter's
    recursion budget bounding the C decoder meanwhile; only a text over a limit is scanned to
    find the place where it is crossed.
    """
    problems: list[LoadProblem] = []
    # every node takes at least one character, every level of nesting two
    may_be_deep = len(text) > 2 * limits.max_depth and text.count("[") + text.count("{") > limits.max_depth
    if len(text) > limits.max_nodes and _node_bound(text) > limits.max_nodes:
        limit = _limit_problem(text, limits)
        if limit is not None:
            return JsonDocument(None, text, [limit])
        may_be_deep = False  # measured, depth included
    duplicates: list[tuple[dict[str, Any], str]] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    duplicates.append((result, key))
                seen.add(key)
        return result

    try:
        with _stack_for(limits.max_depth), collector_paused():
            try:
                data = json.loads(text, object_pairs_hook=pairs_hook)
            except ValueError as error:
                if isinstance(error, json.JSONDecodeError):
                    raise
                # an integer too long for int() (over 4,300 digits): read such numbers as floats
                duplicates.clear()
                data = json.loads(text, object_pairs_hook=pairs_hook, parse_int=_int_or_float)
    except json.JSONDecodeError as error:
        limit = _limit_problem(text, limits) if may_be_deep else None  # a crossed limit is said first
        if limit is not None:
            return JsonDocument(None, text, [limit])
        problems.append(
            LoadProblem("AG001", f"JSON syntax error: {error.msg}", Span(error.lineno, error.colno, error.lineno, error.colno))
        )
        return JsonDocument(None, text, problems)
    except RecursionError:
        limit = _limit_problem(text, limits)
        problems.append(limit or LoadProblem("AG005", "the document nests too deeply to be read", Span(1, 1, 1, 1)))
        return JsonDocument(None, text, problems)
    if may_be_deep and _deeper_than(data, limits.max_depth):
        limit = _limit_problem(text, limits)
        if limit is not None:
            return JsonDocument(None, text, [limit])
    duplicate_paths = _paths_of(data, duplicates) if duplicates else []
    if _SURROGATE_ESCAPE.search(text):
        data = _without_lone_surrogates(data)
        duplicate_paths = [tuple(_clean(s) if isinstance(s, str) else s for s in p) for p in duplicate_paths]
    document = JsonDocument(data, text, problems)
    for path in duplicate_paths:
        span, _ = document.locate(path)
        problems.append(LoadProblem("AG001", f"duplicate key {path[-1]!r}", span))
    return document


def _deeper_than(data: Any, max_depth: int) -> bool:
    """Whether containers nest more than ``max_depth`` levels in the parsed data (the root is level 1)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if type(node) is dict:
            children: Any = node.values()
        elif type(node) is list:
            children = node
        else:
            continue
        if depth > max_depth:
            return True
        for child in children:
            if type(child) is dict or type(child) is list:
                push((child, depth + 1))
    return False


@contextmanager
def _stack_for(depth: int) -> Iterator[None]:
    """Room on the interpreter's recursion budget for the C decoder to descend ``depth`` levels."""
    frames = 0
    frame: FrameType | None = sys._getframe()
    while frame is not None:
        frames, frame = frames + 1, frame.f_back
    needed = frames + depth + 50
    previous = sys.getrecursionlimit()
    if needed > previous:
        sys.setrecursionlimit(needed)
    try:
        yield
    finally:
        if needed > previous:
            sys.setrecursionlimit(previous)


def _clean(text: str) -> str:
    """The string with any lone surrogate (from a ``\\ud800`` escape) replaced by U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def _without_lone_surrogates(data: Any) -> Any:
    """The data with lone surrogates replaced in every key and string: they cannot be printed.

    JSON may escape half of a surrogate pair on its own; Python decodes it into a string no output
    stream can encode, so any message quoting it would crash. Runs only when the text has such an
    escape, and builds new containers, leaving shared ones shared.
    """
    if isinstance(data, str):
        return _clean(data)
    if not isinstance(data, (dict, list)):
        return data
    done: dict[int, Any] = {}
    root: Any = {} if isinstance(data, dict) else []
    done[id(data)] = root
    stack: list[tuple[Any, Any]] = [(data, root)]
    while stack:
        original, copy = stack.pop()
        items: Iterable[tuple[Any, Any]] = original.items() if isinstance(original, dict) else enumerate(original)
        for key, value in items:
            if isinstance(value, (dict, list)):
                if id(value) not in done:
                    done[id(value)] = {} if isinstance(value, dict) else []
                    stack.append((value, done[id(value)]))
                value = done[id(value)]
            elif isinstance(value, str):
                value = _clean(value)
            if isinstance(copy, dict):
                copy[_clean(key)] = value
            else:
                copy.append(value)
    return root


def _int_or_float(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        return float(text)


def _paths_of(data: Any, duplicates: list[tuple[dict[str, Any], str]]) -> list[tuple[Any, ...]]:
    """Document paths of the duplicated keys, found by identity of their mappings."""
    wanted = {id(mapping): mapping for mapping, _ in duplicates}
    where: dict[int, tuple[Any, ...]] = {}
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack and len(where) < len(wanted):
        node, path = stack.pop()
        if isinstance(node, dict):
            if id(node) in wanted:
                where[id(node)] = path
            stack.extend((value, path + (key,)) for key, value in node.items() if isinstance(value, (dict, list)))
        elif isinstance(node, list):
            stack.extend((value, path + (index,)) for index, value in enumerate(node) if isinstance(value, (dict, list)))
    return [where[id(mapping)] + (key,) for mapping, key in duplicates if id(mapping) in where]
