"""References that cannot be followed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from apilint.load.refs import parse_pointer, walk
from apilint.model import Api, Pointer
from apilint.rules import Violation

#: A reference as written in the text. It starts with the literal ``$ref`` (a quote before it is not
#: needed to find it), so the search skips from one ``$ref`` to the next in C.
_REF_TEXT = re.compile(r"""\$ref["']?\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s,}\]#][^\s,}\]]*|#[^\s,}\]]*))""")


def _all_resolve(api: Api, text: str) -> bool:
    """Whether every reference written in the text is a local one that resolves in this document.

    Walking a multi-megabyte document for its references costs far more than reading them from the
    text; the walk (which finds positions) is only needed when one of them does not resolve. A
    reference written many times (a shared schema) is looked up once.
    """
    document = api.document
    # One group matched per reference (an empty string when written as ""): the others are empty.
    for ref in {double or single or plain for double, single, plain in _REF_TEXT.findall(text)}:
        if not ref.startswith("#"):
            return False
        steps = parse_pointer(ref[1:])
        if steps is None:
            return False
        found, value, _ = walk(document, steps)
        if not found or (isinstance(value, dict) and "$ref" in value):
            return False  # missing, or a chain that may loop: the walk follows it
    return True


def unresolved_references(api: Api, run: Any) -> Iterator[Violation]:
    """Every ``$ref`` in the document whose target cannot be reached.

    Each mapping is visited once, so a document whose aliases share subtrees costs no more than its
    text.
    """
    document, at = api.root()
    resolver = api.resolver
    if api.document is None or resolver is None or api.doc_at is None:
        return
    text = at.source.text
    if "$ref" not in text or _all_resolve(api, text):
        return
    visited: set[int] = set()
    base = at.path
    stack: list[tuple[Any, tuple[Any, ...]]] = [(document, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                before = len(resolver.problems)
                resolver.target(ref, Pointer(at.source, base + path + ("$ref",)), api.doc_at)
                for problem in resolver.problems[before:]:
                    yield Violation(problem.at, problem.message)
            for key, value in node.items():
                if type(value) is dict or type(value) is list:
                    stack.append((value, path + (key,)))
        else:
            for index, value in enumerate(node):
                if type(value) is dict or type(value) is list:
                    stack.append((value, path + (index,)))
