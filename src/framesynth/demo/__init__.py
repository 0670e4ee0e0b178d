"""The bundled demo: the fictional Stronger Starts programme in Wrenmouth.

:func:`build_demo_project` makes ``DIR/demo.fsdb`` from the corpus in ``demo/corpus``
(17 transcripts in every supported format and a cases table); later phases extend the
pipeline that ``framesynth demo`` runs on it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from sqlalchemy.orm import Session

from framesynth.demo.speech import SpeechUnavailable, speak
from framesynth.familiarise.memos import add_memo
from framesynth.familiarise.recordings import Attachment, attach_recording
from framesynth.familiarise.sources import get_source
from framesynth.frame.framework import find_code
from framesynth.interpret.report_settings import settings_path
from framesynth.io.codebook import import_codebook
from framesynth.io.codings_table import import_quoted_codings
from framesynth.io.importers import import_files
from framesynth.io.importers.case_table import import_case_table
from framesynth.project import Project

DEMO_USER = "demo-analyst"
DEMO_RECORDING = "int09-colin-fairweather.pdf"  # its first turns are spoken at build time
DEMO_RECORDED_TURNS = 8
DEMO_CODERS = ("amira", "tom")

DEMO_MEMOS = [
    ("Partnership depth is seen differently at each level",
     "People at the front line of the Hub and Early Help describe a close, daily working "
     "relationship, while the managers describe a steering group that keeps being "
     "cancelled. Check whether 'deep' in the cases table holds at every level.", None),
    ("Waiting lists shape what community groups do",
     "Groups fill the counselling wait with their own support, which nobody funds as such. "
     "Compare how community and statutory speakers talk about the wait.",
     "fg01-referrals-and-waiting-lists.docx"),
]


# The demo analyst's synthesis of each theme, written as memos on the theme (our words).
# Names are left in on purpose: the report must anonymise them.
DEMO_THEME_MEMOS = {
    "Access and referrals": (
        "Families reach Stronger Starts projects through people more than through forms. "
        "At Pellwick Family Hub referrals move because Jide Adeyemi sits in the building two "
        "days a week and can walk a case through the Early Help threshold; elsewhere "
        "referrals bounce back with reasons nobody can act on. Community groups fill the "
        "sixteen-week wait for Tidewater counselling with their own support, which no one "
        "funds as such."),
    "Partnership working": (
        "Partnerships are strongest where front-line workers share a building or a rota, and "
        "weakest at management level, where steering groups at the Quayside Centre are "
        "cancelled and managers meet by phone. Several formal partnerships exist mainly on "
        "paper, while informal links, such as Kestrel Food Bank's van and volunteer rota "
        "with the Hub, carry real work."),
    "Trust and relationships": (
        "Trust is personal. Families talk to a worker they know in a neutral place like St "
        "Aidan's church hall, not to 'the social'. Between organisations, trust rests on a "
        "few individuals, Fiona MacLeod at Northfield or Maureen Okafor at the Hub, and "
        "people worry about what happens when they move on."),
    "Workforce and capacity": (
        "Turnover in the Early Help team and short contracts in small groups mean "
        "relationships are rebuilt again and again. Health visitors and counsellors carry "
        "caseloads that leave little time for partnership work, and volunteers are "
        "relied on for work that needs training and checks."),
    "Funding and sustainability": (
        "Grants of 18 to 30 months create a cliff edge that arrives early: staff start "
        "looking for other jobs and leaders write bids a year before the end. Monitoring "
        "forms count activity rather than the relationships the Wrenmouth Families Trust "
        "says it wants to fund."),
    "Place and circumstances": (
        "Where families live shapes what they can reach: the bus from Stanmere runs every two "
        "hours, and the cost of living brings families to the food bank before any other "
        "service."),
}


def corpus_dir() -> Path:
    """The folder holding the bundled demo transcripts and cases table."""
    return Path(str(resources.files("framesynth.demo") / "corpus"))


def corpus_files() -> list[Path]:
    return sorted(p for p in corpus_dir().iterdir() if p.suffix != ".csv" and p.is_file())


def demo_file(name: str) -> Path:
    return Path(str(resources.files("framesynth.demo") / name))


def write_demo_settings(project: Path) -> Path:
    """Write the demo team's report file beside ``project`` (``demo.report.yaml``)."""
    target = settings_path(project)
    shutil.copyfile(demo_file("report.yaml"), target)
    return target


def build_demo_project(directory: Path, *, say: Callable[[str], object] = lambda _: None) -> Path:
    """Create ``directory/demo.fsdb`` afresh from the bundled corpus, with the demo
    framework, the two fictional coders' hand-made codings and one spoken recording;
    returns its path. ``say`` is given a line on the recording: attached, or skipped."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "demo.fsdb"
    for old in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", ".bak"))):
        old.unlink(missing_ok=True)
    build_demo(path, say=say)
    return path


def build_demo(location: str | Path, *, say: Callable[[str], object] = lambda _: None) -> None:
    """Create the demo project at ``location``: a new file, or an empty database (a
    PostgreSQL URL), as :meth:`Project.create` takes it."""
    with Project.create(location) as project, project.session() as session:
        import_case_table(session, corpus_dir() / "cases.csv", actor=DEMO_USER)
        import_files(session, corpus_files(), actor=DEMO_USER)
        attached = add_demo_recording(session)
        say(f"recording: {attached.summary()} (spoken by espeak-ng; `framesynth serve` "
            "plays it in the reader)" if attached
            else "demo recording skipped: espeak-ng is not installed")
        for title, body, source in DEMO_MEMOS:
            add_memo(session, body, title=title, source=source, author=DEMO_USER)
        import_codebook(session, demo_file("framework.yaml"), actor=DEMO_USER)
        for coder in DEMO_CODERS:
            import_quoted_codings(session, demo_file(f"codings/{coder}.csv"), coder=coder)
        for theme, text in DEMO_THEME_MEMOS.items():
            add_memo(session, text, title=f"Synthesis: {theme}", author=DEMO_USER,
                     code_id=find_code(session, theme).id)


def add_demo_recording(session: Session) -> Attachment | None:
    """Speak the first turns of :data:`DEMO_RECORDING` in two voices (espeak-ng) and attach
    the recording to that source with each spoken turn's times, as a researcher would
    attach an interview's audio; None when espeak-ng is not installed."""
    turns = sorted(get_source(session, DEMO_RECORDING).turns, key=lambda t: t.position)
    lines = [(turn.speaker.label if turn.speaker else "speaker", turn.text)
             for turn in turns[:DEMO_RECORDED_TURNS]]
    with tempfile.TemporaryDirectory(prefix="framesynth-demo-") as scratch:
        recording = Path(scratch) / f"{Path(DEMO_RECORDING).stem}.wav"
        try:
            spoken = speak(lines, recording)
        except SpeechUnavailable:
            return None
        return attach_recording(session, DEMO_RECORDING, recording,
                                times=[(line.start, line.end) for line in spoken],
                                actor=DEMO_USER)
