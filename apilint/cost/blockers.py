"""Blocking features: what keeps an API, or one route of it, from being another API type.

The check engine builds the API objects (:class:`apilint.model.Api`, with their template context);
this module applies the feature table (:func:`apilint.features.detect_features`) to them. A feature in
use blocks every type that lacks it, the current type included: a REST API that declares an
HTTP-only setting is as blocked as REST as it would be as WebSocket.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from apilint.model import ApiType, EndpointType

if TYPE_CHECKING:
    from apilint.features import FeatureUse
    from apilint.model import Api, Operation, Pointer

#: Root keys that only declare something routes refer to: the declaration alone moves with no route.
#: A route that uses a request validator is blocked by its own reference (or the root default).
_DECLARATIONS = frozenset({"x-amazon-apigateway-request-validators"})
#: Features that stay with the REST part of a split: the stage cache keeps serving the routes that stay.
_STAYS_ON_REST = frozenset({"caching"})


@dataclass(frozen=True)
class Blocker:
    """A feature in use that the target API type lacks, and where it is used."""

    feature: str
    message: str
    file: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, str | int | None]:
        return {"feature": self.feature, "message": self.message, "file": self.file, "line": self.line}

    @property
    def where(self) -> str:
        """``file:line``, ``file`` or an empty string."""
        if self.file is None:
            return ""
        return self.file if self.line is None else f"{self.file}:{self.line}"


def blockers_of(items: Iterable[Blocker]) -> tuple[Blocker, ...]:
    """Blockers without duplicates (same feature at the same place), in order."""
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True)
class ApiBlockers:
    """What the definitions of one API say: blockers per target type and per route, and the facts
    the estimate takes from the template (current type, endpoint, stage cache).

    ``by_route`` is None when nothing is known about routes; a route missing from a known mapping has
    no blockers.
    """

    by_type: dict[ApiType, tuple[Blocker, ...]] = field(default_factory=dict)
    by_route: dict[str, tuple[Blocker, ...]] | None = None
    current_type: ApiType | None = None
    endpoint_type: EndpointType | None = None
    #: The stage caches the template provisions, one size per caching stage (GB).
    cache_sizes_gb: tuple[Decimal, ...] = ()
    cache_at: str | None = None
    files: tuple[str, ...] = ()

    def merged(self, other: ApiBlockers) -> ApiBlockers:
        """Both sets of blockers, as for several definitions priced as one API."""
        types = list(dict.fromkeys([*self.by_type, *other.by_type]))
        by_type = {t: blockers_of([*self.by_type.get(t, ()), *other.by_type.get(t, ())]) for t in types}
        if self.by_route is None or other.by_route is None:
            by_route = self.by_route if other.by_route is None else other.by_route
        else:
            routes = list(dict.fromkeys([*self.by_route, *other.by_route]))
            by_route = {r: blockers_of([*self.by_route.get(r, ()), *other.by_route.get(r, ())]) for r in routes}
        return ApiBlockers(
            by_type,
            by_route,
            self.current_type or other.current_type,
            self.endpoint_type or other.endpoint_type,
            (*self.cache_sizes_gb, *other.cache_sizes_gb),
            self.cache_at or other.cache_at,
            tuple(dict.fromkeys([*self.files, *other.files])),
        )


# --------------------------------------------------------------------------- from the API model


def _blocker(use: FeatureUse) -> Blocker:
    from apilint.features import feature_index

    feature = feature_index()[use.feature_id]
    span = use.at.source.locate(use.at.path)
    return Blocker(use.feature_id, feature.blocks_migration_message or use.message, use.at.source.display, span.line)


def route_key(operation: Operation) -> str:
    """``GET /orders``; ``ANY /orders`` for ``x-amazon-apigateway-any-method``; ``$default`` as is."""
    from apilint.model import HTTP_METHODS

    if operation.path_key == "$default":
        return "$default"
    method = operation.method.upper() if operation.method in HTTP_METHODS else "ANY"
    return f"{method} {operation.path_key}"


def _inside(at: Pointer, container: Pointer) -> bool:
    return at.source is container.source and at.path[: len(container.path)] == container.path


def _scheme_names(api: Api, operation: Operation) -> set[str]:
    requirements, _ = api.effective_security(operation)
    names: set[str] = set()
    for requirement in requirements if isinstance(requirements, list) else ():
        if isinstance(requirement, dict):
            names.update(str(name) for name in requirement)
    return names


def _route_blockers(api: Api, uses: Sequence[FeatureUse]) -> dict[str, tuple[Blocker, ...]]:
    """Blockers of moving each route to an HTTP API on its own.

    A route carries the features used in its operation and path item, the security schemes it
    names, and the API-wide features (a resource policy, a WAF web ACL, a root default validator...)
    that a route moved alone would lose too. Declarations that only routes' references bring into
    play (the validator map) block no route by themselves.
    """
    blocking = [use for use in uses if use.supported.get(ApiType.HTTP.value) is False]
    operations = list(api.operations())
    schemes = {name: at for name, (_, at) in api.security_schemes().items()}
    doc_at = api.doc_at
    api_wide = []
    for use in blocking:
        if any(_inside(use.at, op.at) or _inside(use.at, op.path_item_at) for op in operations):
            continue
        if any(_inside(use.at, at) for at in schemes.values()) or use.feature_id in _STAYS_ON_REST:
            continue
        if doc_at is not None and use.at.source is doc_at.source and use.at.path[: len(doc_at.path)] == doc_at.path:
            relative = use.at.path[len(doc_at.path):]
            if relative[:1] and relative[0] in _DECLARATIONS:
                continue
        api_wide.append(use)
    routes: dict[str, tuple[Blocker, ...]] = {}
    for operation in operations:
        names = _scheme_names(api, operation)
        own = [
            use for use in blocking
            if _inside(use.at, operation.at)
            or (_inside(use.at, operation.path_item_at) and not any(_inside(use.at, op.at) for op in operations))
            or any(name in names and _inside(use.at, at) for name, at in schemes.items())
        ]
        key = route_key(operation)
        routes[key] = blockers_of([*routes.get(key, ()), *(_blocker(use) for use in [*own, *api_wide])])
    return routes


def api_blockers(api: Api) -> ApiBlockers:
    """Blockers of one API per target type (its current type included), and per route for a move
    to an HTTP API, with the stage cache its template declares."""
    from apilint.features import detect_features

    uses = detect_features(api)
    by_type = _deployment_blockers(api, {
        target: blockers_of(_blocker(use) for use in uses if use.supported.get(target.value) is False)
        for target in ApiType
    })
    routes = _route_blockers(api, uses) if api.api_type is not ApiType.HTTP else {}
    cache, cache_at = stage_cache(api)
    return ApiBlockers(
        by_type, routes, api.api_type, api.endpoint_type, cache, cache_at, (api.source.display,)
    )


def stage_cache(api: Api) -> tuple[tuple[Decimal, ...], str | None]:
    """The stage caches the template provisions for the API (GB, one per caching stage), and where
    the first is switched on, from the deployment model (``Api.stages``). ``CacheClusterEnabled``
    without a size is API Gateway's default, the smallest size (0.5 GB); a size decided at
    deployment (an intrinsic function) is left out."""
    sizes: list[Decimal] = []
    where = None
    for stage in api.stages:
        if stage.cache_cluster_enabled.flag() is not True:
            continue
        size = stage.cache_cluster_size.number() if stage.cache_cluster_size.written else 0.5
        if size is None:
            continue
        sizes.append(Decimal(str(size)))
        if where is None:
            at = stage.cache_cluster_enabled.where(stage.at)
            where = f"{at.source.display}:{at.source.locate(at.path).line}"
    return tuple(sizes), where


def _deployment_blockers(api: Api, found: dict[ApiType, tuple[Blocker, ...]]) -> dict[ApiType, tuple[Blocker, ...]]:
    """Blockers from the deployment model: stage caches, WAF associations and usage plans block every
    type that lacks the feature, where the feature table did not already name it for that type."""
    from apilint.features import feature_index

    index = feature_index()
    uses: list[tuple[str, Pointer]] = []
    for stage in api.stages:
        if stage.cache_cluster_enabled.flag() is True:
            uses.append(("caching", stage.cache_cluster_enabled.where(stage.at)))
    uses.extend(("waf", association.at) for association in api.waf)
    uses.extend(("usage-plans", plan.at) for plan in api.usage_plans)
    result = dict(found)
    for feature_id, at in uses:
        feature = index[feature_id]
        blocker = Blocker(
            feature_id, feature.blocks_migration_message, at.source.display, at.source.locate(at.path).line
        )
        for target in ApiType:
            if feature.supported.get(target.value) is not False:
                continue
            if any(known.feature == feature_id for known in result.get(target, ())):
                continue
            result[target] = (*result.get(target, ()), blocker)
    return result


@dataclass(frozen=True)
class DefinedApi:
    """One API the check engine built, as the estimate sees it: the files that hold it (its
    template and the definition it deploys) and what they say."""

    label: str
    files: frozenset[Path]
    facts: ApiBlockers
    #: The template resource of the API (``OrdersApi``), which a usage file names as
    #: ``template.yaml#OrdersApi``; None for a bare definition.
    logical_id: str | None = None
    #: The region the API is deployed to, when its deployment or the configuration says it (a
    #: Terraform provider's literal ``region``); None when nothing does.
    region: str | None = None


def defined_apis(apis: Sequence[Api]) -> list[DefinedApi]:
    """The facts of each API the check engine built."""
    result = []
    for api in apis:
        files = {api.source.path.resolve()}
        for at in (api.doc_at, api.resource_at):
            if at is not None:
                files.add(at.source.path.resolve())
        # a region only the environment gives is not one the deployment states
        stated = None if api.region_variable is not None else api.region
        result.append(DefinedApi(api.label, frozenset(files), api_blockers(api), api.logical_id, stated))
    return result
