"""Keyword in context: plain and regex patterns, case, filters by case attributes, memos."""

from __future__ import annotations

import pytest

from framesynth.errors import InvalidArgument
from framesynth.familiarise import search as search_module
from framesynth.familiarise.context import parse_where
from framesynth.familiarise.memos import add_memo
from framesynth.familiarise.search import Hit, compile_pattern, search
from framesynth.io.importers import import_files
from framesynth.io.importers.case_table import import_case_table
from framesynth.store.text_index import LikeIndex


@pytest.fixture
def small(session, data_dir):
    import_case_table(session, data_dir / "cases.csv")
    import_files(session, [data_dir / n for n in ("interview.txt", "focus_group.txt",
                                                  "interview.md")])
    return session


def rows(hits: list[Hit]) -> list[tuple]:
    return [(h.source, h.speaker, h.role, h.offset, h.left, h.match, h.right) for h in hits]


def at(data_dir, name: str, phrase: str) -> int:
    """Where ``phrase`` starts in a test file's text: the offset a hit must report."""
    return (data_dir / name).read_text(encoding="utf-8").index(phrase)


def test_search_plain_words_match_at_word_starts_in_any_case(small, data_dir):
    assert rows(search(small, "threshold", width=20)) == [
        ("focus_group.txt", "Claire", "project worker",
         at(data_dir, "focus_group.txt", "threshold is"), "e council side, the", "threshold",
         "is the problem."),
        ("focus_group.txt", "Facilitator", None, at(data_dir, "focus_group.txt", "thresholds."),
         "Say more about", "threshold", "s."),
    ]


def test_search_phrase_spans_any_whitespace_and_finds_longer_words(small, data_dir):
    # focus_group.txt's title "Focus group - waiting lists" is its preamble, not a turn
    assert rows(search(small, "waiting list", width=12)) == [
        ("interview.txt", "Interviewer", None, at(data_dir, "interview.txt", "waiting list?"),
         "And the", "waiting list", "?"),
    ]
    assert [(h.source, h.match, h.right[:4]) for h in search(small, "refer")] == [
        ("focus_group.txt", "Refer", "rals"), ("interview.txt", "refer", "rals")]


def test_search_does_not_match_inside_words(small):
    assert search(small, "hold") == []


def test_search_case_sensitive(small):
    assert [h.match for h in search(small, "Referrals", case_sensitive=True)] == ["Referrals"]


def test_search_regex(small, data_dir):
    hits = search(small, r"\b(Tues|Fri)day\b", regex=True, width=10)
    assert rows(hits) == [("focus_group.txt", "Dawn", "project worker",
                           at(data_dir, "focus_group.txt", "Tuesday"), "e run the", "Tuesday",
                           "group at")]


def test_search_where_filters_by_organisation_and_participant_attributes(small):
    community = search(small, "the", where=parse_where(["sector=community"]))
    assert {(h.source, h.speaker) for h in community} == {
        ("focus_group.txt", "Dawn"), ("interview.txt", "Maureen")}
    statutory_or_voluntary = search(small, "the", where=parse_where(
        ["sector=statutory", "sector=voluntary"]))
    assert {h.speaker for h in statutory_or_voluntary} == {"Claire", "Sam", "Helen Ashworth"}
    lead_in_community = search(small, "the", where=parse_where(
        ["sector=community", 'role="Project Lead"']))
    assert {h.speaker for h in lead_in_community} == {"Maureen"}


def test_search_where_filters_by_source_attributes(small):
    hits = search(small, "families", where=parse_where(["theme=waiting lists",
                                                        "interviewer=true"]))
    assert [(h.source, h.speaker, h.match) for h in hits] == [
        ("focus_group.txt", "Facilitator", "families")]


def test_search_unknown_attribute_is_an_error_that_lists_the_known_ones(small):
    with pytest.raises(InvalidArgument, match=r"unknown attribute 'secter' in --where; known: "
                                              r".*sector.*"):
        search(small, "the", where=parse_where(["secter=community"]))


@pytest.mark.parametrize("item", ["sector", "=community", ""])
def test_search_where_must_be_key_value(item):
    with pytest.raises(InvalidArgument, match="must look like KEY=VALUE"):
        parse_where([item])


def test_search_memos_are_searchable(small, data_dir):
    memo = "Thresholds again: referrals bounce back."
    add_memo(small, memo, author="ruth", source="focus_group.txt")
    hits = search(small, "bounce", memos=True, width=10)
    assert rows(hits) == [
        ("focus_group.txt", "Dawn", "project worker", at(data_dir, "focus_group.txt", "bounce"),
         "Referrals", "bounce", "back with"),
        ("memo:1", "ruth", None, memo.index("bounce"), "referrals", "bounce", "back."),
    ]


