"""The HTTP portal client against scripted answers, and the client from settings and keyring."""

from __future__ import annotations

import datetime as dt
import email.utils
import ipaddress
import json
import logging
import ssl
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

import httpx
import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring

from onestop_desk.config import load_settings, resolve_paths
from onestop_desk.errors import InputError
from onestop_desk.portal.client import (
    Applicant,
    AttachmentRef,
    DocumentItem,
    DossierPayload,
    PortalAuthError,
    PortalRejected,
    PortalUnavailable,
)
from onestop_desk.portal.credentials import (
    PortalNotConfigured,
    check_portal_url,
    client_from_settings,
    secret_name,
)
from onestop_desk.portal.http import VIETNAM, HttpPortalClient, payload_json, to_office_time
from onestop_desk.secrets import set_secret

BASE = "https://dvc.example.vn"
SECRET = "khoá-bí-mật-rất-riêng"
KEY = "6f1c" * 8
DOSSIER = {
    "portal_code": "G22.99-261123-000017",
    "local_code": "000.24481.H15-261123-0001",
    "status": "received",
    "status_at": "2026-11-23T09:15:02.250000+07:00",
    "note": None,
    "missing_attachments": ["ab" * 32],
}
PAYLOAD = DossierPayload(
    local_code="000.24481.H15-261123-0001",
    agency_code="000.24481.H15",
    procedure_code="1.001193",
    received_at=dt.datetime(2026, 11, 23, 9, 15),
    due_at=dt.datetime(2026, 11, 23, 15, 0),
    result_channel="desk",
    applicant=Applicant("066190001234", "Nguyễn Thị Hoa", birth_date="1990-05-12", sex="Nữ"),
    form={"child.full_name": "Trần Minh An"},
    documents=(
        DocumentItem(
            "Giấy chứng sinh",
            1,
            "original",
            (AttachmentRef("ab" * 32, "giấy chứng sinh.jpg", 183422),),
        ),
    ),
)


