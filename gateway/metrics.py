"""The gateway's Prometheus metrics: HTTP requests by route *rule* (never the path, which carries
application numbers and tracking codes), method and status, and their latency; ``GET /metrics``.

gunicorn runs several worker processes; each counts its own requests. With
``PROMETHEUS_MULTIPROC_DIR`` set (gateway/gunicorn.conf.py sets it before any worker starts, and
marks dead workers' files) every worker writes its values to files there and ``/metrics``, in
whichever worker answers, adds them all up. Without it (tests, ``flask run``) the process's own
registry is served.
"""
import os
import time

from flask import Blueprint, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"  # no route: a 404 or 405 of any path counts once here, never by its path

HTTP_REQUESTS = Counter("acikkapi_http_requests_total", "HTTP requests answered by the gateway",
                        ["route", "method", "status"])
HTTP_SECONDS = Histogram("acikkapi_http_request_duration_seconds", "Time to answer one HTTP request",
                         ["route", "method"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

metrics = Blueprint("metrics", __name__)


def route_label():
    return request.url_rule.rule if request.url_rule is not None else UNMATCHED


def install(app):
    """Times every request (from the first before_request hook on) and counts its answer."""
    def start():
        g.metrics_started = time.monotonic()

    def count(response):
        started = g.get("metrics_started")
        method = request.method if request.method in KNOWN_METHODS else "other"
        route = route_label()
        HTTP_REQUESTS.labels(route, method, str(response.status_code)).inc()
        if started is not None:
            HTTP_SECONDS.labels(route, method).observe(time.monotonic() - started)
        return response

    app.before_request_funcs.setdefault(None, []).insert(0, start)
    app.after_request(count)
    app.register_blueprint(metrics)


def exposition():
    """The text exposition: every worker's values when multiprocess mode is on."""
    if os.environ.get(MULTIPROC_DIR_VARIABLE):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


@metrics.get("/metrics")
def serve():
    return Response(exposition(), content_type=CONTENT_TYPE_LATEST)
