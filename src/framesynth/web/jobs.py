"""Long work in the background (auto-coding, reports), with progress the page polls.

What a finished job makes (report files) is written to a folder beside the project
(``study.fsdb`` → ``study.fsdb-jobs/<job id>/``; for a database URL,
``DATABASE-jobs`` in FRAMESYNTH_LOCAL_DIR or the current folder), never held in memory, and removed with
the job's record ``keep`` after the job finished.

A job's state is also written there (``<job id>/job.json``, replaced atomically as it
moves on), so that with ``serve --workers N`` a page polling a job reaches its state
whichever worker process answers: the job runs in the process that started it, and the
others read its file.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Progress = Callable[[int, int, str], None]
STATE = "job.json"
WRITE_EVERY = 0.25  # seconds between progress writes to the state file


@dataclass
class Job:
    id: str
    title: str
    owner: str  # who started it; only they (or an owner) see it
    status: str = "queued"  # queued, running, done, failed
    done: int = 0
    total: int = 0
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    finished_at: float | None = None  # wall-clock time (every worker process reads it)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "status": self.status, "done": self.done,
                "total": self.total, "message": self.message, "result": self.result}

    def state(self) -> dict[str, Any]:
        return {**self.as_dict(), "owner": self.owner, "finished_at": self.finished_at}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Job:
        return cls(state["id"], state["title"], state["owner"], state["status"], state["done"],
                   state["total"], state["message"], state["result"], state["finished_at"])


class JobRunner:
    """One worker thread: jobs run in order, the web server stays responsive."""

    def __init__(self, folder: Path, *, keep_seconds: float = 24 * 3600) -> None:
        self.folder = folder
        self.keep_seconds = keep_seconds
        self.jobs: dict[str, Job] = {}
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="framesynth-job")
        self.lock = threading.Lock()
        self._sweep(time.time())

    def submit(self, title: str, work: Callable[[Progress], dict[str, Any]], *,
               owner: str) -> Job:
        self.expire()
        job = Job(uuid.uuid4().hex, title, owner)
        self.jobs[job.id] = job
        self._save(job)
        written = [0.0]

        def progress(done: int, total: int, message: str) -> None:
            with self.lock:
                job.done, job.total, job.message = done, total, message
                if time.monotonic() - written[0] >= WRITE_EVERY:
                    self._save(job)
                    written[0] = time.monotonic()

        self.pool.submit(self._run, job, work, progress)
        return job

    def _run(self, job: Job, work: Callable[[Progress], dict[str, Any]],
             progress: Progress) -> None:
        job.status = "running"
        self._save(job)
        try:
            result = work(progress)
            made: dict[str, bytes] | None = result.pop("files_", None)
            if made:
                result["files"] = self._store(job, made)
            job.result, job.status = result, "done"
        except Exception as error:  # reported to the page, which shows it
            job.status, job.message = "failed", str(error)
        job.finished_at = time.time()
        with self.lock:
            self._save(job)

    def _save(self, job: Job) -> None:
        """Write the job's state for the other worker processes (atomically)."""
        folder = self.folder / job.id
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{STATE}.{os.getpid()}.{threading.get_ident()}"
        partial.write_text(json.dumps(job.state()), encoding="utf-8")
        partial.replace(folder / STATE)

    def _store(self, job: Job, made: dict[str, bytes]) -> dict[str, str]:
        folder = self.folder / job.id
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in made.items():
            (folder / name).write_bytes(data)
        return {name: f"/api/jobs/{job.id}/files/{name}" for name in made}

    def get(self, job_id: str) -> Job | None:
        """The job, run here or by another worker process (read from its state file)."""
        self.expire()
        if job_id in self.jobs:
            return self.jobs[job_id]
        if not job_id.isalnum():  # ids are hex: nothing else names a folder
            return None
        try:
            return Job.from_state(json.loads((self.folder / job_id / STATE).read_text("utf-8")))
        except (OSError, ValueError, KeyError):
            return None

    def file(self, job: Job, name: str) -> Path | None:
        """The path of a file ``job`` made, or None."""
        if name not in job.result.get("files", {}):
            return None
        path = self.folder / job.id / name
        return path if path.is_file() else None

    def _sweep(self, now: float) -> None:
        """Delete what earlier runs of the server left that is older than ``keep_seconds``."""
        if not self.folder.is_dir():
            return
        for made in self.folder.iterdir():
            if now - made.stat().st_mtime > self.keep_seconds:
                shutil.rmtree(made, ignore_errors=True)

    def expire(self, now: float | None = None) -> None:
        """Forget jobs finished more than ``keep_seconds`` ago, and delete their files."""
        now = time.time() if now is None else now
        for job in list(self.jobs.values()):
            if job.finished_at is not None and now - job.finished_at > self.keep_seconds:
                del self.jobs[job.id]
                shutil.rmtree(self.folder / job.id, ignore_errors=True)
