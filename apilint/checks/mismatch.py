"""API-type mismatches: features, authorizers, versions and security the API's type does not support.

Which API types support a feature is written once, in ``rules/features.yaml``; the checks here report
the uses :func:`apilint.features.detect_features` finds that the API's type does not support.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apilint.features import FeatureUse, detect_features, feature_index
from apilint.finding import Severity
from apilint.model import (
    ENDPOINT_FROM_OPTIONS,
    Api,
    ApiType,
    EndpointType,
    Pointer,
    has_placeholder,
    is_intrinsic,
)
from apilint.rules import Violation

AUTHORIZER = "x-amazon-apigateway-authorizer"
AUTHTYPE = "x-amazon-apigateway-authtype"
ENDPOINT_CONFIGURATION = "x-amazon-apigateway-endpoint-configuration"
OPERATION_AUTH = "x-amazon-apigateway-auth"


# --- feature-driven rules (AG102-AG105, AG107-AG109, part of AG110) ---------------------------------


def unsupported_uses(api: Api, feature_ids: list[str]) -> Iterator[FeatureUse]:
    """Uses of these features that the API's type does not support (``"unconfirmed"`` is not reported).

    Only those features are looked for: a REST API supports most of them, and finding their uses
    would cost as much as finding the others'.
    """
    index = feature_index()
    unsupported = [i for i in feature_ids if i not in index or index[i].support(api.api_type) is False]
    yield from detect_features(api, unsupported) if unsupported else ()


def _type_phrase(api: Api) -> str:
    """``a REST API`` with the reason when the type was inferred from the document."""
    article = "an" if api.api_type is ApiType.HTTP else "a"
    phrase = f"{article} {api.api_type.label} API"
    return phrase if api.api_type_explicit else f"{phrase} ({api.api_type_reason})"


def _feature_ids(run: Any) -> list[str]:
    """The rule's ``features`` option (a configuration that names an unknown id stops when it loads)."""
    ids: list[str] = run.options["features"]
    return ids


def unsupported_features(api: Api, run: Any) -> Iterator[Violation]:
    """Every use of the rule's features (option ``features``) that the API's type does not support."""
    features = feature_index()
    uses = sorted(unsupported_uses(api, _feature_ids(run)), key=lambda u: len(u.at.path))
    whole = {api.doc_at, api.resource_at}
    reported: list[Pointer] = []
    settings_blocks: set[tuple[str, int, tuple[Any, ...]]] = set()
    for use in uses:
        # one finding per feature per settings block: LoggingLevel and DataTraceEnabled side by side
        # are one execution-logging mistake
        # (template settings only: keys of a definition are each a place of their own, inline or not)
        block = (use.feature_id, id(use.at.source), use.at.path[:-1])
        if len(use.at.path) > 4 and not _in_definition(api, use.at):
            if block in settings_blocks:
                continue
            settings_blocks.add(block)
        # one finding per place: responses.default.responseTemplates is inside a reported `responses`
        if any(at.source is use.at.source and use.at.path[:len(at.path)] == at.path for at in reported):
            continue
        if use.at not in whole and not (len(use.at.path) <= 2 and use.at.path[:1] == ("Resources",)):
            reported.append(use.at)  # a whole document or resource hides nothing inside it
        if use.feature_id == "payload-format-version" and _written(use.at) in ("1.0", 1.0):
            yield Violation(use.at, f"{use.message}, in {_type_phrase(api)}: a REST API ignores the key and always "
                                    "sends Lambda the 1.0 event, so \"1.0\" changes nothing; remove the key",
                            Severity.INFO)
            continue
        reason = features[use.feature_id].blocks_migration_message
        yield Violation(use.at, f"{use.message}, in {_type_phrase(api)}: {reason}")


def _in_definition(api: Api, at: Pointer) -> bool:
    """Whether a pointer leads into the API's OpenAPI document (inline in a template or a file of its own)."""
    doc = api.doc_at
    return doc is not None and at.source is doc.source and at.path[:len(doc.path)] == doc.path


def _written(at: Pointer) -> Any:
    """The value a pointer leads to in its file, None when the path does not lead to one."""
    node = at.source.data
    for step in at.path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    return node


