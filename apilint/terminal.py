"""Output for a person at a terminal: tables that fit its width, rendered Markdown, and progress.

None of it reaches a pipe, a file, a CI log or a machine-readable report: piped, ``apilint rules``
prints one line per rule and ``apilint rule`` prints Markdown, as scripts expect.
"""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

#: Progress shows once a run has taken this long (seconds), then at most once per interval.
PROGRESS_DELAY = 1.0
PROGRESS_INTERVAL = 0.1
#: Narrowest summary column of the ``apilint rules`` table; narrower terminals get a rule per block.
_SUMMARY_MIN = 30
_INDENT = " " * 7


def terminal_width(stream: Any) -> int | None:
    """The width of the terminal a stream writes to (``COLUMNS`` wins); None when it is not a terminal."""
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return None
    import shutil  # imported here: a check run that writes to a pipe never needs it

    return shutil.get_terminal_size().columns


def rules_table(rules: Sequence[Any], width: int | None) -> str:
    """``apilint rules`` as text: one line per rule when ``width`` is None (piped), else fitted to it.

    The summary column wraps to the room the other columns leave; when that is too narrow, each rule
    is a block: code and name, then severity, API types and fix, then the summary, wrapped.
    """
    from tabulate import tabulate

    headers = ["code", "name", "severity", "api types", "fix", "summary"]
    rows = [[r.code, r.name, str(r.severity), ",".join(sorted(t.value for t in r.api_types)),
             "fix" if r.fix else "", " ".join(r.summary.split())] for r in rules]
    full = tabulate(rows, headers=headers, tablefmt="simple")
    if width is None or max(len(line) for line in full.splitlines()) <= width:
        return full
    # The "simple" format's second line is the column rules, as wide as the table; two spaces apart.
    room = width - len(tabulate([row[:-1] for row in rows], headers=headers[:-1], tablefmt="simple")
                       .splitlines()[1]) - 2
    if room >= _SUMMARY_MIN:
        return tabulate(rows, headers=headers, tablefmt="simple", maxcolwidths=[None] * 5 + [room])
    import textwrap

    blocks = []
    for code, name, severity, types, fix, summary in rows:
        about = "; ".join(part for part in (severity, types.replace(",", ", "), fix and "fixable with --fix") if part)
        blocks.append("\n".join([
            textwrap.fill(f"{code}  {name}", max(width, 20), subsequent_indent=_INDENT),
            textwrap.fill(about, max(width, 20), initial_indent=_INDENT, subsequent_indent=_INDENT),
            textwrap.fill(summary, max(width, 20), initial_indent=_INDENT, subsequent_indent=_INDENT),
        ]))
    return "\n".join(blocks)


def render_markdown(text: str, width: int, color: bool) -> str:
    """Markdown rendered for a terminal of ``width`` columns: headings, lists, emphasis, code."""
    from rich.console import Console
    from rich.markdown import Markdown

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color,
                      color_system="standard" if color else None, highlight=False, emoji=False)
    console.print(Markdown(text, hyperlinks=False))
    # rich pads each line to the width; a copied line should not carry the padding.
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def shows_progress(stream: Any, environ: Mapping[str, str] | None = None) -> bool:
    """Progress goes to a terminal a person watches: never to a pipe, a file or a CI log."""
    environ = os.environ if environ is None else environ
    if environ.get("CI", "").lower() not in ("", "0", "false") or environ.get("TERM") == "dumb":
        return False
    return hasattr(stream, "isatty") and stream.isatty()


class Progress:
    """``apilint: checked 120 of 400 files`` on one line of standard error, for runs that take a while.

    Nothing is written before :data:`PROGRESS_DELAY` has passed, so short runs show nothing; the line
    is erased when the run ends, before the report.
    """

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.start = time.monotonic()
        self.last = 0.0
        self.shown = False

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.total < 2:  # one file: nothing to count
            return
        now = time.monotonic()
        if now - self.start < PROGRESS_DELAY or (self.shown and now - self.last < PROGRESS_INTERVAL):
            return
        self.last, self.shown = now, True
        noun = "file" if self.total == 1 else "files"
        self.stream.write(f"\r\033[Kapilint: checked {self.done} of {self.total} {noun}")
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
