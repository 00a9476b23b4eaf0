"""Fixes: changes a check proposes beside a violation, and the text edits they become.

A check describes a fix in the terms it knows, a pointer and a new name or value (:class:`Fix`),
never in text positions. The engine turns it into edits of the checked text
(:func:`resolve`), which the command line (``--fix``, ``--diff``) and the language server apply.

Only fixes that cannot change what the file means are proposed: a misspelled key renamed to the one
name it can stand for, a value replaced by the one value API Gateway accepts there. Edits replace
the written key or value and nothing else: comments, quoting style, order, indentation and line
endings stay byte for byte as they were. A key or value that is not written as a plain or quoted
scalar that reads back as the expected text (an anchor, a tag, a multi-line or escaped scalar) gets
no fix rather than a guess.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable
from typing import Any

from apilint.model import Pointer
from apilint.record import Frozen

RENAME_KEY = "rename-key"
REPLACE_VALUE = "replace-value"

#: A key or value that can be written without quotes in YAML whatever surrounds it.
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*\Z")


class Change(Frozen):
    """One change in the data: rename the key at ``at``, or replace the scalar value at ``at``."""

    at: Pointer
    kind: str
    new: str

    def __init__(self, at: Pointer, kind: str, new: str) -> None:
        object.__setattr__(self, "at", at)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "new", new)


class Fix(Frozen):
    """What a check proposes beside a violation: a title for people and the changes."""

    title: str
    changes: tuple[Change, ...]

    def __init__(self, title: str, changes: tuple[Change, ...]) -> None:
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "changes", changes)

    @classmethod
    def rename_key(cls, at: Pointer, new: str) -> Fix:
        return cls(f"rename {str(at.path[-1])!r} to {new!r}", (Change(at, RENAME_KEY, new),))

    @classmethod
    def replace_value(cls, at: Pointer, old: str, new: str) -> Fix:
        return cls(f"replace {old!r} with {new!r}", (Change(at, REPLACE_VALUE, new),))


class TextEdit(Frozen):
    """Replace the characters ``start`` to ``end`` (offsets in the checked text), ``old``, with ``text``."""

    start: int
    end: int
    text: str
    old: str

    def __init__(self, start: int, end: int, text: str, old: str) -> None:
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "old", old)


class ResolvedFix(Frozen):
    """A fix as edits of one file's text, carried by the finding it repairs, with the changes of the
    data they stand for (kind, path, new name or value)."""

    title: str
    edits: tuple[TextEdit, ...]
    changes: tuple[tuple[str, tuple[Any, ...], str], ...]

    def __init__(self, title: str, edits: tuple[TextEdit, ...],
                 changes: tuple[tuple[str, tuple[Any, ...], str], ...] = ()) -> None:
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "edits", edits)
        object.__setattr__(self, "changes", changes)


def resolve(fix: Fix) -> ResolvedFix | None:
    """The edits of the text a fix's changes stand for; None when any change cannot be made exactly."""
    edits: list[TextEdit] = []
    sources = {id(change.at.source) for change in fix.changes}
    if len(sources) != 1:
        return None
    for change in fix.changes:
        edit = _edit(change)
        if edit is None:
            return None
        edits.append(edit)
    changes = tuple((change.kind, change.at.path, change.new) for change in fix.changes)
    return ResolvedFix(fix.title, tuple(sorted(edits, key=lambda e: e.start)), changes)


