"""Positions on the YAML fast path, read from the text along the requested path only.

A file the fast path reads has its data from the compiled parser and no positions. A finding asks
for the position of one node; composing the whole file with apilint's loop over libyaml's events
(:func:`apilint.load.yamlload.compose_yaml`) to answer costs as much as reading it the slow way.
Most definitions are written in block style, where a node's place follows from indentation: this
module finds the nodes along one path by looking only at the lines that can hold them, checked
against the data at every step, and gives the span libyaml's marks give (the loop's spans).

It answers only what it is sure of and returns None otherwise; the caller then composes the file
with the loop, as before. Sure means, at every step of the path:

- the mapping's keys are the lines starting at its column (comments and a ``- `` of a sequence
  written at its key's column aside), and their keys, read as written (plain, or quoted on one
  line), are the keys of the data in the same order and number; no line in the mapping starts left
  of that column. A line inside a multi-line quoted scalar or flow collection that looks like a key
  makes the keys disagree with the data, so it is never taken for one;
- a sequence's items are the ``-`` lines at its column, as many as the data has;
- the value found is a block collection (its end is where the next token starts, as libyaml ends
  it), an empty value, or a scalar written on the key's (or dash's) line and nowhere else: plain
  (which must mean the value the data holds), or quoted and closed on that line (its text must be
  the data's). Flow collections, block scalars (``|``, ``>``), multi-line scalars, anchors, tags,
  aliases and anything else are left to the loop.

libyaml's marks, which the loop records: a mapping entry spans from its key to the end of its value;
a block collection ends where the token after it starts (the next key or dash at the same or a
lesser indentation, or the end of the stream, which is on the line after the last when that line
is not ended); an empty value is a point just after its ``:`` (or its ``-``).
``tests/test_fast_yaml.py`` holds these spans equal to the loop's for every node of every YAML file
of the corpus and the fixtures that takes the fast path, and of generated documents.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_right
from functools import lru_cache
from typing import Any

from apilint.finding import Span
from apilint.load.limits import Limits
from apilint.load.yamlload import compose_yaml, resolve_plain

#: Characters a plain scalar cannot start with (``-``, ``?`` and ``:`` can when a non-space follows;
#: such keys and values are rare and left to the loop).
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
#: The longest key libyaml reads as a simple key is 1,024 characters.
_LONGEST_KEY = 1000
#: Line breaks other than ``\n`` (libyaml counts lines at them) and tabs: the fast path takes no text
#: with them either.
_NOT_HERE = ("\r", "\x85", "\u2028", "\u2029", "\t", "\ufeff")
#: The characters libyaml reads in the name of an anchor or alias.
_ANCHOR_NAME = re.compile(r"[0-9A-Za-z_-]+")
_BLANK_LINES = re.compile(r"(?:[ ]*(?:#[^\n]*)?\n)*")
#: The first character of a line that is neither blank nor a comment.
_CONTENT_LINE = re.compile(r"\n *+[^ \n#]")


@lru_cache(maxsize=64)
def _lines_at_most(column: int) -> re.Pattern[str]:
    """Line breaks followed by a line whose first character (not a space) is at ``column`` or less."""
    return re.compile(rf"\n {{0,{column}}}+(?=[^ \n])")


class _Block:
    """A block collection in the text: where its first key or dash is (offset and line), the column
    of its entries, where its lines end, and where the token after it starts (None: the end of the
    stream) and on which line."""

    __slots__ = ("after", "after_line", "column", "end", "line", "start")

    def __init__(self, start: int, line: int, column: int, end: int, after: int | None, after_line: int):
        self.start, self.line, self.column, self.end = start, line, column, end
        self.after, self.after_line = after, after_line


class _Entry:
    """One key (or dash) of a block collection: where it is, where its value starts on its line
    (None when nothing but a comment follows), where its line and its lines end, and the token after it."""

    __slots__ = ("after", "after_line", "end", "indicator_end", "inline", "line", "line_end", "start")

    def __init__(self, start: int, line: int, indicator_end: int, inline: int | None, line_end: int, end: int,
                 after: int | None, after_line: int):
        self.start, self.line, self.indicator_end, self.inline = start, line, indicator_end, inline
        self.line_end, self.end, self.after, self.after_line = line_end, end, after, after_line


class BlockSpans:
    """Spans of the nodes along paths of a fast-path document, from its text and data."""

    def __init__(self, text: str, data: Any, limits: type[Limits] = Limits):
        self._text = text
        self._data = data
        self._limits = limits
        self._entries: dict[int, list[_Entry] | None] = {}  # id of a container -> its entries
        self._root: _Block | None = None
        self._chunks: dict[int, Any] = {}  # id of an entry -> its lines composed by the loop, or None
        self._composed_length = 0
        self._root_read = False
        self._blocks: dict[int, _Block] = {}  # id of an anchored collection -> where its anchor wrote it
        # id of a container -> where its entries start and their lines end, None when not as the data's
        self._scanned: dict[int, tuple[list[int], list[int], list[int]] | None] = {}
        self._keys: dict[int, list[str]] = {}  # id of a mapping -> its keys in order
        self._steps: dict[tuple[int, int], Any] = {}  # id of a container and an index -> what _step found

    def locate(self, path: tuple[Any, ...]) -> tuple[Span, int] | None:
        """What :meth:`apilint.load.yamlload.YamlDocument.locate` returns, or None when not sure."""
        root = self._root_block()
        if root is None:
            return None
        node: Any = self._data
        block: _Block | None = root
        start, line, end, end_line = root.start, root.line, None, root.after_line
        matched = 0
        for step in path:
            key: str | int
            if isinstance(node, dict):
                key = step if isinstance(step, str) else str(step)
                if key not in node:
                    break
                value: Any = node[key]
                owner: str | None = key
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                key, value, owner = step, node[step], None
            else:
                break
            if block is None:
                return None  # a collection with entries not written in block style
            entries = self._entries_of(node, block)
            try:
                entry = entries[key]
            except (TypeError, KeyError, IndexError):  # no entries; or the data changed since they were read
                return None
            found = self._value(value, entry, self._column(entry.start), owner, isinstance(node, list))
            if found is None:
                return self._in_chunk(entry, key if owner is not None else 0, value, path[matched + 1:], matched)
            value_start, value_line, end, end_line, block = found
            start, line = (value_start, value_line) if isinstance(node, list) else (entry.start, entry.line)
            node = value
            matched += 1
        return self._span(start, line, end, end_line), matched

    def written_at(self, offset: int) -> tuple[Any, Any] | None:
        """The collection and key (or index) whose value is written at ``offset`` on its entry's line
        (where an anchor or alias is), found from the root down; None when not sure.

        Each step takes the entry whose lines hold ``offset`` and reads its value as :meth:`locate`
        does, so every collection on the way is checked against the data.
        """
        node: Any = self._data
        block = self._root_block()
        while block is not None:
            lines = self._lines(node, block)
            if lines is None:
                return None
            index = bisect_right(lines[0], offset) - 1
            if index < 0:
                return None
            step = self._steps.get((id(node), index))
            if step is None:
                step = self._steps[id(node), index] = self._step(node, block, lines, index)
            if step is None:
                return None
            key, entry, child = step
            if offset >= entry.end:
                return None
            if entry.inline == offset:
                if self._text[offset] == "&":  # an anchor: its block, where its aliases find their entries
                    self._value(node[key], entry, self._column(entry.start), key if isinstance(node, dict) else None,
                                isinstance(node, list))
                return node, key
            if child is None:
                return None
            node, block = node[key], child
        return None

    def _step(self, node: Any, block: _Block, lines: tuple[list[int], list[int], list[int]],
              index: int) -> tuple[Any, _Entry, _Block | None] | None:
        """The key, the entry and the block collection of the value (None for any other value) of
        entry ``index``; None when the text does not vouch for its key."""
        key: Any = index
        if isinstance(node, dict):
            keys = self._keys.get(id(node))
            if keys is None:
                keys = self._keys[id(node)] = list(node)
            key = keys[index]
        entry = self._entry(block, lines, index, key)
        if entry is None:
            return None
        if entry.inline is not None and self._text[entry.inline] == "*":
            return key, entry, None  # an alias: nothing is written inside it
        found = self._value(node[key], entry, self._column(entry.start), key if isinstance(node, dict) else None,
                            isinstance(node, list))
        return key, entry, None if found is None else found[4]

    def _root_block(self) -> _Block | None:
        if self._root_read:
            return self._root
        self._root_read = True
        text, data = self._text, self._data
        if not (isinstance(data, (dict, list)) and data) or any(character in text for character in _NOT_HERE):
            return None
        position = _BLANK_LINES.match(text).end()  # type: ignore[union-attr]
        if text.startswith("---", position):
            line_end = _line_end(text, position)
            if not _ends_line(text, position + 3, line_end):
                return None
            position = _BLANK_LINES.match(text, min(line_end + 1, len(text))).end()  # type: ignore[union-attr]
        line_end = _line_end(text, position)
        position = line_end - len(text[position:line_end].lstrip(" "))
        if position == line_end or not (_is_dash(text, position) if isinstance(data, list)
                                         else _may_start_key(text, position)):
            return None
        end_line = text.count("\n") + (0 if text.endswith("\n") else 1)  # libyaml's end of the stream
        root = _Block(position, text.count("\n", 0, position), self._column(position), len(text), None, end_line)
        if self._entries_of(data, root) is None:
            return None
        self._root = root
        return root

    def _entries_of(self, node: Any, block: _Block) -> Any:
        """The entries of a block collection checked against the data (by key for a mapping, in
        order for a sequence); None when they disagree."""
        known = self._entries.get(id(node), False)
        if known is not False:
            return known
        entries = self._read_entries(node, block)
        self._entries[id(node)] = entries
        return entries

    def _read_entries(self, node: Any, block: _Block) -> Any:
        lines = self._lines(node, block)
        if lines is None:
            return None
        entries: list[_Entry] = []
        for index, key in enumerate(node if isinstance(node, dict) else range(len(node))):
            entry = self._entry(block, lines, index, key)
            if entry is None:
                return None
            entries.append(entry)
        return dict(zip(node, entries)) if isinstance(node, dict) else entries

    def _lines(self, node: Any, block: _Block) -> tuple[list[int], list[int], list[int]] | None:
        """Where the entries of a block collection start, where their lines end and the lines they
        start on, when there are as many as the data has (each key or dash starts a line at the
        collection's column)."""
        if id(node) in self._scanned:
            return self._scanned[id(node)]
        self._scanned[id(node)] = None
        text, column = self._text, block.column
        is_mapping = isinstance(node, dict)
        starts, breaks = [block.start], []
        for match in _lines_at_most(column).finditer(text, block.start, block.end):
            position = match.end()
            if text[position] == "#":
                continue  # a comment (or a line of a multi-line quoted scalar, which is no entry either)
            if position - match.start() - 1 < column:
                return None  # left of the collection: only a multi-line scalar can be there
            if is_mapping:
                if _is_dash(text, position):
                    continue  # an item of a sequence written at its key's column
            elif not _is_dash(text, position):
                return None
            starts.append(position)
            breaks.append(match.start())
        if len(starts) != len(node):
            return None
        breaks.append(block.end)
        numbers = [block.line]
        count = text.count
        for index in range(1, len(starts)):
            numbers.append(numbers[-1] + count("\n", starts[index - 1], starts[index]))
        self._scanned[id(node)] = found = starts, breaks, numbers
        return found

    def _entry(self, block: _Block, lines: tuple[list[int], list[int], list[int]], index: int,
               key: Any) -> _Entry | None:
        """The entry ``index`` of a block collection, when its key is the data's ``key`` (a string)."""
        text = self._text
        starts, breaks, numbers = lines
        start, line = starts[index], numbers[index]
        if type(key) is str:
            indicator_end = self._key_end(start, key)
            if indicator_end is None:
                return None
        else:
            indicator_end = start + 1
        line_end = _line_end(text, indicator_end)
        inline: int | None = line_end - len(text[indicator_end:line_end].lstrip(" "))
        if inline == line_end or text[inline] == "#":  # type: ignore[index]
            inline = None
        after: int | None
        if index + 1 < len(starts):
            after, after_line = starts[index + 1], numbers[index + 1]
        else:
            after, after_line = block.after, block.after_line
        return _Entry(start, line, indicator_end, inline, line_end, breaks[index], after, after_line)

    def _key_end(self, start: int, key: str) -> int | None:
        """The end of the ``:`` after the key written at ``start``, when it is the data's ``key``."""
        text = self._text
        line_end = _line_end(text, start)
        first = text[start]
        if first in "'\"":
            close = _closing_quote(text, start, line_end)
            if close is None or _unquote(text[start:close + 1]) != key:
                return None
            colon = close + 1
            if text[colon:colon + 1] != ":":
                return None
        else:
            if not _may_start_plain(text, start):
                return None
            colon = text.find(": ", start, line_end)
            if colon == -1:
                if text[line_end - 1:line_end] != ":":
                    return None
                colon = line_end - 1
            written = text[start:colon]
            if " #" in written or written.rstrip(" ") != key:
                return None
        if colon - start > _LONGEST_KEY or text[colon + 1:colon + 2] not in ("", " ", "\n"):
            return None
        return colon + 1

    def _value(self, value: Any, entry: _Entry, column: int, key: str | None,
               is_item: bool) -> tuple[int, int, int | None, int, _Block | None] | None:
        """Where a value starts and ends (offsets and lines), and the block collection it is (None
        for a scalar)."""
        text = self._text
        later = _CONTENT_LINE.search(text, entry.line_end, entry.end)
        start = entry.inline
        if start is not None and text[start] in "&*":
            name_end = anchor_name_end(text, start)
            if name_end is None:
                return None
            if text[start] == "*":
                return self._alias(value, entry, start, name_end, later)
            found = self._anchored(value, entry, column, key, is_item, later, name_end)
            if found is None:
                return None
            if found[4] is not None:
                self._blocks[id(value)] = found[4]
            return start, entry.line, found[2], found[3], found[4]  # the node starts at its anchor
        return self._node(value, entry, column, key, is_item, later, start)

    def _anchored(self, value: Any, entry: _Entry, column: int, key: str | None, is_item: bool,
                  later: re.Match[str] | None, name_end: int) -> tuple[int, int, int | None, int, _Block | None] | None:
        """An anchored value: a scalar after the anchor on its line, or a block collection on the
        lines below (a collection written after it on the line, as in ``- &a k: v``, anchors its
        first key instead, and is left to the loop)."""
        text = self._text
        rest = text[name_end:entry.line_end]
        start: int | None = name_end + len(rest) - len(rest.lstrip(" "))
        if start == entry.line_end or text[start] == "#":  # type: ignore[index]
            start = None
            if later is None:
                return None  # an anchored empty value
        elif isinstance(value, (dict, list)) and value:
            return None
        return self._node(value, entry, column, key, is_item, later, start)

    def _alias(self, value: Any, entry: _Entry, start: int, name_end: int,
               later: re.Match[str] | None) -> tuple[int, int, int | None, int, _Block | None] | None:
        """An alias: the anchored collection's entries are where its anchor wrote them."""
        if later is not None or not _ends_line(self._text, name_end, entry.line_end):
            return None
        block = None
        if isinstance(value, (dict, list)) and value:
            block = self._blocks.get(id(value))
            if block is None:
                return None  # the anchor was not read from the text
        return start, entry.line, name_end, entry.line, block

    def _node(self, value: Any, entry: _Entry, column: int, key: str | None, is_item: bool,
              later: re.Match[str] | None, start: int | None) -> tuple[int, int, int | None, int, _Block | None] | None:
        """A value that starts at ``start`` on its entry's line, or on the lines below when None."""
        text = self._text
        collection = isinstance(value, (dict, list)) and bool(value)
        if start is None:
            if later is None:
                if value is None:
                    return entry.indicator_end, entry.line, entry.indicator_end, entry.line, None
                return None
            start = later.end() - 1
            child = self._column(start)
            if not collection:
                return None
            if isinstance(value, dict):
                if child <= column or not _may_start_key(text, start):
                    return None
            elif not _is_dash(text, start) or child < column or child == column and is_item:
                return None
            return self._collection(value, start, entry)
        if collection:
            if not is_item:
                return None  # a flow collection, or something else on the key's line
            if not (_is_dash(text, start) if isinstance(value, list) else _may_start_key(text, start)):
                return None
            return self._collection(value, start, entry)
        if later is not None:
            return None  # a multi-line scalar, or more than the loop reads the same way
        first = text[start]
        if first in "'\"":
            close = _closing_quote(text, start, entry.line_end)
            if close is None or not _ends_line(text, close + 1, entry.line_end):
                return None
            if not isinstance(value, str) or _unquote(text[start:close + 1]) != value:
                return None
            return start, entry.line, close + 1, entry.line, None
        if text.startswith("{}", start) or text.startswith("[]", start):  # an empty flow collection
            if type(value) is not (dict if first == "{" else list) or value or not _ends_line(text, start + 2, entry.line_end):
                return None
            return start, entry.line, start + 2, entry.line, None
        if not _may_start_plain(text, start):
            return None
        written = text[start:entry.line_end]
        comment = written.find(" #")
        if comment != -1:
            written = written[:comment]
        written = written.rstrip(" ")
        if ": " in written or written.endswith(":") or not _same_scalar(resolve_plain(written, key), value):
            return None
        return start, entry.line, start + len(written), entry.line, None

    def _in_chunk(self, entry: _Entry, key: str | int, value: Any, rest: tuple[Any, ...],
                  matched: int) -> tuple[Span, int] | None:
        """The rest of the path found by the loop in the lines of one entry alone (a flow collection,
        a block scalar, a multi-line scalar...), or None when those lines do not read as that entry.

        From the start of its line, with a ``- `` before a key on a dash's line written as spaces,
        the entry's lines read as they do in the file: libyaml's state at a key or dash that starts
        a line (or follows a dash) is the same there as at the start of a document, and nothing in
        the entry is left of it. Only what follows the entry differs: the end of the text instead of
        the next token, so a mark there is moved to where that token starts.
        """
        text = self._text
        line_start = text.rfind("\n", 0, entry.start) + 1
        indent = text[line_start:entry.start]
        if indent.replace("- ", "  ").strip(" "):
            return None  # pragma: no cover - only spaces and dashes are written before a key or dash
        chunk = " " * len(indent) + text[entry.start:entry.end + (entry.after is not None)]
        expected = {key: value} if type(key) is str else [value]
        document = self._chunks.get(id(entry), False)
        if document is False:
            # Every chunk composed once; once chunks add up to the file, the caller composes the file.
            self._composed_length += len(chunk)
            if self._composed_length > len(text):
                return None
            document = compose_yaml(chunk, self._limits)
            if document.problems or not _same(document.data, expected):
                document = None
            self._chunks[id(entry)] = document
        if document is None:
            return None
        span, found = document.locate((key, *rest))
        if found == 0:
            return None  # pragma: no cover - the data holds the key
        lines = entry.line
        start = (span.line + lines, span.column)
        end = (span.end_line + lines, span.end_column)
        if entry.after is not None and end == (chunk.count("\n") + 1 + lines, 1):
            # Ended by the end of the chunk: a block collection ends where the next token starts, a
            # block scalar (the only scalar that can end there) at the start of that token's line. A
            # tag would make a collection of a scalar (the fast path has none): not sure then.
            if "!" in chunk:
                return None
            located: Any = expected
            for step in (key, *rest)[:found]:
                located = located[step if not isinstance(located, dict) or isinstance(step, str) else str(step)]
            line = entry.after_line + 1
            end = (line, self._column(entry.after) + 1 if isinstance(located, (dict, list)) else 1)
        return Span(*start, *end), matched + found

    def _collection(self, value: Any, start: int, entry: _Entry) -> tuple[int, int, int | None, int, _Block] | None:
        """A block collection starting at ``start`` that fills the rest of ``entry``: it ends where the
        token after the entry starts, once its own entries are found to be the data's."""
        line = entry.line + self._text.count("\n", entry.start, start)
        block = _Block(start, line, self._column(start), entry.end, entry.after, entry.after_line)
        if self._lines(value, block) is None:  # its keys are read when a path goes into it
            return None
        return start, line, entry.after, entry.after_line, block

    def _column(self, position: int) -> int:
        return position - self._text.rfind("\n", 0, position) - 1

    def _span(self, start: int, line: int, end: int | None, end_line: int) -> Span:
        """The 1-based span; an end of None is the end of the stream, at the start of its line."""
        end_column = 0 if end is None else self._column(end)
        return Span(line + 1, self._column(start) + 1, end_line + 1, end_column + 1)


def _line_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end == -1 else end


def anchor_name_end(text: str, start: int) -> int | None:
    """Where the name of the anchor or alias at ``start`` ends, when a space or line break (or the
    end of the text) follows it; None for a name libyaml would read otherwise."""
    match = _ANCHOR_NAME.match(text, start + 1)
    if match is None:
        return None
    end = match.end()
    return end if text[end:end + 1] in ("", " ", "\n") else None


def _is_dash(text: str, position: int) -> bool:
    return text[position:position + 1] == "-" and text[position + 1:position + 2] in ("", " ", "\n")


def _may_start_plain(text: str, position: int) -> bool:
    """Whether a plain scalar may start at ``position`` (``-``, ``?`` and ``:`` when a non-space follows)."""
    first = text[position]
    if first not in _NOT_PLAIN_START:
        return True
    return first in "-?:" and text[position + 1:position + 2] not in ("", " ", "\n")


def _may_start_key(text: str, position: int) -> bool:
    """Whether a key (plain, or quoted) may start at ``position``."""
    return text[position] in "'\"" or _may_start_plain(text, position)


def _ends_line(text: str, position: int, line_end: int) -> bool:
    """Whether only spaces, or spaces and a comment, follow ``position`` on its line."""
    rest = text[position:line_end]
    stripped = rest.lstrip(" ")
    return stripped == "" or (stripped[0] == "#" and len(stripped) < len(rest))


def _closing_quote(text: str, start: int, line_end: int) -> int | None:
    """Where the quoted scalar opened at ``start`` closes on its line; None when it goes on."""
    quote = text[start]
    position = start + 1
    while position < line_end:
        character = text[position]
        if quote == "'" and character == "'":
            if text[position + 1:position + 2] != "'":
                return position
            position += 1
        elif quote == '"':
            if character == "\\":
                position += 1
            elif character == '"':
                return position
        position += 1
    return None


def _unquote(written: str) -> str | None:
    """The text of a quoted scalar written on one line; None for escapes JSON does not share."""
    if written[0] == "'":
        return written[1:-1].replace("''", "'")
    if "\\" not in written:
        return written[1:-1]
    try:
        value = json.loads(written)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types (``1`` is not ``True``) and key order, NaN equal to NaN."""
    stack = [(a, b)]
    while stack:
        a, b = stack.pop()
        if type(a) is not type(b):
            return False
        if isinstance(a, dict):
            if list(a) != list(b):
                return False
            stack.extend((a[key], b[key]) for key in a)
        elif isinstance(a, list):
            if len(a) != len(b):
                return False
            stack.extend(zip(a, b))
        elif not _same_scalar(a, b):
            return False
    return True


def _same_scalar(meaning: Any, value: Any) -> bool:
    if type(meaning) is not type(value):
        return False
    if isinstance(value, float) and math.isnan(value):
        return math.isnan(meaning)
    return bool(meaning == value)
