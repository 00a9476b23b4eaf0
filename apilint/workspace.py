"""What a run reads: the files a request names (folders walked as ``apilint check`` walks them), the
configuration that applies to them, and the APIs the check engine builds from them.

``apilint check`` and ``apilint cost`` both start here, so that they read the same files with the
same configuration; ``apilint cost diff`` reads another revision through the same path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from apilint.apis import is_terraform_path
from apilint.config import find_config, load_config
from apilint.discover import Discovery, _excluded, discover_files, repository_top, resolve_all
from apilint.engine import RunOptions, UsageProblem
from apilint.finding import Severity
from apilint.load.source import DEFAULT_MAX_FILE_BYTES, ByteReader, ReadError, read_file_bytes
from apilint.model import Api
from apilint.record import Record


class CheckRequest(Record):
    """Everything the command line passes to a run."""

    paths: list[Path]
    #: ``--format`` values as given: ``sarif`` or ``sarif=PATH``; empty means the default format.
    formats: list[str]
    output: Path | None
    output_dir: Path | None
    api_type: str | None
    endpoint_type: str | None
    region: str | None
    config_file: Path | None
    select: list[str]
    ignore: list[str]
    fail_on: str | None
    exclude: list[str]
    max_file_size: int | None
    root: Path | None
    verbose: bool
    color: bool
    jobs: int | None
    baseline: Path | None
    write_baseline: Path | None
    usage_file: Path | None
    #: The name standard input is checked under (``apilint check - --stdin-filename api.yaml``).
    stdin_filename: Path | None
    fix: bool
    diff: bool
    #: ``--exit-zero``: findings do not fail the run (exit code 0); usage and internal errors still do.
    exit_zero: bool
    #: ``--fail-on-empty``: a run that checks no definition or template fails (exit code 2).
    fail_on_empty: bool

    def __init__(
        self,
        paths: list[Path],
        formats: list[str] | None = None,
        output: Path | None = None,
        output_dir: Path | None = None,
        api_type: str | None = None,
        endpoint_type: str | None = None,
        region: str | None = None,
        config_file: Path | None = None,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        fail_on: str | None = None,
        exclude: list[str] | None = None,
        max_file_size: int | None = None,
        root: Path | None = None,
        verbose: bool = False,
        color: bool = False,
        jobs: int | None = None,
        baseline: Path | None = None,
        write_baseline: Path | None = None,
        usage_file: Path | None = None,
        stdin_filename: Path | None = None,
        fix: bool = False,
        diff: bool = False,
        exit_zero: bool = False,
        fail_on_empty: bool = False,
    ) -> None:
        self.paths = paths
        self.formats = [] if formats is None else formats
        self.output = output
        self.output_dir = output_dir
        self.api_type = api_type
        self.endpoint_type = endpoint_type
        self.region = region
        self.config_file = config_file
        self.select = [] if select is None else select
        self.ignore = [] if ignore is None else ignore
        self.fail_on = fail_on
        self.exclude = [] if exclude is None else exclude
        self.max_file_size = max_file_size
        self.root = root
        self.verbose = verbose
        self.color = color
        self.jobs = jobs
        self.baseline = baseline
        self.write_baseline = write_baseline
        self.usage_file = usage_file
        self.stdin_filename = stdin_filename
        self.fix = fix
        self.diff = diff
        self.exit_zero = exit_zero
        self.fail_on_empty = fail_on_empty

    @property
    def reads_stdin(self) -> bool:
        return any(str(path) == STDIN for path in self.paths)


#: The path that stands for standard input.
STDIN = "-"


class PreparedRun(Record):
    """A run ready to go: the engine's options, the files to check and how the files were found."""

    run: RunOptions
    files: list[Path]
    fail_on: Severity
    found: Discovery
    jobs: int | None

    def __init__(
        self,
        run: RunOptions,
        files: list[Path],
        fail_on: Severity,
        found: Discovery,
        jobs: int | None,
    ) -> None:
        self.run = run
        self.files = files
        self.fail_on = fail_on
        self.found = found
        self.jobs = jobs


