"""Terraform configurations: the API Gateway resources of a module and the OpenAPI bodies they deploy.

A Terraform module is a folder: every ``.tf`` and ``.tf.json`` file in it is one configuration, and a
stage in ``stages.tf`` belongs to the API in ``api.tf``. Both syntaxes read as the same data (see
:mod:`apilint.load.hclload`): ``data["resource"][type][name]`` is a resource's body, references and
function calls are ``"${...}"`` strings (unknown values), and nested blocks are lists of bodies (or,
in ``.tf.json``, a single object).

The body of an ``aws_api_gateway_rest_api`` or ``aws_apigatewayv2_api`` is followed through
``file()``, ``templatefile()`` (its ``${...}`` placeholders stay unknown values), ``jsonencode()`` of
an object written in HCL, ``jsonencode(yamldecode(file(...)))`` and a heredoc. ``path.module``,
``path.root`` and ``path.cwd`` are the module's folder (Terraform is run from the root module); a path
built from a variable, a local or a module input is unknown, and the body is not checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apilint.apis import APIGW_WORDS, is_terraform_path, may_declare_apigw
from apilint.finding import Span
from apilint.load.hclload import Expr, HclDocument, parse_expression
from apilint.load.problems import LoadProblem
from apilint.load.refs import refusal
from apilint.load.source import ReadError, Source
from apilint.model import Api, ApiType, Domain, EndpointType, Pointer

if TYPE_CHECKING:
    from apilint.apis import ApiBuilder, FileSettings

REST_API = "aws_api_gateway_rest_api"
V2_API = "aws_apigatewayv2_api"
API_TYPES = (REST_API, V2_API)
#: What a sibling file must mention to matter to an API of the module (its resources, or the region).
_SIBLING_SCREEN = (*APIGW_WORDS, "aws_wafv2_web_acl_association", "provider")
_PATH_PREFIX = re.compile(r"^\$\{\s*path\.(module|root|cwd)\s*\}/?")
_SINGLE_INTERPOLATION = re.compile(r"^\$\{(.*)\}$", re.DOTALL)


def is_terraform_source(source: Source) -> bool:
    return is_terraform_path(source.path)


@dataclass
class TfResource:
    """One ``resource`` block: its type, its name, its body (arguments and nested blocks) and where."""

    type: str
    name: str
    body: dict[str, Any]
    source: Source
    path: tuple[Any, ...]  # ("resource", type, name) or with an index when the name is repeated

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"


@dataclass
class Module:
    """The Terraform files of one folder, read as one configuration."""

    folder: Path
    sources: list[Source] = field(default_factory=list)
    resources: list[TfResource] = field(default_factory=list)

    def of_type(self, *types: str) -> list[TfResource]:
        return [r for r in self.resources if r.type in types]

    def find(self, address: str) -> TfResource | None:
        return next((r for r in self.resources if r.address == address), None)

    def provider_region(self, resource: TfResource) -> tuple[str | None, Source | None, tuple[Any, ...] | None]:
        """The region the resource is created in, when a literal says it: the resource's own ``region``
        argument (AWS provider 6), else the ``region`` of the ``aws`` provider it uses."""
        own = resource.body.get("region")
        if isinstance(own, str) and "${" not in own:
            return own, resource.source, (*resource.path, "region")
        alias = None
        provider = resource.body.get("provider")
        if isinstance(provider, str):
            match = re.fullmatch(r"\$\{\s*aws\.([A-Za-z0-9_-]+)\s*\}", provider)
            if match is None:
                return None, None, None
            alias = match.group(1)
        for source in self.sources:
            providers = source.data.get("provider") if isinstance(source.data, dict) else None
            for body, path in _provider_bodies(providers):
                if body.get("alias") != alias and not (alias is None and "alias" not in body):
                    continue
                region = body.get("region")
                if isinstance(region, str) and "${" not in region:
                    return region, source, (*path, "region")
                return None, None, None
        return None, None, None


def _provider_bodies(providers: Any, prefix: tuple[Any, ...] = ("provider",)
                     ) -> Iterator[tuple[dict[str, Any], tuple[Any, ...]]]:
    """The bodies of the ``aws`` provider blocks (``.tf.json`` may list them: ``[{"aws": {...}}]``)."""
    if isinstance(providers, list):
        for index, entry in enumerate(providers):
            yield from _provider_bodies(entry, (*prefix, index))
    elif isinstance(providers, dict):
        yield from blocks(providers.get("aws"), (*prefix, "aws"))


def blocks(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[dict[str, Any], tuple[Any, ...]]]:
    """The bodies of a nested block, each with its path: a list of bodies (``.tf``, and ``.tf.json``
    with several) or one object (``.tf.json``)."""
    if isinstance(value, dict):
        yield value, path
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield item, (*path, index)


def first_block(value: Any, path: tuple[Any, ...]) -> tuple[dict[str, Any] | None, tuple[Any, ...]]:
    for body, at in blocks(value, path):
        return body, at
    return None, path


def _resources_of(source: Source) -> Iterator[TfResource]:
    data = source.data
    if not isinstance(data, dict):
        return
    sections = data.get("resource")
    entries = [(sections, ("resource",))] if isinstance(sections, dict) else [
        (item, ("resource", index)) for index, item in enumerate(sections) if isinstance(item, dict)
    ] if isinstance(sections, list) else []
    for section, prefix in entries:
        for resource_type, named in section.items():
            if not isinstance(named, dict):
                continue
            for name, body in named.items():
                for resource_body, path in blocks(body, (*prefix, resource_type, name)):
                    yield TfResource(str(resource_type), str(name), resource_body, source, path)


#: Reads a file for context, parsing it only when its text passes the screen (``Engine.open_context``).
OpenContext = Callable[[Path, Callable[[str], bool]], Source]


def _matters_to_apis(text: str) -> bool:
    return any(word in text for word in _SIBLING_SCREEN)


def read_module(folder: Path, open_context: OpenContext, first: Source | None = None) -> Module:
    """The module in ``folder``: every Terraform file in it that can matter to an API, parsed once.

    A file whose text mentions no API Gateway resource, WAF association or provider is not parsed.
    Files that cannot be parsed add nothing (their own check reports them).
    """
    module = Module(folder)
    first_path = first.path.resolve() if first is not None else None
    sources = [first] if first is not None else []
    for path in sorted(_folder_files(folder)):
        if path.resolve() == first_path:
            continue
        try:
            sources.append(open_context(path, _matters_to_apis))
        except ReadError:
            continue
    for source in sources:
        if source.data is None or source.screened is False:
            continue
        module.sources.append(source)
        module.resources.extend(_resources_of(source))
    return module


_FOLDER_FILES: dict[Path, tuple[int, list[Path]]] = {}


def _folder_files(folder: Path) -> list[Path]:
    """The Terraform files of a folder; listed once while the folder is unchanged (every definition of
    a run asks about its folder)."""
    try:
        stamp = folder.stat().st_mtime_ns
        cached = _FOLDER_FILES.get(folder)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        files = sorted(p for p in folder.iterdir()
                       if is_terraform_path(p) and not p.name.startswith(".") and p.is_file())
    except OSError:
        return []
    _FOLDER_FILES[folder] = (stamp, files)
    return files


# --- references ----------------------------------------------------------------------------------------


def refers_to(value: Any, address: str) -> bool:
    """Whether a value (a ``"${...}"`` string, at any depth of lists and objects) refers to a resource
    address such as ``aws_api_gateway_rest_api.example`` (with or without an index: ``[0]``, ``["a"]``)."""
    pattern = re.compile(r"(?<![\w.])" + re.escape(address) + r"(?![\w-])")
    return _search(value, pattern)


def _search(value: Any, pattern: re.Pattern[str]) -> bool:
    if isinstance(value, str):
        return "${" in value and pattern.search(value) is not None
    if isinstance(value, list):
        return any(_search(item, pattern) for item in value)
    if isinstance(value, dict):
        return any(_search(item, pattern) for item in value.values())
    return False


def referenced(value: Any, resource_type: str) -> str | None:
    """The name of the ``resource_type`` resource a value refers to (``${type.name.attr}``), or None."""
    if not isinstance(value, str):
        return None
    match = re.search(r"(?<![\w.])" + re.escape(resource_type) + r"\.([A-Za-z_][\w-]*)", value)
    return match.group(1) if match else None


def single_expression(value: Any) -> str | None:
    """The expression of a string that is one ``${...}`` interpolation (Terraform JSON syntax), or None."""
    if not isinstance(value, str):
        return None
    match = _SINGLE_INTERPOLATION.match(value.strip())
    if match is None:
        return None
    inner = match.group(1)
    depth = 0
    for char in inner:  # "${a}-${b}" is two interpolations, not one
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return None
    return inner


def local_path(argument: Any, folder: Path) -> Path | None:
    """The file a ``file()`` / ``templatefile()`` argument names, when it can be read: a literal
    path or one that starts with ``path.module`` (or ``path.root``, ``path.cwd``); None otherwise."""
    if not isinstance(argument, str):
        return None
    rest = _PATH_PREFIX.sub("", argument, count=1)
    if "${" in rest or "%{" in rest or not rest:
        return None
    candidate = Path(rest)
    return candidate if candidate.is_absolute() else folder / candidate


# --- bodies --------------------------------------------------------------------------------------------


@dataclass
class Body:
    """Where an API resource's OpenAPI body is, once followed: the file that holds the document (the
    ``.tf`` file itself for an inline body), the pointer to the document and the document. ``notice``
    says why there is none when the body is written but cannot be read."""

    source: Source | None = None
    at: Pointer | None = None
    document: Any = None
    file: Path | None = None  # the definition file, when the body comes from one
    notice: str | None = None


class ShiftedDocument:
    """A document embedded in a Terraform file (a heredoc body): positions moved to the heredoc's lines."""

    def __init__(self, inner: Any, line_offset: int, column_offset: int):
        self.inner = inner
        self.data = inner.data
        self.problems = [LoadProblem(p.code, p.message, self.shift(p.span)) for p in inner.problems]
        self.line_offset = line_offset
        self.column_offset = column_offset

    def shift(self, span: Span) -> Span:
        return Span(span.line + self.line_offset, span.column + self.column_offset,
                    span.end_line + self.line_offset, span.end_column + self.column_offset)

    def locate(self, path: tuple[Any, ...]) -> tuple[Span, int]:
        span, matched = self.inner.locate(path)
        return self.shift(span), matched


