"""Quota and range checks: values and sizes API Gateway refuses or cannot hold."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from apilint.finding import Severity
from apilint.model import Api, ApiType, Pointer
from apilint.rules import Violation
from apilint.values import has_placeholder, is_intrinsic, number, replace_placeholders, whole_number

AUTHORIZER = "x-amazon-apigateway-authorizer"
POLICY = "x-amazon-apigateway-policy"
COMPRESSION = "x-amazon-apigateway-minimum-compression-size"
_SAM_APIS = ("AWS::Serverless::Api", "AWS::Serverless::HttpApi")


# --- helpers shared by the limit checks -------------------------------------------------------------


def _authorizers(api: Api) -> Iterator[tuple[str, dict[str, Any], Pointer]]:
    """``x-amazon-apigateway-authorizer`` objects of the document: scheme name, object, pointer."""
    for name, (scheme, at) in api.security_schemes().items():
        if AUTHORIZER not in scheme:
            continue
        authorizer, authorizer_at = api.deref(scheme[AUTHORIZER], at.child(AUTHORIZER))
        if isinstance(authorizer, dict) and not is_intrinsic(authorizer):
            yield name, authorizer, authorizer_at


def _kind(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) and not has_placeholder(value) else None


def _has_identity(value: Any) -> bool | None:
    """Whether an identity source is given; None when it is decided at deploy time."""
    if is_intrinsic(value) or has_placeholder(value):
        return None
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return any(_has_identity(item) is not False for item in value)
    return False


# --- AG202 ---------------------------------------------------------------------------------------------


def authorizer_ttl(api: Api, run: Any) -> Iterator[Violation]:
    """Authorizer cache TTLs outside the allowed range, and caching without an identity source."""
    low, high = run.options["min"], run.options["max"]
    rest_default = run.options["rest_default"]

    def judge(ttl_raw: Any, ttl_at: Pointer, present: bool, kind: str | None, identity: Any,
              identity_at: Pointer, label: str, rest: bool) -> Iterator[Violation]:
        ttl = whole_number(ttl_raw) if present else None
        if ttl is not None and ttl > high and kind == "cognito_user_pools":
            # The API reference gives 3600 s as the maximum of every authorizer, but no refusal of a longer
            # TTL on a Cognito authorizer is recorded, and cfn-lint (E3718) applies the limit to Lambda
            # authorizers only: a warning, never an error.
            yield Violation(ttl_at, f"{label}: result cache TTL {ttl} s is above the {high} s AWS documents for "
                                    "authorizer caching; whether API Gateway refuses it for a Cognito user pool "
                                    "authorizer is not confirmed", Severity.WARNING)
            return
        if ttl is not None and not low <= ttl <= high:
            yield Violation(ttl_at, f"{label}: result cache TTL {ttl} s is outside {low}–{high} s")
            return
        if present and ttl is None:
            return  # unknown until deployment
        if kind != "request":
            return
        if ttl is None:
            if not rest:
                return  # the HTTP API default TTL is not documented
            ttl, reason = rest_default, f"the TTL is unset, so it defaults to {rest_default} s"
        else:
            reason = f"the TTL is {ttl} s"
        if ttl > 0 and _has_identity(identity) is False:
            yield Violation(identity_at, f"{label}: a REQUEST authorizer that caches results needs an identity "
                                         f"source (the cache key), and {reason}; set an identity source or a TTL of 0")

    rest = api.api_type is ApiType.REST
    for name, authorizer, at in _authorizers(api):
        kind = _kind(authorizer.get("type"))
        identity_at = at.child("identitySource") if "identitySource" in authorizer else at
        yield from judge(authorizer.get("authorizerResultTtlInSeconds"), at.child("authorizerResultTtlInSeconds"),
                         "authorizerResultTtlInSeconds" in authorizer, kind, authorizer.get("identitySource"),
                         identity_at, f"authorizer {name!r}", rest)
    for resource in api.related("AWS::ApiGateway::Authorizer"):
        logical_id, props, at = resource.name, resource.properties, resource.properties_at
        identity_at = at.child("IdentitySource") if "IdentitySource" in props else at.child("Type")
        yield from judge(props.get("AuthorizerResultTtlInSeconds"), at.child("AuthorizerResultTtlInSeconds"),
                         "AuthorizerResultTtlInSeconds" in props, _kind(props.get("Type")),
                         props.get("IdentitySource"), identity_at, f"authorizer {logical_id}", True)
    for resource in api.related("AWS::ApiGatewayV2::Authorizer"):
        logical_id, props, at = resource.name, resource.properties, resource.properties_at
        # identity sources as cache keys are documented for HTTP API Lambda authorizers only
        kind = _kind(props.get("AuthorizerType")) if api.api_type is ApiType.HTTP else None
        identity_at = at.child("IdentitySource") if "IdentitySource" in props else at.child("AuthorizerType")
        yield from judge(props.get("AuthorizerResultTtlInSeconds"), at.child("AuthorizerResultTtlInSeconds"),
                         "AuthorizerResultTtlInSeconds" in props, kind, props.get("IdentitySource"), identity_at,
                         f"authorizer {logical_id}", False)
    yield from _sam_authorizer_ttl(api, judge)


def _sam_authorizer_ttl(api: Api, judge: Any) -> Iterator[Violation]:
    """SAM Lambda authorizers: ``Identity.ReauthorizeEvery`` is the TTL, the other Identity keys its sources."""
    auth = api.properties.get("Auth") if api.resource_type in _SAM_APIS else None
    authorizers = auth.get("Authorizers") if isinstance(auth, dict) else None
    if not isinstance(authorizers, dict):
        return
    rest = api.resource_type == "AWS::Serverless::Api"
    for name, authorizer in authorizers.items():
        if not isinstance(authorizer, dict) or "FunctionArn" not in authorizer:
            continue
        at = api.property_at("Auth", "Authorizers", name)
        identity = authorizer.get("Identity")
        identity = identity if isinstance(identity, dict) else {}
        if rest:
            payload = authorizer.get("FunctionPayloadType", "TOKEN")
            kind = _kind(payload) if isinstance(payload, str) else None
        else:
            kind = "request"  # HTTP API Lambda authorizers are REQUEST authorizers
        sources = [identity.get(k) for k in ("Headers", "QueryStrings", "StageVariables", "Context")
                   if identity.get(k) is not None]
        identity_at = at.child("Identity") if "Identity" in authorizer else at
        yield from judge(identity.get("ReauthorizeEvery"), at.child("Identity", "ReauthorizeEvery"),
                         "ReauthorizeEvery" in identity, kind, sources, identity_at, f"authorizer {name!r}", rest)


# --- AG203 ---------------------------------------------------------------------------------------------


def rest_resource_count(paths: dict[str, Any]) -> int:
    """Resources a REST API import creates for these paths: every distinct path prefix, root excluded."""
    resources: set[tuple[str, ...]] = set()
    for key in paths:
        if not isinstance(key, str):
            continue
        segments = tuple(s for s in key.split("/") if s)
        for end in range(1, len(segments) + 1):
            resources.add(segments[:end])
    return len(resources)


def too_many_routes(api: Api, run: Any) -> Iterator[Violation]:
    """More resources (REST) or routes (HTTP, WebSocket) than one API may have."""
    limit = run.options[api.api_type.value]
    doc, at = api.root()
    paths = doc.get("paths")
    if isinstance(paths, dict) and not is_intrinsic(paths):
        if api.api_type is ApiType.REST:
            count, what = rest_resource_count(paths), "resources"
        else:
            count, what = sum(1 for _ in api.operations()), "routes"
        if count > limit:
            yield Violation(at.child("paths"), _too_many(api, count, what, limit))
    kinds = {ApiType.REST: ("AWS::ApiGateway::Resource", "resources")}
    resource_type, what = kinds.get(api.api_type, ("AWS::ApiGatewayV2::Route", "routes"))
    count = len(api.related(resource_type))
    if count > limit and api.resource_at is not None:
        yield Violation(api.resource_at, _too_many(api, count, f"{resource_type} {what}", limit))


def _too_many(api: Api, count: int, what: str, limit: int) -> str:
    return (f"{count} {what} exceed the default quota of {limit} per {api.api_type.label} API; the deployment "
            "fails unless the account has a quota increase")


# --- AG204 ---------------------------------------------------------------------------------------------


def definition_size(api: Api, run: Any) -> Iterator[Violation]:
    """A REST definition larger than the import size limit."""
    limit = run.options["max_bytes"]
    doc, at = api.root()
    if api.document is None:
        return
    if at.path == () and at.source.data is api.document:
        size, how = len(at.source.text.encode("utf-8")), "the file is"
    else:
        # an inline body is sent as JSON: its compact form is the smallest it can be
        size = len(json.dumps(doc, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8"))
        how = "the definition is at least"
    if size > limit:
        yield Violation(at, f"{how} {size / 1_048_576:.1f} MB ({size:,} bytes); API Gateway imports REST "
                            f"definitions of at most {limit / 1_048_576:g} MB")


# --- AG205 ---------------------------------------------------------------------------------------------


def _known_text(value: Any) -> Any:
    """The value with intrinsics and ``${...}`` placeholders removed (they may turn out shorter)."""
    if is_intrinsic(value):
        return ""
    if isinstance(value, dict):
        return {k: _known_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_known_text(v) for v in value]
    if isinstance(value, str):
        return replace_placeholders(value, "")
    return value


def policy_length(policy: Any) -> int | None:
    """The fewest characters a resource policy can have once written as JSON."""
    if isinstance(policy, str):
        return len(replace_placeholders(policy, ""))
    if is_intrinsic(policy):
        inner = policy.get("Fn::Sub")
        if isinstance(inner, list) and inner:
            inner = inner[0]
        return len(replace_placeholders(inner, "")) if isinstance(inner, str) else None
    if isinstance(policy, (dict, list)):
        return len(json.dumps(_known_text(policy), separators=(",", ":"), ensure_ascii=False, default=str))
    return None


def resource_policy_length(api: Api, run: Any) -> Iterator[Violation]:
    """A resource policy longer than the policy length quota."""
    limit = run.options["max"]
    doc, at = api.root()
    places = []
    if POLICY in doc:
        places.append((doc[POLICY], at.child(POLICY)))
    if api.resource_type == "AWS::ApiGateway::RestApi" and "Policy" in api.properties:
        places.append((api.properties["Policy"], api.property_at("Policy")))
    for policy, policy_at in places:
        length = policy_length(policy)
        if length is not None and length > limit:
            yield Violation(policy_at, f"the resource policy has at least {length:,} characters as compact JSON, "
                                       f"over the default quota of {limit:,}; it is refused unless the account "
                                       "has a quota increase")


# --- AG206 ---------------------------------------------------------------------------------------------


def minimum_compression_size(api: Api, run: Any) -> Iterator[Violation]:
    """A minimum compression size outside the range API Gateway accepts."""
    low, high = run.options["min"], run.options["max"]
    doc, at = api.root()
    places = []
    if COMPRESSION in doc:
        places.append((doc[COMPRESSION], at.child(COMPRESSION), COMPRESSION))
    if api.resource_type in {"AWS::ApiGateway::RestApi", "AWS::Serverless::Api"} and "MinimumCompressionSize" in api.properties:
        places.append((api.properties["MinimumCompressionSize"], api.property_at("MinimumCompressionSize"),
                       "MinimumCompressionSize"))
    for value, value_at, name in places:
        size = whole_number(value)
        if size is not None and not low <= size <= high:
            yield Violation(value_at, f"{name} {size:,} is outside {low}–{high:,} bytes (use null to turn "
                                      "compression off)")


# --- AG207 ---------------------------------------------------------------------------------------------


def jwt_limits(api: Api, run: Any) -> Iterator[Violation]:
    """JWT authorizers with too many audiences, routes with too many authorization scopes."""
    max_audiences, max_scopes = run.options["audiences"], run.options["scopes"]

    def audiences(value: Any, at: Pointer, label: str) -> Iterator[Violation]:
        if isinstance(value, list) and len(value) > max_audiences:
            yield Violation(at, f"{label} lists {len(value)} audiences; a JWT authorizer takes at most {max_audiences}")

    def scopes(value: Any, at: Pointer, label: str) -> Iterator[Violation]:
        if isinstance(value, list) and len(value) > max_scopes:
            yield Violation(at, f"{label} requires {len(value)} authorization scopes; a route takes at most {max_scopes}")

    for name, authorizer, at in _authorizers(api):
        config = authorizer.get("jwtConfiguration")
        if isinstance(config, dict):
            yield from audiences(config.get("audience"), at.child("jwtConfiguration", "audience"),
                                 f"JWT authorizer {name!r}")
    doc, doc_at = api.root()
    inherited = False
    for operation in api.operations():
        if "security" not in operation.data:
            inherited = True
            continue
        yield from _requirement_scopes(operation.data.get("security"), operation.at.child("security"),
                                       operation.label, scopes)
    if inherited:
        yield from _requirement_scopes(doc.get("security"), doc_at.child("security"), "the default security", scopes)
    for resource in api.related("AWS::ApiGatewayV2::Authorizer"):
        logical_id, props, at = resource.name, resource.properties, resource.properties_at
        config = props.get("JwtConfiguration")
        if isinstance(config, dict):
            yield from audiences(config.get("Audience"), at.child("JwtConfiguration", "Audience"),
                                 f"JWT authorizer {logical_id}")
    for resource in api.related("AWS::ApiGatewayV2::Route"):
        logical_id, props, at = resource.name, resource.properties, resource.properties_at
        yield from scopes(props.get("AuthorizationScopes"), at.child("AuthorizationScopes"), f"route {logical_id}")
    auth = api.properties.get("Auth") if api.resource_type == "AWS::Serverless::HttpApi" else None
    authorizers = auth.get("Authorizers") if isinstance(auth, dict) else None
    for name, authorizer in (authorizers.items() if isinstance(authorizers, dict) else ()):
        if not isinstance(authorizer, dict):
            continue
        at = api.property_at("Auth", "Authorizers", name)
        config = authorizer.get("JwtConfiguration")
        if isinstance(config, dict):
            yield from audiences(config.get("audience"), at.child("JwtConfiguration", "audience"),
                                 f"JWT authorizer {name!r}")
        yield from scopes(authorizer.get("AuthorizationScopes"), at.child("AuthorizationScopes"),
                          f"authorizer {name!r}")


def _requirement_scopes(requirements: Any, at: Pointer, label: str, scopes: Any) -> Iterator[Violation]:
    if not isinstance(requirements, list):
        return
    for index, requirement in enumerate(requirements):
        if isinstance(requirement, dict):
            for name, values in requirement.items():
                yield from scopes(values, at.child(index, name), f"{label} ({name})")


# --- AG208 ---------------------------------------------------------------------------------------------


def cache_settings(api: Api, run: Any) -> Iterator[Violation]:
    """Stage cache cluster sizes that do not exist and cache TTLs over the maximum."""
    sizes = [float(s) for s in run.options["cluster_sizes"]]
    ttl_low, ttl_high = run.options["ttl_min"], run.options["ttl_max"]
    shown_sizes = ", ".join(str(s) for s in run.options["cluster_sizes"])

    def size(value: Any, at: Pointer, label: str) -> Iterator[Violation]:
        if is_intrinsic(value) or has_placeholder(value):
            return
        gigabytes = number(value)
        if gigabytes is None or not any(abs(gigabytes - s) < 1e-9 for s in sizes):
            yield Violation(at, f"{label}: cache cluster size {value!r} is not one of {shown_sizes} (GB)")

    def ttl(value: Any, at: Pointer, label: str) -> Iterator[Violation]:
        seconds = whole_number(value)
        if seconds is not None and not ttl_low <= seconds <= ttl_high:
            yield Violation(at, f"{label}: cache TTL {seconds:,} s is outside {ttl_low}–{ttl_high:,} s")

    for stage in api.stages:
        label = {"AWS::Serverless::Api": "API", "AWS::ApiGateway::Deployment": "deployment"}.get(stage.kind, "stage")
        label = f"{label} {stage.logical_id}"
        if stage.cache_cluster_size.at is not None:
            yield from size(stage.cache_cluster_size.value, stage.cache_cluster_size.at, label)
        for settings in stage.route_settings:
            if settings.cache_ttl.at is not None:
                yield from ttl(settings.cache_ttl.value, settings.cache_ttl.at, label)


# --- AG209 ---------------------------------------------------------------------------------------------


def _template_texts(value: Any, at: Pointer) -> Iterator[tuple[int, Pointer]]:
    """Sizes in bytes of a map of mapping templates (content type -> template), least sizes for ``!Sub``."""
    if not isinstance(value, dict) or is_intrinsic(value):
        return
    for content_type, template in value.items():
        text = template
        if is_intrinsic(template):
            inner = template.get("Fn::Sub")
            text = inner[0] if isinstance(inner, list) and inner else inner
        if isinstance(text, str):
            yield len(replace_placeholders(text, "").encode("utf-8")), at.child(content_type)


def mapping_template_size(api: Api, run: Any) -> Iterator[Violation]:
    """Mapping templates larger than API Gateway accepts."""
    limit = run.options["max_bytes"]
    places: list[tuple[Any, Pointer]] = []
    for integration in api.integrations():
        places.append((integration.get("requestTemplates"), integration.at.child("requestTemplates")))
        responses = integration.get("responses")
        if isinstance(responses, dict):
            for key, response in responses.items():
                if isinstance(response, dict):
                    places.append((response.get("responseTemplates"),
                                   integration.at.child("responses", key, "responseTemplates")))
    for resource in api.related("AWS::ApiGateway::Method"):
        props, at = resource.properties, resource.properties_at
        method_integration = props.get("Integration")
        if not isinstance(method_integration, dict):
            continue
        places.append((method_integration.get("RequestTemplates"), at.child("Integration", "RequestTemplates")))
        responses = method_integration.get("IntegrationResponses")
        for index, response in enumerate(responses if isinstance(responses, list) else []):
            if isinstance(response, dict):
                places.append((response.get("ResponseTemplates"),
                               at.child("Integration", "IntegrationResponses", index, "ResponseTemplates")))
    for resource in api.related("AWS::ApiGatewayV2::Integration"):
        props, at = resource.properties, resource.properties_at
        places.append((props.get("RequestTemplates"), at.child("RequestTemplates")))
    for resource in api.related("AWS::ApiGatewayV2::IntegrationResponse"):
        props, at = resource.properties, resource.properties_at
        places.append((props.get("ResponseTemplates"), at.child("ResponseTemplates")))
    seen: set[tuple[Any, ...]] = set()
    for value, at in places:
        for size, template_at in _template_texts(value, at):
            if size > limit and template_at.path not in seen:
                seen.add(template_at.path)
                yield Violation(template_at, f"the mapping template is {size / 1024:,.0f} KB ({size:,} bytes); "
                                             f"API Gateway takes templates of at most {limit // 1024:,} KB")


# --- AG210 ---------------------------------------------------------------------------------------------


def too_many_authorizers(api: Api, run: Any) -> Iterator[Violation]:
    """More authorizers in one API than the default quota."""
    limit = run.options["max"]
    doc, at = api.root()
    defined = [name for name, _, _ in _authorizers(api)]
    if len(defined) > limit:
        container = "securityDefinitions" if "securityDefinitions" in doc else ("components", "securitySchemes")
        where = at.child(*container) if isinstance(container, tuple) else at.child(container)
        yield Violation(where, _authorizer_count(api, len(defined), "security schemes with an authorizer", limit))
    for resource_type in ("AWS::ApiGateway::Authorizer", "AWS::ApiGatewayV2::Authorizer"):
        count = len(api.related(resource_type))
        if count > limit and api.resource_at is not None:
            yield Violation(api.resource_at, _authorizer_count(api, count, f"{resource_type} resources", limit))
    auth = api.properties.get("Auth") if api.resource_type in _SAM_APIS else None
    authorizers = auth.get("Authorizers") if isinstance(auth, dict) else None
    if isinstance(authorizers, dict) and len(authorizers) > limit:
        yield Violation(api.property_at("Auth", "Authorizers"),
                        _authorizer_count(api, len(authorizers), "SAM authorizers", limit))


def _authorizer_count(api: Api, count: int, what: str, limit: int) -> str:
    return (f"{count} {what}: over the default quota of {limit} authorizers per {api.api_type.label} API; the "
            "deployment fails unless the account has a quota increase")


__all__ = ["authorizer_ttl", "cache_settings", "definition_size", "jwt_limits", "mapping_template_size",
           "minimum_compression_size", "resource_policy_length", "too_many_authorizers", "too_many_routes"]
