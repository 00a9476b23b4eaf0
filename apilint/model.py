"""The API model checks read: one API, its type, endpoint, region, document, domains and context.

Checks never open files or compute positions: everything they report is a :class:`Pointer` (a file
and a path inside it), and the engine turns pointers into positions.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apilint.load.refs import RefResolver
    from apilint.load.source import Source

POLICY = "x-amazon-apigateway-policy"
AUTH = "x-amazon-apigateway-auth"
SAM_API_RESOURCES = ("AWS::Serverless::Api", "AWS::Serverless::HttpApi")
#: What :meth:`Api.operation_protection` says when a value decided at deployment hides the answer.
UNDECIDED = "decided at deployment"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ANY_METHOD = "x-amazon-apigateway-any-method"
INTEGRATION = "x-amazon-apigateway-integration"
INTRINSIC_KEYS = frozenset(
    {
        "Ref", "Condition", "Fn::Sub", "Fn::GetAtt", "Fn::Join", "Fn::If", "Fn::Select", "Fn::Split",
        "Fn::FindInMap", "Fn::ImportValue", "Fn::Base64", "Fn::Cidr", "Fn::GetAZs", "Fn::And", "Fn::Or",
        "Fn::Not", "Fn::Equals", "Fn::Transform", "Fn::Length", "Fn::ToJsonString", "Fn::Unknown",
    }
)


class ApiType(str, enum.Enum):
    """The three kinds of API Gateway API."""

    REST = "rest"
    HTTP = "http"
    WEBSOCKET = "websocket"

    def __str__(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        """The name AWS writes: REST, HTTP, WebSocket."""
        return {"rest": "REST", "http": "HTTP", "websocket": "WebSocket"}[self.value]


class EndpointType(str, enum.Enum):
    """Endpoint types of APIs and custom domains."""

    EDGE = "edge"
    REGIONAL = "regional"
    PRIVATE = "private"

    def __str__(self) -> str:
        return self.value


def is_intrinsic(value: Any) -> bool:
    """Whether a value is a CloudFormation intrinsic function (an unknown value here)."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in INTRINSIC_KEYS


def has_placeholder(value: Any) -> bool:
    """Whether a string holds a ``${...}`` placeholder filled in later (templatefile, !Sub)."""
    return isinstance(value, str) and "${" in value