def body_expression(resource: TfResource) -> Expr | None:
    """The parsed expression of a resource's ``body`` argument, from either syntax."""
    document = resource.source.document
    if isinstance(document, HclDocument):
        return document.expression((*resource.path, "body"))
    value = resource.body.get("body")
    if not isinstance(value, str):
        return None
    inner = single_expression(value)
    if inner is not None:
        return parse_expression(inner)
    span = resource.source.locate((*resource.path, "body"))
    return Expr("template" if "${" in value else "literal", value, span, value)


@dataclass
class _Reader:
    """Where a body's files may be read from: the module's folder, inside the run's root."""

    folder: Path
    root: Path
    open_source: Callable[[Path], Source]


def api_body(resource: TfResource, folder: Path, root: Path, open_source: Callable[[Path], Source]) -> Body:
    """The OpenAPI document an API resource deploys, followed through the functions Terraform offers."""
    if "body" not in resource.body:
        return Body()
    expression = body_expression(resource)
    at = Pointer(resource.source, (*resource.path, "body"))
    if expression is None:
        return Body(notice=f"the body of {resource.address} is not read")
    return _follow(expression, resource, at, _Reader(folder, root, open_source))


def _follow(expression: Expr, resource: TfResource, at: Pointer, reader: _Reader) -> Body:
    address = resource.address
    if expression.kind == "call":
        name, items = expression.name, expression.items
        if name in ("file", "templatefile") and items:
            return _from_file(items[0], resource, reader)
        if name == "jsonencode" and len(items) == 1:
            argument = items[0]
            if argument.kind == "object":
                return Body(resource.source, at, argument.value)
            if argument.kind == "call" and argument.name in ("yamldecode", "jsondecode") and argument.items:
                inner = argument.items[0]
                if inner.kind == "call" and inner.name in ("file", "templatefile") and inner.items:
                    return _from_file(inner.items[0], resource, reader)
                return _follow(inner, resource, at, reader)
        return Body(notice=f"the body of {address} is built by {expression.text[:60]}; it is not checked")
    if expression.kind in ("literal", "template") and isinstance(expression.value, str):
        return _from_text(expression, resource, at)
    return Body(notice=f"the body of {address} is {expression.text[:60]}, a value known only at plan time; "
                       "it is not checked")


