"""Fine-tuned models, stored per project and versioned.

Version ``n`` lives in a folder beside the project (``study.fsdb`` ->
``study.fsdb-models/tuned-<n>/``; for a database URL ``DATABASE-models`` in ``FRAMESYNTH_LOCAL_DIR`` or the
current folder: ``model/``, the sentence-transformers folder, and
``heads.npz``, the per-code heads as numbers); its record (coder, unit kind, number of
codings, codes, base model, who made it and when, the training figures) is in the
project's ``settings`` table under :data:`REGISTRY_KEY`, with the project's own random id,
so each version's model has a name of its own (``minilm-l6.v1+tuned-3@1a2b3c4d``) and its
vectors never mix with another model's. Loading is offline: everything is in the folder.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from framesynth.errors import InvalidArgument, NotFound
from framesynth.familiarise.vocabulary import get_setting, set_setting
from framesynth.frame.framework import MAIN, code_path, find_code, framework_codes
from framesynth.index.autocode import LabelledUnits, Suggestion, _Estimator
from framesynth.index.finetune import (
    BASE_MODEL,
    CalibratedHead,
    FineTunedCoder,
    Progress,
    TunedEmbedder,
    TuneSettings,
    base_embedder,
)
from framesynth.store.engine import folder_beside
from framesynth.store.events import log_event
from framesynth.store.models import Code

REGISTRY_KEY = "autocode.tuned_models"


@dataclass
class TunedVersion:
    version: int
    coder: str | None  # whose codings it learnt from (None: every person's)
    unit: str
    units: int
    codings: int
    codes: list[str]  # the code paths it has heads for
    base_model: str
    model_name: str
    created_at: str
    created_by: str
    figures: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def models_folder(session: Session) -> Path:
    """``<project file>-models`` (for a database, ``DATABASE-models`` in
    ``FRAMESYNTH_LOCAL_DIR``): :func:`~framesynth.store.engine.folder_beside`."""
    return folder_beside(session, "-models", "tuned models are stored")


def _registry(session: Session) -> dict[str, Any]:
    registry = get_setting(session, REGISTRY_KEY) or {}
    return {"project": registry.get("project") or uuid.uuid4().hex[:8],
            "versions": list(registry.get("versions", []))}


def list_versions(session: Session) -> list[TunedVersion]:
    """The stored versions, oldest first."""
    return [TunedVersion(**entry) for entry in _registry(session)["versions"]]


def get_version(session: Session, version: int | None = None) -> TunedVersion:
    """Version ``version`` (default: the newest); NotFound if there is none."""
    versions = list_versions(session)
    if not versions:
        raise NotFound("no tuned model in this project; train one with `framesynth tune`")
    if version is None:
        return versions[-1]
    for found in versions:
        if found.version == version:
            return found
    raise NotFound(f"no tuned model version {version} (stored: "
                   f"{', '.join(str(v.version) for v in versions)})")


def train_tuned(session: Session, *, coder: str | None = None, unit: str = "turn",
                codes: Sequence[str] | None = None, settings: TuneSettings | None = None,
                progress: Progress | None = None, actor: str) -> TunedVersion:
    """Fine-tune on ``coder``'s codings (default: every person's) and store a new version."""
    from framesynth.index.review import labelled_units

    chosen = _codes(session, codes)
    labelled = labelled_units(session, unit, coder=coder)
    codings = sum(len(found) for _, found in labelled)
    if not codings:
        who = f"coder {coder!r} has" if coder else "nobody has"
        raise InvalidArgument(f"{who} coded any {unit}s yet: no codings to fine-tune on")
    started = time.perf_counter()
    estimator = FineTunedCoder(settings, progress=progress).fit(chosen, labelled, session)
    seconds = time.perf_counter() - started
    return _store(session, estimator, chosen, labelled, coder=coder, unit=unit, actor=actor,
                  figures={"pairs": len(estimator.pairs_), "seconds": round(seconds, 1),
                           **asdict(estimator.settings)})


def _codes(session: Session, paths: Sequence[str] | None) -> list[Code]:
    if paths:
        return [find_code(session, path) for path in paths]
    chosen = [c for c in framework_codes(session, MAIN) if c.codable]
    if not chosen:
        raise InvalidArgument("the framework has no codable codes; import one first")
    return chosen


def _store(session: Session, estimator: FineTunedCoder, codes: Sequence[Code],
           labelled: LabelledUnits, *, coder: str | None, unit: str, actor: str,
           figures: dict[str, Any]) -> TunedVersion:
    registry = _registry(session)
    folder = models_folder(session)
    taken = [entry["version"] for entry in registry["versions"]]
    taken += [int(p.name.split("-")[1]) for p in folder.glob("tuned-*")
              if p.name.split("-")[1].isdigit()]
    number = max(taken, default=0) + 1
    paths = {code.id: code_path(code) for code in codes}
    entry = TunedVersion(
        number, coder, unit, len(labelled), sum(len(found) for _, found in labelled),
        [paths[i] for i in estimator.heads_], BASE_MODEL,
        f"{BASE_MODEL}+tuned-{number}@{registry['project']}",
        dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), actor,
        {**figures, "untrained_codes": [paths[i] for i in estimator.skipped_]})
    _write_folder(folder / f"tuned-{number}", estimator, paths)
    registry["versions"].append(entry.as_dict())
    set_setting(session, REGISTRY_KEY, registry)
    log_event(session, "tuned_model.add", actor=actor, version=number, coder=coder)
    return entry


def _write_folder(target: Path, estimator: FineTunedCoder, paths: dict[int, str]) -> None:
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    estimator.embedder_.model.save(str(partial / "model"))
    arrays: dict[str, np.ndarray] = {}
    for number, head in enumerate(estimator.heads_.values()):
        for part in ("weights", "intercepts", "a", "b"):
            arrays[f"{number}.{part}"] = getattr(head, part)
    np.savez(partial / "heads.npz", allow_pickle=False, **arrays)
    heads = [{"code": paths[code_id], "threshold": estimator.thresholds_.get(code_id)}
             for code_id in estimator.heads_]
    (partial / "heads.json").write_text(json.dumps(heads, indent=2), encoding="utf-8")
    partial.rename(target)


def load_coder(session: Session, version: int | None = None, *, threshold: float | None = None,
               top_k: int = 3) -> tuple[TunedVersion, FineTunedCoder]:
    """A stored version as a fitted :class:`FineTunedCoder` (codes no longer in the
    framework are dropped)."""
    entry = get_version(session, version)
    folder = models_folder(session) / f"tuned-{entry.version}"
    if not (folder / "heads.json").is_file():
        raise NotFound(f"tuned model version {entry.version}: its folder {folder} is missing")
    heads_json = json.loads((folder / "heads.json").read_text(encoding="utf-8"))
    arrays = np.load(folder / "heads.npz", allow_pickle=False)
    coder = FineTunedCoder(threshold=threshold, top_k=top_k)
    coder.embedder_ = TunedEmbedder(entry.model_name, folder=folder / "model",
                                    base=base_embedder(entry.figures.get("head", "tuned")))
    coder.heads_, coder.thresholds_, coder.skipped_ = {}, {}, []
    for number, head in enumerate(heads_json):
        try:
            code_id = find_code(session, head["code"]).id
        except NotFound:
            continue
        coder.heads_[code_id] = CalibratedHead(*(arrays[f"{number}.{part}"] for part in
                                                 ("weights", "intercepts", "a", "b")))
        if head["threshold"] is not None:
            coder.thresholds_[code_id] = head["threshold"]
    return entry, coder


def remove_version(session: Session, version: int, *, actor: str) -> TunedVersion:
    """Remove a stored version: its folder and its record."""
    entry = get_version(session, version)
    registry = _registry(session)
    registry["versions"] = [e for e in registry["versions"] if e["version"] != version]
    set_setting(session, REGISTRY_KEY, registry)
    shutil.rmtree(models_folder(session) / f"tuned-{version}", ignore_errors=True)
    log_event(session, "tuned_model.remove", actor=actor, version=version)
    return entry


class StoredTunedCoder(_Estimator):
    """``autocode --method tuned``: a stored version (default: the newest), loaded at
    ``fit``, restricted to the chosen codes."""

    method = "tuned"

    def __init__(self, version: int | None = None, threshold: float | None = None,
                 top_k: int = 3):
        self.version = version
        self.threshold = threshold
        self.top_k = top_k

    def fit(self, codes: Sequence[Code], labelled: LabelledUnits = (), session: Any = None
            ) -> StoredTunedCoder:
        if session is None:
            raise InvalidArgument("a stored tuned model is loaded from a project session")
        self.entry_, self.coder_ = load_coder(session, self.version, threshold=self.threshold,
                                              top_k=self.top_k)
        wanted = {code.id for code in codes}
        self.coder_.heads_ = {i: h for i, h in self.coder_.heads_.items() if i in wanted}
        self.skipped_ = [code.id for code in codes if code.id not in self.coder_.heads_]
        return self

    def suggest(self, units: Sequence[Any], session: Any = None) -> list[Suggestion]:
        return self.coder_.suggest(units, session)
