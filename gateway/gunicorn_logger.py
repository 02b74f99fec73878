"""gunicorn's logger without an access log, whatever the logging configuration.

gunicorn turns its access log on whenever a logging configuration is given (gunicorn.conf.py
gives one, for JSON lines), and then builds every request's log atoms even though the
``gunicorn.access`` logger drops them: ~5% of the gateway's CPU per submission (py-spy,
bench/README.md "Issue 20, third session"). Request lines would carry application numbers and
tracking codes anyway; the gateway logs its own line per request (gateway/request_ids.py).
"""
from typing import Any

from gunicorn.glogging import Logger


class NoAccessLogLogger(Logger):
    @property
    def access_log_enabled(self) -> bool:
        return False

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None