def test_search_full_text_index_and_plain_scan_agree(small, monkeypatch):
    patterns = ["the", "waiting list", "refer", "St Aidan's", "food bank"]
    indexed = {p: rows(search(small, p)) for p in patterns}
    assert all(indexed.values())  # every pattern is found: the comparison means something
    monkeypatch.setattr(search_module, "text_index_for", lambda session: LikeIndex())
    assert {p: rows(search(small, p)) for p in patterns} == indexed


@pytest.mark.parametrize("index", ["full-text index", "plain scan"])
def test_search_words_with_diacritics_are_found_in_any_case(session, tmp_path, monkeypatch,
                                                            index):
    text = ("Interviewer: Where did you meet?\n\n"
            "Siobhán: At the CAFÉ on Main Street, then the café by the crèche.\n\n"
            "Interviewer: And Siobhán's group?\n\nSiobhán: Naïve of me, a cafe too.\n")
    transcript = tmp_path / "cafe.txt"
    transcript.write_text(text, encoding="utf-8")
    import_files(session, [transcript])
    if index == "plain scan":
        monkeypatch.setattr(search_module, "text_index_for", lambda session: LikeIndex())
    found = {p: [(h.speaker, h.offset, h.match) for h in search(session, p)]
             for p in ("café", "crèche", "naïve", "Siobhán")}
    assert found == {
        "café": [("Siobhán", text.index("CAFÉ"), "CAFÉ"), ("Siobhán", text.index("café"), "café")],
        "crèche": [("Siobhán", text.index("crèche"), "crèche")],
        "naïve": [("Siobhán", text.index("Naïve"), "Naïve")],
        "Siobhán": [("Interviewer", text.index("Siobhán's"), "Siobhán")],
    }


def test_search_limit(small):
    assert len(search(small, "the", limit=3)) == 3


@pytest.mark.parametrize(("pattern", "regex"), [("", False), ("   ", False), ("(", True)])
def test_search_bad_patterns(pattern, regex):
    with pytest.raises(InvalidArgument):
        compile_pattern(pattern, regex=regex)


def test_search_a_catastrophic_regex_cannot_hang_the_search(session, tmp_path):
    """``(a+)+$`` on a turn of 40 "a"s and a "b" backtracks exponentially in Python's
    ``re`` (minutes); the ``regex`` engine answers at once, and finds the one real match.
    (A pattern that is slow even there is stopped by the time limit: next test.)"""
    transcript = tmp_path / "long.txt"
    transcript.write_text("Interviewer: Say it.\n\nRuth: " + "a" * 40 + "b\n\n"
                          "Interviewer: Again?\n\nRuth: aaa\n", encoding="utf-8")
    import_files(session, [transcript])
    hits = search(session, "(a+)+$", regex=True)
    assert [(hit.speaker, hit.match) for hit in hits] == [("Ruth", "aaa")]


def test_search_a_slow_regex_is_stopped_by_the_time_limit():
    matcher = search_module.guarded_regex(r"(x+x+)+y", seconds=0.2)
    with pytest.raises(InvalidArgument) as raised:
        list(matcher.finditer("x" * 5000))
    assert str(raised.value) == ("the regular expression '(x+x+)+y' took longer than 0.2 s; "
                                 "make it simpler [FS003]")


def test_search_regex_has_unicode_classes_and_look_behind(session, tmp_path):
    transcript = tmp_path / "cafe.txt"
    transcript.write_text("Interviewer: Where?\n\nSiobhán: At the CAFÉ, then the café.\n\n"
                          "Interviewer: Thanks.\n\nSiobhán: Yes.\n", encoding="utf-8")
    [source] = import_files(session, [transcript])
    hits = search(session, r"\bcaf\w\b", regex=True)
    assert [source.text[hit.offset:hit.end] for hit in hits] == ["CAFÉ", "café"]
    assert [hit.match for hit in search(session, r"(?<=then the )café", regex=True)] == ["café"]


def test_search_pages_are_slices_of_the_whole_result_in_order(small):
    everything = search(small, "the", memos=True)
    pages = [search(small, "the", limit=4, offset=start, memos=True)
             for start in range(0, len(everything) + 4, 4)]
    assert [hit for page in pages for hit in page] == everything
    assert len(everything) > 8
    assert everything == sorted(everything, key=lambda h: (h.memo_id is not None, h.source,
                                                           h.offset))


