"""Benchmark: import throughput as a project grows, then time KWIC searches.

    .venv/bin/python bench/bench_import_search.py [--transcripts 10000] [--batch 500]
                                                  [--repeats 5] [--out bench/out]

The corpus is made from the demo transcripts' turns, reshuffled with a fixed seed into
new interviews and focus groups (so the words are realistic but no file repeats).

Import runs the ``framesynth import`` command's code (read, store, the summary it
prints) at a tenth, a fifth, a half and all of ``--transcripts`` (1k, 2k, 5k, 10k by
default), two ways:

- one batch: a fresh project imports all the files in one command;
- growing: one project imports them ``--batch`` files per command, so the later
  batches go into a project that already holds thousands of sources.

A scratch import of 20 files first loads what a process loads once (the language
model), so the smallest size is not charged for it. It prints files/s and turns/s per
size (for the growing project, of the batch that brings it to that size), files per CPU
second (the process's own CPU time, which stays steady when other work shares the
machine) and the ratio of the largest size's files/s to the smallest's (1.0 means the
cost per file does not grow). Then it prints search latency percentiles (p50/p95) for
plain words, phrases, filtered searches and regular expressions over the smallest and
largest projects: the first page (50 hits with context) and the count of all hits, per
query and per kind. ``--search-only`` imports just those two sizes and times searches.
``--trigram-cost N`` times one batch of N files into a fresh project with and without
the ``turn_trigram`` triggers (migration 0011; dropped in that scratch project), in
turn, ``--repeats`` times: what the regex index costs an import.
Results go to ``<out>/import/results.txt`` and ``results.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from framesynth.cli.familiarise import import_ as import_command
from framesynth.demo import corpus_dir, corpus_files
from framesynth.errors import InvalidArgument
from framesynth.familiarise.context import parse_where
from framesynth.familiarise.search import count_hits, search
from framesynth.familiarise.speakers import detect_turns
from framesynth.io.importers import read_source
from framesynth.io.importers.case_table import import_case_table
from framesynth.project import Project
from framesynth.store.models import Turn

QUERIES = [
    ("word", "trust", None, False),
    ("word", "referral", None, False),
    ("word", "funding", None, False),
    ("rare word", "slimming", None, False),
    ("phrase", "waiting list", None, False),
    ("phrase", "steering group", None, False),
    ("filtered", "trust", ["sector=statutory"], False),
    ("filtered", "waiting list", ["sector=community", "role=project lead"], False),
    ("regex", r"\b(bus|van|minibus)(es)?\b", None, True),
    ("regex", r"\b\w+ weeks?\b", None, True),
]


@dataclass
class Row:
    """One measured import: ``files`` files holding ``turns`` turns in ``seconds``."""

    mode: str
    size: int
    files: int
    turns: int
    seconds: float
    cpu: float

    @property
    def files_per_s(self) -> float:
        return self.files / self.seconds

    @property
    def turns_per_s(self) -> float:
        return self.turns / self.seconds

    @property
    def files_per_cpu_s(self) -> float:
        return self.files / self.cpu


def demo_turns() -> list[str]:
    """Every spoken turn of the demo corpus (the words only)."""
    turns = []
    for path in corpus_files():
        imported = read_source(path)
        found = imported.turns if imported.turns is not None else detect_turns(imported.text)
        turns += [imported.text[t.start:t.end] for t in found if t.label]
    return turns


def transcripts(count: int, seed: int = 7) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """``count`` generated transcripts: each a title and its (speaker label, words) turns.

    Interviews alternate an Interviewer and one participant; every fifth transcript is a
    focus group (a Facilitator and five participants), so a speaker never follows itself.
    """
    rng = random.Random(seed)
    turns = demo_turns()
    names = ["Maureen", "Gareth", "Siobhan", "Tomasz", "Priya", "Helen", "Jide", "Ruth",
             "Colin", "Anjali", "Kevin", "Lena", "Fiona", "Nadia", "Dawn", "Sam"]
    for number in range(count):
        group = number % 5 == 0
        speakers = rng.sample(names, 5) if group else [rng.choice(names)]
        spoken = []
        for turn in range(rng.randint(50, 80)):
            label = ("Facilitator" if group else "Interviewer") if turn % 2 == 0 else \
                rng.choice(speakers)
            spoken.append((label, rng.choice(turns)))
        yield f"Generated transcript {number}", spoken


def generate(folder: Path, count: int, seed: int = 7, fmt: str = "txt") -> int:
    """Write ``count`` transcripts into ``folder`` as ``t00000.txt`` ... (``fmt`` "txt")
    or as WebVTT (``fmt`` "vtt": one cue a turn, ``Name: words``, the words on one line,
    which both framesynth and Taguette read without a converter); returns their total
    size in bytes."""
    total = 0
    for number, (title, spoken) in enumerate(transcripts(count, seed)):
        if fmt == "vtt":
            lines = ["WEBVTT", ""]
            for index, (label, words) in enumerate(spoken):
                lines += [f"{_clock(index * 5)} --> {_clock(index * 5 + 4)}",
                          f"{label}: {' '.join(words.split())}", ""]
        else:
            lines = [title, ""]
            for label, words in spoken:
                lines += [f"{label}: {words}", ""]
        path = folder / f"t{number:05d}.{fmt}"
        path.write_text("\n".join(lines), encoding="utf-8")
        total += path.stat().st_size
    return total


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.000"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def new_project(path: Path) -> Path:
    """A fresh project holding the demo's cases table (so speakers get linked)."""
    path.unlink(missing_ok=True)
    with Project.create(path) as project, project.session() as session:
        import_case_table(session, corpus_dir() / "cases.csv")
    return path


