"""The transcription engines and the one interface they share.

An engine turns a piece of a recording (16 kHz mono samples) into timed :class:`Segment`
objects. Nothing leaves the machine: an engine reads a model that ships inside its Python
package (pocketsphinx) or one the user copied into a local folder (faster-whisper's
``--model-dir``); none downloads anything.

Engines are named in :data:`ENGINES` by ``module:Class`` and imported only when chosen.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from framesynth.errors import FramesynthError

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000  # what every engine is given: mono float32 samples in [-1, 1]


class TranscriptionUnavailable(FramesynthError):
    """The engine asked for cannot run here: unknown, its library missing, or its model
    folder missing or unreadable. Nothing was written."""

    code = "FS121"


@dataclass(frozen=True)
class Word:
    """One recognised word and its time in the recording, in seconds."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Segment:
    """A stretch of recognised speech; times are seconds from the recording's start."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


class Engine(Protocol):
    """What :func:`load_engine` returns.

    ``model`` names the model in use (part of the key under which finished pieces are kept
    for resuming, and shown in reports). ``transcribe`` is given one piece of the recording
    and the time at which that piece starts; the segments it returns carry times from the
    recording's start (``offset`` added).
    """

    name: str
    model: str

    def transcribe(self, samples: np.ndarray, *, offset: float,
                   language: str | None = None) -> list[Segment]: ...


@dataclass(frozen=True)
class EngineInfo:
    """An engine as ``framesynth transcribe --engines`` lists it."""

    name: str
    target: str        # "module:Class"
    needs_model_dir: bool
    summary: str


ENGINES: dict[str, EngineInfo] = {
    info.name: info for info in (
        EngineInfo("pocketsphinx",
                   "framesynth.familiarise.transcription.pocketsphinx_engine:PocketsphinxEngine",
                   False, "CMU PocketSphinx with the US English model inside its wheel; works "
                          "with nothing downloaded, but is a fallback: it misses many words"),
        EngineInfo("faster-whisper",
                   "framesynth.familiarise.transcription.whisper_engine:FasterWhisperEngine",
                   True, "Whisper through CTranslate2, from a model folder copied onto this "
                         "machine (--model-dir); the engine for real work"),
    )
}


def load_engine(name: str, *, model_dir: Path | None = None) -> Engine:
    """The engine called ``name``, ready to transcribe; :class:`TranscriptionUnavailable`
    when it is unknown or cannot run here."""
    info = ENGINES.get(name)
    if info is None:
        raise TranscriptionUnavailable(
            f"unknown transcription engine {name!r}; engines: {', '.join(ENGINES)}")
    if info.needs_model_dir and model_dir is None:
        raise TranscriptionUnavailable(
            f"the {name} engine needs --model-dir, a local model folder "
            "(docs/recordings.md says how to get one)")
    module_name, class_name = info.target.split(":")
    engine_class = getattr(importlib.import_module(module_name), class_name)
    engine: Engine = engine_class(model_dir=model_dir)
    return engine
