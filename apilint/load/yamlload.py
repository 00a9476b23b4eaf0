"""YAML loading with positions, YAML 1.2 scalar meaning and CloudFormation short-form tags.

libyaml (through PyYAML's C binding) composes the node tree, which carries a start and end mark on
every node; this module turns that tree into plain dicts, lists and scalars in one iterative pass and
keeps the tree so that positions are found only for the nodes that findings point at. Plain scalars
are resolved as YAML 1.2 readers (and API Gateway) read them; keys are always strings as written.
"""

from __future__ import annotations

import gc
import re
from typing import Any

import yaml

from apilint.finding import Span
from apilint.load.problems import LoadProblem

try:  # the C binding is what makes large files fast; the pure-Python one is a slow fallback
    _Parser: Any = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = yaml.BaseLoader

_DEFAULT_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


class _BaseLoader(_Parser):  # type: ignore[misc,valid-type]
    """The composer with the cheapest possible tag resolution: plain scalars are typed later."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return _DEFAULT_TAGS[kind]

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


class Limits:
    """Bounds that keep hostile input from exhausting time or memory."""

    max_depth = 1000
    max_nodes = 5_000_000


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
            return int(text)
        if _FLOAT.match(text):
            return float(text)
        if text in _INF_NAN:
            return _INF_NAN[text]
        if _OCT.match(text):
            return int(text[2:], 8)
        if _HEX.match(text):
            return int(text[2:], 16)
    return text


def _scalar_value(node: yaml.ScalarNode, key: str | None, problems: list[LoadProblem]) -> Any:
    tag = node.tag
    value = node.value
    if tag.startswith(_STD_TAG):
        if not node.style and tag == _STD_TAG + "str":
            return resolve_plain(value, key)
        kind = tag[len(_STD_TAG):]
        if kind == "str":
            return value
        if kind == "int" and _INT.match(value):
            return int(value)
        if kind == "float" and (_FLOAT.match(value) or value in _INF_NAN):
            return float(_INF_NAN.get(value, value))
        if kind == "bool":
            return value in _TRUE
        if kind == "null":
            return None
        return value
    return value


def _tag_wrap(node: yaml.Node, value: Any, problems: list[LoadProblem]) -> Any:
    """Wrap a value carrying a CloudFormation short-form tag into its long form."""
    long_name = INTRINSIC_TAGS.get(node.tag)
    if long_name is None:
        problems.append(
            LoadProblem(
                "AG003",
                f"unknown YAML tag {node.tag}: its value is treated as unknown",
                span_of(node),
            )
        )
        return {"Fn::Unknown": value}
    if long_name == "Fn::GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        value = [resource, attribute]
    return {long_name: value}


def span_of(node: yaml.Node) -> Span:
    """1-based span of a node."""
    start, end = node.start_mark, node.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


class YamlDocument:
    """A loaded YAML document: its data, and the node tree positions are read from."""

    def __init__(self, data: Any, root: yaml.Node | None, problems: list[LoadProblem], aliases: int = 0):
        self.data = data
        self.root = root
        self.problems = problems
        self.aliases = aliases

    def locate(self, path: tuple[Any, ...]) -> tuple[Span, int]:
        """Span of the deepest existing node on ``path`` and how many path steps it matched.

        For a mapping entry the span starts at the key and ends at the end of the value, so an editor
        underlines the whole entry; a missing key falls back to its parent.
        """
        node = self.root
        if node is None:
            return Span(1, 1, 1, 1), 0
        key_node: yaml.Node | None = None
        matched = 0
        for step in path:
            found = None
            if isinstance(node, yaml.MappingNode):
                wanted = str(step)
                for k, v in reversed(node.value):
                    if isinstance(k, yaml.ScalarNode) and k.value == wanted:
                        found = (k, v)
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if 0 <= step < len(node.value):
                    found = (None, node.value[step])
            if found is None:
                break
            key_node, node = found
            matched += 1
        if key_node is not None:
            start = key_node.start_mark
            end = node.end_mark
            return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1), matched
        return span_of(node), matched


def load_yaml(text: str) -> YamlDocument:
    """Parse YAML text; syntax errors, duplicate keys and exceeded limits become problems."""
    problems: list[LoadProblem] = []
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the collector costs more than the parse itself on large files
    try:
        loader = _BaseLoader(text)
        try:
            root = loader.get_node() if loader.check_node() else None
            if root is not None and loader.check_node():
                extra = loader.get_node()
                problems.append(
                    LoadProblem(
                        "AG004",
                        "the file holds more than one YAML document; only the first is checked",
                        span_of(extra) if extra is not None else Span(1, 1, 1, 1),
                    )
                )
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            message = " ".join(part for part in (error.context, error.problem) if part)
            problems.append(LoadProblem("AG001", f"YAML syntax error: {message}", Span(line, col, line, col)))
            return YamlDocument(None, None, problems)
        except yaml.YAMLError as error:
            problems.append(LoadProblem("AG001", f"YAML error: {error}", Span(1, 1, 1, 1)))
            return YamlDocument(None, None, problems)
        finally:
            loader.dispose()
        if root is None:
            return YamlDocument(None, None, problems)
        counter: list[int] = [0]
        data = construct(root, problems, counter)
        return YamlDocument(data, root, problems, counter[0])
    finally:
        if gc_was_enabled:
            gc.enable()


def construct(root: yaml.Node, problems: list[LoadProblem], aliases: list[int] | None = None) -> Any:
    """Turn a node tree into Python data without recursion.

    Aliased nodes become the same Python object, so an alias bomb costs no more memory than its text;
    the expanded size is bounded separately by :func:`expanded_size`.
    """
    memo: dict[int, Any] = {}

    def new_container(node: yaml.Node) -> Any:
        return {} if isinstance(node, yaml.MappingNode) else []

    def value_of(node: yaml.Node, key: str | None, depth: int, stack: list[Any]) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value = _scalar_value(node, key, problems)
        else:
            cached = memo.get(id(node))
            if cached is not None:
                value = cached
                if aliases is not None:
                    aliases[0] += 1
            else:
                value = new_container(node)
                memo[id(node)] = value
                if depth >= Limits.max_depth:
                    problems.append(
                        LoadProblem(
                            "AG005",
                            f"the document nests deeper than {Limits.max_depth} levels; deeper content is not checked",
                            span_of(node),
                        )
                    )
                else:
                    stack.append((node, value, depth + 1))
        if node.tag[0] == "!" and not node.tag.startswith("!!"):
            return _tag_wrap(node, value, problems)
        return value

    stack: list[Any] = []
    top = value_of(root, None, 0, stack)
    depth_reported = False
    while stack:
        node, container, depth = stack.pop()
        if isinstance(node, yaml.MappingNode):
            first_seen: dict[str, yaml.Node] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key = key_node.value
                else:
                    key = f"<complex key at line {key_node.start_mark.line + 1}>"
                if key in first_seen:
                    problems.append(
                        LoadProblem(
                            "AG001",
                            f"duplicate key {key!r} (first defined at line {first_seen[key].start_mark.line + 1})",
                            span_of(key_node),
                        )
                    )
                first_seen[key] = key_node
                container[key] = value_of(value_node, key, depth, stack)
        else:
            for item in node.value:
                container.append(value_of(item, None, depth, stack))
        if depth > Limits.max_depth and not depth_reported:
            depth_reported = True
    return top


def expanded_size(root: yaml.Node, limit: int) -> int:
    """Number of nodes the tree has once aliases are expanded; counting stops past ``limit``."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if isinstance(node, yaml.ScalarNode) or id(node) in sizes:
            continue
        children = (
            [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
        )
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        total = 1
        for child in children:
            total += sizes.get(id(child), 1)
            if total > limit:
                total = limit + 1
                break
        sizes[id(node)] = total
    return sizes.get(id(root), 1)
