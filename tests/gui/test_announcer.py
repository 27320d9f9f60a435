"""The waiting-room voice: calls queue and play whole, in order; clips load or fail at start."""

from __future__ import annotations

import array
import io
import logging
import math
import struct
import time
import wave
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QTimer
from pytestqt.qtbot import QtBot

from onestop_desk.config import DisplaySettings
from onestop_desk.core.speech import (
    announcement_text,
    announcement_tokens,
    clip_ids,
    pauses_after_ms,
)
from onestop_desk.errors import KnownError
from onestop_desk.gui.display.announcer import Announcer, ClipBank, bundled_clips_dir

pytestmark = [
    pytest.mark.gui,
    # Qt Multimedia looking for sound libraries and a sound server on a test machine without them.
    pytest.mark.qt_log_ignore(
        r"^Couldn't (load|resolve) .+ (library|symbols)$",
        r"^PulseAudioService: pa_context_connect\(\) failed",
    ),
]

GAP_MS = 60  # a short gap keeps the test quick; the clips and their durations are real


def tone(seconds: float, rate: int = 8000) -> list[int]:
    """A 440 Hz tone as 16-bit sample values."""
    return [
        round(12000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(round(seconds * rate))
    ]


def write_wav(
    path: Path, seconds: float, *, rate: int = 8000, channels: int = 1, width: int = 2
) -> None:
    """A tone of ``seconds`` as integer PCM of ``width`` bytes (never silent)."""
    encode = {
        1: lambda s: bytes([(s >> 8) + 128]),
        2: lambda s: struct.pack("<h", s),
        3: lambda s: struct.pack("<i", s << 8)[:3],
        4: lambda s: struct.pack("<i", s << 16),
    }[width]
    data = b"".join(encode(s) * channels for s in tone(seconds, rate))
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(data)


@pytest.fixture
def short_clips(tmp_path: Path) -> Path:
    """A full set of real, short clips (30-70 ms), so that a call lasts about a second."""
    folder = tmp_path / "clips"
    folder.mkdir()
    for i, clip in enumerate(clip_ids()):
        write_wav(folder / f"{clip}.wav", 0.03 + 0.01 * (i % 5))
    return folder


class Recorder:
    """Signals of an announcer with the time they came, and the queue as it stood then."""

    def __init__(self, announcer: Announcer) -> None:
        self.events: list[tuple[str, str, float, list[str], str | None]] = []
        self._announcer = announcer
        announcer.sig_started.connect(lambda text: self._record("started", text))
        announcer.sig_finished.connect(lambda text: self._record("finished", text))

    def _record(self, kind: str, text: str) -> None:
        a = self._announcer
        self.events.append((kind, text, time.monotonic(), a.pending(), a.current()))

    def count(self, kind: str) -> int:
        return sum(1 for event in self.events if event[0] == kind)


def test_calls_play_in_order_whole_and_a_recall_repeats(qtbot: QtBot, short_clips: Path) -> None:
    announcer = Announcer(clips_dir=short_clips, gap_ms=GAP_MS)
    recorder = Recorder(announcer)
    bank = ClipBank.load(short_clips)
    calls = [("A012", 3), ("B005", 1), ("A012", 3)]  # the third is the counter's recall
    texts = [announcement_text(*call) for call in calls]
    durations = [bank.join(announcement_tokens(*call)).duration_ms / 1000 for call in calls]
    during_first: list[tuple[str | None, list[str]]] = []

    def recall_while_the_first_call_plays() -> None:
        announcer.announce(*calls[2])
        during_first.append((announcer.current(), announcer.pending()))

    announcer.announce(*calls[0])
    announcer.announce(*calls[1])
    assert announcer.pending() == texts[:2]
    assert announcer.current() is None
    QTimer.singleShot(int(durations[0] * 500), recall_while_the_first_call_plays)

    qtbot.waitUntil(lambda: recorder.count("finished") == 3, timeout=10_000)
    assert during_first == [(texts[0], texts[1:])]
    kinds = [(kind, text) for kind, text, *_ in recorder.events]
    assert kinds == [
        ("started", texts[0]),
        ("finished", texts[0]),
        ("started", texts[1]),
        ("finished", texts[1]),
        ("started", texts[2]),
        ("finished", texts[2]),
    ]
    starts = [event for event in recorder.events if event[0] == "started"]
    ends = [event for event in recorder.events if event[0] == "finished"]
    # While a call plays it is current and the others wait, in order.
    assert [(s[4], s[3]) for s in starts] == [
        (texts[0], texts[1:2]),
        (texts[1], texts[2:]),
        (texts[2], []),
    ]
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        assert end[2] - start[2] >= durations[i], "a call ended before its sound did"
        if i:
            assert start[2] - ends[i - 1][2] >= GAP_MS / 1000, "calls ran together"
    assert announcer.current() is None
    assert announcer.pending() == []


def test_muted_calls_still_queue_take_their_time_and_signal(
    qtbot: QtBot, short_clips: Path
) -> None:
    announcer = Announcer(DisplaySettings(muted=True), clips_dir=short_clips, gap_ms=GAP_MS)
    recorder = Recorder(announcer)
    duration = ClipBank.load(short_clips).join(announcement_tokens("C007", 2)).duration_ms / 1000
    announcer.announce("C007", 2)
    announcer.set_volume(30)
    with qtbot.waitSignal(announcer.sig_finished, timeout=5000) as finished:
        pass
    assert finished.args == ["Xin mời công dân có số thứ tự C007 đến quầy số 2"]
    (_, _, started_at, *_), (_, _, finished_at, *_) = recorder.events
    assert finished_at - started_at >= duration
    announcer.set_muted(False)
    assert announcer.current() is None


def test_joined_wav_is_the_bundled_clips_and_pauses_in_order() -> None:
    bank = ClipBank.load(bundled_clips_dir())
    tokens = announcement_tokens("A012", 3)
    joined = bank.join(tokens)
    clips = {}
    for clip in set(tokens):
        with wave.open(str(bundled_clips_dir() / f"{clip}.wav"), "rb") as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, bank.rate)
            clips[clip] = wav.readframes(wav.getnframes())
    with wave.open(str(bundled_clips_dir() / "chime.wav"), "rb") as wav:
        assert 0.6 <= wav.getnframes() / wav.getframerate() <= 1.0

    pause_frames = [round(ms * bank.rate / 1000) for ms in pauses_after_ms(tokens)]
    expected = b"".join(clips[c] + bytes(2 * p) for c, p in zip(tokens, pause_frames, strict=True))
    assert joined.pcm == expected
    with wave.open(io.BytesIO(joined.wav), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, bank.rate)
        assert wav.getnframes() == sum(len(c) // 2 for c in map(clips.get, tokens)) + sum(
            pause_frames
        )
        assert wav.readframes(wav.getnframes()) == joined.pcm
    assert joined.duration_ms == pytest.approx(wav.getnframes() * 1000 / bank.rate)
    assert 5_000 < joined.duration_ms < 10_000


