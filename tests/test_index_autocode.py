"""Auto-coding: the three methods, suggestions that never touch a person's codings,
and review."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from framesynth.errors import InvalidArgument, NotFound
from framesynth.familiarise.units import Unit, units
from framesynth.frame.framework import CodeSpec, add_code, find_code
from framesynth.index.autocode import (
    EmbeddingCoder,
    KeywordCoder,
    SupervisedCoder,
    best_f1_threshold,
)
from framesynth.index.coding import code_span
from framesynth.index.review import (
    accept_suggestions,
    pending_suggestions,
    reject_suggestions,
    run_autocode,
)
from framesynth.store.models import Coding


def unit(text: str, start: int = 0) -> Unit:
    return Unit(1, start, start + len(text), text, None)


def test_keyword_coder_scores_by_rules_matched(coded):
    waiting = find_code(coded, "Waiting lists")
    coder = KeywordCoder().fit([waiting])
    found = coder.suggest([unit("On the waiting list for six weeks."), unit("Hello there.")])
    assert [(s.unit.text, s.code_id, s.score) for s in found] == [
        ("On the waiting list for six weeks.", waiting.id, pytest.approx(2 / 3))]
    assert KeywordCoder(min_hits=2).get_params() == {"min_hits": 2}


def test_embedding_coder_exclusion_counts_against_a_code(session, hashing):
    first, second = add_code(session, CodeSpec(name="A")), add_code(session, CodeSpec(name="B"))
    plain = add_code(session, CodeSpec(name="Waiting", definition="waiting weeks counselling"),
                     parent=first)
    strict = add_code(session, CodeSpec(name="Waiting", definition="waiting weeks counselling",
                                        exclusion=["threshold panel refused referral"]),
                      parent=second)
    coder = EmbeddingCoder(hashing, threshold=0.0).fit([plain, strict])
    scores = coder.scores([unit("the panel refused the referral over the threshold"),
                           unit("waiting weeks for counselling")])
    assert scores[0, 1] < scores[0, 0]  # the excluded topic lowers the strict code
    assert scores[1, 1] == pytest.approx(scores[1, 0])  # elsewhere both agree


def test_embedding_coder_calibrates_thresholds_on_human_codings(session, hashing):
    code = add_code(session, CodeSpec(name="Buses", definition="bus transport rural"))
    labelled = [(unit(f"the bus was late again {i}"), {code.id}) for i in range(4)]
    labelled += [(unit(f"funding ends in march {i}"), set()) for i in range(6)]
    coder = EmbeddingCoder(hashing).fit([code], labelled)
    assert code.id in coder.thresholds_
    found = coder.suggest([unit("the bus again"), unit("funding in march")])
    assert [s.unit.text for s in found] == ["the bus again"]


def test_best_f1_threshold_separates_perfectly_when_it_can():
    scores = np.array([0.9, 0.8, 0.3, 0.2])
    assert best_f1_threshold(scores, np.array([1, 1, 0, 0])) == pytest.approx(0.55)


def test_supervised_coder_learns_and_gives_probabilities(session, hashing):
    code = add_code(session, CodeSpec(name="Volunteers"))
    labelled = [(unit(f"our volunteers rota on saturday number {i}"), {code.id})
                for i in range(8)]
    labelled += [(unit(f"the council threshold meeting item {i}"), set()) for i in range(8)]
    coder = SupervisedCoder(hashing).fit([code], labelled)
    found = coder.suggest([unit("volunteers rota"), unit("council threshold")])
    assert [s.unit.text for s in found] == ["volunteers rota"]
    assert 0.5 <= found[0].score <= 1.0


def test_supervised_coder_skips_codes_with_too_few_examples(session, hashing):
    code = add_code(session, CodeSpec(name="Rare"))
    labelled = [(unit("rare thing"), {code.id})] + [(unit(f"other {i}"), set()) for i in range(9)]
    coder = SupervisedCoder(hashing).fit([code], labelled)
    assert (coder.skipped_, coder.suggest([unit("rare thing")])) == ([code.id], [])


def test_autocode_never_overwrites_or_duplicates_a_persons_coding(coded):
    start = coded.scalar(select(Coding.id))  # none yet
    assert start is None
    text_units = units(coded, "turn")
    maureen = next(u for u in text_units if "Fourteen weeks" in u.text)
    code_span(coded, "interview.txt", maureen.start, maureen.start + 8, "Waiting lists",
              coder="ruth")
    result = run_autocode(coded, "keyword", actor="ruth")
    suggestions = pending_suggestions(coded)
    assert result.skipped_human == 1
    assert not any(s.start == maureen.start and s.code.name == "Waiting lists"
                   for s in suggestions)
    human = list(coded.scalars(select(Coding).where(Coding.status.is_(None))))
    assert [(c.coder, c.text) for c in human] == [("ruth", "Fourteen")]


def test_review_accept_makes_the_reviewers_coding_and_reject_is_remembered(coded):
    run_autocode(coded, "keyword", actor="ruth")
    first, second = pending_suggestions(coded)[:2]
    [accepted] = accept_suggestions(coded, [first.id], reviewer="colin")
    assert (accepted.coder, accepted.start, accepted.code_id, accepted.status) == (
        "colin", first.start, first.code_id, None)
    assert first.status == "accepted"
    assert reject_suggestions(coded, [second.id], reviewer="colin") == 1
    run_autocode(coded, "keyword", actor="ruth")
    again = pending_suggestions(coded)
    assert not any((s.start, s.code_id) in {(first.start, first.code_id),
                                            (second.start, second.code_id)} for s in again)


def test_review_refuses_unknown_or_settled_suggestions(coded):
    run_autocode(coded, "keyword", actor="ruth")
    suggestion = pending_suggestions(coded)[0]
    reject_suggestions(coded, [suggestion.id], reviewer="ruth")
    with pytest.raises(InvalidArgument) as raised:
        accept_suggestions(coded, [suggestion.id], reviewer="ruth")
    assert str(raised.value) == f"suggestion {suggestion.id} is already rejected [FS003]"
    with pytest.raises(NotFound) as raised:
        accept_suggestions(coded, [9999], reviewer="ruth")
    assert str(raised.value) == "no suggestion with id 9999 [FS002]"


def test_semantic_autocode_with_the_real_model_finds_waiting(coded, minilm):
    result = run_autocode(coded, "semantic", embedder=minilm, threshold=0.3, actor="ruth")
    assert result.stored > 0
    found = {(s.text[:14], s.code.name) for s in pending_suggestions(coded, method="semantic")}
    assert ("Fourteen weeks", "Waiting lists") in found


def test_supervised_autocode_needs_a_coder(coded, hashing):
    with pytest.raises(InvalidArgument) as raised:
        run_autocode(coded, "supervised", embedder=hashing, actor="ruth")
    assert str(raised.value) == "the supervised method needs --train-coder NAME [FS003]"
    with pytest.raises(InvalidArgument) as raised:
        run_autocode(coded, "supervised", embedder=hashing, train_coder="nobody", actor="ruth")
    assert str(raised.value) == "coder 'nobody' has no codings to learn from [FS003]"


def test_embeddings_are_cached_in_the_project(coded, hashing):
    from framesynth.embeddings import embed
    from framesynth.store.models import CachedEmbedding

    first = embed(coded, hashing, ["a text", "another text", "a text"])
    assert coded.query(CachedEmbedding).count() == 2
    second = embed(coded, hashing, ["another text"])
    assert np.allclose(first[1], second[0])