def turn_count(path: Path) -> int:
    with Project.open(path) as project, project.session() as session:
        return session.scalar(select(func.count(Turn.id))) or 0


def timed_import(path: Path, files: list[Path]) -> tuple[float, float, str]:
    """Wall and CPU seconds the ``import`` command takes for ``files``, and what it printed."""
    printed = io.StringIO()
    started, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(printed):
        import_command(project=path, files=files, kind=None, cases=None)
    return (time.perf_counter() - started, time.process_time() - cpu,
            printed.getvalue().strip())


def warm_up(folder: Path, files: list[Path]) -> None:
    """Import a few files into a scratch project, so that what a process pays once (its
    imports, the language model) is not counted against the first size timed."""
    path = new_project(folder / "warm-up.fsdb")
    timed_import(path, files[:20])
    path.unlink()


def single_batches(folder: Path, files: list[Path], sizes: list[int]) -> list[Row]:
    """Each size imported in one command into a fresh project."""
    rows = []
    for size in sizes:
        path = new_project(folder / f"single-{size}.fsdb")
        seconds, cpu, _ = timed_import(path, files[:size])
        rows.append(Row("one batch", size, size, turn_count(path), seconds, cpu))
        _note(f"one batch of {size}: {size / seconds:.0f} files/s")
    return rows


def growing(folder: Path, files: list[Path], sizes: list[int], batch: int) -> list[Row]:
    """Batches of ``batch`` files into one project; the batch reaching each size is kept."""
    path = new_project(folder / "growing.fsdb")
    rows, before = [], 0
    for start in range(0, sizes[-1], batch):
        chunk = files[start:start + batch]
        seconds, cpu, _ = timed_import(path, chunk)
        after = turn_count(path)
        if start + len(chunk) in sizes:
            rows.append(Row(f"growing, batches of {batch}", start + len(chunk), len(chunk),
                            after - before, seconds, cpu))
            _note(f"growing, batch to {start + len(chunk)}: {len(chunk) / seconds:.0f} files/s")
        before = after
    return rows