def run_options(request: CheckRequest, config_start: Path | None = None,
                read_bytes: ByteReader | None = None) -> RunOptions:
    """The root, configuration, flags and limits a request runs with (no files yet): what the command
    line, standard input and the language server share.

    Without ``--config``, the configuration is the nearest one upward from ``config_start`` (the
    working directory on the command line, the workspace folder in the language server).
    """
    # Without --root, the root is the repository the working directory is in, so that a definition
    # named from a sub-folder is found by the template that deploys it elsewhere in the repository;
    # findings are still shown relative to the working directory. Paths that all lie outside it (a
    # file of another repository named from this one) are checked inside their own repository, else
    # their common folder, so that their $refs and templates are read as from there.
    shown_from = None
    if request.root is not None:
        root = request.root.resolve()
    else:
        here = Path.cwd().resolve()
        root = _root_of_paths(request.paths, repository_top(here) or here)
        shown_from = here if root != here else None
    config_path = request.config_file
    if config_path is not None and not config_path.is_file():
        raise UsageProblem(f"{config_path}: configuration file not found")
    config = load_config(config_path if config_path is not None else find_config(config_start or Path.cwd()))
    flags: dict[str, Any] = {
        "api_type": request.api_type,
        "endpoint_type": request.endpoint_type,
        "region": request.region,
        "select": request.select,
        "ignore": request.ignore,
    }
    max_bytes = request.max_file_size or config.get("max-file-size") or DEFAULT_MAX_FILE_BYTES
    run = RunOptions(root, config, flags, max_bytes, frozenset(), read_bytes)
    run.cost_facts = request.usage_file is not None
    run.shown_from = shown_from
    return run


def prepare(request: CheckRequest, read_bytes: ByteReader | None = None,
            listing: Discovery | None = None) -> PreparedRun:
    """Configuration, files and engine options for a request: what ``apilint check`` and
    ``apilint cost`` share, so that both read the same files with the same configuration.

    ``read_bytes`` and ``listing`` read another revision than the working tree (the files it holds,
    found without walking the disk).
    """
    run = run_options(request, read_bytes=read_bytes)
    root, config = run.root, run.config
    fail_on = Severity.parse(request.fail_on or config.get("fail-on", "error"))
    run.exclude = (*config.get("exclude", []), *request.exclude)
    found = listing if listing is not None else discover_files(request.paths, run.exclude)
    if found.missing:
        raise UsageProblem(f"no such file or directory: {', '.join(found.missing)}")
    files = found.files
    if listing is None:
        looping = [f for f in files if _loops(f)]
        if looping:
            named = [str(f) for f in looping if f in request.paths]
            if named:
                raise UsageProblem(f"symbolic link loop: {', '.join(named)}")
            files = [f for f in files if f not in looping]
        escaping = [str(p) for p in request.paths if p.is_symlink() and not _within(p.resolve(), root)]
        if escaping:
            raise UsageProblem(f"symbolic link to a file outside {root} is not read: {', '.join(escaping)}")
        run.explicit_files = frozenset(p.resolve() for p in request.paths if p.is_file())
    else:
        run.explicit_files = frozenset(p.resolve() for p in request.paths if p in files)
    resolved = found.resolved if listing is None else resolve_all(files)
    files, resolved = _with_module_files(run, files, resolved)
    run.resolved = {file: resolved.get(file) or file.resolve() for file in files}
    run.files = frozenset(run.resolved.values())
    run.walked_root = listing is None and any(p.is_dir() and p.resolve() == root for p in request.paths)
    jobs = request.jobs if request.jobs is not None else config.get("jobs")  # None or 0: by the work
    return PreparedRun(run, files, fail_on, found, jobs)