def known_string(value: Any) -> str | None:
    """A string value, or the literal text of a ``!Sub`` without variables; None when unknown."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1 and "Fn::Sub" in value:
        inner = value["Fn::Sub"]
        if isinstance(inner, str):
            return inner
    return None


@dataclass(frozen=True)
class Pointer:
    """A place in a file: the file and the path of keys and indexes leading to the node."""

    source: Source
    path: tuple[Any, ...]

    def child(self, *steps: Any) -> Pointer:
        return Pointer(self.source, self.path + steps)

    def __repr__(self) -> str:
        return f"Pointer({self.source.display}, {'/'.join(map(str, self.path))})"


@dataclass
class ResourcePolicy:
    """A REST API resource policy as one of the places that can hold it declares it."""

    document: Any  # the policy document; an intrinsic function or a string when not readable
    at: Pointer
    origin: str  # how messages name it


def _parsed_policy(policy: Any) -> Any:
    """A policy given as JSON text, parsed; anything else as it is."""
    if isinstance(policy, str):
        try:
            return json.loads(policy)
        except ValueError:
            return policy
    return policy


def _requires_something(requirements: Any) -> bool | None:
    """Whether a security requirement list asks for credentials (None: cannot be known)."""
    if is_intrinsic(requirements) or has_placeholder(requirements):
        return None
    if not isinstance(requirements, list):
        return None if requirements else False  # malformed, but names something (AG002 reports the shape)
    for requirement in requirements:
        if is_intrinsic(requirement):
            return None
        if isinstance(requirement, dict) and requirement:
            return True
    return False


def _names(requirements: list[Any]) -> str:
    names = sorted({str(name) for requirement in requirements if isinstance(requirement, dict)
                    for name in requirement})
    return ", ".join(names)


@dataclass
class Domain:
    """A custom domain name with its certificate, as a template or the config declares it."""

    name: Any
    certificate_arn: Any
    endpoint_type: EndpointType | None
    at: Pointer
    certificate_at: Pointer
    endpoint_at: Pointer | None = None
    mutual_tls: bool = False
    mutual_tls_at: Pointer | None = None
    security_policy: Any = None
    security_policy_at: Pointer | None = None
    kind: str = "domain"
    logical_id: str | None = None


@dataclass
class Operation:
    """One operation (method of a path) of an OpenAPI document, references resolved."""

    path_key: str
    method: str
    data: dict[str, Any]
    at: Pointer
    path_item: dict[str, Any]
    path_item_at: Pointer

    @property
    def label(self) -> str:
        method = "ANY" if self.method == ANY_METHOD else self.method.upper()
        return f"{method} {self.path_key}"


@dataclass
class Integration:
    """The integration of an operation, references resolved."""

    operation: Operation
    data: dict[str, Any]
    at: Pointer

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def type(self) -> str | None:
        value = self.data.get("type")
        return value.lower() if isinstance(value, str) else None


@dataclass
class Api:
    """One API as checks see it."""

    label: str
    source: Source
    doc_at: Pointer | None
    document: dict[str, Any] | None
    api_type: ApiType
    api_type_reason: str
    api_type_explicit: bool = False
    endpoint_type: EndpointType | None = None
    endpoint_reason: str = ""
    endpoint_at: Pointer | None = None
    region: str | None = None
    domains: list[Domain] = field(default_factory=list)
    resource_type: str | None = None
    resource_at: Pointer | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    template_context: dict[str, Any] = field(default_factory=dict)
    is_apigw: bool = True
    resolver: RefResolver | None = None
    options: dict[str, Any] = field(default_factory=dict)

    # --- document access -------------------------------------------------------------------------

    @property
    def openapi_version(self) -> str | None:
        """``"2.0"``, ``"3.0"``, ``"3.1"`` or None."""
        doc = self.document
        if not isinstance(doc, dict):
            return None
        if "swagger" in doc:
            return "2.0"
        version = doc.get("openapi")
        if isinstance(version, str):
            if version.startswith("3.1"):
                return "3.1"
            if version.startswith("3.0"):
                return "3.0"
            return version
        return None

    def deref(self, value: Any, at: Pointer) -> tuple[Any, Pointer]:
        """Follow ``$ref`` objects from ``value`` (found at ``at``) to what they point at."""
        if self.resolver is None or self.doc_at is None:
            return value, at
        return self.resolver.follow(value, at, self.doc_at)

    def root(self) -> tuple[dict[str, Any], Pointer]:
        """The document and its pointer (empty mapping when there is no document)."""
        if self.document is None or self.doc_at is None:
            return {}, Pointer(self.source, ())
        return self.document, self.doc_at

    def operations(self) -> Iterator[Operation]:
        """Every operation, including ``x-amazon-apigateway-any-method``."""
        doc, at = self.root()
        paths = doc.get("paths")
        if not isinstance(paths, dict):
            return
        for path_key, item in paths.items():
            item_at = at.child("paths", path_key)
            item, item_at = self.deref(item, item_at)
            if not isinstance(item, dict):
                continue
            for method, op in item.items():
                if method not in HTTP_METHODS and method != ANY_METHOD:
                    continue
                op_at = item_at.child(method)
                op, op_at = self.deref(op, op_at)
                if isinstance(op, dict):
                    yield Operation(str(path_key), method, op, op_at, item, item_at)

    def integration(self, operation: Operation) -> Integration | None:
        """The operation's integration, or None."""
        if INTEGRATION not in operation.data:
            return None
        value, at = self.deref(operation.data[INTEGRATION], operation.at.child(INTEGRATION))
        if not isinstance(value, dict):
            return None
        return Integration(operation, value, at)

    def integrations(self) -> Iterator[Integration]:
        for operation in self.operations():
            integration = self.integration(operation)
            if integration is not None:
                yield integration

    def security_schemes(self) -> dict[str, tuple[dict[str, Any], Pointer]]:
        """Security schemes by name (``components.securitySchemes`` or ``securityDefinitions``)."""
        doc, at = self.root()
        if "securityDefinitions" in doc:
            container, container_at = doc.get("securityDefinitions"), at.child("securityDefinitions")
        else:
            components = doc.get("components")
            container = components.get("securitySchemes") if isinstance(components, dict) else None
            container_at = at.child("components", "securitySchemes")
        result: dict[str, tuple[dict[str, Any], Pointer]] = {}
        if isinstance(container, dict):
            for name, scheme in container.items():
                scheme, scheme_at = self.deref(scheme, container_at.child(name))
                if isinstance(scheme, dict):
                    result[str(name)] = (scheme, scheme_at)
        return result

    def effective_security(self, operation: Operation) -> tuple[list[Any] | None, Pointer | None]:
        """The security requirements that apply to an operation and where they are written: the
        operation's own, else the root-level one, for every API type.

        AWS's known-issues page says REST imports ignore root-level security, but imports recorded
        against AWS in 2025 gave operations without their own ``security`` the root-level Lambda
        REQUEST authorizer, and the Cognito authorizer and scopes of the root-level requirement
        (localstack, test_apigateway_import.snapshot.json, test_import_with_global_api_key_authorizer
        and test_import_with_cognito_auth_identity_source: method-pets-get). Treating such operations
        as unprotected would be a false alarm.
        """
        if "security" in operation.data:
            return operation.data.get("security"), operation.at.child("security")
        doc, at = self.root()
        if "security" in doc:
            return doc.get("security"), at.child("security")
        return None, None

    # --- protection ------------------------------------------------------------------------------

    def sam_auth(self) -> dict[str, Any]:
        """SAM ``Auth`` of the API, ``Globals`` included (merged key by key, as SAM does)."""
        if self.resource_type not in SAM_API_RESOURCES:
            return {}
        auth = self.properties.get("Auth")
        return auth if isinstance(auth, dict) else {}

    def resource_policies(self) -> list[ResourcePolicy]:
        """The resource policies: the extension, ``Policy`` of a RestApi, SAM ``Auth.ResourcePolicy``."""
        policies: list[ResourcePolicy] = []
        document, at = self.root()
        if POLICY in document and document[POLICY] not in (None, {}, ""):
            policies.append(ResourcePolicy(document[POLICY], at.child(POLICY), POLICY))
        properties_at = self.template_context.get("properties_at")
        if properties_at is None:
            return policies
        if self.resource_type in ("AWS::ApiGateway::RestApi", "AWS::Serverless::Api"):
            policy = self.properties.get("Policy")
            if policy not in (None, {}, ""):
                policies.append(ResourcePolicy(_parsed_policy(policy), properties_at.child("Policy"), "Policy"))
        sam_policy = self.sam_auth().get("ResourcePolicy")
        if self.resource_type == "AWS::Serverless::Api" and sam_policy not in (None, {}):
            at_sam = properties_at.child("Auth", "ResourcePolicy")
            statements = sam_policy.get("CustomStatements") if isinstance(sam_policy, dict) else None
            if isinstance(statements, (list, dict)) and len(sam_policy) == 1:
                # only custom statements: they are the whole policy, and can be judged
                policies.append(ResourcePolicy({"Statement": statements}, at_sam.child("CustomStatements"),
                                               "Auth.ResourcePolicy.CustomStatements"))
            else:
                # SAM builds IP, VPC and account rules into statements with conditions
                policies.append(ResourcePolicy(sam_policy, at_sam, "Auth.ResourcePolicy"))
        return policies

    @property
    def protection(self) -> str | None:
        """How the deployment protects every operation of the API at once, in words; None if it does not.

        A private REST endpoint (reachable only through VPC endpoints), a resource policy, SAM's
        ``Auth`` (a default authorizer, ``ApiKeyRequired``, a usage plan) and a usage plan of the
        template that meters the API each count.
        """
        if self.api_type is ApiType.REST and self.endpoint_type is EndpointType.PRIVATE:
            return "private endpoint (reachable only through VPC endpoints)"
        policies = self.resource_policies()
        if policies:
            return f"resource policy ({policies[0].origin})"
        auth = self.sam_auth()
        default = auth.get("DefaultAuthorizer")
        if default is not None and default != "NONE":
            return f"default authorizer {default if isinstance(default, str) else UNDECIDED} (Auth.DefaultAuthorizer)"
        required = auth.get("ApiKeyRequired")
        if required is True or is_intrinsic(required):
            return "API keys (Auth.ApiKeyRequired)"
        usage_plan = auth.get("UsagePlan")
        if isinstance(usage_plan, dict) and usage_plan.get("CreateUsagePlan") not in (None, "NONE"):
            return "a usage plan (Auth.UsagePlan)"
        plans = self.template_context.get("usage_plans") or []
        if plans:
            return f"usage plan {plans[0]}"
        return None

    def operation_protection(self, operation: Operation) -> str | None:
        """How one operation is protected on its own, in words; :data:`UNDECIDED` when a value decided
        at deployment (or SAM's function events, which the definition does not show) may protect it;
        None when nothing does. :attr:`protection` covers what protects the whole API.
        """
        auth = operation.data.get(AUTH)
        kind = auth.get("type") if isinstance(auth, dict) else auth
        if is_intrinsic(kind) or has_placeholder(kind):
            return UNDECIDED
        if isinstance(kind, str) and kind.upper() == "AWS_IAM":
            return f"IAM ({AUTH})"
        sam = self.sam_auth()
        if "security" not in operation.data and (sam.get("Authorizers") or sam.get("EnableIamAuthorizer") is True):
            return UNDECIDED  # SAM attaches authorizers to operations from the functions' Api events
        requirements, _ = self.effective_security(operation)
        required = _requires_something(requirements)
        if required is None:
            return UNDECIDED
        if required and isinstance(requirements, list):
            where = "security" if "security" in operation.data else "root-level security"
            return f"{where} {_names(requirements)}"
        return None

    def method_protection(self, properties: dict[str, Any]) -> str | None:
        """How an ``AWS::ApiGateway::Method`` or ``AWS::ApiGatewayV2::Route`` resource of the template is
        protected, in words; :data:`UNDECIDED` or None as for :meth:`operation_protection`."""
        authorization = properties.get("AuthorizationType", "NONE")
        if is_intrinsic(authorization) or has_placeholder(authorization):
            return UNDECIDED
        if not isinstance(authorization, str) or authorization.upper() != "NONE":
            return f"AuthorizationType {authorization}"
        required = properties.get("ApiKeyRequired")
        if required is True or is_intrinsic(required):
            return "API key (ApiKeyRequired)"
        return None
