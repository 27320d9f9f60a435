"""The waiting-room voice: queues calls and speaks each in full, from clips or a system voice."""

from __future__ import annotations

import array
import io
import logging
import math
import sys
import wave
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSink, QMediaDevices, QtAudio
from PySide6.QtTextToSpeech import QTextToSpeech

from onestop_desk.config import DisplaySettings, Paths
from onestop_desk.core.speech import (
    announcement_speech,
    announcement_text,
    announcement_tokens,
    clip_ids,
    pauses_after_ms,
)
from onestop_desk.errors import KnownError
from onestop_desk.resources import resource_path

log = logging.getLogger("onestop.gui.voice")

GAP_MS = 1000  # silence between two announcements, so a second call is heard as a new one
MAX_CLIP_SECONDS = 10  # longer than any phrase: a longer file is a wrong file and would stall calls
MIN_RATE, MAX_RATE = 8_000, 192_000
_DRAIN_GUARD_MS = 2_000  # how long to wait for the sound card to play out its buffer
_DRAIN_POLL_MS = 25
_TTS_GUARD_BASE_MS, _TTS_GUARD_PER_CHAR_MS = 5_000, 150  # a speech engine that never says Ready

_FORMAT_HINT = (
    "Hãy xuất lại tệp dưới dạng WAV PCM 16-bit một kênh (mono) theo hướng dẫn trong "
    "resources/sounds/README.md; nếu đó là tệp ghi âm riêng của đơn vị, có thể xoá nó để "
    "dùng lại tệp đi kèm chương trình."
)


def bundled_clips_dir() -> Path:
    """The clips shipped with the program."""
    return resource_path("sounds", "vi")


def custom_clips_dir(paths: Paths) -> Path:
    """Where an office puts its own recordings; each file there replaces the bundled one."""
    return paths.data_dir / "sounds" / "vi"


@dataclass(frozen=True)
class JoinedAnnouncement:
    """One announcement as a single mono 16-bit WAV in memory."""

    wav: bytes
    pcm: bytes
    rate: int

    @property
    def frames(self) -> int:
        return len(self.pcm) // 2

    @property
    def duration_ms(self) -> float:
        return self.frames * 1000 / self.rate


def _native(pcm: array.array[int]) -> array.array[int]:
    # WAV is little-endian; array works in the machine's order.
    if sys.byteorder == "big":
        pcm.byteswap()
    return pcm