def _edit(change: Change) -> TextEdit | None:
    source = change.at.source
    document = getattr(source, "document", None)
    path = change.at.path
    if document is None or not path or not source.text:
        return None
    span, matched = document.locate(path)
    if matched != len(path):
        return None
    text = source.text
    start = source.offset(span.line, span.column)
    end = source.offset(span.end_line, span.end_column)
    if start is None or end is None:
        return None
    is_key = isinstance(path[-1], str) and _parent_is_mapping(source.data, path)
    if change.kind == RENAME_KEY:
        if not is_key:
            return None
        found = _scalar_at(text, start, str(path[-1]))
        if found is None:
            return None
        key_end, style = found
        colon = _skip_spaces(text, key_end)
        if text[colon:colon + 1] != ":":
            return None
        return TextEdit(start, key_end, _written(change.new, style), text[start:key_end])
    if change.kind == REPLACE_VALUE:
        current = value_at(source.data, path)
        if not isinstance(current, str):
            return None
        value_start = start
        if is_key:  # the span starts at the key: the value follows the colon
            found = _scalar_at(text, start, str(path[-1]))
            if found is None:
                return None
            colon = _skip_spaces(text, found[0])
            if text[colon:colon + 1] != ":":
                return None
            value_start = _skip_spaces(text, colon + 1)
        written = _scalar_at(text, value_start, current)
        if written is None or written[0] != end:
            return None
        return TextEdit(value_start, end, _written(change.new, written[1]), text[value_start:end])
    return None


def _skip_spaces(text: str, index: int) -> int:
    while text[index:index + 1] in (" ", "\t"):
        index += 1
    return index


def _parent_is_mapping(data: Any, path: tuple[Any, ...]) -> bool:
    return isinstance(value_at(data, path[:-1]), dict)


def apply_changes(data: Any, changes: Iterable[tuple[str, tuple[Any, ...], str]]) -> None:
    """Make a fix's changes in data read from the file (in place; the order of keys is kept)."""
    for kind, path, new in changes:
        parent = value_at(data, path[:-1])
        if kind == RENAME_KEY and isinstance(parent, dict) and path[-1] in parent:
            items = [(new if key == path[-1] else key, value) for key, value in parent.items()]
            parent.clear()
            parent.update(items)
        elif kind == REPLACE_VALUE and isinstance(parent, (dict, list)):
            parent[path[-1]] = new


def value_at(data: Any, path: tuple[Any, ...]) -> Any:
    """The value at ``path`` in ``data``; None when the path leads nowhere."""
    node = data
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _scalar_at(text: str, start: int, expected: str) -> tuple[int, str] | None:
    """Where a scalar written at ``start`` ends and its style, if it reads back as ``expected``.

    Styles: ``plain``, ``double`` or ``single`` (quoted without escapes or line breaks).
    """
    opener = text[start:start + 1]
    if opener in ("'", '"'):
        close = text.find(opener, start + 1)
        inner = text[start + 1:close] if close != -1 else None
        if inner is None or inner != expected or "\\" in inner or "\n" in inner:
            return None
        return close + 1, "double" if opener == '"' else "single"
    if text.startswith(expected, start) and expected and _PLAIN_SAFE.match(expected):
        after = text[start + len(expected):start + len(expected) + 1]
        if after in ("", " ", "\t", ":", "\n", "\r", ",", "}", "]", "#"):
            return start + len(expected), "plain"
    return None


def _written(value: str, style: str) -> str:
    """``value`` written in the style of the scalar it replaces (quoted when plain would not do)."""
    if style == "single" and "'" not in value:
        return f"'{value}'"
    if style == "plain" and _PLAIN_SAFE.match(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str | None:
    """``text`` with the edits applied; None when they overlap or ``text`` is not the text they were made for."""
    parts: list[str] = []
    cursor = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < cursor or text[edit.start:edit.end] != edit.old:
            return None
        parts.append(text[cursor:edit.start])
        parts.append(edit.text)
        cursor = edit.end
    parts.append(text[cursor:])
    return "".join(parts)


def compatible(fixes: Iterable[ResolvedFix]) -> list[ResolvedFix]:
    """The fixes whose edits do not overlap an earlier fix's, in order of position."""
    taken: list[tuple[int, int]] = []
    chosen: list[ResolvedFix] = []
    for fix in sorted(fixes, key=lambda f: f.edits[0].start if f.edits else 0):
        spans = [(e.start, e.end) for e in fix.edits]
        if any(_overlaps(span, other) for span in spans for other in taken):
            continue
        taken.extend(spans)
        chosen.append(fix)
    return chosen


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1] or a == b


