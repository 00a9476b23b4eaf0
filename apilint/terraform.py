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

import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apilint.apis import APIGW_WORDS, is_terraform_path, terraform_screen
from apilint.deployment import Deployment
from apilint.finding import Span
from apilint.load.hclload import Expr, HclDocument, parse_expression
from apilint.load.problems import LoadProblem
from apilint.load.refs import refusal
from apilint.load.source import ReadError, Source
from apilint.model import (
    UNSET,
    Api,
    ApiResource,
    ApiType,
    Authorizer,
    Canary,
    Domain,
    EndpointType,
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
from apilint.record import Record, replace
from apilint.values import text

if TYPE_CHECKING:
    from apilint.apis import ApiBuilder, FileSettings

REST_API = "aws_api_gateway_rest_api"
V2_API = "aws_apigatewayv2_api"
API_TYPES = (REST_API, V2_API)
#: What a sibling file must mention to matter to an API of the module (its resources, the region, or
#: literal locals that an API resource may read).
_SIBLING_SCREEN = (*APIGW_WORDS, "aws_wafv2_web_acl_association", "aws_wafregional_web_acl_association", "provider",
                   "locals")
_PATH_PREFIX = re.compile(r"^\$\{\s*path\.(module|root|cwd)\s*\}/?")
_SINGLE_INTERPOLATION = re.compile(r"^\$\{(.*)\}$", re.DOTALL)
_PATH_VALUE = re.compile(r"\$\{\s*path\.(module|root|cwd)\s*\}")
_LOCAL = re.compile(r"\$\{\s*local\.([A-Za-z_][\w-]*)\s*\}")


def is_terraform_source(source: Source) -> bool:
    return is_terraform_path(source.path)


class TfResource(Record):
    """One ``resource`` block: its type, its name, its body (arguments and nested blocks) and where."""

    type: str
    name: str
    body: dict[str, Any]
    source: Source
    path: tuple[Any, ...]  # ("resource", type, name) or with an index when the name is repeated
    #: Arguments and nested block types an override file replaces, and where the override writes them.
    overrides: dict[str, Pointer]

    def __init__(self, type: str, name: str, body: dict[str, Any], source: Source,
                 path: tuple[Any, ...], overrides: dict[str, Pointer] | None = None) -> None:
        self.type = type
        self.name = name
        self.body = body
        self.source = source
        self.path = path
        self.overrides = {} if overrides is None else overrides

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"

    @property
    def at(self) -> Pointer:
        """Where the block is; its children are where they are written, in an override file or here."""
        if not self.overrides:
            return Pointer(self.source, self.path)
        return OverriddenPointer(self.source, self.path, tuple(self.overrides.items()))


class OverriddenPointer(Pointer):
    """A resource block some of whose arguments an override file replaces: a child under such an
    argument is in the override file, at the place the override writes it."""

    overrides: tuple[tuple[str, Pointer], ...]

    def __init__(self, source: Source, path: tuple[Any, ...], overrides: tuple[tuple[str, Pointer], ...] = ()) -> None:
        super().__init__(source, path)
        object.__setattr__(self, "overrides", overrides)

    def child(self, *steps: Any) -> Pointer:
        if steps:
            for key, at in self.overrides:
                if key == steps[0]:
                    return at.child(*steps[1:])
        return Pointer(self.source, self.path + steps)


def is_override_file(path: Path) -> bool:
    """``override.tf``, ``*_override.tf`` and their ``.tf.json`` forms: Terraform merges them over the
    blocks the other files of the module declare."""
    name = path.name.lower()
    stem = name[:-len(".tf.json")] if name.endswith(".tf.json") else name[:-len(".tf")]
    return stem == "override" or stem.endswith("_override")


class Module(Record):
    """The Terraform files of one folder, read as one configuration."""

    folder: Path
    sources: list[Source]
    resources: list[TfResource]
    #: ``locals`` whose value is literal (no reference, no function call): the only ones known before
    #: ``terraform plan``; variables and module inputs can be set from outside, so they stay unknown.
    locals: dict[str, Any]

    def __init__(self, folder: Path, sources: list[Source] | None = None, resources: list[TfResource] | None = None,
                 locals: dict[str, Any] | None = None) -> None:
        self.folder = folder
        self.sources = [] if sources is None else sources
        self.resources = [] if resources is None else resources
        self.locals = {} if locals is None else locals

    def literal(self, value: Any) -> Any:
        """A value, or the literal local it names when it is exactly ``${local.NAME}``."""
        if isinstance(value, str):
            match = _LOCAL.fullmatch(value)
            if match is not None and match.group(1) in self.locals:
                return self.locals[match.group(1)]
        return value

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
        provider = resource.body.get("provider")
        alias = _aws_alias(provider) if isinstance(provider, str) else None
        if isinstance(provider, str) and alias is None:
            return None, None, None
        found = self.aws_provider(alias)
        return found if found is not None else (None, None, None)

    def aws_provider(self, alias: str | None) -> tuple[str | None, Source | None, tuple[Any, ...] | None] | None:
        """The literal region of the module's ``aws`` provider block with that alias (None for the
        default one), with where it is written; (None, None, None) when the block gives no literal
        region; None when the module declares no such block (a child module, which inherits it)."""
        for source in self.sources:
            providers = source.data.get("provider") if isinstance(source.data, dict) else None
            for body, path in _provider_bodies(providers):
                if body.get("alias") != alias and not (alias is None and "alias" not in body):
                    continue
                region = self.literal(body.get("region"))
                if isinstance(region, str) and "${" not in region:
                    return region, source, (*path, "region")
                return None, None, None
        return None


def _aws_alias(reference: str) -> str | None:
    """``aws.east`` in ``${aws.east}`` (a resource's ``provider``, a module call's ``providers``)."""
    match = re.fullmatch(r"\$\{\s*aws\.([A-Za-z0-9_-]+)\s*\}", reference)
    return match.group(1) if match is not None else None


#: How many module calls up the region of a child module's provider is looked for.
_CALLER_DEPTH = 4


#: A module folder's local callers: (caller's folder, the alias of the ``aws`` provider it passes or
#: None for its default one, whether it passes an ``aws`` provider at all).
ModuleCall = tuple[Path, "str | None", bool]


def inherited_region(folder: Path, calls_of: Callable[[Path], list[ModuleCall]],
                     open_context: OpenContext) -> str | None:
    """The region of the default ``aws`` provider that a module declaring none inherits: the one every
    module calling it by a local ``source`` (``./``, ``../``) passes, its own default provider or the
    one its ``providers`` map names, followed up through callers that declare none either. None when no
    caller is found, when one cannot say (a region from a variable, a ``providers`` map without
    ``aws``), or when callers pass different regions: the module is then deployed to more than one.
    """
    return _inherited(folder.resolve(), calls_of, open_context, 0, frozenset())


def _inherited(folder: Path, calls_of: Callable[[Path], list[ModuleCall]], open_context: OpenContext, depth: int,
               seen: frozenset[Path]) -> str | None:
    if depth >= _CALLER_DEPTH or folder in seen:
        return None
    calls = calls_of(folder)
    regions: set[str] = set()
    for caller, alias, passed in calls:
        if not passed:
            return None
        module = read_module(caller, open_context)
        stated = module.aws_provider(alias)
        if stated is None and alias is None:
            region = _inherited(caller, calls_of, open_context, depth + 1, seen | {folder})
        else:
            region = stated[0] if stated is not None else None
        if region is None:
            return None
        regions.add(region)
    return regions.pop() if len(regions) == 1 else None


def _may_call_a_local_module(text: str) -> bool:
    """Whether a Terraform file's text could call a module by a local path (``source = "./..."``)."""
    return "module" in text and "source" in text and "./" in text


def module_calls(files: Sequence[Path], open_context: OpenContext) -> dict[Path, list[ModuleCall]]:
    """Every local module call in ``files``, by the called folder (resolved)."""
    calls: dict[Path, list[ModuleCall]] = {}
    for path in files:
        try:
            source = open_context(path, _may_call_a_local_module)
        except ReadError:
            continue
        if source.screened is False or not isinstance(source.data, dict):
            continue
        modules = source.data.get("module")
        for named in (modules if isinstance(modules, list) else [modules]):
            if not isinstance(named, dict):
                continue
            for value in named.values():
                for body, _ in blocks(value, ()):
                    target = body.get("source")
                    if not (isinstance(target, str) and target.startswith(("./", "../"))):
                        continue
                    try:
                        called = (path.parent / target).resolve()
                    except (OSError, RuntimeError):
                        continue
                    calls.setdefault(called, []).append(_call(path.parent.resolve(), body.get("providers")))
    return calls


def _call(caller: Path, providers: Any) -> ModuleCall:
    if providers is None:
        return caller, None, True  # the default provider is inherited
    passed = providers.get("aws") if isinstance(providers, dict) else None
    if not isinstance(passed, str):
        return caller, None, False  # a providers map without aws: the child gets none from here
    alias = _aws_alias(passed)
    return caller, alias, alias is not None or passed.replace(" ", "") == "${aws}"


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


#: A block that sets what a module's APIs read without declaring one: the AWS provider (the region of
#: every resource that names no other) or locals (a definition's path), in HCL or in JSON syntax.
_CONTEXT_BLOCK = re.compile(r'^[ \t]*(?:provider[ \t]+"?aws"?|locals)[ \t]*\{|"(?:provider|locals)"\s*:', re.MULTILINE)


def module_files_through(named: Path, read_text: Callable[[Path], str | None]) -> list[Path]:
    """The files a named Terraform file is checked through when it declares no API Gateway resource but
    sets the AWS provider or locals that its module's APIs read (``providers.tf``): the module's files
    that mention an API Gateway resource, as if they had been named too.

    A commit that moves the provider to another region changes what the module's domains and
    certificates are judged against, though no file of the API changed; the pre-commit hook names only
    ``providers.tf``. The modules it calls by a local ``source`` inherit its provider, so their API
    Gateway files count too (down four calls). Empty when the file declares an API Gateway resource
    itself, sets neither, or no such module holds an API Gateway resource.
    """
    text = read_text(named)
    if text is None or terraform_screen(named)(text) or not _CONTEXT_BLOCK.search(text):
        return []
    itself = named.resolve()
    found: list[Path] = []
    folders, seen = [named.parent], set()
    for _ in range(_CALLER_DEPTH + 1):
        called = []
        for folder in folders:
            if folder.resolve() in seen:
                continue
            seen.add(folder.resolve())
            for path in _folder_files(folder):
                content = text if path.resolve() == itself else read_text(path)
                if content is None:
                    continue
                if path.resolve() != itself and terraform_screen(path)(content):
                    found.append(path)
                called += [folder / source for source in _LOCAL_SOURCE.findall(content)]
        folders = [folder for folder in called if folder.is_dir()]
    return found


#: A local module call's source, in HCL (``source = "../api"``) or JSON (``"source": "../api"``).
_LOCAL_SOURCE = re.compile(r'\bsource"?[ \t]*[=:][ \t]*"(\.\.?/[^"$]*)"')


def read_module(folder: Path, open_context: OpenContext, first: Source | None = None) -> Module:
    """The module in ``folder``: every Terraform file in it that can matter to an API, parsed once.

    A file whose text mentions no API Gateway resource, WAF association, provider or locals is not parsed.
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
    readable = [source for source in sources if source.data is not None and source.screened is not False]
    overrides = sorted((s for s in readable if is_override_file(s.path)), key=lambda s: s.path.name)
    for source in readable:
        if source in overrides:
            continue
        module.sources.append(source)
        module.resources.extend(_resources_of(source))
        module.locals.update(_literal_locals(source.data))
    for source in overrides:  # after every other file, in name order, as Terraform merges them
        module.sources.append(source)
        _merge_override(module, source)
    for resource in module.resources:
        resource.body = _with_locals(resource.body, module)
    return module


def _merge_override(module: Module, source: Source) -> None:
    """An override file merged over the module: each argument it writes replaces the original's, and a
    nested block type it writes replaces every block of that type (Terraform's override rules); a
    local it sets replaces the local of the same name."""
    for override in _resources_of(source):
        base = module.find(override.address)
        if base is None:
            continue  # Terraform rejects an override of a block no other file declares
        base.body = dict(base.body)
        for key, value in override.body.items():
            base.body[key] = value
            base.overrides[key] = Pointer(source, (*override.path, key))
    module.locals.update(_literal_locals(source.data))


def _literal_locals(data: Any) -> dict[str, Any]:
    """The ``locals`` of a file whose values are literal."""
    found: dict[str, Any] = {}
    if not isinstance(data, dict):
        return found
    bodies = data.get("locals")
    for body in bodies if isinstance(bodies, list) else [bodies]:
        if isinstance(body, dict):
            found.update({str(name): value for name, value in body.items() if not _unknown_inside(value)})
    return found


def _unknown_inside(value: Any) -> bool:
    if isinstance(value, str):
        value = _PATH_VALUE.sub("", value)  # path.module, path.root and path.cwd are the module's folder
        return "${" in value or "%{" in value
    if isinstance(value, list):
        return any(_unknown_inside(item) for item in value)
    if isinstance(value, dict):
        return any(_unknown_inside(item) for item in value.values())
    return False


def _with_locals(value: Any, module: Module) -> Any:
    """A resource body with every value that is exactly a literal local replaced by its value."""
    if isinstance(value, str):
        return module.literal(value)
    if isinstance(value, list):
        return [_with_locals(item, module) for item in value]
    if isinstance(value, dict):
        return {key: _with_locals(item, module) for key, item in value.items()}
    return value


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


class Body(Record):
    """Where an API resource's OpenAPI body is, once followed: the file that holds the document (the
    ``.tf`` file itself for an inline body), the pointer to the document and the document. ``notice``
    says why there is none when the body is written but cannot be read."""

    source: Source | None
    at: Pointer | None
    document: Any
    file: Path | None  # the definition file, when the body comes from one
    notice: str | None
    missing: tuple[str, Pointer] | None  # a file() path that names no file: what it says, and where

    def __init__(self, source: Source | None = None, at: Pointer | None = None, document: Any = None,
                 file: Path | None = None, notice: str | None = None,
                 missing: tuple[str, Pointer] | None = None) -> None:
        self.source = source
        self.at = at
        self.document = document
        self.file = file
        self.notice = notice
        self.missing = missing


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
    at = resource.at.child("body")
    document = at.source.document
    if isinstance(document, HclDocument):
        return document.expression(at.path)
    value = resource.body.get("body")
    if not isinstance(value, str):
        return None
    inner = single_expression(value)
    if inner is not None:
        return parse_expression(inner)
    span = at.source.locate(at.path)
    return Expr("template" if "${" in value else "literal", value, span, value)


class _Reader(Record):
    """Where a body's files may be read from: the module's folder, inside the run's root."""

    module: Module
    root: Path
    open_source: Callable[[Path], Source]

    def __init__(self, module: Module, root: Path, open_source: Callable[[Path], Source]) -> None:
        self.module = module
        self.root = root
        self.open_source = open_source


def api_body(resource: TfResource, module: Module, root: Path, open_source: Callable[[Path], Source]) -> Body:
    """The OpenAPI document an API resource deploys, followed through the functions Terraform offers."""
    if "body" not in resource.body:
        return Body()
    expression = body_expression(resource)
    at = resource.at.child("body")
    if expression is None:
        return Body(notice=f"the body of {resource.address} is not read")
    return _follow(expression, resource, at, _Reader(module, root, open_source))


def _follow(expression: Expr, resource: TfResource, at: Pointer, reader: _Reader) -> Body:
    address = resource.address
    if expression.kind == "call":
        name, items = expression.name, expression.items
        if name in ("file", "templatefile") and items:
            return _from_file(items[0], resource, reader, at)
        if name == "jsonencode" and len(items) == 1:
            argument = items[0]
            if argument.kind == "object":
                return Body(resource.source, at, argument.value)
            if argument.kind == "call" and argument.name in ("yamldecode", "jsondecode") and argument.items:
                inner = argument.items[0]
                if inner.kind == "call" and inner.name in ("file", "templatefile") and inner.items:
                    return _from_file(inner.items[0], resource, reader, at)
                return _follow(inner, resource, at, reader)
        return Body(notice=f"the body of {address} is built by {expression.text[:60]}; it is not checked")
    if expression.kind in ("literal", "template") and isinstance(expression.value, str):
        return _from_text(expression, resource, at)
    return Body(notice=f"the body of {address} is {expression.text[:60]}, a value known only at plan time; "
                       "it is not checked")


def _from_file(argument: Expr, resource: TfResource, reader: _Reader, at: Pointer) -> Body:
    value = reader.module.literal(argument.value)  # a path may be a literal local
    path = local_path(value, reader.module.folder) if isinstance(value, str) else None
    if path is None:
        return Body(notice=f"the body of {resource.address} is read from {argument.text[:60]}, a path known only "
                           "at plan time; it is not checked")
    reason = refusal(path, reader.root, any_suffix=True)  # the rules $ref follows, whatever the file's suffix
    if reason is not None:
        return Body(notice=f"the body of {resource.address}, {argument.text[:60]}, is not read: {reason}")
    if not os.path.lexists(path):  # reported by AG605: terraform plan stops there
        return Body(missing=(os.path.relpath(path, reader.module.folder), at))
    try:
        source = reader.open_source(path.resolve())
    except ReadError as error:
        return Body(notice=f"the body of {resource.address} cannot be read: {error}")
    if source.note is not None:
        return Body(notice=f"the body of {resource.address}, {source.display}, is {source.note}")
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
        document = _in_json_string(embedded.document, at) or _Pinned(embedded.document, at)
    source = Source(tf_source.path, tf_source.display, tf_source.text, document, list(document.problems))
    return Body(source, Pointer(source, ()), document.data)


_JSON_STRING_VALUE = re.compile(r'\s*:\s*"')


def _in_json_string(inner: Any, at: Pointer) -> _InJsonString | None:
    """A document written in a Terraform JSON string value, located inside the string, or None when
    the argument is not a JSON string (HCL quoted strings keep the argument's position)."""
    source = at.source
    if not source.path.name.lower().endswith(".json"):
        return None
    span = source.locate(at.path)
    lines = source.lines
    if not 1 <= span.line <= len(lines):
        return None
    line = lines[span.line - 1]
    key_end = line.find('"', span.column)  # the closing quote of the key the span starts at
    match = _JSON_STRING_VALUE.match(line, key_end + 1) if key_end != -1 else None
    if match is None:
        return None
    return _InJsonString(inner, at, span.line, line, match.end())


class _InJsonString:
    """A document written in a JSON string: a JSON string is one line of the file whatever its
    escapes, so every position of the document is a column of that line, each escape counted as the
    characters it is written with (``\\"`` is two, ``\\n`` starts a new line of the document)."""

    def __init__(self, inner: Any, at: Pointer, line: int, raw: str, start: int):
        self.inner = inner
        self.data = inner.data
        self.line = line
        self.pinned = _Pinned(inner, at)
        self.columns: dict[tuple[int, int], int] = {}
        doc_line, doc_column, index = 1, 1, start
        while index < len(raw) and raw[index] != '"':
            self.columns[(doc_line, doc_column)] = index + 1
            if raw[index] != "\\":
                index, doc_column = index + 1, doc_column + 1
            elif raw[index + 1:index + 2] == "n":
                index, doc_line, doc_column = index + 2, doc_line + 1, 1
            elif raw[index + 1:index + 2] == "u":
                high = raw[index + 2:index + 6]
                index += 6
                if high[:1].lower() == "d" and high[1:2].lower() in "89ab" and raw[index:index + 2] == "\\u":
                    index += 6  # the low half of a surrogate pair: one character with the high one
                doc_column += 1
            else:
                index, doc_column = index + 2, doc_column + 1
        self.columns[(doc_line, doc_column)] = index + 1
        self.problems = [LoadProblem(p.code, p.message, self.shift(p.span)) for p in inner.problems]

    def shift(self, span: Span) -> Span:
        start = self.columns.get((span.line, span.column))
        if start is None:
            return self.pinned.span
        end = self.columns.get((span.end_line, span.end_column), start)
        return Span(self.line, start, self.line, max(end, start))

    def locate(self, path: tuple[Any, ...]) -> tuple[Span, int]:
        span, matched = self.inner.locate(path)
        return self.shift(span), matched


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


def rest_endpoint(resource: TfResource) -> tuple[EndpointType | None, Pointer | None]:
    """The endpoint type an ``endpoint_configuration { types = [...] }`` block writes, and where."""
    config, at = _block(resource.body, resource.at, "endpoint_configuration")
    if config is None:
        return None, None
    types = config.get("types")
    if isinstance(types, list) and types:
        return _endpoint(types[0]), at.child("types", 0)
    return None, None


class TerraformBuilder:
    """The APIs a Terraform file declares, with what the other resources of its module say about them."""

    def __init__(self, builder: ApiBuilder, open_context: OpenContext,
                 calls_of: Callable[[Path], list[ModuleCall]] | None = None):
        self.builder = builder
        self.open_context = open_context
        #: The local calls of a module folder inside the root (:func:`module_calls`); None when they are
        #: not looked for (another revision than the working tree).
        self.calls_of = calls_of

    def _region(self, module: Module, resource: TfResource | None) -> str | None:
        """The literal region the resource is deployed to: its own or its module's provider's, else, for
        a module without a default ``aws`` provider, the one its callers pass (:func:`inherited_region`)."""
        if resource is not None:
            region = module.provider_region(resource)[0]
            if region is not None or "provider" in resource.body or "region" in resource.body:
                return region
        if module.aws_provider(None) is not None or self.calls_of is None:
            return None
        return inherited_region(module.folder, self.calls_of, self.open_context)

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

    def module_apis(self, source: Source, settings: FileSettings, in_run: frozenset[Path]) -> list[Api]:
        """The APIs of the module a file without an API resource belongs to, for its own findings: those
        declared in files that are not in the run (a file in the run reports its module's findings)."""
        module = read_module(source.path.parent, self.open_context, first=source)
        return [self._api(module, resource, settings) for resource in module.of_type(*API_TYPES)
                if resource.source.path.resolve() not in in_run]

    def _domains_only(self, module: Module, source: Source, domains: list[Domain], settings: FileSettings) -> Api:
        from apilint.apis import Declared

        declared = Declared(settings.api_type or ApiType.REST, "Terraform configuration without an API resource",
                            domains=domains)
        declaring = next((r for r in module.of_type(*DOMAINS) if r.source is source), None)
        region = self._region(module, declaring)
        if region is not None:
            settings = settings.stated_region(region)
        return self.builder._api(source.display, source, None, None, settings, declared)

    def _api(self, module: Module, resource: TfResource, settings: FileSettings, body: Body | None = None) -> Api:
        source = resource.source
        api_type, reason = api_kind(resource)
        from apilint.apis import Declared

        deployment = TerraformDeployment(module, resource)
        declared = Declared(api_type, reason, resource=deployment.api_resource())
        from apilint.apis import Notice

        if body is None:  # the API's own file is checked: it reports what it reads
            body = api_body(resource, module, self.builder.root, self.builder.open_source)
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
            endpoint, endpoint_at = rest_endpoint(resource)
            if endpoint is not None and endpoint_at is not None:
                declared.endpoint_type = endpoint
                declared.endpoint_reason = f"endpoint_configuration of {resource.address}"
                declared.endpoint_at = endpoint_at
            elif "endpoint_configuration" not in resource.body:
                declared.endpoint_type = EndpointType.EDGE
                declared.endpoint_reason = (f"{resource.address} sets no endpoint_configuration; REST APIs default "
                                            "to edge-optimized")
        declared.domains = domains_of(module, resource)
        declared.deployment = deployment.deployment()
        region = self._region(module, resource)
        if region is not None:
            settings = settings.stated_region(region)
        label = f"{source.display}#{resource.address}"
        doc_source = body.source or source
        api = self.builder._api(label, doc_source, body.at, body.document, settings, declared)
        api.missing_definition = body.missing
        return api


# --- the deployment around an API: the objects of apilint.model, filled from Terraform resources ---------

REST_STAGE = "aws_api_gateway_stage"
REST_DEPLOYMENT = "aws_api_gateway_deployment"
METHOD_SETTINGS = "aws_api_gateway_method_settings"
V2_STAGE = "aws_apigatewayv2_stage"
USAGE_PLAN = "aws_api_gateway_usage_plan"
WAF_ASSOCIATIONS = {"aws_wafv2_web_acl_association": "web_acl_arn", "aws_wafregional_web_acl_association": "web_acl_id"}
VPC_LINKS = ("aws_api_gateway_vpc_link", "aws_apigatewayv2_vpc_link")
OWNER_ARGUMENTS = ("rest_api_id", "api_id")
#: Terraform's names for the route settings of the model (REST ``settings`` blocks, HTTP/WebSocket routes).
_REST_SETTINGS = {
    "throttling_burst": "throttling_burst_limit", "throttling_rate": "throttling_rate_limit",
    "caching_enabled": "caching_enabled", "cache_ttl": "cache_ttl_in_seconds", "cache_encrypted": "cache_data_encrypted",
    "logging_level": "logging_level", "metrics_enabled": "metrics_enabled", "data_trace_enabled": "data_trace_enabled",
}
_V2_SETTINGS = {
    "throttling_burst": "throttling_burst_limit", "throttling_rate": "throttling_rate_limit",
    "logging_level": "logging_level", "metrics_enabled": "detailed_metrics_enabled",
    "data_trace_enabled": "data_trace_enabled",
}


def _resource(tf: TfResource) -> Resource:
    """A Terraform resource as the model's :class:`Resource` (its name is the resource address)."""
    at = tf.at
    return Resource(tf.address, tf.type, tf.body, at, at)


def _setting(data: Any, at: Pointer, key: str) -> Setting:
    if isinstance(data, dict) and key in data and data[key] is not None:
        return Setting(data[key], at.child(key))
    return UNSET


def _block(data: dict[str, Any], at: Pointer, key: str) -> tuple[dict[str, Any] | None, Pointer]:
    """The first ``key { ... }`` block of a body and where it is (``.tf``: a list; ``.tf.json``: maybe an object)."""
    where = at.child(key)
    body, path = first_block(data.get(key), where.path)
    return body, Pointer(where.source, path)


def _method_throttles(entry: dict[str, Any], at: Pointer) -> list[MethodThrottle]:
    """The ``throttle { path, rate_limit, burst_limit }`` blocks of a usage plan's ``api_stages`` entry."""
    throttles = []
    for body, path in blocks(entry.get("throttle"), at.child("throttle").path):
        block_at = Pointer(at.source, path)
        method = body.get("path")
        throttles.append(MethodThrottle(method if isinstance(method, str) else "throttle", block_at,
                                        _setting(body, block_at, "rate_limit"), _setting(body, block_at, "burst_limit")))
    return throttles


def _map(data: Any, at: Pointer) -> dict[str, Setting]:
    if not isinstance(data, dict):
        return {}
    return {str(key): Setting(value, at.child(key)) for key, value in data.items()}


def _route_settings(data: dict[str, Any], at: Pointer, keys: dict[str, str], **target: Any) -> RouteSettings:
    values: dict[str, Any] = {name: _setting(data, at, key) for name, key in keys.items()}
    return RouteSettings(at, **target, **values)


def _label(name: Setting, address: str) -> str:
    shown = name.text()
    return f"stage {shown} ({address})" if shown is not None else f"stage {address}"


class TerraformDeployment:
    """What a module deploys around one API, as the model's objects."""

    def __init__(self, module: Module, api: TfResource):
        self.module = module
        self.api = api
        self.related: dict[str, list[TfResource]] = {}
        for resource in module.resources:
            if any(refers_to(resource.body.get(key), api.address) for key in OWNER_ARGUMENTS):
                self.related.setdefault(resource.type, []).append(resource)

    def deployment(self) -> Deployment:
        stages = self.stages()
        return Deployment(stages=stages, usage_plans=self.usage_plans(), waf=self.waf(),
                          vpc_links=self.vpc_links(stages), authorizers=self.authorizers(), policies=self.policies())

    def api_resource(self) -> ApiResource:
        resource = _resource(self.api)
        related = {kind: [_resource(r) for r in items] for kind, items in self.related.items()}
        siblings = {r.address: _resource(r) for r in self.module.resources}
        return ApiResource(resource, Properties(self.api.body, resource.properties_at), related, siblings)

    # --- stages ---------------------------------------------------------------------------------------

    def stages(self) -> list[Stage]:
        stages: list[Stage] = []
        settings = self.related.get(METHOD_SETTINGS, [])
        for tf in self.related.get(REST_STAGE, []):
            at = tf.at
            body = tf.body
            name = _setting(body, at, "stage_name")
            stage = Stage(tf.type, _label(name, tf.address), at, name, tf.address,
                          tracing_enabled=_setting(body, at, "xray_tracing_enabled"),
                          cache_cluster_enabled=_setting(body, at, "cache_cluster_enabled"),
                          cache_cluster_size=_setting(body, at, "cache_cluster_size"),
                          client_certificate=_setting(body, at, "client_certificate_id"))
            self._access_log(stage, body, at)
            variables = _setting(body, at, "variables")
            if variables.at is not None:
                stage.variables_at, stage.variables = variables.at, _map(variables.value, variables.at)
            canary, canary_at = _block(body, at, "canary_settings")
            if canary is not None:
                stage.canary = Canary(canary_at, _setting(canary, canary_at, "percent_traffic"),
                                      _setting(canary, canary_at, "use_stage_cache"),
                                      _map(canary.get("stage_variable_overrides"),
                                           canary_at.child("stage_variable_overrides")))
            for method in settings:
                if self._names_stage(method.body.get("stage_name"), tf, name):
                    stage.route_settings.append(self._method_settings(method))
            stages.append(stage)
        for tf in self.related.get(REST_DEPLOYMENT, []):
            at = tf.at
            name = _setting(tf.body, at, "stage_name")
            if name.written:  # the deprecated stage_name argument creates a stage
                stages.append(Stage(tf.type, _label(name, tf.address), at, name, tf.address))
        for tf in self.related.get(V2_STAGE, []):
            at = tf.at
            body = tf.body
            name = _setting(body, at, "name")
            stage = Stage(tf.type, _label(name, tf.address), at, name, tf.address,
                          client_certificate=_setting(body, at, "client_certificate_id"))
            self._access_log(stage, body, at)
            variables = _setting(body, at, "stage_variables")
            if variables.at is not None:
                stage.variables_at, stage.variables = variables.at, _map(variables.value, variables.at)
            default, default_at = _block(body, at, "default_route_settings")
            if default is not None:
                stage.route_settings.append(_route_settings(default, default_at, _V2_SETTINGS))
            routes_at = at.child("route_settings")
            for route, route_path in blocks(body.get("route_settings"), routes_at.path):
                route_at = Pointer(routes_at.source, route_path)
                key = route.get("route_key")
                stage.route_settings.append(_route_settings(
                    route, route_at, _V2_SETTINGS, route_key=key if isinstance(key, str) else None))
            stages.append(stage)
        return stages

    def _access_log(self, stage: Stage, body: dict[str, Any], at: Pointer) -> None:
        log, log_at = _block(body, at, "access_log_settings")
        if log is not None:
            stage.access_log_at, stage.access_log = log_at, Setting(log, log_at)
            stage.access_log_destination = _setting(log, log_at, "destination_arn")
            log_format = _setting(log, log_at, "format")
            if isinstance(log_format.value, (dict, list)):  # jsonencode({...}): the text Terraform writes
                log_format = Setting(json.dumps(log_format.value, separators=(",", ":")), log_format.at)
            stage.access_log_format = log_format

    def _method_settings(self, tf: TfResource) -> RouteSettings:
        at = tf.at
        path = tf.body.get("method_path")
        method_path = path.lstrip("/") if isinstance(path, str) and "${" not in path else None
        data, data_at = _block(tf.body, at, "settings")
        return _route_settings(data or {}, data_at if data is not None else at, _REST_SETTINGS, method_path=method_path)

    def _names_stage(self, value: Any, stage: TfResource, name: Setting) -> bool:
        """Whether a ``stage_name`` / ``stage`` argument names the stage: by reference or by its literal name."""
        if refers_to(value, stage.address):
            return True
        return isinstance(value, str) and "${" not in value and value == name.text()

    def _stage_resources(self) -> list[TfResource]:
        return self.related.get(REST_STAGE, []) + self.related.get(V2_STAGE, [])

    # --- usage plans, WAF, VPC links ------------------------------------------------------------------

    def usage_plans(self) -> list[UsagePlan]:
        plans = []
        for tf in self.module.of_type(USAGE_PLAN):
            at = tf.at
            covered = []
            stages_at = at.child("api_stages")
            for entry, path in blocks(tf.body.get("api_stages"), stages_at.path):
                if refers_to(entry.get("api_id"), self.api.address):
                    entry_at = Pointer(stages_at.source, path)
                    covered.append(UsagePlanStage(entry_at, stage_reference(self.module, _setting(entry, entry_at, "stage")),
                                                  _method_throttles(entry, entry_at)))
            if not covered:
                continue
            throttle, throttle_at = _block(tf.body, at, "throttle_settings")
            quota, quota_at = _block(tf.body, at, "quota_settings")
            plans.append(UsagePlan(tf.type, f"usage plan {tf.address}", at, tf.address, covered,
                                   _setting(throttle, throttle_at, "burst_limit"),
                                   _setting(throttle, throttle_at, "rate_limit"),
                                   _setting(quota, quota_at, "limit"), _setting(quota, quota_at, "period")))
        return plans

    def waf(self) -> list[WafAssociation]:
        associations = []
        stages = self._stage_resources()
        for tf in self.module.of_type(*WAF_ASSOCIATIONS):
            at = tf.at
            arn = _setting(tf.body, at, "resource_arn")
            stage = next((s for s in stages if refers_to(arn.value, s.address)), None)
            if stage is None and not refers_to(arn.value, self.api.address):
                continue
            stage_name = None
            if stage is not None:
                stage_name = text(stage.body.get("stage_name", stage.body.get("name")))
            elif isinstance(arn.value, str) and "/stages/" in arn.value:
                stage_name = text(arn.value.split("/stages/", 1)[1].split("/")[0]) or None
            associations.append(WafAssociation(tf.type, f"web ACL association {tf.address}", at,
                                               _setting(tf.body, at, WAF_ASSOCIATIONS[tf.type]), arn, stage_name,
                                               tf.address))
        return associations

    def vpc_links(self, stages: list[Stage]) -> list[VpcLink]:
        places: list[Any] = [self.api.body.get("body")]
        for kind in ("aws_api_gateway_integration", "aws_apigatewayv2_integration"):
            places.extend(r.body for r in self.related.get(kind, []))
        places.extend({k: v.value for k, v in stage.variables.items()} for stage in stages)
        links = []
        for tf in self.module.of_type(*VPC_LINKS):
            if not any(refers_to(place, tf.address) for place in places):
                continue
            at = tf.at
            name = _setting(tf.body, at, "name")
            if tf.type == "aws_api_gateway_vpc_link":
                links.append(VpcLink("v1", f"VPC link {tf.address}", at, tf.address, name,
                                     target_arns=_setting(tf.body, at, "target_arns")))
            else:
                links.append(VpcLink("v2", f"VPC link {tf.address}", at, tf.address, name,
                                     subnet_ids=_setting(tf.body, at, "subnet_ids"),
                                     security_group_ids=_setting(tf.body, at, "security_group_ids")))
        return links

    # --- authorizers and policies --------------------------------------------------------------------

    def authorizers(self) -> list[Authorizer]:
        result = []
        for kind, type_key, identity_key in (("aws_api_gateway_authorizer", "type", "identity_source"),
                                             ("aws_apigatewayv2_authorizer", "authorizer_type", "identity_sources")):
            for tf in self.related.get(kind, []):
                at = tf.at
                value = tf.body.get(type_key, "TOKEN" if kind == "aws_api_gateway_authorizer" else None)
                name = tf.body.get("name")
                result.append(Authorizer(tf.type, name if isinstance(name, str) else tf.address,
                                         f"authorizer {tf.address}", at,
                                         value.lower() if isinstance(value, str) and "${" not in value else None,
                                         _setting(tf.body, at, identity_key),
                                         _setting(tf.body, at, "authorizer_result_ttl_in_seconds"), tf.body))
        return result

    def policies(self) -> list[ResourcePolicy]:
        result = []
        if self.api.type == REST_API and self.api.body.get("policy") not in (None, "", {}):
            result.append(ResourcePolicy(_parsed(self.api.body["policy"]),
                                         self.api.at.child("policy"), "policy"))
        for tf in self.related.get("aws_api_gateway_rest_api_policy", []):
            result.append(ResourcePolicy(_parsed(tf.body.get("policy")), tf.at.child("policy"),
                                         tf.address))
        return result


def _parsed(policy: Any) -> Any:
    if isinstance(policy, str) and "${" not in policy:
        try:
            return json.loads(policy)
        except (ValueError, RecursionError):  # not JSON, or nested thousands deep: the text as written
            return policy
    return policy



def stage_reference(module: Module, setting: Setting) -> Setting:
    """A setting that names a stage by reference (``aws_api_gateway_stage.prod.stage_name``,
    ``aws_apigatewayv2_stage.prod.id``), with the stage's literal name as its value when written."""
    value = setting.value
    if not isinstance(value, str) or setting.at is None:
        return setting
    match = re.fullmatch(r"\$\{\s*(aws_api_gateway_stage|aws_apigatewayv2_stage)\.([\w-]+)\.(\w+)\s*\}", value)
    if match is None:
        return setting
    kind, name, attribute = match.groups()
    stage = module.find(f"{kind}.{name}")
    key = "stage_name" if kind == REST_STAGE else "name"
    if stage is None or attribute not in (key, "id"):
        return setting
    literal = text(stage.body.get(key))
    return Setting(literal, setting.at) if literal is not None else setting


# --- domains -------------------------------------------------------------------------------------------

DOMAINS = ("aws_api_gateway_domain_name", "aws_apigatewayv2_domain_name")
#: Mapping resources, and the arguments that hold the base path and the stage.
MAPPINGS = {"aws_api_gateway_base_path_mapping": ("base_path", "stage_name"),
            "aws_apigatewayv2_api_mapping": ("api_mapping_key", "stage")}


def module_domains(module: Module) -> list[Domain]:
    """The custom domain names of a module, with their certificates and endpoint types."""
    domains: list[Domain] = []
    for tf in module.of_type(*DOMAINS):
        at = tf.at
        body = tf.body
        name = body.get("domain_name")
        mtls = "mutual_tls_authentication" in body
        mtls_at = at.child("mutual_tls_authentication")
        if tf.type == "aws_api_gateway_domain_name":
            config, config_at = _block(body, at, "endpoint_configuration")
            types = config.get("types") if config is not None else None
            endpoint = _endpoint(types[0]) if isinstance(types, list) and types else None
            endpoint_at = config_at.child("types", 0) if endpoint is not None else None
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
        configs_at = at.child("domain_name_configuration")
        for config, path in blocks(body.get("domain_name_configuration"), configs_at.path):
            config_at = Pointer(configs_at.source, path)
            endpoint = _endpoint(config.get("endpoint_type")) or EndpointType.REGIONAL
            domain = Domain(name, config.get("certificate_arn"), endpoint, config_at,
                            config_at.child("certificate_arn"),
                            config_at.child("endpoint_type") if "endpoint_type" in config else None, mtls, mtls_at,
                            config.get("security_policy"), config_at.child("security_policy"))
            domain.logical_id = tf.address
            domains.append(domain)
    return domains


def domain_mappings(module: Module, domain: Domain) -> list[tuple[str, Mapping]]:
    """The mappings onto a domain: (the address of the API it maps, the mapping)."""
    result = []
    for tf in module.of_type(*MAPPINGS):
        target = tf.body.get("domain_name")
        if not (refers_to(target, str(domain.logical_id)) or (isinstance(target, str) and target == domain.name)):
            continue
        api = next((a.address for a in module.of_type(*API_TYPES) if refers_to(tf.body.get("api_id"), a.address)),
                   None)
        if api is None:
            continue
        at = tf.at
        path_key, stage_key = MAPPINGS[tf.type]
        stage = stage_reference(module, _setting(tf.body, at, stage_key))
        result.append((api, Mapping(tf.type, at, _setting(tf.body, at, path_key), stage,
                                    tf.address)))
    return result


def domains_of(module: Module, api: TfResource) -> list[Domain]:
    """The domains that serve an API, each with its mappings onto it: those mapped onto it, and those
    mapped onto no API of the module."""
    result = []
    for domain in module_domains(module):
        mapped = domain_mappings(module, domain)
        if not mapped or any(address == api.address for address, _ in mapped):
            result.append(replace(domain, mappings=[m for address, m in mapped if address == api.address]))
    return result
