"""The bounds that keep any input, however hostile, to bounded time and memory.

Every number here is documented in ``docs/limits.md``; a file that reaches one gets an AG005 finding
at the place the limit was crossed, and is not checked further.
"""

from __future__ import annotations

#: Files larger than this are not read (``--max-file-size`` / config ``max-file-size``). API Gateway
#: itself refuses REST definitions over 6 MB; the largest public definitions are about 4 MB.
DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024


class Limits:
    """Bounds on what one file may make apilint build and walk."""

    #: Mappings and lists nested inside each other. Real definitions nest a few dozen levels; libyaml's
    #: composer recurses in C and crashes the process at some tens of thousands.
    max_depth = 1000
    #: Nodes (keys, values, items) of one document as written: what memory is spent on. A 4 MB
    #: public definition has about 250,000; a realistic one at the default size limit about 1,000,000.
    max_nodes = 2_000_000
    #: Nodes that YAML aliases add by repeating an anchored subtree: what rules walk again. No
    #: definition in the corpus of public ones uses aliases at all.
    max_alias_nodes = 100_000
    #: Characters of text that YAML aliases may repeat (a long string aliased many times is read by
    #: every rule at each use): four times the largest public definitions.
    max_alias_text = 16 * 1024 * 1024
    #: ``$ref`` objects one chain may pass through before it is treated as a loop.
    max_ref_hops = 64
    #: Distinct files the ``$ref`` objects of one checked file may pull in.
    max_ref_files = 1000
