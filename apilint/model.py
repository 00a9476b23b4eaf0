"""The API model checks read: one API, its type, endpoint, region, document, domains and context.

Checks never open files or compute positions: everything they report is a :class:`Pointer` (a file
and a path inside it), and the engine turns pointers into positions.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from apilint.pointer import Pointer
from apilint.record import Frozen, Record
from apilint.values import (
    flag,
    has_placeholder,
    is_intrinsic,
    is_unknown,
    known_string,
    number,
    text,
    whole_number,
)

if TYPE_CHECKING:
    from apilint.load.refs import RefResolver
    from apilint.load.source import Source

POLICY = "x-amazon-apigateway-policy"
AUTH = "x-amazon-apigateway-auth"
SAM_API_RESOURCES = ("AWS::Serverless::Api", "AWS::Serverless::HttpApi")
#: ``Api.endpoint_reason`` when ``--endpoint-type`` or the configuration gives the endpoint type.
ENDPOINT_FROM_OPTIONS = "set by --endpoint-type or configuration"
#: What :meth:`Api.operation_protection` says when a value decided at deployment hides the answer.
UNDECIDED = "decided at deployment"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ANY_METHOD = "x-amazon-apigateway-any-method"
INTEGRATION = "x-amazon-apigateway-integration"
INTEGRATIONS = "x-amazon-apigateway-integrations"
_Derived = TypeVar("_Derived")


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


# --- settings and resources ----------------------------------------------------------------------------


class Setting(Frozen):
    """One setting as written, and where: ``at`` is None when the setting is not written at all (then
    ``value`` is None, or the default AWS applies when the model knows it, such as ``$default``).

    The readers give the value's meaning or None when it is decided later (an intrinsic, a
    ``${...}`` placeholder) or has another shape; a check stays silent on None.
    """

    value: Any
    at: Pointer | None

    def __init__(self, value: Any = None, at: Pointer | None = None) -> None:
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "at", at)

    @property
    def written(self) -> bool:
        return self.at is not None

    @property
    def unknown(self) -> bool:
        """Written, but decided at deployment (an intrinsic function or a placeholder)."""
        return self.written and is_unknown(self.value)

    def number(self) -> float | None:
        return number(self.value)

    def whole(self) -> int | None:
        return whole_number(self.value)

    def flag(self) -> bool | None:
        return flag(self.value)

    def text(self) -> str | None:
        return text(self.value)

    def where(self, fallback: Pointer) -> Pointer:
        """Where to report about the setting: where it is written, else ``fallback`` (its owner)."""
        return self.at if self.at is not None else fallback


UNSET = Setting()


class Resource(Record):
    """A resource a template declares: CloudFormation/SAM (name is the logical id) or Terraform (the
    resource address). ``properties`` are the resource's own, as written."""

    name: str
    type: str
    properties: dict[str, Any]
    at: Pointer  # the resource
    properties_at: Pointer  # its properties (CloudFormation ``Properties``, a Terraform block's body)

    def __init__(self, name: str, type: str, properties: dict[str, Any], at: Pointer, properties_at: Pointer) -> None:
        self.name = name
        self.type = type
        self.properties = properties
        self.at = at
        self.properties_at = properties_at

    def get(self, key: str, default: Any = None) -> Any:
        return self.properties.get(key, default)

    def setting(self, *steps: Any) -> Setting:
        """The property at ``steps`` (keys and list indexes) and where it is written."""
        return _setting_in(self.properties, self.properties_at, steps)


def _setting_in(data: Any, at: Pointer, steps: tuple[Any, ...]) -> Setting:
    found, node = _walk(data, steps)
    return Setting(node, at.child(*steps)) if found else UNSET


def _has_path(data: Any, steps: tuple[Any, ...]) -> bool:
    return _walk(data, steps)[0]


def _walk(data: Any, steps: tuple[Any, ...]) -> tuple[bool, Any]:
    """Follow keys and list indexes; an intrinsic function is a leaf (its inside is not a setting)."""
    node = data
    for step in steps:
        in_map = isinstance(node, dict) and not is_intrinsic(node) and step in node
        in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if not (in_map or in_list):
            return False, None
        node = node[step]
    return True, node