def _from_file(argument: Expr, resource: TfResource, reader: _Reader) -> Body:
    path = local_path(argument.value, reader.folder) if argument.kind in ("literal", "template") else None
    if path is None:
        return Body(notice=f"the body of {resource.address} is read from {argument.text[:60]}, a path known only "
                           "at plan time; it is not checked")
    reason = refusal(path, reader.root, any_suffix=True)  # the rules $ref follows, whatever the file's suffix
    if reason is not None:
        return Body(notice=f"the body of {resource.address}, {argument.text[:60]}, is not read: {reason}")
    try:
        source = reader.open_source(path.resolve())
    except ReadError as error:
        return Body(notice=f"the body of {resource.address} cannot be read: {error}")
    return Body(source, Pointer(source, ()), source.data, file=path.resolve())


def _from_text(expression: Expr, resource: TfResource, at: Pointer) -> Body:
    """A body written as text in the configuration: a heredoc (positions kept) or a quoted string."""
    from apilint.load.source import parse_text

    text = expression.value
    tf_source = resource.source
    embedded = parse_text(Path(tf_source.path.name + ".body"), tf_source.display, text)
    if embedded.document is None or embedded.data is None:
        return Body(notice=f"the body of {resource.address} is not an OpenAPI document")
    if expression.heredoc:
        document: Any = ShiftedDocument(embedded.document, expression.span.line, expression.indent)
    else:
        document = _Pinned(embedded.document, at)
    source = Source(tf_source.path, tf_source.display, tf_source.text, document, list(document.problems))
    return Body(source, Pointer(source, ()), document.data)


