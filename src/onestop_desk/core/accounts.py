"""Staff account rules, pure: what an account may be called and which password it may use."""

from __future__ import annotations

import re
import unicodedata

#: The demo accounts' shared password: accepted for the demo office only.
DEMO_PASSWORD = "demo1234"

MIN_PASSWORD_LENGTH = 10
MAX_USERNAME_LENGTH = 100  # the staff_user.username column
MAX_PASSWORD_LENGTH = 200  # argon2 takes more, but no person types more at a desk

# ASCII only, after NFKC: full-width letters fold to ASCII first (and meet the account they copy),
# while Cyrillic or Greek look-alikes stay outside the set and are refused.
_USERNAME = re.compile(r"[a-z0-9._-]+")


def normalize_username(text: str) -> str:
    """``text`` as it is stored and looked up: NFKC-normalised, trimmed, lower-cased."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def username_problem(username: str) -> str | None:
    """Why a (normalised) login name cannot be used, in Vietnamese; None when it can."""
    if not username:
        return "Cần nhập tên đăng nhập."
    if len(username) > MAX_USERNAME_LENGTH:
        return f"Tên đăng nhập dài quá {MAX_USERNAME_LENGTH} ký tự."
    if not _USERNAME.fullmatch(username):
        return (
            f"Tên đăng nhập '{username}' không hợp lệ: chỉ dùng chữ cái không dấu (a–z), "
            "chữ số, dấu chấm, gạch dưới hoặc gạch ngang."
        )
    return None


def _classes(password: str) -> int:
    """How many of the four kinds of character (lower, upper, digit, other) ``password`` uses."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


def password_problem(password: str, username: str, *, demo: bool = False) -> str | None:
    """Why ``password`` may not protect the account ``username``, in Vietnamese; None when it may.

    ``demo``: the demo office's accounts, which all use ``DEMO_PASSWORD`` by design.
    """
    if demo and password == DEMO_PASSWORD:
        return None
    if password == DEMO_PASSWORD:
        return "Mật khẩu mẫu 'demo1234' chỉ dùng cho dữ liệu chạy thử, không dùng cho đơn vị thật."
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Mật khẩu dài quá {MAX_PASSWORD_LENGTH} ký tự."
    if _classes(password) < 2:
        return (
            "Mật khẩu không được chỉ gồm một loại ký tự: kết hợp chữ thường, chữ hoa, chữ số "
            "hoặc ký hiệu."
        )
    if normalize_username(password) == normalize_username(username):
        return "Mật khẩu không được trùng với tên đăng nhập."
    return None
