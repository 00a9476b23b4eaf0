"""Blocking features: what keeps an API, or one route of it, from being another API type.

The linter core derives them from its feature-support data; this module only defines their shape
and the hook through which ``apilint cost`` asks for them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apilint.cost.errors import CostError
from apilint.model import ApiType

CORE_HOOK = "apilint.migration.blockers_for_paths"


@dataclass(frozen=True)
class Blocker:
    """A feature in use that the target API type lacks, and where it is used."""

    feature: str
    message: str
    file: str | None = None
    line: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Blocker:
        """From ``{"feature", "message", "file", "line"}`` (file and line may be missing or None)."""
        if not isinstance(data, Mapping) or "feature" not in data or "message" not in data:
            raise CostError(f"a blocker needs 'feature' and 'message', got {data!r}")
        line = data.get("line")
        return cls(
            str(data["feature"]), str(data["message"]), data.get("file"), None if line is None else int(line)
        )

    def to_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "message": self.message, "file": self.file, "line": self.line}

    @property
    def where(self) -> str:
        """``file:line``, ``file`` or an empty string."""
        if self.file is None:
            return ""
        return self.file if self.line is None else f"{self.file}:{self.line}"


def blockers_of(items: Sequence[Blocker | Mapping[str, Any]]) -> tuple[Blocker, ...]:
    """Blockers from dicts or Blocker objects, without duplicates (same feature at the same place)."""
    result: list[Blocker] = []
    for item in items:
        blocker = item if isinstance(item, Blocker) else Blocker.from_dict(item)
        if blocker not in result:
            result.append(blocker)
    return tuple(result)


@dataclass(frozen=True)
class ApiBlockers:
    """One API's blockers: per target API type, and per route for a move to an HTTP API.

    ``by_route`` is None when nothing is known about routes; a route missing from a known mapping has
    no blockers.
    """

    by_type: Mapping[ApiType, tuple[Blocker, ...]] = field(default_factory=dict)
    by_route: Mapping[str, tuple[Blocker, ...]] | None = None
    current_type: ApiType | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ApiBlockers:
        """From the hook's per-definition dict (see :func:`blockers_for_paths`)."""
        by_type = {ApiType(name): blockers_of(items) for name, items in (data.get("api_types") or {}).items()}
        routes = data.get("routes")
        by_route = (
            None if routes is None else {str(route): blockers_of(items) for route, items in routes.items()}
        )
        current = data.get("current_type")
        return cls(by_type, by_route, ApiType(current) if current else None)

    def merged(self, other: ApiBlockers) -> ApiBlockers:
        """Both sets of blockers, as for several definitions priced as one API."""
        types = set(self.by_type) | set(other.by_type)
        by_type = {t: blockers_of([*self.by_type.get(t, ()), *other.by_type.get(t, ())]) for t in types}
        if self.by_route is None or other.by_route is None:
            by_route = self.by_route if other.by_route is None else other.by_route
        else:
            routes = set(self.by_route) | set(other.by_route)
            by_route = {
                r: blockers_of([*self.by_route.get(r, ()), *other.by_route.get(r, ())]) for r in routes
            }
        return ApiBlockers(by_type, by_route, self.current_type or other.current_type)


def blockers_for_paths(paths: Sequence[Path]) -> dict[str, Any]:
    """Hook into the linter core: the blocking features of each definition.

    Expected result, one entry per path (keyed by ``str(path)``)::

        {"openapi/orders.yaml": {
            "current_type": "rest",                       # optional: the type the core inferred
            "api_types": {"http": [{"feature": "api-keys", "message": "...", "file": "...", "line": 12}],
                          "websocket": [...], "rest": []},
            "routes": {"GET /orders": [...], "POST /orders": []}}}   # blockers of moving one route to HTTP

    The linter core provides it as ``apilint.migration.blockers_for_paths``, from the same feature
    table as the mismatch rules.
    """
    from apilint.migration import blockers_for_paths as from_core

    return from_core(paths)


def collect_blockers(paths: Sequence[Path]) -> tuple[dict[str, ApiBlockers], list[str]]:
    """Blockers per definition path, and what the report should say about how they were found."""
    if not paths:
        return {}, [
            "No definition given: blocking features were not checked; every API type counts as available."
        ]
    raw = blockers_for_paths(paths)
    return {str(path): ApiBlockers.from_dict(entry) for path, entry in raw.items()}, []
