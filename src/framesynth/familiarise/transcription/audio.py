"""A recording as an engine reads it: 16 kHz mono float32 samples, cut into pieces.

Decoding and resampling are FFmpeg's, through PyAV (``av.AudioResampler``), so any file
framesynth imports (wav, mp3, m4a, ogg, flac, and the audio of mp4, webm, mov) can be
transcribed. Long recordings are cut into pieces of about :data:`PIECE_SECONDS` at the
quietest moment near each cut, so a word is rarely split between pieces; each piece is
transcribed on its own, and a finished piece is what a resumed run skips.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from framesynth.errors import CorruptFile
from framesynth.familiarise.transcription.engines import SAMPLE_RATE

PIECE_SECONDS = 30.0
FRAME_SECONDS = 0.02   # the energy measure's frame
QUIET_SECONDS = 0.3    # the stretch whose mean energy marks a good place to cut


@dataclass(frozen=True)
class Piece:
    """``samples[start:end]`` of the recording (bounds in samples, so they key exactly)."""

    start: int
    end: int

    @property
    def offset(self) -> float:
        """Seconds from the recording's start to the piece's first sample."""
        return self.start / SAMPLE_RATE

    @property
    def key(self) -> str:
        return f"{self.start}-{self.end}"


def decode(path: Path) -> np.ndarray:
    """The recording's first audio stream as mono float32 samples at 16 kHz in [-1, 1];
    a file FFmpeg cannot decode is one :class:`CorruptFile` line."""
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise CorruptFile("the recording has no audio to transcribe", path=path)
            for frame in container.decode(audio=0):
                chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
        chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    except av.FFmpegError as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise CorruptFile(f"cannot decode the recording ({reason})", path=path) from None
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks).astype(np.float32, copy=False)


def frame_energy(samples: np.ndarray) -> np.ndarray:
    """Mean square of each :data:`FRAME_SECONDS` frame (the last partial frame dropped)."""
    size = round(FRAME_SECONDS * SAMPLE_RATE)
    count = len(samples) // size
    frames = samples[: count * size].astype(np.float64).reshape(count, size)
    result: np.ndarray = (frames ** 2).mean(axis=1)
    return result


def cut(samples: np.ndarray, *, seconds: float = PIECE_SECONDS) -> list[Piece]:
    """Pieces of about ``seconds`` covering every sample: each cut lies at the quietest
    :data:`QUIET_SECONDS` stretch in the second half of the piece it ends, and a remainder
    shorter than a quarter piece is joined to the piece before it."""
    total = len(samples)
    target = round(seconds * SAMPLE_RATE)
    if total <= target * 5 // 4:
        return [Piece(0, total)]
    energy = frame_energy(samples)
    size = round(FRAME_SECONDS * SAMPLE_RATE)
    width = max(1, round(QUIET_SECONDS / FRAME_SECONDS))
    smooth = np.convolve(energy, np.ones(width) / width, mode="same")
    pieces: list[Piece] = []
    start = 0
    while total - start > target * 5 // 4:
        low, high = (start + target // 2) // size, (start + target) // size
        quietest = low + int(np.argmin(smooth[low:high]))
        end = quietest * size + size // 2
        pieces.append(Piece(start, end))
        start = end
    pieces.append(Piece(start, total))
    return pieces