class Portal:
    """A scripted portal: a queue of answers per path, a token endpoint and a request log."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answers: dict[str, list[Callable[[httpx.Request], httpx.Response]]] = {}
        self.tokens_issued = 0
        self.valid_tokens: set[str] = set()
        self.token_answer: Callable[[httpx.Request], httpx.Response] | None = None
        self.expires_in = 3600

    def script(self, path: str, *answers: Callable[[httpx.Request], httpx.Response]) -> None:
        self.answers.setdefault(path, []).extend(answers)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/oauth/token":
            if self.token_answer is not None:
                return self.token_answer(request)
            form = parse_qs(request.content.decode())
            if form != {
                "grant_type": ["client_credentials"],
                "client_id": ["xa-hoa-son"],
                "client_secret": [SECRET],
            }:
                return httpx.Response(401, json={"error": "invalid_client", "message": "Sai"})
            self.tokens_issued += 1
            token = f"token-{self.tokens_issued}"
            self.valid_tokens.add(token)
            return httpx.Response(
                200,
                json={"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in},
            )
        auth = request.headers.get("Authorization", "")
        if auth.removeprefix("Bearer ") not in self.valid_tokens:
            return httpx.Response(401, json={"error": "invalid_token"})
        queue = self.answers.get(request.url.path, [])
        if not queue:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        return queue.pop(0)(request)

    def api_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.startswith("/api/")]


def answer(status: int, body: Any = None, **headers: str) -> Callable[..., httpx.Response]:
    def reply(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(status, content=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return reply


def fails(exc: Exception) -> Callable[..., httpx.Response]:
    def reply(request: httpx.Request) -> httpx.Response:
        raise exc

    return reply


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def portal() -> Portal:
    return Portal()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(portal: Portal, clock: FakeClock) -> Iterator[HttpPortalClient]:
    with HttpPortalClient(
        BASE, "xa-hoa-son", SECRET, transport=httpx.MockTransport(portal), monotonic=clock
    ) as c:
        yield c


CREATE = "/api/v1/dossiers"


def test_create_sends_the_contract_body_with_key_and_token(
    portal: Portal, client: HttpPortalClient
) -> None:
    portal.script(CREATE, answer(201, DOSSIER))
    reply = client.create_dossier(PAYLOAD, idempotency_key=KEY)

    assert reply.portal_code == "G22.99-261123-000017"
    assert reply.status == "received"
    assert reply.replayed is False
    assert reply.missing_attachments == ("ab" * 32,)
    assert to_office_time(reply.status_at) == dt.datetime(2026, 11, 23, 9, 15, 2, 250000)
    (sent,) = portal.api_requests()
    assert sent.method == "POST"
    assert sent.headers["Idempotency-Key"] == KEY
    assert sent.headers["Authorization"] == "Bearer token-1"
    assert sent.headers["Content-Type"] == "application/json"
    body = json.loads(sent.content)
    assert body == payload_json(PAYLOAD)
    # Office times travel with Vietnam's offset; names stay Vietnamese (UTF-8, NFC).
    assert body["received_at"] == "2026-11-23T09:15:00+07:00"
    assert body["applicant"]["full_name"] == "Nguyễn Thị Hoa"
    assert body["documents"][0]["attachments"][0]["size"] == 183422


def test_a_replayed_create_is_marked_as_such(portal: Portal, client: HttpPortalClient) -> None:
    portal.script(CREATE, answer(200, DOSSIER, **{"Idempotent-Replayed": "true"}))
    assert client.create_dossier(PAYLOAD, idempotency_key=KEY).replayed is True


def test_token_is_reused_until_30_seconds_before_it_expires(
    portal: Portal, client: HttpPortalClient, clock: FakeClock
) -> None:
    portal.expires_in = 300
    portal.script("/api/v1/dossiers/G1", *[answer(200, DOSSIER)] * 4)
    client.get_dossier("G1")
    clock.now += 269
    client.get_dossier("G1")
    assert portal.tokens_issued == 1
    clock.now += 2  # 271 s: inside the 30 s margin
    client.get_dossier("G1")
    assert portal.tokens_issued == 2
    assert portal.api_requests()[-1].headers["Authorization"] == "Bearer token-2"


def test_an_expired_token_is_renewed_once_and_the_request_repeated(
    portal: Portal, client: HttpPortalClient
) -> None:
    portal.script(CREATE, answer(201, DOSSIER), answer(200, DOSSIER))
    client.create_dossier(PAYLOAD, idempotency_key=KEY)
    portal.valid_tokens.clear()  # the portal expired every token

    reply = client.create_dossier(PAYLOAD, idempotency_key=KEY)

    assert reply.portal_code == DOSSIER["portal_code"]
    assert portal.tokens_issued == 2
    _first, refused, repeated = portal.api_requests()
    assert refused.headers["Authorization"] == "Bearer token-1"
    assert repeated.headers["Authorization"] == "Bearer token-2"
    assert repeated.content == refused.content
    assert repeated.headers["Idempotency-Key"] == KEY


def test_a_fresh_token_refused_again_is_an_auth_error_not_a_loop(
    portal: Portal, client: HttpPortalClient
) -> None:
    portal.script(CREATE, *[answer(401, {"error": "invalid_token"})] * 2)
    with pytest.raises(PortalAuthError, match="không chấp nhận phiên làm việc"):
        client.create_dossier(PAYLOAD, idempotency_key=KEY)
    assert len(portal.api_requests()) == 2
    assert portal.tokens_issued == 2


def test_wrong_credentials_are_an_auth_error_and_the_secret_is_never_shown(
    portal: Portal, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with (
        HttpPortalClient(
            BASE, "xa-hoa-son", "sai-mật-khẩu", transport=httpx.MockTransport(portal)
        ) as wrong,
        pytest.raises(PortalAuthError) as refused,
    ):
        wrong.create_dossier(PAYLOAD, idempotency_key=KEY)
    assert "từ chối thông tin đăng nhập" in refused.value.message
    assert "portal login" in (refused.value.hint or "")
    assert portal.api_requests() == []  # nothing was sent without a token
    assert "sai-mật-khẩu" not in refused.value.user_text()
    assert "sai-mật-khẩu" not in repr(wrong)
    assert "sai-mật-khẩu" not in caplog.text


def test_neither_secret_nor_token_reaches_the_log(
    portal: Portal, client: HttpPortalClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    portal.script(CREATE, answer(503, {"error": "unavailable"}))
    with pytest.raises(PortalUnavailable):
        client.create_dossier(PAYLOAD, idempotency_key=KEY)
    assert caplog.records  # the failure was logged...
    assert SECRET not in caplog.text  # ...without the secret or the token
    assert "token-1" not in caplog.text
    assert SECRET not in repr(client)


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (answer(500, {"error": "internal_error"}), "đang gặp sự cố (mã 500)"),
        (answer(502, b"<html>Bad gateway</html>"), "đang gặp sự cố (mã 502)"),
        (answer(200, b"<html>B\xe1o tr\xec</html>"), "trả lời sai định dạng"),
        (answer(201, {"portal_code": "G1"}), "trả lời sai định dạng"),
        (answer(201, [1, 2]), "trả lời sai định dạng"),
        (answer(201, {**DOSSIER, "status_at": "hôm qua"}), "trả lời sai định dạng"),
        (answer(302, b"", Location="https://login.example.vn"), "không như mong đợi"),
        (fails(httpx.ConnectError("refused")), "Không kết nối được hệ thống dịch vụ công"),
        (fails(httpx.RemoteProtocolError("closed")), "Không kết nối được hệ thống dịch vụ công"),
        (fails(httpx.ReadTimeout("slow")), "không trả lời trong 15 giây"),
    ],
)
def test_transient_trouble_is_portal_unavailable(
    portal: Portal,
    client: HttpPortalClient,
    reply: Callable[[httpx.Request], httpx.Response],
    message: str,
) -> None:
    portal.script(CREATE, reply)
    with pytest.raises(PortalUnavailable) as caught:
        client.create_dossier(PAYLOAD, idempotency_key=KEY)
    assert message in caught.value.message
    assert "gửi lại tự động" in (caught.value.hint or "")


def test_429_honours_retry_after_in_seconds_and_as_a_date(
    portal: Portal, client: HttpPortalClient
) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=120)
    portal.script(
        CREATE,
        answer(429, {"error": "rate_limited"}, **{"Retry-After": "42"}),
        answer(
            429, {"error": "rate_limited"}, **{"Retry-After": email.utils.format_datetime(later)}
        ),
        answer(503, {"error": "x"}),
    )
    with pytest.raises(PortalUnavailable, match="quá tải") as first:
        client.create_dossier(PAYLOAD, idempotency_key=KEY)
    assert first.value.retry_after == 42
    with pytest.raises(PortalUnavailable) as second:
        client.create_dossier(PAYLOAD, idempotency_key=KEY)
    assert second.value.retry_after is not None
    assert 100 < second.value.retry_after <= 120
    with pytest.raises(PortalUnavailable) as third:
        client.create_dossier(PAYLOAD, idempotency_key=KEY)
    assert third.value.retry_after is None


@pytest.mark.parametrize(
    "case",
    [
        (
            400,
            {
                "error": "invalid_request",
                "message": "Hồ sơ có 1 thông tin không hợp lệ.",
                "fields": {"applicant.id_number": "Phải gồm đúng 12 chữ số."},
            },
            "invalid_request",
            "- applicant.id_number: Phải gồm đúng 12 chữ số.",
        ),
        (
            422,
            {"error": "unknown_procedure", "message": "Không có thủ tục mã “9.9”."},
            "unknown_procedure",
            "không có thủ tục hành chính này: Không có thủ tục mã “9.9”.",
        ),
        (404, {"error": "not_found"}, "not_found", "không tìm thấy hồ sơ"),
        (409, {"error": "conflict", "message": "Trùng"}, "conflict", "trùng hoặc xung đột"),
        (400, b"not json", "http_400", "từ chối yêu cầu (mã http_400)"),
    ],
)
def test_permanent_refusals_are_portal_rejected_with_code_and_fields(
    portal: Portal, client: HttpPortalClient, case: tuple[int, Any, str, str]
) -> None:
    status, body, code, shown = case
    portal.script(CREATE, answer(status, body))
    with pytest.raises(PortalRejected) as caught:
        client.create_dossier(PAYLOAD, idempotency_key=KEY)
    assert caught.value.status == status
    assert caught.value.code == code
    assert shown in caught.value.message
    if status == 400 and isinstance(body, dict):
        assert caught.value.fields == {"applicant.id_number": "Phải gồm đúng 12 chữ số."}
    assert len(portal.api_requests()) == 1  # never repeated by the client itself


def test_upload_puts_the_bytes_under_their_hash_with_an_encoded_name(
    portal: Portal, client: HttpPortalClient
) -> None:
    sha = "ab" * 32
    path = f"/api/v1/dossiers/G22.99-261123-000017/attachments/{sha}"
    portal.script(path, answer(201, {"sha256": sha, "size": 3}), answer(200, {"sha": "x"}))
    client.upload_attachment("G22.99-261123-000017", sha, "giấy chứng sinh.jpg", b"abc")
    (put,) = portal.api_requests()
    assert put.method == "PUT"
    assert put.content == b"abc"
    assert put.headers["Content-Type"] == "application/octet-stream"
    assert unquote(put.headers["X-File-Name"]) == "giấy chứng sinh.jpg"
    assert put.headers["X-File-Name"].isascii()
    with pytest.raises(PortalUnavailable, match="sai định dạng"):
        client.upload_attachment("G22.99-261123-000017", sha, "a.jpg", b"abc")


def test_changes_are_read_from_a_time_with_its_offset_intact(
    portal: Portal, client: HttpPortalClient
) -> None:
    page = {
        "changes": [
            {
                "portal_code": "G1",
                "local_code": "L1",
                "status": "processing",
                "at": "2026-11-23T10:05:00.123456+07:00",
                "note": "Chuyển phòng Tư pháp",
            }
        ],
        "until": "2026-11-23T10:06:30.000000+07:00",
        "more": True,
    }
    portal.script("/api/v1/changes", answer(200, page), answer(200, {"changes": "x"}))
    since = dt.datetime(2026, 11, 23, 10, 0, tzinfo=VIETNAM)
    result = client.changes_since(since, limit=50)

    (request,) = portal.api_requests()
    assert request.url.params["since"] == "2026-11-23T10:00:00.000000+07:00"
    assert b"%2B07" in request.url.raw_path  # a bare "+" would arrive as a space
    assert request.url.params["limit"] == "50"
    assert result.more is True
    assert result.until == dt.datetime(2026, 11, 23, 10, 6, 30, tzinfo=VIETNAM)
    (change,) = result.changes
    assert (change.portal_code, change.status, change.note) == (
        "G1",
        "processing",
        "Chuyển phòng Tư pháp",
    )
    assert change.at.microsecond == 123456
    with pytest.raises(PortalUnavailable):
        client.changes_since(None)


SUPPLEMENT_CHANGE = {
    "portal_code": "G1",
    "local_code": "L1",
    "status": "supplement_requested",
    "at": "2026-11-23T10:05:00.123456+07:00",
    "note": "Đề nghị bổ sung",
    "requested_documents": [
        {"name": "Bản sao Giấy khai sinh", "count": 1, "kind": "certified_copy"},
        {"name": "Sổ hộ khẩu", "count": 2, "kind": "photocopy"},
    ],
    "reason": "Hồ sơ thiếu giấy khai sinh.",
}


def _feed(*changes: dict[str, Any]) -> dict[str, Any]:
    return {"changes": list(changes), "until": "2026-11-23T10:06:30.000000+07:00", "more": False}


def test_a_supplement_request_brings_its_papers_and_reason(
    portal: Portal, client: HttpPortalClient
) -> None:
    plain = {**SUPPLEMENT_CHANGE, "portal_code": "G2"}
    del plain["requested_documents"], plain["reason"]
    portal.script("/api/v1/changes", answer(200, _feed(SUPPLEMENT_CHANGE, plain)))
    listed, bare = client.changes_since(None).changes
    assert [(d.name, d.count, d.kind) for d in listed.requested_documents] == [
        ("Bản sao Giấy khai sinh", 1, "certified_copy"),
        ("Sổ hộ khẩu", 2, "photocopy"),
    ]
    assert listed.reason == "Hồ sơ thiếu giấy khai sinh."
    assert (bare.requested_documents, bare.reason, bare.note) == ((), None, "Đề nghị bổ sung")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("requested_documents", None),
        ("requested_documents", {"name": "Sổ hộ khẩu", "count": 1, "kind": "original"}),
        ("requested_documents", ["Sổ hộ khẩu"]),
        ("requested_documents", [{"count": 1, "kind": "original"}]),
        ("requested_documents", [{"name": " ", "count": 1, "kind": "original"}]),
        ("requested_documents", [{"name": "Sổ hộ khẩu", "count": 0, "kind": "original"}]),
        ("requested_documents", [{"name": "Sổ hộ khẩu", "count": "1", "kind": "original"}]),
        ("requested_documents", [{"name": "Sổ hộ khẩu", "count": True, "kind": "original"}]),
        ("requested_documents", [{"name": "Sổ hộ khẩu", "count": 1, "kind": "copy"}]),
        ("requested_documents", [{"name": "Sổ hộ khẩu", "count": 1}]),
        ("reason", ["Thiếu giấy"]),
    ],
)
def test_a_malformed_supplement_request_is_a_malformed_answer(
    portal: Portal, client: HttpPortalClient, key: str, value: Any
) -> None:
    portal.script("/api/v1/changes", answer(200, _feed({**SUPPLEMENT_CHANGE, key: value})))
    with pytest.raises(PortalUnavailable, match="sai định dạng"):
        client.changes_since(None)


def test_refused_token_request_of_any_kind_is_an_auth_error(portal: Portal) -> None:
    portal.token_answer = answer(400, {"error": "unsupported_grant_type"})
    with (
        HttpPortalClient(BASE, "x", "y", transport=httpx.MockTransport(portal)) as c,
        pytest.raises(PortalAuthError),
    ):
        c.check_credentials()
    portal.token_answer = answer(200, {"token_type": "Bearer"})
    with (
        HttpPortalClient(BASE, "x", "y", transport=httpx.MockTransport(portal)) as c,
        pytest.raises(PortalUnavailable, match="sai định dạng"),
    ):
        c.check_credentials()


# --- TLS: a real handshake with a certificate nobody vouches for -------------------------------


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class _TokenHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = b'{"access_token": "t", "expires_in": 3600}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_certificate_that_does_not_verify_stops_everything(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    server = HTTPServer(("127.0.0.1", 0), _TokenHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}"
        with (
            HttpPortalClient(url, "demo", "demo", timeout=5) as c,
            pytest.raises(PortalUnavailable, match=r"Chứng chỉ bảo mật \(TLS\)"),
        ):
            c.check_credentials()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- the client from this PC's settings and keyring ---------------------------------------------


def test_client_from_settings_needs_address_id_and_secret(tmp_path: Path) -> None:
    keyring.set_keyring(PlaintextKeyring())
    paths = resolve_paths(tmp_path)
    paths.ensure()
    with pytest.raises(PortalNotConfigured, match="chạy onestop-desk portal login"):
        client_from_settings(load_settings(paths))

    # Written by hand, with a whole number of seconds: read as the float it stands for.
    paths.settings_file.write_text(
        'version = 1\n[portal]\nurl = "https://dvc.daklak.gov.vn/"\nclient_id = "xa-hoa-son"\n'
        "timeout_s = 10\n",
        encoding="utf-8",
    )
    settings = load_settings(paths)
    assert settings.portal.timeout_s == 10.0
    with pytest.raises(PortalNotConfigured, match="kho mật khẩu của máy này không có"):
        client_from_settings(settings)

    set_secret(secret_name("https://dvc.daklak.gov.vn", "xa-hoa-son"), SECRET)
    with client_from_settings(settings) as client:
        assert client.base_url == "https://dvc.daklak.gov.vn"
        assert SECRET not in repr(client)
    assert SECRET not in paths.settings_file.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://dvc.daklak.gov.vn", True),
        ("http://127.0.0.1:8765", True),
        ("http://localhost:8765/", True),
        ("http://[::1]:8765", True),
        ("http://dvc.daklak.gov.vn", False),  # the secret would cross the network in clear
        ("http://192.168.1.10:8765", False),
        ("ftp://dvc.daklak.gov.vn", False),
        ("dvc.daklak.gov.vn", False),
    ],
)
def test_only_https_or_this_very_pc(url: str, ok: bool) -> None:
    if ok:
        assert check_portal_url(url) == url.rstrip("/")
    else:
        with pytest.raises(InputError):
            check_portal_url(url)
