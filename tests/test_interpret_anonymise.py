"""Anonymisation: names the project knows never reach a report."""

from __future__ import annotations

import pytest

from framesynth.interpret.anonymise import Anonymiser, person_forms

ENTRIES = [
    ("Maureen Okafor", "[project lead]"), *((f, "[project lead]") for f in
                                            person_forms("Maureen Okafor")[1:]),
    *((f, "[project worker]") for f in person_forms("Gareth Lloyd-Evans")),
    *((f, "[project worker]") for f in person_forms("Bethan Price")),
    *((f, "[project worker]") for f in person_forms("Dawn Whitlock")),
    ("Pellwick Family Hub", "[community partner]"), ("the Hub", "[community partner]"),
    ("Wrenmouth Families Trust", "[funder]"), ("the Trust", "[funder]"),
    ("Wrenmouth", "[town]"), ("Quayside Centre", "[venue]"),
]


@pytest.fixture
def anonymise() -> Anonymiser:
    return Anonymiser.from_entries(list(ENTRIES))


@pytest.mark.parametrize(("text", "expected"), [
    ("Maureen said so.", "[project lead] said so."),
    ("Maureen's team and Okafor's view", "[project lead]'s team and [project lead]'s view"),
    ("Maureen’s team", "[project lead]’s team"),
    ("M. Okafor and M Okafor and Maureen O. agreed",
     "[project lead] and [project lead] and [project lead] agreed"),
    ("MAUREEN OKAFOR: yes", "[project lead]: yes"),
    ("maureen okafor rang", "[project lead] rang"),
    ("Pellwick Family\nHub and the Pellwick  family hub", "[community partner] and the "
                                                          "[community partner]"),
    ("Maureen\nOkafor", "[project lead]"),
    ("Gareth Lloyd-Evans, Lloyd-Evans, Evans", "[project worker], [project worker], "
                                               "[project worker]"),
    ("the price of bread went up at dawn", "the price of bread went up at dawn"),
    ("Bethan Price and Dawn", "[project worker] and [project worker]"),
    ("Trust is personal; the Trust pays; THE TRUST", "Trust is personal; [funder] pays; "
                                                     "[funder]"),
    ("the Wrenmouth Families Trust in Wrenmouth", "the [funder] in [town]"),
    ("at the Quayside Centre.", "at the [venue]."),
    ("ring 01632 960 418 or +44 1632 960418", "ring [phone] or [phone]"),
    ("maureen.okafor@pellwickhub.org.uk", "[email]"),
    ("at WR4 7QT and ZZ1 1AA", "at [postcode] and [postcode]"),
    ("already [project lead] here", "already [project lead] here"),
])
def test_anonymise_tricky_cases(anonymise, text, expected):
    assert anonymise(text) == expected


def test_anonymise_reports_leaks(anonymise):
    assert anonymise.leaks("nothing here") == []
    assert anonymise.leaks("only Maureen") == ["Maureen"]


def test_anonymise_from_the_demo_project(demo_session):
    anonymise = Anonymiser.from_project(demo_session)
    text = ("Maureen's mate at Kestrel, Fiona MacLeod from Northfield Primary School, "
            "took the 14 bus to Stanmere with COLIN FAIRWEATHER.")
    assert anonymise(text) == (
        "[project lead]'s mate at [voluntary partner], [project worker] from "
        "[statutory partner], took the 14 bus to [village] with [funding officer].")


def test_anonymise_never_replaces_numbers(session, tmp_path):
    """A participant called "Participant 11" (no role) once turned every "11" into
    "[participant]": the surname form "11" has no letters, so it is not a name."""
    from framesynth.io.importers.case_table import import_case_table

    cases = tmp_path / "cases.csv"
    cases.write_text("type,id,name,aliases\nparticipant,R11,Participant 11,\n"
                     "participant,R12,Respondent 12,42\n", encoding="utf-8")
    import_case_table(session, cases)
    anonymise = Anonymiser.from_project(session)
    text = "The evaluation drew on 11 interviews; 12 of 42 said so."
    assert anonymise(text) == text
    assert anonymise("Participant 11 and Respondent 12 agreed.") == (
        "[participant] and [participant] agreed.")
