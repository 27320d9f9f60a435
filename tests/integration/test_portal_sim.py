"""The portal simulator as its users meet it: a real server process spoken to over HTTP."""

from __future__ import annotations

import hashlib
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest

VN_TZ = timezone(timedelta(hours=7))
START_TIMEOUT_S = 20
CODE = re.compile(r"G22\.99-(\d{6})-\d{6}")
ATTACHMENT_A = b"scan of the birth certificate"
ATTACHMENT_B = b"scan of the household book"
AUTO_CHAIN = ("received", "processing", "result_ready")


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def dossier_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "local_code": "H52.15.01-261123-0001",
        "agency_code": "H52.15.01",
        "procedure_code": "1.001193",
        "received_at": "2026-11-23T09:15:00+07:00",
        "due_at": "2026-11-23T15:00:00+07:00",
        "result_channel": "desk",
        "result_address": None,
        "fee": 0,
        "applicant": {
            "id_number": "066190001234",
            "full_name": "Nguyễn Thị Hoa",
            "birth_date": "1990-05-12",
            "sex": "Nữ",
            "address": "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk",
            "phone": "0912345678",
            "email": None,
        },
        "form": {"child.full_name": "Trần Minh An"},
        "documents": [{"name": "Giấy chứng sinh", "count": 1, "kind": "original"}],
    }
    body.update(changes)
    return body


def new_key() -> str:
    return uuid.uuid4().hex


@dataclass
class Sim:
    process: subprocess.Popen[str]
    url: str
    clients: list[httpx.Client]

    def client(self, *, authorised: bool = True) -> httpx.Client:
        """A keep-alive client, closed by the fixture; with a fresh token unless told not to."""
        client = httpx.Client(base_url=self.url, timeout=10)
        self.clients.append(client)
        if authorised:
            client.headers["Authorization"] = f"Bearer {fetch_token(client)}"
        return client

    def stats(self) -> dict[str, int]:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            reply = client.get("/sim/stats")
        assert reply.status_code == 200
        stats: dict[str, int] = reply.json()
        return stats

    def stop(self, signum: int = signal.SIGTERM) -> int:
        for client in self.clients:
            client.close()
        self.process.send_signal(signum)
        return self.process.wait(timeout=10)


def fetch_token(client: httpx.Client, secret: str = "demo") -> str:
    reply = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "demo", "client_secret": secret},
    )
    assert reply.status_code == 200, reply.text
    token: str = reply.json()["access_token"]
    return token


@pytest.fixture
def start_sim() -> Iterator[Callable[..., Sim]]:
    """Starts simulator processes on free ports; every one is stopped when the test ends."""
    started: list[Sim] = []

    def start(*args: str, command: tuple[str, ...] | None = None) -> Sim:
        prefix = command or (sys.executable, "-m", "onestop_desk.portal.sim")
        process = subprocess.Popen(
            [*prefix, "--port", "0", *args],
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        sim = Sim(process, "", [])
        started.append(sim)
        stdout = process.stdout
        assert stdout is not None
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(stdout.readline()))
        reader.start()
        reader.join(START_TIMEOUT_S)
        assert lines, "the simulator did not announce its port"
        match = re.fullmatch(r"portal-sim listening on (http://127\.0\.0\.1:\d+)\n", lines[0])
        assert match, f"unexpected first line {lines[0]!r}"
        sim.url = match[1]
        return sim

    yield start
    for sim in started:
        for client in sim.clients:
            client.close()
        if sim.process.poll() is None:
            sim.process.terminate()
            try:
                sim.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                sim.process.kill()
                sim.process.wait()
        assert sim.process.stdout is not None
        sim.process.stdout.close()


def create(client: httpx.Client, key: str, body: dict[str, Any] | None = None) -> httpx.Response:
    return client.post(
        "/api/v1/dossiers", json=body or dossier_body(), headers={"Idempotency-Key": key}
    )


def upload(client: httpx.Client, code: str, content: bytes, digest: str | None = None) -> int:
    reply = client.put(
        f"/api/v1/dossiers/{code}/attachments/{digest or sha(content)}",
        content=content,
        headers={"Content-Type": "application/octet-stream", "X-File-Name": "gi%E1%BA%A5y.jpg"},
    )
    return reply.status_code