class _Pinned:
    """A document written in a quoted string: every position is the string's (escapes move columns)."""

    def __init__(self, inner: Any, at: Pointer):
        self.inner = inner
        self.data = inner.data
        span = at.source.locate(at.path)
        self.span = span
        self.problems = [LoadProblem(p.code, p.message, span) for p in inner.problems]

    def locate(self, path: tuple[Any, ...]) -> tuple[Span, int]:
        return self.span, len(path)


# --- APIs ----------------------------------------------------------------------------------------------


def _endpoint(value: Any) -> EndpointType | None:
    if isinstance(value, str) and "${" not in value:
        try:
            return EndpointType(value.strip().lower())
        except ValueError:
            return None
    return None


def api_kind(resource: TfResource) -> tuple[ApiType | None, str]:
    """The API type a resource declares, and why."""
    if resource.type == REST_API:
        return ApiType.REST, f"{resource.type} resource {resource.name}"
    protocol = resource.body.get("protocol_type")
    if protocol == "HTTP":
        return ApiType.HTTP, f"protocol_type HTTP of {resource.address}"
    if protocol == "WEBSOCKET":
        return ApiType.WEBSOCKET, f"protocol_type WEBSOCKET of {resource.address}"
    return None, ""


def rest_endpoint(resource: TfResource) -> tuple[EndpointType | None, tuple[Any, ...] | None]:
    """The endpoint type an ``endpoint_configuration { types = [...] }`` block writes, and where."""
    config, path = first_block(resource.body.get("endpoint_configuration"), (*resource.path, "endpoint_configuration"))
    if config is None:
        return None, None
    types = config.get("types")
    if isinstance(types, list) and types:
        return _endpoint(types[0]), (*path, "types", 0)
    return None, None