def table(rows: list[Row]) -> str:
    """The rows as a text table, with the largest/smallest files/s ratio per mode."""
    lines = [f"{'mode':<26} {'sources':>8} {'files':>6} {'turns':>8} {'s':>7} "
             f"{'files/s':>8} {'turns/s':>8} {'files/cpu-s':>12}"]
    for mode in dict.fromkeys(row.mode for row in rows):
        group = [row for row in rows if row.mode == mode]
        for row in group:
            lines.append(f"{row.mode:<26} {row.size:>8} {row.files:>6} {row.turns:>8} "
                         f"{row.seconds:>7.2f} {row.files_per_s:>8.0f} {row.turns_per_s:>8.0f} "
                         f"{row.files_per_cpu_s:>12.0f}")
        wall = group[-1].files_per_s / group[0].files_per_s
        cpu = group[-1].files_per_cpu_s / group[0].files_per_cpu_s
        lines.append(f"{mode:<26} files/s at {group[-1].size} / at {group[0].size}: "
                     f"{wall:.2f} (per CPU second: {cpu:.2f})")
    return "\n".join(lines)


def search_latency(path: Path, repeats: int) -> list[str]:
    """Lines of the search latency table over the project at ``path``: the first page
    (50 hits, with context) and the count of all hits, per query."""
    lines = [f"search latency over {repeats} runs each (ms), {path.stem}",
             f"{'kind':<10} {'pattern':<36} {'hits':>7} {'page p50':>9} {'page p95':>9} "
             f"{'count p50':>10} {'count p95':>10}"]
    by_kind: dict[str, tuple[list[float], list[float]]] = {}
    with Project.open(path) as project, project.session() as session:
        for kind, pattern, where, regex in QUERIES:
            options: dict[str, Any] = {"regex": regex, "where": parse_where(where or [])}
            pages = _times(repeats, partial(search, session, pattern, limit=PAGE, **options))
            try:
                counts = _times(repeats, partial(count_hits, session, pattern, **options))
                hits = count_hits(session, pattern, **options)
            except InvalidArgument:  # a regex count over the time limit
                counts, hits = [float("nan")], -1
            kept = by_kind.setdefault(kind, ([], []))
            kept[0].extend(pages)
            kept[1].extend(counts)
            label = pattern + (f" [{' '.join(where)}]" if where else "")
            lines.append(f"{kind:<10} {label[:36]:<36} {hits:>7} {_p(pages)} {_p(counts, 10)}")
    for kind, (pages, counts) in by_kind.items():
        lines.append(f"{'all ' + kind:<47} {'':>7} {_p(pages)} {_p(counts, 10)}")
    everything = [t for pages, _ in by_kind.values() for t in pages]
    lines.append(f"first page, all kinds: p95 {percentile(everything, 0.95):.1f} ms "
                 f"(mean {statistics.mean(everything):.1f})")
    return lines


PAGE = 50  # hits on a first page


