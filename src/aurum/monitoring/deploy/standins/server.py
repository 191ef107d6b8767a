"""The loopback HTTP server under the stand-ins, and the faults it can inject.

An app is a plain object that turns a :class:`Request` into a :class:`Reply`; this module does the
sockets. Faults are injected here, between the socket and the app, so every stand-in gets the same
ones: a burst of error statuses, a slow answer (the request is still handled, late, as a busy server
would), a dropped connection before the request is handled, or after it was handled (the write
happened but the answer never arrives, the case that makes blind retries dangerous), and an answer
whose body breaks off after the request was handled: ``truncate`` sends the full ``Content-Length``
and half the body, ``truncate-chunked`` one chunk of a chunked body, and both close the connection
(what reaches the client as ``IncompleteRead``/``ChunkedEncodingError``). A status fault can carry a
``Retry-After`` header.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal, Protocol
from urllib.parse import parse_qs, urlsplit

__all__ = ["App", "Fault", "Faults", "Reply", "Request", "Seen", "serve"]

FaultKind = Literal["status", "slow", "drop", "drop-after", "truncate", "truncate-chunked"]


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    """Header names lower-cased."""
    body: bytes


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    """Further headers (GitHub's ``Link`` for the next page)."""


class App(Protocol):
    def handle(self, request: Request) -> Reply: ...


@dataclass
class Fault:
    kind: FaultKind
    times: int = 1
    status: int = 503
    delay: float = 1.0
    method: str | None = None
    path: str | None = None
    """A path prefix; None matches every path."""
    retry_after: str | None = None
    """A ``Retry-After`` header for a status fault."""

    def matches(self, method: str, path: str) -> bool:
        return (self.method in {None, method}) and (self.path is None or path.startswith(self.path))


@dataclass(frozen=True, slots=True)
class Seen:
    method: str
    path: str
    outcome: str
    """The status sent, or ``dropped``."""


@dataclass
class Faults:
    """Faults to inject, consumed in the order added; and every request seen, for assertions."""

    pending: list[Fault] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self,
        kind: FaultKind,
        *,
        times: int = 1,
        status: int = 503,
        delay: float = 1.0,
        method: str | None = None,
        path: str | None = None,
        retry_after: str | None = None,
    ) -> Fault:
        fault = Fault(kind, times, status, delay, method, path, retry_after)
        with self._lock:
            self.pending.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.pending:
                if fault.times > 0 and fault.matches(method, path):
                    fault.times -= 1
                    return fault
        return None

    def record(self, method: str, path: str, outcome: str) -> None:
        with self._lock:
            self.seen.append(Seen(method, path, outcome))

    def clear(self) -> None:
        with self._lock:
            self.pending.clear()
            self.seen.clear()

    def count(self, method: str, path: str) -> int:
        with self._lock:
            return sum(1 for s in self.seen if s.method == method and s.path == path)


def _handler(app: App, faults: Faults) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers; every reply has a Content-Length
        disable_nagle_algorithm = True  # headers and body are two writes: without this, 40 ms per answer

        def _serve(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            fault = faults.take(self.command, split.path)
            kind = fault.kind if fault is not None else None
            if kind == "drop":
                self._drop(split.path)
                return
            if fault is not None and kind == "status":
                faults.record(self.command, split.path, str(fault.status))
                extra = (("Retry-After", fault.retry_after),) if fault.retry_after is not None else ()
                self._send(Reply(fault.status, b'{"message":"injected fault"}', headers=extra))
                return
            if fault is not None and kind == "slow":
                time.sleep(fault.delay)
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = app.handle(Request(self.command, split.path, parse_qs(split.query), headers, body))
            if kind == "drop-after":
                self._drop(split.path)
                return
            if kind in {"truncate", "truncate-chunked"}:
                self._truncate(split.path, reply, chunked=kind == "truncate-chunked")
                return
            faults.record(self.command, split.path, str(reply.status))
            self._send(reply)

        def _drop(self, path: str) -> None:
            faults.record(self.command, path, "dropped")
            self.close_connection = True

        def _truncate(self, path: str, reply: Reply, *, chunked: bool) -> None:
            """The status and headers of ``reply``, then part of its body, then a closed connection."""
            faults.record(self.command, path, f"truncated {reply.status}")
            body = reply.body or b"{}"
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                part = body[: max(1, len(body) // 2)]
                self.wfile.write(f"{len(body):x}\r\n".encode() + part)  # the chunk never ends
            else:
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True

        def _send(self, reply: Reply) -> None:
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)
            except OSError:  # the client gave up (a slow answer past its timeout)
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815 - the names http.server dispatches to

        def log_message(self, format: str, *args: object) -> None:  # the stdlib's signature
            """Quiet: tests assert on :attr:`Faults.seen` instead."""

    return Handler


@contextmanager
def serve(app: App, faults: Faults | None = None) -> Iterator[str]:
    """Serve ``app`` on a free loopback port for the ``with`` block; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(app, faults or Faults()))
    server.daemon_threads = True  # a slow-answer thread must not keep the test process alive
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
