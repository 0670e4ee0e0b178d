"""Benchmark: ``framesynth copy`` of a large project, SQLite -> PostgreSQL and back (issue 14).

    FRAMESYNTH_TEST_POSTGRES=postgresql+psycopg://user@host/postgres \\
    PYTHONPATH=src .venv/bin/python bench/bench_copy.py [--transcripts 1000] [--codings 100000]

The project: the demo, plus ``--transcripts`` generated transcripts imported by the
``import`` command's code (``bench_import_search.generate``) and generated codings up to
``--codings`` (``bench_matrix.grow``). It is built once under ``--out`` (``--reuse``
takes the one already there). Then each copy is timed, wall clock and this process's
CPU: to a new database on the server of ``--postgres`` (a role that may create
databases; default ``FRAMESYNTH_TEST_POSTGRES``) without and with the row-by-row check,
from that database back to a file, and file to file. Rows/s counts every row copied.
The databases it creates are dropped at the end. Results: ``<out>/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench_import_search import generate, timed_import
from bench_matrix import grow
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from framesynth.demo import build_demo_project
from framesynth.project import Project
from framesynth.store.copy import copy_project
from framesynth.store.models import Coding, Source, Turn


def build(out: Path, transcripts: int, codings: int) -> Path:
    """The demo grown to ``transcripts`` more sources and ``codings`` codings."""
    path = out / "large.fsdb"
    path.unlink(missing_ok=True)
    shutil.copy(build_demo_project(out / "demo"), path)
    folder = out / "transcripts"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    generate(folder, transcripts)
    files = sorted(folder.glob("*.txt"))
    for start in range(0, len(files), 500):
        timed_import(path, files[start:start + 500])
    with Project.open(path) as project:
        grow(project, codings)
    return path


@contextmanager
def database(server: str) -> Iterator[str]:
    """A new, empty database on ``server`` (its URL), dropped afterwards."""
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"fs_bench_copy_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def timed(label: str, source: str | Path, destination: str | Path, *, check: bool
          ) -> dict[str, object]:
    began, cpu = time.perf_counter(), time.process_time()
    report = copy_project(source, destination, check=check)
    seconds, cpu_s = time.perf_counter() - began, time.process_time() - cpu
    row = {"copy": label, "check": check, "rows": report.total_rows,
           "seconds": round(seconds, 1), "cpu_s": round(cpu_s, 1),
           "rows_per_s": round(report.total_rows / seconds)}
    print(f"{label:<22} check={'yes' if check else 'no ':<4} {report.total_rows:>9,} rows "
          f"{seconds:>7.1f} s  {row['rows_per_s']:>7,} rows/s  (cpu {cpu_s:.1f} s)", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=1000)
    parser.add_argument("--codings", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("bench/out/copy"))
    parser.add_argument("--postgres", default=os.environ.get("FRAMESYNTH_TEST_POSTGRES"))
    parser.add_argument("--reuse", action="store_true", help="copy the project built before")
    args = parser.parse_args()
    if not args.postgres:
        parser.error("give --postgres URL or set FRAMESYNTH_TEST_POSTGRES")
    args.out.mkdir(parents=True, exist_ok=True)
    large = args.out / "large.fsdb"
    if not (args.reuse and large.exists()):
        large = build(args.out, args.transcripts, args.codings)
    with Project.open(large) as project, project.session() as session:
        counts = {name: session.scalar(select(func.count()).select_from(model))
                  for name, model in (("sources", Source), ("turns", Turn), ("codings", Coding))}
    print(f"project: {counts} ({large.stat().st_size / 1e6:.0f} MB)", flush=True)
    rows = []
    for path in ("back.fsdb", "file.fsdb"):
        (args.out / path).unlink(missing_ok=True)
    with database(args.postgres) as first, database(args.postgres) as second:
        rows.append(timed("file -> PostgreSQL", large, first, check=False))
        rows.append(timed("file -> PostgreSQL", large, second, check=True))
        rows.append(timed("PostgreSQL -> file", second, args.out / "back.fsdb", check=True))
    rows.append(timed("file -> file", large, args.out / "file.fsdb", check=True))
    results = {"project": counts, "copies": rows}
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
