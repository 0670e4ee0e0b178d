"""Auto-coding on Dask workers gives the suggestions of one process, bitwise.

One local cluster of two worker processes (one thread each, as ``--workers 2`` starts)
serves the whole module: starting it costs seconds, and each worker then keeps MiniLM.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dask
import numpy as np
import pytest
from distributed import LocalCluster
from sqlalchemy import select

from framesynth.embeddings import (
    HashingEmbedder,
    SentenceTransformerEmbedder,
    cached_vectors,
    embed,
    text_hash,
)
from framesynth.frame.framework import framework_codes
from framesynth.index import zeroshot
from framesynth.index.autocode import EmbeddingCoder, KeywordCoder, SupervisedCoder
from framesynth.index.distributed import DaskRunner, dask_client
from framesynth.index.eligible import eligible_units
from framesynth.index.review import labelled_units, run_autocode
from framesynth.project import Project
from framesynth.store.models import CachedEmbedding, Coding


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    with dask_client(workers=2) as started:
        yield started


def autocode(path: str | Path, method: str, runner: DaskRunner | None = None, **options: object
             ) -> None:
    with Project.open(path) as project, project.session() as session:
        run_autocode(session, method, actor="ruth", runner=runner, **options)  # type: ignore[arg-type]


def stored(path: str | Path, method: str) -> list[tuple[object, ...]]:
    """The method's suggestions as stored: source, span, code, score, text."""
    with Project.open(path) as project, project.session() as session:
        return [tuple(row) for row in session.execute(
            select(Coding.source_id, Coding.start, Coding.end, Coding.code_id, Coding.score,
                   Coding.text).where(Coding.coder == f"auto:{method}")
            .order_by(Coding.source_id, Coding.start, Coding.code_id))]


def cache(path: str | Path) -> list[tuple[object, ...]]:
    with Project.open(path) as project, project.session() as session:
        return [(row.model, row.text_hash, bytes(row.vector)) for row in session.execute(
            select(CachedEmbedding.model, CachedEmbedding.text_hash, CachedEmbedding.vector)
            .order_by(CachedEmbedding.id))]


@pytest.mark.parametrize("method", ["keyword", "semantic"])  # supervised: bitwise test below
def test_distributed_autocode_stores_what_one_process_stores(client, demo_path, stores, method):
    one, two = stores.copy(demo_path, "one.fsdb"), stores.copy(demo_path, "two.fsdb")
    options = {} if method == "keyword" else {"embedder": HashingEmbedder()}
    autocode(one, method, **options)
    runner = DaskRunner(client, partitions=7)
    autocode(two, method, runner, **options)
    assert runner.parts_done >= 7  # about 7: texts to embed are cut at whole batches
    expected = stored(one, method)
    assert len(expected) > 100
    assert stored(two, method) == expected
    assert cache(two) == cache(one)  # the workers' vectors cached, in the same order


def demo_coder(session, method: str, embedder):  # type: ignore[no-untyped-def]
    codes = [c for c in framework_codes(session) if c.codable]
    if method == "keyword":
        return KeywordCoder().fit(codes)
    if method == "semantic":
        return EmbeddingCoder(embedder).fit(codes, labelled_units(session, "turn"), session)
    return SupervisedCoder(embedder).fit(codes, labelled_units(session, "turn", coder="amira"),
                                         session)


@pytest.mark.parametrize("method", ["keyword", "semantic", "supervised"])
def test_distributed_scores_are_bitwise_those_of_one_process(client, demo_session, method):
    coder = demo_coder(demo_session, method, HashingEmbedder())
    targets = eligible_units(demo_session, "turn").units
    alone = coder.suggest(targets)  # one process, no cache
    for partitions in (50, 3, 1):  # the first embeds what the cache lacks on the workers
        runner = DaskRunner(client, partitions=partitions)
        assert runner.suggest(coder, targets, demo_session) == alone  # scores: float ==


def test_unit_scores_of_a_part_are_the_rows_of_the_whole(demo_session):
    """What makes partitions safe: a row depends on its unit alone (BLAS sums would not)."""
    coder = demo_coder(demo_session, "semantic", HashingEmbedder())
    texts = [u.text for u in eligible_units(demo_session, "turn").units]
    vectors = HashingEmbedder().encode(texts)
    whole = coder.unit_scores(texts, vectors)
    for start, stop in ((0, 1), (1, 2), (5, 64), (3, len(texts))):
        part = coder.unit_scores(texts[start:stop], vectors[start:stop])
        assert np.array_equal(part, whole[start:stop])
    rng = np.random.default_rng(0)
    rows, prototypes = rng.standard_normal((300, 384), dtype=np.float32), \
        rng.standard_normal((40, 384), dtype=np.float32)
    assert np.array_equal(zeroshot.dot_rows(rows[17:18], prototypes),
                          zeroshot.dot_rows(rows, prototypes)[17:18])


