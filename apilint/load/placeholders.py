"""Definitions that are templates: ``${...}`` placeholders filled in before the text is YAML or JSON.

Terraform's ``templatefile()`` (and ``envsubst``, and other tools) fill placeholders into a definition
before API Gateway sees it. Written inside a string or as a block-style YAML value, a placeholder is
already valid text, and apilint reads it as a value decided later (:mod:`apilint.values`). Written
where JSON expects a value (``"timeoutInMillis": ${timeout_ms}``), or inside a YAML flow mapping
(``{timeoutInMillis: ${timeout_ms}}``), it makes the unfilled text unreadable, although the rendered
definition is fine. Reporting a syntax error there is a false alarm that blocks a commit of a correct
template.

Both are read with each placeholder replaced by text of the same length, so every position stays
where it is written:

- JSON: an unquoted placeholder becomes a string token, and once parsed, each token is put back as
  the placeholder's text, a value decided later like any other; the definition is checked.
- YAML: a placeholder in flow context would need its replacement put back inside keys as well; the
  text is only tested with stand-ins, and a template that is YAML once filled in is not checked.

Template directives (``%{ if ... }``) choose between pieces of text: a JSON template with one
outside a string is tested, not checked, too. A text that stays unreadable with its placeholders
replaced has a real syntax error, reported where it is. A text with more than
:data:`MAX_PLACEHOLDERS` is not read as a template.
"""

from __future__ import annotations

import re
from typing import Any

#: More placeholders than this and the text is not read as a template (its syntax error stands): real
#: templates have tens; reading a million of them one at a time would take seconds.
MAX_PLACEHOLDERS = 10_000
#: The characters that make a token unique: digits and lower-case letters.
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def interpolation_end(text: str, start: int) -> int | None:
    """The offset just after the ``${...}`` or ``%{...}`` that starts at ``start``, braces and quoted
    strings inside it counted; None when it is not closed."""
    depth = 0
    index = start + 1
    length = len(text)
    while index < length:
        char = text[index]
        if char == '"':
            index += 1
            while index < length and text[index] != '"':
                index += 2 if text[index] == "\\" else 1
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return None


#: Where a placeholder or a directive starts (``$${`` and ``%%{`` are escapes, not starts).
_START = re.compile(r"(?<!\$)\$\{|(?<!%)%\{")
#: A JSON string (skipped whole: placeholders inside one are valid JSON) or a start.
_STRING_OR_START = re.compile(r'"(?:[^"\\]|\\.)*"?|(?<!\$)\$\{|(?<!%)%\{')


def _token(number: int, width: int) -> str:
    """A token of exactly ``width`` characters that starts with ``$`` and names ``number``."""
    digits = ""
    while number:
        number, digit = divmod(number, len(_DIGITS))
        digits = _DIGITS[digit] + digits
    return ("$" + digits.rjust(width - 1, "_"))[:width]


def json_with_tokens(text: str) -> tuple[str, dict[str, str]] | None:
    """JSON text with every placeholder written where a value goes replaced by a quoted token of the
    same length, and the placeholder text of each token; None when there is none, or when a
    directive (``%{``) stands outside a string."""
    pieces: list[str] = []
    originals: dict[str, str] = {}
    copied = 0
    for match in _STRING_OR_START.finditer(text):
        index = match.start()
        if index < copied or text[index] == '"':
            continue  # inside a placeholder already replaced, or a string
        end = interpolation_end(text, index)
        if end is None or text[index] == "%":
            return None
        written = text[index:end]
        token = _token(len(originals), len(written) - 2)
        originals.setdefault(token, written)
        pieces.append(text[copied:index])
        pieces.append(f'"{token}"')
        copied = end
    if not originals:
        return None
    pieces.append(text[copied:])
    return "".join(pieces), originals


def put_back(data: Any, originals: dict[str, str]) -> None:
    """Replace, in place, every string value that is a token with the placeholder it stands for."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str):
                    if value in originals:
                        node[key] = originals[value]
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(node, list):
            for position, value in enumerate(node):
                if isinstance(value, str):
                    if value in originals:
                        node[position] = originals[value]
                elif isinstance(value, (dict, list)):
                    stack.append(value)


def with_stand_ins(text: str) -> str | None:
    """The text with every placeholder and directive replaced by a plain word of the same length (line
    breaks kept), to test whether the template is readable once filled in; None when there is none."""
    pieces: list[str] = []
    copied = 0
    for match in _START.finditer(text):
        index = match.start()
        if index < copied:
            continue  # inside a placeholder already replaced
        end = interpolation_end(text, index)
        if end is None:
            return None
        pieces.append(text[copied:index])
        pieces.append(_WORD.sub("x", text[index:end]))
        copied = end
    if not pieces:
        return None
    pieces.append(text[copied:])
    return "".join(pieces)


#: Every character but a line break.
_WORD = re.compile(r"[^\n]")
