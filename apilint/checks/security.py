"""Security checks: who may call the API, how the backend is reached, which TLS policy clients get.

They match the concepts of the Checkov and KICS API Gateway checks, read from the OpenAPI definition
and, for templates, from the API resource and the resources tied to it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from apilint.checks.values import is_unknown
from apilint.finding import Severity
from apilint.infer import infer_endpoint_type
from apilint.model import AUTH, UNDECIDED, Api, ApiType, EndpointType, Operation, Pointer, has_placeholder
from apilint.record import Record
from apilint.rules import Violation

SECURITY_POLICY = "x-amazon-apigateway-security-policy"
ACCESS_MODE = "x-amazon-apigateway-endpoint-access-mode"
ENDPOINT_CONFIGURATION = "x-amazon-apigateway-endpoint-configuration"


# --- AG301 ------------------------------------------------------------------------------------------


class _Judged(Record):
    """One operation (or template method or route) and how it is protected (None: open)."""

    label: str
    at: Pointer
    protection: str | None
    why_open: str

    def __init__(self, label: str, at: Pointer, protection: str | None, why_open: str = "") -> None:
        self.label = label
        self.at = at
        self.protection = protection
        self.why_open = why_open


def _is_mock(api: Api, operation: Operation) -> bool:
    integration = api.integration(operation)
    return integration is not None and integration.type == "mock"


def operation_without_authorization(api: Api, run: Any) -> Iterator[Violation]:
    """Operations anyone can call: one finding for an API with no authorization anywhere, one per open
    operation when the API protects some operations and leaves others open."""
    if api.protection is not None:
        return
    document, _ = api.root()
    judged: list[_Judged] = []
    for operation in api.operations():
        if operation.method == "options" or _is_mock(api, operation):
            continue  # CORS preflights and mock integrations reach no backend
        at = operation.at.child("security") if "security" in operation.data else operation.at
        protection = api.operation_protection(operation)
        judged.append(_Judged(operation.label, at, protection,
                              _why_open(api, operation, document) if protection is None else ""))
    judged += _template_methods(api)
    judged += _template_routes(api)
    judged += _sam_event_routes(api)
    open_ = [entry for entry in judged if entry.protection is None]
    if not open_:
        return
    protected = [entry for entry in judged if entry.protection is not None]
    if not protected:
        # Public on purpose, as a rule: said once for the API, and only when asked for.
        if run.options.get("report_public_apis"):
            names = ", ".join(entry.label for entry in open_[:3]) + (", ..." if len(open_) > 3 else "")
            count = f"{len(open_)} operation{'s' if len(open_) != 1 else ''}"
            yield Violation(_api_pointer(api), f"no operation of this API requires authorization: anyone can call "
                                               f"its {count} ({names})", severity=Severity.INFO)
        return
    known = [entry for entry in protected if entry.protection != UNDECIDED]
    example = known[0] if known else protected[0]
    others = f"{len(protected)} other operation{'s' if len(protected) != 1 else ''}"
    for entry in open_:
        yield Violation(entry.at, f"{entry.label} has no authorization ({entry.why_open}), while {others} of this API "
                                  f"require{'s' if len(protected) == 1 else ''} it ({example.label}: "
                                  f"{example.protection})")


def _api_pointer(api: Api) -> Pointer:
    """Where a finding about the whole API goes: the API resource of a template, else ``paths``."""
    if api.resource_at is not None:
        return api.resource_at
    document, at = api.root()
    return at.child("paths") if "paths" in document else at


def _why_open(api: Api, operation: Operation, document: dict[str, Any]) -> str:
    if "security" in operation.data:
        reasons = [f"its security is {_requirement_text(operation.data['security'])}"]
    elif "security" in document:
        reasons = [f"the root-level security is {_requirement_text(document['security'])}"]
    else:
        reasons = ["no security requirement"]
    auth = operation.data.get(AUTH)
    reasons.append(f"{AUTH} is NONE" if isinstance(auth, dict) and str(auth.get("type")).upper() == "NONE"
                   else f"no {AUTH} AWS_IAM")
    return ", ".join(reasons)


def _requirement_text(requirements: Any) -> str:
    """``[]`` or ``[{}]`` as written (both turn authorization off)."""
    return json.dumps(requirements, default=str)[:40]


def _template_methods(api: Api) -> list[_Judged]:
    """``AWS::ApiGateway::Method`` resources of the API (Checkov CKV_AWS_59)."""
    judged = []
    for resource in api.related("AWS::ApiGateway::Method"):
        logical_id, props, props_at = resource.name, resource.properties, resource.properties_at
        method = props.get("HttpMethod")
        integration = props.get("Integration")
        kind = integration.get("Type") if isinstance(integration, dict) else None
        if not isinstance(method, str) or method.upper() == "OPTIONS":
            continue
        if isinstance(kind, str) and kind.upper() == "MOCK":
            continue
        at = props_at.child("AuthorizationType") if "AuthorizationType" in props else props_at
        judged.append(_Judged(f"{method.upper()} method {logical_id}", at, api.method_protection(props),
                              "AuthorizationType NONE, no API key"))
    return judged


def _sam_event_routes(api: Api) -> list[_Judged]:
    """Routes SAM function events add to the definition that the definition does not hold (every route
    of a definition SAM generates); routes it holds are judged as its operations."""
    if api.resource is None or not api.resource.events_merged:
        return []
    written = {(operation.path_key, operation.method) for operation in api.operations()}
    judged = []
    for event in api.resource.events:
        route = event.route()
        if route is None or route in written or route[1] == "options":
            continue
        written.add(route)
        judged.append(_Judged(event.label, event.auth.where(event.at), api.event_protection(event),
                              "no Auth.Authorizer, no Auth.ApiKeyRequired and no default authorizer"))
    return judged


def _template_routes(api: Api) -> list[_Judged]:
    """HTTP API ``AWS::ApiGatewayV2::Route`` resources of the API (Checkov CKV_AWS_309)."""
    if api.api_type is not ApiType.HTTP:
        return []
    judged = []
    for route in api.related("AWS::ApiGatewayV2::Route"):
        logical_id, props, props_at = route.name, route.properties, route.properties_at
        route_key = props.get("RouteKey")
        if not isinstance(route_key, str) or route_key.upper().startswith("OPTIONS "):
            continue
        at = props_at.child("AuthorizationType") if "AuthorizationType" in props else props_at
        judged.append(_Judged(f"route {route_key!r} ({logical_id})", at, api.method_protection(props),
                              "AuthorizationType NONE"))
    return judged


# --- AG302 ------------------------------------------------------------------------------------------


def private_api_without_resource_policy(api: Api, run: Any) -> Iterator[Violation]:
    """A private REST API with no resource policy: every call is refused."""
    if api.api_type is not ApiType.REST or api.endpoint_type is not EndpointType.PRIVATE:
        return
    if api.resource_policies():
        return
    yield Violation(_endpoint_pointer(api),
                    f"private REST API without a resource policy ({api.endpoint_reason}): every call fails until a "
                    "policy grants access to your VPC or VPC endpoint (aws:SourceVpc / aws:SourceVpce)")


def _endpoint_pointer(api: Api) -> Pointer:
    if api.endpoint_at is not None:
        return api.endpoint_at
    document, at = api.root()
    if ENDPOINT_CONFIGURATION in document:
        return at.child(ENDPOINT_CONFIGURATION)
    servers = document.get("servers")
    if isinstance(servers, list):
        for index, server in enumerate(servers):
            if isinstance(server, dict) and ENDPOINT_CONFIGURATION in server:
                return at.child("servers", index, ENDPOINT_CONFIGURATION)
    if api.resource_at is not None:
        return api.resource_at
    return at


# --- AG303 ------------------------------------------------------------------------------------------

_INVOKE_ACTIONS = {"*", "execute-api:*", "execute-api:invoke"}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict) and "AWS" in principal:
        return any(value == "*" for value in _as_list(principal["AWS"]))
    return False


def _allows_invoke(statement: dict[str, Any]) -> bool:
    actions = statement.get("Action")
    return any(isinstance(action, str) and action.lower() in _INVOKE_ACTIONS for action in _as_list(actions))


def _covers_every_route(statement: dict[str, Any]) -> bool:
    """Whether a statement's ``Resource`` takes in every method and path of a stage (or of the API).

    An execute-api resource is ``[arn:aws:execute-api:REGION:ACCOUNT:]API-ID/STAGE/METHOD/PATH``
    (``execute-api:/STAGE/METHOD/PATH`` in a resource policy); a statement limited to ``OPTIONS`` or to
    named paths grants everyone only those. A value that cannot be read counts as every route.
    """
    if "NotResource" in statement:
        return False
    resources = statement.get("Resource", "*")
    return any(_every_route(resource) for resource in _as_list(resources))


def _every_route(resource: Any) -> bool:
    text = resource if isinstance(resource, str) else None
    if text is None or text == "*":
        return True  # an intrinsic function or a placeholder-built ARN: cannot be narrowed down here
    if text.startswith("execute-api:"):
        rest = text[len("execute-api:"):].lstrip("/")
    elif text.startswith("arn:"):
        parts = text.split(":", 5)
        if len(parts) < 6:
            return True
        rest = parts[5].partition("/")[2] if "/" in parts[5] else "*"
    else:
        return True
    _stage, _, rest = rest.partition("/")
    method, _, path = rest.partition("/")
    if not method or "${" in method or "*" == method:
        return not path or path.strip("/") in ("*", "") or "${" in path
    return False


def resource_policy_allows_everyone(api: Api, run: Any) -> Iterator[Violation]:
    """Resource policy statements that let anyone invoke the API, with no condition and no Deny."""
    for policy in api.resource_policies():
        document = policy.document
        if not isinstance(document, dict) or is_unknown(document):
            continue
        statements = document.get("Statement")
        statements_at = policy.at.child("Statement")
        if isinstance(statements, dict):
            entries = [(statements, statements_at)]
        elif isinstance(statements, list):
            entries = [(statement, statements_at.child(index)) for index, statement in enumerate(statements)]
        else:
            continue
        if any(not isinstance(statement, dict) or statement.get("Effect") != "Allow" for statement, _ in entries):
            continue  # a Deny (or a statement that is not readable) may narrow the grant
        for statement, at in entries:
            if "Condition" in statement or "NotPrincipal" in statement or not _is_everyone(statement.get("Principal")):
                continue
            if not _allows_invoke(statement) or not _covers_every_route(statement):
                continue
            yield Violation(at.child("Principal"),
                            f"{policy.origin} allows everyone (Principal *) to invoke the API without a Condition, "
                            "and no Deny statement narrows it: the policy restricts nothing (Checkov CKV2_AWS_70)")


# --- AG304 ------------------------------------------------------------------------------------------


def insecure_backend(api: Api, run: Any) -> Iterator[Violation]:
    """Backends reached over cleartext HTTP, or over TLS without certificate verification."""
    for view in api.all_integrations():
        uri = view.text("uri")
        kind = view.type
        connection = view.get("connection_type")
        vpc_link = isinstance(connection, str) and connection.upper() == "VPC_LINK"
        if (isinstance(uri, str) and uri.strip().lower().startswith("http://") and not vpc_link
                and kind in (None, "http", "http_proxy")):
            yield Violation(view.pointer("uri"),
                            f"{view.label} calls its backend over cleartext HTTP ({uri.strip()[:80]}): requests "
                            "and responses, credentials included, cross the internet unencrypted; use https://")
        tls = view.data.get("tlsConfig") if view.form == "openapi" else None
        if isinstance(tls, dict) and tls.get("insecureSkipVerification") is True:
            yield Violation(view.at.child("tlsConfig", "insecureSkipVerification"),
                            f"{view.label} skips verification of the backend's TLS certificate "
                            "(insecureSkipVerification: true): anyone able to intercept the connection can "
                            "impersonate the backend")


# --- AG305 ------------------------------------------------------------------------------------------


def legacy_tls_policy(api: Api, run: Any) -> Iterator[Violation]:
    """``TLS_1_0`` on a REST API or a custom domain."""
    document, at = api.root()
    if document.get(SECURITY_POLICY) == "TLS_1_0":
        yield Violation(at.child(SECURITY_POLICY), "the API accepts TLS 1.0 and 1.1 (security policy TLS_1_0); use "
                                                   "TLS_1_2 or an enhanced SecurityPolicy_* policy")
    for domain in api.domains:
        if domain.security_policy == "TLS_1_0" and domain.security_policy_at is not None:
            yield Violation(domain.security_policy_at,
                            f"custom domain {domain.name!s} accepts TLS 1.0 and 1.1 (SecurityPolicy TLS_1_0); use "
                            "TLS_1_2 or an enhanced SecurityPolicy_* policy")


# --- AG306 ------------------------------------------------------------------------------------------


def weak_auth_scheme(api: Api, run: Any) -> Iterator[Violation]:
    """HTTP basic or digest security schemes, except basic used only by OAuth 2.0 token endpoints."""
    users: dict[str, list[Operation]] = {}
    for operation in api.operations():
        requirements, _ = api.effective_security(operation)
        for requirement in requirements if isinstance(requirements, list) else []:
            for name in requirement if isinstance(requirement, dict) else ():
                users.setdefault(str(name), []).append(operation)
    for name, (scheme, at) in api.security_schemes().items():
        kind = scheme.get("type")
        method = scheme.get("scheme")
        if isinstance(kind, str) and kind.lower() == "basic":
            weak, where = "basic", at.child("type")
        elif (isinstance(kind, str) and kind.lower() == "http" and isinstance(method, str)
              and method.lower() in ("basic", "digest")):
            weak, where = method.lower(), at.child("scheme")
        else:
            continue
        used_by = users.get(name, [])
        if weak == "basic" and used_by and all(_is_token_endpoint(api, operation) for operation in used_by):
            continue  # RFC 6749 2.3.1: clients authenticate to the token endpoint with HTTP basic
        yield Violation(where, f"security scheme {name!r} uses HTTP {weak} authentication: the password travels with "
                               "every request, and API Gateway does not check it itself; use IAM, Cognito, a JWT or "
                               "a Lambda authorizer")


_TOKEN_SEGMENTS = frozenset({"token", "access_token", "access-token", "accesstoken", "oauth2token"})


def _is_token_endpoint(api: Api, operation: Operation) -> bool:
    """An OAuth 2.0 token endpoint: a POST whose path ends in ``token`` or whose form body has ``grant_type``."""
    if operation.method != "post":
        return False
    last = operation.path_key.rstrip("/").rsplit("/", 1)[-1].lower()
    if last in _TOKEN_SEGMENTS:
        return True
    body = operation.data.get("requestBody")
    body, _ = api.deref(body, operation.at.child("requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    form = content.get("application/x-www-form-urlencoded") if isinstance(content, dict) else None
    schema = form.get("schema") if isinstance(form, dict) else None
    if isinstance(schema, dict) and "$ref" in schema:
        schema, _ = api.deref(schema, operation.at)
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if isinstance(properties, dict) and "grant_type" in properties:
        return True
    parameters = operation.data.get("parameters")
    return isinstance(parameters, list) and any(
        isinstance(p, dict) and p.get("in") == "formData" and p.get("name") == "grant_type" for p in parameters)


# --- AG307 ------------------------------------------------------------------------------------------

ENHANCED = "SecurityPolicy_"
# Enhanced policies the security-policy table lists for Regional and private endpoints
NON_EDGE_LISTED = frozenset({"SecurityPolicy_TLS13_1_3_2025_09", "SecurityPolicy_TLS13_1_3_FIPS_2025_09",
                             "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09", "SecurityPolicy_TLS13_1_2_PQ_2025_09"})


def endpoint_is_known(api: Api) -> bool:
    """Whether the endpoint type was declared (template, flag, configuration, vpcEndpointIds) rather than
    assumed from API Gateway's import default."""
    if api.endpoint_type is None:
        return False
    if api.endpoint_declared or api.endpoint_type is EndpointType.PRIVATE:
        return True
    document, _ = api.root()
    return (api.endpoint_type, api.endpoint_reason) != infer_endpoint_type(api.api_type, document)


