"""Which units auto-coding codes: team turns, back-channel turns and fragments left out."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from framesynth.familiarise.vocabulary import set_setting
from framesynth.index.eligible import eligible_units, is_backchannel, reason_left_out
from framesynth.io.importers import import_files
from framesynth.store.models import Participant, Speaker

TRANSCRIPT = """\
Interviewer: How do families reach the hub these days?

Priya: Mostly the school tells them, and the health visitor sends a text.

Interviewer: And then?

Priya: Mm-hmm.

Priya: Yeah, yeah. Right.

Priya: Time. Have of course.

Dev: I run the Tuesday session with the volunteers from the church.

Priya: The form follows by email, and sometimes it never comes at all.
"""


@pytest.mark.parametrize(("text", "reason"), [
    ("Mm-hmm.", "back-channel"),
    ("Yeah, yeah.", "back-channel"),
    ("Right.", "back-channel"),
    ("OK. Okay, sure, I see, that's right.", "back-channel"),
    ("Uh-huh, mhm, erm, yes.", "back-channel"),
    ("Oui, oui, d'accord.", "back-channel"),
    ("Ouais, c'est ça, tout à fait.", "back-channel"),
    ("Ja, genau, stimmt.", "back-channel"),
    ("time. Have of course.", "fragment"),
    ("Fourteen weeks, maybe.", "fragment"),
    ("It was really hard, honestly.", None),
    ("Yes, fourteen weeks for counselling.", None),
    ("Oui, quatorze semaines pour la consultation.", None),
])
def test_eligible_reason_left_out(text, reason):
    assert reason_left_out(text) == reason


def test_eligible_backchannel_needs_every_word_to_acknowledge():
    assert not is_backchannel("Yeah, the bus is late again.")
    assert not is_backchannel("")


def test_eligible_units_leave_out_team_backchannel_and_fragments(session, tmp_path):
    path = tmp_path / "hub.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    import_files(session, [path])
    dev = session.scalar(select(Speaker).where(Speaker.label == "Dev"))
    dev.participant = Participant(key="T1", name="Dev", team=True)
    session.flush()
    found = eligible_units(session, "turn")
    assert [u.text for u in found.units] == [
        "Mostly the school tells them, and the health visitor sends a text.",
        "The form follows by email, and sometimes it never comes at all."]
    assert found.left_out == {"team": 3, "back-channel": 2, "fragment": 1}
    assert found.message == ("left out 6 units: 3 team, 2 back-channel, "
                             "1 fragment (< 5 words)")


def test_eligible_min_words_is_a_setting(session, tmp_path):
    path = tmp_path / "hub.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    import_files(session, [path])
    set_setting(session, "autocode.min_words", 12)  # Priya's answers have 12 words, Dev's 11
    found = eligible_units(session, "turn")
    assert [u.text[:12] for u in found.units] == ["Mostly the s", "The form fol"]
    assert found.left_out == {"team": 2, "back-channel": 2, "fragment": 2}
    assert found.min_words == 12
