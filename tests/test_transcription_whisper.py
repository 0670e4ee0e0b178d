"""The faster-whisper engine, run for real on a tiny Whisper model built here.

No model can be downloaded, so :func:`tiny_whisper` writes one in CTranslate2's format: a
Whisper of one encoder and one decoder layer, 16 wide, with random weights, and a byte-level
``tokenizer.json`` carrying Whisper's special tokens in Whisper's order. faster-whisper
opens it exactly as it opens ``faster-whisper-small``. The model is random, so the words it
"hears" are noise and are not checked: these tests check the plumbing (times within the
recording, the offset added, words in order and inside their segment, no network touched).
Real accuracy is measured by the benchmark with a real model.
"""

from __future__ import annotations

import socket
import wave
from pathlib import Path

import numpy as np
import pytest

from framesynth.demo.speech import speak
from framesynth.familiarise.transcription.engines import (
    SAMPLE_RATE,
    TranscriptionUnavailable,
    load_engine,
)
from framesynth.familiarise.transcription.whisper_engine import FasterWhisperEngine

WIDTH, HEADS, FFN, MELS = 16, 2, 32, 80
SPECIALS = ["<|endoftext|>", "<|startoftranscript|>", "<|translate|>", "<|transcribe|>",
            "<|startoflm|>", "<|startofprev|>", "<|nocaptions|>", "<|notimestamps|>"]
TIMESTAMPS = [f"<|{i * 0.02:.2f}|>" for i in range(1501)]  # 0.00 .. 30.00, as Whisper's