# --- AG106 authorizer types ---------------------------------------------------------------------------


def _kind(value: Any) -> str | None:
    if isinstance(value, str) and not has_placeholder(value):
        return value.strip().lower()
    return None


def authorizer_types(api: Api, run: Any) -> Iterator[Violation]:
    """Authorizer types the API type does not offer (WebSocket authorization off ``$connect`` is AG504's)."""
    allowed: dict[str, list[str]] = run.options["allowed"]
    unconfirmed: dict[str, list[str]] = run.options["unconfirmed"]
    kind_key = api.api_type.value
    for name, (scheme, at) in api.security_schemes().items():
        if AUTHORIZER not in scheme:
            continue
        authorizer, authorizer_at = api.deref(scheme[AUTHORIZER], at.child(AUTHORIZER))
        if not isinstance(authorizer, dict) or "type" not in authorizer:
            continue
        kind = _kind(authorizer["type"])
        if kind is None or kind in allowed[kind_key]:
            continue
        accepted = ", ".join(allowed[kind_key])
        if kind in unconfirmed.get(kind_key, []):
            yield Violation(authorizer_at.child("type"),
                            f"authorizer {name!r} has type {kind}: {api.api_type.label} API authorizers are "
                            f"{accepted}; JWT authorizers for REST APIs are newly documented, but how an OpenAPI "
                            "definition declares one is UNCONFIRMED (the import may reject it)", Severity.WARNING)
        else:
            yield Violation(authorizer_at.child("type"),
                            f"authorizer {name!r} has type {kind}, which {api.api_type.label} APIs do not offer "
                            f"(they take {accepted})")
    yield from _authorizer_resources(api, allowed[kind_key])


#: Authorizer resources by origin: the API family they belong to, the resource type that family uses
#: in messages, and the paths (from the resource) of the property that ties them to an API and of their type.
_AUTHORIZER_RESOURCES = {
    "AWS::ApiGateway::Authorizer": ("rest", ("Properties", "RestApiId"), ("Properties", "Type")),
    "AWS::ApiGatewayV2::Authorizer": ("v2", ("Properties", "ApiId"), ("Properties", "AuthorizerType")),
    "aws_api_gateway_authorizer": ("rest", ("rest_api_id",), ("type",)),
    "aws_apigatewayv2_authorizer": ("v2", ("api_id",), ("authorizer_type",)),
}
_FAMILY = {"rest": "a REST API", "v2": "an HTTP or WebSocket API"}


def _authorizer_resources(api: Api, allowed: list[str]) -> Iterator[Violation]:
    """Authorizer resources tied to the API (CloudFormation or Terraform): a type it does not offer, or a
    resource of the other API family (a REST authorizer tied to an HTTP or WebSocket API, a V2 authorizer
    tied to a REST API)."""
    own = "rest" if api.api_type is ApiType.REST else "v2"
    accepted = ", ".join(kind.upper() for kind in allowed)
    article = "an" if api.api_type is ApiType.HTTP else "a"
    for authorizer in api.authorizers:
        if authorizer.origin not in _AUTHORIZER_RESOURCES:
            continue  # SAM Auth.Authorizers: AG602 quotes what SAM refuses
        family, tie, type_path = _AUTHORIZER_RESOURCES[authorizer.origin]
        shown = authorizer.kind.upper() if authorizer.kind is not None else "not known"
        if family != own:
            expected = next(origin for origin, entry in _AUTHORIZER_RESOURCES.items()
                            if entry[0] == own and origin.startswith("aws_") == authorizer.origin.startswith("aws_"))
            yield Violation(authorizer.at.child(*tie),
                            f"{authorizer.label} is {_FAMILY[family]} authorizer ({authorizer.origin}, type {shown}), "
                            f"but {tie[-1]} ties it to {api.logical_id}, {article} {api.api_type.label} API; "
                            f"{api.api_type.label} API authorizers are {expected} resources of type {accepted}")
        elif own == "v2" and authorizer.kind is not None and authorizer.kind not in allowed \
                and type_path[-1] in authorizer.data:
            yield Violation(authorizer.at.child(*type_path),
                            f"{authorizer.label} has type {authorizer.kind.upper()}, which {api.api_type.label} "
                            f"APIs do not offer (they take {accepted})")