class Properties:
    """An API resource's properties as deployed: for SAM, the resource's own over its ``Globals``
    section (maps merged key by key, as SAM merges them), with where each one is written.

    This is the one owner of "a SAM property with Globals applied": checks read :meth:`get` and
    report at :meth:`at` or :meth:`setting`, which point at the resource when it writes the property
    and at ``Globals`` when the value comes from there.
    """

    def __init__(self, own: dict[str, Any], own_at: Pointer, defaults: dict[str, Any] | None = None,
                 defaults_at: Pointer | None = None):
        self.own = own
        self.own_at = own_at
        self.defaults = defaults if isinstance(defaults, dict) else None
        self.defaults_at = defaults_at
        self.data = _sam_merge(self.defaults, own) if self.defaults is not None else dict(own)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def at(self, *steps: Any) -> Pointer:
        """Where the property at ``steps`` is written (the resource's own properties when nowhere).

        In a list SAM concatenated (``Globals`` entries first), an index below the length of the
        ``Globals`` list is that entry of ``Globals``, and a higher one the resource's entry after it.
        """
        if self.defaults_at is None or not steps:
            return self.own_at.child(*steps)
        own: Any = self.own
        defaults: Any = self.defaults
        own_steps: list[Any] | None = []
        default_steps: list[Any] | None = []
        for step in steps:
            if own_steps is not None and default_steps is not None and isinstance(step, int) \
                    and _plain_list(own) and _plain_list(defaults):
                if step < len(defaults):
                    own_steps, defaults = None, defaults[step]
                    default_steps.append(step)
                else:
                    default_steps, own = None, _walk(own, (step - len(defaults),))[1]
                    own_steps.append(step - len(defaults))
                continue
            if own_steps is not None:
                found, own = _walk(own, (step,))
                own_steps = own_steps + [step] if found else None
            if default_steps is not None:
                found, defaults = _walk(defaults, (step,))
                default_steps = default_steps + [step] if found else None
        if own_steps is not None:
            return self.own_at.child(*own_steps)
        if default_steps is not None and self.defaults_at is not None:
            return self.defaults_at.child(*default_steps)
        return self.own_at.child(*steps)

    def setting(self, *steps: Any) -> Setting:
        """The merged property at ``steps`` and where it is written; :data:`UNSET` when absent."""
        found = _setting_in(self.data, self.own_at, steps)
        return Setting(found.value, self.at(*steps)) if found.written else UNSET


