"""Makes the bundled voice clips in resources/sounds/vi: espeak-ng words and a synthesised chime.

Run once from the checkout (``.venv/bin/python installer/make_voice_clips.py``) after changing the
words in ``onestop_desk.core.speech``; the WAV files it writes are committed. Needs ``espeak-ng``
(with its Vietnamese voice) and ``sox`` on PATH. The output is deterministic.
"""

from __future__ import annotations

import argparse
import array
import math
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from onestop_desk.core.speech import CHIME, clip_words  # noqa: E402 - after the path fix above

# espeak-ng puts under 1 % of its energy above 5.5 kHz, so half its 22 050 Hz loses nothing
# audible and keeps the whole set to a few hundred KB.
RATE = 11_025
VOICE = "vi"  # Northern Vietnamese, the form most offices expect from an announcer
SPEED = 145  # words per minute; espeak's 175 is hurried in a noisy waiting room
PITCH = 40  # a little lower than espeak's 50 sounds less shrill on small speakers
WORD_GAP = 1  # tens of ms between words inside one phrase, so the phrase does not blur
PEAK = 0.71  # -3 dBFS: loud, with headroom for the joiner
CHIME_PEAK = 0.56  # -5 dBFS: the chime should not startle
SILENCE_DB = -38.0  # below this (relative to the clip's peak) counts as silence when trimming
LEAD_MS, TAIL_MS = 10, 30  # kept around the sound: consonant onsets and tone tails are quiet
FADE_IN_MS, FADE_OUT_MS = 4, 20  # avoid clicks where the trim cut

# What espeak-ng is given where the written name would be misread: it takes "gi" for the start
# of a syllable and says nothing; Northern "gi" and "di" sound the same.
ESPEAK_TEXT = {"letter_j": "di"}


def _espeak(text: str, folder: Path) -> Path:
    raw, resampled = folder / "raw.wav", folder / "resampled.wav"
    speak = ["espeak-ng", "-v", VOICE, "-s", str(SPEED), "-p", str(PITCH), "-g", str(WORD_GAP)]
    subprocess.run([*speak, "-w", str(raw), text], check=True)
    # sox: high-quality resampler, -G guards clipping, -R seeds dither (same bytes each run).
    convert = ["sox", "-R", "-G", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(resampled)]
    subprocess.run([*convert, "rate", "-v"], check=True)
    return resampled


def _read_samples(path: Path) -> list[float]:
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, RATE)
        pcm = array.array("h", wav.readframes(wav.getnframes()))
    if sys.byteorder == "big":
        pcm.byteswap()
    return [s / 32768 for s in pcm]


def _trim(samples: list[float]) -> list[float]:
    """Cut the silence at both ends, keeping short margins, and fade the cut edges."""
    window = RATE // 200  # 5 ms
    peak = max(abs(s) for s in samples)
    threshold = peak * 10 ** (SILENCE_DB / 20)
    loud = [
        i
        for i in range(0, len(samples), window)
        if max(abs(s) for s in samples[i : i + window]) > threshold
    ]
    start = max(0, loud[0] - LEAD_MS * RATE // 1000)
    end = min(len(samples), loud[-1] + window + TAIL_MS * RATE // 1000)
    out = samples[start:end]
    fade_in, fade_out = FADE_IN_MS * RATE // 1000, FADE_OUT_MS * RATE // 1000
    for i in range(fade_in):
        out[i] *= i / fade_in
    for i in range(fade_out):
        out[-1 - i] *= i / fade_out
    return out


def _normalise(samples: list[float], peak: float) -> list[float]:
    gain = peak / max(abs(s) for s in samples)
    return [s * gain for s in samples]


def _chime() -> list[float]:
    """A two-note ding-dong (E5 then C5) with bell-like partials, about 0.8 s."""
    length = int(0.8 * RATE)
    out = [0.0] * length
    # (start s, fundamental Hz, decay time constant s); partials at 2x and 3x ring shorter.
    for start, freq, tau in ((0.0, 659.25, 0.22), (0.30, 523.25, 0.20)):
        first = int(start * RATE)
        for i in range(length - first):
            t = i / RATE
            attack = min(1.0, t / 0.004)
            tone = (
                math.sin(2 * math.pi * freq * t) * math.exp(-t / tau)
                + 0.35 * math.sin(2 * math.pi * 2 * freq * t) * math.exp(-t / (tau * 0.5))
                + 0.12 * math.sin(2 * math.pi * 3 * freq * t) * math.exp(-t / (tau * 0.3))
            )
            out[first + i] += attack * tone
    fade = int(0.06 * RATE)
    for i in range(fade):
        out[-1 - i] *= i / fade
    return _normalise(out, CHIME_PEAK)


def _write(path: Path, samples: list[float]) -> None:
    pcm = array.array("h", (max(-32768, min(32767, round(s * 32767))) for s in samples))
    if sys.byteorder == "big":
        pcm.byteswap()
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pcm.tobytes())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "sounds" / "vi")
    args = parser.parse_args()
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        print(f"needs {' and '.join(missing)} on PATH (apt-get install espeak-ng sox)")
        return 1
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    _write(out / f"{CHIME}.wav", _chime())
    with tempfile.TemporaryDirectory() as tmp:
        for clip, words in clip_words().items():
            text = ESPEAK_TEXT.get(clip, words.replace("-", " "))
            samples = _read_samples(_espeak(text, Path(tmp)))
            _write(out / f"{clip}.wav", _normalise(_trim(samples), PEAK))
    total = 0
    for path in sorted(out.glob("*.wav")):
        with wave.open(str(path), "rb") as wav:
            seconds = wav.getnframes() / wav.getframerate()
        total += path.stat().st_size
        print(f"{path.name:40} {seconds:5.2f} s")
    print(f"{total / 1024:.0f} KiB in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