def test_api_needs_a_valid_unexpired_token(start_sim: Callable[..., Sim]) -> None:
    sim = start_sim("--token-ttl", "1")
    anonymous = sim.client(authorised=False)
    missing = anonymous.get("/api/v1/changes")
    assert (missing.status_code, missing.json()["error"]) == (401, "invalid_token")
    wrong = anonymous.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "demo", "client_secret": "x"},
    )
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    granted = anonymous.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "demo", "client_secret": "demo"},
    ).json()
    assert granted["token_type"] == "Bearer"
    assert granted["expires_in"] == 1
    bearer = {"Authorization": f"Bearer {granted['access_token']}"}
    assert anonymous.get("/api/v1/changes", headers=bearer).status_code == 200
    unknown = anonymous.get("/api/v1/changes", headers={"Authorization": "Bearer nonsense"})
    assert (unknown.status_code, unknown.json()["error"]) == (401, "invalid_token")
    time.sleep(1.1)
    expired = anonymous.get("/api/v1/changes", headers=bearer)
    assert (expired.status_code, expired.json()["error"]) == (401, "invalid_token")


def test_expire_tokens_forces_a_new_token(start_sim: Callable[..., Sim]) -> None:
    sim = start_sim()
    client = sim.client()
    assert client.get("/api/v1/changes").status_code == 200
    assert client.post("/sim/expire-tokens").status_code == 200
    reply = client.get("/api/v1/changes")
    assert (reply.status_code, reply.json()["error"]) == (401, "invalid_token")
    client.headers["Authorization"] = f"Bearer {fetch_token(client)}"
    assert client.get("/api/v1/changes").status_code == 200


def test_same_key_returns_the_same_dossier(start_sim: Callable[..., Sim]) -> None:
    sim = start_sim()
    client = sim.client()
    before = datetime.now(VN_TZ).strftime("%y%m%d")
    key = new_key()
    first = create(client, key)
    after = datetime.now(VN_TZ).strftime("%y%m%d")
    assert first.status_code == 201, first.text
    dossier = first.json()
    match = CODE.fullmatch(dossier["portal_code"])
    assert match is not None
    assert match[1] in {before, after}
    assert dossier["local_code"] == "H52.15.01-261123-0001"
    assert dossier["status"] == "received"
    assert "Idempotent-Replayed" not in first.headers

    again = create(client, key)
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["portal_code"] == dossier["portal_code"]

    other = create(client, new_key())
    assert other.status_code == 201
    assert other.json()["portal_code"] != dossier["portal_code"]
    read = client.get(f"/api/v1/dossiers/{dossier['portal_code']}").json()
    assert read["status"] == "received"
    assert [entry["status"] for entry in read["history"]] == ["received"]
    assert client.get("/api/v1/dossiers/G22.99-000000-000000").status_code == 404
    stats = sim.stats()
    assert (stats["dossiers_created"], stats["duplicate_keys"], stats["requests"]) == (2, 1, 5)


