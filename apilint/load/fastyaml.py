"""The fast path of YAML loading: a compiled parser builds the data, libyaml finds positions on demand.

apilint's own loop over libyaml's events (:func:`apilint.load.yamlload.compose_yaml`) gives every
entry a position and reads the text exactly as apilint means it: YAML 1.2 scalars, keys as written,
versions as written, CloudFormation short-form tags, duplicate keys and limits as findings. Most of
its time goes to creating one Python event per node. Positions are only needed for the few nodes
findings point at, and most definitions use none of the constructs that need the loop; for those,
``yaml_rs`` (a YAML 1.2 parser compiled from Rust) builds the same data several times faster, and
a finding's position is read from the text along its path (:mod:`apilint.load.blockspans`), or
from the loop when that cannot be sure.

The fast path is taken only when the text shows that both readers agree on it, judged by cheap
scans of the text (C string searches) and of the keys of the data. Anything else goes to the loop,
which reports what there is to report:

- no tag, alias, complex key (``?``), merge key (``<<``), directive or second document (an alias
  makes the parser fail; a ``!`` or ``? `` where a node may start sends the file to the loop);
- no tab, carriage return or character libyaml refuses or reads as a line break (NEL, U+2028/9);
- no scalar that ``yaml_rs`` types and apilint does not (``0x1F``, ``0o17``, ``0b1``, ``1_000``,
  ``.Inf``, ``.NaN``) and no integer too long for ``str()``;
- nesting and node count well within the limits (the parser recurses: deep nesting must not reach it);
- keys that are strings, or integers written in canonical form (``200:``), which become strings;
- numbers under version keys (``openapi``, ``swagger``, ``...version``) written as ``str()``
  writes them, which become those strings (``version: 2`` is ``"2"``; ``version: 1.10`` goes to
  the loop);
- no duplicate key (the parser refuses them; the loop then reports them).

Without ``yaml_rs`` installed (or on any error it raises) the loop reads every file.

Small files take the fast path too: PyYAML, which the loop runs on, is imported only when the loop
runs, and importing it (its pure-Python reader compiles a large character class) costs several times
what loading the compiled parser and reading a small file cost. A file without findings is then
read without PyYAML at all.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache
from itertools import chain, compress, filterfalse, repeat
from operator import is_
from typing import Any

from apilint.finding import Span
from apilint.load.blockspans import BlockSpans, anchor_name_end
from apilint.load.collector import collector_paused
from apilint.load.limits import Limits
from apilint.load.yamlload import BLANK, YamlDocument, compose_yaml, repeated_size, resolve_plain


@cache
def _parser() -> tuple[Any, Any] | None:
    """The compiled parser and the alias limits that make it refuse aliases; None without it."""
    try:
        import yaml_rs
    except ImportError:  # pragma: no cover - the dependency is declared; the loop reads everything without it
        return None
    # The parser refuses aliases: a file with aliases is read with each written as an empty value,
    # then shared as the loop shares them (fast_load, _share_aliases).
    return yaml_rs, yaml_rs.AliasLimits(max_total_replayed_events=0)


#: A ``*`` and an ``&`` with a name: an alias and an anchor, when written where a node may start
#: (first on a line, after a space, a flow indicator or ``:``; _may_start_here). The pattern starts
#: with the character, so the search skips from one to the next in C.
_ALIAS = re.compile(r"\*(?=\S)")
_ANCHOR = re.compile(r"&([^\s\[\]{},]+)")
_BEFORE_NODE = frozenset(" \n[{,:")

#: A directive (``%``) or document marker (``---``, ``...``) at the start of a line after the first, and
#: ``<<`` (a merge key). Searched by regular expression: on megabytes of text it is several times
#: faster than ``in`` with these needles.
_LINE_START_MARKS = re.compile(rb"\n(%|---|\.\.\.)")
_MERGE_KEY = re.compile(rb"<<")
#: The last character before a node (spaces aside), when the node is not first on its line.
_AFTER_NODE_START = frozenset(":-?")
#: The same, in a flow collection.
_FLOW_SEPARATORS = frozenset("[{,")
_SPACE = frozenset(" \t\n")
_PRINTABLE_ASCII = b"\n" + bytes(range(0x20, 0x7F))
#: What libyaml reads as text and not as a line break: anything else goes to the loop.
_UNUSUAL_CHARACTER = "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
#: Scalars yaml_rs reads as numbers and the YAML 1.2 core schema (and apilint) as strings: what such
#: a number starts with (after a sign), and the whole word.
#: Each starts with a literal character, so the search skips from one ``0`` or ``.`` to the next in C.
_PARSER_NUMBER_STARTS = (re.compile(rb"0[xXoObB]"), re.compile(rb"\.(?:Inf|INF|NaN|NAN)"))
_PARSER_NUMBER = re.compile(rb"[-+]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\.(?:Inf|INF|NaN|NAN))")
_UNDERSCORED_NUMBER = re.compile(rb"_(?<=[0-9]_)")
_UNDERSCORED = re.compile(rb"[-+]?[0-9_.]+(?:[eE][-+]?[0-9_]+)?")
#: Every character the two patterns above can match.
_NUMBER_CHARACTERS = frozenset(b"+-0123456789abcdefABCDEFxXoO_.InN")
#: What ends a word when looking for numbers: it cannot be part of a plain number.
_WORD_END = frozenset(b" \n,[]{}#:'\"")
_WORD = re.compile(rb"[^ \n,\[\]{}#:'\"]*")
#: Spaces and dashes as 1, line breaks as themselves, every other byte as 0.
_INDENT_BYTES = bytes(1 if byte in b" -" else byte if byte == 0x0A else 0 for byte in range(256))
#: Every byte but those that may precede a node (counted to bound the number of nodes).
_NOT_NODE_START = bytes(set(range(256)) - set(b":,-[{"))
_LONG_DIGITS = re.compile(r"[0-9]{4000}")
_BLANK_OR_COMMENTS = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*\Z")
#: Integers written as plain keys (block or flow), to tell ``200:`` from ``0200:`` or ``+200:``.
_INTEGER_KEY = re.compile(r"(?:^[ \t]*(?:-[ \t]+)*|[\[{,][ \t]*)([-+]?[0-9]+)[ \t]*:(?=[ \t\n]|\Z)", re.MULTILINE)
#: Flow nesting yaml_rs refuses beyond (it reports an error: the loop then reads the file).
_PARSER_FLOW_DEPTH = 300


class FastYamlDocument(YamlDocument):
    """Data from the compiled parser; positions from the loop, composed when first asked for."""

    def __init__(self, data: Any, text: str, limits: type[Limits]):
        super().__init__(data, {}, None, [])
        self._text = text
        self._limits = limits
        self._composed: YamlDocument | None = None
        self._spans: BlockSpans | None = None

    def spans(self) -> BlockSpans:
        """Positions read from the text along paths (made when first asked for)."""
        if self._spans is None:
            self._spans = BlockSpans(self._text, self.data, self._limits)
        return self._spans

    def locate(self, path: tuple[Any, ...]) -> tuple[Span, int]:
        if self._composed is None:
            # Along the path in the text first (apilint.load.blockspans); the whole file composed by
            # the loop when that is not sure, and then for every later position.
            found = self.spans().locate(path)
            if found is not None:
                return found
            self._composed = compose_yaml(self._text, self._limits)
            self._spans = None
        return self._composed.locate(path)


def fast_load(text: str, limits: type[Limits] = Limits, utf8: bytes | None = None) -> FastYamlDocument | None:
    """The document read by the compiled parser, or None when the text needs apilint's own loop.

    ``utf8`` is the text's UTF-8 bytes when the caller has them (the file's bytes); else they are made.
    """
    parser = _parser()
    if parser is None:
        return None
    if utf8 is not None:
        raw = utf8
    else:
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: a character libyaml refuses
            return None
    if not _plain_enough(text, raw, limits):
        return None
    yaml_rs, no_aliases = parser
    if b"*" in raw:
        # Aliases: the parser would copy the anchored value at each (a long text aliased often would
        # take memory by the gigabyte before any limit is counted), and it reads the whole text
        # before it refuses the first. It reads each as an empty value instead (``~``, as long as
        # the alias), and the anchored value is put there after (_share_aliases), as the loop
        # shares it. When that fails (a ``*`` in a scalar's text, not an alias), the text is read
        # as written.
        without = _without_aliases(text)
        if without is not None and without[1]:
            placeholders, aliases = without
            document = _document(yaml_rs, no_aliases, placeholders.encode("utf-8"), text, raw, limits)
            if document is not None and _share_aliases(document, text, aliases, limits):
                return document
    return _document(yaml_rs, no_aliases, raw, text, raw, limits)


def _document(yaml_rs: Any, no_aliases: Any, parsed: bytes, text: str, raw: bytes,
              limits: type[Limits]) -> FastYamlDocument | None:
    """The document the parser reads from ``parsed`` (the text's bytes, or them with aliases written
    as empty values), with keys and versions as written; None when the loop must read the text."""
    try:
        with collector_paused():
            data = yaml_rs.load(parsed, parse_datetime=False, alias_limits=no_aliases)
    except Exception:  # noqa: BLE001 - a syntax error, a duplicate key, an alias, any refusal: the loop reads it
        return None
    if isinstance(data, list) and _more_than_one_document(text):
        return None
    if not _keys_as_apilint_reads_them(data, text, raw):
        return None
    return FastYamlDocument(data, text, limits)


def _without_aliases(text: str) -> tuple[str, list[tuple[int, int]]] | None:
    """The text with each ``*name`` that may be an alias written as ``~`` and spaces, and where they
    were; None for a name libyaml would read otherwise.

    Every ``*`` where a node may start (and a name follows) is taken for an alias: one that is not
    (a ``*`` inside a quoted or block scalar) is not where :func:`_share_aliases` finds an alias,
    and the file goes to the loop.
    """
    aliases: list[tuple[int, int]] = []
    pieces: list[str] = []
    written = 0
    for match in _ALIAS.finditer(text):
        start = match.start()
        if not _may_start_here(text, start):
            continue
        end = anchor_name_end(text, start)
        if end is None:
            return None
        aliases.append((start, end))
        pieces += (text[written:start], "~", " " * (end - start - 1))
        written = end
    pieces.append(text[written:])
    return "".join(pieces), aliases


def _share_aliases(document: FastYamlDocument, text: str, aliases: list[tuple[int, int]],
                   limits: type[Limits]) -> bool:
    """Put the anchored value itself where each alias is, as the loop does; False when the text
    cannot say where, or what aliases repeat is over the limits (the loop then reads the file and
    reports it).

    The anchored value itself, not a copy: rules rely on it (a shared value is checked once), and
    positions inside it stay where its anchor wrote them. Each alias must be written as a block
    value on its key's (or dash's) line, and the ``&`` of the same name nearest before it an anchor
    written the same way: :meth:`BlockSpans.written_at` finds both from the root, checking every
    collection on the way against the data.
    """
    spans = document.spans()
    anchors: dict[str, list[int]] = {}  # name -> where ``&name`` is written, in order
    for match in _ANCHOR.finditer(text):
        if _may_start_here(text, match.start()):
            anchors.setdefault(match[1], []).append(match.start())
    anchored: dict[int, Any] = {}  # offset of an anchor -> its value
    repeated: list[Any] = []
    for start, end in aliases:
        alias = spans.written_at(start)
        written = anchors.get(text[start + 1:end], ())
        before = bisect_left(written, start)
        if alias is None or before == 0:
            return False
        anchor = written[before - 1]
        if anchor not in anchored:
            node = spans.written_at(anchor)
            if node is None:
                return False
            anchored[anchor] = node[0][node[1]]
        container, key = alias
        if container[key] is not None:  # pragma: no cover - the ``~`` written there reads as None
            return False
        container[key] = value = anchored[anchor]
        repeated.append(value)
    measured: dict[int, tuple[int, int]] = {}
    nodes = chars = 0
    for value in repeated:
        size, length = repeated_size(value, measured)
        nodes, chars = nodes + size, chars + length
    return nodes <= limits.max_alias_nodes and chars <= limits.max_alias_text


def _may_start_here(text: str, position: int) -> bool:
    """Whether a node may start at ``position`` as far as the character before it tells."""
    return position == 0 or text[position - 1] in _BEFORE_NODE


def _plain_enough(text: str, raw: bytes, limits: type[Limits]) -> bool:
    """Whether the text uses nothing that only the loop reads as apilint means it (module docstring).

    ``raw`` is the text in UTF-8: the scans that need no positions in the text run on it, where
    every ASCII character is one byte and no byte of another character is ASCII.
    """
    if _unusual_characters(raw):
        return False
    if text.startswith("%") or _MERGE_KEY.search(raw) is not None:
        return False
    line_start = _LINE_START_MARKS.search(raw)  # one scan of the text for the three
    if line_start is not None and line_start[1] == b"%":
        return False
    if (line_start is not None or text.startswith("...")) and _more_than_one_document(text):
        return False
    for indicator in "!?":
        if indicator.encode() in raw and _starts_a_node(text, indicator):
            return False
    if _prefixed_numbers(raw) or _underscored_numbers(raw):
        return False
    if _long_digits(text):
        return False
    return _within_limits(raw, limits)


def _unusual_characters(raw: bytes) -> bool:
    """Whether the text (in UTF-8) holds a character libyaml refuses or reads as a line break, a tab or CR.

    One pass in C deletes the printable ASCII characters and line breaks, which leaves the control
    characters and every character that is not ASCII (their UTF-8 bytes are all non-ASCII, so whole
    characters stay). Usually that is little: it is searched with the full character class only when
    Python does not call all of it printable (printable excludes every character refused here); the
    class is compiled when first needed (compiling it costs more than loading a small file).
    """
    rest = raw.translate(None, _PRINTABLE_ASCII)
    if not rest:
        return False
    characters = rest.decode("utf-8")
    if characters.isprintable():
        return False
    return _unusual_pattern().search(characters) is not None


@cache
def _unusual_pattern() -> re.Pattern[str]:
    return re.compile(_UNUSUAL_CHARACTER)


def _starts_a_node(text: str, indicator: str) -> bool:
    """Whether ``indicator`` may be written where a node starts: a tag, or a complex key (``? ``).

    A node starts first on its line, after ``:``, ``-`` or ``?`` and spaces, after a ``[`` or ``{``
    that itself starts a node, and after ``,`` in a flow collection. An indicator after a word
    (``Hello !world``, ``> [!NOTE]``), inside a quoted scalar opened earlier on its line, after a
    ``,`` outside any flow collection, or first on a line that continues a scalar begun on a less
    indented line (``key: text`` then ``  !text``) is inside a scalar.
    """
    find, rfind = text.find, text.rfind
    flow: bool | None = None  # whether a flow collection spans lines: found once, when needed
    index = find(indicator)
    while index != -1:
        after = text[index + 1:index + 2]
        if indicator != "?" or after == "" or after in _SPACE:
            line_start = rfind("\n", 0, index) + 1
            before = text[line_start:index]
            where = _node_may_start_after(before)
            if where is None:  # after a comma: in a flow collection?
                if flow is None:
                    flow = _flow_spans_lines(text)
                where = flow or _opens_flow_on_line(before)
            if where and not _inside_quotes(before):
                indent = len(before) - len(before.lstrip(" "))
                if not _continues_a_scalar(text, line_start, indent):
                    return True
        index = find(indicator, index + 1)
    return False


def _node_may_start_after(before: str) -> bool | None:
    """Whether a node may start at the end of ``before`` (part of a line); None after a comma."""
    stripped = before.rstrip(" \t")
    last = stripped[-1:]
    if last == "" or last in _AFTER_NODE_START:
        return True
    if last in "[{":
        return _node_may_start_after(stripped[:-1]) is not False
    if last == ",":
        return None
    return False


def _opens_flow_on_line(before: str) -> bool:
    """Whether a ``[`` or ``{`` that starts a node is written in ``before``."""
    for position, character in enumerate(before):
        if character in "[{" and _node_may_start_after(before[:position]) is not False:
            return True
    return False


def _flow_spans_lines(text: str) -> bool:
    """Whether a flow collection that starts a node may go on past its line (or holds a quote)."""
    for opener in "[{":
        index = text.find(opener)
        while index != -1:
            line_start = text.rfind("\n", 0, index) + 1
            if _node_may_start_after(text[line_start:index]) is not False:
                line_end = text.find("\n", index)
                rest = text[index:] if line_end == -1 else text[index:line_end]
                opened = rest.count("[") + rest.count("{") - rest.count("]") - rest.count("}")
                if opened > 0 or "'" in rest or '"' in rest or "#" in rest:
                    return True
            index = text.find(opener, index + 1)
    return False


def _continues_a_scalar(text: str, line_start: int, column: int) -> bool:
    """Whether the line at ``line_start``, whose content starts at ``column``, continues a scalar.

    The nearest less indented line (comments and blank lines aside) is the line the content belongs
    to. When that line begins a scalar (plain, quoted, or ``|`` / ``>`` block) after a key or a dash
    written left of ``column``, every more indented line after it is part of that scalar; when it
    is itself a line of text, so is this one.
    """
    end = line_start - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].rstrip(" ")
        content = line.lstrip(" ")
        indent = len(line) - len(content)
        end = start - 1
        if not content or content.startswith("#") or indent >= column:
            continue
        owner, value = _entry_value(line, indent)
        if owner is None:  # a line of text: this line goes on with the same scalar
            column, line_start = indent, start
            continue
        return owner < column and value != "" and value[0] not in "#&!*[{"
    return False


def _entry_value(line: str, position: int) -> tuple[int | None, str]:
    """Where the key or dash that owns the value on ``line`` is, and the value; None for text.

    ``- - key: value`` owns ``value`` by the column of ``key``; ``- value`` by the column of its
    dash. A line that is neither (a line of a multi-line scalar) gives None.
    """
    owner: int | None = None
    while line.startswith("-", position) and line[position + 1:position + 2] in ("", " "):
        owner = position
        position = len(line) - len(line[position + 1:].lstrip(" "))
    rest = line[position:]
    if rest[:1] in ("'", '"'):
        close = rest.find(rest[0], 1)
        colon = close + 1 if close != -1 and rest[close + 1:close + 2] == ":" else -1
    else:
        colon = rest.find(": ")
        if colon == -1 and rest.endswith(":"):
            colon = len(rest) - 1
    if colon != -1 and rest[:1] not in ("#", ""):
        return position, rest[colon + 1:].strip(" ")
    if owner is not None:
        return owner, rest.strip(" ")
    return None, rest


def _inside_quotes(before: str) -> bool:
    """Whether the end of ``before`` (a line up to a point) is inside a quoted scalar or a comment.

    Only a quote where a node may start opens a scalar, which runs to its closing quote (``''`` in
    single quotes and anything after ``\\`` in double quotes do not close it). A line that starts
    inside a multi-line scalar is read the same way: whatever this says, the point is in a scalar.
    """
    quote = ""
    position, length = 0, len(before)
    while position < length:
        character = before[position]
        if quote == "'":
            if character == "'":
                if before[position + 1:position + 2] == "'":
                    position += 1
                else:
                    quote = ""
        elif quote == '"':
            if character == "\\":
                position += 1
            elif character == '"':
                quote = ""
        elif character in "'\"":
            last = before[:position].rstrip(" \t")[-1:]
            if last == "" or last in _AFTER_NODE_START or last in _FLOW_SEPARATORS:
                quote = character
        elif character == "#" and (position == 0 or before[position - 1] in " \t"):
            return True  # a comment
        position += 1
    return quote != ""


def _prefixed_numbers(raw: bytes) -> bool:
    """Whether a word is one the parser reads as a number and apilint does not (``0x1F``, ``-.Inf``).

    Such a word starts with one of ``_PARSER_NUMBER_STARTS``, or with a sign and one: only one
    found where a word starts (after a sign) is read as a word.
    """
    for prefix in _PARSER_NUMBER_STARTS:
        for match in prefix.finditer(raw):
            index = start = match.start()
            if index and raw[index - 1] in b"+-":
                start = index - 1
            at_word_start = start == 0 or raw[start - 1] in _WORD_END
            if at_word_start and _PARSER_NUMBER.fullmatch(raw, start, _word_end(raw, index)) is not None:
                return True
    return False


def _underscored_numbers(raw: bytes) -> bool:
    """Whether a word with a digit before an underscore is one the parser reads as a number (``1_000``).

    The word is read back from the underscore over characters a number may hold: one that holds any
    other character is not a number.
    """
    for match in _UNDERSCORED_NUMBER.finditer(raw):
        start = match.start()
        while start > 0 and raw[start - 1] in _NUMBER_CHARACTERS:
            start -= 1
        if start == 0 or raw[start - 1] in _WORD_END:
            end = _word_end(raw, match.start())
            if _PARSER_NUMBER.fullmatch(raw, start, end) is not None or _UNDERSCORED.fullmatch(raw, start, end) is not None:
                return True
    return False


def _word_end(raw: bytes, index: int) -> int:
    """Where the word at ``index`` ends: at a space, line break, flow indicator, ``:``, ``#`` or quote."""
    match = _WORD.match(raw, index)
    return index if match is None else match.end()


def _long_digits(text: str) -> bool:
    """Whether the text may hold an integer too long for ``str()`` (apilint reads it as a float).

    Such a run of 4,000 digits fills one of the aligned blocks of 2,000 characters: only those are
    searched.
    """
    for start in range(0, len(text) - 1999, 2000):
        if text[start:start + 2000].isdigit():
            return _LONG_DIGITS.search(text) is not None
    return False


def _more_than_one_document(text: str) -> bool:
    """A ``---`` or ``...`` marker anywhere but a ``---`` that opens the text (after comments)."""
    for marker in ("---", "..."):
        index = text.find(marker)
        while index != -1:
            at_line_start = index == 0 or text[index - 1] == "\n"
            after = text[index + 3:index + 4]
            if at_line_start and (after == "" or after in _SPACE):
                opening = marker == "---" and _BLANK_OR_COMMENTS.match(text, 0, index) is not None
                if not opening:
                    return True
            index = text.find(marker, index + 1)
    return False


def _within_limits(raw: bytes, limits: type[Limits]) -> bool:
    """Whether the text (in UTF-8) is sure to nest and count well within the limits, so the parser never recurses deep.

    Block nesting needs indentation: along any chain of nested block collections the column where
    a node starts never decreases and grows at least every second level (a list may sit at its
    key's column), so no line starting with fewer than ``width`` spaces, tabs and dashes nests
    deeper than ``2 * (width + 1)``. Flow nesting beyond ``_PARSER_FLOW_DEPTH`` the parser refuses.
    Every node but the root follows a ``:``, ``-``, ``,``, ``[`` or ``{`` (a mapping entry's key and
    value share a ``:``, a flow entry's a ``,``), which bounds the count of nodes.
    """
    width = (limits.max_depth - _PARSER_FLOW_DEPTH) // 2 - 1
    if width < 8:
        return False
    # Spaces and dashes become one byte, line breaks stay, anything else another (tabs are not read
    # here at all): a deep line is then ``width`` of that byte after a line break or at the start,
    # found by string searches.
    indents = raw.translate(_INDENT_BYTES)
    deep = b"\x01" * width
    if indents.startswith(deep) or b"\n" + deep in indents:
        return False
    count = raw.translate(None, _NOT_NODE_START).count  # the few characters counted, in one pass
    nodes = 1 + 2 * (count(b":") + count(b",")) + count(b"-") + count(b"[") + count(b"{")
    return nodes <= limits.max_nodes


def _keys_as_apilint_reads_them(data: Any, text: str, raw: bytes) -> bool:
    """Make keys and versions the strings written, in place; False when the data cannot tell them.

    apilint reads keys as the text written, and numbers under version keys too. The parser types
    both. Integer keys, and numbers under version keys, become the string ``str()`` gives them when
    the text writes every such key and version that way (``200:``, ``version: 2``); any other typed
    key (``1.50:``, ``true:``), or a version written otherwise (``version: 1.10``), sends the file to
    the loop.

    The data is walked one level of nesting at a time, so that the work on each mapping and list
    (its keys, the types of its values) is done by C loops over the whole level.
    """
    integer_keys_checked = False
    versions: list[tuple[dict[str, Any], str]] = []
    is_number = _NUMBER_TYPES.__contains__
    mappings: list[dict[Any, Any]] = [data] if type(data) is dict else []
    lists: list[list[Any]] = [data] if type(data) is list else []
    while mappings or lists:
        keys = list(chain.from_iterable(mappings))
        try:
            "".join(keys)
        except TypeError:
            if not integer_keys_checked:
                if not _integer_keys_canonical(text):
                    return False
                integer_keys_checked = True
            for node in mappings:
                if any(type(key) is not str for key in node) and not _stringify_keys(node):
                    return False
            keys = list(chain.from_iterable(mappings))
        values = list(chain.from_iterable(map(dict.values, mappings)))
        kinds = list(map(type, values))
        version_keys = {key for key in compress(keys, map(is_number, kinds))
                        if key in ("openapi", "swagger") or key.lower().endswith("version")}
        if version_keys:
            for node in filterfalse(version_keys.isdisjoint, mappings):
                versions.extend((node, key) for key in version_keys if key in node and type(node[key]) in (int, float))
        items = list(chain.from_iterable(lists))
        item_kinds = list(map(type, items))
        mappings = list(compress(values, map(is_, kinds, repeat(dict))))
        mappings += compress(items, map(is_, item_kinds, repeat(dict)))
        lists = list(compress(values, map(is_, kinds, repeat(list))))
        lists += compress(items, map(is_, item_kinds, repeat(list)))
    if versions:
        words = {key.lower().encode() if key in ("openapi", "swagger") else b"version" for _, key in versions}
        if len(versions) > _canonical_versions_written(raw, sorted(words)):
            return False
        for node, key in versions:
            node[key] = str(node[key])
    return True


_NUMBER_TYPES = frozenset((int, float))


def _canonical_versions_written(raw: bytes, words: list[bytes]) -> int:
    """How many numbers are written after a version key, all as ``str()`` writes them; -1 otherwise.

    Every one of ``words`` (``version`` for the keys ending in it, ``openapi``, ``swagger``: those
    of the numbers the data holds; each search is a pass over the text) followed by ``:`` is looked
    at in the text in UTF-8, in any case, wherever it is (a scalar's text too): its value on the
    same line (after an anchor) or, after a bare ``key:``, the first word of the next line that is
    not a comment.
    """
    lower = raw.lower()  # ASCII letters only, so positions stay those of ``raw``
    length = len(raw)
    numbers = 0
    for word in words:
        index = lower.find(word)
        while index != -1:
            position = index + len(word)
            if position < length and raw[position] in b"'\"":
                position += 1
            while position < length and raw[position] == 0x20:
                position += 1
            if position < length and raw[position] == 0x3A:
                value = _value_after(raw, position + 1)
                if value[:1] and (value[:1].isdigit() or value[:1] in b"+-."):
                    written = value.decode("utf-8")
                    meaning = resolve_plain(written, None)
                    if type(meaning) in (int, float):
                        if str(meaning) != written:
                            return -1
                        numbers += 1
            index = lower.find(word, index + 1)
    return numbers


def _value_after(raw: bytes, position: int) -> bytes:
    """The first word of a value that starts at ``position`` or, when nothing follows, on a next line."""
    line_end = raw.find(b"\n", position)
    if line_end == -1:
        line_end = len(raw)
    rest = raw[position:line_end].strip(b" ")
    if rest.startswith(b"&"):  # an anchor names the value that follows it
        rest = rest.partition(b" ")[2].strip(b" ")
    while (rest == b"" or rest.startswith(b"#")) and line_end < len(raw):
        next_end = raw.find(b"\n", line_end + 1)
        if next_end == -1:
            next_end = len(raw)
        rest = raw[line_end + 1:next_end].strip(b" ")
        line_end = next_end
    return rest[:_word_end(rest, 0)]


def _integer_keys_canonical(text: str) -> bool:
    """Whether every integer written as a plain key is written as ``str(int(key))`` writes it."""
    return all(written == str(int(written)) for written in _INTEGER_KEY.findall(text))


def _stringify_keys(node: dict[Any, Any]) -> bool:
    """Integer keys become their digits, in order; False for another typed key or a clash."""
    items = list(node.items())
    if any(type(key) is not str and type(key) is not int for key, _ in items):
        return False
    node.clear()
    node.update((key if type(key) is str else str(key), value) for key, value in items)
    return len(node) == len(items)


def load_yaml(text: str, limits: type[Limits] = Limits, utf8: bytes | None = None) -> YamlDocument:
    """Parse the first YAML document of ``text`` with positions, within ``limits``.

    The fast path when the text allows it, else the loop of :func:`apilint.load.yamlload.compose_yaml`,
    which reports syntax errors, duplicate keys, unknown tags, a second document and the first limit
    crossed as problems. Either way the data and positions are the same. ``utf8`` is ``text`` encoded
    as UTF-8, when the caller has those bytes.
    """
    if BLANK.fullmatch(text):
        return YamlDocument(None, {}, None, [])  # libyaml rejects a tab on a blank line
    fast = fast_load(text, limits, utf8)
    if fast is not None:
        return fast
    return compose_yaml(text, limits)
