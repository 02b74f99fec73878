"""A loopback receiver for delivery-report pushes, standing in for the gateway in tests: it
records each request and can hand it over as the ``CallbackRequest`` the gateway would forward.

``with CallbackSink() as sink: ... sink.url ... sink.requests ... sink.callback_requests()``;
``sink.answer_status = 500`` makes it refuse (to watch a fake's behaviour on errors).
"""
import json
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

from tests.fakes._base import LoopbackServer


class CallbackSink(LoopbackServer):
    name = "callback-sink"

    def __init__(self, host="127.0.0.1", port=0):
        self.answer_status = 200
        self._lock = threading.Lock()
        self._requests = []
        super().__init__(_handler_for(self), host, port)

    @property
    def requests(self):
        with self._lock:
            return list(self._requests)

    def callback_requests(self):
        """Each received request as the gateway would forward it (see providers.base)."""
        from services.notification.providers import CallbackRequest

        forwarded = []
        for request in self.requests:
            media_type = request["content_type"].split(";")[0].strip().lower()
            body = request["body"].decode("utf-8")
            form, parsed = {}, None
            if media_type == "application/x-www-form-urlencoded":
                form = {key: values[-1] for key, values in parse_qs(body, keep_blank_values=True).items()}
            elif media_type == "application/json":
                parsed = json.loads(body)
            forwarded.append(
                CallbackRequest(
                    url=self.url + request["path"],
                    content_type=request["content_type"],
                    form=form,
                    json=parsed,
                    signature=request["headers"].get("X-Twilio-Signature"),
                )
            )
        return forwarded


def _handler_for(sink):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with sink._lock:
                sink._requests.append(
                    {
                        "path": self.path,
                        "content_type": self.headers.get("Content-Type") or "",
                        "headers": dict(self.headers.items()),
                        "body": body,
                    }
                )
            self.send_response(sink.answer_status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args):
            """Quiet."""

    return Handler
