"""Eight coders at once against one team server: ``framesynth serve URL --workers 2`` on
PostgreSQL, driven over real HTTP. Each client logs in and, in a bounded loop, codes turns,
accepts suggestions that all eight reach for at the same moment, and edits two matrix cells
everyone edits. Afterwards the database holds every coding exactly once, each suggestion
was won by one reviewer, and every saved cell version is there once, in order: nothing lost,
nothing duplicated, a stale edit refused with HTTP 409."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from framesynth.accounts import add_user
from framesynth.embeddings import HashingEmbedder
from framesynth.frame.framework import framework_codes
from framesynth.index.review import pending_suggestions, run_autocode
from framesynth.io.codebook import import_codebook
from framesynth.io.importers import import_files
from framesynth.io.importers.case_table import import_case_table
from framesynth.project import Project
from framesynth.store.models import Case, Coding, MatrixCell, Turn

CLIENTS = 8
ROUNDS = 10  # each client's loop: one turn coded, one contested suggestion, one cell edit
PASSWORD = "a long enough team password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def team_server(postgres_url: str, data_dir: Path, framework_file: Path, tmp_path: Path):
    project = Project.create(postgres_url)
    with project.session() as session:
        import_case_table(session, data_dir / "cases.csv")
        import_files(session, [data_dir / "interview.txt", data_dir / "focus_group.txt"])
        import_codebook(session, framework_file, actor="olive")
        add_user(session, "olive", PASSWORD, role="owner", actor="olive")
        for number in range(CLIENTS):
            add_user(session, f"coder{number}", PASSWORD, role="coder", actor="olive")
        run_autocode(session, "semantic", embedder=HashingEmbedder(), actor="olive")
        world = {"turns": session.scalars(select(Turn.id).order_by(Turn.id)).all()[:ROUNDS],
                 "codes": [code.id for code in framework_codes(session) if code.codable],
                 "suggestions": [s.id for s in pending_suggestions(session)][:ROUNDS]}
    project.close()
    assert len(world["turns"]) == ROUNDS and len(world["suggestions"]) == ROUNDS
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "framesynth.cli.main", "serve", postgres_url, "--workers", "2",
         "--port", str(port), "--embedder", "hashing.v1"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, "FRAMESYNTH_USER": "olive"})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
            time.sleep(0.2)
        yield base, postgres_url, world
    finally:
        server.terminate()
        server.wait(timeout=20)
    said = server.stdout.read().decode() if server.stdout else ""
    assert "2 worker processes" in said, said  # the requests went to two processes


def logged_in(base: str, name: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=60)
    form = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"name": name, "password": PASSWORD, "csrf": csrf})
    page = client.get("/framework")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert token, f"{name} could not log in"
    return client, token.group(1)


def test_team_server_eight_coders_at_once_lose_and_duplicate_nothing(team_server):
    base, url, world = team_server
    cells = [("P01", world["codes"][0]), ("P06", world["codes"][1])]
    start = threading.Barrier(CLIENTS)
    results: dict[int, dict[str, list]] = {}
    failures: list[str] = []

    def coder(number: int) -> None:
        mine: dict[str, list] = {"coded": [], "won": [], "saved": [], "conflicts": []}
        results[number] = mine
        try:
            client, token = logged_in(base, f"coder{number}")
            headers = {"X-CSRF-Token": token}
            versions = {cell: 0 for cell in cells}
            start.wait(timeout=60)
            for step in range(ROUNDS):
                turn = world["turns"][(number + step) % ROUNDS]
                made = client.post("/api/codings/turn", headers=headers, json={
                    "turn_id": turn, "code_id": world["codes"][step % len(world["codes"])]})
                assert made.status_code == 201, made.text
                coding = made.json()
                mine["coded"].append((coding["id"], (f"coder{number}", coding["source_id"],
                                                     coding["start"], coding["end"],
                                                     coding["code_id"])))

                suggestion = world["suggestions"][step]  # all eight reach for the same one
                review = client.post("/api/suggestions/accept", headers=headers,
                                     json={"ids": [suggestion]})
                assert review.status_code in {200, 400}, review.text
                if review.status_code == 200:
                    assert review.json() == {"accepted": 1}
                    mine["won"].append(suggestion)

                cell = cells[step % 2]
                text = f"coder{number}, round {step}"
                saved = client.post("/api/matrix/cell", headers=headers, json={
                    "case": cell[0], "code_id": cell[1], "summary": text,
                    "version": versions[cell]})
                if saved.status_code == 409:
                    current = saved.json()["error"]["current"]
                    versions[cell] = current["version"]
                    mine["conflicts"].append(cell)
                else:
                    assert saved.status_code == 200, saved.text
                    versions[cell] = saved.json()["version"]
                    mine["saved"].append((cell, versions[cell], text))
        except Exception as error:  # reported below, with the client's number
            failures.append(f"coder{number}: {error!r}")

    threads = [threading.Thread(target=coder, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures
    assert all(not thread.is_alive() for thread in threads)

    with Project.open(url) as project, project.session() as session:
        people = session.execute(select(Coding.id, Coding.coder, Coding.source_id, Coding.start,
                                        Coding.end, Coding.code_id)
                                 .where(Coding.status.is_(None))).all()
        stored = [tuple(row)[1:] for row in people]
        assert max(Counter(stored).values()) == 1  # no coding twice
        # every coding a client was told it made is there, with what it was told
        told = {key: made for mine in results.values() for key, made in mine["coded"]}
        assert {row.id: tuple(row)[1:] for row in people if row.id in told} == told
        # and the rest are exactly the suggestions each winner accepted (a suggestion on a
        # span its winner had already coded with that code adds nothing)
        won = {}
        for number, mine in results.items():
            for suggestion in mine["won"]:
                picked = session.get(Coding, suggestion)
                won[suggestion] = (f"coder{number}", picked.source_id, picked.start,
                                   picked.end, picked.code_id)
        assert set(stored) == set(told.values()) | set(won.values())
        # each contested suggestion was won by exactly one reviewer
        winners = Counter(s for mine in results.values() for s in mine["won"])
        assert winners == Counter(world["suggestions"])
        assert session.scalar(select(func.count()).select_from(Coding).where(
            Coding.id.in_(world["suggestions"]), Coding.status == "accepted")) == ROUNDS
        # every cell save that was answered 200 made one new version, in order
        for case, code in cells:
            saves = sorted((version, text) for mine in results.values()
                           for (cell, version, text) in mine["saved"] if cell == (case, code))
            assert [version for version, _ in saves] == list(range(1, len(saves) + 1))
            stored = session.scalar(select(MatrixCell).join(Case, Case.id == MatrixCell.case_id)
                                    .where(MatrixCell.code_id == code, Case.name == case))
            assert stored is not None
            assert (stored.version, stored.summary) == saves[-1]
        conflicts = sum(len(mine["conflicts"]) for mine in results.values())
        assert conflicts > 0  # eight editors on two cells: some edits were stale
