"""Whisper through faster-whisper (CTranslate2), from a model folder on this machine.

faster-whisper downloads a model from the Hugging Face Hub when it is given a size
(``"small"``) or a folder without ``tokenizer.json``; framesynth never lets it. The folder
is checked first (``model.bin``, ``config.json`` and ``tokenizer.json`` must be there), the
model is opened with ``local_files_only=True`` and ``HF_HUB_OFFLINE=1`` while it loads, and
anything wrong is one :class:`TranscriptionUnavailable` line naming the folder.

Voice activity detection is off by default: the caller already cuts the recording into
pieces at pauses. faster-whisper 1.2 ships its Silero VAD model inside the wheel
(``faster_whisper/assets/silero_vad_v6.onnx``, run by ``onnxruntime``, one of its
dependencies), so ``vad=True`` needs nothing downloaded either.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from framesynth.familiarise.transcription.engines import (
    SAMPLE_RATE,
    Segment,
    TranscriptionUnavailable,
    Word,
)

if TYPE_CHECKING:
    import numpy as np

MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")
DOCS = "docs/recordings.md, 'faster-whisper', says how to get one"


class FasterWhisperEngine:
    """Transcribes pieces of a recording with a Whisper model copied into ``model_dir``.

    :param model_dir: a CTranslate2 Whisper folder (``Systran/faster-whisper-small`` or the
        output of ``ct2-transformers-converter``).
    :param compute_type: CTranslate2's weight type on the CPU; ``int8`` is the fastest and
        smallest in memory at almost no cost in accuracy (faster-whisper's benchmarks).
    :param vad: let faster-whisper skip silence itself (Silero VAD, shipped in its wheel).
    """

    name = "faster-whisper"

    def __init__(self, model_dir: Path | None, *, compute_type: str = "int8", cpu_threads: int = 0,
                 beam_size: int = 5, vad: bool = False) -> None:
        if model_dir is None:
            raise TranscriptionUnavailable(f"the faster-whisper engine needs --model-dir; {DOCS}")
        self.model_dir = Path(model_dir)
        self.beam_size = beam_size
        self.vad = vad
        self.model = f"{self.model_dir.resolve().name}@{compute_type}"
        _check_folder(self.model_dir)
        self._whisper = _open_model(self.model_dir, compute_type=compute_type,
                                    cpu_threads=cpu_threads)
        self.multilingual: bool = bool(self._whisper.model.is_multilingual)
        self.languages: tuple[str, ...] = tuple(self._whisper.supported_languages)

    def transcribe(self, samples: np.ndarray, *, offset: float,
                   language: str | None = None) -> list[Segment]:
        """Segments of one piece (16 kHz mono float32), times from the recording's start.

        Whisper sometimes puts a timestamp past the end of a short piece (its window is
        always 30 s); such times are clipped to the piece, and a segment that would start
        after it is dropped.
        """
        self._check_language(language)
        length = len(samples) / SAMPLE_RATE
        found, _info = self._whisper.transcribe(
            samples, language=language, beam_size=self.beam_size, word_timestamps=True,
            vad_filter=self.vad, condition_on_previous_text=False)
        segments = []
        for raw in found:
            if raw.start >= length:
                continue
            words = tuple(_word(w, offset, length) for w in raw.words or () if w.start < length)
            segments.append(Segment(start=_seconds(offset + raw.start),
                                    end=_seconds(offset + min(raw.end, length)),
                                    text=raw.text.strip(), words=words))
        return segments

    def _check_language(self, language: str | None) -> None:
        if language is None or language in self.languages:
            return
        kind = "multilingual" if self.multilingual else "English-only"
        raise TranscriptionUnavailable(
            f"the {kind} model does not know language {language!r}"
            + ("" if self.multilingual else "; use a multilingual model (without '.en')"),
            path=self.model_dir)


def _word(word: Any, offset: float, length: float) -> Word:
    return Word(text=word.word.strip(), start=_seconds(offset + word.start),
                end=_seconds(offset + min(word.end, length)))


def _seconds(value: float) -> float:
    """A plain float to the millisecond (faster-whisper gives numpy floats for words)."""
    return round(float(value), 3)


def _check_folder(folder: Path) -> None:
    """One line when ``folder`` cannot hold a model, before faster-whisper could fetch one."""
    if not folder.is_dir():
        raise TranscriptionUnavailable(f"no model folder at {folder}; {DOCS}", path=folder)
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise TranscriptionUnavailable(
            f"{folder} is not a faster-whisper model folder ({', '.join(missing)} missing); {DOCS}",
            path=folder)


@contextmanager
def _offline() -> Iterator[None]:
    """``HF_HUB_OFFLINE=1`` while faster-whisper is imported and a model opened."""
    before = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("HF_HUB_OFFLINE", None)
        else:
            os.environ["HF_HUB_OFFLINE"] = before


def _open_model(folder: Path, *, compute_type: str, cpu_threads: int) -> Any:
    with _offline():
        try:
            from faster_whisper import WhisperModel
        except ImportError as error:
            raise TranscriptionUnavailable(
                f"the faster-whisper library is not installed ({error.name}); "
                "pip install 'framesynth[whisper]'", path=folder) from None
        try:
            return WhisperModel(str(folder.resolve()), device="cpu", compute_type=compute_type,
                                cpu_threads=cpu_threads, local_files_only=True)
        except (RuntimeError, ValueError, OSError) as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise TranscriptionUnavailable(
                f"cannot read the model in {folder} ({reason}); {DOCS}", path=folder) from None