# --- AG109 endpoint types -----------------------------------------------------------------------------


def endpoint_types(api: Api, run: Any) -> Iterator[Violation]:
    """Endpoint types the API type does not offer; VPC endpoint ids on a REST API that is not private."""
    yield from unsupported_features(api, run)
    yield from _endpoint_option(api)
    if api.api_type is not ApiType.REST or api.endpoint_type in (None, EndpointType.PRIVATE):
        return
    doc, at = api.root()
    places: list[tuple[Any, Pointer]] = [(doc.get(ENDPOINT_CONFIGURATION), at.child(ENDPOINT_CONFIGURATION))]
    servers = doc.get("servers")
    if isinstance(servers, list):
        for index, server in enumerate(servers):
            if isinstance(server, dict):
                places.append((server.get(ENDPOINT_CONFIGURATION), at.child("servers", index, ENDPOINT_CONFIGURATION)))
    for config, config_at in places:
        if isinstance(config, dict) and "vpcEndpointIds" in config and config["vpcEndpointIds"] not in (None, []):
            yield Violation(config_at.child("vpcEndpointIds"),
                            f"vpcEndpointIds apply only to private REST APIs, and this one is {api.endpoint_type.value} "
                            f"({api.endpoint_reason})")


def _endpoint_option(api: Api) -> Iterator[Violation]:
    """``--endpoint-type`` (or the configuration's ``endpoint-type``) naming an endpoint type an HTTP API lacks.

    The option is written in no file, so the finding is at the API it was given for: the declaring
    resource of a template, else the definition's root.
    """
    if api.api_type is not ApiType.HTTP or api.endpoint_reason != ENDPOINT_FROM_OPTIONS:
        return
    if api.endpoint_type not in (EndpointType.EDGE, EndpointType.PRIVATE):
        return
    at = api.resource_at or api.root()[1]
    yield Violation(at, f"--endpoint-type {api.endpoint_type.value} (or endpoint-type in the configuration) is given "
                        f"for {api.logical_id or 'this definition'}, an HTTP API ({api.api_type_reason}); HTTP APIs "
                        "are Regional only: no edge-optimized or private endpoint exists for them")


# --- AG110 OpenAPI versions ---------------------------------------------------------------------------


def openapi_version(api: Api, run: Any) -> Iterator[Violation]:
    """Definitions API Gateway does not import: Swagger for HTTP APIs, any OpenAPI for WebSocket APIs,
    versions other than 2.0 and 3.0."""
    reported = False
    for violation in unsupported_features(api, run):
        reported = True
        yield violation
    doc, at = api.root()
    if reported or api.document is None:
        return
    if "swagger" in doc:
        value, key = doc["swagger"], "swagger"
    elif "openapi" in doc:
        value, key = doc["openapi"], "openapi"
    else:
        return
    if is_intrinsic(value) or has_placeholder(value) or not isinstance(value, (str, int, float)):
        return
    text = str(value).strip()
    if key == "swagger":
        if text not in ("2.0", "2"):
            yield Violation(at.child(key), f"swagger: {text} is not a version API Gateway imports (OpenAPI 2.0 is "
                                           "written swagger: \"2.0\")")
        return
    major, _, rest = text.partition(".")
    minor = rest.partition(".")[0]
    if major == "3" and minor in ("0", ""):
        return
    if major == "3":
        yield Violation(at.child(key), f"openapi: {text}: API Gateway documents imports of OpenAPI 2.0 and 3.0 only; "
                                       "OpenAPI 3.1 definitions were rejected with \"Invalid OpenAPI input\" (whether "
                                       "that still holds is UNCONFIRMED); write the definition as OpenAPI 3.0",
                        Severity.WARNING)
        return
    hint = " (OpenAPI 2.0 is written swagger: \"2.0\")" if major == "2" else ""
    yield Violation(at.child(key), f"openapi: {text} is not a version API Gateway imports: it takes OpenAPI 2.0 "
                                   f"and 3.0{hint}")


