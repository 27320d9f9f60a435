"""The "print" block of a form definition: what the printed declaration says beyond its fields."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from onestop_desk.core.forms import FormDefinitionError, PrintLayout, Signer, parse_form

FORMS_DIR = Path(__file__).resolve().parents[3] / "resources" / "forms"


def load(form_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FORMS_DIR / f"{form_id}.json").read_text("utf-8"))
    return data


def test_the_birth_form_asks_for_registration_after_the_requester() -> None:
    layout = parse_form(load("birth_registration")).print_layout
    assert layout is not None
    assert layout.intro == "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:"
    assert layout.intro_after == "requester"
    assert layout.undertaking is not None
    assert layout.undertaking.startswith("Tôi cam đoan nội dung đề nghị đăng ký khai sinh")
    assert layout.signers == (Signer("Người yêu cầu", "requester.full_name"),)
    assert layout.columns is None


def test_the_marriage_form_sets_the_parties_side_by_side_and_both_sign() -> None:
    layout = parse_form(load("marriage_registration")).print_layout
    assert layout is not None
    assert layout.columns == ("bride", "groom")
    assert layout.signers == (
        Signer("Bên nữ", "bride.full_name"),
        Signer("Bên nam", "groom.full_name"),
    )
    assert layout.undertaking is not None
    assert layout.undertaking.startswith("Chúng tôi cam đoan")


def test_a_form_without_the_block_has_no_layout_and_an_empty_block_changes_nothing() -> None:
    data = load("death_registration")
    del data["print"]
    assert parse_form(data).print_layout is None
    data["print"] = {}
    assert parse_form(data).print_layout == PrintLayout()


def _broken(form_id: str, block: object) -> dict[str, Any]:
    data = copy.deepcopy(load(form_id))
    data["print"] = block
    return data


@pytest.mark.parametrize(
    ("form_id", "block", "message"),
    [
        ("birth_registration", ["intro"], "phải là đối tượng JSON"),
        ("birth_registration", {"intro": "Đề nghị…", "after": "child"}, 'không nhận khóa "after"'),
        ("birth_registration", {"intro": ""}, '"intro" phải là chuỗi ký tự không rỗng'),
        ("birth_registration", {"undertaking": 5}, '"undertaking" phải là chuỗi ký tự'),
        (
            "birth_registration",
            {"intro": "Đề nghị…", "intro_after": "baby"},
            '"intro_after" phải là mã một phần của biểu mẫu (recipient, requester, child, '
            'mother, father), không phải "baby"',
        ),
        ("birth_registration", {"intro_after": "requester"}, 'thì phải có "intro"'),
        ("birth_registration", {"signers": []}, "ít nhất một người ký"),
        ("birth_registration", {"signers": {"title": "Người yêu cầu"}}, "phải là danh sách"),
        (
            "birth_registration",
            {"signers": [{"name_from": "requester.full_name"}]},
            'signers[0]: thiếu khóa "title"',
        ),
        (
            "birth_registration",
            {"signers": [{"title": "Người yêu cầu", "name_from": "requester.name"}]},
            '"name_from" phải là mã đầy đủ của một trường trong biểu mẫu '
            '(như "requester.full_name"), không phải "requester.name"',
        ),
        (
            "marriage_registration",
            {"signers": [{"title": "Bên nữ", "name_from": "full_name"}]},
            'không phải "full_name"',
        ),
        ("marriage_registration", {"columns": ["bride"]}, "đúng hai mã phần"),
        ("marriage_registration", {"columns": ["bride", "husband"]}, 'không phải "husband"'),
        ("marriage_registration", {"columns": ["groom", "bride"]}, "phải liền nhau"),
        ("birth_registration", {"columns": ["mother", "mother"]}, "phải liền nhau"),
        ("birth_registration", {"columns": ["child", "father"]}, "phải liền nhau"),
    ],
)
def test_a_malformed_block_names_the_form_and_what_is_wrong(
    form_id: str, block: object, message: str
) -> None:
    with pytest.raises(FormDefinitionError, match=f'Biểu mẫu {form_id}, "print"') as caught:
        parse_form(_broken(form_id, block))
    assert message in str(caught.value)


def test_loading_a_form_with_a_broken_block_says_which_form_and_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onestop_desk.errors import InputError
    from onestop_desk.services import catalog

    broken = _broken("marriage_registration", {"columns": ["bride", "husband"]})
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "marriage_registration.json").write_text(
        json.dumps(broken, ensure_ascii=False), encoding="utf-8"
    )
    monkeypatch.setattr(catalog, "resource_path", tmp_path.joinpath)
    catalog.load_form.cache_clear()  # the good form, loaded by an earlier test, is remembered
    with pytest.raises(InputError, match="Tờ khai 'marriage_registration' không hợp lệ") as caught:
        catalog.load_form("marriage_registration")
    assert '"columns" phải là mã một phần của biểu mẫu' in str(caught.value)
