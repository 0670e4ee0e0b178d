"""Benchmark: theme suggestion scales linearly with the number of units.

    .venv/bin/python bench/bench_themes.py [--sizes 10000 30000 100000]

Clustering is the part that could grow quadratically, so this times it on synthetic
unit vectors (384 dimensions, as MiniLM gives, drawn around 15 hidden themes): k chosen
automatically (silhouette on a fixed-size sample) and fixed k. It prints seconds per
size, the time ratio against the size ratio, and whether a fixed seed gives the same
clusters twice. Embedding the units is linear by construction and benchmarked by
bench_autocode.py (units per second).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from framesynth.frame.themes import cluster


def synthetic(n: int, themes: int = 15, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(themes, 384))
    vectors = centres[rng.integers(0, themes, n)] + rng.normal(scale=2.5, size=(n, 384))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    args = parser.parse_args()
    print(f"{'units':>8} {'k=auto s':>9} {'chosen k':>9} {'k=12 s':>7} {'same twice':>11}")
    first: tuple[int, float] | None = None
    for n in args.sizes:
        vectors = synthetic(n)
        t0 = time.perf_counter()
        labels, centres = cluster(vectors, k="auto", seed=0)
        auto = time.perf_counter() - t0
        t0 = time.perf_counter()
        fixed, _ = cluster(vectors, k=12, seed=0)
        fixed_seconds = time.perf_counter() - t0
        again, _ = cluster(vectors, k=12, seed=0)
        print(f"{n:>8} {auto:>9.2f} {len(centres):>9} {fixed_seconds:>7.2f} "
              f"{str(bool((again == fixed).all())):>11}")
        if first is None:
            first = (n, fixed_seconds)
        else:
            print(f"{'':>8} size x{n / first[0]:.1f} -> k=12 time x{fixed_seconds / first[1]:.1f}")


if __name__ == "__main__":
    main()
