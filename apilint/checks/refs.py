"""References that cannot be followed."""

from __future__ import annotations

from typing import Any, Iterator

from apilint.model import Api, Pointer
from apilint.rules import Violation


def unresolved_references(api: Api, run: Any) -> Iterator[Violation]:
    """Every ``$ref`` in the document whose target cannot be reached.

    Each mapping is visited once, so a document whose aliases share subtrees costs no more than its
    text.
    """
    document, at = api.root()
    resolver = api.resolver
    if api.document is None or resolver is None or api.doc_at is None:
        return
    visited: set[int] = set()
    stack: list[tuple[Any, Pointer]] = [(document, at)]
    while stack:
        node, node_at = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                before = len(resolver.problems)
                resolver.target(ref, node_at.child("$ref"), api.doc_at)
                for problem in resolver.problems[before:]:
                    yield Violation(problem.at, problem.message)
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    stack.append((value, node_at.child(key)))
        else:
            for index, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    stack.append((value, node_at.child(index)))
