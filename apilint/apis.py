"""From a parsed file to the APIs in it: bare OpenAPI documents and SAM/CloudFormation templates."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apilint.infer import infer_api_type, infer_endpoint_type, is_apigw_document
from apilint.load.refs import RefResolver, refusal
from apilint.load.source import ReadError, Source
from apilint.model import Api, ApiType, Domain, EndpointType, Pointer, is_intrinsic

REST_RESOURCES = {"AWS::Serverless::Api", "AWS::ApiGateway::RestApi"}
V2_RESOURCES = {"AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api"}
API_RESOURCES = REST_RESOURCES | V2_RESOURCES
DOMAIN_RESOURCES = {"AWS::ApiGateway::DomainName", "AWS::ApiGatewayV2::DomainName"}


@dataclass
class FileSettings:
    """What flags and configuration say about one file."""

    api_type: ApiType | None = None
    endpoint_type: EndpointType | None = None
    region: str | None = None
    domains: list[Domain] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Notice:
    """Something worth telling the user about a file that is not a finding (``--verbose``)."""

    file: str
    message: str


#: Keys that :func:`kind_of` looks for; a text without any of them cannot be either kind.
KIND_KEYS = ("openapi", "swagger", "Resources")


def may_be_api_text(text: str) -> bool:
    """Whether a file's text could hold an OpenAPI definition or a template, before parsing it.

    :func:`kind_of` needs one of :data:`KIND_KEYS` as a key, and a key is written with those letters
    unless an escape spells it (``"\\u006fpenapi"``, a ``\\`` line continuation in a quoted YAML
    key): any backslash keeps the file in.
    """
    return "\\" in text or any(key in text for key in KIND_KEYS)


#: A key of a definition or template written as a key (YAML or JSON, quoted or not, at a line start or
#: after ``{`` or ``,``): ``openapi: 3.x``, ``swagger: 2.x``, ``AWSTemplateFormatVersion:``, a SAM
#: ``Transform``; or ``openapi:`` / ``swagger:`` with any value as a top-level YAML key (column 1).
_KIND_KEY = re.compile(
    r"""(?:^|[{,])[ \t]*["']?(?:(?:openapi|swagger)["']?[ \t]*:[ \t]*["']?[23]\.|AWSTemplateFormatVersion["']?[ \t]*:"""
    r"""|Transform["']?[ \t]*:[ \t]*["']?AWS::Serverless)|^["']?(?:openapi|swagger)["']?[ \t]*:""", re.MULTILINE)
_RESOURCES_KEY = re.compile(r"""(?:^|[{,])[ \t]*["']?Resources["']?[ \t]*:""", re.MULTILINE)
_AWS_TYPE = re.compile(r"""["']?Type["']?[ \t]*:[ \t]*["']?AWS::""")


class KindScreen:
    """Whether text that could not be read as data (a syntax error, over the size limit, not UTF-8)
    still writes the keys of a definition or a template, fed in pieces of any size.

    This is what keeps a broken definition failing while a ``tsconfig.json`` with comments, a Helm
    template or a lockfile over the size limit is skipped: :func:`kind_of` cannot decide without data,
    so the keys it looks for are looked for as written.
    """

    #: Characters kept from the end of one piece for a key cut in two by the next.
    OVERLAP = 200

    def __init__(self) -> None:
        self.found = False
        self._resources = False
        self._aws_type = False
        self._tail = ""

    def feed(self, text: str) -> bool:
        window = self._tail + text
        self._tail = window[-self.OVERLAP:]
        if not self.found:
            self._resources = self._resources or _RESOURCES_KEY.search(window) is not None
            self._aws_type = self._aws_type or _AWS_TYPE.search(window) is not None
            self.found = _KIND_KEY.search(window) is not None or (self._resources and self._aws_type)
        return self.found


def looks_like_api_text(text: str) -> bool:
    """Whether unreadable text writes a definition's or a template's keys (see :class:`KindScreen`)."""
    return KindScreen().feed(text)


def kind_of(data: Any) -> str | None:
    """``"openapi"``, ``"template"`` or None for anything else."""
    if not isinstance(data, dict):
        return None
    if "openapi" in data or "swagger" in data:
        return "openapi"
    resources = data.get("Resources")
    if isinstance(resources, dict) and (
        "AWSTemplateFormatVersion" in data
        or "Transform" in data
        or any(isinstance(r, dict) and isinstance(r.get("Type"), str) for r in resources.values())
    ):
        return "template"
    return None


#: Names Terraform files end with: configurations and variable files (which declare no resources, but
#: pre-commit tags them ``terraform`` too).
TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")
#: Words one of which a Terraform file that declares API Gateway resources must contain.
APIGW_WORDS = ("aws_api_gateway_", "aws_apigatewayv2_")


def is_terraform_path(path: Path) -> bool:
    """Whether a file is a Terraform configuration file, by its name."""
    return path.name.lower().endswith(TERRAFORM_SUFFIXES)


def may_declare_apigw(text: str) -> bool:
    """Whether a Terraform file's text could declare an API Gateway resource; a file that cannot is
    never parsed, so a run over Terraform files without API Gateway never loads the HCL parser."""
    return any(word in text for word in APIGW_WORDS)


def terraform_screen(path: Path) -> Callable[[str], bool]:
    """The test of a Terraform file's text before it is parsed: an API Gateway resource type for
    ``.tf``; for ``.tf.json`` also the keys of a definition (some projects name OpenAPI files so)."""
    if path.name.lower().endswith(".json"):
        return lambda text: may_declare_apigw(text) or may_be_api_text(text)
    return may_declare_apigw


def source_kind(source: Source) -> str | None:
    """``"openapi"``, ``"template"``, ``"terraform"`` (a parsed ``.tf`` / ``.tf.json`` file) or None.

    A ``.tf.json`` file that holds an OpenAPI definition is one (Terraform reads no such file).
    """
    kind = kind_of(source.data)
    if is_terraform_path(source.path):
        if kind == "openapi":
            return kind
        return "terraform" if isinstance(source.data, dict) else None
    return kind


class ApiBuilder:
    """Builds :class:`Api` objects for one run; shares the reference resolver and file cache."""

    def __init__(self, root: Path, open_source: Callable[[Path], Source]):
        self.root = root
        self.open_source = open_source
        self.resolver = RefResolver(root, open_source)
        self.consumed: set[Path] = set()
        self.notices: list[Notice] = []

    # --- bare OpenAPI -------------------------------------------------------------------------------

    def from_openapi(self, source: Source, settings: FileSettings) -> Api:
        document = source.data
        doc_at = Pointer(source, ())
        return self._api(source.display, source, doc_at, document, settings, None)

    def _api(self, label: str, source: Source, doc_at: Pointer | None, document: Any, settings: FileSettings,
             context: dict[str, Any] | None) -> Api:
        context = context or {}
        if not isinstance(document, dict):
            document = None
        if settings.api_type is not None:
            api_type, reason, explicit = settings.api_type, "set by --api-type or configuration", True
        elif context.get("api_type") is not None:
            api_type, reason, explicit = context["api_type"], context["api_type_reason"], True
        else:
            api_type, reason = infer_api_type(document or {})
            explicit = False
        if settings.endpoint_type is not None:
            endpoint, endpoint_reason, endpoint_at = settings.endpoint_type, "set by --endpoint-type or configuration", None
        elif context.get("endpoint_type") is not None:
            endpoint, endpoint_reason, endpoint_at = (
                context["endpoint_type"], context["endpoint_reason"], context.get("endpoint_at")
            )
        else:
            endpoint, endpoint_reason = infer_endpoint_type(api_type, document or {})
            endpoint_at = None
        domains = list(context.get("domains", [])) + list(settings.domains)
        is_apigw = bool(context) or explicit or (document is not None and is_apigw_document(document))
        return Api(
            label=label,
            source=source,
            doc_at=doc_at if document is not None else None,
            document=document,
            api_type=api_type,
            api_type_reason=reason,
            api_type_explicit=explicit,
            endpoint_type=endpoint,
            endpoint_reason=endpoint_reason,
            endpoint_at=endpoint_at,
            region=settings.region,
            domains=domains,
            resource_type=context.get("resource_type"),
            resource_at=context.get("resource_at"),
            properties=context.get("properties", {}),
            template_context=context,
            is_apigw=is_apigw,
            resolver=self.resolver,
            options=settings.options,
        )

    # --- templates -----------------------------------------------------------------------------------

    def from_template(self, source: Source, settings: FileSettings) -> list[Api]:
        template = source.data
        resources = template.get("Resources") if isinstance(template, dict) else None
        if not isinstance(resources, dict):
            return []
        globals_ = template.get("Globals") if isinstance(template.get("Globals"), dict) else {}
        domains = self._template_domains(source, resources, globals_)
        apis: list[Api] = []
        for logical_id, resource in resources.items():
            if _resource_type(resource) not in API_RESOURCES:
                continue
            resource_type = resource["Type"]
            resource_at = Pointer(source, ("Resources", logical_id))
            properties = resource.get("Properties")
            if not isinstance(properties, dict):
                properties = {}
            section = {"AWS::Serverless::Api": "Api", "AWS::Serverless::HttpApi": "HttpApi"}.get(resource_type)
            defaults = globals_.get(section) if section else None
            merged = _sam_merge(defaults, properties) if isinstance(defaults, dict) else dict(properties)
            context = self._context(source, logical_id, resource_type, resource_at, merged, properties)
            context["related"] = _related(source, resources, logical_id)
            context["usage_plans"] = _usage_plans(resources, logical_id)
            context["domains"] = [d for d in domains if d.kind == "domain" and self._maps_to(d, logical_id, resources)]
            context["domains"] += self._sam_domain(source, resource_type, resource_at, merged, properties, globals_)
            doc_source, doc_at, document = self._body(source, resource_at, merged, properties)
            label = f"{source.display}#{logical_id}"
            apis.append(self._api(label, doc_source or source, doc_at, document, settings, context))
        if not apis and domains:
            context = {
                "api_type": settings.api_type or ApiType.REST,
                "api_type_reason": "template without an API resource",
                "endpoint_type": None,
                "endpoint_reason": "",
                "domains": domains,
                "resource_type": None,
            }
            apis.append(self._api(source.display, source, None, None, settings, context))
        return apis

    def _context(self, source: Source, logical_id: str, resource_type: str, resource_at: Pointer,
                 merged: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
        props_at = resource_at.child("Properties")
        context: dict[str, Any] = {
            "logical_id": logical_id,
            "resource_type": resource_type,
            "resource_at": resource_at,
            "properties": merged,
            "properties_at": props_at,
        }
        if resource_type in REST_RESOURCES:
            context["api_type"] = ApiType.REST
            context["api_type_reason"] = f"{resource_type} resource {logical_id}"
        elif resource_type == "AWS::Serverless::HttpApi":
            context["api_type"] = ApiType.HTTP
            context["api_type_reason"] = f"{resource_type} resource {logical_id}"
        else:
            protocol = merged.get("ProtocolType")
            if protocol == "WEBSOCKET":
                context["api_type"] = ApiType.WEBSOCKET
            elif protocol == "HTTP":
                context["api_type"] = ApiType.HTTP
            else:
                context["api_type"] = None  # Body-only V2 APIs are HTTP APIs; inference decides otherwise
            if context["api_type"] is not None:
                context["api_type_reason"] = f"ProtocolType {protocol} of {logical_id}"
            elif "Body" in merged or "BodyS3Location" in merged:
                context["api_type"] = ApiType.HTTP
                context["api_type_reason"] = f"{logical_id} imports an OpenAPI body, which only HTTP APIs support"
        endpoint, endpoint_at = _template_endpoint(resource_type, merged, props_at, properties)
        if resource_type in V2_RESOURCES:
            context["endpoint_type"] = EndpointType.REGIONAL
            context["endpoint_reason"] = "HTTP and WebSocket APIs are Regional"
        elif endpoint is not None:
            context["endpoint_type"] = endpoint
            context["endpoint_reason"] = f"EndpointConfiguration of {logical_id}"
            context["endpoint_at"] = endpoint_at
        elif context.get("api_type") is ApiType.REST:
            context["endpoint_type"] = EndpointType.EDGE
            context["endpoint_reason"] = f"{logical_id} sets no EndpointConfiguration; REST APIs default to edge-optimized"
        return context

    def _body(self, source: Source, resource_at: Pointer, merged: dict[str, Any],
              properties: dict[str, Any]) -> tuple[Source | None, Pointer | None, Any]:
        """The OpenAPI document of an API resource, inline or from a local file."""
        props_at = resource_at.child("Properties")
        for key in ("DefinitionBody", "Body"):
            if key in merged:
                body = merged[key]
                at = props_at.child(key)
                include = _include_location(body)
                if include is not None:
                    return self._local_file(source, include, at.child("Fn::Transform", "Parameters", "Location"))
                if isinstance(body, dict) and not is_intrinsic(body):
                    return source, at, body
                return None, None, None
        for key in ("DefinitionUri", "BodyS3Location"):
            value = merged.get(key)
            if isinstance(value, str):
                return self._local_file(source, value, props_at.child(key))
            if value is not None:
                self.notices.append(Notice(source.display, f"{key} names an S3 object; its definition is not checked"))
        return None, None, None

    def _local_file(self, source: Source, location: str, at: Pointer) -> tuple[Source | None, Pointer | None, Any]:
        if location.startswith(("http://", "https://", "s3://")) or "${" in location:
            self.notices.append(Notice(source.display, f"{location} is not a local file; its definition is not checked"))
            return None, None, None
        path = (source.path.parent / location).absolute()
        reason = refusal(path, self.root)  # the rules $ref follows: inside the root, not hidden, YAML or JSON
        if reason is not None:
            self.notices.append(Notice(source.display, f"{location} is not read: {reason}"))
            return None, None, None
        try:
            body_source = self.open_source(path.resolve())
        except ReadError as error:
            self.notices.append(Notice(source.display, f"definition {location} cannot be read: {error}"))
            return None, None, None
        self.consumed.add(path.resolve())
        return body_source, Pointer(body_source, ()), body_source.data

    # --- domains ------------------------------------------------------------------------------------

    def _template_domains(self, source: Source, resources: dict[str, Any], globals_: dict[str, Any]) -> list[Domain]:
        domains: list[Domain] = []
        for logical_id, resource in resources.items():
            if _resource_type(resource) not in DOMAIN_RESOURCES:
                continue
            props = resource.get("Properties") if isinstance(resource.get("Properties"), dict) else {}
            at = Pointer(source, ("Resources", logical_id))
            props_at = at.child("Properties")
            domain_name = props.get("DomainName")
            if resource["Type"] == "AWS::ApiGateway::DomainName":
                types = props.get("EndpointConfiguration", {}).get("Types") if isinstance(
                    props.get("EndpointConfiguration"), dict) else None
                endpoint = _endpoint_from(types[0] if isinstance(types, list) and types else None)
                endpoint_at = props_at.child("EndpointConfiguration", "Types", 0) if endpoint else None
                if endpoint is None:
                    endpoint = EndpointType.REGIONAL if "RegionalCertificateArn" in props else EndpointType.EDGE
                cert_key = "RegionalCertificateArn" if endpoint is EndpointType.REGIONAL and "RegionalCertificateArn" in props else "CertificateArn"
                if cert_key not in props and "RegionalCertificateArn" in props:
                    cert_key = "RegionalCertificateArn"
                domain = Domain(domain_name, props.get(cert_key), endpoint, props_at, props_at.child(cert_key),
                                endpoint_at, "MutualTlsAuthentication" in props,
                                props_at.child("MutualTlsAuthentication"), props.get("SecurityPolicy"),
                                props_at.child("SecurityPolicy"))
                domain.logical_id = logical_id
                domains.append(domain)
            else:
                configs = props.get("DomainNameConfigurations")
                if not isinstance(configs, list) or not configs:
                    continue
                for index, config in enumerate(configs):
                    if not isinstance(config, dict):
                        continue
                    config_at = props_at.child("DomainNameConfigurations", index)
                    endpoint = _endpoint_from(config.get("EndpointType")) or EndpointType.REGIONAL
                    domain = Domain(domain_name, config.get("CertificateArn"), endpoint, config_at,
                                    config_at.child("CertificateArn"),
                                    config_at.child("EndpointType") if "EndpointType" in config else None,
                                    "MutualTlsAuthentication" in props, props_at.child("MutualTlsAuthentication"),
                                    config.get("SecurityPolicy"), config_at.child("SecurityPolicy"))
                    domain.logical_id = logical_id
                    domains.append(domain)
        return domains

    def _maps_to(self, domain: Domain, api_id: str, resources: dict[str, Any]) -> bool:
        """Whether a mapping resource ties the domain to the API; unmapped domains go to every API."""
        domain_id = domain.logical_id
        mapped_apis: set[str] = set()
        for resource in resources.values():
            if _resource_type(resource) not in {
                "AWS::ApiGateway::BasePathMapping", "AWS::ApiGatewayV2::ApiMapping", "AWS::ApiGateway::BasePathMappingV2"
            }:
                continue
            props = resource.get("Properties") if isinstance(resource.get("Properties"), dict) else {}
            if _ref_name(props.get("DomainName")) == domain_id or props.get("DomainName") == domain.name:
                target = _ref_name(props.get("RestApiId")) or _ref_name(props.get("ApiId"))
                if target:
                    mapped_apis.add(target)
        return not mapped_apis or api_id in mapped_apis

    def _sam_domain(self, source: Source, resource_type: str, resource_at: Pointer, merged: dict[str, Any],
                    properties: dict[str, Any], globals_: dict[str, Any]) -> list[Domain]:
        domain = merged.get("Domain")
        if resource_type not in {"AWS::Serverless::Api", "AWS::Serverless::HttpApi"} or not isinstance(domain, dict):
            return []
        if "Domain" in properties:
            at = resource_at.child("Properties", "Domain")
        else:
            section = "Api" if resource_type == "AWS::Serverless::Api" else "HttpApi"
            at = Pointer(source, ("Globals", section, "Domain"))
        endpoint = _endpoint_from(domain.get("EndpointConfiguration")) or EndpointType.REGIONAL
        return [
            Domain(domain.get("DomainName"), domain.get("CertificateArn"), endpoint, at, at.child("CertificateArn"),
                   at.child("EndpointConfiguration") if "EndpointConfiguration" in domain else None,
                   "MutualTlsAuthentication" in domain, at.child("MutualTlsAuthentication"),
                   domain.get("SecurityPolicy"), at.child("SecurityPolicy"), kind="sam-domain")
        ]


def _usage_plans(resources: dict[str, Any], api_id: str) -> list[str]:
    """Logical ids of the ``AWS::ApiGateway::UsagePlan`` resources whose ``ApiStages`` name the API."""
    plans = []
    for logical_id, resource in resources.items():
        if _resource_type(resource) != "AWS::ApiGateway::UsagePlan" or not isinstance(resource.get("Properties"), dict):
            continue
        stages = resource["Properties"].get("ApiStages")
        if isinstance(stages, list) and any(isinstance(stage, dict) and _ref_name(stage.get("ApiId")) == api_id
                                            for stage in stages):
            plans.append(str(logical_id))
    return plans


def _related(source: Source, resources: dict[str, Any], api_id: str) -> dict[str, list[tuple[str, dict[str, Any], Pointer]]]:
    """Resources that belong to the API (their ``RestApiId`` or ``ApiId`` refers to it), by type."""
    related: dict[str, list[tuple[str, dict[str, Any], Pointer]]] = {}
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Properties"), dict):
            continue
        props = resource["Properties"]
        owner = _ref_name(props.get("RestApiId")) or _ref_name(props.get("ApiId"))
        if owner == api_id and isinstance(resource.get("Type"), str):
            at = Pointer(source, ("Resources", logical_id, "Properties"))
            related.setdefault(resource["Type"], []).append((logical_id, props, at))
    return related


def _sam_merge(defaults: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """A resource's properties over its ``Globals`` section, maps merged key by key as SAM does."""
    merged = dict(defaults)
    for key, value in own.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and not is_intrinsic(value):
            merged[key] = _sam_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _resource_type(resource: Any) -> str | None:
    """A resource's ``Type`` when it is a string (a list or an intrinsic there matches no type)."""
    if isinstance(resource, dict) and isinstance(resource.get("Type"), str):
        return resource["Type"]
    return None


def _ref_name(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("Ref"), str):
        return value["Ref"]
    return None


def _endpoint_from(value: Any) -> EndpointType | None:
    if isinstance(value, str):
        try:
            return EndpointType(value.strip().lower())
        except ValueError:
            return None
    return None


def _include_location(body: Any) -> str | None:
    if not (isinstance(body, dict) and len(body) == 1 and "Fn::Transform" in body):
        return None
    transform = body["Fn::Transform"]
    if isinstance(transform, dict) and transform.get("Name") == "AWS::Include":
        parameters = transform.get("Parameters")
        if isinstance(parameters, dict) and isinstance(parameters.get("Location"), str):
            return parameters["Location"]
    return None


def _template_endpoint(resource_type: str, merged: dict[str, Any], props_at: Pointer,
                       properties: dict[str, Any]) -> tuple[EndpointType | None, Pointer | None]:
    config = merged.get("EndpointConfiguration")
    at = props_at.child("EndpointConfiguration") if "EndpointConfiguration" in properties else None
    if resource_type == "AWS::Serverless::Api":
        if isinstance(config, str):
            return _endpoint_from(config), at
        if isinstance(config, dict):
            return _endpoint_from(config.get("Type")), at.child("Type") if at else None
        return None, None
    if resource_type == "AWS::ApiGateway::RestApi" and isinstance(config, dict):
        types = config.get("Types")
        if isinstance(types, list) and types:
            return _endpoint_from(types[0]), at.child("Types", 0) if at else None
    return None, None
