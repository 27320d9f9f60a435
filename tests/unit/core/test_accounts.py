"""Staff account rules: which login names and passwords an office may use."""

from __future__ import annotations

import pytest

from onestop_desk.core.accounts import (
    DEMO_PASSWORD,
    normalize_username,
    password_problem,
    username_problem,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("TiepNhan3 ", "tiepnhan3"),
        ("ａｄｍｉｎ", "admin"),  # full-width letters fold to the account they imitate
        ("nguyen.van-an_2", "nguyen.van-an_2"),
    ],
)
def test_login_names_are_stored_folded(typed: str, stored: str) -> None:
    assert normalize_username(typed) == stored
    assert username_problem(normalize_username(typed)) is None


@pytest.mark.parametrize(
    "name",
    [
        "аdmin",  # the first letter is Cyrillic
        "nguyễn",
        "tiep nhan",
        "a@b",
        "x" * 101,
        "",
    ],
)
def test_look_alikes_spaces_and_diacritics_are_refused(name: str) -> None:
    problem = username_problem(normalize_username(name))
    assert problem is not None
    assert "tên đăng nhập" in problem.lower()


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("Ab1-xyz", "ít nhất 10 ký tự"),
        ("abcdefghijkl", "một loại ký tự"),
        ("1234567890", "một loại ký tự"),
        ("Tiepnhan3x", None),
        ("tiepnhan33", None),
        (DEMO_PASSWORD, "dữ liệu chạy thử"),
        ("x" * 150 + "A" * 51, "dài quá 200"),
    ],
)
def test_password_rules(password: str, says: str | None) -> None:
    problem = password_problem(password, "tiepnhan3")
    if says is None:
        assert problem is None
    else:
        assert problem is not None
        assert says in problem


def test_the_password_may_not_be_the_login_name() -> None:
    assert password_problem("Nguyen.Van.An", "nguyen.van.an") == (
        "Mật khẩu không được trùng với tên đăng nhập."
    )


def test_the_demo_password_is_only_for_the_demo_accounts() -> None:
    assert password_problem(DEMO_PASSWORD, "tiepnhan1", demo=True) is None
    assert password_problem(DEMO_PASSWORD, "tiepnhan1") is not None
