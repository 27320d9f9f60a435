"""The HTTP adapter of the portal contract (docs/portal-api.md), on a synchronous httpx client.

Every failure leaves as one of the three typed errors of ``portal.client`` so the outbox can
tell "try again later" from "staff must act"; the secret and the token are never logged.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Final
from urllib.parse import quote, urlsplit

import httpx

from onestop_desk import __version__
from onestop_desk.portal.client import (
    ChangePage,
    DossierPayload,
    PortalAuthError,
    PortalDossier,
    PortalRejected,
    PortalUnavailable,
    RequestedDocument,
    StatusChange,
)

log = logging.getLogger("onestop.portal")

#: Office time is Vietnam's wall clock (no daylight saving); the database keeps it naive.
VIETNAM: Final = timezone(timedelta(hours=7), "ICT")
#: A token is renewed this long before the portal says it runs out (clock skew, slow requests).
TOKEN_MARGIN_S: Final = 30.0
DEFAULT_TIMEOUT_S: Final = 15.0
#: How the contract names the form a paper comes in.
_DOCUMENT_KINDS: Final = frozenset({"original", "certified_copy", "photocopy"})

_RETRY_HINT: Final = (
    "Hồ sơ vẫn nằm trong hàng đợi và sẽ được gửi lại tự động; nếu lỗi kéo dài, kiểm tra kết nối "
    "Internet hoặc báo cho cán bộ phụ trách công nghệ thông tin."
)
_CREDENTIALS_HINT: Final = (
    "Kiểm tra mã ứng dụng và khoá bí mật do đơn vị quản lý hệ thống cấp, rồi chạy lại "
    "'onestop-desk portal login --url ĐỊA_CHỈ --client-id MÃ --secret-stdin'."
)
# What the portal's error codes mean to the specialist at the counter.
_REJECTION_TEXT: Final[Mapping[str, str]] = {
    "invalid_request": "Hệ thống dịch vụ công không chấp nhận hồ sơ vì thông tin chưa hợp lệ",
    "unknown_procedure": "Hệ thống dịch vụ công không có thủ tục hành chính này",
    "hash_mismatch": "Tệp đính kèm gửi lên bị sai lệch nội dung",
    "not_found": "Hệ thống dịch vụ công không tìm thấy hồ sơ",
    "conflict": "Hệ thống dịch vụ công báo hồ sơ bị trùng hoặc xung đột",
}
_REJECTION_HINT: Final = (
    "Sửa thông tin hồ sơ theo nội dung trên rồi bấm gửi lại; nếu không rõ, liên hệ đơn vị "
    "quản lý hệ thống dịch vụ công."
)


def to_wire_time(moment: datetime) -> str:
    """An office time (naive = Vietnam) as the contract's ISO 8601 with offset."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=VIETNAM)
    return aware.isoformat(timespec="seconds")


