"""Monitoring routes: the process is up; the broker and every service answer."""
from flask import Blueprint, current_app, jsonify

from gateway.rpc import RpcTimedOut, ServiceUnavailable

health = Blueprint("health", __name__)

SERVICES = ("intake", "routing", "notification", "tracking")


@health.get("/healthz")
def healthz():
    return jsonify(status="ok")


@health.get("/readyz")
def readyz():
    probe = current_app.extensions["readiness_rpc"]
    checks = {}
    for service in SERVICES:
        try:
            probe.call(service, "ping")
            checks[service] = "ok"
        except ServiceUnavailable as unavailable:
            checks[unavailable.args[0]] = "unavailable"
            if unavailable.args[0] == "broker":
                break
        except RpcTimedOut:
            checks[service] = "timeout"
    ready = all(state == "ok" for state in checks.values())
    response = jsonify(status="ready" if ready else "unavailable", checks=checks)
    if not ready:
        response.status_code = 503
        response.headers["Retry-After"] = str(current_app.config["RETRY_AFTER_SECONDS"])
    return response
