"""Write the small synthetic REFI-QDA packages in tests/data/qdpx/ (our own text).

    .venv/bin/python tools/build_qdpx_fixtures.py

Each imitates one tool's conventions for offsets and line endings:

- ``nvivo-style.qdpx``: UTF-8 BOM, CRLF line endings, an emoji, positions in UTF-16 units,
  capitalised ``Sources/`` folder;
- ``spec-style.qdpx``: LF, positions in code points (as the standard says), notes on the
  project, a source, a selection and a code, cases with variables, a set;
- ``qc-style.qdpx``: ``plainTextPath`` a bare file name, no source name, selections of
  whole lines including the newline.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "tests" / "data" / "qdpx"
NS = 'xmlns="urn:QDA-XML:project:1.0"'
USER = "11111111-1111-4111-8111-111111111111"
CODE_A = "22222222-2222-4222-8222-222222222222"
CODE_B = "33333333-3333-4333-8333-333333333333"
SOURCE = "44444444-4444-4444-8444-444444444444"

TEXT = ("Interviewer: How did the referral go?\n"
        "Dawn: It bounced back \U0001F615 twice.\n"
        "Interviewer: And then?\n"
        "Dawn: We waited fourteen weeks.\n")


def utf16_units(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def span(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def codebook() -> str:
    return (f'<CodeBook><Codes><Code guid="{CODE_A}" name="Access" isCodable="false" '
            f'color="#2b6cb0"><Description>How families reach support.</Description>'
            f'<Code guid="{CODE_B}" name="Waiting" isCodable="true"/></Code></Codes></CodeBook>')


def selection(guid: str, start: int, end: int, code: str, inner: str = "") -> str:
    return (f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}" '
            f'creatingUser="{USER}"><Coding guid="{guid[:-1]}9" creatingUser="{USER}">'
            f'<CodeRef targetGUID="{code}"/></Coding>{inner}</PlainTextSelection>')


def nvivo_style() -> None:
    raw = TEXT.replace("\n", "\r\n")
    start, end = span(raw, "We waited fourteen weeks.")
    a, b = utf16_units(raw, start), utf16_units(raw, end)
    xml = (f'<?xml version="1.0" encoding="utf-8"?><Project {NS} name="nvivo style" '
           f'origin="NVivo-like"><Users><User guid="{USER}" name="Gergo"/></Users>{codebook()}'
           f'<Sources><TextSource guid="{SOURCE}" name="dawn" '
           f'plainTextPath="internal://{SOURCE}.txt">'
           + selection("55555555-5555-4555-8555-555555555555", a, b, CODE_B)
           + '</TextSource></Sources></Project>')
    with zipfile.ZipFile(TARGET / "nvivo-style.qdpx", "w") as package:
        package.writestr("project.qde", xml)
        package.writestr(f"Sources/{SOURCE}.txt", b"\xef\xbb\xbf" + raw.encode("utf-8"))


def spec_style() -> None:
    start, end = span(TEXT, "It bounced back \U0001F615 twice.")
    note = lambda guid, name, body: (  # noqa: E731
        f'<Note guid="{guid}" name="{name}" creatingUser="{USER}">'
        f'<PlainTextContent>{body}</PlainTextContent></Note>')
    variable = "66666666-6666-4666-8666-666666666666"
    xml = (f'<?xml version="1.0" encoding="utf-8"?><Project {NS} name="spec style" '
           f'origin="spec-like" creatingUserGUID="{USER}"><Users><User guid="{USER}" '
           f'name="amira"/></Users>'
           + codebook().replace('isCodable="true"/>',
                                'isCodable="true"><NoteRef targetGUID="a0000000-0000-4000-8000-'
                                '000000000004"/></Code>')
           + f'<Variables><Variable guid="{variable}" name="sector" typeOfVariable="Text"/>'
           '</Variables>'
           f'<Cases><Case guid="77777777-7777-4777-8777-777777777777" name="Dawn">'
           f'<VariableValue><VariableRef targetGUID="{variable}"/><TextValue>community'
           f'</TextValue></VariableValue><SourceRef targetGUID="{SOURCE}"/></Case></Cases>'
           f'<Sources><TextSource guid="{SOURCE}" name="dawn" '
           f'plainTextPath="internal://{SOURCE}.txt">'
           + selection("88888888-8888-4888-8888-888888888888", start, end, CODE_B,
                       '<NoteRef targetGUID="a0000000-0000-4000-8000-000000000003"/>')
           + '<NoteRef targetGUID="a0000000-0000-4000-8000-000000000002"/></TextSource>'
           '</Sources><Notes>'
           + note("a0000000-0000-4000-8000-000000000001", "Project idea", "Waits everywhere.")
           + note("a0000000-0000-4000-8000-000000000002", "On Dawn", "Candid.")
           + note("a0000000-0000-4000-8000-000000000003", "On the bounce", "Twice!")
           + note("a0000000-0000-4000-8000-000000000004", "On Waiting", "Core code.")
           + '</Notes><Sets><Set guid="99999999-9999-4999-8999-999999999999" name="Wave 1">'
           f'<MemberSource targetGUID="{SOURCE}"/></Set></Sets>'
           '<NoteRef targetGUID="a0000000-0000-4000-8000-000000000001"/></Project>')
    with zipfile.ZipFile(TARGET / "spec-style.qdpx", "w") as package:
        package.writestr("project.qde", xml)
        package.writestr(f"sources/{SOURCE}.txt", TEXT.encode("utf-8"))


def qc_style() -> None:
    line = "Dawn: We waited fourteen weeks.\n"
    start = TEXT.index(line)
    xml = (f'<?xml version="1.0" encoding="utf-8"?><Project {NS} name="qc style" origin="qc">'
           f'<Users><User guid="{USER}" name="cp"/></Users>{codebook()}'
           f'<Sources><TextSource guid="{SOURCE}" plainTextPath="dawn_2026.txt">'
           + selection("55555555-5555-4555-8555-555555555555", start, start + len(line), CODE_B)
           + '</TextSource></Sources></Project>')
    with zipfile.ZipFile(TARGET / "qc-style.qdpx", "w") as package:
        package.writestr("project.qde", xml)
        package.writestr("sources/dawn_2026.txt", TEXT.encode("utf-8"))


if __name__ == "__main__":
    TARGET.mkdir(parents=True, exist_ok=True)
    nvivo_style()
    spec_style()
    qc_style()
