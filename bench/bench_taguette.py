"""Benchmark: framesynth against Taguette 1.5.2, importing the same documents and writing
the same codings (issue 14).

    PYTHONPATH=src .venv/bin/python bench/bench_taguette.py [--documents 100] [--codings 1000]
                                                            [--out bench/out] [--keep-venv]

Taguette is installed from PyPI (``pip install taguette==1.5.2``) into a throwaway virtual
environment under ``<out>/taguette-run/`` and started single-user on a free port of
127.0.0.1 with its own database and ``HOME`` there; the bench logs in with the token it
prints and drives it over its HTTP API as its web page does (Tornado's ``_xsrf`` cookie
echoed in ``X-XSRFToken``): one ``POST /api/project/P/document/new`` per document, one
``POST .../highlight/new`` per highlight.

The documents are ``bench_import_search``'s generated transcripts written as WebVTT (one
cue a turn, ``Name: words``): Taguette converts ``.txt`` and ``.docx`` only through
Calibre's ``ebook-convert``, which is not installed here, while it reads subtitles
itself, and framesynth imports the same files. The codings: ``--codings`` participant
turns (distinct, fixed seed) each coded with one of five codes (Taguette: tags), the
same turns and codes in every tool; in Taguette a highlight over the turn's words (UTF-8
byte offsets into the document's HTML text), in framesynth a coding of the turn.

framesynth, timed the same way:

- import: ``framesynth import`` as a command (a new process, start-up included), the
  same code in this process (``import_files``, warm), and the workbench's upload
  (``POST /api/jobs/import`` against ``framesynth serve``, until the job is done): all
  files in one request, and one file per request as Taguette takes them;
- codings: ``POST /api/codings`` per coding against ``framesynth serve`` (what the
  reader does when a span is coded), and in bulk: ``codings import`` of a CSV of the
  same codings (the library call the command makes).

Prints a side-by-side table with the load average; writes ``<out>/taguette.json``. Both
servers are stopped and the run folder removed afterwards (``--keep-venv`` keeps the
virtual environment for the next run). Nothing of Taguette is stored in the repository.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
from bench_import_search import generate, transcripts
from sqlalchemy import select

from framesynth.frame.framework import CodeSpec, add_code, code_path
from framesynth.io.codings_table import import_codings
from framesynth.io.importers import import_files
from framesynth.project import Project
from framesynth.store.models import Code, Source, Turn

TAGUETTE = "taguette==1.5.2"
CODES = ["trust", "waiting lists", "transport", "funding", "working together"]
CODER = "bench"


@dataclass
class Timing:
    """One timed task: ``count`` things done by ``tool`` along ``path`` in ``seconds``."""

    task: str
    tool: str
    path: str
    count: int
    seconds: float
    load: tuple[float, float, float] = field(default_factory=os.getloadavg)

    @property
    def per_s(self) -> float:
        return self.count / self.seconds if self.seconds else float("nan")

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "per_s": round(self.per_s, 1)}


# -- the shared plan ---------------------------------------------------------------------


def plan_codings(turn_counts: list[int], count: int, seed: int = 11
                 ) -> list[tuple[int, int, int]]:
    """``count`` distinct (document, turn, code) triples over participant turns (odd
    positions), the same for every tool."""
    rng = random.Random(seed)
    pairs = [(doc, turn) for doc, turns in enumerate(turn_counts) for turn in range(1, turns, 2)]
    chosen = rng.sample(pairs, min(count, len(pairs)))
    return [(doc, turn, rng.randrange(len(CODES))) for doc, turn in chosen]


def turn_counts(documents: int) -> list[int]:
    return [len(spoken) for _, spoken in transcripts(documents)]


def planned_words(documents: int, plan: list[tuple[int, int, int]]) -> list[str]:
    """The words of each planned turn as written to the files (on one line)."""
    spoken = [turns for _, turns in transcripts(documents)]
    return [" ".join(spoken[doc][turn][1].split()) for doc, turn, _ in plan]


# -- helpers -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 90) -> None:
    """Poll ``url`` until it answers; fail with the server's log if it exits or times out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} in {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def timed(task: str, tool: str, path: str, count: int, call: Callable[[], object]) -> Timing:
    started = time.perf_counter()
    call()
    timing = Timing(task, tool, path, count, time.perf_counter() - started)
    _note(f"{tool:<11} {task:<9} {path:<46} {timing.seconds:8.2f} s {timing.per_s:9.1f}/s")
    return timing


