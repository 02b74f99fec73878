"""An answer anyone can verify (no login, nothing personal; docs/api.md#verify): the public keys
answers are signed with, and one answer by its verification code — with a copy of its text
compared when one is posted."""
from flask import Blueprint, jsonify

from gateway.body import json_body
from gateway.limits import VERIFICATIONS, rate_limited
from gateway.rpc import services

verify = Blueprint("verify", __name__)


@verify.get("/api/v1/verify/keys")
def verification_keys():
    return jsonify(keys=services().call("routing", "answer_verification_keys"))


@verify.get("/api/v1/verify/<code>")
@rate_limited(VERIFICATIONS)
def verify_answer(code):
    return jsonify(services().call("routing", "verify_answer", code))


@verify.post("/api/v1/verify/<code>")
@rate_limited(VERIFICATIONS)
def verify_answer_text(code):
    return jsonify(services().call("routing", "verify_answer", code, json_body()))
