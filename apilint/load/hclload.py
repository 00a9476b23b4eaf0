"""Terraform's native syntax (HCL, ``.tf``): the data, shaped as Terraform's JSON syntax, with positions.

python-hcl2 parses the text (its grammar, run by Lark's LALR parser, which records the line and column
of every node); this module turns the parse tree into plain data the way Terraform's JSON syntax
writes the same configuration, so that ``.tf`` and ``.tf.json`` files read alike:

- a block with labels nests under its type and labels (``resource "aws_api_gateway_stage" "prod"`` is
  ``data["resource"]["aws_api_gateway_stage"]["prod"]``); the same labels twice make a list;
- a block without labels (``endpoint_configuration { ... }``) is a list of bodies, one per block;
- literal strings, numbers, booleans, lists and objects are Python values; ``null`` is None;
- ``jsonencode({...})`` (or of a list) is the object itself, located where it is written;
- every other expression (a reference, a function call, a condition, a ``for``) is a value decided at
  plan time, written as ``"${<its text>}"`` as Terraform's JSON syntax writes it, so the model reads it
  as unknown; a string with ``${...}`` parts keeps them, so its literal parts stay readable.

The position of every block, attribute, object entry and list item is kept by its path, and the
parsed expression of every attribute is kept for the Terraform reader (``file()``, ``jsonencode()``
...). The object passed to ``jsonencode`` is also located under the attribute's path: a finding in an
inline OpenAPI body points at the line and column of the entry in the ``.tf`` file.

The parser is imported when the first ``.tf`` file is read, never by a run without one.
"""

from __future__ import annotations

import json
import re
import sys
from types import FrameType
from typing import Any

from apilint.finding import Span
from apilint.load.limits import Limits
from apilint.load.problems import LoadProblem
from apilint.record import Record

__all__ = ["Expr", "HclDocument", "load_hcl", "parse_expression"]

#: Functions whose single argument Terraform turns into JSON text: an object or list passed to one is
#: the data at the attribute that calls it, and its entries are located there, as if the argument were
#: written in its place (an inline OpenAPI body, a policy); JSON text a value becomes is read as JSON.
TRANSPARENT_CALLS = frozenset({"jsonencode"})
_ESCAPE = re.compile(r"\\(?:[nrt\"\\]|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})")
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


#: The HCL keywords that are values.
_KEYWORD_VALUES: dict[str, bool | None] = {"true": True, "false": False, "null": None}


class Expr(Record):
    """One parsed expression: what the Terraform reader needs to follow a definition's body.

    ``kind`` is ``literal`` (``value`` is the Python value: a string, number, boolean or None),
    ``template`` (a string with ``${...}`` parts; ``value`` is its text), ``object``, ``tuple``
    (``items`` are the parsed entries, ``value`` the data), ``call`` (``name`` and ``items``, the
    arguments) or ``other`` (a reference, an operator, a condition: ``value`` is ``"${text}"``).
    ``keys`` holds an object's keys, in the order of ``items``; a heredoc's ``value`` is its text.
    """

    kind: str
    value: Any
    span: Span
    text: str
    name: str | None
    items: list[Expr]
    keys: list[Any]
    heredoc: bool
    indent: int  # columns ``<<-`` removed from each line of a heredoc

    def __init__(self, kind: str, value: Any, span: Span, text: str, name: str | None = None,
                 items: list[Expr] | None = None, keys: list[Any] | None = None, heredoc: bool = False,
                 indent: int = 0) -> None:
        self.kind = kind
        self.value = value
        self.span = span
        self.text = text
        self.name = name
        self.items = [] if items is None else items
        self.keys = [] if keys is None else keys
        self.heredoc = heredoc
        self.indent = indent