def test_search_page_gives_the_page_and_the_total(small):
    everything = search(small, "the", where=parse_where(["role=project worker"]))
    page = search_module.search_page(small, "the", where=parse_where(["role=project worker"]),
                                     limit=2, offset=1)
    assert (page.hits, page.total, page.offset, page.limit) == (everything[1:3],
                                                                len(everything), 1, 2)
    assert page.as_dict()["hits"] == [hit.as_dict() for hit in everything[1:3]]


def test_search_count_hits_counts_what_search_finds(small, data_dir):
    add_memo(small, "The waiting list again, and the trust.", author="Sam")
    for pattern, regex in (("waiting list", False), ("the", False), (r"\bw\w+", True)):
        assert search_module.count_hits(small, pattern, regex=regex, memos=True) == len(
            search(small, pattern, regex=regex, memos=True))


def test_search_page_past_the_end_is_empty_with_the_total(small):
    page = search_module.search_page(small, "waiting list", limit=50, offset=10_000)
    assert page.hits == []
    assert page.total == len(search(small, "waiting list")) > 0


def test_search_negative_limit_or_offset_is_an_error(small):
    with pytest.raises(InvalidArgument, match="must not be negative"):
        search(small, "the", offset=-1)


def test_search_regex_is_narrowed_by_the_trigram_index(small, monkeypatch):
    narrowed = []
    index = search_module.text_index_for(small)
    original = type(index).turn_literals_condition

    def spy(self, clauses, **options):
        narrowed.append(clauses)
        return original(self, clauses, **options)

    monkeypatch.setattr(type(index), "turn_literals_condition", spy)
    pattern = r"\b(TUES|fri)day\b"
    hits = search(small, pattern, regex=True)
    assert narrowed == [[["TUES", "fri"], ["day"]]] * 2  # the count's query, the pages'
    monkeypatch.setattr(type(index), "turn_literals_condition",
                        lambda self, clauses, **options: None)
    assert search(small, pattern, regex=True) == hits != []


def test_search_regex_with_and_without_the_trigram_index_agree(small):
    for pattern, case_sensitive in ((r"waiting\s+list", False), (r"Wait(ing)? list", True),
                                    (r"(?i)TUESDAY", True), (r"ing\b", False),
                                    (r"referr(al|ed)|trust", False)):
        fast = search(small, pattern, regex=True, case_sensitive=case_sensitive)
        everything = scan(small, pattern, case_sensitive)
        assert fast == everything, pattern


def scan(session, pattern, case_sensitive):
    """The hits of ``pattern`` with the trigram index out of the way."""
    original = search_module.required_literals
    search_module.required_literals = lambda _pattern: []
    try:
        return search(session, pattern, regex=True, case_sensitive=case_sensitive)
    finally:
        search_module.required_literals = original


WHERE_CASES = [
    ["sector=statutory"], ["sector=community", "sector=voluntary"],
    ["sector=community", "role=project lead"], ["organisation=Pellwick Family Hub"],
    ["participant=Maureen Okafor"], ["pseudonym=grace"], ["interviewer=true"],
    ["interviewer=false", "sector=funder"], ["speaker=Facilitator"], ["kind=focus_group"],
    ["theme=working in partnership"], ["layout=subtitles", "sector=statutory"],
    ["format=docx", "role=project worker"], ["staff=9"], ["date=2026-06-23"],
]


@pytest.mark.parametrize("where", WHERE_CASES, ids=lambda w: "&".join(w))
def test_search_where_in_sql_equals_every_hit_filtered_by_its_attributes(demo_session, where):
    """The filter narrows the turns in the query; the hits are exactly those of the
    unfiltered search whose turn's attributes (source, speaker, participant) match."""
    from sqlalchemy import select

    from framesynth.familiarise.context import load_context
    from framesynth.familiarise.search import count_hits
    from framesynth.store.models import Turn

    wanted = parse_where(where)
    context = load_context(demo_session)
    turns = dict((turn_id, (source_id, speaker_id)) for turn_id, source_id, speaker_id in
                 demo_session.execute(select(Turn.id, Turn.source_id, Turn.speaker_id)))
    expected = [hit for hit in search(demo_session, "the")
                if context.matches(*turns[hit.turn_id], wanted)]
    assert search(demo_session, "the", where=wanted) == expected
    assert count_hits(demo_session, "the", where=wanted) == len(expected)
    assert search(demo_session, "the", where=wanted, limit=7, offset=3) == expected[3:10]
