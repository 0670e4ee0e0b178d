"""Theme quality: metrics on hand-made cases, the algorithms on clear topics, linear cost."""

from __future__ import annotations

import json

import numpy as np
import pytest

from framesynth.errors import InvalidArgument
from framesynth.familiarise.units import Unit
from framesynth.frame import clustering
from framesynth.frame.theme_quality import (
    Span,
    adjusted_rand,
    normalised_mutual_info,
    purity,
    quality,
    recognised,
    stem,
    unit_labels,
)
from framesynth.frame.themes import cluster_units, suggest_themes


def test_theme_quality_unit_labels_take_the_label_covering_most_characters():
    found = [Unit(1, 0, 10, "a" * 10, None), Unit(1, 10, 20, "b" * 10, None),
             Unit(1, 20, 30, "c" * 10, None), Unit(2, 0, 10, "d" * 10, None)]
    spans = [Span(1, 0, 4, 7), Span(1, 3, 10, 8),  # 4 vs 7 characters: 8 wins
             Span(1, 10, 15, 9), Span(1, 15, 20, 7),  # a tie: 7 is listed first
             Span(3, 0, 10, 7)]  # another source: touches nothing here
    assert unit_labels(found, spans, order=[7, 8, 9]) == [8, 7, None, None]


def test_theme_quality_scores_on_a_hand_made_clustering():
    truth = [1, 1, 1, 2, 2, 2, None]
    perfect = [5, 5, 5, 6, 6, 6, 6]
    assert (adjusted_rand([1, 1, 2, 2], [0, 0, 1, 1]),
            normalised_mutual_info([1, 1, 2, 2], [3, 3, 4, 4])) == (1.0, 1.0)
    assert adjusted_rand([1, 1, 2, 2], [0, 1, 0, 1]) == pytest.approx(-0.5)
    assert normalised_mutual_info([1, 1, 2, 2], [0, 1, 0, 1]) == pytest.approx(0.0)
    assert purity(truth, [0, 0, 1, 1, 1, 1, 2]) == {
        0: (1, 1.0), 1: (2, 3 / 4), 2: (None, 0.0)}  # cluster 1 holds 1, 2, 2, 2
    found = quality(truth, perfect, {5: ["bus routes", "late"], 6: ["grant", "money"]},
                    {1: "Transport: buses and the routes families take",
                     2: "Funding: what a programme costs"})
    assert (found.ari, found.nmi, found.purity, found.recognised, found.scored) == (
        1.0, 1.0, 1.0, 0.5, 6)  # "bus" names theme 1; nothing of cluster 6 names theme 2
    assert found.per_candidate == [(1, 1.0), (2, 1.0)]


@pytest.mark.parametrize(("word", "expected"), [
    ("referrals", "referral"), ("waiting", "wait"), ("volunteers", "volunteer"),
    ("bus", "bus"), ("Thresholds", "threshold"), ("used", "used")])
def test_theme_quality_stem_takes_one_suffix_off(word, expected):
    assert stem(word) == expected


def test_theme_quality_recognised_matches_stems_and_two_word_keywords():
    assert recognised(["the", "waiting list"], "Waiting lists: waits for a service")
    assert recognised(["referred", "form"], "Referral routes: who refers families") is False
    assert recognised(["forms"], "referral forms and vouchers")
    assert not recognised(["and", "the"], "and the")  # stop-words never count


TOPICS = {
    "bus": "the number {i} bus to stanmere runs late so families miss the clinic",
    "grant": "our grant funding from the council ends in march and money runs out",
    "volunteer": "volunteers give their evenings to run the youth club and the cafe",
}


def topic_corpus(per_topic: int = 12) -> tuple[list[Unit], list[int]]:
    found, truth, position = [], [], 0
    for number, template in enumerate(TOPICS.values()):
        for i in range(per_topic):
            words = template.replace("{i}", str(i)).split()
            text = " ".join(words[i % 3:] + words[:i % 3])  # same words, other orders
            found.append(Unit(1, position, position + len(text), text, None))
            truth.append(number)
            position += len(text) + 1
    return found, truth


def test_theme_quality_default_pipeline_recovers_clear_topics(hashing):
    found, truth = topic_corpus()
    candidates = suggest_themes(None, found, embedder=hashing, k=3, seed=0)
    label = {u: number for number, c in enumerate(candidates) for u in c.members}
    assert adjusted_rand(truth, [label[u] for u in found]) >= 0.9
    assert sorted(len(c.members) for c in candidates) == [12, 12, 12]


@pytest.mark.parametrize("representation", clustering.REPRESENTATIONS)
@pytest.mark.parametrize("algorithm", clustering.ALGORITHMS)
def test_theme_quality_every_combination_is_deterministic_and_finds_the_topics(
        hashing, representation, algorithm):
    found, truth = topic_corpus()
    texts = [u.text for u in found]
    vectors = hashing.encode(texts)
    runs = [cluster_units(vectors, texts, k=3, seed=4, representation=representation,
                          algorithm=algorithm)[1] for _ in range(2)]
    assert runs[0].tolist() == runs[1].tolist()
    assert adjusted_rand(truth, runs[0].tolist()) >= 0.9