class HclDocument:
    """A parsed ``.tf`` file: its data, the spans of its nodes by path, its attributes' expressions."""

    def __init__(self, data: Any, problems: list[LoadProblem], spans: dict[tuple[Any, ...], Span] | None = None,
                 expressions: dict[tuple[Any, ...], Expr] | None = None):
        self.data = data
        self.problems = problems
        self.spans = spans or {}
        self.expressions = expressions or {}

    def locate(self, path: tuple[Any, ...]) -> tuple[Span, int]:
        """Span of the deepest node on ``path`` that has one, and how many steps of the path it matched."""
        for length in range(len(path), 0, -1):
            span = self.spans.get(tuple(path[:length]))
            if span is not None:
                return span, length
        return Span(1, 1, 1, 1), 0

    def expression(self, path: tuple[Any, ...]) -> Expr | None:
        """The parsed expression of the attribute at ``path``, or None."""
        return self.expressions.get(tuple(path))


class _TooDeep(Exception):
    def __init__(self, span: Span):
        super().__init__("too deep")
        self.span = span


def _span(node: Any) -> Span:
    """The span of a Lark tree or token."""
    meta = getattr(node, "meta", None)
    if meta is not None and not getattr(meta, "empty", True):
        return Span(meta.line, meta.column, meta.end_line, meta.end_column)
    line = getattr(node, "line", None) or 1
    column = getattr(node, "column", None) or 1
    end_line = getattr(node, "end_line", None) or line
    end_column = getattr(node, "end_column", None) or column
    return Span(line, column, end_line, end_column)


def _offsets(node: Any) -> tuple[int, int]:
    meta = getattr(node, "meta", None)
    if meta is not None and not getattr(meta, "empty", True):
        return meta.start_pos, meta.end_pos
    return getattr(node, "start_pos", 0) or 0, getattr(node, "end_pos", 0) or 0


def _is_tree(node: Any, name: str | None = None) -> bool:
    data = getattr(node, "data", None)
    return data is not None and (name is None or data == name)