def _times(repeats: int, call: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def _p(times: list[float], width: int = 9) -> str:
    return f"{percentile(times, 0.5):>{width}.1f} {percentile(times, 0.95):>{width}.1f}"


def search_only(folder: Path, files: list[Path], sizes: list[int], repeats: int,
                reuse: bool = False) -> list[str]:
    """Search latency at the smallest and largest sizes, each imported in one batch
    (with ``reuse``, a project left by an earlier run is searched as it is)."""
    report = []
    for size in (sizes[0], sizes[-1]):
        path = folder / f"single-{size}.fsdb"
        if not (reuse and path.exists()):
            seconds, _, _ = timed_import(new_project(path), files[:size])
            _note(f"imported {size} in {seconds:.0f} s")
        report += search_latency(path, repeats) + [""]
    return report


def trigram_cost(folder: Path, files: list[Path], size: int, repeats: int) -> list[str]:
    """files/s and files/cpu-s of one batch of ``size`` files, with the trigram
    triggers and without them, alternating, best of ``repeats`` each."""
    best: dict[str, tuple[float, float]] = {}
    for _ in range(repeats):
        for label in ("with turn_trigram", "without turn_trigram"):
            path = new_project(folder / "trigram.fsdb")
            if label.startswith("without"):
                with Project.open(path) as project, project.engine.begin() as connection:
                    connection.exec_driver_sql("DROP TRIGGER turns_trigram_insert")
                    connection.exec_driver_sql("DROP TRIGGER turns_trigram_delete")
            seconds, cpu, _ = timed_import(path, files[:size])
            rate = (size / seconds, size / cpu)
            best[label] = max(best.get(label, (0.0, 0.0)), rate)
            _note(f"{label}: {rate[0]:.0f} files/s, {rate[1]:.0f} files/cpu-s")
    lines = [f"import of {size} files in one batch, best of {repeats}"]
    lines += [f"{label:<22} {wall:>6.0f} files/s {cpu:>6.0f} files/cpu-s"
              for label, (wall, cpu) in best.items()]
    with_, without = best["with turn_trigram"], best["without turn_trigram"]
    lines.append(f"the trigram index costs {100 * (1 - with_[1] / without[1]):.0f}% of the "
                 f"files per CPU second ({100 * (1 - with_[0] / without[0]):.0f}% wall)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=10_000,
                        help="the largest size; also timed at 1/10, 1/5 and 1/2 of it")
    parser.add_argument("--batch", type=int, default=500,
                        help="files per import into the growing project")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--search-only", action="store_true",
                        help="skip the import timings: import the smallest and largest "
                             "sizes once and time searches over both")
    parser.add_argument("--reuse", action="store_true",
                        help="with --search-only: search the projects an earlier run left")
    parser.add_argument("--trigram-cost", type=int, metavar="N",
                        help="only time an import of N files with and without the "
                             "turn_trigram triggers")
    args = parser.parse_args()

    sizes = sorted({max(1, args.transcripts * part // 10) for part in (1, 2, 5, 10)})
    batch = min(args.batch, max(1, sizes[0] // 2))  # the first batch timed is not the first
    folder = args.out / "import"
    if args.reuse and args.search_only:
        report = search_only(folder, [], sizes, args.repeats, reuse=True)
        print("\n".join(report))
        return
    shutil.rmtree(folder, ignore_errors=True)
    corpus = folder / "corpus"
    corpus.mkdir(parents=True)
    started = time.perf_counter()
    size = generate(corpus, sizes[-1])
    _note(f"generated {sizes[-1]} transcripts, {size / 1e6:.1f} MB "
          f"in {time.perf_counter() - started:.1f} s")
    files = sorted(corpus.iterdir())

    if args.trigram_cost:
        warm_up(folder, files)
        report = trigram_cost(folder, files, args.trigram_cost, args.repeats)
        print("\n".join(report))
        (folder / "trigram.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
        return
    if args.search_only:
        report = search_only(folder, files, sizes, args.repeats)
        print("\n".join(report))
        (folder / "results.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
        return
    warm_up(folder, files)
    rows = single_batches(folder, files, sizes) + growing(folder, files, sizes, batch)
    largest = folder / f"single-{sizes[-1]}.fsdb"
    report = [f"import throughput ({sizes[-1]} transcripts, {size / 1e6:.1f} MB; "
              f"project file {largest.stat().st_size / 1e6:.1f} MB)", table(rows), ""]
    report += search_latency(folder / f"single-{sizes[0]}.fsdb", args.repeats) + [""]
    report += search_latency(largest, args.repeats)
    print("\n".join(report))
    (folder / "results.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    results = [{**asdict(row), "files_per_s": row.files_per_s, "turns_per_s": row.turns_per_s,
                "files_per_cpu_s": row.files_per_cpu_s} for row in rows]
    (folder / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def _note(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


if __name__ == "__main__":
    main()