def _sam_merge(defaults: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """A resource's properties over its ``Globals`` section as SAM merges them: maps key by key, lists
    concatenated (``Globals`` entries first), any other value the resource's own."""
    merged = dict(defaults)
    for key, value in own.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and not is_intrinsic(value):
            merged[key] = _sam_merge(merged[key], value)
        elif _plain_list(value) and _plain_list(merged.get(key)):
            merged[key] = merged[key] + value
        else:
            merged[key] = value
    return merged


def _plain_list(value: Any) -> bool:
    return isinstance(value, list)


class ApiResource(Record):
    """The template resource that declares an API, and the resources that belong to it.

    ``related`` holds, by type, the resources whose ``RestApiId``/``ApiId`` refers to the API
    (stages, deployments, methods, routes, integrations, authorizers, gateway responses, ...).
    """

    resource: Resource
    properties: Properties
    related: dict[str, list[Resource]]
    siblings: dict[str, Resource]  # every resource of the template, by name
    #: SAM: the API is created by SAM for function events (``ServerlessRestApi``), not declared.
    implicit: bool
    #: SAM: the function events that add routes to the API.
    events: list[FunctionEvent]

    def __init__(
        self,
        resource: Resource,
        properties: Properties,
        related: dict[str, list[Resource]] | None = None,
        siblings: dict[str, Resource] | None = None,
        implicit: bool = False,
        events: list[FunctionEvent] | None = None,
    ) -> None:
        self.resource = resource
        self.properties = properties
        self.related = {} if related is None else related
        self.siblings = {} if siblings is None else siblings
        self.implicit = implicit
        self.events = [] if events is None else events

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def type(self) -> str:
        return self.resource.type

    @property
    def at(self) -> Pointer:
        return self.resource.at

    @property
    def definition_generated(self) -> bool:
        """SAM writes the definition from the function events: an implicit API, or a SAM API with
        neither ``DefinitionBody`` nor ``DefinitionUri``."""
        if self.type not in SAM_API_RESOURCES:
            return False
        return self.implicit or ("DefinitionBody" not in self.properties and "DefinitionUri" not in self.properties)

    @property
    def events_merged(self) -> bool:
        """SAM adds the events' routes, authorizers, models and parameters to the definition: one it
        generates; for a REST API also an inline one with ``MergeDefinitions: true``; for an HTTP API
        any inline one (SAM adds HttpApi events to it)."""
        if self.definition_generated:
            return True
        if self.type == "AWS::Serverless::Api":
            return flag(self.properties.get("MergeDefinitions")) is True
        if self.type == "AWS::Serverless::HttpApi":
            body = self.properties.get("DefinitionBody")
            return isinstance(body, dict) and not is_intrinsic(body) and "Fn::Transform" not in body
        return False


class FunctionEvent(Record):
    """A SAM function event that adds a route to an API (``Type: Api`` or ``HttpApi``)."""

    function: str  # the function's logical id
    name: str  # the event's name
    kind: str  # "Api" or "HttpApi"
    at: Pointer  # the event
    path: Setting
    method: Setting
    auth: Setting
    properties: dict[str, Any]
    properties_at: Pointer | None  # the event's Properties
    owner: Setting  # RestApiId (Api) or ApiId (HttpApi), as written
    #: The type of the template resource ``owner`` names, when it names one.
    owner_type: str | None

    def __init__(
        self,
        function: str,
        name: str,
        kind: str,
        at: Pointer,
        path: Setting = UNSET,
        method: Setting = UNSET,
        auth: Setting = UNSET,
        properties: dict[str, Any] | None = None,
        properties_at: Pointer | None = None,
        owner: Setting = UNSET,
        owner_type: str | None = None,
    ) -> None:
        self.function = function
        self.name = name
        self.kind = kind
        self.at = at
        self.path = path
        self.method = method
        self.auth = auth
        self.properties = {} if properties is None else properties
        self.properties_at = properties_at
        self.owner = owner
        self.owner_type = owner_type

    @property
    def label(self) -> str:
        route = self.route()
        shown = f"{'ANY' if route[1] == ANY_METHOD else route[1].upper()} {route[0]}" if route else "a route"
        return f"{shown} (event {self.name} of {self.function})"

    def setting(self, *steps: Any) -> Setting:
        """An event property at ``steps`` and where it is written."""
        if self.properties_at is None:
            return UNSET
        return _setting_in(self.properties, self.properties_at, steps)

    def route(self) -> tuple[str, str] | None:
        """The path and method SAM writes into the definition, the method as the definition keys it
        (lower case, ``ANY`` as ``x-amazon-apigateway-any-method``); an HttpApi event without both
        is the ``$default`` route. None when either is not a literal."""
        path, method = self.path.value, self.method.value
        if self.kind == "HttpApi" and not self.path.written and not self.method.written:
            return "$default", ANY_METHOD
        if not isinstance(path, str) or not isinstance(method, str) or has_placeholder(path + method):
            return None
        method = method.lower()
        return path, ANY_METHOD if method == "any" else method

    @property
    def route_text(self) -> str:
        """The method and path as SAM names them in its messages: ``method [get] for path [/orders]``."""
        route = self.route()
        return f"method [{route[1]}] for path [{route[0]}]" if route else "its method and path"


# --- the deployment: stages, plans, WAF, VPC links, domains, authorizers, policies -----------------------


class RouteSettings(Record):
    """Throttling, caching, logging and metrics for some methods or routes of a stage.

    REST: one ``MethodSettings`` entry (``method_path`` as API Gateway writes it, ``*/*`` for every
    method, ``pets/GET`` for one) or the stage-wide settings of a deployment's ``StageDescription``
    (``*/*``). HTTP and WebSocket: ``DefaultRouteSettings`` (``route_key`` None) or one entry of
    ``RouteSettings`` (its route key).
    """

    at: Pointer
    method_path: str | None
    route_key: str | None
    throttling_burst: Setting
    throttling_rate: Setting
    caching_enabled: Setting
    cache_ttl: Setting
    cache_encrypted: Setting
    logging_level: Setting
    metrics_enabled: Setting
    data_trace_enabled: Setting

    def __init__(
        self,
        at: Pointer,
        method_path: str | None = None,
        route_key: str | None = None,
        throttling_burst: Setting = UNSET,
        throttling_rate: Setting = UNSET,
        caching_enabled: Setting = UNSET,
        cache_ttl: Setting = UNSET,
        cache_encrypted: Setting = UNSET,
        logging_level: Setting = UNSET,
        metrics_enabled: Setting = UNSET,
        data_trace_enabled: Setting = UNSET,
    ) -> None:
        self.at = at
        self.method_path = method_path
        self.route_key = route_key
        self.throttling_burst = throttling_burst
        self.throttling_rate = throttling_rate
        self.caching_enabled = caching_enabled
        self.cache_ttl = cache_ttl
        self.cache_encrypted = cache_encrypted
        self.logging_level = logging_level
        self.metrics_enabled = metrics_enabled
        self.data_trace_enabled = data_trace_enabled

    @property
    def applies_to_all(self) -> bool:
        """Whether the settings cover every method or route (``*/*``, or the default route settings)."""
        return self.method_path == "*/*" or (self.method_path is None and self.route_key is None)


class Canary(Record):
    """A stage's canary release settings."""

    at: Pointer
    percent_traffic: Setting
    use_stage_cache: Setting
    variable_overrides: dict[str, Setting]

    def __init__(
        self,
        at: Pointer,
        percent_traffic: Setting = UNSET,
        use_stage_cache: Setting = UNSET,
        variable_overrides: dict[str, Setting] | None = None,
    ) -> None:
        self.at = at
        self.percent_traffic = percent_traffic
        self.use_stage_cache = use_stage_cache
        self.variable_overrides = {} if variable_overrides is None else variable_overrides


class Stage(Record):
    """A stage of the API as a template deploys it.

    ``kind`` names what declares it: ``AWS::ApiGateway::Stage``, ``AWS::ApiGateway::Deployment``
    (a deployment with ``StageName``; its ``StageDescription`` holds the settings),
    ``AWS::ApiGatewayV2::Stage``, or the SAM API resource itself (``AWS::Serverless::Api`` /
    ``HttpApi``, whose ``StageName`` and stage properties, ``Globals`` applied, make the stage).
    Every setting keeps where it is written; an unwritten one is :data:`UNSET` and a rule reports
    at ``at``.
    """

    kind: str
    label: str  # how messages name it: "stage Prod (ProdStage)"
    at: Pointer
    name: Setting
    logical_id: str | None
    tracing_enabled: Setting
    access_log_at: Pointer | None
    access_log: Setting  # the access log setting as written (a mapping, or an intrinsic)
    access_log_destination: Setting
    access_log_format: Setting
    cache_cluster_enabled: Setting
    cache_cluster_size: Setting
    client_certificate: Setting
    canary: Canary | None
    variables: dict[str, Setting]
    variables_at: Pointer | None
    route_settings: list[RouteSettings]

    def __init__(
        self,
        kind: str,
        label: str,
        at: Pointer,
        name: Setting = UNSET,
        logical_id: str | None = None,
        tracing_enabled: Setting = UNSET,
        access_log_at: Pointer | None = None,
        access_log: Setting = UNSET,
        access_log_destination: Setting = UNSET,
        access_log_format: Setting = UNSET,
        cache_cluster_enabled: Setting = UNSET,
        cache_cluster_size: Setting = UNSET,
        client_certificate: Setting = UNSET,
        canary: Canary | None = None,
        variables: dict[str, Setting] | None = None,
        variables_at: Pointer | None = None,
        route_settings: list[RouteSettings] | None = None,
    ) -> None:
        self.kind = kind
        self.label = label
        self.at = at
        self.name = name
        self.logical_id = logical_id
        self.tracing_enabled = tracing_enabled
        self.access_log_at = access_log_at
        self.access_log = access_log
        self.access_log_destination = access_log_destination
        self.access_log_format = access_log_format
        self.cache_cluster_enabled = cache_cluster_enabled
        self.cache_cluster_size = cache_cluster_size
        self.client_certificate = client_certificate
        self.canary = canary
        self.variables = {} if variables is None else variables
        self.variables_at = variables_at
        self.route_settings = [] if route_settings is None else route_settings

    @property
    def name_text(self) -> str | None:
        """The stage name when it is known."""
        return self.name.text()

    def settings_for_all(self) -> list[RouteSettings]:
        """The route settings that cover every method or route."""
        return [settings for settings in self.route_settings if settings.applies_to_all]


class MethodThrottle(Record):
    """A usage plan's throttle for one method of a stage it covers: CloudFormation's
    ``ApiStages[].Throttle`` map entry (``/pets/GET: {RateLimit, BurstLimit}``) or a Terraform
    ``api_stages { throttle { path, rate_limit, burst_limit } }`` block."""

    method: str
    at: Pointer
    rate: Setting
    burst: Setting

    def __init__(self, method: str, at: Pointer, rate: Setting = UNSET, burst: Setting = UNSET) -> None:
        self.method = method
        self.at = at
        self.rate = rate
        self.burst = burst


class UsagePlanStage(Record):
    """One API stage a usage plan covers (``ApiStages`` entry), tied to this API."""

    at: Pointer
    stage: Setting
    method_throttles: list[MethodThrottle]

    def __init__(
        self,
        at: Pointer,
        stage: Setting = UNSET,
        method_throttles: list[MethodThrottle] | None = None,
    ) -> None:
        self.at = at
        self.stage = stage
        self.method_throttles = [] if method_throttles is None else method_throttles


class UsagePlan(Record):
    """A usage plan covering the API: ``AWS::ApiGateway::UsagePlan`` or SAM ``Auth.UsagePlan``."""

    kind: str
    label: str
    at: Pointer
    logical_id: str | None
    stages: list[UsagePlanStage]
    throttle_burst: Setting
    throttle_rate: Setting
    quota_limit: Setting
    quota_period: Setting

    def __init__(
        self,
        kind: str,
        label: str,
        at: Pointer,
        logical_id: str | None = None,
        stages: list[UsagePlanStage] | None = None,
        throttle_burst: Setting = UNSET,
        throttle_rate: Setting = UNSET,
        quota_limit: Setting = UNSET,
        quota_period: Setting = UNSET,
    ) -> None:
        self.kind = kind
        self.label = label
        self.at = at
        self.logical_id = logical_id
        self.stages = [] if stages is None else stages
        self.throttle_burst = throttle_burst
        self.throttle_rate = throttle_rate
        self.quota_limit = quota_limit
        self.quota_period = quota_period


class WafAssociation(Record):
    """A web ACL associated with a stage of the API (``AWS::WAFv2::WebACLAssociation`` whose
    ``ResourceArn`` is built from the API, or ``AWS::WAFRegional::WebACLAssociation``)."""

    kind: str
    label: str
    at: Pointer
    web_acl: Setting
    resource_arn: Setting
    stage_name: str | None  # the stage the ARN names, when it can be read
    logical_id: str | None

    def __init__(
        self,
        kind: str,
        label: str,
        at: Pointer,
        web_acl: Setting = UNSET,
        resource_arn: Setting = UNSET,
        stage_name: str | None = None,
        logical_id: str | None = None,
    ) -> None:
        self.kind = kind
        self.label = label
        self.at = at
        self.web_acl = web_acl
        self.resource_arn = resource_arn
        self.stage_name = stage_name
        self.logical_id = logical_id


class VpcLink(Record):
    """A VPC link the API's integrations or stage variables use.

    ``version`` is ``"v1"`` (REST: ``AWS::ApiGateway::VpcLink`` to Network Load Balancers,
    ``target_arns``) or ``"v2"`` (HTTP: ``AWS::ApiGatewayV2::VpcLink`` into subnets).
    """

    version: str
    label: str
    at: Pointer
    logical_id: str | None
    name: Setting
    target_arns: Setting
    subnet_ids: Setting
    security_group_ids: Setting

    def __init__(
        self,
        version: str,
        label: str,
        at: Pointer,
        logical_id: str | None = None,
        name: Setting = UNSET,
        target_arns: Setting = UNSET,
        subnet_ids: Setting = UNSET,
        security_group_ids: Setting = UNSET,
    ) -> None:
        self.version = version
        self.label = label
        self.at = at
        self.logical_id = logical_id
        self.name = name
        self.target_arns = target_arns
        self.subnet_ids = subnet_ids
        self.security_group_ids = security_group_ids


class Mapping(Record):
    """A mapping of the API (and a stage) onto a custom domain under a base path."""

    kind: str
    at: Pointer
    base_path: Setting
    stage: Setting
    logical_id: str | None

    def __init__(
        self,
        kind: str,
        at: Pointer,
        base_path: Setting = UNSET,
        stage: Setting = UNSET,
        logical_id: str | None = None,
    ) -> None:
        self.kind = kind
        self.at = at
        self.base_path = base_path
        self.stage = stage
        self.logical_id = logical_id


class Authorizer(Record):
    """An authorizer declared as a template resource or in SAM ``Auth.Authorizers``.

    ``kind`` is ``token``, ``request``, ``cognito_user_pools`` or ``jwt`` (lower case; None when
    unknown). Authorizers inside the OpenAPI document are read with :meth:`Api.security_schemes`.
    """

    origin: str  # "AWS::ApiGateway::Authorizer", "AWS::ApiGatewayV2::Authorizer" or "Auth.Authorizers"
    name: str
    label: str
    at: Pointer
    kind: str | None
    identity_source: Setting
    ttl: Setting
    data: dict[str, Any]

    def __init__(
        self,
        origin: str,
        name: str,
        label: str,
        at: Pointer,
        kind: str | None = None,
        identity_source: Setting = UNSET,
        ttl: Setting = UNSET,
        data: dict[str, Any] | None = None,
    ) -> None:
        self.origin = origin
        self.name = name
        self.label = label
        self.at = at
        self.kind = kind
        self.identity_source = identity_source
        self.ttl = ttl
        self.data = {} if data is None else data


class ResourcePolicy(Record):
    """A REST API resource policy as one of the places that can hold it declares it."""

    document: Any  # the policy document; an intrinsic function or a string when not readable
    at: Pointer
    origin: str  # how messages name it

    def __init__(self, document: Any, at: Pointer, origin: str) -> None:
        self.document = document
        self.at = at
        self.origin = origin


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


class Domain(Record):
    """A custom domain name with its certificate, as a template or the config declares it."""

    name: Any
    certificate_arn: Any
    endpoint_type: EndpointType | None
    at: Pointer
    certificate_at: Pointer
    endpoint_at: Pointer | None
    mutual_tls: bool
    mutual_tls_at: Pointer | None
    security_policy: Any
    security_policy_at: Pointer | None
    kind: str
    logical_id: str | None
    mappings: list[Mapping]

    def __init__(
        self,
        name: Any,
        certificate_arn: Any,
        endpoint_type: EndpointType | None,
        at: Pointer,
        certificate_at: Pointer,
        endpoint_at: Pointer | None = None,
        mutual_tls: bool = False,
        mutual_tls_at: Pointer | None = None,
        security_policy: Any = None,
        security_policy_at: Pointer | None = None,
        kind: str = "domain",
        logical_id: str | None = None,
        mappings: list[Mapping] | None = None,
    ) -> None:
        self.name = name
        self.certificate_arn = certificate_arn
        self.endpoint_type = endpoint_type
        self.at = at
        self.certificate_at = certificate_at
        self.endpoint_at = endpoint_at
        self.mutual_tls = mutual_tls
        self.mutual_tls_at = mutual_tls_at
        self.security_policy = security_policy
        self.security_policy_at = security_policy_at
        self.kind = kind
        self.logical_id = logical_id
        self.mappings = [] if mappings is None else mappings

    @property
    def endpoint(self) -> Setting:
        """The endpoint type as written (``EDGE``, ``REGIONAL``...), where it is written; unset when the
        type is a default."""
        if self.endpoint_at is None or self.endpoint_type is None:
            return UNSET
        return Setting(self.endpoint_type.name, self.endpoint_at)


class Operation(Frozen):
    """One operation (method of a path) of an OpenAPI document, references resolved."""

    path_key: str
    method: str
    data: dict[str, Any]
    at: Pointer
    path_item: dict[str, Any]
    path_item_at: Pointer

    def __init__(
        self,
        path_key: str,
        method: str,
        data: dict[str, Any],
        at: Pointer,
        path_item: dict[str, Any],
        path_item_at: Pointer,
    ) -> None:
        object.__setattr__(self, "path_key", path_key)
        object.__setattr__(self, "method", method)
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "at", at)
        object.__setattr__(self, "path_item", path_item)
        object.__setattr__(self, "path_item_at", path_item_at)

    @property
    def label(self) -> str:
        method = "ANY" if self.method == ANY_METHOD else self.method.upper()
        return f"{method} {self.path_key}"


