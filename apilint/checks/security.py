"""Security checks: who may call the API, how the backend is reached, which TLS policy clients get.

They match the concepts of the Checkov and KICS API Gateway checks, read from the OpenAPI definition
and, for templates, from the API resource and the resources tied to it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from apilint.checks.validity import all_integrations
from apilint.checks.values import is_unknown
from apilint.finding import Severity
from apilint.infer import infer_endpoint_type
from apilint.model import Api, ApiType, EndpointType, Operation, Pointer, has_placeholder
from apilint.rules import Violation

POLICY = "x-amazon-apigateway-policy"
AUTH = "x-amazon-apigateway-auth"
SECURITY_POLICY = "x-amazon-apigateway-security-policy"
ACCESS_MODE = "x-amazon-apigateway-endpoint-access-mode"
ENDPOINT_CONFIGURATION = "x-amazon-apigateway-endpoint-configuration"
SAM_RESOURCES = ("AWS::Serverless::Api", "AWS::Serverless::HttpApi")


def _sam_auth(api: Api) -> dict[str, Any]:
    """SAM ``Auth`` of the API, ``Globals`` included (the model merges them key by key, as SAM does)."""
    if api.resource_type not in SAM_RESOURCES:
        return {}
    auth = api.properties.get("Auth")
    return auth if isinstance(auth, dict) else {}


def _properties_at(api: Api) -> Pointer | None:
    return api.template_context.get("properties_at")


# --- resource policies ------------------------------------------------------------------------------


@dataclass
class ResourcePolicy:
    """A REST API resource policy as one of the places that can hold it declares it."""

    document: Any  # the policy document; an intrinsic function or a string when not readable
    at: Pointer
    origin: str  # how messages name it


def resource_policies(api: Api) -> list[ResourcePolicy]:
    """The API's resource policies: the extension, ``Policy`` of a RestApi, SAM ``Auth.ResourcePolicy``."""
    policies: list[ResourcePolicy] = []
    document, at = api.root()
    if POLICY in document and document[POLICY] not in (None, {}, ""):
        policies.append(ResourcePolicy(document[POLICY], at.child(POLICY), POLICY))
    properties_at = _properties_at(api)
    if properties_at is not None and api.resource_type in ("AWS::ApiGateway::RestApi", "AWS::Serverless::Api"):
        policy = api.properties.get("Policy")
        if policy not in (None, {}, ""):
            policies.append(ResourcePolicy(_parsed(policy), properties_at.child("Policy"), "Policy"))
    auth = _sam_auth(api)
    sam_policy = auth.get("ResourcePolicy")
    if properties_at is not None and api.resource_type == "AWS::Serverless::Api" and sam_policy not in (None, {}):
        at_sam = properties_at.child("Auth", "ResourcePolicy")
        statements = sam_policy.get("CustomStatements") if isinstance(sam_policy, dict) else None
        if isinstance(statements, (list, dict)) and len(sam_policy) == 1:
            # only custom statements: they are the whole policy, and can be judged
            policies.append(ResourcePolicy({"Statement": statements}, at_sam.child("CustomStatements"),
                                           "Auth.ResourcePolicy.CustomStatements"))
        else:
            # SAM builds IP, VPC and account rules into statements with conditions: not open to everyone
            policies.append(ResourcePolicy(sam_policy, at_sam, "Auth.ResourcePolicy"))
    return policies


def _parsed(policy: Any) -> Any:
    """A policy given as JSON text, parsed; anything else as it is."""
    if isinstance(policy, str):
        try:
            return json.loads(policy)
        except ValueError:
            return policy
    return policy


# --- AG301 ------------------------------------------------------------------------------------------


def _api_wide_authorization(api: Api) -> str | None:
    """Why every operation of the API is protected, or None."""
    if resource_policies(api):
        return "resource policy"
    auth = _sam_auth(api)
    default = auth.get("DefaultAuthorizer")
    if default is not None and default != "NONE":
        return "SAM default authorizer"
    if auth.get("ApiKeyRequired") is True or is_unknown(auth.get("ApiKeyRequired")):
        return "SAM API keys"
    return None


def _requires_something(requirements: Any) -> bool | None:
    """Whether a security requirement list asks for credentials (None: cannot be known)."""
    if is_unknown(requirements):
        return None
    if not isinstance(requirements, list):
        return None if requirements else False  # malformed, but names something (AG002 reports the shape)
    for requirement in requirements:
        if is_unknown(requirement):
            return None
        if isinstance(requirement, dict) and requirement:
            return True
    return False


def _auth_type(operation: Operation) -> str | None:
    value = operation.data.get(AUTH)
    if isinstance(value, dict):
        kind = value.get("type")
        if is_unknown(kind):
            return "UNKNOWN"
        return kind.upper() if isinstance(kind, str) else None
    return "UNKNOWN" if is_unknown(value) else None


def _is_mock(api: Api, operation: Operation) -> bool:
    integration = api.integration(operation)
    return integration is not None and integration.type == "mock"