class TerraformBuilder:
    """The APIs a Terraform file declares, with what the other resources of its module say about them."""

    def __init__(self, builder: ApiBuilder, open_context: OpenContext):
        self.builder = builder
        self.open_context = open_context

    def from_terraform(self, source: Source, settings: FileSettings) -> list[Api]:
        folder = source.path.parent
        module = read_module(folder, self.open_context, first=source)
        apis: list[Api] = []
        for resource in module.of_type(*API_TYPES):
            if resource.source is not source:
                continue
            apis.append(self._api(module, resource, settings))
        if not module.of_type(*API_TYPES):
            # custom domains without an API in the module: checked from the file that declares them
            domains = [d for d in module_domains(module) if d.at.source is source]
            if domains:
                apis.append(self._domains_only(module, source, domains, settings))
        return apis

    def _domains_only(self, module: Module, source: Source, domains: list[Domain], settings: FileSettings) -> Api:
        from apilint.apis import Declared, FileSettings

        declared = Declared(settings.api_type or ApiType.REST, "Terraform configuration without an API resource",
                            domains=domains)
        declaring = next((r for r in module.of_type(*DOMAINS) if r.source is source), None)
        region = module.provider_region(declaring)[0] if declaring is not None else None
        if settings.region is None and region is not None:
            settings = FileSettings(settings.api_type, settings.endpoint_type, region, settings.domains, settings.options)
        return self.builder._api(source.display, source, None, None, settings, declared)

    def _api(self, module: Module, resource: TfResource, settings: FileSettings, body: Body | None = None) -> Api:
        source = resource.source
        api_type, reason = api_kind(resource)
        from apilint.apis import Declared
        from apilint.model import ApiResource, Properties, Resource

        at = Pointer(source, resource.path)
        declared = Declared(api_type, reason, resource=ApiResource(
            Resource(resource.address, resource.type, resource.body, at, at), Properties(resource.body, at)))
        from apilint.apis import FileSettings, Notice

        if body is None:  # the API's own file is checked: it reports what it reads
            body = api_body(resource, module.folder, self.builder.root, self.builder.open_source)
            if body.notice:
                self.builder.notices.append(Notice(source.display, body.notice))
            if body.file is not None:
                self.builder.consumed.add(body.file)
        if resource.type == V2_API:
            declared.endpoint_type = EndpointType.REGIONAL
            declared.endpoint_reason = "HTTP and WebSocket APIs are Regional"
            if api_type is None and body.document is not None:
                declared.api_type = ApiType.HTTP
                declared.api_type_reason = f"{resource.address} imports an OpenAPI body, which only HTTP APIs support"
        else:
            endpoint, endpoint_path = rest_endpoint(resource)
            if endpoint is not None and endpoint_path is not None:
                declared.endpoint_type = endpoint
                declared.endpoint_reason = f"endpoint_configuration of {resource.address}"
                declared.endpoint_at = Pointer(source, endpoint_path)
            elif "endpoint_configuration" not in resource.body:
                declared.endpoint_type = EndpointType.EDGE
                declared.endpoint_reason = (f"{resource.address} sets no endpoint_configuration; REST APIs default "
                                            "to edge-optimized")
        declared.domains = domains_of(module, resource)
        region, _, _ = module.provider_region(resource)
        if settings.region is None and region is not None:
            settings = FileSettings(settings.api_type, settings.endpoint_type, region, settings.domains, settings.options)
        label = f"{source.display}#{resource.address}"
        doc_source = body.source or source
        return self.builder._api(label, doc_source, body.at, body.document, settings, declared)

    # --- a definition named on its own ----------------------------------------------------------------

    def for_definition(self, source: Source, settings: FileSettings) -> list[Api]:
        """The APIs that Terraform modules inside the root deploy with this definition as their body,
        each with its Terraform context; empty when no module reads it.

        The definition's folder and the folders above it, up to the root, are looked at: a module
        reads its definitions from its own folder or below (``${path.module}/openapi/api.yaml``). Only
        Terraform files whose text names the definition's file are parsed.
        """
        from apilint.apis import Notice

        target = source.path.resolve()
        name = target.name

        def names_it(text: str) -> bool:
            return name in text and may_declare_apigw(text)

        root = self.builder.root.resolve()
        folders = [target.parent]
        folders += [f for f in target.parent.parents if f == root or root in f.parents]
        if root not in (target.parent, *target.parent.parents):
            folders = [target.parent]
        apis: list[Api] = []
        for folder in folders:
            users = []
            for path in sorted(_folder_files(folder)):
                try:
                    if self.open_context(path, names_it).screened is not False:
                        users.append(path)
                except ReadError:
                    continue
            if not users:
                continue
            module = read_module(folder, self.open_context)
            for resource in module.of_type(*API_TYPES):
                if resource.source.path.resolve() not in users:
                    continue
                body = api_body(resource, module.folder, self.builder.root, self.builder.open_source)
                if body.file == target:
                    apis.append(self._api(module, resource, settings, body))
                    self.builder.notices.append(Notice(source.display, f"checked as the body of {resource.address} "
                                                                       f"in {resource.source.display}"))
        return apis