# --- AG111 security requirements ---------------------------------------------------------------


def _authorization_schemes(api: Api) -> set[str]:
    """Security schemes that are an API Gateway authorization: an authorizer, or IAM (awsSigv4)."""
    names = set()
    for name, (scheme, _) in api.security_schemes().items():
        authtype = scheme.get(AUTHTYPE)
        if AUTHORIZER in scheme or (isinstance(authtype, str) and authtype.lower() == "awssigv4"):
            names.add(name)
    return names


def _named(requirements: Any) -> list[str]:
    names: list[str] = []
    if isinstance(requirements, list):
        for requirement in requirements:
            if isinstance(requirement, dict):
                names.extend(str(name) for name in requirement if str(name) not in names)
    return names


def multiple_auth(api: Api, run: Any) -> Iterator[Violation]:
    """HTTP API operations whose security requirements name more than one authorization."""
    schemes = _authorization_schemes(api)
    if len(schemes) < 2:
        return
    doc, doc_at = api.root()
    inherited: list[str] = []
    for operation in api.operations():
        if "security" not in operation.data:
            inherited.append(operation.label)
            continue
        mechanisms = [name for name in _named(operation.data["security"]) if name in schemes]
        if len(mechanisms) > 1:
            yield Violation(operation.at.child("security"), _multiple(operation.label, mechanisms))
    mechanisms = [name for name in _named(doc.get("security")) if name in schemes]
    if inherited and len(mechanisms) > 1:
        who = inherited[0] if len(inherited) == 1 else f"{len(inherited)} operations, {inherited[0]} first,"
        yield Violation(doc_at.child("security"), _multiple(f"the root security (inherited by {who})", mechanisms))


def _multiple(label: str, mechanisms: list[str]) -> str:
    return (f"{label} names {len(mechanisms)} authorizations ({', '.join(mechanisms)}); an HTTP API operation takes "
            "one of IAM, a Lambda authorizer or a JWT authorizer, and the import fails otherwise")


# --- AG211 HTTP API integration subtypes ----------------------------------------------------------------


def integration_subtypes(api: Api, run: Any) -> Iterator[Violation]:
    """First-class AWS service integrations of HTTP APIs missing the parameters or the role they need."""
    required: dict[str, list[str]] = run.options["subtypes"]
    by_name = {name.lower(): (name, params) for name, params in required.items()}
    places: list[tuple[str, dict[str, Any], Pointer, tuple[str, str, str]]] = []
    for view in api.all_integrations():
        subtype_key, parameters_key, credentials_key = (view.key("subtype"), view.key("request_parameters"),
                                                        view.key("credentials"))
        if subtype_key is None or parameters_key is None or credentials_key is None:
            continue
        label = f"the integration of {view.operation.label}" if view.operation is not None else view.label
        places.append((label, view.data, view.at, (subtype_key, parameters_key, credentials_key)))
    for label, data, at, (subtype_key, parameters_key, credentials_key) in places:
        subtype = data.get(subtype_key)
        if not isinstance(subtype, str) or has_placeholder(subtype):
            continue
        known = by_name.get(subtype.strip().lower())
        if known is None:
            yield Violation(at.child(subtype_key),
                            f"{label} has integrationSubtype {subtype}, which is not one of the subtypes AWS documents "
                            f"({', '.join(required)}); newer subtypes may exist", Severity.WARNING)
            continue
        name, needed = known
        parameters = data.get(parameters_key)
        if isinstance(parameters, dict) and not is_intrinsic(parameters):
            given = {str(key).lower() for key in parameters}
            missing = [p for p in needed if p.lower() not in given]
            if missing:
                where = at.child(parameters_key)
                yield Violation(where, f"{label} ({name}) lacks the required request parameter"
                                       f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        elif parameters is None:
            yield Violation(at.child(subtype_key), f"{label} ({name}) has no {parameters_key}; it needs "
                                                   f"{', '.join(needed)}")
        if credentials_key not in data:
            yield Violation(at.child(subtype_key), f"{label} ({name}) has no {credentials_key}: an AWS service "
                                                   "integration needs a role API Gateway assumes to call the service")
