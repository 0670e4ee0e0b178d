"""Benchmark: theme suggestion scales linearly with the number of units.

    .venv/bin/python bench/bench_themes.py [--sizes 10000 30000 100000]

Clustering is the part that could grow quadratically, so this times it on synthetic
unit vectors (384 dimensions, as MiniLM gives, drawn around 15 hidden themes) with
synthetic texts (each theme's own words among common ones): the default pipeline
(``combined`` representation, Ward on a fixed-size sample, the rest assigned) with k
chosen automatically and with k=12, and MiniBatchKMeans on the vectors for comparison.
It prints seconds per size, the time ratio against the size ratio, and whether a fixed
seed gives the same clusters twice. Embedding the units is linear by construction and
benchmarked by bench_autocode.py (units per second).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from framesynth.frame.themes import cluster, cluster_units


def synthetic(n: int, themes: int = 15, seed: int = 1) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(themes, 384))
    hidden = rng.integers(0, themes, n)
    vectors = centres[hidden] + rng.normal(scale=2.5, size=(n, 384))
    own = [[f"theme{letters(t)}word{letters(w)}" for w in range(20)] for t in range(themes)]
    common = [f"common{letters(w)}" for w in range(200)]
    texts = [" ".join([*rng.choice(own[t], 4), *rng.choice(common, 8)]) for t in hidden]
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32), texts


def letters(number: int) -> str:
    return "".join("abcdefghij"[int(d)] for d in str(number))


def timed(run, *args, **options):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    result = run(*args, **options)
    return result, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    args = parser.parse_args()
    print(f"{'units':>8} {'auto s':>7} {'chosen k':>9} {'k=12 s':>7} {'kmeans s':>9} "
          f"{'same twice':>11}")
    first: tuple[int, float, float] | None = None
    for n in args.sizes:
        vectors, texts = synthetic(n)
        (_, auto), auto_s = timed(cluster_units, vectors, texts, k="auto", seed=0)
        (_, fixed), fixed_s = timed(cluster_units, vectors, texts, k=12, seed=0)
        _, kmeans_s = timed(cluster, vectors, k=12, seed=0, algorithm="kmeans")
        _, again = cluster_units(vectors, texts, k=12, seed=0)
        print(f"{n:>8} {auto_s:>7.2f} {auto.max() + 1:>9} {fixed_s:>7.2f} {kmeans_s:>9.2f} "
              f"{str(bool((again == fixed).all())):>11}", flush=True)
        if first is None:
            first = (n, fixed_s, kmeans_s)
        else:
            print(f"{'':>8} size x{n / first[0]:.1f} -> k=12 time x{fixed_s / first[1]:.1f}, "
                  f"kmeans time x{kmeans_s / first[2]:.1f}")


if __name__ == "__main__":
    main()
