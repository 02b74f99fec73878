"""SMS providers' delivery reports (machines, not people).

The URL carries ``SMS_CALLBACK_TOKEN`` (compared in constant time): a wrong token is 403 and
nothing reaches a service. A report with the right token is published as the event
``sms_report_received`` (gateway/events.py: persistent, ``mandatory``, confirmed) and the provider
is answered 200 once the broker has confirmed it; 503 (retry later) if it could not be published.
No RPC round trip: notification applies the report when it takes the event. Signed reports
(Twilio) are verified there, where the provider's secret is; the gateway forwards what a signature
covers: the URL as called, the form. A report notification cannot apply (bad signature, unknown
provider, unreadable) has been answered 200 already: notification logs and counts it
(``acikkapi_sms_delivery_reports_refused_total``) — a provider pushing it again would change nothing.
"""
import hmac
from dataclasses import dataclass
from urllib.parse import quote

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import Forbidden

from common import config
from contracts.events import new_event

callbacks = Blueprint("callbacks", __name__)

SIGNATURE_HEADERS = ("X-Twilio-Signature",)


@dataclass(frozen=True)
class CallbackSettings:
    token: str | None = None  # SMS_CALLBACK_TOKEN; unset or empty: every report is refused
    base_url: str | None = None  # SMS_CALLBACK_BASE_URL: what providers call, behind a proxy

    @classmethod
    def from_environment(cls) -> "CallbackSettings":
        return cls(token=config.setting("SMS_CALLBACK_TOKEN"), base_url=config.setting("SMS_CALLBACK_BASE_URL"))


def install(app, settings, events):
    """``events``: the app's event publisher (gateway/events.py)."""
    app.extensions["sms_callbacks"] = settings
    app.extensions["events"] = events
    app.register_blueprint(callbacks)


def _settings():
    return current_app.extensions["sms_callbacks"]


@callbacks.post("/api/v1/sms/callbacks/<provider>/<token>")
def delivery_report(provider, token):
    expected = _settings().token
    if not expected or not hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8")):
        raise Forbidden()
    callback = {
        "url": _url_as_called(),
        "content_type": request.mimetype,
        "form": request.form.to_dict() if request.mimetype == "application/x-www-form-urlencoded" else {},
        "json": request.get_json(silent=True) if request.is_json else None,
        "signature": next((request.headers[name] for name in SIGNATURE_HEADERS if name in request.headers), None),
    }
    current_app.extensions["events"].publish(new_event("sms_report_received", None, provider=provider,
                                                       callback=callback))
    return jsonify(received=True)


def _url_as_called():
    """The URL exactly as the provider wrote it (signatures cover its percent-encoding).

    Behind a proxy the gateway sees another host: ``SMS_CALLBACK_BASE_URL`` is what providers call.
    """
    base = _settings().base_url or request.host_url
    return base.rstrip("/") + _path_as_sent()


def _path_as_sent():
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        return raw
    query = request.query_string.decode("latin-1")
    return quote(request.path, safe="/-._~!$&'()*+,;=:@") + ("?" + query if query else "")
