"""The cycle collector around a document's load."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Keep the cycle collector out of a load, and out of the loaded document afterwards.

    A large document is a million containers made in one go: the collector would walk all of
    them several times while they are made, and again (twice, as they age) at its next runs, which
    costs more than parsing them. It is paused meanwhile; then everything alive is frozen (moved
    where the collector no longer looks). Frozen objects are still freed when nothing refers to
    them; only a reference cycle among them would stay until the process ends, and parsed data
    (plain dicts, lists and scalars) holds none.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
