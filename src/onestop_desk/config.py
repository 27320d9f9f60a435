"""Per-PC settings: one typed, versioned schema with its defaults here, stored as TOML."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

import platformdirs
import tomli_w

from onestop_desk.errors import InputError

APP_NAME = "OneStopDesk"
SETTINGS_VERSION = 1
DB_URL_ENV = "ONESTOP_DB_URL"


@dataclass
class DatabaseSettings:
    """Where the shared database lives; empty means the embedded SQLite file."""

    url: str = ""


@dataclass
class OfficeSettings:
    """Which office (commune/ward) this PC works for; 0 means the only or first one."""

    ward_code: int = 0
    counter_number: int = 0


@dataclass
class PrinterSettings:
    """The thermal printers of this PC: the kiosk's tickets and the counter's appointment slips."""

    ticket_url: str = "preview"
    width_dots: int = 576
    slip_url: str = "preview"


@dataclass
class ScannerSettings:
    """The counter's 2D scanner in serial mode (``COM3``, ``/dev/ttyACM0``); empty: keyboard."""

    port: str = ""


@dataclass
class DisplaySettings:
    """The waiting-room display's voice: bundled clips or a system voice, volume 0-100."""

    voice: str = "clips"
    volume: int = 80
    muted: bool = False


@dataclass
class PortalSettings:
    """The online public-service system this office submits to (docs/portal-api.md).

    Empty ``url`` means not configured: dossiers wait in the outbox. The client secret is in
    the OS keyring (``onestop-desk portal login``), never here.
    """

    url: str = ""
    client_id: str = ""
    timeout_s: float = 15.0
    #: Failed attempts (portal down, timeouts) before a submission is marked failed for staff.
    max_attempts: int = 8
    #: Submissions one worker claims per pass; small so several PCs share the work.
    batch_size: int = 20
    #: Seconds between passes of the outbox and status sync when there is nothing to do.
    poll_interval_s: float = 30.0
    #: How long a claimed submission stays reserved for its worker; a crashed worker's rows
    #: are taken over once it runs out. Renewed after every request, so it only has to cover one.
    lease_s: float = 120.0
    #: Exponential backoff after a failed attempt: first wait up to base, at most cap.
    retry_base_s: float = 5.0
    retry_cap_s: float = 900.0


@dataclass
class LogSettings:
    """Log verbosity of the rotating log files."""

    level: str = "INFO"


@dataclass
class Settings:
    """Everything a PC remembers between runs (secrets excepted: they live in the keyring)."""

    version: int = SETTINGS_VERSION
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    office: OfficeSettings = field(default_factory=OfficeSettings)
    printer: PrinterSettings = field(default_factory=PrinterSettings)
    scanner: ScannerSettings = field(default_factory=ScannerSettings)
    display: DisplaySettings = field(default_factory=DisplaySettings)
    portal: PortalSettings = field(default_factory=PortalSettings)
    log: LogSettings = field(default_factory=LogSettings)


@dataclass(frozen=True)
class Paths:
    """The folders the program writes to; one ``--data-dir`` overrides them all."""

    config_dir: Path
    data_dir: Path
    log_dir: Path

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.toml"

    @property
    def default_database_file(self) -> Path:
        return self.data_dir / "onestop.sqlite3"

    @property
    def papers_dir(self) -> Path:
        """Where the counter writes the .docx/.pdf papers it prints (one folder per dossier)."""
        return self.data_dir / "papers"

    def ensure(self) -> None:
        """Create the folders if they do not exist yet."""
        for folder in (self.config_dir, self.data_dir, self.log_dir):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(
                    f"Không tạo được thư mục {folder}: {exc.strerror or exc}.",
                    "Chọn thư mục khác bằng --data-dir, hoặc kiểm tra quyền ghi và chỗ trống.",
                ) from exc


def resolve_paths(data_dir: Path | None = None) -> Paths:
    """Platform folders (``platformdirs``), or sub-folders of ``data_dir`` when given."""
    if data_dir is not None:
        base = data_dir.expanduser().resolve()
        return Paths(config_dir=base / "config", data_dir=base / "data", log_dir=base / "logs")
    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    return Paths(
        config_dir=Path(dirs.user_config_dir),
        data_dir=Path(dirs.user_data_dir),
        log_dir=Path(dirs.user_log_dir),
    )


def _from_mapping(cls: type[Any], data: dict[str, Any], where: str) -> Any:
    """Build dataclass ``cls`` from TOML data, checking keys and types."""
    hints = get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in hints:
            raise InputError(
                f"Tệp cài đặt có mục lạ: [{where}] {key}.",
                "Xoá hoặc sửa mục đó rồi mở lại chương trình.",
            )
        expected = hints[key]
        name = f"{where}.{key}" if where else key
        if dataclasses.is_dataclass(expected):
            if not isinstance(value, dict):
                raise InputError(f"Mục [{name}] trong tệp cài đặt phải là một bảng.")
            kwargs[key] = _from_mapping(expected, value, name)  # type: ignore[arg-type]
        elif expected is float and isinstance(value, int) and not isinstance(value, bool):
            kwargs[key] = float(value)  # ``timeout_s = 10`` means 10.0 to anyone writing TOML
        elif not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise InputError(
                f"Giá trị của {name} trong tệp cài đặt không hợp lệ: {value!r}.",
                f"Cần một giá trị kiểu {_type_label(expected)}.",
            )
        else:
            kwargs[key] = value
    return cls(**kwargs)


def _type_label(tp: Any) -> str:
    labels = {str: "chuỗi ký tự", int: "số nguyên", float: "số", bool: "true hoặc false"}
    return labels.get(tp, str(tp))


def load_settings(paths: Paths) -> Settings:
    """Read the settings file; a missing file gives the defaults."""
    path = paths.settings_file
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            f"Tệp cài đặt {path} bị hỏng: {exc}.",
            "Sửa tệp hoặc xoá nó để dùng cài đặt mặc định.",
        ) from exc
    version = data.get("version", SETTINGS_VERSION)
    if not isinstance(version, int) or version > SETTINGS_VERSION:
        raise InputError(
            f"Tệp cài đặt {path} thuộc phiên bản chương trình mới hơn (phiên bản {version}).",
            "Hãy cập nhật OneStop Desk lên phiên bản mới nhất.",
        )
    data["version"] = SETTINGS_VERSION
    settings: Settings = _from_mapping(Settings, data, "")
    return settings


def save_settings(paths: Paths, settings: Settings) -> None:
    """Write the settings file atomically (a power cut never leaves half a file)."""
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    target = paths.settings_file
    tmp = target.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps(dataclasses.asdict(settings)), encoding="utf-8")
    os.replace(tmp, target)


def database_url(paths: Paths, settings: Settings, override: str | None = None) -> str:
    """The database URL by precedence: ``--db``, ``ONESTOP_DB_URL``, settings, embedded SQLite."""
    for candidate in (override, os.environ.get(DB_URL_ENV), settings.database.url):
        if candidate:
            return candidate
    return f"sqlite:///{paths.default_database_file.as_posix()}"