# -- Taguette ----------------------------------------------------------------------------


class _TextOffsets(HTMLParser):
    """Where each ``<p>``'s text starts in a Taguette document, in UTF-8 bytes of its
    text nodes (what Taguette's highlight offsets count), and that text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.position = 0  # not "offset": HTMLParser keeps its own
        self.paragraphs: list[list[Any]] = []  # [start offset, text]
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            self.paragraphs.append([self.position, ""])
            self._inside = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.paragraphs[-1][1] += data
        self.position += len(data.encode("utf-8"))


def word_ranges(html: str) -> list[tuple[int, int, str]]:
    """Each cue's words in a Taguette document (``<p>00:00:05.000 Name: words</p>``) as a
    byte range and the words."""
    parser = _TextOffsets()
    parser.feed(html)
    ranges = []
    for start, text in parser.paragraphs:
        head, _, words = text.partition(": ")
        prefix = len((head + ": ").encode("utf-8"))
        ranges.append((start + prefix, start + len(text.encode("utf-8")), words))
    return ranges


class Taguette:
    """A throwaway Taguette 1.5.2: its virtual environment, server and HTTP session."""

    def __init__(self, folder: Path, venv: Path) -> None:
        self.folder = folder
        self.venv = venv
        self.process: subprocess.Popen[bytes] | None = None
        self.client: httpx.Client | None = None
        self.project = 0

    def install(self) -> float:
        """Create the venv and install Taguette unless a kept one has it; the seconds."""
        started = time.perf_counter()
        if not (self.venv / "bin" / "taguette").exists():
            subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True)
            subprocess.run([str(self.venv / "bin" / "python"), "-m", "pip", "install", "-q",
                            "--disable-pip-version-check", TAGUETTE], check=True,
                           stderr=subprocess.DEVNULL if os.environ.get("CI") is None else None)
        return time.perf_counter() - started

    def start(self) -> None:
        port = free_port()
        home = self.folder / "home"
        home.mkdir(parents=True, exist_ok=True)
        log = self.folder / "taguette.log"
        with log.open("wb") as handle:
            self.process = subprocess.Popen(
                [str(self.venv / "bin" / "taguette"), "--no-browser", "-b", "127.0.0.1",
                 "-p", str(port), "--database", str(self.folder / "taguette.sqlite3")],
                stdout=handle, stderr=subprocess.STDOUT, env={**os.environ, "HOME": str(home)})
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/health", self.process, log)
        token = re.search(r"\?token=([0-9a-f]+)", log.read_text())
        if token is None:
            raise RuntimeError(f"Taguette printed no login token:\n{log.read_text()[-2000:]}")
        self.client = httpx.Client(base_url=base, timeout=120)
        self.client.get(f"/?token={token.group(1)}", follow_redirects=True).raise_for_status()
        self.client.get("/project/new").raise_for_status()  # the form sets the _xsrf cookie
        self.client.headers["X-XSRFToken"] = self.client.cookies["_xsrf"]

    def new_project(self, name: str) -> int:
        assert self.client is not None
        response = self.client.post("/project/new", data={"name": name, "description": ""})
        found = re.search(r"/project/(\d+)", response.headers.get("location", ""))
        if response.status_code not in {302, 303} or found is None:
            raise RuntimeError(f"Taguette refused the project: {response.status_code}")
        self.project = int(found.group(1))
        return self.project

    def add_tag(self, path: str) -> int:
        assert self.client is not None
        response = self.client.post(f"/api/project/{self.project}/tag/new",
                                    json={"path": path, "description": ""})
        response.raise_for_status()
        return int(response.json()["id"])

    def add_document(self, path: Path) -> int:
        assert self.client is not None
        response = self.client.post(
            f"/api/project/{self.project}/document/new",
            data={"name": path.stem, "description": ""},
            files={"file": (path.name, path.read_bytes(), "text/vtt")})
        response.raise_for_status()
        return int(response.json()["created"])

    def contents(self, document: int) -> str:
        assert self.client is not None
        response = self.client.get(f"/api/project/{self.project}/document/{document}/contents")
        response.raise_for_status()
        return "".join(part["contents"] for part in response.json()["contents"])

    def add_highlight(self, document: int, start: int, end: int, tag: int) -> int:
        assert self.client is not None
        response = self.client.post(
            f"/api/project/{self.project}/document/{document}/highlight/new",
            json={"start_offset": start, "end_offset": end, "tags": [tag]})
        response.raise_for_status()
        return int(response.json()["id"])

    def highlights(self) -> list[dict[str, Any]]:
        """Every highlight of the project (Taguette pages them 50 at a time)."""
        assert self.client is not None
        found: list[dict[str, Any]] = []
        page, pages = 1, 1
        while page <= pages:
            response = self.client.get(f"/api/project/{self.project}/highlights/",
                                       params={"page": page})
            response.raise_for_status()
            found += response.json()["highlights"]
            pages, page = response.json()["pages"], page + 1
        return found

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        stop(self.process)


def run_taguette(folder: Path, venv: Path, files: list[Path], plan: list[tuple[int, int, int]],
                 warm_up: Path) -> tuple[list[Timing], dict[str, Any]]:
    """Import ``files`` and write the planned highlights in a fresh Taguette (after one
    untimed document, as for framesynth's server)."""
    taguette = Taguette(folder, venv)
    notes: dict[str, Any] = {"install_s": round(taguette.install(), 1)}
    try:
        taguette.start()
        taguette.new_project("bench")
        tags = [taguette.add_tag(name) for name in CODES]
        taguette.add_document(warm_up)
        documents: list[int] = []
        rows = [timed("import", "Taguette", "HTTP, one document per request", len(files),
                      lambda: documents.extend(taguette.add_document(f) for f in files))]
        ranges = [word_ranges(taguette.contents(document)) for document in documents]
        spans = [(documents[doc], *ranges[doc][turn][:2], tags[code]) for doc, turn, code in plan]
        rows.append(timed("codings", "Taguette", "HTTP, one highlight per request", len(spans),
                          lambda: [taguette.add_highlight(*span) for span in spans]))
        stored = taguette.highlights()
        wanted = {ranges[doc][turn][2] for doc, turn, _ in plan}
        notes["highlights_stored"] = len(stored)
        notes["highlights_matching_turns"] = sum(
            1 for h in stored if _plain(h.get("content", "")) in wanted)
    finally:
        taguette.close()
    return rows, notes


def _plain(html: str) -> str:
    parser = _TextOffsets()
    parser.feed(f"<p>{html}</p>")
    return "".join(text for _, text in parser.paragraphs)


# -- framesynth --------------------------------------------------------------------------


class Workbench:
    """``framesynth serve`` over a project, in its own process, and a session with it as
    the local owner (a project without accounts on 127.0.0.1)."""

    def __init__(self, project: str | Path, folder: Path) -> None:
        port = free_port()
        self.log = folder / f"serve-{port}.log"
        with self.log.open("wb") as handle:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "framesynth.cli.main", "serve", str(project),
                 "--port", str(port)], stdout=handle, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(base + "/api/codes", self.process, self.log)
            self.client = httpx.Client(base_url=base, timeout=300)
            page = self.client.get("/").text
            token = re.search(r'name="csrf-token" content="([^"]+)"', page)
            if token is None:
                raise RuntimeError("the workbench page carries no CSRF token")
            self.client.headers["X-CSRF-Token"] = token.group(1)
        except BaseException:
            stop(self.process)
            raise

    def upload(self, files: list[Path]) -> dict[str, Any]:
        """Import ``files`` in one request and wait for the job to finish."""
        parts = [("files", (f.name, f.read_bytes(), "text/vtt")) for f in files]
        response = self.client.post("/api/jobs/import", files=parts)
        response.raise_for_status()
        job = response.json()
        while job["status"] in {"queued", "running"}:
            time.sleep(0.02)
            job = self.client.get(f"/api/jobs/{job['id']}").json()
        if job["status"] != "done":
            raise RuntimeError(f"the import job failed: {job['message']}")
        return job

    def code(self, source_id: int, start: int, end: int, code_id: int) -> int:
        response = self.client.post("/api/codings", json={
            "source_id": source_id, "start": start, "end": end, "code_id": code_id})
        response.raise_for_status()
        return int(response.json()["id"])

    def close(self) -> None:
        self.client.close()
        stop(self.process)


