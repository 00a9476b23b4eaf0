"""``apilint server``: the Language Server Protocol over standard input and output.

The editor's text is checked, not the file on disk: every open document stands in for its file
(:meth:`apilint.engine.Engine.check_text`), so a ``$ref`` to another open file reads that file's
unsaved text too. Checks run when a document opens, a moment after the last change (debounced) and
when it is saved. A template's findings in the definition it deploys are shown in that definition,
and a definition a template of the workspace deploys is checked through that template, as
``apilint check`` on the workspace would. Configuration is the nearest ``.apilint.yaml`` (or
``pyproject.toml``) upward from the workspace folder, read again for every check.

pygls and lsprotocol are imported only here (``pip install 'apilint[server]'``); ``apilint check``
never imports them.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from apilint import __version__
from apilint.engine import Engine, FileResult, UsageProblem
from apilint.finding import Finding, Severity
from apilint.fix import TextEdit, ignore_comment_edit, ignore_key_edit, position
from apilint.load.source import parse_text
from apilint.report import rule_docs_url
from apilint.rules import find_rule, load_rules
from apilint.workspace import CheckRequest, run_options

#: Seconds of quiet after a change before the text is checked.
DEBOUNCE_SECONDS = 0.3
SOURCE = "apilint"
_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
}
_CHECKED_SUFFIXES = (".yaml", ".yml", ".json", ".template")

log = logging.getLogger("apilint.server")


@dataclass
class Published:
    """What was last published for a document: its text's version and the findings shown."""

    findings: list[Finding] = field(default_factory=list)


