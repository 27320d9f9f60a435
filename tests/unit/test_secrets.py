"""Secrets come from the OS keyring, never from a plaintext fallback."""

from __future__ import annotations

import keyring
import keyring.backend
import keyring.core
import pytest
from keyring.backends.fail import Keyring as FailKeyring
from keyrings.alt.file import PlaintextKeyring

from onestop_desk.errors import SecretStoreUnavailable
from onestop_desk.secrets import get_secret, set_secret, with_keyring_password


@pytest.fixture
def file_keyring() -> PlaintextKeyring:
    backend = PlaintextKeyring()
    keyring.set_keyring(backend)
    return backend


def test_password_missing_from_url_comes_from_the_keyring(file_keyring: PlaintextKeyring) -> None:
    set_secret("db:desk@server.local:5432/onestop", "bí-mật")
    url = with_keyring_password("postgresql://desk@server.local/onestop")
    assert url.password == "bí-mật"
    # A password in the URL wins, and SQLite URLs are left alone.
    assert with_keyring_password("postgresql://desk:khac@server.local/onestop").password == "khac"
    assert with_keyring_password("sqlite:///x.db").password is None


def test_no_keyring_backend_is_a_clear_error_not_a_plaintext_fallback() -> None:
    keyring.set_keyring(FailKeyring())
    with pytest.raises(SecretStoreUnavailable, match="kho mật khẩu"):
        get_secret("anything")
    with pytest.raises(SecretStoreUnavailable):
        with_keyring_password("postgresql://desk@server.local/onestop")
    assert get_secret.__module__ == "onestop_desk.secrets"


def test_unknown_secret_is_none(file_keyring: PlaintextKeyring) -> None:
    assert get_secret("db:nobody@nowhere:5432/none") is None


def test_a_plaintext_file_is_never_picked_by_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    # As on a PC whose OS offers no keyring but where keyrings.alt happens to be installed:
    # nothing chosen explicitly, and the plaintext file the only backend keyring can find.
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setattr(keyring.core, "load_config", lambda: None)
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: [PlaintextKeyring()])
    with pytest.raises(SecretStoreUnavailable, match="kho mật khẩu") as refused:
        set_secret("portal:demo", "bí-mật")
    assert "không lưu mật khẩu dạng chữ thường" in refused.value.user_text()
    assert not isinstance(keyring.get_keyring(), PlaintextKeyring)