def new_project(path: Path) -> Path:
    """A fresh project file holding the five codes."""
    with Project.create(path) as project, project.session() as session:
        for name in CODES:
            add_code(session, CodeSpec(name=name))
    return path


def planned_spans(location: str | Path, plan: list[tuple[int, int, int]], files: list[Path]
                  ) -> list[dict[str, Any]]:
    """The planned codings as framesynth sees them: source, turn range, code."""
    names = [f.name for f in files]
    with Project.open(location) as project, project.session() as session:
        sources = {s.name: s for s in session.scalars(select(Source).where(Source.name.in_(names)))}
        codes = {c.name: c for c in session.scalars(select(Code))}
        turns: dict[int, list[tuple[int, int]]] = {}
        for source_id, start, end in session.execute(
                select(Turn.source_id, Turn.start, Turn.end).order_by(Turn.source_id,
                                                                      Turn.position)):
            turns.setdefault(source_id, []).append((start, end))
        spans = []
        for doc, turn, code in plan:
            source = sources[names[doc]]
            start, end = turns[source.id][turn]
            spans.append({"source_id": source.id, "source": source.name, "start": start,
                          "end": end, "code_id": codes[CODES[code]].id,
                          "code": code_path(codes[CODES[code]]), "coder": CODER,
                          "text": source.text[start:end]})
    return spans