def test_every_bundled_clip_is_uniform_and_not_silent() -> None:
    total = 0
    for clip in clip_ids():
        path = bundled_clips_dir() / f"{clip}.wav"
        total += path.stat().st_size
        with wave.open(str(path), "rb") as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 11025)
            pcm = array.array("h", wav.readframes(wav.getnframes()))
        rms = math.sqrt(sum(s * s for s in pcm) / len(pcm)) / 32768
        assert rms > 0.02, f"{clip}.wav is nearly silent"
        # Trimmed: neither end holds more than a few tens of ms of near silence.
        assert max(abs(s) for s in pcm[: 11025 // 20]) > 300, f"{clip}.wav starts with silence"
    assert total < 600_000


def test_missing_clip_is_a_known_error_naming_the_file(short_clips: Path) -> None:
    (short_clips / "letter_q.wav").unlink()
    with pytest.raises(KnownError, match=r"Thiếu tệp âm thanh .*letter_q\.wav"):
        Announcer(clips_dir=short_clips)


def test_office_recordings_in_another_format_are_converted(
    tmp_path: Path, short_clips: Path
) -> None:
    own = tmp_path / "own"
    own.mkdir()
    write_wav(own / "xin_moi_cong_dan_co_so_thu_tu.wav", 1.5, rate=16000, channels=2, width=3)
    bank = ClipBank.load(short_clips, own)
    assert bank.rate == 16000
    assert bank.clip_frames("xin_moi_cong_dan_co_so_thu_tu") == 24000
    # A bundled clip of 30 ms at 8 kHz keeps its length at the new rate.
    assert bank.clip_frames("chime") == 480
    joined = bank.join(announcement_tokens("A012", 3))
    assert joined.rate == 16000
    phrase = array.array("h", joined.pcm[2 * 480 + 2 * 16 * 350 :][: 2 * 24000])
    assert list(phrase) == tone(1.5, 16000)


@pytest.mark.parametrize(("width", "tolerance"), [(1, 256), (2, 0), (3, 0), (4, 0)])
@pytest.mark.parametrize("channels", [1, 2])
def test_every_pcm_width_and_channel_count_becomes_mono_16_bit(
    tmp_path: Path, short_clips: Path, width: int, tolerance: int, channels: int
) -> None:
    own = tmp_path / "own"
    own.mkdir()
    write_wav(own / "chime.wav", 0.05, channels=channels, width=width)
    bank = ClipBank.load(short_clips, own)
    assert bank.rate == 8000
    chime = array.array("h", bank.join(["chime"]).pcm)
    assert len(chime) == 400
    assert all(abs(a - b) <= tolerance for a, b in zip(chime, tone(0.05), strict=True))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"ID3 this is an mp3 renamed to wav", "Không đọc được tệp âm thanh"),
        (None, "dài 0.0 giây"),
    ],
)
def test_unusable_recording_is_refused_at_load(
    tmp_path: Path, short_clips: Path, content: bytes | None, message: str
) -> None:
    own = tmp_path / "own"
    own.mkdir()
    path = own / "den_quay_so.wav"
    if content is None:
        write_wav(path, 0)
    else:
        path.write_bytes(content)
    with pytest.raises(KnownError, match=message) as caught:
        Announcer(clips_dir=short_clips, custom_dir=own)
    assert str(path) in str(caught.value)
    assert caught.value.hint