def to_office_time(moment: datetime) -> datetime:
    """A portal time with offset as the naive Vietnam time the database keeps."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(VIETNAM).replace(tzinfo=None)


def payload_json(payload: DossierPayload) -> dict[str, Any]:
    """The body of ``POST /api/v1/dossiers`` for ``payload``."""
    a = payload.applicant
    return {
        "local_code": payload.local_code,
        "agency_code": payload.agency_code,
        "procedure_code": payload.procedure_code,
        "received_at": to_wire_time(payload.received_at),
        "due_at": to_wire_time(payload.due_at),
        "result_channel": payload.result_channel,
        "result_address": payload.result_address,
        "fee": payload.fee,
        "applicant": {
            "id_number": a.id_number,
            "full_name": a.full_name,
            "birth_date": a.birth_date,
            "sex": a.sex,
            "address": a.address,
            "phone": a.phone,
            "email": a.email,
        },
        "form": {k: _plain(v) for k, v in payload.form.items()},
        "documents": [
            {
                "name": d.name,
                "count": d.count,
                "kind": d.kind,
                "attachments": [
                    {"sha256": r.sha256, "file_name": r.file_name, "size": r.size}
                    for r in d.attachments
                ],
            }
            for d in payload.documents
        ],
    }


def _plain(value: Any) -> Any:
    # Form values are strings today; dates from a future form must still travel as JSON.
    if isinstance(value, datetime):
        return to_wire_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


class _Malformed(ValueError):
    """A 2xx body that is not the JSON the contract describes."""


class HttpPortalClient:
    """``PortalClient`` over HTTPS with an OAuth2 client-credentials token.

    TLS certificates are always verified (there is deliberately no switch to turn that off).
    The token is shared by the threads using one client and renewed 30 s before it expires.
    """

    def __init__(
        self,
        base_url: str,
        client_id: str,
        secret: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        transport: httpx.BaseTransport | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self._secret = secret
        self._timeout = timeout
        self._monotonic = monotonic
        self._host = urlsplit(self.base_url).netloc or self.base_url
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout),
            verify=True,
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": f"onestop-desk/{__version__}", "Accept": "application/json"},
        )
        self._lock = threading.Lock()
        self._token: str | None = None
        self._token_expires = 0.0
        #: Tokens fetched so far (tests and the bench read it; a refresh loop would show here).
        self.tokens_fetched = 0

    def __repr__(self) -> str:
        # Never the secret or the token: this may end up in a log line or a crash report.
        return f"HttpPortalClient({self.base_url!r}, client_id={self.client_id!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HttpPortalClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- authentication --------------------------------------------------------------------

    def check_credentials(self) -> None:
        """Fetch a token now: PortalAuthError for wrong credentials, PortalUnavailable if down."""
        self._fetch_token()

    def _bearer(self) -> str:
        with self._lock:
            if self._token is not None and self._monotonic() < self._token_expires:
                return self._token
        return self._fetch_token()

    def _forget_token(self, token: str) -> None:
        with self._lock:
            if self._token == token:  # another thread may have renewed it already
                self._token = None

    def _fetch_token(self) -> str:
        started = self._monotonic()
        response = self._send(
            "POST",
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self._secret,
            },
        )
        if response.status_code in (400, 401, 403):
            # Whatever the exact code, a refused token request is about our credentials or
            # set-up, never about one dossier: staff must fix it, retrying will not.
            body = _error_body(response)
            log.warning(
                "portal %s refused the credentials of client %s: HTTP %s %s",
                self._host,
                self.client_id,
                response.status_code,
                body.get("error"),
            )
            raise PortalAuthError(
                "Hệ thống dịch vụ công trực tuyến từ chối thông tin đăng nhập của phần mềm "
                f"(mã ứng dụng '{self.client_id}').",
                _CREDENTIALS_HINT,
            )
        self._raise_for_status(response)
        try:
            data = _json_object(response)
            token = data["access_token"]
            expires_in = data.get("expires_in", 3600)
            if not isinstance(token, str) or not token:
                raise _Malformed("access_token")
            if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
                raise _Malformed("expires_in")
        except (KeyError, _Malformed) as exc:
            raise self._malformed(response, exc) from None
        with self._lock:
            self._token = token
            self._token_expires = started + max(0.0, float(expires_in) - TOKEN_MARGIN_S)
            self.tokens_fetched += 1
        log.info("portal %s: new access token for client %s", self._host, self.client_id)
        return token

    # --- the API ---------------------------------------------------------------------------

    def create_dossier(self, payload: DossierPayload, *, idempotency_key: str) -> PortalDossier:
        response = self._api(
            "POST",
            "/api/v1/dossiers",
            json=payload_json(payload),
            headers={"Idempotency-Key": idempotency_key},
        )
        return self._dossier(response)

    def upload_attachment(
        self, portal_code: str, sha256: str, file_name: str, content: bytes
    ) -> None:
        response = self._api(
            "PUT",
            f"/api/v1/dossiers/{quote(portal_code, safe='')}/attachments/{sha256}",
            content=content,
            headers={
                "Content-Type": "application/octet-stream",
                "X-File-Name": quote(file_name, safe=""),
            },
        )
        try:
            data = _json_object(response)
            if data.get("sha256") != sha256:
                raise _Malformed("sha256")
        except _Malformed as exc:
            raise self._malformed(response, exc) from None

    def get_dossier(self, portal_code: str) -> PortalDossier:
        response = self._api("GET", f"/api/v1/dossiers/{quote(portal_code, safe='')}")
        return self._dossier(response)

    def changes_since(self, since: datetime | None, *, limit: int = 200) -> ChangePage:
        params: dict[str, str | int] = {"limit": limit}
        if since is not None:
            aware = since if since.tzinfo is not None else since.replace(tzinfo=VIETNAM)
            params["since"] = aware.isoformat(timespec="microseconds")
        response = self._api("GET", "/api/v1/changes", params=params)
        try:
            data = _json_object(response)
            raw = data["changes"]
            more = data.get("more", False)
            if not isinstance(raw, list) or not isinstance(more, bool):
                raise _Malformed("changes")
            changes = tuple(
                StatusChange(
                    portal_code=_text(item, "portal_code"),
                    local_code=_text(item, "local_code"),
                    status=_text(item, "status"),
                    at=_time(item, "at"),
                    note=_optional_text(item, "note"),
                    requested_documents=_requested_documents(item),
                    reason=_optional_text(item, "reason"),
                )
                for item in raw
            )
            return ChangePage(changes=changes, until=_time(data, "until"), more=more)
        except (KeyError, TypeError, _Malformed) as exc:
            raise self._malformed(response, exc) from None

    # --- plumbing --------------------------------------------------------------------------

    def _api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """An authenticated request; on ``invalid_token`` one fresh token and one repeat."""
        token = self._bearer()
        response = self._send(method, path, token=token, **kwargs)
        if response.status_code == 401:
            self._forget_token(token)
            token = self._fetch_token()
            response = self._send(method, path, token=token, **kwargs)
            if response.status_code == 401:
                log.warning("portal %s refused a fresh token for %s %s", self._host, method, path)
                raise PortalAuthError(
                    "Hệ thống dịch vụ công trực tuyến không chấp nhận phiên làm việc của phần "
                    "mềm dù vừa đăng nhập lại.",
                    _CREDENTIALS_HINT,
                )
        self._raise_for_status(response)
        return response

    def _send(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        try:
            return self._http.request(method, path, headers=all_headers, **kwargs)
        except httpx.TimeoutException as exc:
            log.info(
                "portal %s: %s %s timed out (%s)", self._host, method, path, type(exc).__name__
            )
            raise PortalUnavailable(
                f"Hệ thống dịch vụ công trực tuyến ({self._host}) không trả lời trong "
                f"{self._timeout:g} giây.",
                _RETRY_HINT,
            ) from None
        except httpx.TransportError as exc:
            log.info("portal %s: %s %s failed: %r", self._host, method, path, exc)
            if _is_tls_failure(exc):
                raise PortalUnavailable(
                    f"Chứng chỉ bảo mật (TLS) của hệ thống dịch vụ công trực tuyến ({self._host}) "
                    "không hợp lệ, nên phần mềm không gửi dữ liệu.",
                    "Kiểm tra ngày giờ của máy tính và địa chỉ hệ thống; nếu vẫn lỗi, báo cho đơn "
                    "vị quản lý hệ thống dịch vụ công.",
                ) from None
            raise PortalUnavailable(
                f"Không kết nối được hệ thống dịch vụ công trực tuyến ({self._host}).",
                _RETRY_HINT,
            ) from None

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        body = _error_body(response)
        code = str(body.get("error") or f"http_{status}")
        message = body.get("message") if isinstance(body.get("message"), str) else None
        log.info(
            "portal %s: %s %s -> HTTP %s %s",
            self._host,
            response.request.method,
            response.request.url.path,
            status,
            code,
        )
        if status in {408, 429} or status >= 500:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            busy = "đang quá tải" if status == 429 else f"đang gặp sự cố (mã {status})"
            raise PortalUnavailable(
                f"Hệ thống dịch vụ công trực tuyến ({self._host}) {busy}.",
                _RETRY_HINT,
                retry_after=retry_after,
            )
        if status == 403:
            raise PortalAuthError(
                "Tài khoản kết nối của phần mềm không được phép thực hiện thao tác này trên hệ "
                "thống dịch vụ công trực tuyến.",
                _CREDENTIALS_HINT,
            )
        if 400 <= status < 500:
            raise _rejection(status, code, message, body.get("fields"))
        # A redirect or another odd answer: most likely a proxy or a wrong address; may pass.
        raise PortalUnavailable(
            f"Hệ thống dịch vụ công trực tuyến ({self._host}) trả lời không như mong đợi "
            f"(mã {status}).",
            _RETRY_HINT,
        )

    def _dossier(self, response: httpx.Response) -> PortalDossier:
        try:
            data = _json_object(response)
            missing = data.get("missing_attachments", [])
            if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
                raise _Malformed("missing_attachments")
            return PortalDossier(
                portal_code=_text(data, "portal_code"),
                local_code=_text(data, "local_code"),
                status=_text(data, "status"),
                status_at=_time(data, "status_at"),
                note=_optional_text(data, "note"),
                replayed=response.headers.get("Idempotent-Replayed", "").lower() == "true",
                missing_attachments=tuple(missing),
            )
        except (KeyError, _Malformed) as exc:
            raise self._malformed(response, exc) from None

    def _malformed(self, response: httpx.Response, exc: BaseException) -> PortalUnavailable:
        log.warning(
            "portal %s: malformed answer to %s %s (HTTP %s): %s",
            self._host,
            response.request.method,
            response.request.url.path,
            response.status_code,
            exc,
        )
        return PortalUnavailable(
            f"Hệ thống dịch vụ công trực tuyến ({self._host}) trả lời sai định dạng.",
            _RETRY_HINT,
        )


def _rejection(status: int, code: str, message: str | None, fields: Any) -> PortalRejected:
    reason = _REJECTION_TEXT.get(code, f"Hệ thống dịch vụ công từ chối yêu cầu (mã {code})")
    problems: dict[str, str] = {}
    if isinstance(fields, dict):
        problems = {str(k): str(v) for k, v in fields.items()}
    text = reason + (f": {message}" if message else ".")
    if problems:
        text += "\n" + "\n".join(f"- {name}: {why}" for name, why in problems.items())
    return PortalRejected(text, _REJECTION_HINT, status=status, code=code, fields=problems)


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as exc:  # JSONDecodeError and undecodable bytes alike
        raise _Malformed("not JSON") from exc
    if not isinstance(data, dict):
        raise _Malformed("not a JSON object")
    return data


def _error_body(response: httpx.Response) -> dict[str, Any]:
    try:
        return _json_object(response)
    except _Malformed:
        return {}


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value:
        raise _Malformed(key)
    return value


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise _Malformed(key)
    return value


def _requested_documents(data: Mapping[str, Any]) -> tuple[RequestedDocument, ...]:
    """The papers a ``supplement_requested`` change lists; none when the portal sent none."""
    raw = data.get("requested_documents", [])
    if not isinstance(raw, list):
        raise _Malformed("requested_documents")
    papers = []
    for item in raw:
        if not isinstance(item, dict):
            raise _Malformed("requested_documents")
        name = _text(item, "name")
        count = item.get("count")
        kind = item.get("kind")
        if not name.strip():
            raise _Malformed("requested_documents.name")
        # bool is an int in Python but not a number in JSON.
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise _Malformed("requested_documents.count")
        if kind not in _DOCUMENT_KINDS:
            raise _Malformed("requested_documents.kind")
        papers.append(RequestedDocument(name=name, count=count, kind=kind))
    return tuple(papers)


def _time(data: Mapping[str, Any], key: str) -> datetime:
    value = _text(data, key)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Malformed(key) from None
    if moment.tzinfo is None:
        raise _Malformed(f"{key} without offset")
    return moment


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _is_tls_failure(exc: httpx.TransportError) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if "SSL" in type(seen).__name__ or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