def import_command(project: Path, files: list[Path]) -> None:
    """``framesynth import PROJECT FILES...`` in a new process, as a user runs it."""
    subprocess.run([sys.executable, "-m", "framesynth.cli.main", "import", str(project),
                    *map(str, files)], check=True, stdout=subprocess.DEVNULL)


def import_library(location: str | Path, files: list[Path]) -> None:
    """What the ``import`` command does, in this process."""
    with Project.open(location) as project, project.session() as session:
        import_files(session, files, actor=CODER)


def bulk_codings(location: str | Path, spans: list[dict[str, Any]], folder: Path) -> Timing:
    """``codings import`` of the spans as a CSV file (the library call), timed."""
    table = folder / "codings.csv"
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["source", "start", "end", "code", "coder", "text"],
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(spans)
    with Project.open(location) as project, project.session() as session:
        return timed("codings", "framesynth", "codings import (bulk, one CSV)", len(spans),
                     lambda: import_codings(session, table, actor=CODER))


def http_codings(workbench: Workbench, spans: list[dict[str, Any]]) -> Timing:
    return timed("codings", "framesynth", "HTTP, POST /api/codings per coding", len(spans),
                 lambda: [workbench.code(s["source_id"], s["start"], s["end"], s["code_id"])
                          for s in spans])