class Integration(Frozen):
    """The integration of an operation, references resolved."""

    operation: Operation
    data: dict[str, Any]
    at: Pointer

    def __init__(self, operation: Operation, data: dict[str, Any], at: Pointer) -> None:
        object.__setattr__(self, "operation", operation)
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "at", at)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def type(self) -> str | None:
        value = self.data.get("type")
        return value.lower() if isinstance(value, str) else None


# Canonical property -> (OpenAPI key, AWS::ApiGateway::Method Integration key, AWS::ApiGatewayV2::Integration key)
_INTEGRATION_KEYS = {
    "type": ("type", "Type", "IntegrationType"),
    "uri": ("uri", "Uri", "IntegrationUri"),
    "method": ("httpMethod", "IntegrationHttpMethod", "IntegrationMethod"),
    "connection_type": ("connectionType", "ConnectionType", "ConnectionType"),
    "connection_id": ("connectionId", "ConnectionId", "ConnectionId"),
    "payload_format": ("payloadFormatVersion", None, "PayloadFormatVersion"),
    "subtype": ("integrationSubtype", None, "IntegrationSubtype"),
    "transfer_mode": ("responseTransferMode", "ResponseTransferMode", None),
    "cache_keys": ("cacheKeyParameters", "CacheKeyParameters", None),
    "timeout": ("timeoutInMillis", "TimeoutInMillis", "TimeoutInMillis"),
    "request_templates": ("requestTemplates", "RequestTemplates", "RequestTemplates"),
    "request_parameters": ("requestParameters", "RequestParameters", "RequestParameters"),
    "credentials": ("credentials", "Credentials", "CredentialsArn"),
}
_INTEGRATION_FORMS = {"openapi": 0, "method": 1, "v2": 2}