def enhanced_policy_without_access_mode(api: Api, run: Any) -> Iterator[Violation]:
    """``SecurityPolicy_*`` without an endpoint access mode, and policies of the wrong endpoint type."""
    document, at = api.root()
    policy = document.get(SECURITY_POLICY)
    if isinstance(policy, str) and not has_placeholder(policy):
        policy_at = at.child(SECURITY_POLICY)
        if policy.startswith(ENHANCED) and ACCESS_MODE not in document:
            yield Violation(policy_at, f"enhanced security policy {policy} needs {ACCESS_MODE} (BASIC or STRICT)")
        elif not policy.startswith(ENHANCED) and document.get(ACCESS_MODE) not in (None, ""):
            yield Violation(at.child(ACCESS_MODE), f"{ACCESS_MODE} only applies to enhanced SecurityPolicy_* "
                                                   f"policies, not to {policy}", Severity.WARNING)
        if endpoint_is_known(api):
            yield from _endpoint_mismatch(policy, policy_at, api.endpoint_type, "the API")
    for domain in api.domains:
        value = domain.security_policy
        if not isinstance(value, str) or has_placeholder(value) or domain.security_policy_at is None:
            continue
        if domain.kind == "sam-domain" and value.startswith(ENHANCED):
            sam_domain = api.properties.get("Domain")
            if isinstance(sam_domain, dict) and sam_domain.get("EndpointAccessMode") in (None, ""):
                yield Violation(domain.security_policy_at, f"enhanced security policy {value} of custom domain "
                                                           f"{domain.name!s} needs EndpointAccessMode (BASIC or STRICT)")
        yield from _endpoint_mismatch(value, domain.security_policy_at, domain.endpoint_type,
                                      f"custom domain {domain.name!s}")


def _endpoint_mismatch(policy: str, at: Pointer, endpoint: EndpointType | None, who: str) -> Iterator[Violation]:
    if endpoint is None or not policy.startswith(ENHANCED):
        return
    if policy.endswith("_EDGE") and endpoint is not EndpointType.EDGE:
        yield Violation(at, f"{policy} is for edge-optimized endpoints, but {who} is {endpoint.value}")
    elif not policy.endswith("_EDGE") and endpoint is EndpointType.EDGE:
        if policy in NON_EDGE_LISTED:
            yield Violation(at, f"{policy} is for Regional and private endpoints, but {who} is edge-optimized; "
                                "edge-optimized endpoints take the *_EDGE policies")
        else:
            yield Violation(at, f"{policy} is named like a Regional/private policy, but {who} is edge-optimized "
                                "(UNCONFIRMED: AWS's table does not list this policy)", Severity.WARNING)

