"""Staff accounts on real databases: hashes, roles, lockout."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from onestop_desk.db.database import Database
from onestop_desk.db.models import AuditEvent, StaffUser
from onestop_desk.errors import AccessDenied, AuthenticationFailed, InputError
from onestop_desk.services import staff
from onestop_desk.services.office import find_office
from onestop_desk.services.seed import DEMO_PASSWORD
from onestop_desk.services.staff import Role, authenticate, create_staff, require_admin
from onestop_desk.services.uow import UnitOfWork

NOW = datetime(2026, 11, 23, 8, 0)


def _login(database: Database, username: str, password: str, at: datetime = NOW):  # type: ignore[no-untyped-def]
    with UnitOfWork(database) as uow:
        return authenticate(uow, username=username, password=password, now=at)


def _audit_ids(database: Database) -> set[uuid.UUID]:
    """The audit events already written (the seed writes its own at the real clock's time)."""
    with UnitOfWork(database, readonly=True) as uow:
        return set(uow.session.scalars(select(AuditEvent.id)))


def _add(uow: UnitOfWork, username: str, password: str, role: Role = Role.RECEPTION) -> None:
    """``create_staff`` in the seeded office, as the admin face's form sends it."""
    create_staff(
        uow,
        office_id=find_office(uow).id,
        username=username,
        full_name="Phạm Thị Lan",
        password=password,
        role=role,
        now=NOW,
    )


def test_demo_reception_account_logs_in(database: Database) -> None:
    info = _login(database, "TiepNhan1 ", DEMO_PASSWORD)
    assert (info.username, info.full_name, info.role) == (
        "tiepnhan1",
        "Nguyễn Thị Hoa",
        Role.RECEPTION,
    )


def test_password_is_stored_only_as_an_argon2_hash(database: Database) -> None:
    with UnitOfWork(database) as uow:
        office = find_office(uow)
        create_staff(
            uow,
            office_id=office.id,
            username="tiepnhan3",
            full_name="Phạm Thị Lan",
            password="Mật-khẩu-2026",
            role=Role.RECEPTION,
            now=NOW,
        )
        uow.commit()
    with UnitOfWork(database, readonly=True) as uow:
        stored = uow.session.scalar(
            select(StaffUser.password_hash).where(StaffUser.username == "tiepnhan3")
        )
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert "Mật-khẩu-2026" not in stored
    assert _login(database, "tiepnhan3", "Mật-khẩu-2026").full_name == "Phạm Thị Lan"


def test_short_password_and_duplicate_username_are_refused(database: Database) -> None:
    with UnitOfWork(database) as uow:
        with pytest.raises(InputError, match="ít nhất 10 ký tự"):
            _add(uow, "moi", "123")
        with pytest.raises(InputError, match="đã có người dùng"):
            _add(uow, "admin", "khac-12345", Role.ADMIN)


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(database: Database) -> None:
    before = _audit_ids(database)
    for i in range(4):
        with pytest.raises(AuthenticationFailed, match="Sai tên đăng nhập hoặc mật khẩu"):
            _login(database, "tiepnhan2", "sai-mat-khau", NOW + timedelta(seconds=i))
    with pytest.raises(AuthenticationFailed, match="tạm khoá 15 phút"):
        _login(database, "tiepnhan2", "sai-mat-khau", NOW + timedelta(seconds=5))
    # Locked: even the right password is refused until the lock expires.
    with pytest.raises(AuthenticationFailed, match="đang bị tạm khoá"):
        _login(database, "tiepnhan2", DEMO_PASSWORD, NOW + timedelta(minutes=10))
    assert _login(database, "tiepnhan2", DEMO_PASSWORD, NOW + timedelta(minutes=16)).username
    with UnitOfWork(database, readonly=True) as uow:
        kinds = list(
            uow.session.scalars(
                select(AuditEvent.kind)
                .where(AuditEvent.kind.like("staff.%"), AuditEvent.id.not_in(before))
                .order_by(AuditEvent.at)
            )
        )
    assert kinds == ["staff.login_failed"] * 4 + ["staff.locked", "staff.login"]


def test_unknown_user_gets_the_same_message_as_a_wrong_password(database: Database) -> None:
    with pytest.raises(AuthenticationFailed, match="Sai tên đăng nhập hoặc mật khẩu"):
        _login(database, "khong-co-ai", DEMO_PASSWORD)


def test_an_unknown_name_costs_the_same_password_check_as_a_known_one(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The time a refusal takes must not tell whether the name exists: both run argon2 once.
    checks: list[str] = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            checks.append(str(hash))
            return super().verify(hash, password)

    monkeypatch.setattr(staff, "_hasher", CountingHasher())
    for name in ("khong-co-ai", "tiepnhan1"):
        with pytest.raises(AuthenticationFailed, match="Sai tên đăng nhập hoặc mật khẩu"):
            _login(database, name, "sai-mat-khau-1")
    assert len(checks) == 2
    assert all(h.startswith("$argon2id$") for h in checks)


def test_login_names_fold_full_width_letters_and_refuse_look_alikes(database: Database) -> None:
    assert _login(database, "ＴｉｅｐＮｈａｎ１", DEMO_PASSWORD).username == "tiepnhan1"
    before = _audit_ids(database)
    with UnitOfWork(database) as uow:
        with pytest.raises(InputError, match="đã có người dùng"):
            _add(uow, "ａｄｍｉｎ", "Mat-khau-2026", Role.ADMIN)
        with pytest.raises(InputError, match="không hợp lệ"):
            _add(uow, "аdmin2", "Mat-khau-2026", Role.ADMIN)  # a Cyrillic а
        with pytest.raises(InputError, match="chỉ dùng cho dữ liệu chạy thử"):
            _add(uow, "tiepnhan5", DEMO_PASSWORD)
        uow.commit()
    with UnitOfWork(database, readonly=True) as uow:
        names = set(uow.session.scalars(select(StaffUser.username)))
    assert names == {"admin", "lanhdao", "tiepnhan1", "tiepnhan2"}
    assert _audit_ids(database) - before == set()


def test_a_reception_account_at_the_admin_face_is_refused_and_audited_as_such(
    database: Database,
) -> None:
    before = _audit_ids(database)
    refused = pytest.raises(AccessDenied, match="không có quyền vào phần quản trị")
    with UnitOfWork(database) as uow, refused:
        authenticate(
            uow, username="tiepnhan1", password=DEMO_PASSWORD, now=NOW, allow=require_admin
        )
    with UnitOfWork(database) as uow:
        head = authenticate(
            uow,
            username="lanhdao",
            password=DEMO_PASSWORD,
            now=NOW + timedelta(seconds=1),
            allow=require_admin,
        )
    assert head.role == Role.HEAD
    with UnitOfWork(database, readonly=True) as uow:
        seen = uow.session.execute(
            select(StaffUser.username, AuditEvent.kind)
            .join(StaffUser, StaffUser.id == AuditEvent.subject_id)
            .where(AuditEvent.kind.like("staff.%"), AuditEvent.id.not_in(before))
            .order_by(AuditEvent.at)
        ).all()
        refused_last_login = uow.session.scalar(
            select(StaffUser.last_login_at).where(StaffUser.username == "tiepnhan1")
        )
    assert [tuple(row) for row in seen] == [
        ("tiepnhan1", "staff.access_denied"),
        ("lanhdao", "staff.login"),
    ]
    assert refused_last_login is None or refused_last_login < NOW
