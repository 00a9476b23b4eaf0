"""From a parsed file to the APIs in it: bare OpenAPI documents and SAM/CloudFormation templates."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from collections.abc import Mapping as Environment
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from apilint.infer import infer_api_type, infer_endpoint_type, is_apigw_document
from apilint.load.refs import RefResolver, refusal
from apilint.load.source import ReadError, Source
from apilint.model import (
    ENDPOINT_FROM_OPTIONS,
    UNSET,
    Api,
    ApiResource,
    ApiType,
    Domain,
    EndpointType,
    FunctionEvent,
    Mapping,
    Pointer,
    Setting,
)
from apilint.record import Record, replace
from apilint.values import is_intrinsic

if TYPE_CHECKING:  # imported when a template is read, so that a bare definition's run does not load them
    from apilint.deployment import Deployment
    from apilint.template import Template

REST_RESOURCES = {"AWS::Serverless::Api", "AWS::ApiGateway::RestApi"}
V2_RESOURCES = {"AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api", "AWS::Serverless::WebSocketApi"}
API_RESOURCES = REST_RESOURCES | V2_RESOURCES
SAM_APIS = {"AWS::Serverless::Api", "AWS::Serverless::HttpApi"}
DOMAIN_RESOURCES = {"AWS::ApiGateway::DomainName", "AWS::ApiGatewayV2::DomainName"}


#: Where the AWS SDKs and CLIs take the region from when nothing else states it, in their order.
REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")


def environment_region(environ: Environment[str, str] | None = None) -> tuple[str, str] | None:
    """The region the environment gives (value, variable), when one of :data:`REGION_VARIABLES` is set."""
    environ = os.environ if environ is None else environ
    for name in REGION_VARIABLES:
        value = (environ.get(name) or "").strip()
        if value:
            return value, name
    return None


class FileSettings(Record):
    """What flags and configuration say about one file, and the region the environment gives.

    The API's region is ``region`` (``--region``, the configuration, or what the deployment states:
    a Terraform provider, the SAM CLI configuration), else ``environment_region``: the environment
    stands in only where neither the user nor the deployment says, as for ``terraform apply`` and
    ``sam deploy``, which deploy to the stated region whatever ``AWS_REGION`` says.
    """

    api_type: ApiType | None
    endpoint_type: EndpointType | None
    region: str | None
    domains: list[Domain]
    options: dict[str, Any]
    #: (region, variable) from the environment.
    environment_region: tuple[str, str] | None

    def __init__(
        self,
        api_type: ApiType | None = None,
        endpoint_type: EndpointType | None = None,
        region: str | None = None,
        domains: list[Domain] | None = None,
        options: dict[str, Any] | None = None,
        environment_region: tuple[str, str] | None = None,
    ) -> None:
        self.api_type = api_type
        self.endpoint_type = endpoint_type
        self.region = region
        self.domains = [] if domains is None else domains
        self.options = {} if options is None else options
        self.environment_region = environment_region

    def stated_region(self, region: str) -> FileSettings:
        """These settings with the region the deployment states, unless --region or the configuration
        gave one."""
        return self if self.region is not None else replace(self, region=region)


class Notice(Record):
    """Something worth telling the user about a file that is not a finding (``--verbose``)."""

    file: str
    message: str

    def __init__(self, file: str, message: str) -> None:
        self.file = file
        self.message = message


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
_KIND_KEY = (
    r"""(?:^|[{,])[ \t]*["']?(?:(?:openapi|swagger)["']?[ \t]*:[ \t]*["']?[23]\.|AWSTemplateFormatVersion["']?[ \t]*:"""
    r"""|Transform["']?[ \t]*:[ \t]*["']?AWS::Serverless)|^["']?(?:openapi|swagger)["']?[ \t]*:""")
_RESOURCES_KEY = r"""(?:^|[{,])[ \t]*["']?Resources["']?[ \t]*:"""
_AWS_TYPE = r"""["']?Type["']?[ \t]*:[ \t]*["']?AWS::"""


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
        # Compiled here, not when the module is imported: only unreadable text is screened.
        self._kind_key = re.compile(_KIND_KEY, re.MULTILINE)
        self._resources_key = re.compile(_RESOURCES_KEY, re.MULTILINE)
        self._aws_type_key = re.compile(_AWS_TYPE)

    def feed(self, text: str) -> bool:
        window = self._tail + text
        self._tail = window[-self.OVERLAP:]
        if not self.found:
            self._resources = self._resources or self._resources_key.search(window) is not None
            self._aws_type = self._aws_type or self._aws_type_key.search(window) is not None
            self.found = self._kind_key.search(window) is not None or (self._resources and self._aws_type)
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


class _Definition(NamedTuple):
    """Where an API resource's definition is: its file, the pointer to it and the document; or, for a
    local file it names that does not exist, what it says and where (AG605)."""

    source: Source | None = None
    at: Pointer | None = None
    document: Any = None
    missing: tuple[str, Pointer] | None = None


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
             declared: Declared | None) -> Api:
        if not isinstance(document, dict):
            document = None
        if settings.api_type is not None:
            api_type, reason, explicit = settings.api_type, "set by --api-type or configuration", True
        elif declared is not None and declared.api_type is not None:
            api_type, reason, explicit = declared.api_type, declared.api_type_reason, True
        else:
            api_type, reason = infer_api_type(document or {})
            explicit = False
        endpoint_declared = False
        endpoint_at: Pointer | None = None
        if settings.endpoint_type is not None:
            endpoint, endpoint_reason = settings.endpoint_type, ENDPOINT_FROM_OPTIONS
            endpoint_declared = True
        elif declared is not None and declared.endpoint_type is not None:
            endpoint, endpoint_reason, endpoint_at = declared.endpoint_type, declared.endpoint_reason, declared.endpoint_at
            endpoint_declared = True
        else:
            endpoint, endpoint_reason = infer_endpoint_type(api_type, document or {})
        domains = list(declared.domains if declared else []) + list(settings.domains)
        region, region_variable = settings.region, None
        if region is None and settings.environment_region is not None:
            region, region_variable = settings.environment_region
        is_apigw = declared is not None or explicit or (document is not None and is_apigw_document(document))
        api = Api(
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
            endpoint_declared=endpoint_declared,
            region=region,
            region_variable=region_variable,
            domains=domains,
            is_apigw=is_apigw,
            resolver=self.resolver,
            options=settings.options,
            stray_events=declared.stray_events if declared else [],
        )
        if declared is not None and declared.resource is not None:
            api.resource = declared.resource
            deployment = declared.deployment
            if deployment is not None:
                api.stages = deployment.stages
                api.usage_plans = deployment.usage_plans
                api.waf = deployment.waf
                api.vpc_links = deployment.vpc_links
                api.authorizers = deployment.authorizers
                api.policies = deployment.policies
        return api

    # --- templates -----------------------------------------------------------------------------------

    def from_template(self, source: Source, settings: FileSettings) -> list[Api]:
        from apilint.deployment import api_resource, deployment_of, mappings_of
        from apilint.sam import events_of, implicit_apis, stray_events
        from apilint.template import Template

        template = Template.of(source)
        settings = self._sam_deploy_region(source, settings)
        domains = self._template_domains(template)
        apis: list[Api] = []
        declared_apis = [(resource, None) for resource in template.of_type(*API_RESOURCES)]
        stray = stray_events(template)
        for resource, stage in [*declared_apis, *implicit_apis(template)]:
            context = api_resource(template, resource)
            context.implicit = stage is not None
            context.events = events_of(template, resource, context.implicit)
            declared = _declared(context)
            declared.stray_events = stray
            declared.deployment = deployment_of(template, context)
            for domain in domains:
                if domain.kind != "domain":
                    continue
                mapped = [(api_id, mapping) for api_id, mapping in mappings_of(template, domain)]
                if not mapped or any(api_id == resource.name for api_id, _ in mapped):
                    # a mapping ties the domain to this API; unmapped domains go to every API
                    copy = replace(domain, mappings=[m for api_id, m in mapped if api_id == resource.name])
                    declared.domains.append(copy)
            declared.domains += self._sam_domain(context)
            definition = self._body(source, context)
            label = f"{source.display}#{resource.name}"
            api = self._api(label, definition.source or source, definition.at, definition.document, settings, declared)
            api.missing_definition = definition.missing
            apis.append(api)
        if not apis and (domains or stray):
            declared = Declared(settings.api_type or ApiType.REST, "template without an API resource", domains=domains,
                                stray_events=stray)
            apis.append(self._api(source.display, source, None, None, settings, declared))
        return apis

    def _sam_deploy_region(self, source: Source, settings: FileSettings) -> FileSettings:
        """The settings with the region ``sam deploy`` deploys the template to, when the SAM CLI
        configuration beside it states one (:mod:`apilint.samconfig`) and neither --region nor the
        configuration gives one."""
        if settings.region is not None:
            return settings
        from apilint.samconfig import deploy_region

        stated = deploy_region(source.path)
        if stated is None:
            return settings
        self.notices.append(Notice(source.display, f"region {stated.region} from {stated.describe()}, where "
                                                   "sam deploy takes it"))
        return settings.stated_region(stated.region)

    def _body(self, source: Source, context: ApiResource) -> _Definition:
        """The OpenAPI document of an API resource, inline or from a local file."""
        props = context.properties
        for key in ("DefinitionBody", "Body"):
            if key in props:
                body = props.get(key)
                at = props.at(key)
                include = _include_location(body)
                if include is not None:
                    return self._local_file(source, include, at.child("Fn::Transform", "Parameters", "Location"))
                if isinstance(body, dict) and not is_intrinsic(body):
                    return _Definition(source, at, body)
                return _Definition()
        for key in ("DefinitionUri", "BodyS3Location"):
            value = props.get(key)
            if isinstance(value, str):
                return self._local_file(source, value, props.at(key))
            if value is not None:
                self.notices.append(Notice(source.display, f"{key} names an S3 object; its definition is not checked"))
        return _Definition()

    def _local_file(self, source: Source, location: str, at: Pointer) -> _Definition:
        if location.startswith(("http://", "https://", "s3://")) or "${" in location:
            self.notices.append(Notice(source.display, f"{location} is not a local file; its definition is not checked"))
            return _Definition()
        path = (source.path.parent / location).absolute()
        reason = refusal(path, self.root)  # the rules $ref follows: inside the root, not hidden, YAML or JSON
        if reason is not None:
            self.notices.append(Notice(source.display, f"{location} is not read: {reason}"))
            return _Definition()
        if not os.path.lexists(path):  # reported by AG605: packaging the template stops there
            return _Definition(missing=(location, at))
        try:
            body_source = self.open_source(path.resolve())
        except ReadError as error:
            self.notices.append(Notice(source.display, f"definition {location} cannot be read: {error}"))
            return _Definition()
        self.consumed.add(path.resolve())
        return _Definition(body_source, Pointer(body_source, ()), body_source.data)

    # --- domains ------------------------------------------------------------------------------------

    def _template_domains(self, template: Template) -> list[Domain]:
        domains: list[Domain] = []
        for resource in template.of_type(*DOMAIN_RESOURCES):
            props, props_at = resource.properties, resource.properties_at
            domain_name = props.get("DomainName")
            if resource.type == "AWS::ApiGateway::DomainName":
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
                domain.logical_id = resource.name
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
                    domain.logical_id = resource.name
                    domains.append(domain)
        return domains

    def _sam_domain(self, context: ApiResource) -> list[Domain]:
        setting = context.properties.setting("Domain")
        domain = setting.value
        if context.type not in SAM_APIS or not isinstance(domain, dict) or setting.at is None:
            return []
        at = setting.at
        endpoint = _endpoint_from(domain.get("EndpointConfiguration")) or EndpointType.REGIONAL
        result = Domain(domain.get("DomainName"), domain.get("CertificateArn"), endpoint, at, at.child("CertificateArn"),
                        at.child("EndpointConfiguration") if "EndpointConfiguration" in domain else None,
                        "MutualTlsAuthentication" in domain, at.child("MutualTlsAuthentication"),
                        domain.get("SecurityPolicy"), at.child("SecurityPolicy"), kind="sam-domain")
        stage = context.properties.setting("StageName")
        base_paths = domain.get("BasePath")
        paths = base_paths if isinstance(base_paths, list) else [base_paths] if base_paths is not None else [None]
        for index, path in enumerate(paths):
            path_at = at.child("BasePath", index) if isinstance(base_paths, list) else at.child("BasePath")
            result.mappings.append(Mapping("Domain.BasePath", at, Setting(path, path_at) if path is not None else UNSET,
                                           stage))
        return [result]


