"""The rule engine: files in, findings out.

Checks yield violations (a pointer and a message); this module alone turns them into findings: it
applies selection and suppression, finds positions, and stamps code, name and severity.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apilint.apis import (
    ApiBuilder,
    FileSettings,
    KindScreen,
    Notice,
    environment_region,
    is_terraform_path,
    looks_like_api_text,
    may_be_api_text,
    source_kind,
    terraform_screen,
)
from apilint.config import Config, FileOptions, resolve_file_options
from apilint.finding import Finding, Severity, Span
from apilint.load.cache import SourceCache
from apilint.load.source import (
    DEFAULT_MAX_FILE_BYTES,
    ByteReader,
    ReadError,
    Source,
    display_path,
    is_within,
    read_file_bytes,
    read_source,
)
from apilint.model import Api, ApiType, Pointer
from apilint.record import Record, replace
from apilint.rules import Rule, Violation, find_rule, load_rules, match_rules, options_for

if TYPE_CHECKING:
    from apilint.cost.blockers import DefinedApi
    from apilint.deployers import DeployerIndex
    from apilint.fix import ResolvedFix
    from apilint.terraform import ModuleCall, TerraformBuilder

IGNORE_KEY = "x-apilint-ignore"
#: Compiled with the first finding (by ``re``'s cache), not for every run.
_COMMENT_IGNORE = r"#\s*apilint-ignore\s*:?\s*([A-Za-z0-9_,\- ]+)"


class RunOptions(Record, uncompared=("resolved",), hidden=("resolved",)):
    """What one ``apilint check`` run was asked to do."""

    root: Path
    config: Config
    flags: dict[str, Any]
    max_file_bytes: int
    explicit_files: frozenset[Path]
    #: Where file bytes come from when not the working tree (a git revision, for ``apilint cost diff``).
    read_bytes: ByteReader | None
    #: Every file of the run (resolved) and the exclude globs: a definition whose template is among
    #: the files is checked with the template; another one looks for its template in the root.
    files: frozenset[Path]
    #: The run's files as named, each with its resolved path (resolved once for the whole run).
    resolved: dict[Path, Path]
    exclude: tuple[str, ...]
    #: The run walks the whole root: every template that could deploy a definition is checked in it.
    walked_root: bool
    #: The folder finding paths are relative to when it is not the root: the working directory, when
    #: the root defaults to the repository above it.
    shown_from: Path | None
    #: Keep each API's facts as ``apilint cost`` reads them (``check --usage``), so that the cost
    #: summary prices the APIs this run built instead of building them again.
    cost_facts: bool
    #: A named file that only sets what other files' APIs are judged by (a Terraform provider, a SAM CLI
    #: configuration), with what the run checked in its stead, said for ``--verbose`` (``apilint.workspace``).
    checked_through: dict[Path, str]

    def __init__(
        self,
        root: Path,
        config: Config,
        flags: dict[str, Any] | None = None,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        explicit_files: frozenset[Path] = frozenset(),
        read_bytes: ByteReader | None = None,
        files: frozenset[Path] = frozenset(),
        exclude: tuple[str, ...] = (),
        walked_root: bool = False,
        shown_from: Path | None = None,
        cost_facts: bool = False,
    ) -> None:
        self.root = root
        self.config = config
        self.flags = {} if flags is None else flags
        self.max_file_bytes = max_file_bytes
        self.explicit_files = explicit_files
        self.read_bytes = read_bytes
        self.files = files
        self.resolved = {}
        self.exclude = exclude
        self.walked_root = walked_root
        self.shown_from = shown_from
        self.cost_facts = cost_facts
        self.checked_through: dict[Path, str] = {}

    @property
    def display_root(self) -> Path:
        """The folder the paths of findings are relative to."""
        return self.shown_from or self.root


class ApiSummary(Record):
    """What apilint decided about one API (shown by ``--verbose`` and in JSON)."""

    label: str
    file: str
    api_type: str
    api_type_reason: str
    endpoint_type: str | None
    endpoint_reason: str
    is_apigw: bool

    def __init__(
        self,
        label: str,
        file: str,
        api_type: str,
        api_type_reason: str,
        endpoint_type: str | None,
        endpoint_reason: str,
        is_apigw: bool,
    ) -> None:
        self.label = label
        self.file = file
        self.api_type = api_type
        self.api_type_reason = api_type_reason
        self.endpoint_type = endpoint_type
        self.endpoint_reason = endpoint_reason
        self.is_apigw = is_apigw

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class FileResult(Record):
    """Findings and notes for one input file."""

    file: str
    findings: list[Finding]
    apis: list[ApiSummary]
    notices: list[Notice]
    kind: str | None
    consumed: list[str]
    #: Codes of the rules that ran on the file: enabled for it and applying to one of its APIs.
    rules_run: list[str]
    #: Templates of the same run that deploy this definition and check it with their context.
    deployed_by: list[str]
    #: The file's APIs as ``apilint cost`` reads them (only when the run keeps cost facts).
    defined: list[DefinedApi]

    def __init__(
        self,
        file: str,
        findings: list[Finding] | None = None,
        apis: list[ApiSummary] | None = None,
        notices: list[Notice] | None = None,
        kind: str | None = None,
        consumed: list[str] | None = None,
        rules_run: list[str] | None = None,
        deployed_by: list[str] | None = None,
        defined: list[DefinedApi] | None = None,
    ) -> None:
        self.file = file
        self.findings = [] if findings is None else findings
        self.apis = [] if apis is None else apis
        self.notices = [] if notices is None else notices
        self.kind = kind
        self.consumed = [] if consumed is None else consumed
        self.rules_run = [] if rules_run is None else rules_run
        self.deployed_by = [] if deployed_by is None else deployed_by
        self.defined = [] if defined is None else defined


class UsageProblem(Exception):
    """A problem with what the user asked for (missing path, bad selector): exit code 2."""


def enabled_codes(options: FileOptions) -> set[str]:
    """Codes of the rules that run for a file: the selection (every rule but the opt-in ones when nothing is
    selected), plus extend-select, minus ignore."""
    if options.select:
        codes, unknown = match_rules(options.select)
        if unknown:
            raise UsageProblem(f"unknown rule(s) in select: {', '.join(unknown)}")
    else:
        codes = {rule.code for rule in load_rules() if not rule.opt_in}
    extended, unknown = match_rules(options.extend_select)
    if unknown:
        raise UsageProblem(f"unknown rule(s) in extend-select: {', '.join(unknown)}")
    codes |= extended
    ignored, unknown = match_rules(options.ignore)
    if unknown:
        raise UsageProblem(f"unknown rule(s) in ignore: {', '.join(unknown)}")
    return codes - ignored


class Engine:
    """Checks files. One engine per process; rules and schemas are loaded once."""

    def __init__(self, run: RunOptions, overlays: dict[Path, str | bytes] | None = None):
        self.run = run
        self._root = run.root.resolve()
        self._sources = SourceCache()
        #: Content that stands for files (resolved paths): an editor's unsaved buffers, standard input.
        self.overlays: dict[Path, str | bytes] = {p.resolve(): text for p, text in (overlays or {}).items()}
        self.rules = load_rules()
        self._rule_by_code = {rule.code: rule for rule in self.rules}
        self._deployers: DeployerIndex | None = None  # built when a definition looks for its template
        self._deployed: dict[Path, list[Deployer]] = {}
        self._environment_region = environment_region()
        self._calls: dict[Path, list[ModuleCall]] | None = None

    # --- reading ------------------------------------------------------------------------------------

    def open_source(self, path: Path, walked: bool = False, *, resolved: Path | None = None,
                    display: str | None = None, screen: Callable[[str], bool] | None = None) -> Source:
        """A file, read and parsed once per run, with whether its text could hold an API (``screened``).

        With ``walked`` (a file checked for its own sake, found in a folder or named on the command
        line, rather than read for a ``$ref``), a file whose text cannot hold a definition or a
        template is not parsed; such a Source is not kept, so a ``$ref`` to the same file still reads
        it in full. ``screen`` replaces that test for a file read as context (a Terraform module's
        other files): a file that fails it is not parsed either.
        """
        resolved = resolved or path.resolve()
        cached = self._sources.get(resolved)
        if cached is not None and walked and cached.screened and is_terraform_path(resolved) \
                and not terraform_screen(resolved)(cached.text):
            # Read before as a module's context, under that read's screen: checked for its own sake it
            # is screened as if read first, so that what a run checks never depends on which file of
            # a module a process happened to read first (with several processes, that varies).
            return Source(cached.path, cached.display, "", None, [], screened=False)
        if cached is None:
            if display is None:
                display = display_path(path, self.run.root, resolved_path=resolved, resolved_base=self._root,
                                       shown_from=self.run.shown_from)
            terraform = is_terraform_path(resolved)
            # A Terraform file that declares no API Gateway resource is never parsed, named or not:
            # apilint has nothing to check in it, and checking Terraform syntax is Terraform's job.
            if screen is None:
                screen = terraform_screen(resolved) if terraform else may_be_api_text
                parse_screened_out = not walked and not terraform
            else:
                parse_screened_out = False
            cached = read_source(resolved, display, self.run.max_file_bytes, screen=screen,
                                 parse_screened_out=parse_screened_out,
                                 read_bytes=self._read_bytes if self.overlays else self.run.read_bytes)
            if not parse_screened_out and cached.screened is False:
                return cached  # not parsed: kept out of the cache that $ref reads share
            self._sources.put(resolved, cached)
        return cached

    def open_context(self, path: Path, screen: Callable[[str], bool]) -> Source:
        """A file read for what it says about another (a Terraform module's other files), parsed only
        when its text passes ``screen``."""
        return self.open_source(path, screen=screen)

    def _read_bytes(self, path: Path, display: str, max_bytes: int) -> bytes | None:
        """A file's bytes: the overlay that stands for it, else as the run reads files."""
        content = self.overlays.get(path)
        if content is None:
            return (self.run.read_bytes or read_file_bytes)(path, display, max_bytes)
        raw = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
        return raw if len(raw) <= max_bytes else None

    # --- checking -----------------------------------------------------------------------------------

    def check_text(self, path: Path, content: str | bytes) -> FileResult:
        """All findings for ``content`` read as if it were the file at ``path`` (inside the root or not).

        Standard input and the language server's buffers are checked this way: configuration,
        ``$ref`` resolution, the file's name and the screen apply as they would to a file named on the
        command line (content that cannot be a definition or a template is skipped quietly).
        """
        resolved = path.resolve()
        self.overlays[resolved] = content
        self._sources.release(resolved)
        return self.check_file(path, explicit=True)

    def check_file(self, path: Path, *, explicit: bool | None = None) -> FileResult:
        """All findings for one file (and the files its APIs pull in); its source is released after."""
        resolved = self.run.resolved.get(path) or path.resolve()
        self._sources.pinned = resolved
        try:
            return self._check_file(path, resolved, explicit)
        finally:
            self._sources.release(resolved)

    def _check_file(self, path: Path, resolved: Path, explicit: bool | None) -> FileResult:
        display = display_path(path, self.run.root, resolved_path=resolved, resolved_base=self._root,
                                       shown_from=self.run.shown_from)
        result = FileResult(display)
        if explicit is None:
            explicit = resolved in self.run.explicit_files
        source = self.open_source(path, walked=True, resolved=resolved, display=display)
        if source.screened is False:
            # Unable to hold a definition or a template: skipped quietly, parse errors included (a
            # Helm template, a tsconfig.json with comments, any other YAML or JSON of the repository),
            # whether it was found in a folder or named on the command line (as pre-commit names
            # every staged file), and whether or not a $ref of another file read it first.
            through = self.run.checked_through.get(resolved)
            if through:
                result.notices.append(Notice(display, through))
            return result
        options = resolve_file_options(self.run.config, path, self.run.flags)
        codes = enabled_codes(options)
        kind = source_kind(source)
        result.kind = kind
        if kind is None and not (source.problems and self._unreadable_api(source)):
            # Read, but neither kind (a Kubernetes multi-document file, Ansible with !vault values), or
            # not readable and without a definition's or template's keys (a lockfile over the size
            # limit): skipped quietly too; --verbose counts it.
            if source.note is not None:
                result.notices.append(Notice(display, source.note))
            elif explicit:
                result.notices.append(Notice(display, "not an OpenAPI definition or a SAM/CloudFormation template"))
            result.rules_run = self._rules_run(codes, [])
            return result
        for problem in source.problems:
            self._add(result, self._load_finding(problem.code, problem.message, source, problem.span, None), codes,
                      options)
        if kind is None:  # a definition or template that cannot be read: its load problems are the findings
            result.rules_run = self._rules_run(codes, [])
            return result
        if kind == "openapi":
            deployers = self.deployers_of(resolved)
            if deployers:
                return self._check_as_deployed(result, deployers)
        builder, apis = self.build_apis(source, kind, options)
        only_in = None
        if kind == "terraform" and not apis:
            # A module file without an API resource (domain.tf, an override file), as the pre-commit hook
            # names it when only it changed: checked as the module's APIs deploy it, keeping the findings
            # in this file. Not when the file declaring the API is in the run: that one reports them.
            settings = self._settings(options)
            apis = self._terraform_builder(builder).module_apis(source, settings, self.run.files)
            builder.consumed.clear()  # their definitions report their own findings, in this run or another
            only_in = source.display
        self._check_apis(result, builder, apis, codes, options, only_in=only_in)
        result.notices.extend(builder.notices)
        result.consumed = [str(p) for p in builder.consumed]
        result.findings = _dedupe(result.findings)
        result.rules_run = self._rules_run(codes, result.apis)
        return result

    def _check_apis(self, result: FileResult, builder: ApiBuilder, apis: list[Api], codes: set[str],
                    options: FileOptions, outside: frozenset[str] = frozenset(), only_in: str | None = None) -> None:
        """Run the enabled rules on the APIs; ``outside``: keep only findings outside those files;
        ``only_in``: keep only the findings in that file."""
        if self.run.cost_facts:
            from apilint.cost.blockers import defined_apis

            result.defined.extend(defined_apis(apis))
        for api in apis:
            result.apis.append(ApiSummary(api.label, api.source.display, api.api_type.value, api.api_type_reason,
                                          api.endpoint_type.value if api.endpoint_type else None,
                                          api.endpoint_reason, api.is_apigw))
            for rule in self.rules:
                if rule.code not in codes or not rule.applies_to(api.api_type):
                    continue
                if rule.scope == "load" or (rule.scope == "apigw" and not api.is_apigw):
                    continue
                if rule.scope == "document" and api.document is None:
                    continue
                for violation in rule.check(api, RuleRun(rule, options_for(rule, options.rule_options))):
                    shown = violation.at.source.display
                    if shown not in outside and (only_in is None or shown == only_in):
                        self._add(result, self._stamp(rule, violation, api), codes, options, violation.at)
        for ref_problem in builder.resolver.problems:
            if ref_problem.at.source.display in outside or only_in not in (None, ref_problem.at.source.display):
                continue
            rule = self._rule_by_code["AG006"]
            finding = self._finding(rule, ref_problem.at, ref_problem.message, None, None)
            self._add(result, finding, codes, options, ref_problem.at)

    # --- definitions a template deploys -------------------------------------------------------------

    def deployers_of(self, definition: Path) -> list[Deployer]:
        """The templates and Terraform modules inside the root that deploy a definition file, each with
        its APIs built.

        Not searched when the run walks the whole root (its templates report their definitions and
        the runner drops the definition's own result) or reads another revision than the working tree.
        """
        if self.run.walked_root or self.run.read_bytes is not None or not is_within(
                definition, self._root, resolved_path=definition, resolved_root=self._root):
            return []
        if definition in self._deployed:
            return self._deployed[definition]
        if self._deployers is None:
            from apilint.deployers import DeployerIndex

            self._deployers = DeployerIndex(self._root, self.run.exclude, self.run.max_file_bytes)
        found: list[Deployer] = []
        self._deployed[definition] = found
        modules: list[Path] = []  # Terraform: the folders whose files name the definition
        for template_path in self._deployers.templates_naming(definition):
            if is_terraform_path(template_path):
                if template_path.parent not in modules:
                    modules.append(template_path.parent)
                continue
            try:
                source = self.open_source(template_path)
            except ReadError:
                continue
            if source_kind(source) == "template":
                found.extend(self._deployer(source, "template", definition, frozenset({source.display})))
        for folder in modules:
            found.extend(self._module_deployers(folder, definition))
        return found

    def _deployer(self, source: Source, kind: str, definition: Path, context: frozenset[str]) -> list[Deployer]:
        """The file as a deployer of the definition, when one of its APIs has the definition as its document."""
        options = resolve_file_options(self.run.config, source.path, self.run.flags)
        builder, apis = self.build_apis(source, kind, options)
        deployed = [api for api in apis if api.source.path == definition and api.document is not None]
        if not deployed:
            return []
        if kind == "terraform":
            note = "; ".join(f"checked as the body of {api.logical_id} in {source.display}" for api in deployed)
        else:
            note = f"checked as the template deploys it: {', '.join(api.label for api in deployed)}"
        return [Deployer(source.path, source, builder, deployed, options, context, note)]

    def _module_deployers(self, folder: Path, definition: Path) -> list[Deployer]:
        """The files of a Terraform module that declare an API whose body is the definition. Findings
        in any file of the module are the module's to report, never the definition's."""
        from apilint.terraform import API_TYPES, read_module

        module = read_module(folder, self.open_context)
        context = frozenset(source.display for source in module.sources)
        declaring = {resource.source.path: resource.source for resource in module.of_type(*API_TYPES)}
        found: list[Deployer] = []
        for source in declaring.values():
            if source_kind(source) == "terraform":
                found.extend(self._deployer(source, "terraform", definition, context))
        return found

    def _check_as_deployed(self, result: FileResult, deployers: list[Deployer]) -> FileResult:
        """A definition checked with the context of the templates that deploy it: the findings a run on
        the templates reports inside the definition (and the files it references)."""
        if any(deployer.path in self.run.files for deployer in deployers):
            # a template of this run deploys it and reports its findings: nothing to add here
            result.consumed = []
            result.deployed_by = [deployer.source.display for deployer in deployers]
            return result
        codes_run: set[str] = set()
        for deployer in deployers:
            codes = enabled_codes(deployer.options)
            codes_run |= codes
            self._check_apis(result, deployer.builder, deployer.apis, codes, deployer.options,
                             outside=deployer.context)
            result.notices.append(Notice(result.file, deployer.note))
        result.findings = _dedupe(result.findings)
        result.rules_run = self._rules_run(codes_run, result.apis)
        return result

    #: How much of a file over the size limit (or not text) is searched for a definition's keys; a
    #: larger file is taken to be one, and its AG005 is reported.
    SCREEN_LIMIT = 256 * 1024 * 1024

    def _unreadable_api(self, source: Source) -> bool:
        """Whether a file that gave no data still writes the keys of a definition or a template."""
        if source.data is not None:
            return False
        if is_terraform_path(source.path):
            return True  # its screen found an API Gateway resource type in it
        if source.text:
            return looks_like_api_text(source.text)
        # Over the size limit, or not text: the bytes are searched in pieces, as Latin-1 without NULs.
        screen = KindScreen()
        if self.run.read_bytes is not None:
            raw = self.run.read_bytes(source.path, source.display, self.SCREEN_LIMIT)
            return raw is None or screen.feed(raw.replace(b"\0", b"").decode("latin-1"))
        try:
            with open(source.path, "rb") as stream:
                read = 0
                while read < self.SCREEN_LIMIT:
                    piece = stream.read(1 << 20)
                    if not piece:
                        return False
                    read += len(piece)
                    if screen.feed(piece.replace(b"\0", b"").decode("latin-1")):
                        return True
        except OSError:
            return True
        return True

    def _rules_run(self, codes: set[str], apis: list[ApiSummary]) -> list[str]:
        every = {ApiType(api.api_type) for api in apis}
        apigw = {ApiType(api.api_type) for api in apis if api.is_apigw}
        ran = []
        for rule in self.rules:
            if rule.code not in codes:
                continue
            if rule.scope == "load" or not rule.api_types.isdisjoint(apigw if rule.scope == "apigw" else every):
                ran.append(rule.code)
        return ran

    def _terraform_builder(self, builder: ApiBuilder) -> TerraformBuilder:
        """The builder of a Terraform file's APIs. A module without an ``aws`` provider finds its callers
        among the root's files, except when the run reads another revision than the working tree."""
        from apilint.terraform import TerraformBuilder

        calls_of = None if self.run.read_bytes is not None else self._module_calls
        return TerraformBuilder(builder, self.open_context, calls_of)

    def _module_calls(self, folder: Path) -> list[ModuleCall]:
        """The local calls of a module folder among the root's Terraform files, indexed once a process."""
        if self._calls is None:
            from apilint.discover import discover_files
            from apilint.terraform import module_calls

            files = [path for path in discover_files([self._root], self.run.exclude).files if is_terraform_path(path)]
            self._calls = module_calls(files, self.open_context)
        return self._calls.get(folder, [])

    def _settings(self, options: FileOptions) -> FileSettings:
        """What the flags and configuration say about a file, with the environment's region."""
        return FileSettings(options.api_type, options.endpoint_type, options.region, options.domains,
                            options.rule_options, environment_region=self._environment_region)

    def build_apis(self, source: Source, kind: str, options: FileOptions) -> tuple[ApiBuilder, list[Api]]:
        """The APIs of a parsed OpenAPI definition or template, with the settings that apply to it."""
        builder = ApiBuilder(self.run.root, self.open_source)
        settings = self._settings(options)
        if kind == "openapi":
            deployers = self.deployers_of(source.path)
            if deployers:  # as the templates and Terraform modules of the root deploy it
                return deployers[0].builder, [api for deployer in deployers for api in deployer.apis]
            return builder, [builder.from_openapi(source, settings)]
        if kind == "terraform":
            return builder, self._terraform_builder(builder).from_terraform(source, settings)
        return builder, builder.from_template(source, settings)

    def _load_finding(self, code: str, message: str, source: Source, span: Span, api: str | None) -> Finding:
        rule = self._rule_by_code[code]
        return Finding(source.display, span.line, span.column, span.end_line, span.end_column, rule.code, rule.name,
                       rule.severity, message, (), api)

    def _stamp(self, rule: Rule, violation: Violation, api: Api) -> Finding:
        fix = None
        if violation.fix is not None:
            from apilint.fix import resolve  # loaded with the first check that proposes a fix

            fix = resolve(violation.fix)
        if fix is not None and violation.fix is not None and violation.fix.changes[0].at.source is not violation.at.source:
            fix = None  # a finding's fix edits the file the finding is in
        return self._finding(rule, violation.at, violation.message, violation.severity, api.label, violation.extra,
                             fix)

    def _finding(self, rule: Rule, at: Pointer, message: str, severity: Severity | None, api: str | None,
                 extra: dict[str, Any] | None = None, fix: ResolvedFix | None = None) -> Finding:
        span = at.source.locate(at.path)
        return Finding(at.source.display, span.line, span.column, span.end_line, span.end_column, rule.code,
                       rule.name, severity or rule.severity, message, at.path, api, extra or {}, fix)

    def _add(self, result: FileResult, finding: Finding, codes: set[str], options: FileOptions,
             at: Pointer | None = None) -> None:
        if finding.code not in codes:
            return
        if at is not None and _suppressed(at, finding):
            return
        source = at.source if at is not None else None
        if source is not None and _comment_suppressed(source, finding):
            return
        override = options.severity.get(finding.code) or options.severity.get(finding.name)
        if override is not None:
            finding = Finding(**{**finding.__dict__, "severity": override})
        result.findings.append(finding)


class Deployer(Record):
    """A template (or a Terraform file) that deploys a definition, with the APIs whose document the
    definition is, the files whose findings are its own (the template; every file of the module), and
    the note that tells how the definition was checked."""

    path: Path
    source: Source
    builder: ApiBuilder
    apis: list[Api]
    options: FileOptions
    context: frozenset[str]
    note: str

    def __init__(
        self,
        path: Path,
        source: Source,
        builder: ApiBuilder,
        apis: list[Api],
        options: FileOptions,
        context: frozenset[str],
        note: str,
    ) -> None:
        self.path = path
        self.source = source
        self.builder = builder
        self.apis = apis
        self.options = options
        self.context = context
        self.note = note


class RuleRun(Record):
    """What a check receives besides the API: its rule and the effective options."""

    rule: Rule
    options: dict[str, Any]

    def __init__(self, rule: Rule, options: dict[str, Any]) -> None:
        self.rule = rule
        self.options = options


def _matches(entry: Any, finding: Finding) -> bool:
    entries = entry if isinstance(entry, list) else [entry]
    for item in entries:
        if not isinstance(item, str):
            continue
        key = item.strip()
        if key.lower() in {"all", "*"} or key.upper() == finding.code or key.lower() == finding.name:
            return True
    return False


def _suppressed(at: Pointer, finding: Finding) -> bool:
    """``x-apilint-ignore`` on the node or any parent, or apilint metadata on a template resource."""
    node = at.source.data
    path = at.path
    for index in range(len(path) + 1):
        if isinstance(node, dict):
            if IGNORE_KEY in node and _matches(node[IGNORE_KEY], finding):
                return True
            if index == 2 and path[:1] == ("Resources",):
                metadata = node.get("Metadata")
                apilint_meta = metadata.get("apilint") if isinstance(metadata, dict) else None
                if isinstance(apilint_meta, dict) and _matches(apilint_meta.get("ignore"), finding):
                    return True
        if index == len(path):
            break
        step = path[index]
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
    return False


def _comment_suppressed(source: Source, finding: Finding) -> bool:
    """``# apilint-ignore: AG201`` at the end of the finding's line or on the line above."""
    if not source.has_ignore_comments:
        return False
    lines = source.lines
    for number in (finding.line, finding.line - 1):
        if 1 <= number <= len(lines):
            match = re.search(_COMMENT_IGNORE, lines[number - 1])
            if match and _matches([c.strip() for c in re.split(r"[ ,]+", match.group(1)) if c.strip()], finding):
                return True
    return False


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per mistake: the same finding reported for several APIs once, and a mistake in a
    template's ``Globals`` section once at its place, however many APIs inherit it (the message is the
    first API's, naming the others)."""
    seen: set[tuple[Any, ...]] = set()
    inherited: dict[tuple[Any, ...], list[Finding]] = {}
    result = []
    for finding in findings:
        key: tuple[Any, ...] = (finding.file, finding.line, finding.column, finding.code, finding.message)
        if finding.path[:1] == ("Globals",) and finding.api is not None:
            key = key[:4]
            inherited.setdefault(key, []).append(finding)
        if key not in seen:
            seen.add(key)
            result.append(finding)
    for index, finding in enumerate(result):
        group = inherited.get((finding.file, finding.line, finding.column, finding.code), [])
        apis = list(dict.fromkeys(_api_name(other.api) for other in group if other.api is not None))
        if len(apis) > 1:
            message = f"{finding.message} (set in Globals, inherited by {', '.join(apis)})"
            result[index] = replace(finding, message=message)
    return result


def _api_name(label: str) -> str:
    """An API's logical id from its label (``template.yaml#OrdersApi``)."""
    return label.rpartition("#")[2] or label


def discover(paths: Iterable[Path], exclude: Iterable[str] = ()) -> tuple[list[Path], list[str]]:
    """Files to check and the paths that do not exist (see :mod:`apilint.discover` for the rules)."""
    from apilint.discover import discover_files

    found = discover_files(paths, exclude)
    return found.files, found.missing


__all__ = ["Engine", "FileResult", "ReadError", "RunOptions", "UsageProblem", "discover", "find_rule"]
