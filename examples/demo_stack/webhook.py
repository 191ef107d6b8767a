"""The Alertmanager webhook receiver: logs every notification it is sent, and keeps them for tests.

Alertmanager POSTs one JSON document per notification (``{"status", "alerts": [{"status", "labels",
"annotations", ...}], ...}``). Each is appended to a JSON-lines log, handed to ``echo`` (the demo prints
a line per alert) and kept in memory, where the end-to-end test looks for the SLO alert.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["WebhookReceiver", "webhook_receiver"]

Alert = dict[str, Any]
PATH = "/alerts"


class WebhookReceiver:
    def __init__(self, log: Path, echo: Callable[[Alert], None] | None = None) -> None:
        self.log = log
        self._echo = echo
        self._lock = threading.Lock()
        self._notifications: list[dict[str, Any]] = []
        self.url = ""

    def receive(self, notification: dict[str, Any]) -> None:
        with self._lock:
            self._notifications.append(notification)
            with self.log.open("a") as out:
                out.write(json.dumps(notification, sort_keys=True) + "\n")
        for alert in notification.get("alerts", []):
            if self._echo is not None:
                self._echo(alert)

    def alerts(self) -> list[Alert]:
        """Every alert of every notification so far, oldest first."""
        with self._lock:
            return [alert for n in self._notifications for alert in n.get("alerts", [])]


def _handler(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path != PATH:  # only what was sent where Alertmanager was told to send it
                self.send_error(404, f"POST alerts to {PATH}")
                return
            try:
                notification = json.loads(body)
            except ValueError:
                self.send_error(400, "not JSON")
                return
            receiver.receive(notification if isinstance(notification, dict) else {"body": notification})
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the JSON-lines log is the record; per-request lines on stderr would be noise

    return Handler


@contextmanager
def webhook_receiver(log: Path, echo: Callable[[Alert], None] | None = None) -> Iterator[WebhookReceiver]:
    """A receiver on a port of loopback chosen by the kernel, serving until the block ends."""
    receiver = WebhookReceiver(log, echo)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    thread = threading.Thread(target=server.serve_forever, name="alert-webhook", daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}{PATH}"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
