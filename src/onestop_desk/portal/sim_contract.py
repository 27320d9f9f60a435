"""The portal contract as the simulator speaks it, without sockets: a request in, a reply out."""

from __future__ import annotations

import hashlib
import json
import random
import re
import secrets
import threading
import time
import unicodedata
from base64 import b64decode
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs, unquote

from onestop_desk.portal.client import PORTAL_STATUSES
from onestop_desk.portal.sim_store import Announced, SimStore, format_us, to_us

_KEY = re.compile(r"[A-Za-z0-9_-]{32,64}")
# National procedure codes: the short form (1.001193) and the full one the national portal
# shows (1.001193.000.00.00.H12).
_PROCEDURE = re.compile(r"\d\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})?")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ID_NUMBER = re.compile(r"\d{12}")
_KINDS = ("original", "certified_copy", "photocopy")
_SUPPLEMENT = "supplement_requested"
_CHANNELS = ("desk", "post", "online")
_CHANGES_DEFAULT = 200
_CHANGES_MAX = 1000
_FAULTS = ("error_before", "error_after", "not_json", "closed")
# What a broken proxy or maintenance page looks like to a client expecting JSON.
_NOT_JSON_PAGE = (
    "<html><head><title>Bảo trì hệ thống</title></head>"
    "<body><h1>Hệ thống đang bảo trì, vui lòng quay lại sau.</h1></body></html>"
).encode()


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # lower-case names
    body: bytes


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False  # close the connection without writing anything


