"""Benchmark: issue 14's team-server figures side by side, in one run.

    PYTHONPATH=src .venv/bin/python bench/bench_team.py            # 1k and 10k transcripts
    PYTHONPATH=src .venv/bin/python bench/bench_team.py --quick    # 100 transcripts, minutes
    ... --only sqlite-search,postgres-search   --skip taguette   --out bench/out

Parts (``--only`` / ``--skip`` take their names):

- ``sqlite-search``, ``postgres-search``: at each size (``--sizes``, default 1,000 and
  10,000; ``--quick`` 100) a fresh project (the demo's cases table, then the generated
  transcripts of ``bench_import_search`` in one ``import_files`` batch: files/s), then
  search latency per query kind: p50/p95 of the first page (50 hits with context) and of
  the count of all hits, over ``bench_import_search.QUERIES``;
- ``codings``: the same 1,000 codings (``--quick`` 200) over 100 WebVTT transcripts,
  bulk (``codings import``) and over HTTP (``POST /api/codings`` against
  ``framesynth serve``), on each backend;
- ``matrix``: ``build_matrix`` by participant and by organisation on the demo project
  grown to 1,000,000 generated codings (``--quick`` 10,000), ``bench_matrix``'s code;
- ``autocode``: auto-coding units/s with 1 and 2 Dask workers, once ``autocode``
  takes ``workers`` (:func:`autocode_workers_hook`); until then reported as pending;
- ``taguette``: ``bench_taguette.run`` (framesynth against Taguette 1.5.2, 100
  documents, 1,000 codings; installs Taguette from PyPI into a throwaway venv).

PostgreSQL: ``FRAMESYNTH_TEST_POSTGRES`` (a server URL whose role may create databases),
else a cluster started with ``tools/throwaway-postgres`` and stopped afterwards; each
project is a database created for it and dropped after. A part that fails (a backend
not ready yet) is reported with its error, and the run goes on. Prints one table; writes
``<out>/team.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any
from uuid import uuid4

import bench_matrix
import bench_taguette
from bench_import_search import QUERIES, _times, generate, percentile
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from framesynth.demo import build_demo_project, corpus_dir
from framesynth.errors import InvalidArgument
from framesynth.familiarise.context import parse_where
from framesynth.familiarise.search import count_hits, search
from framesynth.io.importers import import_files
from framesynth.io.importers.case_table import import_case_table
from framesynth.project import Project
from framesynth.store.models import Turn

PARTS = ["sqlite-search", "postgres-search", "codings", "matrix", "autocode", "taguette"]
ROOT = Path(__file__).resolve().parent.parent
PAGE = 50


# -- where projects live -----------------------------------------------------------------


class Backends:
    """Hands out fresh project locations: SQLite files in ``folder``, PostgreSQL databases
    on one server (dropped by :meth:`close`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._server: str | None = None
        self._cluster: Path | None = None
        self._databases: list[str] = []

    def server(self) -> str:
        if self._server is None:
            url = os.environ.get("FRAMESYNTH_TEST_POSTGRES")
            if not url:
                self._cluster = Path(tempfile.mkdtemp(prefix="fs-bench-pg-"))
                url = subprocess.run([str(ROOT / "tools" / "throwaway-postgres"), "start",
                                      str(self._cluster)], check=True, capture_output=True,
                                     text=True).stdout.strip()
            self._server = url
        return self._server

    def new(self, backend: str, name: str) -> str | Path:
        if backend == "sqlite":
            path = self.folder / f"{name}.fsdb"
            path.unlink(missing_ok=True)
            return path
        server = make_url(self.server())
        database = f"fs_bench_{name.replace('-', '_')}_{uuid4().hex[:8]}"
        with _admin(server) as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        self._databases.append(database)
        return server.set(database=database).render_as_string(hide_password=False)

    def close(self) -> None:
        if self._server is not None:
            with contextlib.suppress(Exception), _admin(make_url(self._server)) as connection:
                for database in self._databases:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        if self._cluster is not None:
            subprocess.run([str(ROOT / "tools" / "throwaway-postgres"), "stop",
                            str(self._cluster)], check=False)
            shutil.rmtree(self._cluster, ignore_errors=True)


@contextlib.contextmanager
def _admin(server: Any) -> Iterator[Any]:
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


# -- the parts ---------------------------------------------------------------------------


def import_and_search(backends: Backends, backend: str, files: list[Path], sizes: list[int],
                      repeats: int) -> list[dict[str, Any]]:
    """Per size: a fresh project, the import timed, then searches per query kind."""
    rows = []
    for size in sizes:
        location = backends.new(backend, f"{backend}-{size}")
        with Project.create(location) as project:
            with project.session() as session:
                import_case_table(session, corpus_dir() / "cases.csv")
            started = time.perf_counter()
            with project.session() as session:
                import_files(session, files[:size], actor="bench")
            seconds = time.perf_counter() - started
            with project.session() as session:
                turns = session.scalar(select(func.count(Turn.id))) or 0
            _note(f"{backend} import {size}: {size / seconds:.0f} files/s")
            rows.append({"backend": backend, "size": size, "import_s": round(seconds, 2),
                         "files_per_s": round(size / seconds, 1), "turns": turns,
                         "search": search_by_kind(project, repeats)})
    return rows


def search_by_kind(project: Project, repeats: int) -> dict[str, dict[str, float]]:
    """p50/p95 (ms) of the first page and of the count, pooled per query kind."""
    pooled: dict[str, dict[str, list[float]]] = {}
    with project.session() as session:
        for kind, pattern, where, regex in QUERIES:
            options: dict[str, Any] = {"regex": regex, "where": parse_where(where or [])}
            kept = pooled.setdefault(kind, {"page": [], "count": []})
            kept["page"] += _times(repeats, partial(search, session, pattern, limit=PAGE,
                                                    **options))
            try:
                kept["count"] += _times(repeats, partial(count_hits, session, pattern,
                                                         **options))
            except InvalidArgument:  # a regex count over the time limit
                kept["count"].append(float("nan"))
    return {kind: {f"{what}_{name}": round(percentile(times, fraction), 1)
                   for what, times in kept.items()
                   for name, fraction in (("p50", 0.5), ("p95", 0.95))}
            for kind, kept in pooled.items()}


def codings(backends: Backends, backend: str, folder: Path, count: int) -> list[dict[str, Any]]:
    """The same ``count`` codings over 100 WebVTT transcripts, in bulk and over HTTP."""
    corpus = folder / "vtt"
    if not corpus.is_dir():
        corpus.mkdir(parents=True)
        generate(corpus, 100, fmt="vtt")
    files = sorted(corpus.iterdir())
    plan = bench_taguette.plan_codings(bench_taguette.turn_counts(len(files)), count)
    rows: list[dict[str, Any]] = []
    bulk = _location_with_codes(backends.new(backend, f"{backend}-bulk"))
    bench_taguette.import_library(bulk, files)
    spans = bench_taguette.planned_spans(bulk, plan, files)
    rows.append(_row(backend, bench_taguette.bulk_codings(bulk, spans, folder)))
    web = _location_with_codes(backends.new(backend, f"{backend}-web"))
    bench_taguette.import_library(web, files)
    try:
        workbench = bench_taguette.Workbench(web, folder)
    except RuntimeError as error:  # `serve` cannot take this backend yet
        rows.append({"backend": backend, "path": "HTTP, POST /api/codings per coding",
                     "count": len(spans), "failed": _last_line(str(error))})
        return rows
    try:
        spans = bench_taguette.planned_spans(web, plan, files)
        rows.append(_row(backend, bench_taguette.http_codings(workbench, spans)))
    finally:
        workbench.close()
    return rows


def _last_line(message: str) -> str:
    lines = [line for line in message.splitlines() if line.strip()]
    return lines[-1][:200] if lines else message


def _location_with_codes(location: str | Path) -> str | Path:
    with Project.create(location) as project, project.session() as session:
        for name in bench_taguette.CODES:
            bench_taguette.add_code(session, bench_taguette.CodeSpec(name=name))
    return location


def _row(backend: str, timing: bench_taguette.Timing) -> dict[str, Any]:
    return {"backend": backend, **timing.as_dict()}


def matrix(folder: Path, size: int, repeat: int) -> dict[str, Any]:
    """``build_matrix`` on the demo grown to ``size`` codings (SQLite), best of ``repeat``."""
    folder.mkdir(parents=True, exist_ok=True)
    demo = build_demo_project(folder / "demo")
    work = folder / "matrix.fsdb"
    shutil.copy(demo, work)
    with Project.open(work) as project:
        started = time.perf_counter()
        bench_matrix.grow(project, size)
        grown = time.perf_counter() - started
        return {"backend": "sqlite", "codings": size, "grow_s": round(grown, 1),
                "participant_s": round(bench_matrix.time_matrix(project, "participant", repeat), 3),
                "organisation_s": round(bench_matrix.time_matrix(project, "organisation", repeat),
                                        3)}


def autocode_workers_hook() -> Callable[..., Any] | None:
    """The ``autocode`` command if it takes ``workers`` (the dask branch), else None.

    Once it does, :func:`autocode_rates` times it with 1 and 2 workers; this is the one
    place to adapt if the option ends up named differently.
    """
    from framesynth.cli.index import autocode

    return autocode if "workers" in inspect.signature(autocode).parameters else None


def autocode_rates(folder: Path, files: list[Path], workers: list[int]) -> dict[str, Any]:
    """Auto-coding units/s (keyword method, every turn of ``files``) per worker count
    (0: in this process, no Dask)."""
    command = autocode_workers_hook()
    if command is None:
        return {"pending": "autocode has no workers option yet (branch dask)"}
    rows = []
    for count in workers:
        path = folder / f"autocode-{count}.fsdb"
        path.unlink(missing_ok=True)
        shutil.copy(build_demo_project(folder / "autocode-demo"), path)
        bench_taguette.import_library(path, files)
        with Project.open(path) as project, project.session() as session:
            units = session.scalar(select(func.count(Turn.id))) or 0
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            command(project=str(path), method="keyword", workers=count or None)
        seconds = time.perf_counter() - started
        rows.append({"workers": count, "units": units, "seconds": round(seconds, 2),
                     "units_per_s": round(units / seconds, 1)})
    return {"rows": rows}


# -- the run -----------------------------------------------------------------------------


def attempt(results: dict[str, Any], name: str, call: Callable[[], Any]) -> None:
    """Run one part; a failure is recorded (its last line) and the run goes on."""
    started = time.perf_counter()
    _note(f"-- {name}")
    try:
        results[name] = call()
    except Exception as error:  # noqa: BLE001 (a part not ready yet must not stop the rest)
        _note(traceback.format_exc(limit=3))
        results[name] = {"failed": f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"}
    results.setdefault("seconds", {})[name] = round(time.perf_counter() - started, 1)


def report(results: dict[str, Any]) -> str:
    """One table of everything measured: import and search with a column per backend and
    size, then every other figure a row."""
    searched = [row for part in ("sqlite-search", "postgres-search")
                for row in (results.get(part) if isinstance(results.get(part), list) else [])]
    columns = [f"{row['backend']} {row['size']:,}" for row in searched]
    cells: dict[str, list[str]] = {}

    def put(measure: str, column: int, value: float) -> None:
        shown = "over limit" if value != value else f"{value:,.1f}"  # NaN: a regex count refused
        cells.setdefault(measure, [""] * len(columns))[column] = shown

    for index, row in enumerate(searched):
        put("import, files/s", index, row["files_per_s"])
        for kind, figures in row["search"].items():
            for key, value in figures.items():
                what, pct = key.split("_")
                put(f"search {kind}, {'first page' if what == 'page' else 'count'} {pct} ms",
                    index, value)
    width = 50
    lines = [f"{'measure':<{width}} " + " ".join(f"{c:>15}" for c in columns)]
    lines += [f"{m:<{width}} " + " ".join(f"{v:>15}" for v in row) for m, row in cells.items()]
    for part in ("sqlite-search", "postgres-search"):
        if isinstance(results.get(part), dict):
            lines.append(f"{part:<{width}} failed: {results[part].get('failed', '')}")
    lines += ["", f"{'measure':<{width}} {'backend/tool':<12} {'n':>9} {'value':>10}  unit"]

    def add(measure: str, who: str, size: Any, value: Any, unit: str) -> None:
        shown = f"{value:>10,.1f}" if isinstance(value, float | int) else f"{value!s:>10}"
        lines.append(f"{measure:<{width}} {who:<12} {size!s:>9} {shown}  {unit}")

    for part in ("codings-sqlite", "codings-postgres"):
        found = results.get(part)
        if isinstance(found, dict):
            add("codings", part.split("-")[1], "-", "failed", found.get("failed", "")[:80])
            continue
        for row in found or []:
            if "failed" in row:
                add(f"codings: {row['path']}", row["backend"], row["count"], "failed",
                    row["failed"][:80])
            else:
                add(f"codings: {row['path']}", row["backend"], row["count"], row["per_s"],
                    "codings/s")
    found = results.get("matrix")
    if found and "failed" not in found:
        for rows in ("participant", "organisation"):
            add(f"matrix by {rows}", found["backend"], f"{found['codings']:,}",
                found[f"{rows}_s"], "s")
    elif found:
        add("matrix", "sqlite", "-", "failed", found["failed"][:80])
    found = results.get("autocode")
    if found:
        for row in found.get("rows", []):
            label = (f"{row['workers']} Dask worker(s)" if row["workers"] else "one process")
            add(f"autocode, {label}", "sqlite", row["units"],
                row["units_per_s"], "units/s")
        if "rows" not in found:
            add("autocode, 1 and 2 Dask workers", "sqlite", "-", "pending",
                found.get("pending", found.get("failed", ""))[:80])
    found = results.get("taguette")
    if found and "rows" in found:
        for row in sorted(found["rows"], key=lambda r: r["task"] != "import"):
            add(f"{row['task']}: {row['path']}", row["tool"], row["count"], row["per_s"],
                "per s")
    elif found:
        add("taguette", "-", "-", "failed", found.get("failed", "")[:80])
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 100 transcripts, 200 codings, 10k-coding matrix")
    parser.add_argument("--only", default="", help=f"comma-separated parts: {', '.join(PARTS)}")
    parser.add_argument("--skip", default="", help="comma-separated parts to leave out")
    parser.add_argument("--sizes", default="", help="transcript counts (default 1000,10000)")
    parser.add_argument("--repeats", type=int, default=0, help="runs per search (default 5)")
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    chosen = [p.strip() for p in args.only.split(",") if p.strip()] or list(PARTS)
    unknown = set(chosen) | {p.strip() for p in args.skip.split(",") if p.strip()}
    if unknown - set(PARTS):
        parser.error(f"unknown part(s) {', '.join(sorted(unknown - set(PARTS)))}; "
                     f"use {', '.join(PARTS)}")
    chosen = [p for p in chosen if p not in args.skip.split(",")]
    sizes = [int(s) for s in args.sizes.split(",") if s] or ([100] if args.quick
                                                              else [1000, 10_000])
    repeats = args.repeats or (3 if args.quick else 5)
    folder = args.out / "team"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    results: dict[str, Any] = {"quick": args.quick, "sizes": sizes, "repeats": repeats,
                               "load_before": os.getloadavg(), "cpus": os.cpu_count()}
    backends = Backends(folder)
    began = time.perf_counter()
    try:
        needs_corpus = {"sqlite-search", "postgres-search", "autocode"} & set(chosen)
        files: list[Path] = []
        if needs_corpus:
            corpus = folder / "corpus"
            corpus.mkdir()
            generate(corpus, max(sizes))
            files = sorted(corpus.iterdir())
        for backend in ("sqlite", "postgres"):
            if f"{backend}-search" in chosen:
                attempt(results, f"{backend}-search", partial(
                    import_and_search, backends, backend, files, sizes, repeats))
        if "codings" in chosen:
            for backend in ("sqlite", "postgres"):
                attempt(results, f"codings-{backend}", partial(
                    codings, backends, backend, folder, 200 if args.quick else 1000))
        if "matrix" in chosen:
            attempt(results, "matrix", partial(matrix, folder / "matrix",
                                               10_000 if args.quick else 1_000_000, 3))
        if "autocode" in chosen:
            attempt(results, "autocode", partial(autocode_rates, folder, files[:100], [0, 1, 2]))
        if "taguette" in chosen:
            attempt(results, "taguette", partial(
                bench_taguette.run, args.out, 20 if args.quick else 100,
                200 if args.quick else 1000))
    finally:
        backends.close()
    results["load_after"] = os.getloadavg()
    results["total_s"] = round(time.perf_counter() - began, 1)
    results["table"] = report(results)
    (args.out / "team.json").write_text(json.dumps(results, indent=2, default=str) + "\n",
                                        encoding="utf-8")
    load = "/".join(f"{x:.1f}" for x in results["load_before"])
    print(f"issue 14 side by side: sizes {sizes}, {repeats} runs per search, "
          f"{os.cpu_count()} CPUs, load average {load} before, "
          f"{results['load_after'][0]:.1f} after; {results['total_s']:.0f} s")
    print(results["table"])
    shutil.rmtree(folder, ignore_errors=True)


def _note(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


if __name__ == "__main__":
    main()