def run_framesynth(folder: Path, files: list[Path], plan: list[tuple[int, int, int]],
                   warm_up: Path, checks: dict[str, Any]) -> list[Timing]:
    """Every framesynth path over the same files and codings. Each server first imports
    ``warm_up`` untimed (its process loads the language model once, as the library's
    does), so the figures are those of a server already in use."""
    warm = new_project(folder / "warm.fsdb")  # this process loads the language model once
    import_library(warm, files[:5])
    rows = [
        timed("import", "framesynth", "`framesynth import` command (new process)",
              len(files), lambda: import_command(new_project(folder / "command.fsdb"), files)),
        timed("import", "framesynth", "import_files (library, warm process)", len(files),
              lambda: import_library(new_project(folder / "library.fsdb"), files)),
    ]
    spans = planned_spans(folder / "library.fsdb", plan, files)
    rows.append(bulk_codings(folder / "library.fsdb", spans, folder))

    workbench = Workbench(new_project(folder / "web.fsdb"), folder)
    try:
        workbench.upload([warm_up])
        rows.append(timed("import", "framesynth", "HTTP upload, all files in one request",
                          len(files), lambda: workbench.upload(files)))
        spans = planned_spans(folder / "web.fsdb", plan, files)
        rows.append(http_codings(workbench, spans))
        words = planned_words(len(files), plan)
        checks["codings_matching_turns"] = sum(
            1 for span, expected in zip(spans, words, strict=True) if span["text"] == expected)
    finally:
        workbench.close()
    workbench = Workbench(new_project(folder / "web-each.fsdb"), folder)
    try:
        workbench.upload([warm_up])
        rows.append(timed("import", "framesynth", "HTTP upload, one file per request",
                          len(files), lambda: [workbench.upload([f]) for f in files]))
    finally:
        workbench.close()
    return rows


# -- the run -----------------------------------------------------------------------------


def table(rows: list[Timing]) -> str:
    lines = [f"{'task':<8} {'tool':<11} {'how':<46} {'n':>5} {'s':>8} {'per s':>9} "
             f"{'load (1 min)':>12}"]
    for task in dict.fromkeys(row.task for row in rows):
        for row in (r for r in rows if r.task == task):
            lines.append(f"{row.task:<8} {row.tool:<11} {row.path:<46} {row.count:>5} "
                         f"{row.seconds:>8.2f} {row.per_s:>9.1f} {row.load[0]:>12.2f}")
    return "\n".join(lines)


def run(out: Path, documents: int, codings: int, keep_venv: bool = False,
        skip_taguette: bool = False) -> dict[str, Any]:
    """The whole comparison; returns what it writes to ``<out>/taguette.json``."""
    folder = out / "taguette-run"
    venv = out / "taguette-venv"
    shutil.rmtree(folder, ignore_errors=True)
    corpus = folder / "corpus"
    corpus.mkdir(parents=True)
    generate(corpus, documents, fmt="vtt")
    files = sorted(corpus.iterdir())
    generate(folder, 1, seed=99, fmt="vtt")  # another transcript, to warm the servers up
    warm_up = (folder / "t00000.vtt").rename(folder / "warm-up.vtt")
    plan = plan_codings(turn_counts(documents), codings)
    result: dict[str, Any] = {"documents": documents, "codings": len(plan),
                              "format": "WebVTT", "load_before": os.getloadavg()}
    try:
        result["framesynth"] = {}
        rows = run_framesynth(folder, files, plan, warm_up, result["framesynth"])
        if not skip_taguette:
            taguette_rows, result["taguette"] = run_taguette(folder / "taguette", venv, files,
                                                             plan, warm_up)
            rows += taguette_rows
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if not keep_venv:
            shutil.rmtree(venv, ignore_errors=True)
    result["load_after"] = os.getloadavg()
    result["rows"] = [row.as_dict() for row in rows]
    result["table"] = table(rows)
    out.mkdir(parents=True, exist_ok=True)
    (out / "taguette.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--codings", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--keep-venv", action="store_true",
                        help="keep <out>/taguette-venv for the next run")
    parser.add_argument("--skip-taguette", action="store_true",
                        help="time framesynth only (no install, no network)")
    args = parser.parse_args()
    result = run(args.out, args.documents, args.codings, keep_venv=args.keep_venv,
                 skip_taguette=args.skip_taguette)
    load = ", ".join(f"{x:.2f}" for x in result["load_before"])
    print(f"{result['documents']} documents ({result['format']}), {result['codings']} codings; "
          f"load average before {load}")
    print(result["table"])
    print(f"framesynth: {result['framesynth']['codings_matching_turns']} of {result['codings']} "
          "codings over HTTP hold a planned turn's words")
    if "taguette" in result:
        print(f"Taguette: install {result['taguette']['install_s']} s (not timed above); "
              f"{result['taguette']['highlights_matching_turns']} of "
              f"{result['taguette']['highlights_stored']} highlights hold a planned turn's words")


def _note(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


if __name__ == "__main__":
    main()
