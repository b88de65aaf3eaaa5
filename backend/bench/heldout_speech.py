"""Speak with Debian's flite and listen with pocketsphinx 5 (the ``[heldout]`` extra), as the dev sets were made.

flite's voices speak at about 175 words per minute with a duration stretch of 1, so a rate of R words per minute is
``duration_stretch = 175 / R`` (this reproduces most rows of the dev sets exactly, at their 150 and 175). The audio
is resampled to 16 kHz where a voice speaks at another rate (kal speaks at 8 kHz), optionally mixed with white
noise at a stated signal-to-noise ratio (seeded by the row, so a set remakes identically), and decoded with
pocketsphinx's bundled US-English model.
"""

from __future__ import annotations

import importlib
import importlib.util
import shutil
import subprocess
import tempfile
import wave
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from backend.bench.heldout_draw import Utterance
from backend.errors import VoicecartError

FLITE_BASE_WPM = 175.0
SAMPLE_RATE = 16_000
Samples = npt.NDArray[np.int16]


class SpeechToolMissing(VoicecartError):
    """flite or pocketsphinx is not installed (``apt-get install flite``; ``pip install .[heldout]``)."""


def stretch_for(rate_wpm: int) -> float:
    return FLITE_BASE_WPM / rate_wpm


def resample(samples: Samples, from_rate: int, to_rate: int = SAMPLE_RATE) -> Samples:
    """Linear-interpolation resampling (speech for a recogniser with a 16 kHz model; no filter needed upwards)."""
    if from_rate == to_rate or len(samples) == 0:
        return samples
    count = round(len(samples) * to_rate / from_rate)
    positions = np.arange(count) * (from_rate / to_rate)
    resampled = np.interp(positions, np.arange(len(samples)), samples.astype(np.float64))
    return _to_int16(resampled)


def add_noise(samples: Samples, snr_db: float, seed: int) -> Samples:
    """White Gaussian noise at ``snr_db`` below the utterance's own power (over its voiced samples)."""
    signal = samples.astype(np.float64)
    voiced = signal[np.abs(signal) > 0.01 * max(float(np.abs(signal).max()), 1.0)]
    power = float(np.mean(voiced**2)) if len(voiced) else 0.0
    noise = np.random.default_rng(seed).normal(0.0, np.sqrt(power / 10 ** (snr_db / 10)), len(signal))
    return _to_int16(signal + noise)


def _to_int16(values: npt.NDArray[np.float64]) -> Samples:
    rounded: Samples = np.clip(np.rint(values), -32768, 32767).astype(np.int16)
    return rounded


def noise_seed(key: str, seed: int) -> int:
    return zlib.crc32(f"{seed}|{key}".encode())


def require_tools() -> None:
    """Fail before any drawing or decoding when flite or pocketsphinx is missing."""
    if shutil.which("flite") is None:
        raise SpeechToolMissing("flite is not installed (apt-get install -y flite)")
    if importlib.util.find_spec("pocketsphinx") is None:
        raise SpeechToolMissing("pocketsphinx is not installed (pip install 'voicecart[heldout]')")


def speak(text: str, voice: str, rate_wpm: int) -> tuple[Samples, int]:
    """flite's audio for ``text``: 16-bit mono samples and their rate."""
    flite = shutil.which("flite")
    if flite is None:
        raise SpeechToolMissing("flite is not installed (apt-get install -y flite)")
    with tempfile.TemporaryDirectory(prefix="voicecart-heldout-") as directory:
        wav_path = Path(directory) / "said.wav"
        stretch = f"duration_stretch={stretch_for(rate_wpm):.4f}"
        subprocess.run(  # noqa: S603 - an argument list (no shell); the text is a catalog name
            [flite, "-voice", voice, "--setf", stretch, "-t", text, "-o", str(wav_path)],
            check=True,
            capture_output=True,
        )
        with wave.open(str(wav_path)) as wav:
            frames = wav.readframes(wav.getnframes())
            rate = wav.getframerate()
    return np.frombuffer(frames, dtype=np.int16).copy(), rate


class Listener:
    """One pocketsphinx decoder (its model loads once per process)."""

    def __init__(self) -> None:
        try:
            # Imported by name: an optional extra, absent from CI and from mypy's view
            pocketsphinx = importlib.import_module("pocketsphinx")
        except ImportError as exc:
            raise SpeechToolMissing("pocketsphinx is not installed (pip install 'voicecart[heldout]')") from exc
        self._decoder: Any = pocketsphinx.Decoder(samprate=SAMPLE_RATE, logfn="/dev/null")

    def hear(self, samples: Samples) -> str:
        self._decoder.start_utt()
        self._decoder.process_raw(samples.tobytes(), full_utt=True)
        self._decoder.end_utt()
        hypothesis = self._decoder.hyp()
        return str(hypothesis.hypstr) if hypothesis is not None else ""


def transcribe(utterance: Utterance, listener: Listener, *, snr_db: float | None, seed: int) -> str:
    samples, rate = speak(utterance.text, utterance.voice.voice, utterance.voice.rate)
    samples = resample(samples, rate)
    if snr_db is not None:
        samples = add_noise(samples, snr_db, noise_seed(utterance.key, seed))
    return listener.hear(samples)


_worker_listener: Listener | None = None


def _start_worker() -> None:
    global _worker_listener  # noqa: PLW0603 - one decoder per worker process, made once
    _worker_listener = Listener()


def _worker_transcribe(job: tuple[Utterance, float | None, int]) -> str:
    assert _worker_listener is not None
    utterance, snr_db, seed = job
    return transcribe(utterance, _worker_listener, snr_db=snr_db, seed=seed)


def transcribe_all(items: Sequence[Utterance], *, snr_db: float | None, seed: int, jobs: int = 1) -> Iterator[str]:
    """What the recogniser heard for each utterance, in order (the noise of each depends only on its key)."""
    if jobs <= 1:
        listener = Listener()
        for utterance in items:
            yield transcribe(utterance, listener, snr_db=snr_db, seed=seed)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker) as pool:
        yield from pool.map(_worker_transcribe, [(utterance, snr_db, seed) for utterance in items], chunksize=8)