class ApilintServer(LanguageServer):
    """The language server: keeps the last findings per document for hover and code actions."""

    def __init__(self) -> None:
        super().__init__("apilint", __version__)
        self.published: dict[str, Published] = {}
        self.pending: dict[str, asyncio.TimerHandle] = {}
        #: Other files a document's last check published findings to (a template's definition, ...).
        self.related: dict[str, set[str]] = {}
        self.workspace_root: Path | None = None

    # --- where things are ------------------------------------------------------------------------

    def root_for(self, path: Path) -> Path:
        """The workspace folder holding ``path`` (its folder when it is in none)."""
        folders = [Path(to_fs_path(f.uri) or "") for f in (self.workspace.folders or {}).values()]
        if self.workspace_root is not None:
            folders.append(self.workspace_root)
        for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
            try:
                path.resolve().relative_to(folder.resolve())
                return folder.resolve()
            except ValueError:
                continue
        return path.parent.resolve()

    def open_texts(self) -> dict[Path, str]:
        texts = {}
        for uri, document in self.workspace.text_documents.items():
            path = to_fs_path(uri)
            if path:
                texts[Path(path).resolve()] = document.source
        return texts

    # --- checking ---------------------------------------------------------------------------------

    def check(self, uri: str) -> None:
        """Check a document with its context and publish the findings of every file they are in."""
        path_text = to_fs_path(uri)
        if not path_text:
            return
        path = Path(path_text).resolve()
        document = self.workspace.get_text_document(uri)
        root = self.root_for(path)
        try:
            run = run_options(CheckRequest(paths=[path], root=root), config_start=root)
        except Exception as error:  # noqa: BLE001 - a broken configuration is shown, not raised
            self.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Error, f"apilint: {error}"))
            return
        overlays: dict[Path, str | bytes] = dict(self.open_texts())
        try:
            results = self._results(run, path, document.source, overlays)
        except UsageProblem as error:
            self.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Error, f"apilint: {error}"))
            return
        by_file: dict[Path, list[Finding]] = {path: []}
        for result in results:
            for finding in result.findings:
                file = (root / finding.file).resolve()
                by_file.setdefault(file, []).append(finding)
        published = {from_fs_path(str(file)) or uri: findings for file, findings in by_file.items()}
        # a file this document's check published to before and no longer has findings in is checked
        # again on its own when it is open, else cleared
        dropped = self.related.get(uri, set()) - set(published)
        self.related[uri] = {other for other, findings in published.items() if findings and other != uri}
        for target, findings in published.items():
            self.publish(target, findings)
        for other in dropped:
            if other in self.workspace.text_documents:
                self.schedule(other, 0)
            else:
                self.publish(other, [])

    def schedule(self, uri: str, delay: float) -> None:
        """Check a document after ``delay`` seconds, replacing a check already waiting for it."""
        pending = self.pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        loop = asyncio.get_running_loop()
        self.pending[uri] = loop.call_later(delay, lambda: _run_check(self, uri))

    def _results(self, run: Any, path: Path, text: str, overlays: dict[Path, str | bytes]) -> list[FileResult]:
        """The document checked alone, or through the templates that deploy it when there are any."""
        result = Engine(run, overlays).check_text(path, text)
        if result.kind != "openapi":
            return [result]
        deploying = []
        for template in self._templates_naming(run.root, path, overlays):
            template_result = Engine(run, overlays).check_text(template, _text_of(template, overlays))
            if str(path) in template_result.consumed:
                deploying.append(template_result)
        return deploying or [result]

    def _templates_naming(self, root: Path, path: Path, overlays: dict[Path, str | bytes]) -> Iterable[Path]:
        """Templates of the workspace whose text names the definition's file."""
        from apilint.discover import discover_files

        for candidate in discover_files([root], []).files:
            resolved = candidate.resolve()
            if resolved == path or not candidate.name.endswith(_CHECKED_SUFFIXES):
                continue
            text = _text_of(resolved, overlays)
            if path.name in text and ("Resources" in text):
                yield resolved

    def publish(self, uri: str, findings: list[Finding]) -> None:
        document = self.workspace.get_text_document(uri)
        text = document.source
        unique = {(f.line, f.column, f.code, f.message): f for f in findings}
        kept = sorted(unique.values(), key=lambda f: f.sort_key)
        self.published[uri] = Published(kept)
        diagnostics = [self.diagnostic(text, f) for f in kept]
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version))

    # --- positions ---------------------------------------------------------------------------------

    def client_position(self, text: str, line: int, column: int) -> lsp.Position:
        """A 1-based line and column (in characters) as the client counts positions."""
        lines = _lines(text)
        line_text = lines[line - 1] if 1 <= line <= len(lines) else ""
        return lsp.Position(line=max(line - 1, 0), character=self._units(line_text[:max(column - 1, 0)]))

    def offset_position(self, text: str, offset: int) -> lsp.Position:
        line, character = position(text, offset)
        lines = _lines(text)
        line_text = lines[line] if line < len(lines) else ""
        return lsp.Position(line=line, character=self._units(line_text[:character]))

    def _units(self, chars: str) -> int:
        encoding = self.workspace.position_encoding
        if encoding == lsp.PositionEncodingKind.Utf32:
            return len(chars)
        if encoding == lsp.PositionEncodingKind.Utf8:
            return len(chars.encode("utf-8"))
        return len(chars.encode("utf-16-le")) // 2

    def diagnostic(self, text: str, finding: Finding) -> lsp.Diagnostic:
        return lsp.Diagnostic(
            range=self.finding_range(text, finding),
            message=finding.message,
            severity=_SEVERITY[finding.severity],
            code=finding.code,
            code_description=lsp.CodeDescription(href=rule_docs_url(finding.code)),
            source=f"{SOURCE} ({finding.name})",
            data={"code": finding.code, "name": finding.name},
        )

    def finding_range(self, text: str, finding: Finding) -> lsp.Range:
        return lsp.Range(start=self.client_position(text, finding.line, finding.column),
                         end=self.client_position(text, finding.end_line, finding.end_column))

    def text_edit(self, text: str, edit: TextEdit) -> lsp.TextEdit:
        return lsp.TextEdit(range=lsp.Range(start=self.offset_position(text, edit.start),
                                            end=self.offset_position(text, edit.end)), new_text=edit.text)


def _lines(text: str) -> list[str]:
    import re

    return re.split("\r\n|\r|\n", text)


def _text_of(path: Path, overlays: dict[Path, str | bytes]) -> str:
    content = overlays.get(path)
    if content is None:
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
    return content if isinstance(content, str) else content.decode("utf-8", "replace")


def _within(outer: lsp.Range, inner: lsp.Position) -> bool:
    start, end = (outer.start.line, outer.start.character), (outer.end.line, outer.end.character)
    return start <= (inner.line, inner.character) <= end


def _overlap(a: lsp.Range, b: lsp.Range) -> bool:
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and \
        (b.start.line, b.start.character) <= (a.end.line, a.end.character)


