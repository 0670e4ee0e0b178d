"""Benchmark: import a generated corpus of transcripts, then time KWIC searches.

    .venv/bin/python bench/bench_import_search.py [--transcripts 2000] [--out bench/out]

The corpus is made from the demo transcripts' turns, reshuffled with a fixed seed into
new interviews and focus groups (so the words are realistic but no file repeats). It
prints import throughput (MB/s of transcript text, files/s) and search latency
percentiles (p50/p95) for plain words, phrases, filtered searches and regular
expressions, each query run against the whole corpus.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

from framesynth.demo import corpus_dir, corpus_files
from framesynth.familiarise.context import parse_where
from framesynth.familiarise.search import search
from framesynth.familiarise.speakers import detect_turns
from framesynth.io.importers import import_files, read_source
from framesynth.io.importers.case_table import import_case_table
from framesynth.project import Project

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


def demo_turns() -> list[str]:
    """Every spoken turn of the demo corpus (the words only)."""
    turns = []
    for path in corpus_files():
        imported = read_source(path)
        found = imported.turns if imported.turns is not None else detect_turns(imported.text)
        turns += [imported.text[t.start:t.end] for t in found if t.label]
    return turns


def generate(folder: Path, count: int, seed: int = 7) -> int:
    """Write ``count`` transcripts into ``folder``; returns their total size in bytes."""
    rng = random.Random(seed)
    turns = demo_turns()
    names = ["Maureen", "Gareth", "Siobhan", "Tomasz", "Priya", "Helen", "Jide", "Ruth",
             "Colin", "Anjali", "Kevin", "Lena", "Fiona", "Nadia", "Dawn", "Sam"]
    total = 0
    for number in range(count):
        group = number % 5 == 0
        speakers = rng.sample(names, 5) if group else [rng.choice(names)]
        lines = [f"Generated transcript {number}", ""]
        for turn in range(rng.randint(50, 80)):
            label = ("Facilitator" if group else "Interviewer") if turn % 2 == 0 else \
                rng.choice(speakers)
            lines += [f"{label}: {rng.choice(turns)}", ""]
        path = folder / f"t{number:05d}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        total += path.stat().st_size
    return total


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()

    shutil.rmtree(args.out, ignore_errors=True)
    corpus = args.out / "corpus"
    corpus.mkdir(parents=True)
    started = time.perf_counter()
    size = generate(corpus, args.transcripts)
    print(f"generated {args.transcripts} transcripts, {size / 1e6:.1f} MB "
          f"in {time.perf_counter() - started:.1f} s")

    files = sorted(corpus.iterdir())
    project_path = args.out / "bench.fsdb"
    with Project.create(project_path) as project:
        started = time.perf_counter()
        with project.session() as session:
            import_case_table(session, corpus_dir() / "cases.csv")
            import_files(session, files, progress=_progress)
        seconds = time.perf_counter() - started
        print(f"\nimport: {len(files)} files, {size / 1e6:.1f} MB in {seconds:.1f} s = "
              f"{size / 1e6 / seconds:.2f} MB/s, {len(files) / seconds:.0f} files/s")
        print(f"project file: {project_path.stat().st_size / 1e6:.1f} MB")

        print(f"\nsearch latency over {args.repeats} runs each (ms)")
        print(f"{'kind':<10} {'pattern':<36} {'hits':>7} {'p50':>8} {'p95':>8}")
        all_times: list[float] = []
        with project.session() as session:
            for kind, pattern, where, regex in QUERIES:
                times, hits = [], 0
                for _ in range(args.repeats):
                    t0 = time.perf_counter()
                    hits = len(search(session, pattern, regex=regex,
                                      where=parse_where(where or [])))
                    times.append((time.perf_counter() - t0) * 1000)
                all_times += times
                label = pattern + (f" [{' '.join(where)}]" if where else "")
                print(f"{kind:<10} {label[:36]:<36} {hits:>7} {percentile(times, 0.5):>8.1f} "
                      f"{percentile(times, 0.95):>8.1f}")
        print(f"{'all':<10} {'':<36} {'':>7} {percentile(all_times, 0.5):>8.1f} "
              f"{percentile(all_times, 0.95):>8.1f}  (mean {statistics.mean(all_times):.1f})")


def _progress(done: int, total: int, name: str) -> None:
    if done % 200 == 0 or done == total:
        sys.stderr.write(f"\rreading {done}/{total}")
        sys.stderr.flush()


if __name__ == "__main__":
    main()
