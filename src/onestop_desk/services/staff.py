"""Staff accounts: argon2 password hashes, roles, lockout after repeated failures."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from onestop_desk.core.accounts import normalize_username, password_problem, username_problem
from onestop_desk.core.roles import Role
from onestop_desk.db.models import StaffUser
from onestop_desk.errors import AccessDenied, AuthenticationFailed, InputError, KnownError
from onestop_desk.services.uow import UnitOfWork

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
_hasher = PasswordHasher()
_unknown_hash: str | None = None


def _unknown_account_hash() -> str:
    """A hash to check a password against when the account does not exist (made once)."""
    global _unknown_hash  # noqa: PLW0603 - one per process, made on the first unknown name
    if _unknown_hash is None:
        _unknown_hash = _hasher.hash("no account has this password")
    return _unknown_hash


ROLE_LABELS = {
    Role.RECEPTION: "Cán bộ tiếp nhận",
    Role.HEAD: "Lãnh đạo trung tâm",
    Role.ADMIN: "Quản trị hệ thống",
}


#: Who may open the admin face: the center's head and the IT administrator.
ADMIN_ROLES = frozenset({Role.HEAD, Role.ADMIN})


@dataclass(frozen=True)
class StaffInfo:
    id: uuid.UUID
    username: str
    full_name: str
    role: Role


def _info(user: StaffUser) -> StaffInfo:
    return StaffInfo(user.id, user.username, user.full_name, user.role)


def require_admin(staff: StaffInfo) -> StaffInfo:
    """``staff`` when their role may administer this office, else AccessDenied."""
    if staff.role not in ADMIN_ROLES:
        raise AccessDenied(
            f"Tài khoản {staff.username} ({ROLE_LABELS[staff.role].lower()}) không có quyền "
            "vào phần quản trị.",
            "Phần quản trị chỉ dành cho lãnh đạo trung tâm và cán bộ quản trị hệ thống.",
        )
    return staff


def create_staff(
    uow: UnitOfWork,
    *,
    office_id: uuid.UUID,
    username: str,
    full_name: str,
    password: str,
    role: Role,
    now: datetime | None = None,
    demo: bool = False,
) -> StaffInfo:
    """Create an account; the password is stored only as an argon2 hash.

    ``demo``: an account of the demo office, the only place the demo password is accepted.
    """
    now = now or datetime.now()
    username = normalize_username(username)
    problem = username_problem(username)
    if problem is not None:
        raise InputError(problem, "Ví dụ: tiepnhan3, nguyen.van.an, lanhdao_2.")
    problem = password_problem(password, username, demo=demo)
    if problem is not None:
        raise InputError(problem)
    if not full_name.strip():
        raise InputError("Cần nhập họ và tên của cán bộ.")
    taken = uow.session.scalar(
        select(func.count()).select_from(StaffUser).where(StaffUser.username == username)
    )
    if taken:
        raise InputError(f"Tên đăng nhập '{username}' đã có người dùng.")
    user = StaffUser(
        office_id=office_id,
        username=username,
        full_name=full_name.strip(),
        password_hash=_hasher.hash(password),
        role=role,
        active=True,
        failed_logins=0,
        created_at=now,
    )
    uow.session.add(user)
    uow.session.flush()
    uow.audit("staff.created", office_id=office_id, subject_id=user.id, at=now, role=role.value)
    return _info(user)


def authenticate(
    uow: UnitOfWork,
    *,
    username: str,
    password: str,
    now: datetime | None = None,
    allow: Callable[[StaffInfo], StaffInfo] | None = None,
) -> StaffInfo:
    """Check a login; after 5 failures in a row the account is locked for 15 minutes.

    ``allow`` may refuse a genuine account by raising a KnownError (``require_admin`` at the
    admin face): the refusal is audited as ``staff.access_denied``, not as a log-in.
    Commits either way: a failure count must survive the failed attempt.
    """
    now = now or datetime.now()
    wrong = AuthenticationFailed(
        "Sai tên đăng nhập hoặc mật khẩu.", "Kiểm tra bộ gõ tiếng Việt và phím Caps Lock."
    )
    user = uow.session.scalar(
        select(StaffUser)
        .where(StaffUser.username == normalize_username(username))
        .with_for_update()
    )
    if user is None or not user.active:
        # The same argon2 work as for a real account: the time taken does not tell a name exists.
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher.verify(_unknown_account_hash(), password)
        raise wrong
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise AuthenticationFailed(
            "Tài khoản đang bị tạm khoá do nhập sai mật khẩu nhiều lần.",
            f"Thử lại sau khoảng {minutes} phút, hoặc nhờ quản trị viên mở khoá.",
        )
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        kind = "staff.login_failed"
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            kind = "staff.locked"
        uow.audit(kind, office_id=user.office_id, subject_id=user.id, at=now)
        uow.commit()
        if kind == "staff.locked":
            raise AuthenticationFailed(
                "Nhập sai mật khẩu quá 5 lần: tài khoản bị tạm khoá 15 phút.",
                "Nhờ quản trị viên mở khoá nếu cần làm việc ngay.",
            ) from None
        raise wrong from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    info = _info(user)
    if allow is not None:
        try:
            info = allow(info)
        except KnownError:
            uow.audit("staff.access_denied", office_id=user.office_id, subject_id=user.id, at=now)
            uow.commit()
            raise
    user.last_login_at = now
    uow.audit("staff.login", office_id=user.office_id, subject_id=user.id, actor_id=user.id, at=now)
    uow.commit()
    return info
