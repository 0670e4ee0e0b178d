"""Bulk auto-coding on a Dask cluster: ``autocode --workers N`` or ``--scheduler ADDRESS``.

What runs where (docs/dask.md has the team set-up):

- The main process opens the project, picks the eligible units, fits the coder (keyword
  rules, prototypes and the calibration on human codings, supervised heads), reads the
  embedding cache, and at the end writes the new vectors to the cache and the suggestions
  through :func:`framesynth.index.review.store_suggestions`, in the run's one transaction.
- The workers get the fitted coder once (scattered to every worker), then partitions of
  the distinct unit texts. They embed the texts the cache lacks (MiniLM is loaded once
  per worker process and kept, ``embeddings._load_minilm``) and compute each text's row
  of scores (the coder's ``unit_scores``). They never open the project: what travels is
  unit texts, cached vectors and the fitted coder, and back vectors and score rows.

Identical to one process: a row of scores depends on its unit alone
(:func:`framesynth.index.zeroshot.dot_rows`), the rows are put back in the units' order
and the cheap part over all units (centring, ranking, cut-offs: ``from_scores``) runs
in the main process on the whole array, as ``suggest`` does. A text's MiniLM vector
changes in the last bits with the texts it is padded with in a batch, so the texts to
embed are sorted and cut into batches exactly as :func:`framesynth.embeddings.embed`
does in one process, and a partition holds whole batches. (Workers on another kind of
CPU, or on a GPU, may still differ in the last bits; docs/dask.md says so.)

The ``tuned`` method is not distributed: its fine-tuned model lives in a folder beside
the project, which other machines do not have.
"""

from __future__ import annotations

import logging
import math
import socket
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy.orm import Session

from framesynth.embeddings import (
    cached_vectors,
    length_sorted_batches,
    store_vectors,
    text_hash,
)
from framesynth.errors import ClusterUnreachable, InvalidArgument
from framesynth.familiarise.units import Unit
from framesynth.index.autocode import PerUnitCoder, Suggestion

if TYPE_CHECKING:
    from distributed import Client

DISTRIBUTED_METHODS = ("keyword", "semantic", "supervised")
PARTITIONS_PER_WORKER = 4  # a slow partition (long texts) holds up less of the run
Progress = Callable[[int, int, str], None]


def check_distributed_method(method: str) -> str:
    """``method`` if it can run on Dask workers, else InvalidArgument."""
    if method not in DISTRIBUTED_METHODS:
        raise InvalidArgument(f"method {method!r} does not run on Dask workers (its model is "
                              f"a folder beside the project); use one of "
                              f"{', '.join(DISTRIBUTED_METHODS)}, or run it without "
                              "--workers/--scheduler")
    return method


@contextmanager
def dask_client(*, workers: int | None = None, scheduler: str | None = None
                ) -> Iterator[Client]:
    """A client on a new local cluster of ``workers`` processes (one thread each; closed
    afterwards) or on the running scheduler at ``scheduler`` (``tcp://HOST:PORT``).

    A scheduler that cannot be reached raises :class:`ClusterUnreachable` before
    anything is read or written.
    """
    if (workers is None) == (scheduler is None):
        raise InvalidArgument("give either --workers N or --scheduler tcp://HOST:PORT, not both")
    from distributed import Client

    if workers is not None:
        if workers < 1:
            raise InvalidArgument(f"--workers must be at least 1, not {workers}")
        from distributed import LocalCluster

        # no dashboard; the scheduler's own small HTTP server on any free port, not 8787
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None,
                               scheduler_kwargs={"dashboard_address": ":0"})
        try:
            with Client(cluster) as client:
                yield client
        finally:
            _close_quietly(cluster)
        return
    assert scheduler is not None
    check_reachable(scheduler)
    try:
        client = Client(scheduler)
    except (OSError, ValueError) as error:
        raise ClusterUnreachable(f"cannot reach the Dask scheduler at {scheduler}: "
                                 f"{error}") from None
    with client:
        wait_for_a_worker(client, scheduler)
        yield client


def _close_quietly(cluster: Any) -> None:
    """Close a local cluster without the warning for a worker that takes over 4 s to
    exit (one that loaded torch often does, under load) and is killed: its work is done."""
    nanny = logging.getLogger("distributed.nanny")
    level = nanny.level
    nanny.setLevel(logging.ERROR)
    try:
        cluster.close()
    finally:
        nanny.setLevel(level)


def wait_for_a_worker(client: Client, scheduler: str) -> None:
    """Wait as long as Dask waits to connect (``distributed.comm.timeouts.connect``,
    30 s unless set) for the scheduler to have a worker; else ClusterUnreachable."""
    import dask
    from dask.utils import parse_timedelta

    seconds = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"))
    try:
        client.wait_for_workers(1, timeout=seconds)
    except TimeoutError:
        raise ClusterUnreachable(f"the Dask scheduler at {scheduler} has no worker (waited "
                                 f"{seconds:g} s); start one with `dask worker {scheduler}`"
                                 ) from None