def create_server() -> ApilintServer:
    """The server with every feature registered."""
    server = ApilintServer()

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: ApilintServer, params: lsp.InitializeParams) -> None:
        root = params.root_uri and to_fs_path(params.root_uri)
        ls.workspace_root = Path(root) if root else None

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: ApilintServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: ApilintServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: ApilintServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ApilintServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        pending = ls.pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        ls.published.pop(uri, None)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: ApilintServer, params: lsp.HoverParams) -> lsp.Hover | None:
        uri = params.text_document.uri
        text = ls.workspace.get_text_document(uri).source
        findings = [f for f in ls.published.get(uri, Published()).findings
                    if _within(ls.finding_range(text, f), params.position)]
        if not findings:
            return None
        parts = []
        for code in dict.fromkeys(f.code for f in findings):
            rule = find_rule(code)
            if rule is not None:
                parts.append(_rule_hover(rule))
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)))

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
    def code_action(ls: ApilintServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        uri = params.text_document.uri
        document = ls.workspace.get_text_document(uri)
        text = document.source
        findings = [f for f in ls.published.get(uri, Published()).findings
                    if _overlap(ls.finding_range(text, f), params.range)]
        return [action for finding in findings for action in _actions(ls, uri, text, finding)]

    return server


def _run_check(ls: ApilintServer, uri: str) -> None:
    ls.pending.pop(uri, None)
    try:
        ls.check(uri)
    except Exception as error:  # one broken check must not end the server
        log.exception("check of %s failed", uri)
        ls.window_log_message(lsp.LogMessageParams(lsp.MessageType.Error, f"apilint: internal error: {error}"))


def _rule_hover(rule: Any) -> str:
    """A rule's documentation as a hover shows it: what, why, the fix, and the link."""
    docs = rule.docs
    parts = [f"**{rule.code} {rule.name}** ({rule.severity})", rule.summary, docs["what"].strip(),
             "**Why:** " + docs["why"].strip()]
    if rule.fix:
        parts.append(f"**Fix:** {rule.fix}")
    parts.append(f"[Documentation]({rule_docs_url(rule.code)})")
    return "\n\n".join(parts)


def _actions(ls: ApilintServer, uri: str, text: str, finding: Finding) -> list[lsp.CodeAction]:
    diagnostic = ls.diagnostic(text, finding)
    actions = []

    def action(title: str, edits: list[TextEdit], preferred: bool = False) -> lsp.CodeAction:
        return lsp.CodeAction(
            title=title, kind=lsp.CodeActionKind.QuickFix, diagnostics=[diagnostic], is_preferred=preferred,
            edit=lsp.WorkspaceEdit(changes={uri: [ls.text_edit(text, e) for e in edits]}))

    if finding.fix is not None and all(text[e.start:e.end] == e.old for e in finding.fix.edits):
        actions.append(action(f"Fix {finding.code}: {finding.fix.title}", list(finding.fix.edits), True))
    path = Path(to_fs_path(uri) or "document.yaml")
    source = parse_text(path, path.name, text)
    from apilint.load.jsonload import JsonDocument

    if source.document is not None and source.data is not None:
        key_edit = ignore_key_edit(source, tuple(finding.path), finding.code)
        if key_edit is not None:
            actions.append(action(f"Ignore {finding.code} here (x-apilint-ignore)", [key_edit]))
        if not isinstance(source.document, JsonDocument):
            actions.append(action(f"Ignore {finding.code} on this line (# apilint-ignore)",
                                  [ignore_comment_edit(text, finding.line, finding.code)]))
    return actions


#: The largest message the server reads: far above any document an editor sends, far below what
#: would exhaust memory. A larger length in a header comes from a broken or hostile client, and
#: the server would otherwise try to allocate it at once.
MAX_MESSAGE_BYTES = 512 * 1024 * 1024
#: The longest header line kept at once: a longer one is read in pieces, none of which is a header.
MAX_HEADER_LINE = 64 * 1024


class _BoundedInput:
    """Standard input for the server's reader, with the lengths it reads bounded."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def readline(self) -> bytes:
        return bytes(self._stream.readline(MAX_HEADER_LINE))

    def read(self, size: int) -> bytes:
        """The message body; nothing (the end of the session) for a length over the limit."""
        if size > MAX_MESSAGE_BYTES:
            print(f"apilint server: a message of {size:,} bytes is over the {MAX_MESSAGE_BYTES:,}-byte limit; "
                  "the server stops", file=sys.stderr)
            return b""
        return bytes(self._stream.read(size))


def serve() -> None:
    """Run the server on standard input and output until the client ends it."""
    load_rules()
    # pygls reads its input with readline() and read(n) only: the bounded reader is enough of a file
    create_server().start_io(stdin=cast(BinaryIO, _BoundedInput(sys.stdin.buffer)))
