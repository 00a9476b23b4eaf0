"""The API model checks read: one API, its type, endpoint, region, document, domains and context.

Checks never open files or compute positions: everything they report is a :class:`Pointer` (a file
and a path inside it), and the engine turns pointers into positions.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apilint.load.refs import RefResolver
    from apilint.load.source import Source

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

        AWS's known-issues page says REST imports ignore root-level security, but an import recorded
        against AWS in July 2025 gave an operation without its own ``security`` the Cognito
        authorizer and scopes of the root-level requirement (localstack,
        test_apigateway_import.snapshot.json, test_import_with_cognito_auth_identity_source:
        method-pets-get). Treating such operations as unprotected would be a false alarm; AG112
        warns about root-level security on REST APIs instead.
        """
        if "security" in operation.data:
            return operation.data.get("security"), operation.at.child("security")
        doc, at = self.root()
        if "security" in doc:
            return doc.get("security"), at.child("security")
        return None, None