class Declared(Record):
    """What a template resource says about its API before the document is read."""

    api_type: ApiType | None
    api_type_reason: str
    endpoint_type: EndpointType | None
    endpoint_reason: str
    endpoint_at: Pointer | None
    domains: list[Domain]
    resource: ApiResource | None
    deployment: Deployment | None
    stray_events: list[FunctionEvent]

    def __init__(
        self,
        api_type: ApiType | None,
        api_type_reason: str = "",
        endpoint_type: EndpointType | None = None,
        endpoint_reason: str = "",
        endpoint_at: Pointer | None = None,
        domains: list[Domain] | None = None,
        resource: ApiResource | None = None,
        deployment: Deployment | None = None,
        stray_events: list[FunctionEvent] | None = None,
    ) -> None:
        self.api_type = api_type
        self.api_type_reason = api_type_reason
        self.endpoint_type = endpoint_type
        self.endpoint_reason = endpoint_reason
        self.endpoint_at = endpoint_at
        self.domains = [] if domains is None else domains
        self.resource = resource
        self.deployment = deployment
        self.stray_events = [] if stray_events is None else stray_events


def _declared(context: ApiResource) -> Declared:
    """The API type and endpoint type an API resource declares."""
    logical_id, resource_type, props = context.name, context.type, context.properties
    declared = Declared(None, resource=context)
    if context.implicit:
        events = ", ".join(sorted({event.function for event in context.events}))
        kind = ApiType.REST if resource_type in REST_RESOURCES else ApiType.HTTP
        declared.api_type = kind
        declared.api_type_reason = f"{logical_id}, the {resource_type} SAM creates for the events of {events}"
    elif resource_type in REST_RESOURCES:
        declared.api_type, declared.api_type_reason = ApiType.REST, f"{resource_type} resource {logical_id}"
    elif resource_type == "AWS::Serverless::HttpApi":
        declared.api_type, declared.api_type_reason = ApiType.HTTP, f"{resource_type} resource {logical_id}"
    elif resource_type == "AWS::Serverless::WebSocketApi":
        declared.api_type, declared.api_type_reason = ApiType.WEBSOCKET, f"{resource_type} resource {logical_id}"
    else:
        protocol = props.get("ProtocolType")
        if protocol == "WEBSOCKET":
            declared.api_type = ApiType.WEBSOCKET
        elif protocol == "HTTP":
            declared.api_type = ApiType.HTTP
        if declared.api_type is not None:
            declared.api_type_reason = f"ProtocolType {protocol} of {logical_id}"
        elif "Body" in props or "BodyS3Location" in props:
            declared.api_type = ApiType.HTTP
            declared.api_type_reason = f"{logical_id} imports an OpenAPI body, which only HTTP APIs support"
    endpoint, endpoint_at = _template_endpoint(context)
    if resource_type in V2_RESOURCES:
        declared.endpoint_type, declared.endpoint_reason = EndpointType.REGIONAL, "HTTP and WebSocket APIs are Regional"
    elif endpoint is not None:
        declared.endpoint_type, declared.endpoint_reason = endpoint, f"EndpointConfiguration of {logical_id}"
        declared.endpoint_at = endpoint_at
    elif declared.api_type is ApiType.REST:
        declared.endpoint_type = EndpointType.EDGE
        declared.endpoint_reason = f"{logical_id} sets no EndpointConfiguration; REST APIs default to edge-optimized"
    return declared


