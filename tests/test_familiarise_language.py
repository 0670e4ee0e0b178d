"""Languages: detected per source, their stop-words in ``words``, and what the embedding
models do not cover in auto-coding."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from framesynth.embeddings import HashingEmbedder
from framesynth.errors import InvalidArgument, NotFound
from framesynth.familiarise.frequencies import word_frequencies
from framesynth.familiarise.language import (
    detect_language,
    ensure_languages,
    set_default_language,
    set_source_language,
    sources_by_language,
)
from framesynth.familiarise.overview import project_info
from framesynth.frame.framework import CodeSpec, add_code
from framesynth.index.coding import code_span
from framesynth.index.review import pending_suggestions, run_autocode
from framesynth.io.importers import import_files
from framesynth.project import Project
from framesynth.store.models import Source
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

LOCAL = "http://127.0.0.1"  # the Host a browser on this machine sends

FIXTURES = ("languages/entretien.txt", "languages/interview_nl.txt")


class EnglishHashing(HashingEmbedder):
    """The hashing embedder, declared as covering English only."""

    name = "hashing-en.test"
    languages = frozenset({"en"})


def languages(session) -> dict[str, str | None]:
    return dict(session.execute(select(Source.name, Source.language)).all())


@pytest.fixture
def mixed(coded, data_dir):
    """The ``coded`` project (English) with a French and a Dutch interview."""
    import_files(coded, [data_dir / name for name in FIXTURES])
    return coded


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_language_detected_at_import_for_each_source(mixed):
    assert languages(mixed) == {"interview.txt": "en", "focus_group.txt": "en",
                                "entretien.txt": "fr", "interview_nl.txt": "nl"}
    assert sources_by_language(mixed) == {"en": 2, "fr": 1, "nl": 1}


def test_language_follows_the_participants_not_the_interviewer(session, tmp_path):
    path = write(tmp_path, "bilingual.txt",
                 "Interviewer: Thank you for making time today. Could you tell me, in your "
                 "own words, how families usually find their way to the centre?\n\n"
                 "Josiane: Ils viennent par le bouche-à-oreille, surtout. Une voisine en "
                 "parle à une autre, et la semaine suivante elles sont là toutes les deux.\n\n"
                 "Interviewer: And is that the same for the fathers who come along?\n\n"
                 "Josiane: Non, les pères arrivent plutôt par l'école ou par le médecin.")
    import_files(session, [path])
    assert languages(session) == {"bilingual.txt": "fr"}


def test_language_short_or_mixed_text_gets_the_project_default(session, tmp_path):
    set_default_language(session, "nl")
    short = write(tmp_path, "short.txt", "Interviewer: Klaar?\n\nBram: Ja.\n\nBram: Oké.")
    mixed = write(tmp_path, "mixed.txt",
                  "Interviewer: Where shall we start?\n\n"
                  "Ines: We started the Tuesday drop-in three years ago with two volunteers "
                  "and a kettle, and now forty families come every week.\n\n"
                  "Ines: Au début on avait beaucoup de mal à trouver des bénévoles pour la "
                  "permanence, et maintenant les familles reviennent chaque semaine.")
    import_files(session, [short, mixed])
    assert languages(session) == {"short.txt": "nl", "mixed.txt": "nl"}
    assert detect_language(["Oui.", "Ja."]) is None


def test_language_filled_lazily_for_sources_imported_before_detection(mixed):
    mixed.execute(update(Source).values(language=None))
    assert ensure_languages(mixed) == 4
    assert languages(mixed)["entretien.txt"] == "fr"
    assert ensure_languages(mixed) == 0


def test_language_set_by_hand_and_refused_when_unknown(mixed):
    assert set_source_language(mixed, "interview.txt", "FR").language == "fr"
    with pytest.raises(InvalidArgument, match=r"unknown language code 'xx'.*\[FS003\]"):
        set_source_language(mixed, "interview.txt", "xx")
    with pytest.raises(NotFound, match="no source named 'nope.txt'"):
        set_source_language(mixed, "nope.txt", "fr")
    with pytest.raises(InvalidArgument, match="unknown language code 'english'"):
        set_default_language(mixed, "english")
    assert languages(mixed)["interview.txt"] == "fr"


def test_language_words_drop_each_sources_stop_words(mixed):
    top = word_frequencies(mixed, top=5)
    assert top["entretien.txt"] == [("familles", 3), ("arrive", 2), ("attente", 2),
                                    ("bénévoles", 2), ("fiche", 2)]
    assert top["interview_nl.txt"] == [("gezinnen", 3), ("komt", 3), ("gemeente", 2),
                                       ("vrijwilligers", 2), ("belt", 1)]
    every = word_frequencies(mixed, top=1000, include_interviewer=True)
    french, dutch = dict(every["entretien.txt"]), dict(every["interview_nl.txt"])
    assert not {"le", "la", "et", "que", "les", "des"} & set(french)
    assert not {"de", "het", "een", "en", "we", "dat"} & set(dutch)


def test_language_words_with_a_forced_language(mixed):
    forced = word_frequencies(mixed, top=2, language="en")
    assert forced["interview_nl.txt"] == [("het", 9), ("en", 7)]
    with pytest.raises(InvalidArgument, match="unknown language code 'klingon'"):
        word_frequencies(mixed, language="klingon")


def test_language_info_counts_sources_by_language(mixed):
    assert project_info(mixed)["sources_by_language"] == {"en": 2, "fr": 1, "nl": 1}


def test_language_demo_corpus_is_all_english(demo_session):
    counts = sources_by_language(demo_session)
    assert list(counts) == ["en"] and counts["en"] >= 10


def test_language_semantic_autocode_skips_uncovered_sources_and_says_so(mixed, minilm):
    result = run_autocode(mixed, "semantic", embedder=minilm, threshold=0.3, actor="ruth")
    assert result.uncovered is not None
    assert result.uncovered.message == (
        "2 sources in fr, nl are not covered by minilm-l6.v1 (English only): "
        "no suggestions for their 8 turns")
    assert result.uncovered.as_dict()["sources"] == ["entretien.txt", "interview_nl.txt"]
    suggested = {s.source.name for s in pending_suggestions(mixed, method="semantic")}
    assert suggested and suggested <= {"interview.txt", "focus_group.txt"}
    assert result.units == 7  # the English turns only, a fragment aside


def test_language_hashing_embedder_covers_every_language(mixed, hashing):
    result = run_autocode(mixed, "semantic", embedder=hashing, threshold=0.2, actor="ruth")
    assert result.uncovered is None and result.units == 15  # a fragment aside


def test_language_supervised_autocode_skips_and_refuses_uncovered_training(mixed):
    english = EnglishHashing()
    code_span(mixed, "entretien.txt", 0, 40, "Waiting lists", coder="claire")
    with pytest.raises(InvalidArgument, match=(
            "coder 'claire' coded only sources in fr, which hashing-en.test does not cover")):
        run_autocode(mixed, "supervised", embedder=english, train_coder="claire",
                     actor="ruth")
    code_span(mixed, "interview.txt", 100, 140, "Waiting lists", coder="ruth")
    result = run_autocode(mixed, "supervised", embedder=english, train_coder="ruth",
                          actor="ruth")
    assert result.uncovered.message == (
        "2 sources in fr, nl are not covered by hashing-en.test (English only): "
        "no suggestions for their 8 turns")


def test_language_keyword_rules_code_any_language(mixed):
    add_code(mixed, CodeSpec(name="Attente", keywords=["attente", "wachtlijst"]))
    result = run_autocode(mixed, "keyword", codes=["Attente"], actor="ruth")
    assert result.uncovered is None
    found = {s.source.name for s in pending_suggestions(mixed, method="keyword")}
    assert found == {"entretien.txt", "interview_nl.txt"}


def test_language_cli_autocode_prints_the_notice(fs, project_path, data_dir, framework_file,
                                                 monkeypatch):
    fs("import", project_path, data_dir / "interview.txt",
       *[data_dir / name for name in FIXTURES])
    fs("codebook", "import", project_path, framework_file)
    monkeypatch.setattr("framesynth.cli.index.get_embedder", lambda name=None: EnglishHashing())
    code, out, _ = fs("autocode", project_path, "--method", "semantic", "--threshold", "0.9")
    assert (code, out.splitlines()) == (0, [
        "semantic: 1 suggestions for 2 turns (0 already coded by a person)",
        "left out 10 turns: 10 team",
        "2 sources in fr, nl are not covered by hashing-en.test (English only): "
        "no suggestions for their 8 turns"])


def test_language_cli_lists_sets_and_refuses(fs, project_path, data_dir, snapshot):
    fs("import", project_path, data_dir / "interview.txt",
       *[data_dir / name for name in FIXTURES])
    code, out, err = fs("language", project_path)
    assert (code, err) == (0, "default language: en\n")
    assert out.splitlines() == [
        "source            language  name",
        "----------------  --------  -------",
        "entretien.txt     fr        French",
        "interview.txt     en        English",
        "interview_nl.txt  nl        Dutch"]
    assert fs("language", project_path, "interview.txt", "de") == (
        0, "interview.txt: de (German)\n", "")
    before = snapshot(project_path)
    assert fs("language", project_path, "interview.txt", "zz") == (
        1, "", "error: unknown language code 'zz'; use an ISO 639-1 code such as en, fr, "
               "nl or de [FS003]\n")
    assert snapshot(project_path) == before
    assert fs("language", project_path, "--default", "fr") == (0, "default language: fr\n", "")
    code, out, _ = fs("info", project_path)
    assert "sources by language         de 1, fr 1, nl 1" in out.splitlines()


def test_language_review_page_shows_the_notice(project_path, data_dir):
    with Project.open(project_path) as project, project.session() as session:
        import_files(session, [data_dir / "interview.txt", *[data_dir / n for n in FIXTURES]])
    app = create_app(Settings(project=project_path, host="127.0.0.1", local_user="ruth",
                              embedder="minilm-l6.v1"))
    page = TestClient(app, base_url=LOCAL).get("/review").text
    notice = re.search(r'<p class="notice" id="language-notice">([^<]+)</p>', page).group(1)
    assert notice == ("2 sources in fr, nl are not covered by minilm-l6.v1 (English only): "
                      "no suggestions for their 8 turns. Keyword rules still code them.")
    hashing_app = create_app(Settings(project=project_path, host="127.0.0.1",
                                      local_user="ruth", embedder="hashing.v1"))
    assert "language-notice" not in TestClient(hashing_app, base_url=LOCAL).get("/review").text
