"""Build the bundled demo corpus from the plain-text transcripts in demo-src/.

    .venv/bin/python tools/build_demo_corpus.py

Each transcript is written in one of the formats framesynth imports, so the demo
exercises every importer. The output lives in src/framesynth/demo/corpus/ and is
committed; run this again only after editing demo-src/transcripts/.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from transcript_writers import write_docx, write_pdf, write_srt, write_vtt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "demo-src" / "transcripts"
TARGET = ROOT / "src" / "framesynth" / "demo" / "corpus"

FORMATS = {
    "int01-maureen-okafor": "txt",
    "int02-gareth-lloyd-evans": "docx",
    "int03-siobhan-carter": "pdf",
    "int04-tomasz-nowak": "vtt",
    "int05-priya-raman": "srt",
    "int06-helen-ashworth": "md",
    "int07-jide-adeyemi": "txt",
    "int08-ruth-beaumont": "docx",
    "int09-colin-fairweather": "pdf",
    "int10-anjali-mistry": "vtt",
    "int11-kevin-doyle": "srt",
    "int12-lena-hartmann": "txt",
    "int13-fiona-macleod": "docx-table",
    "int14-nadia-sultana": "md",
    "fg01-referrals-and-waiting-lists": "docx",
    "fg02-working-in-partnership": "vtt",
    "fg03-sustaining-the-work": "txt",
}


def build() -> None:
    for old in TARGET.glob("*"):
        if old.name != "cases.csv":
            old.unlink()
    for stem, fmt in FORMATS.items():
        text = (SOURCE / f"{stem}.txt").read_text(encoding="utf-8")
        suffix = fmt.removesuffix("-table")
        target = TARGET / f"{stem}.{suffix}"
        if fmt in {"txt", "md"}:
            shutil.copyfile(SOURCE / f"{stem}.txt", target)
        elif fmt == "docx":
            write_docx(text, target)
        elif fmt == "docx-table":
            write_docx(text, target, as_table=True)
        elif fmt == "pdf":
            write_pdf(text, target)
        elif fmt == "vtt":
            write_vtt(text, target)
        elif fmt == "srt":
            write_srt(text, target)
        print(f"{target.relative_to(ROOT)}")


if __name__ == "__main__":
    build()