def _with_module_files(run: RunOptions, files: list[Path],
                       resolved: dict[Path, Path]) -> tuple[list[Path], dict[Path, Path]]:
    """The files, with each named file that only sets what another file's APIs are judged by followed
    by that file, each once; ``run.checked_through`` says which files stood in for it.

    A Terraform file that only sets its module's provider or locals is followed by the module's API
    Gateway files (:func:`apilint.terraform.module_files_through`); a SAM CLI configuration file that
    states a region, by the template it deploys (:func:`apilint.samconfig.template_deployed_by`).
    Files the run's ``exclude`` globs match are not added.
    """
    from apilint.samconfig import CONFIG_NAMES

    def key(file: Path) -> Path:
        return resolved.get(file) or file.resolve()

    named = {file for file in files if (is_terraform_path(file) or file.name in CONFIG_NAMES)
             and key(file) in run.explicit_files}
    if not named:
        return files, resolved
    from apilint.samconfig import template_deployed_by
    from apilint.terraform import module_files_through

    def read_text(path: Path) -> str | None:
        try:
            raw = (run.read_bytes or read_file_bytes)(path, str(path), run.max_file_bytes)
        except ReadError:
            return None
        return None if raw is None else raw.decode("utf-8", "replace")

    resolved = dict(resolved)  # the discovery's own map stays as it found the files
    taken = {key(file) for file in files}
    extended: list[Path] = []
    for file in files:
        extended.append(file)
        if file not in named:
            continue
        if is_terraform_path(file):
            through = module_files_through(file, read_text)
            why = ("declares no API Gateway resource; the APIs that read its provider or locals (its module's and "
                   "those of the modules it calls) are")
        else:
            template = template_deployed_by(file)
            through = [template] if template is not None else []
            why = "states the region sam deploy deploys the template to; the template is"
        through = [path for path in through if not (run.exclude and _excluded(path, list(run.exclude)))]
        if not through:
            continue
        names = ", ".join(Path(os.path.relpath(path, file.parent)).as_posix() for path in through)
        run.checked_through[key(file)] = f"{why} checked through {names}"
        added = [path for path in through if path.resolve() not in taken]
        resolved.update(resolve_all(added))
        taken.update(key(path) for path in added)
        extended.extend(added)
    return extended, resolved


def collect_apis(request: CheckRequest, read_bytes: ByteReader | None = None,
                 listing: Discovery | None = None) -> list[Api]:
    """The APIs the check engine builds from a request's files, with their template context.

    A definition that a template of the same run deploys is modelled once, through the template.
    Files that cannot be read or hold no API add nothing.
    """
    from apilint.apis import source_kind
    from apilint.config import resolve_file_options
    from apilint.engine import Engine

    prepared = prepare(request, read_bytes, listing)
    engine = Engine(prepared.run)
    built: list[tuple[Path, list[Api], set[Path]]] = []
    for path in prepared.files:
        resolved = path.resolve()
        try:
            source = engine.open_source(path, walked=resolved not in prepared.run.explicit_files)
        except ReadError:
            if resolved in prepared.run.explicit_files:
                raise
            continue
        kind = source_kind(source)
        if kind is None:
            continue
        options = resolve_file_options(prepared.run.config, path, prepared.run.flags)
        builder, apis = engine.build_apis(source, kind, options)
        # A definition built through the template that deploys it is that template's document: it
        # consumes itself, and is dropped only when another file of the run pulls it in.
        built.append((resolved, apis, set(builder.consumed) - {resolved}))
    consumed = {path for _, _, used in built for path in used}
    return [api for path, apis, _ in built if path not in consumed for api in apis]


def _root_of_paths(paths: list[Path], default: Path) -> Path:
    """``default``, unless every path named lies outside it: then the repository that holds them all,
    else their common folder (never the file system's top, which a run must not walk).

    Paths are judged as named, links not followed: a link inside the root that points out of it
    stays a link out of the root, which is not read.
    """
    named = [Path(os.path.abspath(path)) for path in paths if str(path) != STDIN]
    if not named or any(_within(path, default) for path in named):
        return default
    folders = [path if path.is_dir() else path.parent for path in named]
    tops = {repository_top(folder) for folder in folders}
    top = tops.pop() if len(tops) == 1 else None
    if top is None:
        top = Path(os.path.commonpath([str(folder) for folder in folders]))
        if top == Path(top.anchor):
            return default
    try:
        return top.resolve()
    except (OSError, RuntimeError):
        return default


def _within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _loops(path: Path) -> bool:
    """Whether a path is a symbolic link that leads back to itself.

    Only the file itself can be such a link: the walk does not enter looping folders, and a named
    path through one does not exist.
    """
    try:
        if not path.is_symlink():
            return False
        path.resolve()
        return False
    except RuntimeError:
        return True
    except OSError:
        return False
