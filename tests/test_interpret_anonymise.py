"""Anonymisation: names the project knows never reach a report."""

from __future__ import annotations

import pytest

from framesynth.interpret.anonymise import Anonymiser, Entity, fold

ENTITIES = [
    Entity("person", "[project lead]", "Maureen Okafor", pseudonym="Grace"),
    Entity("person", "[project worker]", "Gareth Lloyd-Evans"),
    Entity("person", "[project worker]", "Bethan Price"),
    Entity("person", "[project worker]", "Dawn Whitlock"),
    Entity("person", "[project lead]", "Siobhán O'Brien", ("Shiv",), "Niamh"),
    Entity("person", "[youth worker]", "A.J. Mercer"),
    Entity("organisation", "[community partner]", "Pellwick Family Hub", ("the Hub",)),
    Entity("organisation", "[funder]", "Wrenmouth Families Trust", ("the Trust",)),
    Entity("organisation", "[community partner]", "Quayside Community Trust"),
    Entity("place", "[town]", "Wrenmouth"),
    Entity("place", "[venue]", "St Aidan's church hall"),
]


@pytest.fixture
def anonymise() -> Anonymiser:
    return Anonymiser.from_entities(ENTITIES)


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
    ("at the Quayside Community Trust.", "at the [community partner]."),
    ("ring 01632 960 418 or +44 1632 960418", "ring [phone] or [phone]"),
    ("maureen.okafor@pellwickhub.org.uk", "[email]"),
    ("at WR4 7QT and ZZ1 1AA", "at [postcode] and [postcode]"),
    ("already [project lead] here", "already [project lead] here"),
    ("Siobhan, SIOBHÁN and Siobhán", "[project lead], [project lead] and [project lead]"),
    ("O’Brien’s view and Ms O'Brien", "[project lead]’s view and [project lead]"),
    ("If A.J. notices a child, A. J. rings and AJ comes",
     "If [youth worker] notices a child, [youth worker] rings and [youth worker] comes"),
    ("I asked A.J. Then we left.", "I asked [youth worker]. Then we left."),
    ("maureen said so; siobhan too", "[project lead] said so; [project lead] too"),
    ("at dawn Dawn said", "at dawn [project worker] said"),
    ("Mrs Okafor, Dr. Price, Mx Mercer and Prof Lloyd-Evans",
     "[project lead], [project worker], [youth worker] and [project worker]"),
    ("Gareth Lloyd Evans and Lloyd-\nEvans", "[project worker] and [project worker]"),
    ("James' and Shiv's", "James' and [project lead]'s"),
    ("at St Aidan's, St. Aidan’s and Saint Aidan's", "at [venue], [venue] and [venue]"),
    ("the Quayside, QCT and Q.C.T. but never the trust",
     "the [community partner], [community partner] and [community partner] but never the "
     "trust"),
    ("s.obrien@ or m.okafor and M.Okafor", "[email] or [project lead] and [project lead]"),
    ("Maureen2 and 11Dawn", "[project lead]2 and 11[project worker]"),
    ("the school, the council, the Hub and the hub", "the school, the council, "
                                                       "[community partner] and the hub"),
])
def test_anonymise_tricky_cases(anonymise, text, expected):
    assert anonymise(text) == expected


def test_anonymise_pseudonyms_one_per_person_role_when_none():
    anonymise = Anonymiser.from_entities(ENTITIES, style="pseudonym")
    assert anonymise("Maureen, Mrs Okafor and MAUREEN OKAFOR met Siobhán, Shiv and Bethan "
                     "at the Hub") == (
        "Grace, Grace and Grace met Niamh, Niamh and [project worker] at [community partner]")


def test_anonymise_pseudonym_possessive_of_a_name_ending_in_s():
    people = [Entity("person", "[parent]", "James Polglase", pseudonym="Tom"),
              Entity("person", "[worker]", "Amir Haddad", pseudonym="Karim")]
    assert Anonymiser.from_entities(people, style="pseudonym")(
        "James' mum, James’ dad, Amir's van") == "Tom's mum, Tom’s dad, Karim's van"
    assert Anonymiser.from_entities(people)("James' mum") == "[parent]' mum"


def test_anonymise_unknown_style_is_refused():
    from framesynth.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match="role, pseudonym"):
        Anonymiser.from_entities(ENTITIES, style="initials")


def test_anonymise_fold_maps_back_to_the_original():
    folded, index = fold("Siobha\u0301n Straße O’Brien")
    assert folded == "siobhan strasse o'brien"
    assert len(index) == len(folded) + 1 and index[-1] == len("Siobha\u0301n Straße O’Brien")
    assert [index[folded.index(w)] for w in ("strasse", "o'brien")] == [9, 16]


def test_anonymise_from_the_demo_project(demo_session):
    anonymise = Anonymiser.from_project(demo_session)
    text = ("Maureen's mate at Kestrel, Fiona MacLeod from Northfield Primary School, "
            "took the 14 bus to Stanmere with COLIN FAIRWEATHER.")
    assert anonymise(text) == (
        "[project lead]'s mate at [voluntary partner], [project worker] from "
        "[statutory partner], took the 14 bus to [village] with [funding officer].")
    assert anonymise("We meet at St Aidan's, near Hollin and the Quayside.") == (
        "We meet at [venue], near [community partner] and the [venue].")


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