class IntegrationView(Frozen):
    """One integration, wherever it is declared, read through canonical property names.

    ``form`` is ``openapi`` (``x-amazon-apigateway-integration`` of an operation or under
    ``components.x-amazon-apigateway-integrations``), ``method`` (``Integration`` of an
    ``AWS::ApiGateway::Method``, whose resource is ``resource``) or ``v2`` (an
    ``AWS::ApiGatewayV2::Integration``).
    """

    data: dict[str, Any]
    at: Pointer
    form: str
    label: str
    operation: Operation | None
    resource: Resource | None

    def __init__(
        self,
        data: dict[str, Any],
        at: Pointer,
        form: str,
        label: str,
        operation: Operation | None = None,
        resource: Resource | None = None,
    ) -> None:
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "at", at)
        object.__setattr__(self, "form", form)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "operation", operation)
        object.__setattr__(self, "resource", resource)

    def key(self, name: str) -> str | None:
        return _INTEGRATION_KEYS[name][_INTEGRATION_FORMS[self.form]]

    def has(self, name: str) -> bool:
        key = self.key(name)
        return key is not None and key in self.data

    def get(self, name: str) -> Any:
        key = self.key(name)
        return self.data.get(key) if key is not None else None

    def pointer(self, name: str) -> Pointer:
        key = self.key(name)
        return self.at.child(key) if key is not None and key in self.data else self.at

    def setting(self, name: str) -> Setting:
        """A property and where it is written (:data:`UNSET` when this form has no such key or omits it)."""
        key = self.key(name)
        return Setting(self.data[key], self.at.child(key)) if key is not None and key in self.data else UNSET

    def text(self, name: str) -> str | None:
        """A property's text: a string, or the template of a ``!Sub`` (its ``${...}`` parts unknown)."""
        return known_string(self.get(name))

    @property
    def type(self) -> str | None:
        """The integration type in lower case, None when unknown."""
        value = self.get("type")
        return value.lower() if isinstance(value, str) and not has_placeholder(value) else None


