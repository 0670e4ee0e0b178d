"""Benchmark: the framework matrix and the codings import as codings grow (issue 14).

    PYTHONPATH=src .venv/bin/python bench/bench_matrix.py [--out bench/out/matrix] [--sizes 10000,100000]

On the demo project (its cases, sources and framework), generated people's codings are
inserted directly (SQLAlchemy Core, random codable codes at random offsets of random
sources, random coders) until the project holds each size; at each, ``build_matrix`` is
timed by participant and by organisation (best of ``--repeat``); the schema's covering
index on codings (source_id, start, status, code_id, coder; migration 0012) lets the
matrix's join read no table rows. Then ``codings import``
(the library function the command calls) is timed on CSV files of 10k and 100k rows into
a fresh copy of the demo, as rows/s. Prints a table and writes ``results.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import time
from pathlib import Path

from sqlalchemy import func, insert, select

from framesynth.chart.matrix import build_matrix
from framesynth.demo import build_demo_project
from framesynth.frame.framework import code_path, framework_codes
from framesynth.io.codings_table import import_codings
from framesynth.project import Project
from framesynth.store.models import Coding, Source


def spans(project: Project, count: int, seed: int) -> list[dict[str, object]]:
    """``count`` random codings of the demo: source, range, codable code, coder."""
    rng = random.Random(seed)
    with project.session() as session:
        sources = [(s.id, s.name, s.text) for s in session.scalars(select(Source))]
        codes = [(c.id, code_path(c)) for c in framework_codes(session) if c.codable]
    rows = []
    for _ in range(count):
        source_id, name, text = rng.choice(sources)
        start = rng.randrange(len(text) - 200)
        end = start + rng.randrange(20, 200)
        code_id, path = rng.choice(codes)
        rows.append({"source_id": source_id, "source": name, "start": start, "end": end,
                     "code_id": code_id, "code": path, "coder": rng.choice(["ana", "ben"]),
                     "text": text[start:end]})
    return rows


def grow(project: Project, size: int) -> None:
    """Insert generated codings until the project holds ``size``."""
    with project.session() as session:
        have = session.scalar(select(func.count(Coding.id))) or 0
    rows = spans(project, max(0, size - have), seed=size)
    with project.session() as session:
        for i in range(0, len(rows), 50_000):
            session.execute(insert(Coding), [
                {k: r[k] for k in ("source_id", "start", "end", "code_id", "coder", "text")}
                for r in rows[i:i + 50_000]])


def time_matrix(project: Project, rows: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        with project.session() as session:
            began = time.perf_counter()
            build_matrix(session, rows=rows)
            best = min(best, time.perf_counter() - began)
    return best


def time_import(demo: Path, out: Path, count: int) -> float:
    """rows/s of ``import_codings`` of ``count`` generated rows into a copy of the demo."""
    copy = out / f"import-{count}.fsdb"
    shutil.copy(demo, copy)
    table = out / f"codings-{count}.csv"
    with Project.open(copy) as project:
        rows = spans(project, count, seed=count + 1)
        with table.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, ["source", "start", "end", "code", "coder", "text"],
                                    extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        with project.session() as session:
            began = time.perf_counter()
            import_codings(session, table, actor="bench")
            seconds = time.perf_counter() - began
    return count / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench/out/matrix"))
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--imports", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    demo = build_demo_project(args.out / "demo")
    work = args.out / "matrix.fsdb"
    shutil.copy(demo, work)
    results: dict[str, object] = {"matrix": [], "import": []}
    with Project.open(work) as project:
        for size in (int(s) for s in args.sizes.split(",") if s):
            grow(project, size)
            row = {"codings": size,
                   "participant_s": round(time_matrix(project, "participant", args.repeat), 3),
                   "organisation_s": round(time_matrix(project, "organisation", args.repeat), 3)}
            print(f"matrix {size:>9,} codings: by participant {row['participant_s']:.3f} s, "
                  f"by organisation {row['organisation_s']:.3f} s", flush=True)
            results["matrix"].append(row)  # type: ignore[attr-defined]
    for count in (int(s) for s in args.imports.split(",") if s):
        rate = time_import(demo, args.out, count)
        print(f"codings import {count:>9,} rows: {rate:,.0f} rows/s", flush=True)
        results["import"].append({"rows": count, "rows_per_s": round(rate)})  # type: ignore[attr-defined]
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
