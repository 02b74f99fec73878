"""Request ids (issue 7): one id per HTTP request, in the ``X-Request-ID`` response header of
every answer (errors too), in every gateway log line, and sent with every RPC (gateway/rpc.py
reads it as nameko context data ``request_id``), so a service's log lines for that call carry it.

A client's own ``X-Request-ID`` is kept if it is a sane token: 1 to 64 characters of
``[A-Za-z0-9._-]`` that the log mask would not change (a number shaped like a phone or national
ID would be masked in the logs, so nobody could find the request by it); otherwise the gateway
makes one (uuid4 hex, drawn again while the mask would change it). One line per request is
logged: method, route *rule* (never the path or query, which carry application numbers and
tracking codes), status and duration.
"""
import logging
import re
import time
import uuid

from flask import g, request

from common import logs

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9._-]{1,%d}" % logs.REQUEST_ID_MAX_LENGTH)
QUIET_RULES = {"/healthz", "/readyz", "/metrics"}  # probes and scrapes: DEBUG, not INFO

log = logging.getLogger("gateway.requests")


def accepted(client_value):
    """The client's id if it is sane, else None."""
    if client_value and _SANE.fullmatch(client_value) and logs.mask_personal_data(client_value) == client_value:
        return client_value
    return None


def new_request_id():
    """uuid4 hex that the log mask leaves alone: about one in ten has a run of 11 digits (or
    a 5 and 9 more), which the mask would turn into ``<national-id>`` in every log line."""
    while True:
        request_id = uuid.uuid4().hex
        if logs.mask_personal_data(request_id) == request_id:
            return request_id


def install(app):
    """Binds an id before anything else runs for a request, stamps it on every response."""
    def bind():
        g.request_id = accepted(request.headers.get(HEADER)) or new_request_id()
        g.request_id_token = logs.bind_request_id(g.request_id)
        g.request_started = time.monotonic()

    def stamp(response):
        if "request_id" not in g:  # an earlier before_request hook answered first
            bind()
        response.headers[HEADER] = g.request_id
        rule = request.url_rule.rule if request.url_rule else "unknown route"
        level = logging.DEBUG if rule in QUIET_RULES else logging.INFO
        log.log(level, "%s %s: %s in %d ms", request.method, rule, response.status_code,
                (time.monotonic() - g.request_started) * 1000)
        return response

    def unbind(exception=None):
        token = g.pop("request_id_token", None)
        if token is not None:
            logs.unbind_request_id(token)

    app.before_request_funcs.setdefault(None, []).insert(0, bind)  # first, whatever registers later
    app.after_request(stamp)
    app.teardown_request(unbind)

