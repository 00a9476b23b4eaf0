"""What a SAM/CloudFormation template deploys around one API: stages, usage plans, WAF associations,
VPC links, domain mappings, authorizers and resource policies, as the objects of :mod:`apilint.model`.

Every object keeps pointers to where each setting is written, so rules report positions in the
template (``Globals`` included). Another source of templates (Terraform) fills the same objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from apilint.model import (
    UNSET,
    ApiResource,
    Authorizer,
    Canary,
    Domain,
    Mapping,
    MethodThrottle,
    Pointer,
    Properties,
    Resource,
    ResourcePolicy,
    RouteSettings,
    Setting,
    Stage,
    UsagePlan,
    UsagePlanStage,
    VpcLink,
    WafAssociation,
)
from apilint.record import Record
from apilint.template import MAPPING_RESOURCES, Template, arn_parts, referenced_name, refers_to
from apilint.values import is_intrinsic, text

SAM_REST = "AWS::Serverless::Api"
SAM_HTTP = "AWS::Serverless::HttpApi"
SAM_WEBSOCKET = "AWS::Serverless::WebSocketApi"
WAF_RESOURCES = ("AWS::WAFv2::WebACLAssociation", "AWS::WAFRegional::WebACLAssociation")

# MethodSettings / StageDescription keys (REST) and route settings keys (HTTP, WebSocket)
_REST_SETTINGS = {
    "throttling_burst": "ThrottlingBurstLimit", "throttling_rate": "ThrottlingRateLimit",
    "caching_enabled": "CachingEnabled", "cache_ttl": "CacheTtlInSeconds", "cache_encrypted": "CacheDataEncrypted",
    "logging_level": "LoggingLevel", "metrics_enabled": "MetricsEnabled", "data_trace_enabled": "DataTraceEnabled",
}
_V2_SETTINGS = {
    "throttling_burst": "ThrottlingBurstLimit", "throttling_rate": "ThrottlingRateLimit",
    "logging_level": "LoggingLevel", "metrics_enabled": "DetailedMetricsEnabled",
    "data_trace_enabled": "DataTraceEnabled",
}


class Deployment(Record):
    """Everything around one API that the template declares."""

    stages: list[Stage]
    usage_plans: list[UsagePlan]
    waf: list[WafAssociation]
    vpc_links: list[VpcLink]
    authorizers: list[Authorizer]
    policies: list[ResourcePolicy]

    def __init__(self, stages: list[Stage] | None = None, usage_plans: list[UsagePlan] | None = None,
                 waf: list[WafAssociation] | None = None, vpc_links: list[VpcLink] | None = None,
                 authorizers: list[Authorizer] | None = None, policies: list[ResourcePolicy] | None = None) -> None:
        self.stages = [] if stages is None else stages
        self.usage_plans = [] if usage_plans is None else usage_plans
        self.waf = [] if waf is None else waf
        self.vpc_links = [] if vpc_links is None else vpc_links
        self.authorizers = [] if authorizers is None else authorizers
        self.policies = [] if policies is None else policies


def api_resource(template: Template, resource: Resource) -> ApiResource:
    """The typed context of an API resource: its properties as deployed and the resources it owns."""
    return ApiResource(resource, template.properties(resource), template.owned_by(resource.name), template.resources)


def deployment_of(template: Template, api: ApiResource) -> Deployment:
    stages = list(_stages(template, api))
    return Deployment(
        stages=stages,
        usage_plans=list(_usage_plans(template, api, stages)),
        waf=list(_waf(template, api, stages)),
        vpc_links=list(_vpc_links(template, api, stages)),
        authorizers=list(_authorizers(api)),
        policies=_policies(api),
    )


# --- stages -------------------------------------------------------------------------------------------


def _setting(data: Any, at: Pointer, key: str) -> Setting:
    if isinstance(data, dict) and not is_intrinsic(data) and key in data:
        return Setting(data[key], at.child(key))
    return UNSET


def _map_settings(data: Any, at: Pointer) -> dict[str, Setting]:
    if not isinstance(data, dict) or is_intrinsic(data):
        return {}
    return {str(key): Setting(value, at.child(key)) for key, value in data.items()}


def _route_settings(data: dict[str, Any], at: Pointer, keys: dict[str, str], **target: Any) -> RouteSettings:
    values: dict[str, Any] = {name: _setting(data, at, key) for name, key in keys.items()}
    return RouteSettings(at, **target, **values)


def _method_settings(value: Any, entry_at: Callable[[int], Pointer]) -> Iterator[RouteSettings]:
    """``MethodSettings`` entries (REST); ``entry_at`` says where each is written (for SAM, the list
    holds the ``Globals`` entries and then the API's own)."""
    if not isinstance(value, list):
        return
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            continue
        path, method = entry.get("ResourcePath", "/*"), entry.get("HttpMethod", "*")
        method_path = None
        if isinstance(path, str) and isinstance(method, str) and "${" not in path + method:
            method_path = (path.lstrip("/") or "") + "/" + method
            if path in ("/*", "*") and method == "*":
                method_path = "*/*"
        yield _route_settings(entry, entry_at(index), _REST_SETTINGS, method_path=method_path)


def _v2_route_settings(props: Properties | Resource, default_key: str, routes_key: str) -> Iterator[RouteSettings]:
    """HTTP and WebSocket route settings; each setting where it is written (SAM: its own or ``Globals``,
    whose route settings SAM merges key by key)."""
    def located(steps: tuple[Any, ...], at: Pointer, **target: Any) -> RouteSettings:
        values: dict[str, Any] = {name: props.setting(*steps, key) for name, key in _V2_SETTINGS.items()}
        return RouteSettings(at, **target, **values)

    default = props.setting(default_key)
    if default.written and isinstance(default.value, dict) and default.at is not None:
        yield located((default_key,), default.at)
    routes = props.setting(routes_key)
    if routes.written and isinstance(routes.value, dict) and not is_intrinsic(routes.value) and routes.at:
        for key, entry in routes.value.items():
            if isinstance(entry, dict):
                yield located((routes_key, key), routes.at.child(key), route_key=str(key))


def _canary(value: Any, at: Pointer | None) -> Canary | None:
    if at is None or not isinstance(value, dict) or is_intrinsic(value):
        return None
    return Canary(at, _setting(value, at, "PercentTraffic"), _setting(value, at, "UseStageCache"),
                  _map_settings(value.get("StageVariableOverrides"), at.child("StageVariableOverrides")))


def _access_log(stage: Stage, setting: Setting) -> None:
    if setting.written and setting.at is not None:
        stage.access_log_at, stage.access_log = setting.at, setting
        stage.access_log_destination = _setting(setting.value, setting.at, "DestinationArn")
        stage.access_log_format = _setting(setting.value, setting.at, "Format")


def _variables(stage: Stage, setting: Setting) -> None:
    if setting.written and setting.at is not None:
        stage.variables_at = setting.at
        stage.variables = _map_settings(setting.value, setting.at)


def _label(name: Setting, logical_id: str | None, what: str = "stage") -> str:
    shown = name.text()
    if shown is not None and logical_id:
        return f"{what} {shown} ({logical_id})"
    return f"{what} {shown or logical_id or '(unnamed)'}"


def _rest_stage(kind: str, name: Setting, logical_id: str | None, at: Pointer,
                setting: Callable[..., Setting]) -> Stage:
    """A REST stage from the properties a SAM ``Api`` and an ``AWS::ApiGateway::Stage`` both write
    under the same names (``setting`` reads one of them, with SAM's Globals where they apply)."""
    stage = Stage(kind, _label(name, logical_id), at, name, logical_id,
                  tracing_enabled=setting("TracingEnabled"),
                  cache_cluster_enabled=setting("CacheClusterEnabled"),
                  cache_cluster_size=setting("CacheClusterSize"))
    _access_log(stage, setting("AccessLogSetting"))
    _variables(stage, setting("Variables"))
    canary = setting("CanarySetting")
    stage.canary = _canary(canary.value, canary.at)
    settings = setting("MethodSettings")
    settings_at = settings.at
    if settings_at is not None:
        def entry_at(index: int) -> Pointer:
            return setting("MethodSettings", index).where(settings_at.child(index))

        stage.route_settings = list(_method_settings(settings.value, entry_at))
    return stage


def _stages(template: Template, api: ApiResource) -> Iterator[Stage]:
    props = api.properties
    if api.type == SAM_REST:
        name = props.setting("StageName")
        if api.implicit:
            name = Setting("Prod", None)  # the stage SAM gives the API it creates for Api events
        yield _rest_stage(SAM_REST, name, api.name, api.at, props.setting)
    elif api.type in (SAM_HTTP, SAM_WEBSOCKET):
        name = props.setting("StageName")
        if not name.written and api.type == SAM_HTTP:
            name = Setting("$default", None)  # an HttpApi without StageName deploys the $default stage
        stage = Stage(api.type, _label(name, api.name, "stage"), api.at, name, api.name)
        _access_log(stage, props.setting("AccessLogSettings"))
        _variables(stage, props.setting("StageVariables"))
        stage.route_settings = list(_v2_route_settings(props, "DefaultRouteSettings", "RouteSettings"))
        yield stage
    for resource in api.related.get("AWS::ApiGateway::Stage", ()):
        stage = _rest_stage(resource.type, resource.setting("StageName"), resource.name, resource.at, resource.setting)
        stage.client_certificate = resource.setting("ClientCertificateId")
        yield stage
    for resource in api.related.get("AWS::ApiGateway::Deployment", ()):
        name = resource.setting("StageName")
        description = resource.setting("StageDescription")
        if not name.written and not description.written:
            continue  # a deployment without StageName creates no stage (CloudFormation wants one with StageDescription)
        data = description.value if isinstance(description.value, dict) else {}
        at = description.at or resource.properties_at.child("StageDescription")
        stage = Stage(resource.type, _label(name, resource.name), resource.at, name, resource.name,
                      tracing_enabled=_setting(data, at, "TracingEnabled"),
                      cache_cluster_enabled=_setting(data, at, "CacheClusterEnabled"),
                      cache_cluster_size=_setting(data, at, "CacheClusterSize"),
                      client_certificate=_setting(data, at, "ClientCertificateId"))
        _access_log(stage, _setting(data, at, "AccessLogSetting"))
        _variables(stage, _setting(data, at, "Variables"))
        canary = _setting(data, at, "CanarySetting")
        stage.canary = _canary(canary.value, canary.at)
        if description.written and any(key in data for key in _REST_SETTINGS.values()):
            stage.route_settings.append(_route_settings(data, at, _REST_SETTINGS, method_path="*/*"))
        settings = _setting(data, at, "MethodSettings")
        if settings.at is not None:
            stage.route_settings.extend(_method_settings(settings.value, settings.at.child))
        yield stage
    for resource in api.related.get("AWS::ApiGatewayV2::Stage", ()):
        name = resource.setting("StageName")
        stage = Stage(resource.type, _label(name, resource.name), resource.at, name, resource.name,
                      client_certificate=resource.setting("ClientCertificateId"))
        _access_log(stage, resource.setting("AccessLogSettings"))
        _variables(stage, resource.setting("StageVariables"))
        stage.route_settings = list(_v2_route_settings(resource, "DefaultRouteSettings", "RouteSettings"))
        yield stage


def _stage_name(template: Template, api: ApiResource, part: Any, stages: list[Stage]) -> str | None:
    """The stage name a reference (or literal) in an ARN or a usage plan names, when it can be read."""
    if isinstance(part, str):
        return part if "${" not in part else None
    if isinstance(part, tuple) and part[0] == "ref":
        _, target, attribute = part
        if target == api.name and attribute == "Stage":
            return next((s.name_text for s in stages if s.logical_id == api.name), None)
        for stage in stages:
            if stage.logical_id == target and stage.kind != api.type:
                return stage.name_text
        resource = template.get(target)
        if resource is not None and resource.type in ("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage"):
            return text(resource.get("StageName"))
    return None


def _stage_value(template: Template, api: ApiResource, value: Any, stages: list[Stage]) -> str | None:
    if isinstance(value, str):
        return value if "${" not in value else None
    parts = arn_parts(value)
    if parts is not None and len(parts) == 1:
        return _stage_name(template, api, parts[0], stages)
    return None


# --- usage plans --------------------------------------------------------------------------------------


def _method_throttles(entry: dict[str, Any], at: Pointer) -> list[MethodThrottle]:
    """The per-method throttles of an ``ApiStages`` entry: its ``Throttle`` map, method path to limits."""
    throttle = entry.get("Throttle")
    if not isinstance(throttle, dict):
        return []
    throttle_at = at.child("Throttle")
    return [MethodThrottle(str(method), throttle_at.child(method), _setting(limits, throttle_at.child(method), "RateLimit"),
                           _setting(limits, throttle_at.child(method), "BurstLimit"))
            for method, limits in throttle.items() if isinstance(limits, dict)]


def _usage_plans(template: Template, api: ApiResource, stages: list[Stage]) -> Iterator[UsagePlan]:
    for resource in template.of_type("AWS::ApiGateway::UsagePlan"):
        entries = resource.get("ApiStages")
        if not isinstance(entries, list):
            continue
        covered = []
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and refers_to(entry.get("ApiId"), api.name):
                at = resource.properties_at.child("ApiStages", index)
                covered.append(UsagePlanStage(at, _setting(entry, at, "Stage"), _method_throttles(entry, at)))
        if not covered:
            continue
        plan = UsagePlan(resource.type, f"usage plan {resource.name}", resource.at, resource.name, covered,
                         resource.setting("Throttle", "BurstLimit"), resource.setting("Throttle", "RateLimit"),
                         resource.setting("Quota", "Limit"), resource.setting("Quota", "Period"))
        yield plan
    if api.type == SAM_REST:
        plan_setting = api.properties.setting("Auth", "UsagePlan")
        value = plan_setting.value
        if plan_setting.at is not None and isinstance(value, dict):
            create = value.get("CreateUsagePlan")
            if isinstance(create, str) and create.upper() in ("PER_API", "SHARED"):
                at = plan_setting.at
                stage = next((s for s in stages if s.kind == SAM_REST), None)
                covered = [UsagePlanStage(at, stage.name if stage else UNSET)]
                yield UsagePlan("Auth.UsagePlan", f"usage plan of {api.name} (Auth.UsagePlan)", at, None, covered,
                                _setting(value.get("Throttle"), at.child("Throttle"), "BurstLimit"),
                                _setting(value.get("Throttle"), at.child("Throttle"), "RateLimit"),
                                _setting(value.get("Quota"), at.child("Quota"), "Limit"),
                                _setting(value.get("Quota"), at.child("Quota"), "Period"))


# --- WAF ----------------------------------------------------------------------------------------------


def _waf(template: Template, api: ApiResource, stages: list[Stage]) -> Iterator[WafAssociation]:
    for resource in template.of_type(*WAF_RESOURCES):
        arn = resource.setting("ResourceArn")
        if not arn.written or not refers_to(arn.value, api.name):
            continue
        acl_key = "WebACLArn" if resource.type == "AWS::WAFv2::WebACLAssociation" else "WebACLId"
        stage_name = None
        parts = arn_parts(arn.value)
        if parts is not None:
            stage_name = _stage_after(template, api, parts, stages)
        yield WafAssociation(resource.type, f"web ACL association {resource.name}", resource.at,
                             resource.setting(acl_key), arn, stage_name, resource.name)


def _stage_after(template: Template, api: ApiResource, parts: list[Any], stages: list[Stage]) -> str | None:
    """The stage named after ``/stages/`` in an ARN's parts."""
    for index, part in enumerate(parts):
        if isinstance(part, str) and "/stages/" in part:
            rest = part.split("/stages/", 1)[1]
            if rest:
                return rest.split("/")[0]
            if index + 1 < len(parts):
                return _stage_name(template, api, parts[index + 1], stages)
    return None


# --- VPC links ----------------------------------------------------------------------------------------


def _vpc_links(template: Template, api: ApiResource, stages: list[Stage]) -> Iterator[VpcLink]:
    """VPC links named by the API's integrations, stage variables or inline definition."""
    links = list(template.of_type("AWS::ApiGateway::VpcLink", "AWS::ApiGatewayV2::VpcLink"))
    if not links:
        return
    places: list[Any] = [api.properties.get("DefinitionBody"), api.properties.get("Body")]
    for kind in ("AWS::ApiGateway::Method", "AWS::ApiGatewayV2::Integration"):
        places.extend(resource.properties for resource in api.related.get(kind, ()))
    places.extend({k: v.value for k, v in stage.variables.items()} for stage in stages)
    for link in links:
        if not any(refers_to(place, link.name) for place in places if place is not None):
            continue
        if link.type == "AWS::ApiGateway::VpcLink":
            yield VpcLink("v1", f"VPC link {link.name}", link.at, link.name, link.setting("Name"),
                          target_arns=link.setting("TargetArns"))
        else:
            yield VpcLink("v2", f"VPC link {link.name}", link.at, link.name, link.setting("Name"),
                          subnet_ids=link.setting("SubnetIds"), security_group_ids=link.setting("SecurityGroupIds"))


# --- domains ------------------------------------------------------------------------------------------


def mappings_of(template: Template, domain: Domain) -> list[tuple[str, Mapping]]:
    """The mappings onto a template domain: (the API's logical id, mapping)."""
    result = []
    for resource in template.of_type(*MAPPING_RESOURCES):
        name = resource.get("DomainName")
        if referenced_name(name) != domain.logical_id and (name is None or name != domain.name):
            continue
        target = referenced_name(resource.get("RestApiId")) or referenced_name(resource.get("ApiId"))
        if target is None:
            continue
        path_key = "ApiMappingKey" if resource.type == "AWS::ApiGatewayV2::ApiMapping" else "BasePath"
        result.append((target, Mapping(resource.type, resource.at, resource.setting(path_key),
                                       resource.setting("Stage"), resource.name)))
    return result


# --- authorizers and policies -------------------------------------------------------------------------


def _authorizers(api: ApiResource) -> Iterator[Authorizer]:
    for resource in api.related.get("AWS::ApiGateway::Authorizer", ()):
        kind = resource.get("Type")
        yield Authorizer(resource.type, resource.name, f"authorizer {resource.name}", resource.at,
                         kind.lower() if isinstance(kind, str) and "${" not in kind else None,
                         resource.setting("IdentitySource"), resource.setting("AuthorizerResultTtlInSeconds"),
                         resource.properties)
    for resource in api.related.get("AWS::ApiGatewayV2::Authorizer", ()):
        kind = resource.get("AuthorizerType")
        yield Authorizer(resource.type, resource.name, f"authorizer {resource.name}", resource.at,
                         kind.lower() if isinstance(kind, str) and "${" not in kind else None,
                         resource.setting("IdentitySource"), resource.setting("AuthorizerResultTtlInSeconds"),
                         resource.properties)
    if api.type not in (SAM_REST, SAM_HTTP):
        return
    authorizers = api.properties.setting("Auth", "Authorizers")
    if not isinstance(authorizers.value, dict) or is_intrinsic(authorizers.value):
        return
    for name, data in authorizers.value.items():
        if not isinstance(data, dict):
            continue
        at = api.properties.at("Auth", "Authorizers", name)
        if "FunctionArn" in data:
            if api.type == SAM_REST:
                payload = data.get("FunctionPayloadType", "TOKEN")
                kind = payload.lower() if isinstance(payload, str) and "${" not in payload else None
            else:
                kind = "request"  # HTTP API Lambda authorizers are REQUEST authorizers
            identity = data.get("Identity") if isinstance(data.get("Identity"), dict) else {}
            yield Authorizer("Auth.Authorizers", str(name), f"authorizer {name!r}", at, kind,
                             _setting(data, at, "Identity"),
                             _setting(identity, at.child("Identity"), "ReauthorizeEvery"), data)
        elif "UserPoolArn" in data:
            yield Authorizer("Auth.Authorizers", str(name), f"authorizer {name!r}", at, "cognito_user_pools",
                             _setting(data, at, "Identity"), UNSET, data)
        elif "JwtConfiguration" in data:
            yield Authorizer("Auth.Authorizers", str(name), f"authorizer {name!r}", at, "jwt",
                             _setting(data, at, "IdentitySource"), UNSET, data)
        else:
            yield Authorizer("Auth.Authorizers", str(name), f"authorizer {name!r}", at, None, UNSET, UNSET, data)


def _policies(api: ApiResource) -> list[ResourcePolicy]:
    """Resource policies the template declares: ``Policy`` of a RestApi (or SAM Api), SAM ``Auth.ResourcePolicy``."""
    policies: list[ResourcePolicy] = []
    if api.type in ("AWS::ApiGateway::RestApi", SAM_REST):
        policy = api.properties.get("Policy")
        if policy not in (None, {}, ""):
            policies.append(ResourcePolicy(_parsed(policy), api.properties.at("Policy"), "Policy"))
    if api.type == SAM_REST:
        sam_policy = api.properties.setting("Auth", "ResourcePolicy")
        value = sam_policy.value
        if sam_policy.at is not None and value not in (None, {}):
            statements = value.get("CustomStatements") if isinstance(value, dict) else None
            if isinstance(statements, (list, dict)) and len(value) == 1:
                # only custom statements: they are the whole policy, and can be judged
                policies.append(ResourcePolicy({"Statement": statements}, sam_policy.at.child("CustomStatements"),
                                               "Auth.ResourcePolicy.CustomStatements"))
            else:
                # SAM builds IP, VPC and account rules into statements with conditions: not open to everyone
                policies.append(ResourcePolicy(value, sam_policy.at, "Auth.ResourcePolicy"))
    return policies


def _parsed(policy: Any) -> Any:
    """A policy given as JSON text, parsed; anything else as it is."""
    if isinstance(policy, str):
        try:
            return json.loads(policy)
        except (ValueError, RecursionError):  # not JSON, or nested thousands deep: the text as written
            return policy
    return policy


__all__ = ["Deployment", "api_resource", "deployment_of", "mappings_of"]
