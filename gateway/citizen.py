"""Citizen routes (no login): prove the phone, apply, track, object to the answer, rate it, a lost
tracking code, and the catalogue for forms."""
import re
import threading
import time

from flask import Blueprint, current_app, jsonify, request, url_for

from common.errors import NotFound, ValidationFailed
from gateway.body import json_body
from gateway.limits import LOOKUPS, PHONE_VERIFICATIONS, SUBMISSIONS, TRACKING_CODE_REQUESTS, rate_limited
from gateway.rpc import services
from messages import bilingual, message

citizen = Blueprint("citizen", __name__)

APPLICATION_NO = re.compile(r"^\d{4}-\d{6,9}$")
TRACKING_CODE_MAX_LENGTH = 32
CATALOG_TTL_SECONDS = 300


@citizen.post("/api/v1/applications")
@rate_limited(SUBMISSIONS)
def submit_application():
    receipt = services().call(
        "intake", "submit_application", json_body(),
        entry_point="citizen", idempotency_key=request.headers.get("Idempotency-Key"),
    )
    response = jsonify(receipt)
    response.status_code = 201
    response.headers["Location"] = url_for("citizen.track_application", application_no=receipt["application_no"])
    return response


@citizen.get("/api/v1/applications/<application_no>")
@rate_limited(LOOKUPS)
def track_application(application_no):
    return jsonify(services().call(
        "tracking", "get_application_status", application_no, _tracking_code(application_no),
        language=request.args.get("language"),
    ))


@citizen.get("/api/v1/applications/<application_no>/access-log")
@rate_limited(LOOKUPS)
def application_access_log(application_no):
    """Who read the applicant's personal data, by role and unit, never by name (docs/api.md#access-log)."""
    view = services().call("intake", "get_access_log", application_no, _tracking_code(application_no),
                           language=request.args.get("language"))
    named = sorted({read["unit_id"] for read in view["reads"] if "unit_id" in read})
    names = services().call("routing", "unit_names", named) if named else {}
    for read in view["reads"]:
        if "unit_id" in read:
            read["unit"] = names.get(read.pop("unit_id")) or message("access_log.unknown_unit", view["language"])
    return jsonify(view)


@citizen.post("/api/v1/applications/<application_no>/objection")
@rate_limited(LOOKUPS)
def object_to_answer(application_no):
    """The applicant objects to the answer, once, within OBJECTION_DAYS (docs/api.md#objection)."""
    _require_application_no(application_no)
    view = services().call("tracking", "file_objection", application_no, json_body(),
                           language=request.args.get("language"))
    response = jsonify(view)
    response.status_code = 201
    return response


@citizen.post("/api/v1/applications/<application_no>/feedback")
@rate_limited(LOOKUPS)
def rate_answer(application_no):
    """The applicant's rating of the latest answer, once per answer (docs/api.md#feedback)."""
    _require_application_no(application_no)
    response = jsonify(services().call("tracking", "give_feedback", application_no, json_body()))
    response.status_code = 201
    return response


def _require_application_no(application_no):
    """A malformed number: the same 404 as an unknown one."""
    if not APPLICATION_NO.match(application_no):
        raise NotFound("application")


def _tracking_code(application_no):
    """The query's tracking code; 422 without one, and for a malformed number or code the same 404
    as an unknown number."""
    tracking_code = request.args.get("tracking_code", "").strip()
    if not tracking_code:
        raise ValidationFailed({"tracking_code": bilingual("field.required")})
    if not APPLICATION_NO.match(application_no) or len(tracking_code) > TRACKING_CODE_MAX_LENGTH:
        raise NotFound("application")
    return tracking_code


@citizen.post("/api/v1/applications/<application_no>/tracking-code")
@rate_limited(TRACKING_CODE_REQUESTS)
def request_tracking_code(application_no):
    """One answer whether or not number and national ID match, and for a malformed number too:
    only the applicant's phone learns (docs/api.md#lost-tracking-code)."""
    services().call("intake", "request_tracking_code", application_no, json_body())
    response = jsonify(message=bilingual("intake.tracking_code_requested"))
    response.status_code = 202
    return response


@citizen.post("/api/v1/phone-verifications")
@rate_limited(PHONE_VERIFICATIONS)
def request_phone_verification():
    """A one-time code by SMS to prove the phone before applying (docs/api.md#phone-verification)."""
    view = services().call("intake", "request_phone_verification", json_body())
    response = jsonify(view)
    response.status_code = 201
    response.headers["Location"] = url_for("citizen.prove_phone", verification_id=view["verification_id"])
    return response


@citizen.post("/api/v1/phone-verifications/<verification_id>")
@rate_limited(LOOKUPS)
def prove_phone(verification_id):
    """The code the SMS brought (three tries; docs/api.md#phone-verification)."""
    return jsonify(services().call("intake", "prove_phone", verification_id, json_body()))


class CatalogCache:
    """The catalogue changes with a deployment, not per request."""

    def __init__(self):
        self._lock = threading.Lock()
        self._value, self._loaded_at = None, 0.0

    def get(self):
        with self._lock:
            if self._value is None or time.monotonic() - self._loaded_at > CATALOG_TTL_SECONDS:
                self._value = services().call("intake", "get_catalog")
                self._loaded_at = time.monotonic()
            return self._value


@citizen.get("/api/v1/catalog")
def catalog():
    return jsonify(current_app.extensions["catalog_cache"].get())