def _to_mono16(data: bytes, width: int, channels: int) -> array.array[int]:
    """Integer PCM of any width and channel count as mono 16-bit samples."""
    samples = len(data) // width
    wide = bytearray(samples * 2)
    if width == 1:  # unsigned 8-bit: flip the sign bit, use it as the high byte
        wide[1::2] = bytes(b ^ 0x80 for b in data)
    elif width == 2:
        wide[:] = data[: samples * 2]
    else:  # 24/32-bit little-endian: the two most significant bytes are a 16-bit sample
        wide[0::2] = data[width - 2 :: width]
        wide[1::2] = data[width - 1 :: width]
    pcm = _native(array.array("h", bytes(wide)))
    if channels == 1:
        return pcm
    lanes = [pcm[c::channels] for c in range(channels)]
    return array.array("h", (sum(frame) // channels for frame in zip(*lanes, strict=True)))


def _resample(pcm: array.array[int], source: int, target: int) -> array.array[int]:
    """Linear interpolation; only ever used upwards (see ClipBank.load), where it does not alias."""
    if source == target or not pcm:
        return pcm
    count = max(1, round(len(pcm) * target / source))
    step, last = source / target, len(pcm) - 1
    out = array.array("h", bytes(2 * count))
    for i in range(count):
        pos = i * step
        j = int(pos)
        a, b = pcm[j], pcm[min(j + 1, last)]
        out[i] = int(a + (b - a) * (pos - j))
    return out


def _read_clip(path: Path) -> tuple[array.array[int], int]:
    """A clip as mono 16-bit samples and its sample rate; KnownError if it is not usable."""
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            data = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError, OSError) as exc:
        raise KnownError(
            f"Không đọc được tệp âm thanh {path}: không phải tệp WAV PCM không nén ({exc}).",
            _FORMAT_HINT,
        ) from exc
    if width not in (1, 2, 3, 4) or not MIN_RATE <= rate <= MAX_RATE:
        raise KnownError(
            f"Tệp âm thanh {path} có định dạng không dùng được "
            f"({width * 8}-bit, {rate} Hz, {channels} kênh).",
            _FORMAT_HINT,
        )
    frames = len(data) // (width * channels)
    data = data[: frames * width * channels]  # a truncated file may end mid-frame
    if frames == 0 or frames > MAX_CLIP_SECONDS * rate:
        raise KnownError(
            f"Tệp âm thanh {path} dài {frames / rate:.1f} giây: cần từ 0 đến "
            f"{MAX_CLIP_SECONDS} giây.",
            "Hãy cắt bớt khoảng lặng hoặc ghi âm lại tệp này.",
        )
    return _to_mono16(data, width, channels), rate


class ClipBank:
    """Every clip an announcement can use, checked and brought to one format at load time."""

    def __init__(self, clips: dict[str, array.array[int]], rate: int) -> None:
        self._clips = clips
        self.rate = rate

    @classmethod
    def load(cls, folder: Path, custom: Path | None = None) -> ClipBank:
        """Read all clips (a file in ``custom`` wins); KnownError naming a missing or bad file."""
        paths: dict[str, Path] = {}
        missing: list[Path] = []
        for clip in clip_ids():
            own = custom / f"{clip}.wav" if custom is not None else None
            path = own if own is not None and own.is_file() else folder / f"{clip}.wav"
            if path.is_file():
                paths[clip] = path
            else:
                missing.append(path)
        if missing:
            more = f" và {len(missing) - 3} tệp khác" if len(missing) > 3 else ""
            raise KnownError(
                f"Thiếu tệp âm thanh để đọc số: {', '.join(map(str, missing[:3]))}{more}.",
                "Hãy cài đặt lại chương trình, hoặc ghi âm các tệp này theo hướng dẫn trong "
                "README.md của thư mục resources/sounds.",
            )
        read = {clip: _read_clip(path) for clip, path in paths.items()}
        # The highest rate, so that an office's better recordings are never degraded and the
        # resampler only interpolates upwards.
        rate = max(clip_rate for _, clip_rate in read.values())
        converted = [clip for clip, (_, clip_rate) in read.items() if clip_rate != rate]
        if converted:
            log.info("voice clips at %d Hz; resampling %s", rate, ", ".join(converted))
        if custom is not None and any(path.parent == custom for path in paths.values()):
            log.info("voice clips: using the office's own recordings from %s", custom)
        return cls(
            {clip: _resample(pcm, clip_rate, rate) for clip, (pcm, clip_rate) in read.items()}, rate
        )

    def clip_frames(self, clip: str) -> int:
        """Length of one clip in frames at ``rate``."""
        return len(self._clips[clip])

    def join(self, tokens: Sequence[str]) -> JoinedAnnouncement:
        """The clips in order, with the spoken pauses between them, as one WAV."""
        pcm = array.array("h")
        for clip, pause_ms in zip(tokens, pauses_after_ms(tokens), strict=True):
            pcm.extend(self._clips[clip])
            pcm.frombytes(bytes(2 * round(pause_ms * self.rate / 1000)))
        raw = _native(pcm).tobytes()
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(self.rate)
            wav.writeframes(raw)
        return JoinedAnnouncement(wav=buffer.getvalue(), pcm=raw, rate=self.rate)


def _playable(
    joined: JoinedAnnouncement, device: QAudioDevice
) -> tuple[QAudioFormat, bytes] | None:
    """The announcement in a format the device takes: as is, else at its preferred rate/channels."""
    preferred = device.preferredFormat()
    for rate, channels in (
        (joined.rate, 1),
        (preferred.sampleRate(), 1),
        (preferred.sampleRate(), preferred.channelCount()),
    ):
        fmt = QAudioFormat()
        fmt.setSampleRate(rate)
        fmt.setChannelCount(channels)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        if rate <= 0 or channels <= 0 or not device.isFormatSupported(fmt):
            continue
        pcm = _resample(_native(array.array("h", joined.pcm)), joined.rate, rate)
        if channels > 1:
            pcm = array.array("h", (s for s in pcm for _ in range(channels)))
        return fmt, _native(pcm).tobytes()
    return None


@dataclass(frozen=True)
class _Call:
    text: str
    speech: str
    sound: JoinedAnnouncement | None


class Announcer(QObject):
    """Speaks queued calls one after another; none is cut short, and a recall is one more call."""

    # The on-screen text of the call whose sound begins now.
    sig_started = Signal(str)
    # The text of the call whose sound has fully played (a gap follows before the next one).
    sig_finished = Signal(str)

    def __init__(
        self,
        settings: DisplaySettings | None = None,
        *,
        clips_dir: Path | None = None,
        custom_dir: Path | None = None,
        gap_ms: int = GAP_MS,
        tts_engine: str | None = None,
        tts_locale: QLocale | None = None,
        parent: QObject | None = None,
    ) -> None:
        """Load the voice now, so that a missing clip is a KnownError at start, not mid-call."""
        super().__init__(parent)
        settings = settings or DisplaySettings()
        self._volume = min(100, max(0, settings.volume))
        self._muted = settings.muted
        self._gap_ms = gap_ms
        self._queue: deque[_Call] = deque()
        self._current: _Call | None = None
        self._sink: QAudioSink | None = None
        self._buffer: QBuffer | None = None
        self._drain_polls_left = 0
        self._tts_spoke = False
        self._warned_no_device = False

        self._tts: QTextToSpeech | None = None
        if settings.voice == "system":
            locale = tts_locale or QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)
            self._tts = self._system_voice(tts_engine, locale)
        elif settings.voice != "clips":
            log.warning("unknown display.voice %r; using the clips", settings.voice)
        self._clips = (
            None if self._tts else ClipBank.load(clips_dir or bundled_clips_dir(), custom_dir)
        )

        # Precise timers: a coarse one may fire up to 5 % early, cutting a call or its gap short.
        self._next_timer = QTimer(self)
        self._next_timer.setSingleShot(True)
        self._next_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._next_timer.timeout.connect(self._start_next)
        self._end_timer = QTimer(self)
        self._end_timer.setSingleShot(True)
        self._end_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._end_timer.timeout.connect(self._on_end_timer)

    @property
    def uses_system_voice(self) -> bool:
        """True when a system voice speaks, False when clips are joined."""
        return self._tts is not None

    def announce(self, display: str, counter: int) -> None:
        """Queue a call of ticket ``display`` (A012) to ``counter``; a recall is another call.

        ValueError for a number the voice cannot read (a caller's bug, not the citizen's).
        """
        sound = self._clips.join(announcement_tokens(display, counter)) if self._clips else None
        call = _Call(
            announcement_text(display, counter), announcement_speech(display, counter), sound
        )
        self._queue.append(call)
        log.info("call queued: %s (%d waiting)", call.text, len(self._queue))
        if self._current is None and not self._next_timer.isActive():
            self._next_timer.start(0)

    def pending(self) -> list[str]:
        """Texts of the calls waiting their turn, oldest first."""
        return [call.text for call in self._queue]

    def current(self) -> str | None:
        """Text of the call being spoken now, if any."""
        return self._current.text if self._current else None

    def set_volume(self, volume: int) -> None:
        """Volume 0-100, applied at once, also to a call being spoken."""
        self._volume = min(100, max(0, volume))
        self._apply_volume()

    def set_muted(self, muted: bool) -> None:
        """Muted calls still queue, take their time and signal; they are just not heard."""
        self._muted = muted
        self._apply_volume()

    def _linear_volume(self) -> float:
        if self._muted:
            return 0.0
        # The setting is a loudness slider; the sink wants a linear amplitude factor.
        return float(
            QtAudio.convertVolume(
                self._volume / 100,
                QtAudio.VolumeScale.LogarithmicVolumeScale,
                QtAudio.VolumeScale.LinearVolumeScale,
            )
        )

    def _apply_volume(self) -> None:
        if self._sink is not None:
            self._sink.setVolume(self._linear_volume())
        if self._tts is not None:
            self._tts.setVolume(0.0 if self._muted else self._volume / 100)

    def _system_voice(self, engine: str | None, locale: QLocale) -> QTextToSpeech | None:
        """A speech engine with a voice for ``locale``'s language, or None (then clips speak)."""
        engines = [engine] if engine else QTextToSpeech.availableEngines()
        for name in engines:
            tts = QTextToSpeech(name, self)
            if tts.state() != QTextToSpeech.State.Error:
                locales = [
                    found
                    for found in tts.availableLocales()
                    if found.language() == locale.language()
                ]
                locales.sort(key=lambda found: found.territory() != locale.territory())
                if locales:
                    tts.setLocale(locales[0])
                    voices = [
                        voice
                        for voice in tts.availableVoices()
                        if voice.locale().language() == locale.language()
                    ]
                    if voices:
                        tts.setVoice(voices[0])
                        tts.setVolume(0.0 if self._muted else self._volume / 100)
                        tts.stateChanged.connect(self._on_tts_state)
                        log.info("system voice: %s / %s", name, voices[0].name())
                        return tts
            tts.deleteLater()
        log.warning(
            "no %s system voice (engines tried: %s); using the bundled clips",
            QLocale.languageToString(locale.language()),
            ", ".join(engines) or "none",
        )
        return None

    def _start_next(self) -> None:
        if self._current is not None or not self._queue:
            return
        call = self._current = self._queue.popleft()
        self.sig_started.emit(call.text)
        if self._tts is not None:
            self._tts_spoke = False
            self._end_timer.start(_TTS_GUARD_BASE_MS + _TTS_GUARD_PER_CHAR_MS * len(call.speech))
            self._tts.say(call.speech)
            return
        assert call.sound is not None
        self._play(call.sound)
        # The known length of the sound decides when the call ends, with or without a sound card.
        self._end_timer.start(math.ceil(call.sound.duration_ms))

    def _play(self, sound: JoinedAnnouncement) -> None:
        if self._muted:
            return
        device = QMediaDevices.defaultAudioOutput()
        if device.isNull():
            if not self._warned_no_device:
                log.warning("no audio output device: calls are shown but not heard")
                self._warned_no_device = True
            return
        playable = _playable(sound, device)
        if playable is None:
            log.warning("audio device %s takes no 16-bit PCM format", device.description())
            return
        fmt, data = playable
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(data))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._sink = QAudioSink(device, fmt, self)
        self._sink.setVolume(self._linear_volume())
        self._sink.start(self._buffer)

    def _on_end_timer(self) -> None:
        if self._tts is not None:
            log.warning("system voice did not finish in time; going on with the next call")
            self._tts.stop()  # may already end the call through _on_tts_state
            if self._current is not None:
                self._finish()
            return
        if self._sink is not None and self._sink.state() == QtAudio.State.ActiveState:
            # The device starts late and still plays out its buffer: let it, rather than clip the
            # last word. Polled, because PySide cannot deliver QAudioSink.stateChanged to Python.
            if self._drain_polls_left == 0:
                self._drain_polls_left = _DRAIN_GUARD_MS // _DRAIN_POLL_MS
            self._drain_polls_left -= 1
            if self._drain_polls_left > 0:
                self._end_timer.start(_DRAIN_POLL_MS)
                return
            log.warning("audio device still busy %d ms after a call; going on", _DRAIN_GUARD_MS)
        self._finish()

    def _on_tts_state(self, state: QTextToSpeech.State) -> None:
        if self._current is None:
            return
        if state == QTextToSpeech.State.Speaking:
            self._tts_spoke = True
        elif state == QTextToSpeech.State.Error or (
            state == QTextToSpeech.State.Ready and self._tts_spoke
        ):
            if state == QTextToSpeech.State.Error and self._tts is not None:
                log.warning("system voice failed: %s", self._tts.errorString())
            self._end_timer.stop()
            self._finish()

    def _finish(self) -> None:
        call, self._current = self._current, None
        self._drain_polls_left = 0
        if self._sink is not None:
            self._sink.stop()
            self._sink.deleteLater()
            self._sink = None
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.deleteLater()
            self._buffer = None
        if call is not None:
            self.sig_finished.emit(call.text)
        # Always wait the gap, also for a call that arrives just after this one ended.
        self._next_timer.start(self._gap_ms)