def json_reply(status: int, data: Any, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Reply(status, body, headers=headers)


def error_reply(
    status: int,
    code: str,
    message: str,
    fields: Mapping[str, str] | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> Reply:
    data: dict[str, Any] = {"error": code, "message": message}
    if fields is not None:
        data["fields"] = dict(fields)
    return json_reply(status, data, headers)


def _not_found() -> Reply:
    return error_reply(404, "not_found", "Không có địa chỉ hoặc hồ sơ này trên cổng giả lập.")


def _method_not_allowed(allowed: str) -> Reply:
    return error_reply(
        405,
        "method_not_allowed",
        f"Địa chỉ này chỉ nhận phương thức {allowed}.",
        headers=(("Allow", allowed),),
    )


def _invalid(message: str, fields: Mapping[str, str]) -> Reply:
    return error_reply(400, "invalid_request", message, fields)


def _parse_moment(text: str) -> datetime | None:
    """An ISO 8601 time with an offset, or None."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class _Checker:
    """Walks a create body and collects one Vietnamese message per bad field."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def fail(self, path: str, message: str) -> None:
        self.fields.setdefault(path, message)

    def obj(self, parent: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any] | None:
        value = parent.get(key)
        if not isinstance(value, dict):
            self.fail(path, "Thiếu hoặc không phải một đối tượng JSON.")
            return None
        return value

    def text(
        self,
        parent: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = True,
        max_length: int = 500,
    ) -> str | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(path, "Thiếu trường bắt buộc.")
            return None
        if not isinstance(value, str):
            self.fail(path, "Phải là chuỗi ký tự.")
            return None
        self.check_nfc(value, path)
        if required and not value.strip():
            self.fail(path, "Không được để trống.")
            return None
        if len(value) > max_length:
            self.fail(path, f"Dài quá {max_length} ký tự.")
            return None
        return value

    def check_nfc(self, value: str, path: str) -> None:
        if not unicodedata.is_normalized("NFC", value):
            self.fail(path, "Văn bản phải ở dạng Unicode dựng sẵn (NFC).")

    def integer(self, parent: Mapping[str, Any], key: str, path: str, *, minimum: int) -> int:
        value = parent.get(key)
        # bool is an int in Python but not a number in JSON.
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            self.fail(path, f"Phải là số nguyên không nhỏ hơn {minimum}.")
            return minimum
        return value

    def moment(self, parent: Mapping[str, Any], key: str, path: str) -> datetime | None:
        value = self.text(parent, key, path, max_length=64)
        if value is None:
            return None
        moment = _parse_moment(value)
        if moment is None:
            self.fail(
                path,
                "Phải là thời điểm ISO 8601 có múi giờ, ví dụ 2026-11-23T09:15:00+07:00.",
            )
        return moment

    def walk_form(self, value: Any, path: str) -> None:
        if isinstance(value, str):
            self.check_nfc(value, path)
        elif isinstance(value, dict):
            for key, item in value.items():
                self.walk_form(item, f"{path}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.walk_form(item, f"{path}[{index}]")


def check_dossier(body: Any) -> tuple[dict[str, str], list[Announced]]:
    """Field problems of a create body (empty when fine) and the attachments it announces."""
    check = _Checker()
    announced: list[Announced] = []
    if not isinstance(body, dict):
        check.fail("body", "Nội dung phải là một đối tượng JSON.")
        return check.fields, announced
    check.text(body, "local_code", "local_code", max_length=64)
    check.text(body, "agency_code", "agency_code", max_length=64)
    check.text(body, "procedure_code", "procedure_code", max_length=64)
    received = check.moment(body, "received_at", "received_at")
    due = check.moment(body, "due_at", "due_at")
    if received is not None and due is not None and due < received:
        check.fail("due_at", "Hạn trả kết quả không được trước thời điểm tiếp nhận.")
    channel = check.text(body, "result_channel", "result_channel", max_length=16)
    if channel is not None and channel not in _CHANNELS:
        check.fail("result_channel", "Phải là một trong: desk, post, online.")
    address = check.text(body, "result_address", "result_address", required=False)
    if channel == "post" and not (address or "").strip():
        check.fail("result_address", "Nhận qua bưu điện thì cần địa chỉ nhận kết quả.")
    if body.get("fee") is not None:
        check.integer(body, "fee", "fee", minimum=0)

    applicant = check.obj(body, "applicant", "applicant")
    if applicant is not None:
        id_number = check.text(applicant, "id_number", "applicant.id_number", max_length=12)
        if id_number is not None and _ID_NUMBER.fullmatch(id_number) is None:
            check.fail("applicant.id_number", "Số định danh cá nhân phải gồm đúng 12 chữ số.")
        check.text(applicant, "full_name", "applicant.full_name", max_length=200)
        birth = check.text(applicant, "birth_date", "applicant.birth_date", required=False)
        if birth is not None:
            try:
                date.fromisoformat(birth)
            except ValueError:
                check.fail("applicant.birth_date", "Phải là ngày dạng YYYY-MM-DD.")
        check.text(applicant, "sex", "applicant.sex", required=False, max_length=16)
        check.text(applicant, "address", "applicant.address", required=False)
        phone = check.text(applicant, "phone", "applicant.phone", required=False, max_length=20)
        digits = (phone or "").replace(" ", "").replace(".", "").removeprefix("+")
        if phone and not (digits.isdigit() and 9 <= len(digits) <= 12):
            check.fail("applicant.phone", "Số điện thoại phải gồm 9–12 chữ số.")
        email = check.text(applicant, "email", "applicant.email", required=False, max_length=200)
        if email and ("@" not in email or " " in email.strip()):
            check.fail("applicant.email", "Địa chỉ thư điện tử không đúng.")

    form = body.get("form", {})
    if isinstance(form, dict):
        check.walk_form(form, "form")
    else:
        check.fail("form", "Phải là một đối tượng JSON.")

    documents = body.get("documents", [])
    if not isinstance(documents, list):
        check.fail("documents", "Phải là một danh sách.")
        documents = []
    for index, document in enumerate(documents):
        path = f"documents[{index}]"
        if not isinstance(document, dict):
            check.fail(path, "Phải là một đối tượng JSON.")
            continue
        check.text(document, "name", f"{path}.name")
        check.integer(document, "count", f"{path}.count", minimum=1)
        kind = check.text(document, "kind", f"{path}.kind", max_length=32)
        if kind is not None and kind not in _KINDS:
            check.fail(f"{path}.kind", "Phải là một trong: original, certified_copy, photocopy.")
        attachments = document.get("attachments", [])
        if not isinstance(attachments, list):
            check.fail(f"{path}.attachments", "Phải là một danh sách.")
            continue
        for number, attachment in enumerate(attachments):
            where = f"{path}.attachments[{number}]"
            if not isinstance(attachment, dict):
                check.fail(where, "Phải là một đối tượng JSON.")
                continue
            sha = check.text(attachment, "sha256", f"{where}.sha256", max_length=64)
            if sha is not None and _SHA256.fullmatch(sha) is None:
                check.fail(f"{where}.sha256", "Phải là 64 chữ số thập lục phân viết thường.")
                sha = None
            name = check.text(attachment, "file_name", f"{where}.file_name", max_length=255)
            size = check.integer(attachment, "size", f"{where}.size", minimum=0)
            if sha is not None and name is not None:
                announced.append(Announced(sha, name, size))
    return check.fields, announced


def check_requested_documents(
    check: _Checker, body: Mapping[str, Any]
) -> list[dict[str, Any]] | None:
    """The papers a supplement request lists (``/sim/status``), as the feed will serve them."""
    raw = body.get("requested_documents")
    if raw is None:
        return None
    if not isinstance(raw, list):
        check.fail("requested_documents", "Phải là một danh sách.")
        return None
    papers: list[dict[str, Any]] = []
    for index, document in enumerate(raw):
        path = f"requested_documents[{index}]"
        if not isinstance(document, dict):
            check.fail(path, "Phải là một đối tượng JSON.")
            continue
        name = check.text(document, "name", f"{path}.name")
        count = check.integer(document, "count", f"{path}.count", minimum=1)
        kind = check.text(document, "kind", f"{path}.kind", max_length=32)
        if kind is not None and kind not in _KINDS:
            check.fail(f"{path}.kind", "Phải là một trong: original, certified_copy, photocopy.")
        papers.append({"name": name, "count": count, "kind": kind})
    return papers


def _bearer(headers: Mapping[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class Simulator:
    """The contract's behaviour, independent of sockets: a request in, a reply out."""

    def __init__(
        self,
        store: SimStore,
        *,
        client_id: str,
        secret: str,
        token_ttl: int,
        fail_rate: float = 0.0,
        latency_s: float = 0.0,
        down_every: int = 0,
        seed: int | None = None,
    ) -> None:
        self.store = store
        self._client_id = client_id
        self._secret = secret
        self._token_ttl = token_ttl
        self._fail_rate = fail_rate
        self._latency_s = latency_s
        self._down_every = down_every
        self._random = random.Random(seed)
        self._fault_lock = threading.Lock()
        self._api_requests = 0  # this run's /api/v1 requests, for --down-every

    def handle(self, request: Request) -> Reply:
        if request.path.startswith("/api/"):
            return self._api(request)
        if request.path == "/oauth/token":
            reply = self._token(request)
            self._delay()
            return reply
        if request.path.startswith("/sim/"):
            return self._control(request)
        return _not_found()

    def _delay(self) -> None:
        if self._latency_s > 0:
            time.sleep(self._latency_s)

    def _draw_fault(self) -> str | None:
        with self._fault_lock:
            self._api_requests += 1
            fault: str | None = None
            if self._down_every and self._api_requests % self._down_every == 0:
                fault = "down"
            elif self._fail_rate > 0 and self._random.random() < self._fail_rate:
                fault = _FAULTS[self._random.randrange(len(_FAULTS))]
        self.store.count_request(failed=fault is not None)
        return fault

    def _api(self, request: Request) -> Reply:
        fault = self._draw_fault()
        if fault == "down":
            self._delay()
            return Reply(0, drop=True)
        if fault == "error_before":
            self._delay()
            return error_reply(
                500,
                "internal_error",
                "Lỗi giả lập: máy chủ gặp sự cố trước khi xử lý yêu cầu.",
                headers=(("X-Sim-Fault", fault),),
            )
        reply = self._api_work(request)
        self._delay()
        if fault == "error_after":
            return error_reply(
                500,
                "internal_error",
                "Lỗi giả lập: yêu cầu đã được xử lý nhưng câu trả lời bị mất.",
                headers=(("X-Sim-Fault", fault),),
            )
        if fault == "not_json":
            return Reply(
                200,
                _NOT_JSON_PAGE,
                "text/html; charset=utf-8",
                headers=(("X-Sim-Fault", fault),),
            )
        if fault == "closed":
            return Reply(0, drop=True)
        return reply

    def _api_work(self, request: Request) -> Reply:
        token = _bearer(request.headers)
        if token is None or not self.store.token_valid(token):
            return error_reply(
                401,
                "invalid_token",
                "Mã truy cập không có, không đúng hoặc đã hết hạn.",
                headers=(("WWW-Authenticate", 'Bearer error="invalid_token"'),),
            )
        parts = request.path.split("/")[1:]  # "", "api", "v1", ...
        if parts[:2] != ["api", "v1"]:
            return _not_found()
        rest = [unquote(part) for part in parts[2:]]
        if rest == ["dossiers"]:
            if request.method != "POST":
                return _method_not_allowed("POST")
            return self._create(request)
        if len(rest) == 2 and rest[0] == "dossiers":
            if request.method != "GET":
                return _method_not_allowed("GET")
            dossier = self.store.dossier(rest[1])
            return _not_found() if dossier is None else json_reply(200, dossier)
        if len(rest) == 4 and rest[0] == "dossiers" and rest[2] == "attachments":
            if request.method != "PUT":
                return _method_not_allowed("PUT")
            return self._upload(request, rest[1], rest[3])
        if rest == ["changes"]:
            if request.method != "GET":
                return _method_not_allowed("GET")
            return self._changes(request)
        return _not_found()

    def _create(self, request: Request) -> Reply:
        key = request.headers.get("idempotency-key", "")
        if _KEY.fullmatch(key) is None:
            return _invalid(
                "Thiếu khoá chống gửi trùng hoặc khoá không đúng dạng.",
                {"Idempotency-Key": "Cần 32–64 ký tự A–Z, a–z, 0–9, gạch dưới hoặc gạch ngang."},
            )
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return _invalid(
                "Nội dung hồ sơ phải gửi dạng JSON.", {"Content-Type": "Phải là application/json."}
            )
        try:
            text = request.body.decode()
            body = json.loads(text)
        except (UnicodeDecodeError, ValueError):
            return _invalid("Nội dung yêu cầu không phải JSON UTF-8 hợp lệ.", {})
        fields, announced = check_dossier(body)
        if fields:
            return _invalid(f"Hồ sơ có {len(fields)} thông tin không hợp lệ.", fields)
        procedure = body["procedure_code"]
        if _PROCEDURE.fullmatch(procedure) is None:
            return error_reply(
                422,
                "unknown_procedure",
                f"Cổng không có thủ tục hành chính mã “{procedure}”.",
            )
        dossier, created = self.store.create_dossier(key, body["local_code"], text, announced)
        if created:
            location = f"/api/v1/dossiers/{dossier['portal_code']}"
            return json_reply(201, dossier, (("Location", location),))
        return json_reply(200, dossier, (("Idempotent-Replayed", "true"),))

    def _upload(self, request: Request, portal_code: str, sha256: str) -> Reply:
        sha256 = sha256.lower()
        if _SHA256.fullmatch(sha256) is None:
            return _invalid(
                "Mã băm trong địa chỉ không đúng dạng.",
                {"sha256": "Phải là 64 chữ số thập lục phân."},
            )
        if hashlib.sha256(request.body).hexdigest() != sha256:
            return error_reply(
                422,
                "hash_mismatch",
                "Tệp nhận được không khớp mã băm SHA-256 trong địa chỉ; tệp có thể đã hỏng "
                "trên đường truyền.",
            )
        file_name = unquote(request.headers.get("x-file-name", ""), errors="replace")
        size = len(request.body)
        created = self.store.add_attachment(portal_code, sha256, file_name, size)
        if created is None:
            return _not_found()
        return json_reply(201 if created else 200, {"sha256": sha256, "size": size})

    def _changes(self, request: Request) -> Reply:
        fields: dict[str, str] = {}
        since: int | None = None
        raw_since = request.query.get("since", [""])[-1]
        if raw_since:
            # An unencoded "+" of the offset arrives as a space.
            moment = _parse_moment(raw_since.replace(" ", "+"))
            if moment is None:
                fields["since"] = "Phải là thời điểm ISO 8601 có múi giờ."
            else:
                since = to_us(moment)
        limit = _CHANGES_DEFAULT
        raw_limit = request.query.get("limit", [""])[-1]
        if raw_limit:
            if raw_limit.isdigit() and int(raw_limit) >= 1:
                limit = min(int(raw_limit), _CHANGES_MAX)
            else:
                fields["limit"] = "Phải là số nguyên dương."
        if fields:
            return _invalid("Tham số truy vấn không hợp lệ.", fields)
        page, until, more = self.store.changes(since, limit)
        return json_reply(
            200,
            {
                "changes": [row.as_json() for row in page],
                "until": format_us(until),
                "more": more,
            },
        )

    def _token(self, request: Request) -> Reply:
        if request.method != "POST":
            return _method_not_allowed("POST")
        form = parse_qs(request.body.decode(errors="replace"))
        client_id = form.get("client_id", [""])[-1]
        secret = form.get("client_secret", [""])[-1]
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic" and not client_id:
            # RFC 6749 also allows the credentials in HTTP Basic form.
            try:
                decoded = b64decode(encoded.strip(), validate=True).decode()
            except (ValueError, UnicodeDecodeError):
                decoded = ""
            pair = [unquote(part) for part in decoded.split(":", 1)]
            client_id, secret = [*pair, ""][:2]
        if form.get("grant_type", [""])[-1] != "client_credentials":
            return error_reply(
                400, "unsupported_grant_type", "Cổng chỉ cấp mã truy cập kiểu client_credentials."
            )
        good_id = secrets.compare_digest(client_id.encode(), self._client_id.encode())
        good_secret = secrets.compare_digest(secret.encode(), self._secret.encode())
        if not (good_id and good_secret):
            return error_reply(
                401, "invalid_client", "Sai mã ứng dụng (client_id) hoặc mật khẩu (client_secret)."
            )
        token = self.store.issue_token(self._token_ttl)
        return json_reply(
            200,
            {"access_token": token, "token_type": "Bearer", "expires_in": self._token_ttl},
            (("Cache-Control", "no-store"),),
        )

    def _control(self, request: Request) -> Reply:
        routes: dict[str, tuple[str, Callable[[Request], Reply]]] = {
            "/sim/stats": ("GET", lambda _: json_reply(200, self.store.stats())),
            "/sim/advance": ("POST", lambda _: json_reply(200, {"moved": self.store.advance()})),
            "/sim/status": ("POST", self._set_status),
            "/sim/expire-tokens": (
                "POST",
                lambda _: json_reply(200, {"expired": self.store.expire_tokens()}),
            ),
        }
        route = routes.get(request.path)
        if route is None:
            return _not_found()
        method, action = route
        if request.method != method:
            return _method_not_allowed(method)
        return action(request)

    def _set_status(self, request: Request) -> Reply:
        try:
            body = json.loads(request.body.decode() or "null")
        except (UnicodeDecodeError, ValueError):
            body = None
        if not isinstance(body, dict):
            return _invalid("Nội dung phải là một đối tượng JSON.", {})
        check = _Checker()
        code = check.text(body, "portal_code", "portal_code", max_length=64)
        status = check.text(body, "status", "status", max_length=32)
        note = check.text(body, "note", "note", required=False)
        if status is not None and status not in PORTAL_STATUSES:
            check.fail("status", "Phải là một trong: " + ", ".join(PORTAL_STATUSES) + ".")
        documents = check_requested_documents(check, body)
        reason = check.text(body, "reason", "reason", required=False, max_length=2000)
        if status != _SUPPLEMENT:
            for key in ("requested_documents", "reason"):
                if body.get(key) is not None:
                    check.fail(key, f"Chỉ dùng với trạng thái {_SUPPLEMENT}.")
        if check.fields or code is None or status is None:
            return _invalid("Yêu cầu đổi trạng thái không hợp lệ.", check.fields)
        dossier = self.store.set_status(code, status, note, documents=documents, reason=reason)
        return _not_found() if dossier is None else json_reply(200, dossier)
