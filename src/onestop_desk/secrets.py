"""Secrets (database password, portal credentials) in the OS keyring, never in files."""

from __future__ import annotations

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.core
import keyring.errors
from sqlalchemy.engine import URL

from onestop_desk.db.engine import parse_url
from onestop_desk.errors import SecretStoreUnavailable

SERVICE = "onestop-desk"


def _usable_backend() -> keyring.backend.KeyringBackend:
    if getattr(keyring.core, "_keyring_backend", None) is None:
        # Nobody chose a backend (set_keyring, PYTHON_KEYRING_BACKEND, keyringrc.cfg): let
        # keyring pick only among those it recommends. Left alone it would take a plaintext
        # file (keyrings.alt, installed with the test tools) when the OS offers no keyring.
        keyring.core.init_backend(limit=keyring.core.recommended)
    backend = keyring.get_keyring()
    if isinstance(backend, keyring.backends.fail.Keyring):
        raise SecretStoreUnavailable(
            "Máy này không có kho mật khẩu của hệ điều hành để lưu mật khẩu an toàn.",
            "Trên Windows dùng Trình quản lý thông tin xác thực (Credential Manager); trên Linux "
            "cài gnome-keyring hoặc KWallet. Chương trình không lưu mật khẩu dạng chữ thường.",
        )
    return backend


def get_secret(name: str) -> str | None:
    """The secret stored under ``name``, or None when there is none."""
    backend = _usable_backend()
    try:
        return backend.get_password(SERVICE, name)
    except keyring.errors.KeyringError as exc:
        raise SecretStoreUnavailable(f"Không đọc được kho mật khẩu: {exc}.") from exc


def set_secret(name: str, value: str) -> None:
    """Store ``value`` under ``name`` in the OS keyring."""
    backend = _usable_backend()
    try:
        backend.set_password(SERVICE, name, value)
    except keyring.errors.KeyringError as exc:
        raise SecretStoreUnavailable(f"Không ghi được vào kho mật khẩu: {exc}.") from exc


def database_secret_name(url: URL) -> str:
    """Keyring entry name for a database login: ``db:user@host:port/database``."""
    return f"db:{url.username}@{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def with_keyring_password(url_text: str) -> URL:
    """Parse a database URL and fill a missing PostgreSQL password from the keyring."""
    url = parse_url(url_text)
    if url.get_backend_name() != "postgresql" or url.password or not url.username:
        return url
    password = get_secret(database_secret_name(url))
    return url.set(password=password) if password else url