def _endpoint_from(value: Any) -> EndpointType | None:
    if isinstance(value, str):
        try:
            return EndpointType(value.strip().lower())
        except ValueError:
            return None
    return None


def _include_location(body: Any) -> str | None:
    """The location of an ``AWS::Include`` transform that gives the body, with or without other keys
    beside it (placeholder keys written so that ``sam validate`` accepts the template: the included
    file is what CloudFormation deploys)."""
    if not (isinstance(body, dict) and "Fn::Transform" in body):
        return None
    transform = body["Fn::Transform"]
    if isinstance(transform, dict) and transform.get("Name") == "AWS::Include":
        parameters = transform.get("Parameters")
        if isinstance(parameters, dict) and isinstance(parameters.get("Location"), str):
            return parameters["Location"]
    return None


def _template_endpoint(context: ApiResource) -> tuple[EndpointType | None, Pointer | None]:
    props = context.properties
    config = props.get("EndpointConfiguration")
    at = props.at("EndpointConfiguration") if "EndpointConfiguration" in props else None
    if context.type == "AWS::Serverless::Api":
        if isinstance(config, str):
            return _endpoint_from(config), at
        if isinstance(config, dict):
            return _endpoint_from(config.get("Type")), at.child("Type") if at else None
        return None, None
    if context.type == "AWS::ApiGateway::RestApi" and isinstance(config, dict):
        types = config.get("Types")
        if isinstance(types, list) and types:
            return _endpoint_from(types[0]), at.child("Types", 0) if at else None
    return None, None