def test_concurrent_requests_with_one_key_create_one_dossier(
    start_sim: Callable[..., Sim],
) -> None:
    sim = start_sim()
    token = fetch_token(sim.client(authorised=False))
    key = new_key()
    senders = 20
    barrier = threading.Barrier(senders)
    replies: list[tuple[int, str]] = []

    def send() -> None:
        with httpx.Client(
            base_url=sim.url, timeout=30, headers={"Authorization": f"Bearer {token}"}
        ) as client:
            client.get("/sim/stats")  # connect before the race starts
            barrier.wait()
            reply = create(client, key)
            replies.append((reply.status_code, reply.json()["portal_code"]))

    threads = [threading.Thread(target=send) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(status for status, _ in replies) == [200] * 19 + [201]
    assert len({code for _, code in replies}) == 1
    stats = sim.stats()
    assert stats["dossiers_created"] == 1
    assert stats["duplicate_dossiers"] == 0
    assert stats["duplicate_keys"] == 1


def test_state_survives_stop_and_kill(start_sim: Callable[..., Sim], tmp_path: Path) -> None:
    state = str(tmp_path / "portal.sqlite3")
    sim = start_sim("--state", state)
    first_key = new_key()
    first = create(sim.client(), first_key).json()
    assert sim.stop(signal.SIGTERM) == 0

    sim = start_sim("--state", state)
    client = sim.client()
    assert client.get(f"/api/v1/dossiers/{first['portal_code']}").json() == first
    replay = create(client, first_key)
    assert (replay.status_code, replay.json()["portal_code"]) == (200, first["portal_code"])
    second = create(client, new_key())
    assert second.status_code == 201
    # Killed right after the reply: what was answered must be on disk.
    sim.stop(signal.SIGKILL)

    sim = start_sim("--state", state)
    client = sim.client()
    read = client.get(f"/api/v1/dossiers/{second.json()['portal_code']}")
    assert read.status_code == 200
    assert read.json()["status_at"] == second.json()["status_at"]
    third = create(client, new_key()).json()
    codes = [first["portal_code"], second.json()["portal_code"], third["portal_code"]]
    assert [code[-6:] for code in codes] == ["000001", "000002", "000003"]
    stats = sim.stats()
    assert stats["dossiers_created"] == 3
    assert stats["duplicate_keys"] == 1
    assert stats["requests"] == 6


def test_dossier_waits_for_every_announced_attachment(start_sim: Callable[..., Sim]) -> None:
    sim = start_sim("--step-seconds", "0")
    client = sim.client()
    documents = [
        {
            "name": "Giấy chứng sinh",
            "count": 1,
            "kind": "original",
            "attachments": [
                {"sha256": sha(ATTACHMENT_A), "file_name": "a.jpg", "size": len(ATTACHMENT_A)},
                {"sha256": sha(ATTACHMENT_B), "file_name": "b.jpg", "size": len(ATTACHMENT_B)},
            ],
        }
    ]
    dossier = create(client, new_key(), dossier_body(documents=documents)).json()
    code = dossier["portal_code"]
    assert sorted(dossier["missing_attachments"]) == sorted([sha(ATTACHMENT_A), sha(ATTACHMENT_B)])

    mismatch = client.put(
        f"/api/v1/dossiers/{code}/attachments/{sha(ATTACHMENT_A)}",
        content=b"damaged on the way",
    )
    assert (mismatch.status_code, mismatch.json()["error"]) == (422, "hash_mismatch")
    assert upload(client, code, ATTACHMENT_A) == 201
    assert upload(client, code, ATTACHMENT_A) == 200
    assert upload(client, "G22.99-000000-000000", ATTACHMENT_A) == 404
    assert client.post("/sim/advance").json() == {"moved": 0}
    read = client.get(f"/api/v1/dossiers/{code}").json()
    assert (read["status"], read["missing_attachments"]) == ("received", [sha(ATTACHMENT_B)])

    assert upload(client, code, b"an extra page nobody announced") == 201
    assert upload(client, code, ATTACHMENT_B) == 201
    assert client.get(f"/api/v1/dossiers/{code}").json()["missing_attachments"] == []
    statuses = []
    for _ in range(3):
        client.post("/sim/advance")
        statuses.append(client.get(f"/api/v1/dossiers/{code}").json()["status"])
    assert statuses == ["processing", "result_ready", "result_ready"]
    assert sim.stats()["attachments"] == 3


def test_dossiers_move_on_by_themselves(start_sim: Callable[..., Sim]) -> None:
    sim = start_sim("--step-seconds", "0.3")
    client = sim.client()
    complete = create(client, new_key()).json()["portal_code"]
    waiting_documents = [
        {
            "name": "Sổ hộ khẩu",
            "count": 1,
            "kind": "photocopy",
            "attachments": [{"sha256": sha(ATTACHMENT_B), "file_name": "b.jpg", "size": 3}],
        }
    ]
    waiting = create(client, new_key(), dossier_body(documents=waiting_documents)).json()
    deadline = time.monotonic() + 10
    while client.get(f"/api/v1/dossiers/{complete}").json()["status"] != "result_ready":
        assert time.monotonic() < deadline, "the dossier never reached result_ready"
        time.sleep(0.1)
    history = client.get(f"/api/v1/dossiers/{complete}").json()["history"]
    assert [entry["status"] for entry in history] == ["received", "processing", "result_ready"]
    times = [datetime.fromisoformat(entry["at"]) for entry in history]
    assert all(later - earlier >= timedelta(seconds=0.3) for earlier, later in pairwise(times))
    still = client.get(f"/api/v1/dossiers/{waiting['portal_code']}").json()
    assert still["status"] == "received"


def test_change_feed_pages_lose_and_repeat_nothing(start_sim: Callable[..., Sim]) -> None:
    sim = start_sim("--step-seconds", "0")
    client = sim.client()
    codes = [create(client, new_key()).json()["portal_code"] for _ in range(7)]
    client.post("/sim/advance")
    client.post("/sim/advance")
    expected = {(code, status) for code in codes for status in AUTO_CHAIN}

    def read_all(since: str | None, limit: int) -> tuple[list[dict[str, Any]], str]:
        seen: list[dict[str, Any]] = []
        while True:
            params: dict[str, Any] = {"limit": limit}
            if since is not None:
                params["since"] = since
            page = client.get("/api/v1/changes", params=params).json()
            assert len(page["changes"]) <= limit
            seen.extend(page["changes"])
            since = page["until"]
            if not page["more"]:
                return seen, since

    changes, until = read_all(None, 4)
    assert len(changes) == 21
    assert {(c["portal_code"], c["status"]) for c in changes} == expected
    moments = [datetime.fromisoformat(c["at"]) for c in changes]
    assert moments == sorted(set(moments))

    assert read_all(until, 4)[0] == []
    status = {"portal_code": codes[3], "status": "returned", "note": "Đã trả kết quả"}
    assert client.post("/sim/status", json=status).status_code == 200
    newer, _ = read_all(until, 4)
    assert [(c["portal_code"], c["status"], c["note"]) for c in newer] == [
        (codes[3], "returned", "Đã trả kết quả")
    ]
    wrong = client.get("/api/v1/changes", params={"since": "yesterday", "limit": 0})
    assert wrong.status_code == 400
    assert set(wrong.json()["fields"]) == {"since", "limit"}


def test_a_supplement_request_serves_its_papers_and_survives_a_restart(
    start_sim: Callable[..., Sim], tmp_path: Path
) -> None:
    state = tmp_path / "portal.sqlite3"
    # A state file from before papers were stored: opening it adds what is missing.
    with sqlite3.connect(state) as old:
        old.execute(
            "CREATE TABLE status_change (at INTEGER PRIMARY KEY, dossier_id INTEGER NOT NULL,"
            " status TEXT NOT NULL, note TEXT)"
        )
    old.close()
    sim = start_sim("--state", str(state), "--step-seconds", "0")
    client = sim.client()
    asked, silent = (create(client, new_key()).json()["portal_code"] for _ in range(2))
    papers = [
        {"name": "Bản sao Giấy khai sinh", "count": 1, "kind": "certified_copy"},
        {"name": "Sổ hộ khẩu", "count": 2, "kind": "photocopy"},
    ]
    request = {
        "portal_code": asked,
        "status": "supplement_requested",
        "note": "Đề nghị bổ sung",
        "requested_documents": papers,
        "reason": "Hồ sơ thiếu giấy khai sinh.",
    }
    reply = client.post("/sim/status", json=request)
    assert reply.status_code == 200
    assert (reply.json()["requested_documents"], reply.json()["reason"]) == (
        papers,
        "Hồ sơ thiếu giấy khai sinh.",
    )
    plain = {"portal_code": silent, "status": "supplement_requested", "note": "Thiếu giấy"}
    assert client.post("/sim/status", json=plain).status_code == 200

    for wrong, fields in (
        ({**request, "status": "processing"}, {"requested_documents", "reason"}),
        (
            {**request, "requested_documents": [{"name": "", "count": 0, "kind": "copy"}]},
            {
                "requested_documents[0].name",
                "requested_documents[0].count",
                "requested_documents[0].kind",
            },
        ),
        ({**request, "requested_documents": "Sổ hộ khẩu"}, {"requested_documents"}),
    ):
        refused = client.post("/sim/status", json=wrong)
        assert (refused.status_code, set(refused.json()["fields"])) == (400, fields)

    assert sim.stop() == 0
    sim = start_sim("--state", str(state), "--step-seconds", "0")
    client = sim.client()
    changes = client.get("/api/v1/changes").json()["changes"]
    with_papers, without = (c for c in changes if c["status"] == "supplement_requested")
    assert (with_papers["portal_code"], with_papers["requested_documents"]) == (asked, papers)
    assert with_papers["reason"] == "Hồ sơ thiếu giấy khai sinh."
    assert without["portal_code"] == silent
    assert "requested_documents" not in without  # the portal listed none
    assert "requested_documents" not in changes[0]  # nor does any other status
    read = client.get(f"/api/v1/dossiers/{asked}").json()
    assert (read["requested_documents"], read["note"]) == (papers, "Đề nghị bổ sung")
    # Once the dossier moves on, its read no longer carries the old request.
    client.post("/sim/status", json={"portal_code": asked, "status": "processing"})
    assert "requested_documents" not in client.get(f"/api/v1/dossiers/{asked}").json()


def test_fail_rate_produces_each_failure_kind(start_sim: Callable[..., Sim]) -> None:
    sim = start_sim("--fail-rate", "1.0", "--seed", "7")
    client = sim.client()
    kinds: Counter[str] = Counter()
    for _ in range(40):
        try:
            reply = create(client, new_key())
        except (httpx.RemoteProtocolError, httpx.ReadError):
            kinds["closed"] += 1
            continue
        if reply.status_code == 500:
            assert reply.json()["error"] == "internal_error"
            kinds[reply.headers["X-Sim-Fault"]] += 1
        else:
            assert reply.status_code == 200
            with pytest.raises(ValueError, match="Expecting value"):
                reply.json()
            kinds["not_json"] += 1
    assert set(kinds) == {"error_before", "error_after", "not_json", "closed"}
    stats = sim.stats()
    assert (stats["requests"], stats["failures_injected"]) == (40, 40)
    # Only a 500 "before" leaves nothing behind; every other kind lost a reply, not the work.
    assert stats["dossiers_created"] == 40 - kinds["error_before"]


def test_latency_delays_each_reply(start_sim: Callable[..., Sim]) -> None:
    sim = start_sim("--latency", "300")
    client = sim.client()
    for _ in range(2):
        started = time.perf_counter()
        assert client.get("/api/v1/changes").status_code == 200
        assert time.perf_counter() - started >= 0.3


def test_down_every_third_request_gets_no_reply(start_sim: Callable[..., Sim]) -> None:
    sim = start_sim("--down-every", "3")
    client = sim.client()
    outcomes = []
    for _ in range(9):
        try:
            outcomes.append(client.get("/api/v1/changes").status_code)
        except (httpx.RemoteProtocolError, httpx.ReadError):
            outcomes.append(0)
    assert outcomes == [200, 200, 0] * 3
    assert sim.stats()["failures_injected"] == 3


def test_invalid_requests_are_refused_with_reasons(start_sim: Callable[..., Sim]) -> None:
    sim = start_sim()
    client = sim.client()
    body = dossier_body(result_channel="post")
    body["applicant"] = {
        **body["applicant"],
        "id_number": "12345",
        "full_name": unicodedata.normalize("NFD", "Nguyễn Thị Hoa"),
    }
    body["documents"] = [{"name": "Giấy chứng sinh", "count": 0, "kind": "scan"}]
    reply = create(client, new_key(), body)
    assert (reply.status_code, reply.json()["error"]) == (400, "invalid_request")
    assert set(reply.json()["fields"]) == {
        "result_address",
        "applicant.id_number",
        "applicant.full_name",
        "documents[0].count",
        "documents[0].kind",
    }
    no_key = client.post("/api/v1/dossiers", json=dossier_body())
    assert (no_key.status_code, list(no_key.json()["fields"])) == (400, ["Idempotency-Key"])
    not_json = client.post(
        "/api/v1/dossiers",
        content=b"{broken",
        headers={"Idempotency-Key": new_key(), "Content-Type": "application/json"},
    )
    assert (not_json.status_code, not_json.json()["error"]) == (400, "invalid_request")
    unknown = create(client, new_key(), dossier_body(procedure_code="KHAI-SINH"))
    assert (unknown.status_code, unknown.json()["error"]) == (422, "unknown_procedure")
    long_form = create(client, new_key(), dossier_body(procedure_code="1.001193.000.00.00.H12"))
    assert long_form.status_code == 201
    assert sim.stats()["dossiers_created"] == 1


def test_onestop_desk_command_starts_the_simulator(start_sim: Callable[..., Sim]) -> None:
    sim = start_sim(
        "--step-seconds", "0", command=(sys.executable, "-m", "onestop_desk", "portal-sim")
    )
    assert sim.stats()["requests"] == 0
    assert sim.stop(signal.SIGINT) == 0
