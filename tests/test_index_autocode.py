"""Auto-coding: the three methods, suggestions that never touch a person's codings,
and review."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from framesynth.errors import InvalidArgument, NotFound
from framesynth.familiarise.units import Unit, units
from framesynth.frame.framework import CodeSpec, add_code, find_code, framework_codes
from framesynth.index import zeroshot
from framesynth.index.autocode import (
    EmbeddingCoder,
    KeywordCoder,
    SupervisedCoder,
    best_f1_threshold,
)
from framesynth.index.coding import code_span
from framesynth.index.eligible import eligible_units
from framesynth.index.review import (
    accept_suggestions,
    pending_suggestions,
    reject_suggestions,
    run_autocode,
    suggestion_counts,
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


def bus_and_funding(session):
    buses = add_code(session, CodeSpec(name="Buses", definition="bus transport rural"))
    funding = add_code(session, CodeSpec(name="Funding", definition="funding ends in march"))
    labelled = [(unit(f"the bus was late again number {i}", i * 40), {buses.id})
                for i in range(15)]
    labelled += [(unit(f"our funding ends in march number {i}", 600 + i * 40), {funding.id})
                 for i in range(15)]
    return buses, funding, labelled


def test_embedding_coder_ranks_top_k_with_confidence_for_every_unit(session, hashing):
    buses, funding, labelled = bus_and_funding(session)
    targets = [u for u, _ in labelled]
    found = EmbeddingCoder(hashing, top_k=1).fit([buses, funding]).suggest(targets)
    assert [(s.unit, s.code_id) for s in found] == [(u, min(c)) for u, c in labelled]
    both = EmbeddingCoder(hashing).fit([buses, funding]).suggest(targets)
    assert len(both) == 2 * len(targets)  # top-3 of two codes: both, for every unit
    assert all(0.0 <= s.score <= 1.0 for s in both)


def test_zeroshot_confidence_is_monotone_in_the_raw_score():
    raw = np.linspace(-0.3, 0.4, 30)
    for margin in (-0.2, 0.0, 0.15):
        sure = [zeroshot.confidence(score, margin) for score in raw]
        assert all(0.0 <= p <= 1.0 for p in sure)
        assert sure == sorted(sure) and sure[0] < sure[-1]


def test_embedding_coder_ranks_by_score_and_rates_the_top_code_highest(session, hashing):
    buses, funding, labelled = bus_and_funding(session)
    coder = EmbeddingCoder(hashing).fit([buses, funding])
    targets = [u for u, _ in labelled]
    scores = coder.scores(targets)
    found = coder.suggest(targets)
    for row, first, second in zip(scores, found[::2], found[1::2], strict=True):
        assert first.score > second.score
        assert row[[buses.id, funding.id].index(first.code_id)] == row.max()


def test_embedding_coder_recalibrates_on_the_projects_codings(session, hashing):
    buses, funding, labelled = bus_and_funding(session)
    fixed = EmbeddingCoder(hashing).fit([buses, funding])
    refitted = EmbeddingCoder(hashing).fit([buses, funding], labelled)
    assert (fixed.calibration_, fixed.recalibrated_on_) == (zeroshot.CALIBRATION, 0)
    assert refitted.recalibrated_on_ == 30 and refitted.calibration_ != zeroshot.CALIBRATION
    targets = [unit("the bus again", 5000), unit("funding in march", 5100)]
    before = [s.score for s in fixed.suggest(targets)]
    after = [s.score for s in refitted.suggest(targets)]
    assert before != after and all(0.0 <= p <= 1.0 for p in after)
    too_few = EmbeddingCoder(hashing).fit([buses, funding], labelled[:4] + labelled[15:19])
    assert too_few.calibration_ == zeroshot.CALIBRATION  # 8 units: too few to refit


def test_zeroshot_expected_calibration_error():
    sure = np.array([0.9, 0.9, 0.1, 0.1])
    assert zeroshot.expected_calibration_error(sure, np.array([1, 1, 0, 0], bool)) == (
        pytest.approx(0.1))
    assert zeroshot.expected_calibration_error(sure, np.array([0, 0, 1, 1], bool)) == (
        pytest.approx(0.9))


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


def test_semantic_autocode_ranks_every_eligible_unit(coded, hashing):
    result = run_autocode(coded, "semantic", embedder=hashing, actor="ruth")
    pending = pending_suggestions(coded, method="semantic")
    eligible = {(u.source_id, u.start) for u in eligible_units(coded, "turn").units}
    per_unit = Counter((s.source_id, s.start) for s in pending)
    assert set(per_unit) == eligible and set(per_unit.values()) == {3}  # coverage 100%
    assert result.units == len(eligible) and result.stored == len(pending) == 3 * len(eligible)
    assert all(0.0 <= s.score <= 1.0 for s in pending)


def test_semantic_autocode_min_score_stores_only_those(coded, hashing):
    every = run_autocode(coded, "semantic", embedder=hashing, actor="ruth")
    scores = sorted(s.score for s in pending_suggestions(coded, method="semantic"))
    cut = scores[len(scores) // 2]
    some = run_autocode(coded, "semantic", embedder=hashing, min_score=cut, actor="ruth")
    kept = pending_suggestions(coded, method="semantic")
    assert some.stored == len(kept) == sum(1 for s in scores if s >= cut)
    assert some.below_min_score == every.stored - some.stored > 0
    assert all(s.score >= cut for s in kept)


def test_review_counts_per_cut_off(coded, hashing):
    run_autocode(coded, "semantic", embedder=hashing, actor="ruth")
    pending = pending_suggestions(coded)
    counts = suggestion_counts(coded, cut_offs=(0.9, 0.5, 0.0))
    assert [c.min_score for c in counts] == [0.9, 0.5, 0.0]
    for c in counts:
        kept = [s for s in pending if s.score >= c.min_score]
        assert (c.suggestions, c.units) == (len(kept), len({(s.source_id, s.start)
                                                              for s in kept}))
    assert counts[-1].suggestions == len(pending)


HELD_OUT = {  # bench/labelled turns (no example text in them) -> their human code
    "So I'm the volunteer coordinator, twenty-five": "Volunteers",
    "That's the question, isn't it. My post is funded": "Short-term funding",
    "Without it there's no service. Stanmere's six": "Transport and rural access",
    "Completely. Two years ago nobody put food": "Cost of living",
    "Scared, a lot of them. Say Early Help": "Families' trust in services",
    "Far too much about referrals being turned down.": "Thresholds and gatekeeping",
    "Mostly word of mouth, honestly.": "Referral routes",
    "Tidewater's the one that keeps me up.": "Waiting lists",
    "There's a signed agreement, I've seen it": "Depth of partnership",
    "Better than they did. But there's still a bit": "Trust between organisations",
    "Numbers, mostly, and I'm as guilty as anyone.": "Monitoring and evidence",
    "Yes, the best thing this year. The trauma-informed": "Joint training",
}


def test_semantic_real_model_ranks_held_out_turns_top_1(session, minilm):
    from framesynth.demo import demo_file
    from framesynth.io.codebook import import_codebook
    from framesynth.io.importers import import_files

    bench = Path(__file__).parents[1] / "bench" / "labelled" / "transcripts"
    import_files(session, sorted(bench.glob("*.txt")))
    import_codebook(session, demo_file("framework.yaml"), actor="ruth")
    turns = {start: next(u for u in units(session) if u.text.startswith(start))
             for start in HELD_OUT}
    codes = [c for c in framework_codes(session) if c.codable]
    assert not any(e in u.text for c in codes for e in c.examples for u in turns.values())
    coder = EmbeddingCoder(minilm, top_k=1).fit(codes)
    found = {s.unit.text: s.code_id for s in coder.suggest(list(turns.values()))}
    names = {c.id: c.name for c in codes}
    assert {start: names[found[u.text]] for start, u in turns.items()} == HELD_OUT


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


def test_review_two_reviewers_accepting_one_suggestion_at_once_give_one_coding(
        project, data_dir, framework_file):
    """The second reviewer's request, made while the first's is still open, waits for
    it, finds the suggestion settled and keeps nothing: one coding, never two."""
    import threading

    from framesynth.io.codebook import import_codebook
    from framesynth.io.importers import import_files

    with project.session() as setup:
        import_files(setup, [data_dir / "interview.txt"])
        import_codebook(setup, framework_file, actor="ruth")
        run_autocode(setup, "keyword", actor="ruth")
        suggestion = pending_suggestions(setup)[0].id
    outcome: dict[str, object] = {}

    def second_reviewer() -> None:
        try:
            with project.session() as other:
                outcome["accepted"] = accept_suggestions(other, [suggestion], reviewer="colin")
        except InvalidArgument as refused:
            outcome["refused"] = str(refused)

    with project.session() as first:
        accept_suggestions(first, [suggestion], reviewer="amira")
        racer = threading.Thread(target=second_reviewer)
        racer.start()
        racer.join(timeout=1.0)  # it is waiting for the first transaction
        assert racer.is_alive()
    racer.join(timeout=30)
    assert outcome == {"refused": "another reviewer has just reviewed some of these "
                                  "suggestions; reload the queue [FS003]"}
    with project.session() as after:
        made = after.scalars(select(Coding).where(Coding.status.is_(None))).all()
        assert [(c.coder, c.start) for c in made] == [
            ("amira", after.get(Coding, suggestion).start)]
