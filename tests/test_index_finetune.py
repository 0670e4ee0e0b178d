"""Fine-tuning the sentence model on a project's codings: pairs, a tiny real fine-tune
stored as versions, `framesynth tune` and `autocode --method tuned`."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from framesynth.cli.main import app
from framesynth.embeddings import HashingEmbedder
from framesynth.familiarise.units import units
from framesynth.frame.framework import CodeSpec, add_code
from framesynth.index.coding import code_span
from framesynth.index.finetune import (
    CalibratedHead,
    FineTunedCoder,
    TuneSettings,
    codebook_anchors,
    contrastive_pairs,
)
from framesynth.index.tuned_models import (
    REGISTRY_KEY,
    list_versions,
    load_coder,
    models_folder,
)
from framesynth.project import Project
from framesynth.store.engine import local_path
from framesynth.store.models import Code, Coding, Setting

VOLUNTEERS = ["Our volunteers run the Saturday rota at the hall.",
              "The volunteers drive families to the clinic each week.",
              "We trained six new volunteers in the spring.",
              "Volunteers answer the helpline in the evenings."]
WAITING = ["Families wait fourteen weeks for counselling.",
           "The waiting list for speech therapy is months long.",
           "Children wait a year for an assessment.",
           "Nobody tells parents how long the wait will be."]
OTHER = ["The building has a new roof.", "I started in this job in 2019."]


def transcript() -> str:
    said = [*VOLUNTEERS, *WAITING, *OTHER]
    return "\n\n".join(f"{'Ann' if i % 2 else 'Ben'}: {text}" for i, text in enumerate(said))


@pytest.fixture(scope="module")
def tuned_path(module_stores) -> str | Path:
    """A tiny project coded by ruth, with one tuned version made by `framesynth tune`."""
    from framesynth.io.importers import import_files

    folder = module_stores.folder
    (folder / "talk.txt").write_text(transcript(), encoding="utf-8")
    path = module_stores.empty("study.fsdb")
    Project.create(path).close()
    with Project.open(path) as project, project.session() as session:
        import_files(session, [folder / "talk.txt"])
        add_code(session, CodeSpec(name="Volunteers"))
        add_code(session, CodeSpec(name="Waiting"))
        text = transcript()
        for said, code in [*((t, "Volunteers") for t in VOLUNTEERS),
                           *((t, "Waiting") for t in WAITING)]:
            start = text.index(said)
            code_span(session, "talk.txt", start, start + len(said), code, coder="ruth")
    code, out, err = cli("tune", path, "--coder", "ruth", "--pairs", "2")
    assert code == 0, err
    assert out.startswith("tuned model version 1 (minilm-l6.v1+tuned-1@")
    assert ": 8 codings on 10 turns, 8 pairs, 2 codes," in out
    return path


def cli(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args],
                                env={"FRAMESYNTH_USER": "ruth", "COLUMNS": "200"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_finetune_pairs_are_balanced_capped_and_seeded():
    labels = [{1}, {1}, {1}, {2}, {2}, set()]
    pairs = contrastive_pairs(labels, per_code=2, seed=0)
    # code 1: 3 carriers -> 3 possible positives, 3 x 3 negatives: 2 + 2 at the cap;
    # code 2: 2 carriers -> 1 positive pair, so 1 + 1
    assert [label for *_, label in pairs] == [1.0, 1.0, 0.0, 0.0, 1.0, 0.0]
    assert all(labels[a] & labels[b] == {1} for a, b, label in pairs[:2])
    assert all(1 in labels[a] and 1 not in labels[b] for a, b, _ in pairs[2:4])
    assert pairs[4][:2] == (3, 4) and 2 in labels[pairs[5][0]] and 2 not in labels[pairs[5][1]]
    assert pairs == contrastive_pairs(labels, per_code=2, seed=0)
    assert len(contrastive_pairs(labels, per_code=100, seed=1)) == 2 * (3 + 1)
    assert contrastive_pairs([set(), set()]) == [] == contrastive_pairs([])


def waiting_codes() -> list[Code]:
    return [Code(id=1, name="Waiting", definition="Time before help comes.",
                 inclusion=["weeks or months on a list"], exclusion=["staff shortages"],
                 examples=["Families wait fourteen weeks."]),
            Code(id=2, name="Volunteers", definition="", inclusion=[], exclusion=[],
                 examples=["Families wait fourteen weeks."])]


def test_finetune_anchors_are_each_codes_own_words():
    anchors = codebook_anchors(waiting_codes())
    assert [(unit.text, codes) for unit, codes in anchors] == [
        ("Waiting. Time before help comes.", {1}), ("weeks or months on a list", {1}),
        ("Families wait fourteen weeks.", {1, 2}), ("Volunteers.", {2})]
    assert {(u.source_id, u.start, u.end == len(u.text)) for u, _ in anchors} == {(-1, 0, True)}


class _Hashing(HashingEmbedder):
    def encode(self, texts, session=None):  # type: ignore[no-untyped-def,override]
        return super().encode(texts)


def test_finetune_anchors_give_an_uncoded_code_a_head():
    codes = waiting_codes()[:1] + [Code(id=3, name="Roof", definition="The building.",
                                        inclusion=[], exclusion=[], examples=[])]
    coded = [(_unit(t), {3}) for t in OTHER * 2] + [(_unit(t), set()) for t in VOLUNTEERS]
    coder = FineTunedCoder(TuneSettings(head="tuned"))
    coder.embedder_ = _Hashing()
    coder.fit_heads(codes, coded)
    assert (list(coder.heads_), coder.skipped_) == ([3], [1])  # Waiting: nobody coded it
    coder.fit_heads(codes, coded + codebook_anchors(codes[:1]))
    assert (sorted(coder.heads_), coder.skipped_) == ([1, 3], [])


def _unit(said: str):  # type: ignore[no-untyped-def]
    from framesynth.familiarise.units import Unit

    return Unit(1, 0, len(said), said, None)


def test_finetune_head_as_numbers_matches_sklearn():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    vectors = np.random.default_rng(0).normal(size=(30, 4))
    truth = (vectors[:, 0] > 0).astype(int)
    model = CalibratedClassifierCV(LogisticRegression(), method="sigmoid", cv=3).fit(
        vectors, truth)
    head = CalibratedHead.from_sklearn(model)
    assert np.allclose(head.predict_proba(vectors), model.predict_proba(vectors))


def test_finetune_version_loads_back_and_scores_units(tuned_path):
    with Project.open(tuned_path) as project, project.session() as session:
        [version] = list_versions(session)
        assert (version.version, version.coder, version.unit, version.units, version.codings,
                version.codes, version.base_model) == (1, "ruth", "turn", 10, 8,
                                                       ["Volunteers", "Waiting"], "minilm-l6.v1")
        assert version.figures["pairs"] == 8 and version.figures["epochs"] == 1
        assert (models_folder(session) / "tuned-1" / "model").is_dir()
        entry, coder = load_coder(session)
        found = units(session, "turn")
        ids, scores = coder.scores(found)
    assert entry.model_name == version.model_name
    best = {found[row].text: ids[int(np.argmax(scores[row]))] for row in range(len(found))}
    names = dict(zip(["Volunteers", "Waiting"], ids, strict=True))
    assert best[VOLUNTEERS[0]] == names["Volunteers"] and best[WAITING[0]] == names["Waiting"]
    assert ((scores >= 0) & (scores <= 1)).all()


def models_of(location: str | Path) -> Path:
    """Where a project's tuned models are: ``study.fsdb-models``, or ``DATABASE-models``."""
    stand_in = local_path(location)
    return stand_in.with_name(stand_in.name + "-models")