def check_reachable(address: str, timeout: float = 5.0) -> None:
    """Refuse an address Dask cannot use, or a TCP scheduler nothing answers at, at once
    (Dask itself retries until its connect time-out, 30 s by default)."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        if "://" not in address:
            raise ValueError("no tcp:// in front")
        scheme, location = parse_address(address, strict=True)
        if scheme not in ("tcp", "tls"):
            raise ValueError(f"{scheme}:// is not tcp:// or tls://")
        host, port = parse_host_port(location)
    except ValueError as error:
        raise ClusterUnreachable(f"{address!r} is not a Dask scheduler address "
                                 f"(tcp://HOST:PORT): {error}") from None
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise ClusterUnreachable(f"cannot reach the Dask scheduler at {address}: "
                                 f"{reason.lower()}") from None


@dataclass(frozen=True)
class Part:
    """One partition of distinct unit texts: ``encode`` (whole batches of the sorted texts
    the cache lacks), then the texts whose vectors travel along in ``cached``."""

    encode: tuple[str, ...]
    cached_texts: tuple[str, ...]
    cached: np.ndarray | None

    @property
    def texts(self) -> list[str]:
        return [*self.encode, *self.cached_texts]


def torch_threads() -> int | None:
    """The threads torch computes with in this process, if torch is loaded here."""
    torch = sys.modules.get("torch")
    return int(torch.get_num_threads()) if torch is not None else None


def score_part(coder: PerUnitCoder, part: Part, threads: int | None = None
               ) -> tuple[np.ndarray | None, np.ndarray]:
    """On a worker: (the vectors of ``part.encode``, a row of scores per text of the part).

    ``threads``: the main process's torch threads. A matrix product can round its last
    bit differently with another number of threads (Dask starts workers with
    ``OMP_NUM_THREADS=1``), so the worker encodes with as many as the main process
    does, and a vector made on a worker equals the one made at home."""
    embedder = coder.embedder
    if embedder is None:
        return None, coder.unit_scores(part.texts, None)
    if threads is not None and part.encode:
        import torch

        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
    new = np.asarray(embedder.encode(list(part.encode)), dtype=np.float32) \
        if part.encode else None
    pieces = [p for p in (new, part.cached) if p is not None and len(p)]
    vectors = np.vstack(pieces) if pieces else None
    return new, coder.unit_scores(part.texts, vectors)


def _chunks(items: Sequence[str], size: int) -> list[tuple[str, ...]]:
    return [tuple(items[i:i + size]) for i in range(0, len(items), size)]


class DaskRunner:
    """Runs a fitted coder's per-unit work on a Dask client (:func:`run_autocode`'s
    ``runner``); the suggestions equal the coder's own ``suggest``.

    :param partitions: how many parts to cut the texts into (default:
        :data:`PARTITIONS_PER_WORKER` per worker thread); texts to embed are cut at whole
        batches of the embedder's ``batch_size``.
    :param progress: called with (partitions done, partitions, what) as each finishes.
    """

    def __init__(self, client: Client, *, partitions: int | None = None,
                 progress: Progress | None = None):
        self.client = client
        self.partitions = partitions
        self.progress = progress
        self.parts_done = 0

    def suggest(self, coder: Any, units: Sequence[Unit], session: Session) -> list[Suggestion]:
        check_distributed_method(getattr(coder, "method", type(coder).__name__))
        if not units or coder.unit_scores([], None).shape[1] == 0:
            return list(coder.suggest(units, session))  # nothing to score: no work to ship
        distinct = list(dict.fromkeys(unit.text for unit in units))
        parts, missing = self._parts(coder, distinct, session)
        texts, rows, new = self._run(coder, parts)
        if missing:
            by_text = dict(zip([t for part in parts for t in part.encode], new, strict=True))
            store_vectors(session, coder.embedder, [text_hash(t) for t in missing],
                          np.vstack([by_text[t] for t in missing]))
        where = {text: row for row, text in enumerate(texts)}
        scores = rows[np.array([where[unit.text] for unit in units], dtype=np.intp)]
        return list(coder.from_scores(units, scores))

    def _target_partitions(self) -> int:
        if self.partitions is not None:
            return max(1, self.partitions)
        threads = sum(self.client.nthreads().values()) or 1
        return PARTITIONS_PER_WORKER * threads

    def _parts(self, coder: Any, distinct: list[str], session: Session
               ) -> tuple[list[Part], list[str]]:
        """The parts, and the texts to embed in the order one process would cache them."""
        size = math.ceil(len(distinct) / self._target_partitions())
        embedder = coder.embedder
        if embedder is None:
            return [Part((), chunk, None) for chunk in _chunks(distinct, size)], []
        cached = cached_vectors(session, embedder, [text_hash(t) for t in distinct])
        missing = [t for t in distinct if text_hash(t) not in cached]
        known = [t for t in distinct if text_hash(t) in cached]
        batch = max(1, int(getattr(embedder, "batch_size", 1)))
        order, _ = length_sorted_batches(missing, batch)
        ranked = [missing[i] for i in order]
        parts = [Part(chunk, (), None) for chunk in _chunks(ranked, math.ceil(size / batch)
                                                             * batch)]
        parts += [Part((), chunk, np.vstack([cached[text_hash(t)] for t in chunk]))
                  for chunk in _chunks(known, size)]
        return parts, missing

    def _run(self, coder: Any, parts: list[Part]
             ) -> tuple[list[str], np.ndarray, list[np.ndarray]]:
        """(every part's texts, their score rows, the new vectors), parts in order."""
        from distributed import as_completed

        [shipped] = self.client.scatter([coder], broadcast=True, hash=False)
        on_workers = self.client.scatter(parts, hash=False)
        threads = torch_threads()
        futures = [self.client.submit(score_part, shipped, part, threads, pure=False)
                   for part in on_workers]
        number = {future.key: i for i, future in enumerate(futures)}
        results: list[tuple[np.ndarray | None, np.ndarray] | None] = [None] * len(parts)
        self.parts_done = 0
        for future in as_completed(futures):
            results[number[future.key]] = future.result()
            self.parts_done += 1
            if self.progress is not None:
                self.progress(self.parts_done, len(parts),
                              f"partition {number[future.key] + 1} done")
        done = [r for r in results if r is not None]
        texts = [t for part in parts for t in part.texts]
        rows = np.vstack([scores for _, scores in done])
        new = [row for vectors, _ in done if vectors is not None for row in vectors]
        return texts, rows, new
