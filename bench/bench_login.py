"""Login timing: does a refused login tell whether the name exists?

Times ``POST /login`` with a wrong password for a real account and for an unknown name
(throttling relaxed so every try runs), in the same process, alternating, and prints the
medians and their ratio. Before issue 10 an unknown name answered in about 5 ms against
511 ms for a real one (Argon2 ran for real accounts only); a ratio near 1 means timing
tells nothing.

    PYTHONPATH=src .venv/bin/python bench/bench_login.py --tries 20
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from framesynth.accounts import add_user
from framesynth.logins import ThrottlePolicy
from framesynth.project import Project
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

OUT = Path(__file__).parent / "out" / "login"


def timed_login(client: TestClient, name: str) -> float:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    began = time.perf_counter()
    response = client.post("/login", data={"name": name, "password": "wrong password",
                                           "csrf": token})
    elapsed = time.perf_counter() - began
    assert response.status_code == 401, response.status_code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=20)
    tries = parser.parse_args().tries
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "login.fsdb"
        with Project.create(path) as project, project.session() as session:
            add_user(session, "amira", "the right password", role="coder", actor="bench")
        relaxed = ThrottlePolicy(free=10**6, free_per_address=10**6)
        client = TestClient(create_app(Settings(project=path, throttle=relaxed)),
                            base_url="http://127.0.0.1")
        times: dict[str, list[float]] = {"known": [], "unknown": []}
        for _ in range(tries):
            times["known"].append(timed_login(client, "amira"))
            times["unknown"].append(timed_login(client, "nobody-here"))
    medians = {kind: statistics.median(values) * 1000 for kind, values in times.items()}
    ratio = medians["unknown"] / medians["known"]
    result = {"tries": tries, "median_ms": medians, "unknown_over_known": ratio}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"known name, wrong password: {medians['known']:.1f} ms median")
    print(f"unknown name:               {medians['unknown']:.1f} ms median")
    print(f"ratio unknown / known:      {ratio:.2f}")


if __name__ == "__main__":
    main()