def _tokenizer(folder: Path) -> list[str]:
    """A byte-level tokenizer (no merges) + Whisper's specials; returns the vocabulary."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    tokenizer = Tokenizer(models.BPE(vocab={c: i for i, c in enumerate(alphabet)}, merges=[]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens([AddedToken(t, special=True) for t in SPECIALS + TIMESTAMPS])
    tokenizer.save(str(folder / "tokenizer.json"))
    return [tokenizer.id_to_token(i) for i in range(tokenizer.get_vocab_size())]


def tiny_whisper(folder: Path, seed: int = 0) -> Path:
    """Write a random-weight English-only Whisper in CTranslate2 format into ``folder``.

    The output layer's bias keeps the random decoder to letters, spaces, the end token and
    timestamps, so what it writes decodes to text made of words (noise, but words).
    """
    from ctranslate2.specs import whisper_spec

    folder.mkdir(parents=True, exist_ok=True)
    vocabulary = _tokenizer(folder)
    rng = np.random.default_rng(seed)

    def random(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.2).astype(np.float32)

    def norm(spec) -> None:
        spec.gamma, spec.beta = np.ones(WIDTH, np.float32), np.zeros(WIDTH, np.float32)

    def linear(spec, rows: int, cols: int) -> None:
        spec.weight, spec.bias = random(rows, cols), np.zeros(rows, np.float32)

    def layer(spec, cross: bool) -> None:
        norm(spec.self_attention.layer_norm)
        linear(spec.self_attention.linear[0], 3 * WIDTH, WIDTH)
        linear(spec.self_attention.linear[1], WIDTH, WIDTH)
        if cross:
            norm(spec.attention.layer_norm)
            linear(spec.attention.linear[0], WIDTH, WIDTH)
            linear(spec.attention.linear[1], 2 * WIDTH, WIDTH)
            linear(spec.attention.linear[2], WIDTH, WIDTH)
        norm(spec.ffn.layer_norm)
        linear(spec.ffn.linear_0, FFN, WIDTH)
        linear(spec.ffn.linear_1, WIDTH, FFN)

    spec = whisper_spec.WhisperSpec(1, HEADS, 1, HEADS)
    encoder, decoder = spec.encoder, spec.decoder
    encoder.conv1.weight, encoder.conv1.bias = random(WIDTH, MELS, 3), np.zeros(WIDTH, np.float32)
    encoder.conv2.weight, encoder.conv2.bias = random(WIDTH, WIDTH, 3), np.zeros(WIDTH, np.float32)
    encoder.position_encodings.encodings = random(1500, WIDTH)
    norm(encoder.layer_norm)
    for part in encoder.layer:
        layer(part, cross=False)
    decoder.embeddings.weight = random(len(vocabulary), WIDTH)
    decoder.position_encodings.encodings = random(448, WIDTH)
    norm(decoder.layer_norm)
    for part in decoder.layer:
        layer(part, cross=True)
    allowed = {i for i, token in enumerate(vocabulary)
               if token.isascii() and (token.isalpha() or token == "Ġ")}
    allowed |= {vocabulary.index("<|endoftext|>")}
    allowed |= set(range(vocabulary.index(TIMESTAMPS[0]), len(vocabulary)))
    decoder.projection.weight = random(len(vocabulary), WIDTH)
    decoder.projection.bias = np.array([0.0 if i in allowed else -50.0
                                        for i in range(len(vocabulary))], np.float32)
    spec.config.suppress_ids = []
    spec.config.suppress_ids_begin = [vocabulary.index("Ġ"), vocabulary.index("<|endoftext|>")]
    spec.config.lang_ids = []
    spec.config.alignment_heads = [(0, 0), (0, 1)]
    spec.register_vocabulary(vocabulary)
    spec.validate()
    spec.save(str(folder))
    return folder


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_whisper(tmp_path_factory.mktemp("whisper") / "tiny-random")


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, float]:
    """A spoken exchange of two voices as 16 kHz float samples, and its length in seconds."""
    path = tmp_path_factory.mktemp("speech") / "exchange.wav"
    speak([("interviewer", "How did the food bank start?"),
           ("participant", "With one freezer in the church hall, and a rota of six.")], path)
    with wave.open(str(path)) as recording:
        assert recording.getframerate() == SAMPLE_RATE
        pcm = np.frombuffer(recording.readframes(recording.getnframes()), dtype="<i2")
    return pcm.astype(np.float32) / 32768, len(pcm) / SAMPLE_RATE


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection (a hub download) fails the test."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network used: {args}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_whisper_engine_transcribes_speech_with_times_inside_the_recording(
        model_dir: Path, speech: tuple[np.ndarray, float], no_network: None) -> None:
    samples, seconds = speech
    engine = load_engine("faster-whisper", model_dir=model_dir)
    assert isinstance(engine, FasterWhisperEngine)
    assert (engine.name, engine.model, engine.multilingual) == (
        "faster-whisper", "tiny-random@int8", False)
    segments = engine.transcribe(samples, offset=0.0, language="en")
    assert segments, "the random model wrote nothing at all"
    for segment in segments:
        assert 0 <= segment.start <= segment.end <= seconds
        starts = [word.start for word in segment.words]
        assert starts == sorted(starts)
        for word in segment.words:
            assert segment.start - 0.01 <= word.start <= word.end <= seconds
            assert word.text and " " not in word.text
            assert type(word.start) is float and type(word.end) is float
    assert [s.start for s in segments] == sorted(s.start for s in segments)


def test_whisper_engine_adds_the_offset_of_the_piece(
        model_dir: Path, speech: tuple[np.ndarray, float]) -> None:
    samples, seconds = speech
    engine = FasterWhisperEngine(model_dir)
    engine.beam_size = 1  # greedy: the same segments both times
    plain = engine.transcribe(samples, offset=0.0)
    shifted = engine.transcribe(samples, offset=600.0)
    assert plain and len(shifted) == len(plain)
    for before, after in zip(plain, shifted, strict=True):
        assert after.text == before.text
        assert after.start == pytest.approx(before.start + 600, abs=0.002)
        assert after.end == pytest.approx(before.end + 600, abs=0.002)
        assert [w.start for w in after.words] == pytest.approx(
            [w.start + 600 for w in before.words], abs=0.002)
        assert after.end <= 600 + seconds


def test_whisper_engine_with_vad_needs_nothing_downloaded(
        model_dir: Path, speech: tuple[np.ndarray, float], no_network: None) -> None:
    samples, seconds = speech
    engine = FasterWhisperEngine(model_dir, vad=True)
    segments = engine.transcribe(samples, offset=5.0)
    assert segments  # the Silero model found speech
    for segment in segments:
        assert 5.0 <= segment.start <= segment.end <= 5.0 + seconds


def test_whisper_engine_refuses_a_language_an_english_model_lacks(model_dir: Path) -> None:
    engine = FasterWhisperEngine(model_dir)
    with pytest.raises(TranscriptionUnavailable) as raised:
        engine.transcribe(np.zeros(SAMPLE_RATE, np.float32), offset=0.0, language="de")
    assert str(raised.value) == (
        "tiny-random: the English-only model does not know language 'de'; use a multilingual "
        "model (without '.en') [FS121]")


@pytest.mark.parametrize("make, says", [
    (lambda tmp: tmp / "nowhere", "no model folder at {folder}"),
    (lambda tmp: tmp, "{folder} is not a faster-whisper model folder "
                      "(model.bin, config.json, tokenizer.json missing)"),
    (lambda tmp: _without(tiny_whisper(tmp / "m"), "tokenizer.json"),
     "{folder} is not a faster-whisper model folder (tokenizer.json missing)"),
])
def test_whisper_engine_names_a_folder_that_holds_no_model(
        tmp_path: Path, make, says: str, no_network: None) -> None:
    folder = make(tmp_path)
    with pytest.raises(TranscriptionUnavailable) as raised:
        load_engine("faster-whisper", model_dir=folder)
    assert str(raised.value) == (
        f"{folder.name}: {says.format(folder=folder)}; docs/recordings.md, 'faster-whisper', "
        "says how to get one [FS121]")


def test_whisper_engine_names_a_model_it_cannot_read(tmp_path: Path, no_network: None) -> None:
    folder = tiny_whisper(tmp_path / "broken")
    (folder / "model.bin").write_bytes(b"not a model")
    with pytest.raises(TranscriptionUnavailable) as raised:
        FasterWhisperEngine(folder)
    message = str(raised.value)
    assert message.startswith(f"broken: cannot read the model in {folder} (")
    assert message.endswith("); docs/recordings.md, 'faster-whisper', says how to get one [FS121]")


def test_whisper_engine_without_a_model_dir_says_so() -> None:
    with pytest.raises(TranscriptionUnavailable) as raised:
        load_engine("faster-whisper")
    assert "needs --model-dir" in str(raised.value)


def _without(folder: Path, name: str) -> Path:
    (folder / name).unlink()
    return folder
