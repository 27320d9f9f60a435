"""Finding a procedure by a few letters and reading its declaration form (both backends)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from onestop_desk.db.database import Database
from onestop_desk.errors import NotFound
from onestop_desk.services.catalog import find_procedure, load_form, search_procedures
from onestop_desk.services.office import find_office
from onestop_desk.services.uow import UnitOfWork


def _search(database: Database, text: str) -> list[str]:
    with UnitOfWork(database, readonly=True) as uow:
        found = search_procedures(uow, office_id=find_office(uow).id, text=text)
    return [p.code for p in found]


def test_search_with_or_without_diacritics_and_by_code(database: Database) -> None:
    assert _search(database, "khai sinh")[0] == "1.001193"
    assert _search(database, "Khai Sinh") == _search(database, "khai sinh")
    assert set(_search(database, "khai sinh")) >= {"1.001193", "1.004884", "1.000689"}
    assert _search(database, "chung thuc ban sao")[0] == "2.000815"
    assert _search(database, "chứng thực bản sao")[0] == "2.000815"
    assert _search(database, "2.000884") == ["2.000884"]
    assert _search(database, "thường trú") == ["1.004222"]
    assert _search(database, "không có thủ tục này") == []
    assert _search(database, "   ") == []


def test_summary_shows_time_fee_and_papers(database: Database) -> None:
    with UnitOfWork(database, readonly=True) as uow:
        p = find_procedure(uow, office_id=find_office(uow).id, code="2.000884")
    assert p.name == "Chứng thực chữ ký"
    assert p.field_name == "Chứng thực"
    assert "15:00" in p.processing_time
    assert "10.000 đ" in p.fee
    assert p.documents
    with UnitOfWork(database, readonly=True) as uow, pytest.raises(NotFound, match=r"9\.999999"):
        find_procedure(uow, office_id=find_office(uow).id, code="9.999999")


def test_every_catalog_form_loads(database: Database) -> None:
    with UnitOfWork(database, readonly=True) as uow:
        found = search_procedures(uow, office_id=find_office(uow).id, text="", limit=100)
    assert found == []  # an empty search lists nothing; the catalog is browsed by field
    for form_id in ("birth_registration", "certified_copy", "signature_certification"):
        assert load_form(form_id).id == form_id
    with pytest.raises(NotFound):
        load_form("no_such_form")


def _cli(db_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onestop_desk", "--data-dir", str(tmp_path), "--db", db_url, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=dict(os.environ, PYTHONIOENCODING="utf-8"),
        timeout=60,
        check=False,
    )


def test_cli_procedure_search_and_form(tmp_path: Path, db_url: str) -> None:
    found = _cli(db_url, tmp_path, "procedure", "search", "khai sinh", "--json")
    assert found.returncode == 0, found.stderr
    first = json.loads(found.stdout)["procedures"][0]
    assert (first["code"], first["name"], first["form"]) == (
        "1.001193",
        "Đăng ký khai sinh",
        "birth_registration",
    )
    form = _cli(db_url, tmp_path, "procedure", "form", "1.001193", "--json")
    assert form.returncode == 0, form.stderr
    data = json.loads(form.stdout)
    assert data["procedure"] == "1.001193"
    ids = {f["id"] for s in data["sections"] for f in s["fields"]}
    assert {"child.full_name", "child.date_of_birth", "mother.full_name"} <= ids
    none = _cli(db_url, tmp_path, "procedure", "form", "2.000635")
    assert none.returncode == 2
    assert "chưa có tờ khai" in none.stderr
    assert "Traceback" not in none.stderr
