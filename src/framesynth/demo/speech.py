"""Recordings made from a script: speech in two or more voices with ``espeak-ng``.

The demo's recording and the tests' recordings are spoken here from text we wrote, so the
words and the time each turn starts are known exactly and a transcript can be checked
against them. ``espeak-ng`` (Debian's package) writes each line as a WAV file; the lines
are joined with silence between them into one 16-bit mono WAV file, and the result says
when each line starts and ends::

    lines = [("interviewer", "How did the partnership start?"),
             ("participant", "We met at a funders' workshop in the spring.")]
    turns = speak(lines, Path("int03.wav"))
    write_vtt(turns, Path("int03.vtt"))   # the same stem: imported as one source

Voices are espeak-ng voice names (``en-us``, ``en-gb+f3``); each speaker gets the next of
:data:`VOICES` unless ``voices`` names one.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from framesynth.errors import FramesynthError

VOICES = ("en-us", "en-gb+f3", "en-us+m3", "en-gb+f4")
RATE = 16_000  # samples per second of the file written (what speech engines read)


class SpeechUnavailable(FramesynthError):
    """``espeak-ng`` is not installed, or it failed on a line."""

    code = "FS120"


@dataclass(frozen=True)
class SpokenTurn:
    """One line of the script and where it lies in the recording, in seconds."""

    speaker: str
    text: str
    start: float
    end: float


def speak(lines: Sequence[tuple[str, str]], out: Path, *, voices: Mapping[str, str] | None = None,
          pause: float = 0.9, words_per_minute: int = 150, lead: float = 0.5) -> list[SpokenTurn]:
    """Speak ``(speaker, text)`` lines into one WAV file at ``out``; returns their times.

    ``pause`` seconds of silence lie between lines and ``lead`` before the first one.
    """
    program = shutil.which("espeak-ng")
    if program is None:
        raise SpeechUnavailable("espeak-ng is not installed (Debian: apt install espeak-ng)",
                                path=out)
    chosen = dict(voices or {})
    for speaker, _text in lines:
        chosen.setdefault(speaker, VOICES[len(chosen) % len(VOICES)])
    turns: list[SpokenTurn] = []
    frames = bytearray(_silence(lead))
    with tempfile.TemporaryDirectory(prefix="framesynth-speech-") as scratch:
        for number, (speaker, text) in enumerate(lines, start=1):
            clip = Path(scratch) / f"{number}.wav"
            done = subprocess.run(
                [program, "-v", chosen[speaker], "-s", str(words_per_minute), "-w", str(clip),
                 "--", text], capture_output=True, text=True, check=False)
            if done.returncode != 0 or not clip.exists():
                raise SpeechUnavailable(f"espeak-ng failed on line {number}: "
                                        f"{done.stderr.strip() or done.returncode}", path=out)
            samples = _resampled(clip)
            start = len(frames) / 2 / RATE
            frames += samples
            turns.append(SpokenTurn(speaker, text, round(start, 3),
                                    round(len(frames) / 2 / RATE, 3)))
            frames += _silence(pause)
    frames += _silence(lead)
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(RATE)
        file.writeframes(bytes(frames))
    return turns


def write_vtt(turns: Sequence[SpokenTurn], out: Path) -> None:
    """A WebVTT transcript of ``turns`` in the layout Zoom and Teams write (``<v Name>``)."""
    cues = ["WEBVTT", ""]
    for number, turn in enumerate(turns, start=1):
        cues += [str(number), f"{_clock(turn.start)} --> {_clock(turn.end)}",
                 f"<v {turn.speaker}>{turn.text}</v>", ""]
    out.write_text("\n".join(cues), encoding="utf-8")


def _silence(seconds: float) -> bytes:
    return b"\x00\x00" * round(seconds * RATE)


def _resampled(clip: Path) -> bytes:
    """The clip's 16-bit mono samples at :data:`RATE` (espeak-ng writes 22,050 Hz),
    resampled by FFmpeg through PyAV."""
    import av

    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    out = bytearray()
    with av.open(str(clip)) as container:
        for frame in container.decode(audio=0):
            for piece in resampler.resample(frame):
                out += bytes(piece.planes[0])[: piece.samples * 2]
    for piece in resampler.resample(None):
        out += bytes(piece.planes[0])[: piece.samples * 2]
    return bytes(out)


def _clock(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"