def operation_without_authorization(api: Api, run: Any) -> Iterator[Violation]:
    """Operations anyone can call: no authorizer, IAM, API key or resource policy."""
    if api.api_type is ApiType.REST and api.endpoint_type is EndpointType.PRIVATE:
        return  # reachable only through VPC endpoints, and unusable without a policy (AG302)
    if _api_wide_authorization(api) is not None:
        return
    document, _ = api.root()
    # SAM attaches the authorizers of Auth.Authorizers to operations from the functions' Api events,
    # which the model does not show: operations without their own security cannot be judged then.
    auth = _sam_auth(api)
    sam_authorizers = bool(auth.get("Authorizers")) or auth.get("EnableIamAuthorizer") is True
    for operation in api.operations():
        if operation.method == "options" or _is_mock(api, operation):
            continue
        if sam_authorizers and "security" not in operation.data:
            continue
        auth_type = _auth_type(operation)
        if auth_type in ("AWS_IAM", "UNKNOWN"):
            continue
        requirements, _ = api.effective_security(operation)
        required = _requires_something(requirements)
        if required is None or required:
            continue
        yield Violation(operation.at.child("security") if "security" in operation.data else operation.at,
                        f"{operation.label} has no authorization: {_why_open(api, operation, document, auth_type)}")
    yield from _template_methods(api)
    yield from _template_routes(api)


def _why_open(api: Api, operation: Operation, document: dict[str, Any], auth_type: str | None) -> str:
    reasons = []
    if "security" in operation.data:
        reasons.append(f"its security is {_requirement_text(operation.data['security'])}")
    elif "security" in document:
        reasons.append(f"the root-level security is {_requirement_text(document['security'])}")
    else:
        reasons.append("no security requirement")
    if auth_type == "NONE":
        reasons.append(f"{AUTH} is NONE")
    else:
        reasons.append(f"no {AUTH} AWS_IAM")
    reasons.append("no API key")
    if api.api_type is ApiType.REST:
        reasons.append("no resource policy")
    return ", ".join(reasons[:-1]) + " and " + reasons[-1]


def _requirement_text(requirements: Any) -> str:
    """``[]`` or ``[{}]`` as written (both turn authorization off)."""
    return json.dumps(requirements, default=str)[:40]


def _template_methods(api: Api) -> Iterator[Violation]:
    """``AWS::ApiGateway::Method`` resources open to anyone (Checkov CKV_AWS_59)."""
    for logical_id, props, props_at in api.template_context.get("related", {}).get("AWS::ApiGateway::Method", []):
        method = props.get("HttpMethod")
        authorization = props.get("AuthorizationType", "NONE")
        integration = props.get("Integration")
        kind = integration.get("Type") if isinstance(integration, dict) else None
        if not isinstance(method, str) or method.upper() == "OPTIONS" or is_unknown(authorization):
            continue
        if not isinstance(authorization, str) or authorization.upper() != "NONE":
            continue
        if props.get("ApiKeyRequired") is True or is_unknown(props.get("ApiKeyRequired")):
            continue
        if isinstance(kind, str) and kind.upper() == "MOCK":
            continue
        at = props_at.child("AuthorizationType") if "AuthorizationType" in props else props_at
        yield Violation(at, f"{method.upper()} method {logical_id} has no authorization: AuthorizationType NONE, "
                            "no API key and no resource policy")


def _template_routes(api: Api) -> Iterator[Violation]:
    """HTTP API ``AWS::ApiGatewayV2::Route`` resources open to anyone (Checkov CKV_AWS_309)."""
    if api.api_type is not ApiType.HTTP:
        return
    for logical_id, props, props_at in api.template_context.get("related", {}).get("AWS::ApiGatewayV2::Route", []):
        route_key = props.get("RouteKey")
        authorization = props.get("AuthorizationType", "NONE")
        if not isinstance(route_key, str) or route_key.upper().startswith("OPTIONS "):
            continue
        if is_unknown(authorization) or not isinstance(authorization, str) or authorization.upper() != "NONE":
            continue
        at = props_at.child("AuthorizationType") if "AuthorizationType" in props else props_at
        yield Violation(at, f"route {route_key!r} ({logical_id}) has no authorization: AuthorizationType NONE")


# --- AG302 ------------------------------------------------------------------------------------------


def private_api_without_resource_policy(api: Api, run: Any) -> Iterator[Violation]:
    """A private REST API with no resource policy: every call is refused."""
    if api.api_type is not ApiType.REST or api.endpoint_type is not EndpointType.PRIVATE:
        return
    if resource_policies(api):
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


def resource_policy_allows_everyone(api: Api, run: Any) -> Iterator[Violation]:
    """Resource policy statements that let anyone invoke the API, with no condition and no Deny."""
    for policy in resource_policies(api):
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
            if not _allows_invoke(statement):
                continue
            yield Violation(at.child("Principal"),
                            f"{policy.origin} allows everyone (Principal *) to invoke the API without a Condition, "
                            "and no Deny statement narrows it: the policy restricts nothing (Checkov CKV2_AWS_70)")


# --- AG304 ------------------------------------------------------------------------------------------


def insecure_backend(api: Api, run: Any) -> Iterator[Violation]:
    """Backends reached over cleartext HTTP, or over TLS without certificate verification."""
    for view in all_integrations(api):
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
    """HTTP basic or digest security schemes."""
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
        yield Violation(where, f"security scheme {name!r} uses HTTP {weak} authentication: the password travels with "
                               "every request, and API Gateway does not check it itself; use IAM, Cognito, a JWT or "
                               "a Lambda authorizer")


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
    if api.template_context.get("endpoint_type") is not None or api.endpoint_type is EndpointType.PRIVATE:
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

