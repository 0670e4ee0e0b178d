"""CMU PocketSphinx: offline speech recognition with the US English model in its wheel.

It needs nothing downloaded, which is why it is the default; it is a fallback, not the
engine for real work: on clear synthetic speech it misses or mishears many words (see
bench/README.md), and it knows only US English. Its word times are good, so pauses and
turns come out right even where the words do not.

``model_dir`` may name another PocketSphinx model: a folder holding the acoustic model
(a subfolder with an ``mdef`` file, or the folder itself), a pronunciation dictionary
(``*.dict``) and a language model (``*.lm.bin``, ``*.lm`` or ``*.lm.gz``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from framesynth.familiarise.transcription.engines import (
    SAMPLE_RATE,
    Segment,
    TranscriptionUnavailable,
    Word,
)

FRAMES_PER_SECOND = 100  # PocketSphinx counts time in 10 ms frames
GAP = 0.3                # silence between words that ends a segment, in seconds


class PocketsphinxEngine:
    """Transcribe pieces with one :class:`pocketsphinx.Decoder`, made once."""

    name = "pocketsphinx"

    def __init__(self, model_dir: Path | None = None):
        try:
            import pocketsphinx
        except ImportError:
            raise TranscriptionUnavailable(
                "the pocketsphinx engine needs the pocketsphinx package "
                "(pip install 'pocketsphinx>=5')") from None
        # cmn="batch": the cepstral mean of each piece is its own, not carried over from the
        # pieces decoded before, so a resumed run gives what an uninterrupted one gives.
        options: dict[str, str | float] = {"samprate": float(SAMPLE_RATE), "loglevel": "FATAL",
                                           "cmn": "batch"}
        if model_dir is None:
            self.model = f"pocketsphinx-{_version(pocketsphinx)}-en-us"
        else:
            options.update(_model_files(Path(model_dir)))
            self.model = f"pocketsphinx-{Path(model_dir).resolve().name}"
        try:
            self._decoder = pocketsphinx.Decoder(**options)
        except (RuntimeError, ValueError) as error:
            raise TranscriptionUnavailable(f"pocketsphinx cannot load its model ({error})",
                                           path=model_dir) from None

    def transcribe(self, samples: np.ndarray, *, offset: float,
                   language: str | None = None) -> list[Segment]:
        """Segments of the piece, split where words are more than :data:`GAP` apart.
        ``language`` other than English is refused: the model knows only US English."""
        if language and not language.lower().startswith("en"):
            raise TranscriptionUnavailable(
                f"the pocketsphinx model knows only English, not {language!r}")
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        decoder = self._decoder
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        words = [Word(_spelling(seg.word), offset + seg.start_frame / FRAMES_PER_SECOND,
                      offset + (seg.end_frame + 1) / FRAMES_PER_SECOND)
                 for seg in decoder.seg() if _is_word(seg.word)]
        return _segments(words)


def _segments(words: list[Word]) -> list[Segment]:
    groups: list[list[Word]] = []
    for word in words:
        if groups and word.start - groups[-1][-1].end <= GAP:
            groups[-1].append(word)
        else:
            groups.append([word])
    return [Segment(round(g[0].start, 3), round(g[-1].end, 3), " ".join(w.text for w in g),
                    tuple(Word(w.text, round(w.start, 3), round(w.end, 3)) for w in g))
            for g in groups]


def _is_word(token: str) -> bool:
    """Not silence, a sentence mark or a filler (``<sil>``, ``<s>``, ``[NOISE]``)."""
    return not (token.startswith("<") or token.startswith("[") or token.startswith("+"))


def _spelling(token: str) -> str:
    """``read(2)`` (the dictionary's second pronunciation) is the word ``read``."""
    return token.split("(", 1)[0]


def _version(module: object) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pocketsphinx")
    except PackageNotFoundError:
        return str(getattr(module, "__version__", "unknown"))


def _model_files(folder: Path) -> dict[str, str | float]:
    """The acoustic model, dictionary and language model in ``folder``; one
    :class:`TranscriptionUnavailable` line naming what is missing."""
    if not folder.is_dir():
        raise TranscriptionUnavailable("no such model folder", path=folder)
    acoustic = folder if (folder / "mdef").is_file() else next(
        (p.parent for p in sorted(folder.glob("*/mdef"))), None)
    dictionary = next(iter(sorted(folder.glob("*.dict"))), None)
    language_model = next((p for pattern in ("*.lm.bin", "*.lm", "*.lm.gz")
                           for p in sorted(folder.glob(pattern))), None)
    missing = [what for what, found in (("an acoustic model (a folder with mdef)", acoustic),
                                        ("a dictionary (*.dict)", dictionary),
                                        ("a language model (*.lm.bin)", language_model))
               if found is None]
    if missing:
        raise TranscriptionUnavailable(f"the model folder lacks {', '.join(missing)}",
                                       path=folder)
    return {"hmm": str(acoustic), "dict": str(dictionary), "lm": str(language_model)}
