"""Checking many files on all cores: one engine per worker process, files handed out in batches."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from apilint.engine import Engine, FileResult, RunOptions
from apilint.load.source import ReadError

#: Estimated work (see :func:`estimated_cost`) below which one process is faster than a pool.
#: Starting workers costs about 50 ms (set-up, forking, hand-overs); on the development machine
#: (docs/performance.md) two workers broke even at about 1.1 million units (100 small corpus files)
#: and saved a quarter at 2.2 million (200 files) and a third at 4.4 million (388 files).
MIN_COST_FOR_POOL = 1_500_000

_worker_engine: Engine | None = None


def available_cores() -> int:
    """The cores this process may run on: its CPU affinity where the system has one (a container or
    ``taskset`` limits it), else every core of the machine."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def cores_others_use() -> int:
    """About how many cores other processes keep busy now: the one-minute load average less this
    process, rounded; 0 where the system reports no load average.

    The load average follows a change over about a minute, so a process that has just started or
    stopped is counted late; that errs towards the single worker that is never slower.
    """
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows has no load average
        return 0
    return max(0, round(load - 1))


def default_jobs(paths: list[Path], costs: list[int] | None = None) -> int:
    """Workers to use when the user did not say: the cores other processes leave free, when there is
    enough work to share.

    A worker that has to share its core with another busy process makes the run slower than one
    worker alone: on the 2-core development machine with one core held by another process, two
    workers took 1.14x the time of one on the corpus (docs/performance.md).

    ``costs`` are the files' :func:`estimated_cost` when the caller has them already.
    """
    if len(paths) < 2:
        return 1
    if sum(costs if costs is not None else map(estimated_cost, paths)) < MIN_COST_FOR_POOL:
        return 1
    return max(1, min(available_cores() - cores_others_use(), len(paths)))


def prepare_for_workers() -> None:
    """Do once, in this process, the set-up every worker would otherwise repeat.

    Forked workers inherit the loaded rules, the imported checks, the feature table and the
    compiled schema validators instead of each building its own.
    """
    from apilint.features import load_features
    from apilint.rules import load_rules

    modules = {sys.modules[rule.check.__module__] for rule in load_rules()}  # rule.check imports them
    load_features()
    for module in sorted(modules, key=lambda m: m.__name__):
        prepare = getattr(module, "prepare", None)
        if callable(prepare):
            prepare()


def _init_worker(run: RunOptions) -> None:
    global _worker_engine
    _worker_engine = Engine(run)


def _check_batch(batch: list[tuple[int, Path]]) -> list[tuple[int, FileResult | str]]:
    assert _worker_engine is not None
    return [(index, _check_one(_worker_engine, path)) for index, path in batch]


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


#: What reading and checking any file costs beyond its bytes, in bytes of a typical definition.
PER_FILE_COST = 8192


def estimated_cost(path: Path) -> int:
    """The work a file is expected to take, in bytes of a typical definition."""
    return _size(path) + PER_FILE_COST
#: Batches per worker: enough to even out the end of a run, few enough to keep hand-overs cheap.
BATCHES_PER_WORKER = 8


def batches(paths: list[Path], jobs: int, costs: list[int] | None = None) -> list[list[tuple[int, Path]]]:
    """``(index, path)`` batches of about equal estimated work, the largest first.

    Handing out single small files costs as much in process hand-overs as checking them; handing
    out fixed-size chunks of a size-sorted list puts the big files together. So files are grouped
    by estimated cost (bytes plus a per-file share): a file above the target is a batch of its own,
    small files share one.
    """
    if costs is None:
        costs = [estimated_cost(path) for path in paths]
    ordered = sorted(zip(costs, range(len(paths)), paths), key=lambda item: -item[0])
    target = max(PER_FILE_COST, sum(costs) // (jobs * BATCHES_PER_WORKER))
    result: list[list[tuple[int, Path]]] = []
    current: list[tuple[int, Path]] = []
    current_cost = 0
    for cost, index, path in ordered:
        if current and current_cost + cost > target:
            result.append(current)
            current, current_cost = [], 0
        current.append((index, path))
        current_cost += cost
    if current:
        result.append(current)
    return result


def check_files(run: RunOptions, paths: list[Path], jobs: int | None,
                progress: Callable[[int], None] | None = None) -> list[FileResult | str]:
    """Results in the order of ``paths``; a string stands for a file that could not be read.

    ``jobs`` None or 0 lets the work decide (:func:`default_jobs`). ``progress`` is called with the
    number of files done each time some are.
    """
    advance = progress or (lambda count: None)
    costs = None
    if not jobs:
        costs = [estimated_cost(path) for path in paths]
        jobs = default_jobs(paths, costs)
    jobs = min(jobs, available_cores(), len(paths))  # never more workers than cores or files
    if jobs <= 1 or len(paths) < 2:
        engine = Engine(run)
        done: list[FileResult | str] = []
        for path in paths:
            done.append(_check_one(engine, path))
            advance(1)
        return done
    from concurrent.futures import ProcessPoolExecutor

    context = None
    if sys.platform.startswith("linux"):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        prepare_for_workers()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(run,)) as pool:
        results: list[FileResult | str] = [""] * len(paths)
        for batch in pool.map(_check_batch, batches(paths, jobs, costs), chunksize=1):
            for index, result in batch:
                results[index] = result
            advance(len(batch))
        return results
