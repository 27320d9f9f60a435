"""``onestop-desk portal-sim``: a local server speaking the portal contract (training, tests)."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sqlite3
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from types import FrameType
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from onestop_desk.portal.sim_contract import (
    Reply,
    Request,
    Simulator,
    _method_not_allowed,
    error_reply,
)
from onestop_desk.portal.sim_store import SimStore, StoreClosed, now_us

_MAX_BODY = 64 * 1024 * 1024


class _BodyError(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One write per reply is the only flush; without Nagle it leaves at once.
    disable_nagle_algorithm = True
    # An idle keep-alive connection holds a thread; let it go after a while.
    timeout = 120

    def _server(self) -> _SimServer:
        return cast(_SimServer, self.server)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        raw = self.headers.get("Content-Length", "0").strip() or "0"
        if not raw.isdigit():
            raise _BodyError(error_reply(400, "invalid_request", "Content-Length không hợp lệ."))
        length = int(raw)
        if length > _MAX_BODY:
            raise _BodyError(error_reply(413, "too_large", "Tệp gửi lên lớn quá 64 MB."))
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(line, 16)
            except ValueError:
                raise _BodyError(
                    error_reply(400, "invalid_request", "Dữ liệu gửi theo khối bị hỏng.")
                ) from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > _MAX_BODY:
                raise _BodyError(error_reply(413, "too_large", "Tệp gửi lên lớn quá 64 MB."))
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _serve(self) -> None:
        started = time.perf_counter()
        url = urlsplit(self.path)
        try:
            body = self._read_body()
        except _BodyError as problem:
            # The unread rest of the body would be taken for the next request.
            self.close_connection = True
            self._send(problem.reply, started)
            return
        request = Request(
            method=self.command,
            path=url.path,
            query=parse_qs(url.query),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        try:
            reply = self._server().simulator.handle(request)
        except StoreClosed:
            reply = Reply(0, drop=True)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            reply = error_reply(500, "internal_error", "Lỗi trong máy chủ giả lập (xem nhật ký).")
        self._send(reply, started)

    def _send(self, reply: Reply, started: float) -> None:
        if reply.drop:
            self.close_connection = True
            self._log_request("—", started)
            return
        phrase = HTTPStatus(reply.status).phrase
        head = [
            f"HTTP/1.1 {reply.status} {phrase}",
            f"Content-Type: {reply.content_type}",
            f"Content-Length: {len(reply.body)}",
        ]
        head.extend(f"{name}: {value}" for name, value in reply.headers)
        if self.close_connection:
            head.append("Connection: close")
        message = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + reply.body
        self.wfile.write(message)
        self._log_request(str(reply.status), started)

    def _log_request(self, status: str, started: float) -> None:
        if self._server().verbose:
            elapsed_ms = (time.perf_counter() - started) * 1000
            sys.stderr.write(
                f"{self.address_string()} {self.command} {self.path} {status} {elapsed_ms:.1f} ms\n"
            )

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Malformed request lines and unknown methods: answer JSON like everything else.
        self.close_connection = True
        if code == HTTPStatus.NOT_IMPLEMENTED:
            reply = _method_not_allowed("GET, POST, PUT")
        else:
            reply = error_reply(code, "invalid_request", "Yêu cầu HTTP không đúng dạng.")
        self._send(reply, time.perf_counter())

    def log_message(self, format: str, *args: Any) -> None:
        # The base class logs every request to stderr: slow and noisy; --verbose has its own.
        if self._server().verbose:
            super().log_message(format, *args)


class _SimServer(ThreadingHTTPServer):
    daemon_threads = True
    # Joining handler threads would wait on idle keep-alive clients at shutdown.
    block_on_close = False
    request_queue_size = 256

    def __init__(
        self, address: tuple[str, int], simulator: Simulator, *, verbose: bool, ipv6: bool
    ) -> None:
        self.simulator = simulator
        self.verbose = verbose
        if ipv6:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can hang on a reverse DNS query.
        TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])


def _number(kind: Callable[[str], float], minimum: float, maximum: float | None = None) -> Any:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"“{text}” không phải là số hợp lệ.") from None
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" đến {maximum:g}" if maximum is not None else " trở lên"
            raise argparse.ArgumentTypeError(
                f"cần một số từ {minimum:g}{upper}, không phải {text}."
            )
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onestop-desk portal-sim",
        description=(
            "Máy chủ giả lập hệ thống dịch vụ công trực tuyến theo hợp đồng docs/portal-api.md, "
            "dùng để đào tạo, trình diễn và kiểm thử."
        ),
    )
    parser.add_argument(
        "--port",
        type=_number(int, 0, 65535),
        default=8765,
        help="cổng lắng nghe (0 = tự chọn một cổng trống; mặc định 8765)",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="địa chỉ lắng nghe (mặc định 127.0.0.1)"
    )
    parser.add_argument(
        "--state",
        metavar="TỆP",
        help="tệp SQLite giữ dữ liệu qua các lần khởi động lại; không có thì chỉ giữ trong bộ nhớ",
    )
    parser.add_argument("--client-id", default="demo", help="mã ứng dụng được cấp (mặc định demo)")
    parser.add_argument(
        "--secret",
        default=os.environ.get("ONESTOP_SIM_SECRET", "demo"),
        help="mật khẩu ứng dụng (mặc định lấy từ biến môi trường ONESTOP_SIM_SECRET, "
        "không có thì là demo)",
    )
    parser.add_argument(
        "--fail-rate",
        type=_number(float, 0, 1),
        default=0.0,
        metavar="TỈ_LỆ",
        help="tỉ lệ yêu cầu /api/v1 bị lỗi ngẫu nhiên, từ 0 đến 1 (chia đều bốn kiểu lỗi)",
    )
    parser.add_argument(
        "--latency",
        type=_number(float, 0),
        default=0.0,
        metavar="MS",
        help="độ trễ thêm vào mỗi câu trả lời, tính bằng mili giây",
    )
    parser.add_argument(
        "--down-every",
        type=_number(int, 0),
        default=0,
        metavar="N",
        help="cứ đến yêu cầu /api/v1 thứ N thì đóng kết nối mà không trả lời (0 = không bao giờ)",
    )
    parser.add_argument(
        "--step-seconds",
        type=_number(float, 0),
        default=60.0,
        metavar="GIÂY",
        help="sau bao nhiêu giây hồ sơ chuyển sang bước tiếp theo (mặc định 60; 0 = không tự "
        "chuyển)",
    )
    parser.add_argument(
        "--token-ttl",
        type=_number(int, 1),
        default=3600,
        metavar="GIÂY",
        help="thời hạn của mã truy cập, tính bằng giây (mặc định 3600)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="hạt giống cho lỗi ngẫu nhiên, để lặp lại đúng một chuỗi lỗi",
    )
    parser.add_argument("--verbose", action="store_true", help="ghi từng yêu cầu ra stderr")
    return parser


def _ticker(store: SimStore, step_s: float, stop: threading.Event) -> None:
    """Moves due dossiers on; a check a few times per step keeps the timing close enough."""
    interval = max(0.02, min(1.0, step_s / 4))
    while not stop.wait(interval):
        try:
            store.advance(due_before=now_us())
        except StoreClosed:
            return
        except sqlite3.Error:
            traceback.print_exc(file=sys.stderr)


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    step_us = round(args.step_seconds * 1_000_000)
    try:
        store = SimStore(args.state, step_us=step_us)
    except sqlite3.Error as error:
        print(f"Không mở được tệp trạng thái {args.state}: {error}", file=sys.stderr)
        return 2
    simulator = Simulator(
        store,
        client_id=args.client_id,
        secret=args.secret,
        token_ttl=args.token_ttl,
        fail_rate=args.fail_rate,
        latency_s=args.latency / 1000,
        down_every=args.down_every,
        seed=args.seed,
    )
    ipv6 = ":" in args.host
    try:
        server = _SimServer((args.host, args.port), simulator, verbose=args.verbose, ipv6=ipv6)
    except OSError as error:
        store.close()
        print(
            f"Không mở được cổng {args.port} trên {args.host}: {error.strerror or error}. "
            "Chọn cổng khác bằng --port, hoặc --port 0 để tự chọn.",
            file=sys.stderr,
        )
        return 2

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, request_stop)
    serving = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="portal-sim"
    )
    serving.start()
    ticker = None
    if step_us > 0:
        ticker = threading.Thread(
            target=_ticker, args=(store, args.step_seconds, stop), name="portal-sim-ticker"
        )
        ticker.start()
    host = f"[{args.host}]" if ipv6 else args.host
    print(f"portal-sim listening on http://{host}:{server.server_port}", flush=True)
    try:
        # A timed wait: a signal handler runs only between the main thread's bytecodes.
        while not stop.wait(0.5):
            pass
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        serving.join()
        if ticker is not None:
            ticker.join()
        store.close()
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