def _mock_engine_available() -> bool:
    from PySide6.QtTextToSpeech import QTextToSpeech

    return "mock" in QTextToSpeech.availableEngines()


needs_mock_engine = pytest.mark.skipif(
    not _mock_engine_available(), reason="Qt's mock speech engine is not installed"
)


@needs_mock_engine
def test_system_voice_without_vietnamese_falls_back_to_clips(
    qtbot: QtBot, short_clips: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="onestop.gui.voice"):
        announcer = Announcer(
            DisplaySettings(voice="system"), clips_dir=short_clips, tts_engine="mock", gap_ms=0
        )
    assert not announcer.uses_system_voice
    assert "no Vietnamese system voice" in caplog.text
    with qtbot.waitSignal(announcer.sig_finished, timeout=5000):
        announcer.announce("A001", 1)


@needs_mock_engine
def test_system_voice_speaks_calls_one_after_another(qtbot: QtBot, tmp_path: Path) -> None:
    # Qt's mock engine has no Vietnamese voice; a Finnish one stands in for it. No clips are
    # needed when the system voice speaks: the folder is empty.
    announcer = Announcer(
        DisplaySettings(voice="system", volume=50),
        clips_dir=tmp_path,
        tts_engine="mock",
        tts_locale=QLocale("fi_FI"),
        gap_ms=GAP_MS,
    )
    assert announcer.uses_system_voice
    recorder = Recorder(announcer)
    announcer.announce("A012", 3)
    announcer.announce("A012", 3)
    with qtbot.waitSignal(announcer.sig_finished, timeout=20_000):
        pass
    assert announcer.current() is None
    assert announcer.pending() == [announcement_text("A012", 3)]
    with qtbot.waitSignal(announcer.sig_started, timeout=5000):
        pass
    kinds = [kind for kind, *_ in recorder.events]
    assert kinds == ["started", "finished", "started"]
    # The engine spoke for a while: the call ended on its Ready, not at once.
    assert recorder.events[1][2] - recorder.events[0][2] > 0.2