# --- domains -------------------------------------------------------------------------------------------

DOMAINS = ("aws_api_gateway_domain_name", "aws_apigatewayv2_domain_name")
#: Mapping resources, and the arguments that hold the base path and the stage.
MAPPINGS = {"aws_api_gateway_base_path_mapping": ("base_path", "stage_name"),
            "aws_apigatewayv2_api_mapping": ("api_mapping_key", "stage")}


def module_domains(module: Module) -> list[Domain]:
    """The custom domain names of a module, with their certificates and endpoint types."""
    domains: list[Domain] = []
    for tf in module.of_type(*DOMAINS):
        at = Pointer(tf.source, tf.path)
        body = tf.body
        name = body.get("domain_name")
        mtls = "mutual_tls_authentication" in body
        mtls_at = at.child("mutual_tls_authentication")
        if tf.type == "aws_api_gateway_domain_name":
            config, config_path = first_block(body.get("endpoint_configuration"), (*tf.path, "endpoint_configuration"))
            types = config.get("types") if config is not None else None
            endpoint = _endpoint(types[0]) if isinstance(types, list) and types else None
            endpoint_at = Pointer(tf.source, (*config_path, "types", 0)) if endpoint is not None else None
            if endpoint is None:
                endpoint = EndpointType.REGIONAL if "regional_certificate_arn" in body else EndpointType.EDGE
            key = "certificate_arn"
            if "regional_certificate_arn" in body and (endpoint is not EndpointType.EDGE or key not in body):
                key = "regional_certificate_arn"
            domain = Domain(name, body.get(key), endpoint, at, at.child(key), endpoint_at, mtls, mtls_at,
                            body.get("security_policy"), at.child("security_policy"))
            domain.logical_id = tf.address
            domains.append(domain)
            continue
        for config, path in blocks(body.get("domain_name_configuration"), (*tf.path, "domain_name_configuration")):
            config_at = Pointer(tf.source, path)
            endpoint = _endpoint(config.get("endpoint_type")) or EndpointType.REGIONAL
            domain = Domain(name, config.get("certificate_arn"), endpoint, config_at,
                            config_at.child("certificate_arn"),
                            config_at.child("endpoint_type") if "endpoint_type" in config else None, mtls, mtls_at,
                            config.get("security_policy"), config_at.child("security_policy"))
            domain.logical_id = tf.address
            domains.append(domain)
    return domains


def domain_mappings(module: Module, domain: Domain) -> list[tuple[str, TfResource]]:
    """The mappings onto a domain: (the address of the API it maps, the mapping resource)."""
    result = []
    for tf in module.of_type(*MAPPINGS):
        target = tf.body.get("domain_name")
        if not (refers_to(target, str(domain.logical_id)) or (isinstance(target, str) and target == domain.name)):
            continue
        api = next((a.address for a in module.of_type(*API_TYPES) if refers_to(tf.body.get("api_id"), a.address)),
                   None)
        if api is not None:
            result.append((api, tf))
    return result


def domains_of(module: Module, api: TfResource) -> list[Domain]:
    """The domains that serve an API: those mapped onto it, and those mapped onto no API of the module."""
    result = []
    for domain in module_domains(module):
        mapped = domain_mappings(module, domain)
        if not mapped or any(address == api.address for address, _ in mapped):
            result.append(domain)
    return result
