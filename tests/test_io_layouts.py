"""Transcripts in the layouts real tools export: speakers, turn texts and times."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from odf.opendocument import OpenDocumentText
from odf.table import Table, TableCell, TableRow
from odf.text import H, P

from framesynth.errors import InvalidArgument
from framesynth.familiarise.speakers import detect_layout, detect_turns
from framesynth.io.importers import import_files, read_source
from framesynth.store.models import Source

LAYOUTS = Path(__file__).parent / "data" / "layouts"
IV, M = "Interviewer", "Maureen Okafor"
CONVERSATION = [
    (IV, "Thanks for meeting me at the larder. How did it start?"),
    (M, "With one chest freezer in the church hall and a rota on the back of an envelope."),
    (IV, "Who were the first volunteers?"),
    (M, "Mostly parents from the school gate, and two retired cooks who still run the "
        "Tuesday kitchen."),
    (IV, "Where does the food come from now?"),
    (M, "The supermarket surplus scheme, the allotment society, and whatever the harvest "
        "festival brings in."),
    (IV, "What has been hardest?"),
    (M, "Storage. We lost a whole delivery of yoghurt when the freezer failed in August."),
    (IV, "And what would you change?"),
    (M, "A proper van, so we are not borrowing the scout group's minibus every Friday."),
]
STARTS = [3.0, 9.0, 21.0, 25.0, 40.0, 44.0, 61.0, 65.0, 80.0, 3723.0]


def turns_of(path: Path, **options: str) -> tuple[str, list[tuple[str | None, str, float | None,
                                                                  float | None]]]:
    """The layout name and (speaker, words, started_at, ended_at) of each turn, as imported."""
    imported = read_source(path, **options)
    turns = imported.turns if imported.turns is not None else detect_turns(
        imported.text, pattern=options.get("speaker_pattern"))
    return imported.meta["layout"], [
        (t.label, " ".join(imported.text[t.start:t.end].split()), t.started_at, t.ended_at)
        for t in turns]


def timed(starts: list[float | None], ends: list[float | None] | None = None):
    ends = ends or [None] * len(CONVERSATION)
    return [(who, words, start, end)
            for (who, words), start, end in zip(CONVERSATION, starts, ends, strict=True)]


@pytest.mark.parametrize(("name", "layout", "starts"), [
    ("otter.txt", "otter", STARTS),
    ("rev.txt", "rev", STARTS),
    ("sonix.txt", "sonix", STARTS),
    ("descript.txt", "label-colon", STARTS),
    ("trint.txt", "timed-headers", STARTS),
    ("label-colon.txt", "label-colon", [None] * 10),
    ("markdown-headings.md", "markdown-headings", [None] * 10),
])
def test_layouts_each_text_layout_gives_its_speakers_words_and_times(name, layout, starts):
    assert turns_of(LAYOUTS / name) == (layout, timed(starts))


def test_layouts_maxqda_time_marks_leave_the_text_and_become_times():
    marks = [9.0, 21.1, 25.2, 40.3, 44.4, 61.5, 65.6, 80.7, 3723.8, 3729.9]
    assert turns_of(LAYOUTS / "maxqda.txt") == ("maxqda", timed([None, *marks[:-1]], marks))


def write_teams_docx(path: Path, *, split_last: bool = False) -> Path:
    document = docx.Document()
    for line in ("Larder catch-up-20260304_100012-Meeting Recording", "March 4, 2026, 10:00AM",
                 "22m 4s", "Maureen Okafor started transcription"):
        document.add_paragraph(line)
    for (who, words), start in zip(CONVERSATION, STARTS, strict=True):
        stamp = f"{int(start) // 60}:{int(start) % 60:02d}" if start < 3600 else "1:02:03"
        if split_last and start == 3723.0:
            first, second = words.split(", ")
            document.add_paragraph(f"{who}   {stamp}")
            document.add_paragraph(first + ",")
            document.add_paragraph(f"{who}   1:02:09")
            document.add_paragraph(second)
            continue
        document.add_paragraph(f"{who}   {stamp}")
        document.add_paragraph(words)
    document.save(path)
    return path


def test_layouts_teams_docx_merges_one_speakers_entries_keeping_the_first_time(tmp_path):
    path = write_teams_docx(tmp_path / "teams.docx", split_last=True)
    imported = read_source(path)
    assert turns_of(path) == ("teams", timed(STARTS))
    assert imported.text[slice(*imported.meta["preamble"])] == (
        "Larder catch-up-20260304_100012-Meeting Recording\n\nMarch 4, 2026, 10:00AM\n\n"
        "22m 4s\n\nMaureen Okafor started transcription")
    assert "1:02:09" not in imported.text


def test_layouts_docx_three_column_table_time_speaker_text(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    for cell, title in zip(table.rows[0].cells, ("Time", "Speaker", "Text"), strict=True):
        cell.text = title
    for (who, words), start in zip(CONVERSATION, STARTS, strict=True):
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text = f"{int(start) // 60}:{int(start) % 60:02d}", who, words
    document.save(tmp_path / "table.docx")
    starts = [*STARTS[:-1], 3720.0 + 3.0]
    assert turns_of(tmp_path / "table.docx") == ("speaker-table", timed(starts))


def test_layouts_f4transkript_rtf_with_time_marks_at_paragraph_ends(tmp_path):
    paragraphs = [f"{'I' if who == IV else 'B'}: {words} #00:00:{n * 5 + 5:02d}-{n}#"
                  for n, (who, words) in enumerate(CONVERSATION[:3])]
    body = "".join(f"{p}\\par\n\\par\n" for p in paragraphs).replace("'", "\\'92")
    rtf = "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Arial;}}\\f0\\fs22\n" + body + "}"
    (tmp_path / "f4.rtf").write_text(rtf, encoding="ascii")
    assert turns_of(tmp_path / "f4.rtf") == ("maxqda", [
        ("I", CONVERSATION[0][1], None, 5.0),
        ("B", CONVERSATION[1][1], 5.0, 10.1),
        ("I", CONVERSATION[2][1], 10.1, 15.2),
    ])


def test_layouts_odt_headings_paragraphs_and_a_speaker_table(tmp_path):
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Community larder study - interview 4"))
    for who, words in CONVERSATION[:4]:
        document.text.addElement(P(text=f"{who}: {words}"))
    table = Table(name="more")
    for who, words in CONVERSATION[4:]:
        row = TableRow()
        for value in (who, words):
            cell = TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.text.addElement(table)
    document.save(str(tmp_path / "libreoffice.odt"))
    imported = read_source(tmp_path / "libreoffice.odt")
    assert turns_of(tmp_path / "libreoffice.odt") == ("label-colon", timed([None] * 10))
    assert imported.text[slice(*imported.meta["preamble"])] == (
        "Community larder study - interview 4")


def maxqda_pdf(path: Path) -> bytes:
    """Two pages as MAXQDA prints a document: a running header, a number at each line's
    start, a footer ``n/2``, tabs after the labels, and front matter."""
    lines = [["Community larder study", "Interview 4, recorded 4 March 2026",
              "(c) 2026 Larder study team. Not for circulation.", "",
              "I:\tThanks for meeting me at the larder. How did it start?", "",
              "B:\tWith one chest freezer in the church hall and a rota on the back of an",
              "envelope.", "", "I:\tWho were the first volunteers?", "",
              "B:\tMostly parents from the school gate, and two retired cooks who still run",
              "the Tuesday kitchen."],
             ["I:\tWhere does the food come from now?", "",
              "B:\tThe supermarket surplus scheme, the allotment society, and whatever the",
              "harvest festival brings in."]]
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=11)
    number = 0
    for page, page_lines in enumerate(lines, start=1):
        pdf.add_page()
        pdf.set_xy(20, 8)
        pdf.cell(0, 6, "Interview 4 - larder.docx")
        for row, line in enumerate(page_lines):
            number += 1
            pdf.set_xy(8, 20 + 7 * row)
            pdf.cell(8, 6, str(number))
            pdf.set_xy(20, 20 + 7 * row)
            pdf.cell(0, 6, line)
        pdf.set_xy(95, 280)
        pdf.cell(20, 6, f"{page}/2")
    data = bytes(pdf.output())
    path.write_bytes(data)
    return data


def test_layouts_maxqda_pdf_loses_its_page_furniture_and_keeps_its_checksum(tmp_path, session):
    import hashlib

    data = maxqda_pdf(tmp_path / "maxqda.pdf")
    imported = read_source(tmp_path / "maxqda.pdf")
    assert imported.text == (
        "Community larder study\nInterview 4, recorded 4 March 2026\n"
        "(c) 2026 Larder study team. Not for circulation.\n\n"
        "I: Thanks for meeting me at the larder. How did it start?\n\n"
        "B: With one chest freezer in the church hall and a rota on the back of an envelope."
        "\n\nI: Who were the first volunteers?\n\n"
        "B: Mostly parents from the school gate, and two retired cooks who still run the "
        "Tuesday kitchen.\n\n"
        "I: Where does the food come from now?\n\n"
        "B: The supermarket surplus scheme, the allotment society, and whatever the harvest "
        "festival brings in.")
    [source] = import_files(session, [tmp_path / "maxqda.pdf"])
    assert source.checksum == hashlib.sha256(data).hexdigest()
    assert source.meta["preamble"] == [0, imported.text.index("\n\nI:")]
    assert [(t.speaker.label if t.speaker else None, t.text) for t in source.turns] == [
        ("I" if who == IV else "B", words) for who, words in CONVERSATION[:6]]
    assert session.get(Source, source.id).meta["layout"] == "label-colon"


def test_layouts_one_conversation_in_seven_layouts(tmp_path):
    paths = [LAYOUTS / "otter.txt", LAYOUTS / "rev.txt", write_teams_docx(tmp_path / "t.docx"),
             LAYOUTS / "zoom.vtt", LAYOUTS / "markdown-headings.md", LAYOUTS / "maxqda.txt",
             LAYOUTS / "label-colon.txt"]
    found = {path.name: [(who, words) for who, words, _, _ in turns_of(path)[1]]
             for path in paths}
    assert found == {path.name: CONVERSATION for path in paths}


def test_layouts_a_speaker_pattern_for_an_unknown_layout(tmp_path):
    path = tmp_path / "custom.txt"
    path.write_text("".join(f"<< {who.upper()} @ 00:00:{n:02d} >> {words}\n"
                            for n, (who, words) in enumerate(CONVERSATION[:3])))
    pattern = r"<< (?P<label>[A-Z ]+) @ (?P<ts>[\d:]+) >> "
    assert turns_of(path, speaker_pattern=pattern) == ("custom", [
        ("INTERVIEWER", CONVERSATION[0][1], 0.0, None),
        ("MAUREEN OKAFOR", CONVERSATION[1][1], 1.0, None),
        ("INTERVIEWER", CONVERSATION[2][1], 2.0, None),
    ])


@pytest.mark.parametrize(("pattern", "message"), [
    ("(?P<label>[A-Z", "--speaker-pattern '(?P<label>[A-Z' is not a valid regex "
                       "(unterminated character set at position 10) [FS003]"),
    ("[A-Z]+:", "--speaker-pattern '[A-Z]+:' needs a named group (?P<label>...) [FS003]"),
])
def test_layouts_a_bad_speaker_pattern_is_one_clear_line(session, pattern, message):
    with pytest.raises(InvalidArgument) as raised:
        import_files(session, [LAYOUTS / "otter.txt"], speaker_pattern=pattern)
    assert str(raised.value) == message
    assert session.query(Source).count() == 0


def test_layouts_detection_stays_linear_on_a_long_otter_transcript():
    text = (LAYOUTS / "otter.txt").read_text() * 2000
    layout = detect_layout(text)
    assert (layout.name, len(layout.turns)) == ("otter", 20000)
