"""SMS providers' delivery reports (machines, not people).

The URL carries ``SMS_CALLBACK_TOKEN`` (compared in constant time): a wrong token is 403 and
nothing reaches a service. Signed reports (Twilio) are verified by notification, which holds the
provider's secret; the gateway forwards what a signature covers: the URL as called, the form.
"""
import hmac
from dataclasses import dataclass
from urllib.parse import quote

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import Forbidden

from common import config
from gateway.rpc import services

callbacks = Blueprint("callbacks", __name__)

SIGNATURE_HEADERS = ("X-Twilio-Signature",)


@dataclass(frozen=True)
class CallbackSettings:
    token: str | None = None  # SMS_CALLBACK_TOKEN; unset or empty: every report is refused
    base_url: str | None = None  # SMS_CALLBACK_BASE_URL: what providers call, behind a proxy

    @classmethod
    def from_environment(cls) -> "CallbackSettings":
        return cls(token=config.setting("SMS_CALLBACK_TOKEN"), base_url=config.setting("SMS_CALLBACK_BASE_URL"))


def install(app, settings):
    app.extensions["sms_callbacks"] = settings
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
    return jsonify(services().call("notification", "record_delivery_report", provider, callback))


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