class Api(Record):
    """One API as checks see it."""

    label: str
    source: Source
    doc_at: Pointer | None
    document: dict[str, Any] | None
    api_type: ApiType
    api_type_reason: str
    api_type_explicit: bool
    endpoint_type: EndpointType | None
    endpoint_reason: str
    endpoint_at: Pointer | None
    region: str | None
    #: The environment variable the region comes from (AWS_REGION, AWS_DEFAULT_REGION); None when
    #: --region, the configuration or the deployment states it.
    region_variable: str | None
    domains: list[Domain]
    endpoint_declared: bool  # the endpoint type is written somewhere, not API Gateway's import default
    resource: ApiResource | None  # the template resource that declares the API
    stages: list[Stage]
    usage_plans: list[UsagePlan]
    waf: list[WafAssociation]
    vpc_links: list[VpcLink]
    authorizers: list[Authorizer]
    policies: list[ResourcePolicy]  # resource policies outside the document
    #: SAM: the template's function events whose RestApiId/ApiId names no API SAM can add them to (a
    #: parameter, another stack's export, a resource that does not exist or an HttpApi for an Api
    #: event): the same list on every API of the template, and on the stand-in API of a template that
    #: declares none (a nested stack of functions whose events name a parameter).
    stray_events: list[FunctionEvent]
    is_apigw: bool
    resolver: RefResolver | None
    options: dict[str, Any]

    def __init__(
        self,
        label: str,
        source: Source,
        doc_at: Pointer | None,
        document: dict[str, Any] | None,
        api_type: ApiType,
        api_type_reason: str,
        api_type_explicit: bool = False,
        endpoint_type: EndpointType | None = None,
        endpoint_reason: str = "",
        endpoint_at: Pointer | None = None,
        region: str | None = None,
        region_variable: str | None = None,
        domains: list[Domain] | None = None,
        endpoint_declared: bool = False,
        resource: ApiResource | None = None,
        stages: list[Stage] | None = None,
        usage_plans: list[UsagePlan] | None = None,
        waf: list[WafAssociation] | None = None,
        vpc_links: list[VpcLink] | None = None,
        authorizers: list[Authorizer] | None = None,
        policies: list[ResourcePolicy] | None = None,
        stray_events: list[FunctionEvent] | None = None,
        is_apigw: bool = True,
        resolver: RefResolver | None = None,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.label = label
        self.source = source
        self.doc_at = doc_at
        self.document = document
        self.api_type = api_type
        self.api_type_reason = api_type_reason
        self.api_type_explicit = api_type_explicit
        self.endpoint_type = endpoint_type
        self.endpoint_reason = endpoint_reason
        self.endpoint_at = endpoint_at
        self.region = region
        self.region_variable = region_variable
        self.domains = [] if domains is None else domains
        self.endpoint_declared = endpoint_declared
        self.resource = resource
        self.stages = [] if stages is None else stages
        self.usage_plans = [] if usage_plans is None else usage_plans
        self.waf = [] if waf is None else waf
        self.vpc_links = [] if vpc_links is None else vpc_links
        self.authorizers = [] if authorizers is None else authorizers
        self.policies = [] if policies is None else policies
        self.stray_events = [] if stray_events is None else stray_events
        self.is_apigw = is_apigw
        self.resolver = resolver
        self.options = {} if options is None else options
        #: The local file the template names as the definition (``DefinitionUri``, an ``AWS::Include``
        #: ``Location``, Terraform's ``file()``) when no such file exists: what it says, and where.
        self.missing_definition: tuple[str, Pointer] | None = None
        #: What :meth:`derived` computed, by the function that computed it (no field: neither compared
        #: nor shown, and not carried over by :func:`~apilint.record.replace`).
        self._derived: dict[Callable[[Api], Any], Any] = {}
        #: Where each ``#/...`` reference followed so far leads (see :meth:`deref`).
        self._local_refs: dict[str, tuple[Any, Pointer]] = {}

    def derived(self, compute: Callable[[Api], _Derived]) -> _Derived:
        """``compute(self)``, computed on first use and shared by every check that asks after it.

        For facts several checks read (the operations, every integration, ...) that depend only on the
        API as built: the API lives for one file's check, and what it remembers dies with it. What is
        remembered is read, never changed: tuples of frozen objects.
        """
        if compute not in self._derived:
            self._derived[compute] = compute(self)
        result: _Derived = self._derived[compute]
        return result

    # --- the declaring resource ----------------------------------------------------------------------

    @property
    def resource_type(self) -> str | None:
        """The type of the template resource that declares the API (None for a bare definition)."""
        return self.resource.type if self.resource is not None else None

    @property
    def resource_at(self) -> Pointer | None:
        return self.resource.at if self.resource is not None else None

    @property
    def logical_id(self) -> str | None:
        return self.resource.name if self.resource is not None else None

    @property
    def properties(self) -> dict[str, Any]:
        """The declaring resource's properties as deployed (SAM ``Globals`` applied); empty without one."""
        return self.resource.properties.data if self.resource is not None else {}

    def property_at(self, *steps: Any) -> Pointer:
        """Where a property of the declaring resource is written: its own properties, else SAM ``Globals``."""
        if self.resource is None:
            return Pointer(self.source, ())
        return self.resource.properties.at(*steps)

    def setting(self, *steps: Any) -> Setting:
        """A property of the declaring resource (``Globals`` applied) and where it is written."""
        return self.resource.properties.setting(*steps) if self.resource is not None else UNSET

    def related(self, resource_type: str) -> list[Resource]:
        """Template resources of one type that belong to the API (their RestApiId/ApiId refers to it)."""
        return list(self.resource.related.get(resource_type, ())) if self.resource is not None else []

    def resource_policies(self) -> list[ResourcePolicy]:
        """Every resource policy: the document's extension and those the template declares."""
        result: list[ResourcePolicy] = []
        document, at = self.root()
        if POLICY in document and document[POLICY] not in (None, {}, ""):
            result.append(ResourcePolicy(document[POLICY], at.child(POLICY), POLICY))
        return result + self.policies

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
        """Follow ``$ref`` objects from ``value`` (found at ``at``) to what they point at.

        A reference within the document (``#/...``) leads to the same place wherever it is written:
        once followed to its end, it is not followed again for this API (a large definition refers to a
        few hundred components thousands of times). One that fails is followed, and reported, at
        every place it is written.
        """
        if self.resolver is None or self.doc_at is None or not (isinstance(value, dict) and "$ref" in value):
            return value, at  # most values are no reference: nothing to follow
        ref = value["$ref"]
        local = isinstance(ref, str) and ref.startswith("#")
        if local:
            followed = self._local_refs.get(ref)
            if followed is not None:
                return followed
        result = self.resolver.follow(value, at, self.doc_at)
        if local and result[0] is not value:
            self._local_refs[ref] = result
        return result

    def root(self) -> tuple[dict[str, Any], Pointer]:
        """The document and its pointer (empty mapping when there is no document)."""
        if self.document is None or self.doc_at is None:
            return {}, Pointer(self.source, ())
        return self.document, self.doc_at

    def operations(self) -> Iterator[Operation]:
        """Every operation, including ``x-amazon-apigateway-any-method``."""
        return iter(self.derived(Api._find_operations))

    def _find_operations(self) -> tuple[Operation, ...]:
        doc, at = self.root()
        paths = doc.get("paths")
        if not isinstance(paths, dict):
            return ()
        found: list[Operation] = []
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
                    found.append(Operation(str(path_key), method, op, op_at, item, item_at))
        return tuple(found)

    def integration(self, operation: Operation) -> Integration | None:
        """The operation's integration, or None."""
        if INTEGRATION not in operation.data:
            return None
        value, at = self.deref(operation.data[INTEGRATION], operation.at.child(INTEGRATION))
        if not isinstance(value, dict):
            return None
        return Integration(operation, value, at)

    def integrations(self) -> Iterator[Integration]:
        """The integrations of the operations, in their order (one per operation that has one)."""
        return iter(self.derived(Api._find_integrations))

    def _find_integrations(self) -> tuple[Integration, ...]:
        found = (self.integration(operation) for operation in self.operations())
        return tuple(integration for integration in found if integration is not None)

    def all_integrations(self) -> Iterator[IntegrationView]:
        """Every integration of the API, each once: the operations' (references followed), those under
        ``components.x-amazon-apigateway-integrations``, ``AWS::ApiGateway::Method`` integrations and
        ``AWS::ApiGatewayV2::Integration`` resources. This is the one view checks read integrations by."""
        return iter(self.derived(Api._find_all_integrations))

    def _find_all_integrations(self) -> tuple[IntegrationView, ...]:
        found: list[IntegrationView] = []
        seen: set[tuple[Any, ...]] = set()
        for integration in self.integrations():
            key = (integration.at.source.display, integration.at.path)
            if key not in seen:
                seen.add(key)
                found.append(IntegrationView(integration.data, integration.at, "openapi", integration.operation.label,
                                             integration.operation))
        document, at = self.root()
        components = document.get("components")
        reusable = components.get(INTEGRATIONS) if isinstance(components, dict) else None
        if isinstance(reusable, dict):
            for name, data in reusable.items():
                entry_at = at.child("components", INTEGRATIONS, name)
                key = (entry_at.source.display, entry_at.path)
                if isinstance(data, dict) and key not in seen:
                    seen.add(key)
                    found.append(IntegrationView(data, entry_at, "openapi", f"integration {name!r}"))
        for method in self.related("AWS::ApiGateway::Method"):
            integration = method.get("Integration")
            if isinstance(integration, dict):
                found.append(IntegrationView(integration, method.properties_at.child("Integration"), "method",
                                             f"method {method.name}", resource=method))
        for resource in self.related("AWS::ApiGatewayV2::Integration"):
            found.append(IntegrationView(resource.properties, resource.properties_at, "v2",
                                         f"integration {resource.name}", resource=resource))
        return tuple(found)

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
        plans = [plan for plan in self.usage_plans if plan.logical_id is not None]
        if plans:
            return plans[0].label
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
        if "security" not in operation.data:
            for event in self.events_on(operation):
                protection = self.event_protection(event)
                if protection is not None:
                    return protection  # SAM writes the event's Auth into the operation
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

    def events_on(self, operation: Operation) -> list[FunctionEvent]:
        """The SAM function events that SAM writes into this operation of the definition."""
        if self.resource is None or not self.resource.events_merged:
            return []
        route = (operation.path_key, operation.method)
        return [event for event in self.resource.events if event.route() == route]

    def event_protection(self, event: FunctionEvent) -> str | None:
        """How a SAM function event's own ``Auth`` protects its route, in words; :data:`UNDECIDED` when a
        value decided at deployment hides it; None when the event asks for nothing (the API's default
        authorizer, which :attr:`protection` covers, may still apply)."""
        auth = event.auth.value
        if not event.auth.written or auth is None:
            return None
        if not isinstance(auth, dict) or is_intrinsic(auth):
            return UNDECIDED
        where = f"event {event.name}"
        authorizer = auth.get("Authorizer")
        if is_unknown(authorizer):
            return UNDECIDED
        if isinstance(authorizer, str) and authorizer and authorizer != "NONE":
            return f"authorizer {authorizer} (Auth.Authorizer of {where})"
        required = auth.get("ApiKeyRequired")
        if flag(required) is True or is_unknown(required):
            return f"API key (Auth.ApiKeyRequired of {where})"
        if auth.get("ResourcePolicy") not in (None, {}):
            return f"resource policy (Auth.ResourcePolicy of {where})"
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