def position(text: str, offset: int) -> tuple[int, int]:
    """0-based line and character of an offset as editors count them (lines end at \\n, \\r\\n or \\r)."""
    starts = [0] + [m.end() for m in re.finditer("\r\n|\r|\n", text[:offset])]
    line = bisect.bisect_right(starts, offset) - 1
    return line, offset - starts[line]


# --- ignoring a finding where it is (the language server's code actions) ---------------------------

_LSP_BREAK = re.compile("\r\n|\r|\n")


def _line_start(text: str, offset: int) -> int:
    return max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1


def _newline_after(text: str, offset: int) -> str:
    match = _LSP_BREAK.search(text, offset)
    return match.group() if match else "\n"


def ignore_comment_edit(text: str, line: int, code: str) -> TextEdit:
    """A ``# apilint-ignore: CODE`` line above 1-based ``line`` of a YAML text, indented as that line."""
    starts = [0] + [m.end() for m in _LSP_BREAK.finditer(text)]
    start = starts[max(1, min(line, len(starts))) - 1]
    rest = text[start:]
    indent = rest[:len(rest) - len(rest.lstrip(" "))]
    return TextEdit(start, start, f"{indent}# apilint-ignore: {code}{_newline_after(text, start)}", "")


def ignore_key_edit(source: Any, path: tuple[Any, ...], code: str) -> TextEdit | None:
    """An ``x-apilint-ignore: [CODE]`` entry added to the mapping at or around ``path``.

    The entry goes first in the deepest mapping on the path, written as its first key is: on a line
    of its own at the same indentation, or inline after ``{``. None where there is no such mapping,
    where it already has the key, and where the mapping belongs to a template resource outside its
    OpenAPI body (CloudFormation rejects unknown properties).
    """
    from apilint.load.jsonload import JsonDocument

    data = source.data
    mapping_path: tuple[Any, ...] | None = None
    node = data
    for index in range(len(path) + 1):
        if isinstance(node, dict) and node:
            mapping_path = path[:index]
        if index == len(path):
            break
        try:
            node = node[path[index]]
        except (KeyError, IndexError, TypeError):
            break
    mapping = value_at(data, mapping_path) if mapping_path is not None else None
    if mapping_path is None or not isinstance(mapping, dict) or "x-apilint-ignore" in mapping \
            or _in_resource_properties(data, mapping_path):
        return None
    span, matched = source.document.locate((*mapping_path, next(iter(mapping))))
    start = source.offset(span.line, span.column)
    if matched != len(mapping_path) + 1 or start is None:
        return None
    text = source.text
    is_json = isinstance(source.document, JsonDocument)
    entry = f'"x-apilint-ignore": ["{code}"]' if is_json else f"x-apilint-ignore: [{code}]"
    before = text[_line_start(text, start):start]
    if before.strip(" ") in ("", "-") and "\t" not in before:
        # the key begins its line (after the indentation, or a list item's dash): a line of its own
        indent = " " * len(before)
        return TextEdit(start, start, f"{entry}{',' if is_json else ''}{_newline_after(text, start)}{indent}", "")
    if before.rstrip(" ").endswith("{"):
        return TextEdit(start, start, f"{entry}, ", "")
    return None


def _in_resource_properties(data: Any, path: tuple[Any, ...]) -> bool:
    """Whether a mapping is (inside) a template resource's properties, outside an OpenAPI body."""
    if not (isinstance(data, dict) and isinstance(data.get("Resources"), dict)) or path[:1] != ("Resources",):
        return False
    return not (len(path) > 3 and path[2] == "Properties" and path[3] in ("Body", "DefinitionBody"))
