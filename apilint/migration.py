"""What blocks moving an API to another type: the feature table applied to real definitions.

``apilint cost`` asks this module, for each definition it is given, which features in use the other
API types lack (and where), both for the API as a whole and for each route moving to an HTTP API on
its own. The answers come from the same feature-support data as the mismatch rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from apilint.apis import kind_of
from apilint.config import find_config, load_config, resolve_file_options
from apilint.engine import Engine, RunOptions
from apilint.features import FeatureUse, detect_features, feature_index
from apilint.model import HTTP_METHODS, Api, ApiType, Pointer


def _blocker(use: FeatureUse) -> dict[str, Any]:
    feature = feature_index()[use.feature_id]
    span = use.at.source.locate(use.at.path)
    message = feature.blocks_migration_message or use.message
    return {"feature": use.feature_id, "message": message, "file": use.at.source.display, "line": span.line}


def _route_key(path_key: str, method: str) -> str:
    if path_key == "$default" or method not in HTTP_METHODS:
        return path_key if path_key == "$default" else f"ANY {path_key}"
    return f"{method.upper()} {path_key}"


def _inside(at: Pointer, container: Pointer) -> bool:
    return at.source is container.source and at.path[: len(container.path)] == container.path


def api_blockers(api: Api) -> dict[str, Any]:
    """Blockers of one API per target type, and per route for a move to an HTTP API."""
    uses = detect_features(api)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for target in ApiType:
        if target is api.api_type:
            by_type[target.value] = []
            continue
        by_type[target.value] = [_blocker(u) for u in uses if u.supported.get(target.value) is False]
    routes: dict[str, list[dict[str, Any]]] = {}
    operations = list(api.operations())
    if api.api_type is not ApiType.HTTP:
        blocking = [u for u in uses if u.supported.get("http") is False]
        inside_any = [u for u in blocking if any(_inside(u.at, op.at) or _inside(u.at, op.path_item_at) for op in operations)]
        api_wide = [u for u in blocking if u not in inside_any]
        for operation in operations:
            own = [u for u in blocking if _inside(u.at, operation.at)]
            key = _route_key(operation.path_key, operation.method)
            routes[key] = [_blocker(u) for u in own + api_wide]
    return {"current_type": api.api_type.value, "api_types": by_type, "routes": routes}


def blockers_for_paths(paths: Sequence[Path]) -> dict[str, Any]:
    """Blockers of the API in each definition or template, keyed by the path as given.

    A template with several APIs contributes the blockers of all of them.
    """
    root = Path.cwd().resolve()
    config = load_config(find_config(Path.cwd()))
    engine = Engine(RunOptions(root, config))
    result: dict[str, Any] = {}
    for path in paths:
        source = engine.open_source(path)
        kind = kind_of(source.data)
        if kind is None:
            continue
        _, apis = engine.build_apis(source, kind, resolve_file_options(config, path, {}))
        merged: dict[str, Any] | None = None
        for api in apis:
            entry = api_blockers(api)
            if merged is None:
                merged = entry
                continue
            for target, items in entry["api_types"].items():
                merged["api_types"].setdefault(target, []).extend(items)
            merged["routes"].update(entry["routes"])
        if merged is not None:
            result[str(path)] = merged
    return result
