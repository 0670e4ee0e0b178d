"""Long work in the background (auto-coding, reports), with progress the page polls."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

Progress = Callable[[int, int, str], None]


@dataclass
class Job:
    id: str
    title: str
    status: str = "queued"  # queued, running, done, failed
    done: int = 0
    total: int = 0
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "status": self.status, "done": self.done,
                "total": self.total, "message": self.message, "result": self.result}


class JobRunner:
    """One worker thread: jobs run in order, the web server stays responsive."""

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}
        self.files: dict[str, dict[str, bytes]] = {}  # what finished jobs made
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="framesynth-job")
        self.lock = threading.Lock()

    def submit(self, title: str, work: Callable[[Progress], dict[str, Any]]) -> Job:
        job = Job(uuid.uuid4().hex[:12], title)
        self.jobs[job.id] = job

        def progress(done: int, total: int, message: str) -> None:
            with self.lock:
                job.done, job.total, job.message = done, total, message

        def run() -> None:
            job.status = "running"
            try:
                result = work(progress)
                made = result.pop("files_", None)  # bytes a job made, served for download
                if made:
                    self.files[job.id] = made
                    result["files"] = {name: f"/api/jobs/{job.id}/files/{name}" for name in made}
                job.result = result
                job.status = "done"
            except Exception as error:  # reported to the page, which shows it
                job.status, job.message = "failed", str(error)

        self.pool.submit(run)
        return job

    def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)
