"""Security headers on every answer, and CORS for the configured origins only (docs/api.md#security-headers).

A small ``after_request`` rather than flask-talisman: this is a JSON API, so the headers are a
fixed handful, and talisman's HTTPS redirects and HTML-oriented defaults would need switching off
one by one. TLS ends at the proxy in front, so Strict-Transport-Security is sent on every answer
(browsers ignore it over plain HTTP, as the RFC says).
"""
from dataclasses import dataclass

from flask_cors import CORS

from common import config

# Nothing on the API is a page: no scripts, no frames, no forms, nothing to load.
CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The web clients' pages and files (gateway/web/, web/): scripts, styles, images, fetches, the web
# app manifest and the service worker from this origin only, nothing inline (no 'unsafe-inline',
# no eval), forms post nowhere but here.
PAGE_CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                "connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
ONE_YEAR = 365 * 24 * 3600
# What a cross-origin web client may send and read.
CORS_METHODS = ["GET", "POST", "PATCH"]
CORS_REQUEST_HEADERS = ["Content-Type", "Authorization", "Idempotency-Key"]
CORS_EXPOSED_HEADERS = ["Location", "Retry-After"]
CORS_PREFLIGHT_CACHE_SECONDS = 600


@dataclass(frozen=True)
class SecuritySettings:
    cors_origins: tuple = ()  # exact origins, "https://acikkapi.gov.tr"; none: no CORS headers at all
    hsts_max_age_seconds: int = ONE_YEAR  # 0: no Strict-Transport-Security

    @classmethod
    def from_environment(cls):
        origins = config.setting("CORS_ORIGINS", "")
        return cls(
            cors_origins=tuple(origin.strip().rstrip("/") for origin in origins.split(",") if origin.strip()),
            hsts_max_age_seconds=int(config.setting("HSTS_MAX_AGE_SECONDS", str(ONE_YEAR))),
        )


def security_headers(settings):
    headers = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    }
    if settings.hsts_max_age_seconds > 0:
        headers["Strict-Transport-Security"] = "max-age={}; includeSubDomains".format(settings.hsts_max_age_seconds)
    return headers


def install(app, settings):
    # Answers carry applications, tokens and personal data: no cache, shared or private, may keep
    # them. A route that is safe to cache says so itself (its own headers win over these).
    defaults = list(dict(security_headers(settings), **{"Cache-Control": "no-store"}).items())

    @app.after_request
    def add_security_headers(response):
        # One pass over the answer's headers, not a case-insensitive search for each default.
        present = {name.lower() for name in response.headers.keys()}
        response.headers.extend([(name, value) for name, value in defaults if name.lower() not in present])
        return response

    if settings.cors_origins:
        CORS(app, resources={r"/api/*": {"origins": list(settings.cors_origins)}},
             methods=CORS_METHODS, allow_headers=CORS_REQUEST_HEADERS, expose_headers=CORS_EXPOSED_HEADERS,
             supports_credentials=False,  # staff send bearer tokens, never cookies
             max_age=CORS_PREFLIGHT_CACHE_SECONDS, vary_header=True)