def test_distributed_minilm_embeds_on_the_workers_as_one_process_does(client, coded):
    """Real MiniLM on a small project: new vectors made on the workers (in batches of 2,
    cut as one process cuts them) and cached by this process, then a cached re-run."""
    embedder = SentenceTransformerEmbedder(batch_size=2)
    coder = EmbeddingCoder(embedder).fit([c for c in framework_codes(coded) if c.codable],
                                         (), coded)
    targets = eligible_units(coded, "turn").units
    texts = list(dict.fromkeys(u.text for u in targets))
    assert len(texts) == 7  # four batches, the last of one text
    alone = coder.suggest(targets)  # one process, nothing cached
    runner = DaskRunner(client, partitions=4)
    assert runner.suggest(coder, targets, coded) == alone
    assert runner.parts_done == 4
    cached = cached_vectors(coded, embedder, [text_hash(t) for t in texts])
    assert np.array_equal(np.vstack([cached[text_hash(t)] for t in texts]),
                          embed(None, embedder, texts))
    assert DaskRunner(client).suggest(coder, targets, coded) == alone  # from the cache


def test_cli_autocode_on_dask_prints_and_stores_what_one_process_does(fs, client, demo_path,
                                                                      stores):
    one, two = stores.copy(demo_path, "one.fsdb"), stores.copy(demo_path, "two.fsdb")
    for method in ("semantic", "keyword"):
        code, out, _ = fs("autocode", one, "--method", method)
        assert code == 0 and out.startswith(f"{method}: ")
        dask_option = ("--scheduler", client.scheduler.address) if method == "semantic" \
            else ("--workers", "1")  # the module's running cluster; a new one of its own
        code, dask_out, err = fs("autocode", two, "--method", method, *dask_option)
        assert (code, dask_out) == (0, out)
        assert err.startswith("computed on Dask workers in ")
        assert stored(two, method) == stored(one, method)


def test_cli_autocode_dask_option_errors(fs, demo_path, stores, snapshot):
    path = stores.copy(demo_path, "study.fsdb")
    before = snapshot(path)
    semantic = ("autocode", path, "--method", "semantic")
    assert fs(*semantic, "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786") == (
        1, "", "error: give either --workers N or --scheduler tcp://HOST:PORT, not both "
               "[FS003]\n")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), LocalCluster(
            n_workers=0, processes=False, protocol="tcp", dashboard_address=None,
            scheduler_kwargs={"dashboard_address": ":0"}) as empty:
        assert fs(*semantic, "--scheduler", empty.scheduler_address) == (
            1, "", f"error: the Dask scheduler at {empty.scheduler_address} has no worker "
                   f"(waited 1 s); start one with `dask worker {empty.scheduler_address}` "
                   "[FS310]\n")
    assert fs(*semantic, "--workers", "0") == (
        1, "", "error: --workers must be at least 1, not 0 [FS003]\n")
    assert fs(*semantic, "--scheduler", "nonsense") == (
        1, "", "error: 'nonsense' is not a Dask scheduler address (tcp://HOST:PORT): no tcp:// "
               "in front [FS310]\n")
    assert fs(*semantic, "--scheduler", "tcp://127.0.0.1")[2] == (
        "error: 'tcp://127.0.0.1' is not a Dask scheduler address (tcp://HOST:PORT): "
        "missing port number in address '127.0.0.1' [FS310]\n")
    with socket_closed() as port:
        assert fs(*semantic, "--scheduler", f"tcp://127.0.0.1:{port}") == (
            1, "", f"error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}: "
                   "connection refused [FS310]\n")
    assert fs("autocode", path, "--method", "tuned", "--workers", "1")[2].startswith(
        "error: method 'tuned' does not run on Dask workers")
    assert fs("autocode", path, "--evaluate", "--against", "amira", "--workers", "1")[2] == (
        "error: --workers/--scheduler run a coding run, not --evaluate or --next [FS003]\n")
    assert snapshot(path) == before  # nothing written


class socket_closed:
    """A local TCP port that nothing listens on (bound, then released)."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return int(probe.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        return None