def _unescape(raw: str) -> str:
    """A quoted string's characters with HCL's escapes resolved (an unknown escape stays as written)."""
    if "\\" not in raw:
        return raw

    def replace(match: re.Match[str]) -> str:
        escape = match.group()
        if escape[1] in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[escape[1]]
        digits = escape[2:]
        code = int(digits, 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return "\ufffd"
        return chr(code)

    return _ESCAPE.sub(replace, raw)


def _heredoc(token: str, trim: bool) -> tuple[str, int]:
    """The text of a heredoc token (``<<EOT`` / ``<<-EOT``, its lines, the closing marker), and how many
    columns ``<<-`` took off the start of each line."""
    first_newline = token.find("\n")
    body = token[first_newline + 1:] if first_newline != -1 else ""
    lines = body.split("\n")
    while lines and lines[-1].strip() == "":
        lines.pop()
    if lines:
        lines.pop()  # the closing marker
    if trim:
        indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
        cut = min(indents) if indents else 0
        lines = [line[cut:] for line in lines]
    else:
        cut = 0
    return "\n".join(line.rstrip("\r") for line in lines) + ("\n" if lines else ""), cut


class _Converter:
    """Turns python-hcl2's Lark parse tree into data, spans and expressions."""

    def __init__(self, text: str):
        self.text = text
        self.spans: dict[tuple[Any, ...], Span] = {}
        self.expressions: dict[tuple[Any, ...], Expr] = {}
        self.problems: list[LoadProblem] = []

    def source_text(self, node: Any) -> str:
        start, end = _offsets(node)
        return self.text[start:end]

    # --- bodies and blocks -------------------------------------------------------------------------

    def body(self, node: Any, path: tuple[Any, ...], depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        labelled: dict[tuple[str, ...], list[Any]] = {}
        order: list[tuple[str, ...]] = []
        attribute_spans: dict[str, Span] = {}
        for child in node.children:
            if _is_tree(child, "attribute"):
                name = self.name_of(child.children[0])
                span = _span(child)
                if name in attribute_spans:
                    self.problems.append(LoadProblem("AG001", f"the argument {name!r} is set twice in one block (first "
                                                     f"at line {attribute_spans[name].line}); Terraform rejects the file",
                                                     span))
                attribute_spans[name] = span
                expression = child.children[-1]
                at = (*path, name)
                self.spans[at] = span
                parsed = self.expression(expression, at, depth + 1, index=True)
                self.expressions[at] = parsed
                result[name] = parsed.value
            elif _is_tree(child, "block"):
                parts = [c for c in child.children if _is_tree(c) and c.data in ("identifier", "keyword", "literal_value",
                                                                                   "string")]
                names = tuple(self.label_of(part) for part in parts)
                if names[0] in attribute_spans:
                    self.problems.append(LoadProblem("AG001", f"{names[0]!r} is both an argument and a block here; "
                                                     "Terraform rejects the file", _span(child)))
                    continue
                labelled.setdefault(names, []).append(child)
                if len(labelled[names]) == 1:
                    order.append(names)
        for names in order:
            blocks = labelled[names]
            if len(names) == 1:
                container = result.setdefault(names[0], [])
                if not isinstance(container, list):
                    continue
                for block in blocks:
                    at = (*path, names[0], len(container))
                    container.append(self.block_body(block, at, depth + 1))
                continue
            container = result.setdefault(names[0], {})
            prefix: tuple[Any, ...] = (*path, names[0])
            for label in names[1:-1]:
                if not isinstance(container, dict):
                    break
                container = container.setdefault(label, {})
                prefix = (*prefix, label)
            if not isinstance(container, dict):
                continue
            last = names[-1]
            if len(blocks) == 1 and last not in container:
                container[last] = self.block_body(blocks[0], (*prefix, last), depth + 1)
            else:
                items = [self.block_body(block, (*prefix, last, index), depth + 1) for index, block in enumerate(blocks)]
                container[last] = items
                self.spans.setdefault((*prefix, last), _span(blocks[0]))
        return result

    def block_body(self, block: Any, path: tuple[Any, ...], depth: int) -> dict[str, Any]:
        if depth > Limits.max_depth:
            raise _TooDeep(_span(block))
        self.spans[path] = _span(block)
        inner = next((c for c in block.children if _is_tree(c, "body")), None)
        return self.body(inner, path, depth) if inner is not None else {}

    def name_of(self, node: Any) -> str:
        """An attribute's or object key's name (an identifier, a keyword or a literal word)."""
        if _is_tree(node):
            return "".join(str(token) for token in node.scan_values(lambda _: True))
        return str(node)

    def label_of(self, node: Any) -> str:
        if _is_tree(node, "string"):
            parsed = self.string(node)
            return parsed.value if isinstance(parsed.value, str) else parsed.text
        return self.name_of(node)

    # --- expressions -------------------------------------------------------------------------------

    def unknown(self, node: Any) -> Expr:
        text = self.source_text(node).strip()
        return Expr("other", "${" + text + "}", _span(node), text)

    def expression(self, node: Any, path: tuple[Any, ...], depth: int, index: bool) -> Expr:
        """Parse an expression; with ``index``, record the spans of its entries under ``path``."""
        if depth > Limits.max_depth:
            raise _TooDeep(_span(node))
        while _is_tree(node, "expr_term") and len(node.children) == 1:
            node = node.children[0]
        if _is_tree(node, "expr_term"):  # ( expression )
            inner = [c for c in node.children if _is_tree(c) and c.data != "new_line_or_comment"]
            if len(inner) == 1:
                return self.expression(inner[0], path, depth + 1, index)
            return self.unknown(node)
        kind = getattr(node, "data", None)
        if kind == "string":
            return self.string(node)
        if kind in ("int_lit", "float_lit"):
            raw = str(node.children[0])
            try:
                value: Any = int(raw) if kind == "int_lit" else float(raw)
            except ValueError:
                return self.unknown(node)
            return Expr("literal", value, _span(node), raw)
        if kind == "literal_value" or (kind == "identifier" and str(node.children[0]) in _KEYWORD_VALUES):
            # python-hcl2 before 8.1.2 parses true, false and null as identifiers
            word = str(node.children[0])
            return Expr("literal", _KEYWORD_VALUES.get(word), _span(node), word)
        if kind in ("heredoc_template", "heredoc_template_trim"):
            content, cut = _heredoc(str(node.children[0]), kind.endswith("trim"))
            return Expr("template" if "${" in content or "%{" in content else "literal", content, _span(node),
                        self.source_text(node), indent=cut, heredoc=True)
        if kind == "tuple":
            return self.tuple_expr(node, path, depth, index)
        if kind == "object":
            return self.object_expr(node, path, depth, index)
        if kind == "function_call":
            return self.call(node, path, depth, index)
        return self.unknown(node)

    def string(self, node: Any) -> Expr:
        parts: list[str] = []
        template = False
        for part in node.children:
            if not _is_tree(part, "string_part"):
                continue
            inner = part.children[0]
            token_type = getattr(inner, "type", None)
            if token_type == "STRING_CHARS":
                parts.append(_unescape(str(inner)))
            elif token_type == "ESCAPED_INTERPOLATION":
                parts.append(str(inner)[1:])  # $${x} is the literal text ${x}
            elif token_type == "ESCAPED_DIRECTIVE":
                parts.append(str(inner)[1:])
            else:  # ${ ... } or %{ ... }: decided at plan time
                template = True
                parts.append(self.source_text(inner))
        text = "".join(parts)
        if template and "${" not in text:
            text = "${" + text + "}"
        return Expr("template" if template else "literal", text, _span(node), self.source_text(node))

    def tuple_expr(self, node: Any, path: tuple[Any, ...], depth: int, index: bool) -> Expr:
        items: list[Expr] = []
        for child in node.children:
            if not _is_tree(child) or child.data == "new_line_or_comment":
                continue
            at = (*path, len(items))
            if index:
                self.spans[at] = _span(child)
            items.append(self.expression(child, at, depth + 1, index))
        return Expr("tuple", [item.value for item in items], _span(node), self.source_text(node), items=items)

    def object_expr(self, node: Any, path: tuple[Any, ...], depth: int, index: bool) -> Expr:
        items: list[Expr] = []
        keys: list[Any] = []
        value: dict[Any, Any] = {}
        for element in node.children:
            if not _is_tree(element, "object_elem"):
                continue
            key_node = element.children[0]
            key_expr = key_node.children[0] if _is_tree(key_node, "object_elem_key") else key_node
            while _is_tree(key_expr, "expr_term") and len(key_expr.children) == 1:
                key_expr = key_expr.children[0]
            if _is_tree(key_expr, "identifier") or _is_tree(key_expr, "keyword") or _is_tree(key_expr, "literal_value"):
                key: Any = self.name_of(key_expr)
            else:
                parsed_key = self.expression(key_expr, path, depth + 1, False)
                key = parsed_key.value if isinstance(parsed_key.value, str) else str(parsed_key.value)
            at = (*path, key)
            if index:
                if key in value:
                    self.problems.append(LoadProblem("AG001", f"the key {key!r} is written twice in one object (first at "
                                                     f"line {self.spans[at].line}); only the last is used",
                                                     _span(element)))
                self.spans[at] = _span(element)
            parsed = self.expression(element.children[-1], at, depth + 1, index)
            keys.append(key)
            items.append(parsed)
            value[key] = parsed.value
        return Expr("object", value, _span(node), self.source_text(node), items=items, keys=keys)

    def call(self, node: Any, path: tuple[Any, ...], depth: int, index: bool) -> Expr:
        names = [c for c in node.children if _is_tree(c, "identifier")]
        name = "::".join(self.name_of(n) for n in names)
        arguments = next((c for c in node.children if _is_tree(c, "arguments")), None)
        expanded = arguments is not None and any(getattr(c, "type", None) == "ELLIPSIS" for c in arguments.children)
        items: list[Expr] = []
        if arguments is not None:
            for child in arguments.children:
                if not _is_tree(child) or child.data == "new_line_or_comment":
                    continue
                transparent = index and name in TRANSPARENT_CALLS and not items and not expanded
                items.append(self.expression(child, path, depth + 1, transparent))
        text = self.source_text(node).strip()
        value: Any = "${" + text + "}"
        if name in TRANSPARENT_CALLS and len(items) == 1 and not expanded:
            if items[0].kind in ("object", "tuple"):
                value = items[0].value  # the structure, located where it is written (see TRANSPARENT_CALLS)
            elif not _has_unknown(items[0]):
                value = json.dumps(items[0].value, separators=(",", ":"), ensure_ascii=False)
        return Expr("call", value, _span(node), text, name=name, items=items)


def _has_unknown(expr: Expr) -> bool:
    if expr.kind in ("other", "call", "template"):
        return True
    return any(_has_unknown(item) for item in expr.items)


def _stack_for(depth: int) -> int:
    frames = 0
    frame: FrameType | None = sys._getframe()
    while frame is not None:
        frames, frame = frames + 1, frame.f_back
    return frames + depth * 6 + 200


def load_hcl(text: str) -> HclDocument:
    """Parse a ``.tf`` file's text; syntax errors and exceeded limits are problems, never exceptions."""
    try:
        import hcl2
        from lark.exceptions import (
            LarkError,
            UnexpectedCharacters,
            UnexpectedEOF,
            UnexpectedInput,
            UnexpectedToken,
        )
    except ImportError:  # an installation without apilint's dependencies: say so instead of failing
        message = "Terraform files cannot be read: python-hcl2 is not installed (pip install 'python-hcl2>=8.1,<9')"
        return HclDocument(None, [LoadProblem("AG001", message, Span(1, 1, 1, 1))])

    try:
        tree = hcl2.parses_to_tree(text)
    except UnexpectedInput as error:
        line = max(getattr(error, "line", 1) or 1, 1)
        column = max(getattr(error, "column", 1) or 1, 1)
        if isinstance(error, UnexpectedToken):
            token = error.token
            found = "end of file" if token.type == "$END" else _shown(str(token))
            start = getattr(token, "start_pos", None)
            raw = str(token)
            skipped = len(raw) - len(raw.lstrip())
            if isinstance(start, int) and skipped and raw.strip():  # point at the token, not the space before it
                offset = start + skipped
                line = text.count("\n", 0, offset) + 1
                column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        elif isinstance(error, UnexpectedCharacters):
            at = error.pos_in_stream
            found = _shown(text[at]) if at is not None and 0 <= at < len(text) else "a character"
        elif isinstance(error, UnexpectedEOF):
            found = "end of file"
        else:
            found = "text"
        lines = text.count("\n") + 1
        if line > lines:  # the parser's own newline at the end
            line, column = lines, len(text) - text.rfind("\n")
        message = f"not valid Terraform (HCL) syntax: unexpected {found}"
        return HclDocument(None, [LoadProblem("AG001", message, Span(line, column, line, column))])
    except (LarkError, RuntimeError, ValueError, RecursionError) as error:
        message = f"not valid Terraform (HCL) syntax: {str(error).splitlines()[0] if str(error) else type(error).__name__}"
        return HclDocument(None, [LoadProblem("AG001", message, Span(1, 1, 1, 1))])
    converter = _Converter(text + "\n")
    previous = sys.getrecursionlimit()
    needed = _stack_for(Limits.max_depth)
    if needed > previous:
        sys.setrecursionlimit(needed)
    try:
        body = next((c for c in tree.children if _is_tree(c, "body")), None)
        data = converter.body(body, (), 0) if body is not None else {}
    except _TooDeep as error:
        message = f"the file nests more than {Limits.max_depth} levels deep; it is not checked"
        return HclDocument(None, [LoadProblem("AG005", message, error.span)])
    finally:
        if needed > previous:
            sys.setrecursionlimit(previous)
    return HclDocument(data, converter.problems, converter.spans, converter.expressions)


def parse_expression(text: str) -> Expr | None:
    """One expression on its own (the inside of a ``"${...}"`` string of a ``.tf.json`` file); None
    when it is not valid HCL."""
    document = load_hcl(f"x = {text}\n")
    return document.expression(("x",)) if document.data is not None else None


def _shown(token: str) -> str:
    first = token.strip().splitlines()[0] if token.strip() else token
    if not first.strip():
        return "a line break" if "\n" in token else "a space"
    return repr(first[:40])