def test_finetune_autocode_tuned_stores_suggestions_and_registry_survives(tuned_path, stores):
    copy = stores.copy(tuned_path, "copy.fsdb")
    shutil.copytree(models_of(tuned_path), models_of(copy))
    code, out, err = cli("autocode", copy, "--method", "tuned", "--threshold", "0.0",
                         "--top-k", "1")
    assert (code, err) == (0, "")
    assert out.startswith("tuned: 2 suggestions for 10 turns (8 already coded by a person)")
    with Project.open(copy) as project, project.session() as session:
        texts = sorted(session.scalars(select(Coding.text).where(Coding.coder == "auto:tuned")))
        registry = session.get(Setting, REGISTRY_KEY)
        assert registry is not None and [v["version"] for v in registry.value["versions"]] == [1]
    assert texts == sorted(OTHER)
    code, out, err = cli("autocode", copy, "--method", "tuned", "--model-version", "7")
    assert (code, err) == (1, "error: no tuned model version 7 (stored: 1) [FS002]\n")


def test_finetune_versions_are_listed_and_removed(tuned_path, stores):
    copy = stores.copy(tuned_path, "copy.fsdb")
    shutil.copytree(models_of(tuned_path), models_of(copy))
    code, out, _ = cli("tune", copy, "--list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["version", "coder", "unit", "codings", "codes",
                                              "pairs", "epochs", "seconds", "created", "by"]
    assert lines[2].split()[:7] == ["1", "ruth", "turn", "8", "2", "8", "1"]
    assert cli("tune", copy, "--remove", "1")[:2] == (0, "removed tuned model version 1\n")
    assert not (models_of(copy) / "tuned-1").exists()
    assert cli("tune", copy, "--list", "--json")[1] == "[]\n"
    assert cli("tune", copy, "--remove", "1")[2] == (
        "error: no tuned model in this project; train one with `framesynth tune` [FS002]\n")


def test_finetune_without_codings_is_one_clear_error(project_path, snapshot):
    with Project.open(project_path) as project, project.session() as session:
        add_code(session, CodeSpec(name="Volunteers"))
    before = snapshot(project_path)
    assert cli("tune", project_path, "--coder", "ruth") == (
        1, "", "error: coder 'ruth' has coded any turns yet: no codings to fine-tune on [FS003]\n")
    assert snapshot(project_path) == before
    assert not models_of(project_path).exists()
