"""Checking many files on all cores: one engine per worker process, files handed out in chunks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from apilint.engine import Engine, FileResult, RunOptions
from apilint.load.source import ReadError

#: Below this many files a pool costs more than it saves.
MIN_FILES_FOR_POOL = 8

_worker_engine: Engine | None = None


def default_jobs(file_count: int) -> int:
    """Workers to use when the user did not say: all cores for many files, one for a few."""
    if file_count < MIN_FILES_FOR_POOL:
        return 1
    return max(1, min(os.cpu_count() or 1, file_count // 4 or 1))


def _init_worker(run: RunOptions) -> None:
    global _worker_engine
    _worker_engine = Engine(run)


def _check_indexed(item: tuple[int, Path]) -> tuple[int, FileResult | str]:
    assert _worker_engine is not None
    index, path = item
    return index, _check_one(_worker_engine, path)


def _check_one(engine: Engine, path: Path) -> FileResult | str:
    try:
        return engine.check_file(path)
    except ReadError as error:
        return str(error)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def check_files(run: RunOptions, paths: list[Path], jobs: int) -> list[FileResult | str]:
    """Results in the order of ``paths``; a string stands for a file that could not be read."""
    jobs = min(jobs, os.cpu_count() or 1, len(paths))  # never more workers than cores or files
    if jobs <= 1 or len(paths) < 2:
        engine = Engine(run)
        return [_check_one(engine, path) for path in paths]
    from concurrent.futures import ProcessPoolExecutor

    context = None
    if sys.platform.startswith("linux"):
        import multiprocessing

        context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(run,)) as pool:
        # largest files first, one at a time, so no worker is left with all the big ones at the end
        order = sorted(enumerate(paths), key=lambda item: -_size(item[1]))
        results: list[FileResult | str] = [""] * len(paths)
        for index, result in pool.map(_check_indexed, order, chunksize=1):
            results[index] = result
        return results
