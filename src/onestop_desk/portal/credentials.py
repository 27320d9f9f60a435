"""Where the portal connection comes from: the address in settings, the secret in the keyring."""

from __future__ import annotations

import copy
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from onestop_desk.config import Paths, PortalSettings, Settings, save_settings
from onestop_desk.errors import InputError, KnownError
from onestop_desk.portal.client import PortalAuthError, PortalUnavailable
from onestop_desk.portal.http import HttpPortalClient
from onestop_desk.secrets import get_secret, set_secret

_LOGIN_HINT = (
    "Chạy onestop-desk portal login --url ĐỊA_CHỈ --client-id MÃ_ỨNG_DỤNG --secret-stdin "
    "(khoá bí mật do đơn vị quản lý hệ thống dịch vụ công cấp)."
)


class PortalNotConfigured(KnownError):
    """No portal address, application id or secret on this PC yet."""


def secret_name(url: str, client_id: str) -> str:
    """Keyring entry of a portal client secret: one per address and application id."""
    return f"portal:{client_id}@{url.rstrip('/')}"


def check_portal_url(url: str) -> str:
    """The address cleaned up, or InputError: https, or plain http only to this very PC.

    Plain http to another machine would carry the client secret and citizens' data unencrypted;
    the simulator on 127.0.0.1 (training, tests) is the one exception.
    """
    cleaned = url.strip().rstrip("/")
    parts = urlsplit(cleaned)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"Địa chỉ hệ thống dịch vụ công '{url}' không hợp lệ.",
            "Dạng đúng: https://TÊN_MÁY_CHỦ hoặc https://TÊN_MÁY_CHỦ:CỔNG.",
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise InputError(
            f"Địa chỉ {cleaned} không mã hoá (http): khoá bí mật và dữ liệu công dân sẽ đi qua "
            "mạng dạng chữ thường.",
            "Dùng địa chỉ https:// do đơn vị quản lý hệ thống cấp. Chỉ máy chủ giả lập chạy "
            "trên chính máy này (127.0.0.1) mới dùng http.",
        )
    return cleaned


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_configured(settings: Settings) -> bool:
    """True when this PC has a portal address and application id (the secret is checked later)."""
    return bool(settings.portal.url and settings.portal.client_id)


def client_from_settings(settings: Settings) -> HttpPortalClient:
    """The HTTP client for the configured portal; PortalNotConfigured when set-up is missing."""
    portal: PortalSettings = settings.portal
    if not is_configured(settings):
        raise PortalNotConfigured(
            "Chưa khai báo kết nối hệ thống dịch vụ công: chạy onestop-desk portal login …",
            _LOGIN_HINT,
        )
    url = check_portal_url(portal.url)
    secret = get_secret(secret_name(url, portal.client_id))
    if not secret:
        raise PortalNotConfigured(
            "Chưa khai báo kết nối hệ thống dịch vụ công: chạy onestop-desk portal login … "
            f"(kho mật khẩu của máy này không có khoá bí mật của ứng dụng '{portal.client_id}').",
            _LOGIN_HINT,
        )
    return HttpPortalClient(url, portal.client_id, secret, timeout=max(1.0, portal.timeout_s))


def store_login(settings: Settings, url: str, client_id: str, secret: str) -> None:
    """Remember a checked login: secret into the keyring, address and id into ``settings``.

    The caller saves the settings file afterwards (the secret goes first: a settings file that
    points at a secret the keyring lacks would only give a confusing error later).
    """
    set_secret(secret_name(url, client_id), secret)
    settings.portal.url = url
    settings.portal.client_id = client_id


@dataclass(frozen=True)
class PortalLogin:
    """A portal address and application id, cleaned up and checked."""

    url: str
    client_id: str


def check_login_input(url: str, client_id: str) -> PortalLogin:
    """The address and application id as they will be stored, or InputError."""
    cleaned = check_portal_url(url)
    client_id = client_id.strip()
    if not client_id:
        raise InputError(
            "Mã ứng dụng không được để trống.",
            "Nhập mã ứng dụng do đơn vị quản lý hệ thống dịch vụ công cấp.",
        )
    return PortalLogin(cleaned, client_id)


def login(paths: Paths, settings: Settings, url: str, client_id: str, secret: str) -> PortalLogin:
    """Check a login against the portal, then store it (``portal login`` and the admin screen).

    Nothing is stored when the portal refuses or cannot be reached; ``settings`` changes only
    once the file is written.
    """
    target = check_login_input(url, client_id)
    if not secret.strip():
        raise InputError(
            "Chưa nhập khoá bí mật.", "Nhập khoá bí mật do đơn vị quản lý hệ thống cấp."
        )
    timeout = max(1.0, settings.portal.timeout_s)
    with HttpPortalClient(target.url, target.client_id, secret, timeout=timeout) as client:
        try:
            client.check_credentials()
        except PortalAuthError as exc:
            raise PortalAuthError(
                f"{exc.message} Chưa lưu gì.",
                "Kiểm tra lại mã ứng dụng và khoá bí mật do đơn vị quản lý hệ thống cấp.",
            ) from None
        except PortalUnavailable as exc:
            raise PortalUnavailable(
                f"{exc.message} Chưa kiểm tra được thông tin đăng nhập nên chưa lưu gì.",
                "Kiểm tra địa chỉ và kết nối mạng rồi thử lại.",
            ) from None
    updated = copy.deepcopy(settings)
    store_login(updated, target.url, target.client_id, secret)
    save_settings(paths, updated)
    # One reference swap: a reader on another thread sees the old pair or the new, never a mix.
    settings.portal = updated.portal
    return target
