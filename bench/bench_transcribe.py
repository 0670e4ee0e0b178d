"""Benchmark: offline transcription of speech whose words and times are known.

    PYTHONPATH=src .venv/bin/python bench/bench_transcribe.py [--turns 10] [--words 22]
        [--model-dir DIR] [--out bench/out/transcribe.json]

The script is the first ``--turns`` turns of the demo interview int01 (its text, each turn
cut to its first ``--words`` words at a sentence end where one is near), spoken in two
espeak-ng voices (interviewer en-us, participant en-gb+f3, 140 words a minute), mixed with
a quiet brown-noise floor by sox and stored as 44.1 kHz FLAC. It is imported into a
throw-away project and transcribed with pocketsphinx, and with faster-whisper when
``--model-dir`` names a local model folder. For each engine it prints:

- WER: word error rate over the whole script (jiwer; lower case, no punctuation);
- content-word recall: share of the script's words that are not English stop-words
  (stopwordsiso) found in the transcript (counted with repeats);
- turns found against turns spoken, and the error of each turn's start (mean and max
  seconds; each spoken line against the nearest turn found);
- RTF: real-time factor, transcription wall-clock seconds per second of audio.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

import jiwer
import stopwordsiso

from framesynth.demo.speech import SpokenTurn, speak
from framesynth.familiarise.sources import get_source
from framesynth.familiarise.speakers import detect_turns
from framesynth.familiarise.transcription.engines import load_engine
from framesynth.familiarise.transcription.transcribe import transcribe_source
from framesynth.io.importers import import_files, read_source
from framesynth.project import Project

CORPUS = Path(__file__).resolve().parents[1] / "src/framesynth/demo/corpus"
INTERVIEW = CORPUS / "int01-maureen-okafor.txt"
TRANSFORM = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(),
                           jiwer.RemoveMultipleSpaces(), jiwer.Strip(),
                           jiwer.ReduceToListOfListOfWords()])


def script(turns: int, words: int) -> list[tuple[str, str]]:
    """``(speaker, text)`` of the interview's first turns, each cut short."""
    imported = read_source(INTERVIEW)
    lines = []
    for turn in (imported.turns or detect_turns(imported.text))[:turns]:
        text = re.sub(r"\[[^\]]*\]", "", imported.text[turn.start:turn.end]).split()
        cut = " ".join(text[:words])
        end = max(cut.rfind(". "), cut.rfind("? "))
        lines.append((turn.label or "Speaker", cut[:end + 1] if end > len(cut) // 2 else cut))
    return lines


def record(lines: list[tuple[str, str]], folder: Path) -> tuple[Path, list[SpokenTurn]]:
    labels = list(dict.fromkeys(label for label, _ in lines))
    voices = dict(zip(labels, ("en-us", "en-gb+f3"), strict=False))
    spoken = speak(lines, folder / "clean.wav", voices=voices, words_per_minute=140)
    length = spoken[-1].end + 0.5
    subprocess.run(["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", str(folder / "noise.wav"),
                    "synth", str(length + 1), "brownnoise", "vol", "0.01"], check=True)
    out = folder / "int01.flac"
    subprocess.run(["sox", "-m", str(folder / "clean.wav"), str(folder / "noise.wav"),
                    "-r", "44100", "-b", "24", str(out), "trim", "0", str(length)], check=True)
    return out, spoken


def measure(engine_name: str, model_dir: Path | None, recording: Path,
            spoken: list[SpokenTurn], folder: Path) -> dict[str, object]:
    location = folder / f"{engine_name}.fsdb"
    engine = load_engine(engine_name, model_dir=model_dir)
    with Project.create(location) as project, project.session() as session:
        import_files(session, [recording])
    began = time.perf_counter()
    with Project.open(location) as project, project.session() as session:
        result = transcribe_source(session, recording.name, engine, speakers=2, pause=0.6)
        seconds = time.perf_counter() - began
        turns = [(t.started_at or 0.0, t.text) for t in get_source(session, recording.name).turns]
    reference = " ".join(line.text for line in spoken)
    hypothesis = " ".join(text for _, text in turns)
    errors = [min(abs(start - line.start) for start, _ in turns) for line in spoken] or [0.0]
    return {"engine": engine_name, "model": result.model, "audio_s": result.seconds,
            "wer": round(jiwer.wer(reference, hypothesis, reference_transform=TRANSFORM,
                                   hypothesis_transform=TRANSFORM), 3),
            "content_recall": round(content_recall(reference, hypothesis), 3),
            "turns_found": len(turns), "turns_spoken": len(spoken),
            "start_error_mean_s": round(sum(errors) / len(errors), 3),
            "start_error_max_s": round(max(errors), 3),
            "rtf": round(seconds / result.seconds, 3)}


def content_recall(reference: str, hypothesis: str) -> float:
    stop = stopwordsiso.stopwords("en")
    words = Counter(w for w in TRANSFORM(reference)[0] if w not in stop)
    found = Counter(TRANSFORM(hypothesis)[0])
    total = sum(words.values())
    return sum(min(n, found[w]) for w, n in words.items()) / total if total else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--words", type=int, default=22)
    parser.add_argument("--model-dir", type=Path)
    parser.add_argument("--out", type=Path, default=Path("bench/out/transcribe.json"))
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="framesynth-bench-") as scratch:
        folder = Path(scratch)
        recording, spoken = record(script(options.turns, options.words), folder)
        engines = [("pocketsphinx", None)]
        if options.model_dir:
            engines.append(("faster-whisper", options.model_dir))
        for name, model_dir in engines:
            rows.append(measure(name, model_dir, recording, spoken, folder))
            print(json.dumps(rows[-1]))
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