def test_theme_quality_unknown_choices_are_refused(hashing):
    found, _ = topic_corpus()
    vectors = hashing.encode([u.text for u in found])
    with pytest.raises(InvalidArgument, match="algorithm 'dbscan' is not one of"):
        clustering.cluster(vectors, k=3, seed=0, algorithm="dbscan")
    with pytest.raises(InvalidArgument, match="representation 'bag' is not one of"):
        cluster_units(vectors, [u.text for u in found], k=3, seed=0, representation="bag")


def test_theme_quality_sampled_algorithms_fit_a_fixed_size_sample(monkeypatch):
    sizes: list[int] = []

    def fake_fit(sample: np.ndarray, k: int, seed: int) -> np.ndarray:
        sizes.append(len(sample))
        return (sample[:, 0] > 0).astype(int)  # two clusters by the first coordinate

    run = clustering._on_sample(fake_fit)
    rng = np.random.default_rng(0)
    vectors = clustering.normalise(np.vstack([
        rng.normal([3, 0, 0], 0.1, size=(3000, 3)), rng.normal([-3, 0, 0], 0.1, size=(3000, 3))]))
    labels = run(vectors, 2, 0)
    assert sizes == [clustering.SAMPLE]  # never more than the sample, whatever the corpus
    assert len(labels) == 6000
    assert set(labels[:3000].tolist()) == {1} and set(labels[3000:].tolist()) == {0}


def test_theme_quality_sample_indices_are_capped_sorted_and_seeded():
    first = clustering.sample_indices(10_000, seed=1, size=50)
    assert len(first) == 50 and first.tolist() == sorted(set(first.tolist()))
    assert first.tolist() == clustering.sample_indices(10_000, seed=1, size=50).tolist()
    assert first.tolist() != clustering.sample_indices(10_000, seed=2, size=50).tolist()
    assert clustering.sample_indices(30, seed=1, size=50).tolist() == list(range(30))


def test_theme_quality_nearest_assigns_in_chunks():
    vectors = clustering.normalise(np.array([[1.0, 0.1], [0.1, 1.0], [0.9, 0.0], [0.0, 2.0]]))
    centres = np.array([[2.0, 0.0], [0.0, 1.0]])
    assert clustering.nearest(vectors, centres, chunk=3).tolist() == [0, 1, 0, 1]


@pytest.fixture
def topics_study(fs, stores, tmp_path):
    lines = ["Topics interview - three clear topics", ""]
    found, _ = topic_corpus()
    for minute, unit in enumerate(found):
        lines += [f"[00:{minute:02d}:00] Interviewer: Could you say more about that?", "",
                  f"[00:{minute:02d}:30] Dana: {unit.text}.", ""]
        if minute % 12 == 0:
            lines += [f"[00:{minute:02d}:50] Dana: Mm-hmm, yeah, you know, right.", ""]
    transcript = tmp_path / "topics.txt"
    transcript.write_text("\n".join(lines), encoding="utf-8")
    path = stores.empty("study.fsdb")
    fs("init", path)
    assert fs("import", path, transcript)[0] == 0
    return path


@pytest.mark.parametrize("options", [[], ["--representation", "combined", "--algorithm",
                                          "ward"]])
def test_theme_quality_cli_suggest_finds_the_topics_and_adopt_agrees(fs, topics_study,
                                                                      options):
    code, out, _ = fs("themes", "suggest", topics_study, "--unit", "turn", "--k", "3",
                      "--json", *options)
    data = json.loads(out)
    assert code == 0 and [c["size"] for c in data] == [12, 12, 12]
    topics = [{topic_of(m["text"]) for m in c["members"]} for c in data]
    assert sorted(topics, key=sorted) == [{"bus"}, {"grant"}, {"volunteer"}]  # one each
    for candidate, [topic] in zip(data, topics, strict=True):
        assert topic in " ".join(candidate["keywords"])  # the label names it
    assert fs("themes", "adopt", topics_study, "1", "--name", "First", "--framework",
              "draft:ruth", "--unit", "turn", "--k", "3", *options) == (
        0, "adopted candidate 1 as 'First' in 'draft:ruth'\n", "")


def topic_of(text: str) -> str:
    return next(topic for topic in TOPICS if topic in text)


def test_theme_quality_cli_refuses_an_unknown_algorithm(fs, topics_study):
    assert fs("themes", "suggest", topics_study, "--algorithm", "dbscan") == (
        1, "", "error: algorithm 'dbscan' is not one of: kmeans, pca-kmeans, ward, spectral "
               "[FS003]\n")


def test_theme_quality_theme_units_leave_out_interviewer_and_back_channel(topics_study):
    from framesynth.familiarise.units import units
    from framesynth.frame.themes import theme_units
    from framesynth.project import Project

    with Project.open(topics_study) as project, project.session() as session:
        kept = theme_units(session)
        everything = theme_units(session, participants_only=False)
        with_team = units(session, "turn", include_interviewer=True)
    assert (len(kept), len(everything), len(with_team)) == (36, 39, 75)
    assert [u.text for u in kept] == [u.text + "." for u in topic_corpus()[0]]
