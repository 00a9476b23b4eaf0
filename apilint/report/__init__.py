"""Reporters: small pure functions ``(findings, context) -> str``, chosen by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, cast

from apilint import __version__
from apilint.finding import Finding, Severity
from apilint.record import Record

#: format name -> "module:function" (imported only when used)
REPORTERS = {
    "text": "apilint.report.text:render",
    "json": "apilint.report.jsonfmt:render",
    "sarif": "apilint.report.sarif:render",
    "github": "apilint.report.github:render",
    "junit": "apilint.report.junit:render",
    "markdown": "apilint.report.markdown:render",
}

#: File names used for each format under ``--output-dir``.
DEFAULT_FILE_NAMES = {
    "text": "apilint.txt",
    "json": "apilint.json",
    "sarif": "apilint.sarif",
    "github": "apilint-github.txt",
    "junit": "apilint-junit.xml",
    "markdown": "apilint.md",
}

#: Where the rule documentation lives; rule pages are ``docs/rules/<CODE>.md`` below it.
REPOSITORY_URL = "https://github.com/apilint/apilint"
#: The release tag the documentation links point at, so a link shows the rules of the running version.
DOCS_REF = f"v{__version__}"


def docs_url(path: str) -> str:
    """The web address of a file of the repository (``docs/limits.md``) as of this release."""
    return f"{REPOSITORY_URL}/blob/{DOCS_REF}/{path}"


def rule_docs_url(code: str) -> str:
    """The web address of a rule's documentation page for this release."""
    return docs_url(f"docs/rules/{code}.md")


class ReportContext(Record):
    """What reporters may show besides the findings."""

    files_checked: int
    files_skipped: int
    apis: list[Any]
    notices: list[Any]
    verbose: bool
    color: bool
    fail_on: Severity
    root: str
    tool_version: str
    extra: dict[str, Any]
    #: Display paths of the files that were checked (OpenAPI definitions and templates), in run order.
    files: list[str]
    #: Codes of the rules that ran on each checked file (JUnit shows the passing ones too).
    rules_by_file: dict[str, list[str]]
    #: Every rule (objects of :class:`apilint.rules.Rule`); SARIF describes them all.
    rules: Sequence[Any]
    #: Files left out by ``.gitignore`` or ``--exclude`` (said by ``--verbose``).
    files_ignored: int
    #: Findings hidden because the baseline holds them; None when no baseline was given.
    baselined: int | None
    #: The cost section for the Markdown report, rendered by the cost engine; None when not asked for.
    cost_markdown: str | None
    #: The git work tree around ``root`` (else ``root``): SARIF and GitHub paths are relative to it.
    repository_root: str | None
    #: The paths the run was asked to check, as given (``-`` is standard input).
    paths: list[str]

    def __init__(
        self,
        files_checked: int = 0,
        files_skipped: int = 0,
        apis: list[Any] | None = None,
        notices: list[Any] | None = None,
        verbose: bool = False,
        color: bool = False,
        fail_on: Severity = Severity.ERROR,
        root: str = ".",
        tool_version: str = "",
        extra: dict[str, Any] | None = None,
        files: list[str] | None = None,
        rules_by_file: dict[str, list[str]] | None = None,
        rules: Sequence[Any] = (),
        files_ignored: int = 0,
        baselined: int | None = None,
        cost_markdown: str | None = None,
        repository_root: str | None = None,
        paths: list[str] | None = None,
    ) -> None:
        self.files_checked = files_checked
        self.files_skipped = files_skipped
        self.apis = [] if apis is None else apis
        self.notices = [] if notices is None else notices
        self.verbose = verbose
        self.color = color
        self.fail_on = fail_on
        self.root = root
        self.tool_version = tool_version
        self.extra = {} if extra is None else extra
        self.files = [] if files is None else files
        self.rules_by_file = {} if rules_by_file is None else rules_by_file
        self.rules = rules
        self.files_ignored = files_ignored
        self.baselined = baselined
        self.cost_markdown = cost_markdown
        self.repository_root = repository_root
        self.paths = [] if paths is None else paths


#: Paths a message names before it counts the rest (a hook may pass hundreds of files).
_PATHS_NAMED = 5


def searched(context: ReportContext) -> str:
    """The paths of the run, quoted, for messages: ``"apis", "template.yaml"``; past five, the first
    five and how many more."""
    quoted = [f'"{path}"' for path in context.paths]
    if len(quoted) > _PATHS_NAMED + 1:
        return f"{', '.join(quoted[:_PATHS_NAMED])} and {len(quoted) - _PATHS_NAMED:,} more paths"
    return ", ".join(quoted) or "the given paths"


def nothing_checked(context: ReportContext) -> str:
    """What a report says when no file of the run was an API definition or a template."""
    return f"No API definition or template found in {searched(context)}: nothing was checked."


def repository_path(file: str, context: ReportContext) -> str:
    """A finding's file relative to the repository root, with ``/`` (absolute if outside it).

    Findings name files relative to the run's root (the working directory); code scanning and
    annotations need them relative to the repository, which differs when apilint runs in a sub-folder.
    """
    path = Path(file)
    if context.repository_root is None or path.is_absolute():
        return path.as_posix()
    absolute = Path(context.root) / path
    try:
        return absolute.resolve().relative_to(Path(context.repository_root).resolve()).as_posix()
    except ValueError:
        return absolute.resolve().as_posix()


def summary(findings: Sequence[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for finding in findings:
        counts[str(finding.severity)] += 1
    counts["total"] = len(findings)
    return counts


def reporter(name: str) -> Callable[[Sequence[Finding], ReportContext], str]:
    module_name, _, function = REPORTERS[name].partition(":")
    return getattr(importlib.import_module(module_name), function)


#: Formats whose report is also made in pieces, written as they come (a large report is never whole
#: in memory): format name -> "module:function".
PIECES = {"json": "apilint.report.jsonfmt:pieces"}


def report_pieces(name: str) -> Callable[[Sequence[Finding], ReportContext], Iterable[str]]:
    """The report of a format in the pieces it is written in (one piece: the whole report)."""
    if name in PIECES:
        module_name, _, function = PIECES[name].partition(":")
        return cast(Callable[[Sequence[Finding], ReportContext], Iterable[str]],
                    getattr(importlib.import_module(module_name), function))
    render = reporter(name)
    return lambda findings, context: (render(findings, context),)
