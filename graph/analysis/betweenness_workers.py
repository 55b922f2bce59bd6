"""The betweenness of an analysis, computed in worker processes while the rest goes on.

Betweenness (sampled Brandes on the undirected view, distances ``1 / weight``) is the longest
step of an analysis: about 6 s of one core on 1M pairs. It runs beside the other steps, split
over up to :data:`WORKERS` processes, each taking an equal share of the sampled sources
(``graph.algorithms.betweenness``'s ``part``); their sums add up to the same figures.

One worker below four cores: on two, the analysis is CPU-bound (the main process, the worker
and the database server share them), and two workers measured no faster (20.7 s against
21.2 s on the 1M-event bench graph, the main steps slowing as much as the betweenness
gained). From four cores, two workers.

One worker is forked (cheapest: it shares the main process's pages), except from a thread
(an API job), where forking is unsafe; several are spawned, so that each holds only its own
memory (forked, each would be counted with every page it shares). Every worker dies with the
analysing process (``graph.orphans``).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from types import TracebackType

import numpy as np

from graph.algorithms.arrays import FloatArray
from graph.algorithms.betweenness import EXACT_MAX_NODES, betweenness
from graph.analysis.profile import Profile
from graph.analysis.weighting import Pairs
from graph.orphans import die_with_parent

#: Worker processes for the betweenness: two from four cores, else one.
WORKERS = 2 if (os.cpu_count() or 1) >= 4 else 1


class BackgroundBetweenness:
    """``with BackgroundBetweenness(n, pairs, profile) as job: ...; job.result()``."""

    def __init__(
        self,
        n: int,
        pairs: Pairs,
        profile: Profile,
        *,
        workers: int = WORKERS,
        exact_max_nodes: int = EXACT_MAX_NODES,
    ) -> None:
        self._args = (n, pairs.source, pairs.target, 1.0 / pairs.weight)
        self._profile = profile
        self._workers = max(1, workers)
        self._exact_max_nodes = exact_max_nodes
        self._pool: ProcessPoolExecutor | None = None
        self._jobs: list[Future[FloatArray]] = []

    def __enter__(self) -> BackgroundBetweenness:
        forkable = threading.current_thread() is threading.main_thread()
        method = "fork" if forkable and self._workers == 1 else "spawn"
        self._pool = ProcessPoolExecutor(
            self._workers,
            mp_context=get_context(method),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )
        self._jobs = [
            self._pool.submit(
                betweenness,
                *self._args,
                directed=False,
                exact_max_nodes=self._exact_max_nodes,
                samples=self._profile.betweenness_samples,
                seed=self._profile.seed,
                part=(share, self._workers),
            )
            for share in range(self._workers)
        ]
        return self

    def done(self) -> bool:
        """Whether every share is done (then :meth:`result` does not wait)."""
        return all(job.done() for job in self._jobs)

    def result(self) -> FloatArray:
        """The betweenness of every account, once every share is done."""
        total: FloatArray = np.sum([job.result() for job in self._jobs], axis=0)
        return total

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
