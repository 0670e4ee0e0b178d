"""Benchmark: auto-coding units/s in one process and on 1 and 2 Dask workers.

    PYTHONPATH=src .venv/bin/python bench/bench_autocode_dask.py [--copies 4] [--workers 1,2]

The project: the fictional bench/labelled2 transcripts and framework, imported
``--copies`` times (each copy's turns end in a copy number, so every copy's texts are
new to the embedding cache). Each run is ``run_autocode(method="semantic")`` with MiniLM
on every eligible turn, the embedding cache emptied first, so the run embeds every turn:
in this process, or on a local cluster of N worker processes of one thread each (as
``autocode --workers N``). Each mode first codes a few turns untimed, so MiniLM is loaded
(in this process, or on each worker) before the clock starts; cluster start-up is timed
apart. Every run must store the same suggestions as the single-process one.

Prints a table and writes bench/out/autocode_dask.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from framesynth.embeddings import get_embedder
from framesynth.index.distributed import DaskRunner, dask_client
from framesynth.index.review import run_autocode
from framesynth.io.codebook import import_codebook
from framesynth.io.importers import import_files
from framesynth.project import Project
from framesynth.store.models import CachedEmbedding, Coding

LABELLED2 = Path(__file__).parent / "labelled2"
TURN = re.compile(r"^(\w[\w .'-]*: )(.+)$")


def build(folder: Path, copies: int) -> Path:
    """A project of ``copies`` copies of the labelled2 transcripts, each copy's turns
    ending in ``(copy k)``."""
    sources = folder / "sources"
    sources.mkdir()
    for k in range(copies):
        for path in sorted((LABELLED2 / "transcripts").glob("*.txt")):
            lines = path.read_text(encoding="utf-8").splitlines()
            marked = [TURN.sub(rf"\1\2 (copy {k + 1})", line) for line in lines]
            (sources / f"{path.stem}-copy{k + 1}.txt").write_text("\n".join(marked) + "\n",
                                                                  encoding="utf-8")
    path = folder / "bench.fsdb"
    with Project.create(path) as project, project.session() as session:
        import_files(session, sorted(sources.glob("*.txt")), actor="bench")
        import_codebook(session, LABELLED2 / "framework.yaml", actor="bench")
    return path


def run(path: Path, runner: DaskRunner | None) -> tuple[int, float, list[tuple[Any, ...]]]:
    """(units coded, seconds, the stored suggestions) of one semantic run, cache emptied."""
    with Project.open(path) as project, project.session() as session:
        session.execute(delete(CachedEmbedding))
    with Project.open(path) as project, project.session() as session:
        started = time.perf_counter()
        result = run_autocode(session, "semantic", embedder=get_embedder("minilm-l6.v1"),
                              actor="bench", runner=runner)
        seconds = time.perf_counter() - started
        rows = session.execute(select(Coding.source_id, Coding.start, Coding.end, Coding.code_id,
                                      Coding.score).where(Coding.coder == "auto:semantic")
                               .order_by(Coding.source_id, Coding.start, Coding.code_id)).all()
    return result.units, seconds, [tuple(r) for r in rows]


def warm_up(runner: DaskRunner | None) -> None:
    """MiniLM loaded where the work runs (this process, or every worker)."""
    embedder = get_embedder("minilm-l6.v1")
    if runner is None:
        embedder.encode(["warming up"])
        return
    client = runner.client
    client.run(lambda: embedder.encode(["warming up"]).shape)  # on every worker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        path = build(Path(folder), args.copies)
        warm_up(None)
        units, seconds, expected = run(path, None)
        rows.append({"mode": "one process", "units": units, "seconds": round(seconds, 2),
                     "units_per_s": round(units / seconds, 1), "start_s": 0.0,
                     "identical": True})
        for workers in [int(w) for w in args.workers.split(",") if w.strip()]:
            started = time.perf_counter()
            with dask_client(workers=workers) as client:
                runner = DaskRunner(client)
                warm_up(runner)
                start_s = time.perf_counter() - started
                units, seconds, found = run(path, runner)
            rows.append({"mode": f"{workers} Dask worker{'s' if workers > 1 else ''}",
                         "units": units, "seconds": round(seconds, 2),
                         "units_per_s": round(units / seconds, 1),
                         "start_s": round(start_s, 1), "partitions": runner.parts_done,
                         "identical": found == expected})
    print(f"{'mode':<16} {'units':>6} {'seconds':>8} {'units/s':>8} {'start s':>8}  identical")
    for row in rows:
        print(f"{row['mode']:<16} {row['units']:>6} {row['seconds']:>8} {row['units_per_s']:>8} "
              f"{row['start_s']:>8}  {row['identical']}")
    args.out.mkdir(parents=True, exist_ok=True)
    report = {"copies": args.copies, "cpus": os.cpu_count(), "python": platform.python_version(),
              "load_average": os.getloadavg(), "rows": rows}
    (args.out / "autocode_dask.json").write_text(json.dumps(report, indent=2) + "\n",
                                                 encoding="utf-8")
    if not all(row["identical"] for row in rows):
        raise SystemExit("a Dask run stored other suggestions than the single-process run")


if __name__ == "__main__":
    main()
