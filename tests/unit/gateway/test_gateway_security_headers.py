"""Security headers on every answer, errors included, and CORS for the configured origins only
(gateway/security.py)."""
import pytest

from common.errors import NotFound, ValidationFailed
from gateway.app import create_app
from gateway.limits import RateLimitSettings
from gateway.security import SecuritySettings
from gateway.settings import Settings
from tests.unit.gateway.test_gateway import NUMBER, rpc  # noqa: F401  (rpc: the citizen routes' answers)

WEB_CLIENT = "https://acikkapi.gov.tr"
STRANGER = "https://evil.example"
EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}



def client_with(rpc, security=None, rate_limits=None):
    app = create_app(Settings(
        amqp_uri="amqp://guest:guest@127.0.0.1:1/", rpc_timeout_seconds=1.0, readiness_timeout_seconds=1.0,
        max_body_bytes=4096, retry_after_seconds=7, secret_key="unit-test-signing-key",
        security=security or SecuritySettings(), rate_limits=rate_limits or RateLimitSettings(),
    ))
    app.extensions["rpc"] = rpc
    return app.test_client()


def assert_security_headers(response):
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


TRACK = "/api/v1/applications/{}?tracking_code=K7M2PQ9X".format(NUMBER)


def test_headers_on_successful_answers(rpc, application_body):
    client = client_with(rpc)

    for response in (client.post("/api/v1/applications", json=application_body()), client.get(TRACK),
                     client.get("/api/v1/catalog"), client.get("/healthz")):
        assert response.status_code in (200, 201)
        assert_security_headers(response)


@pytest.mark.parametrize("answer, status", [(ValidationFailed({"kind": "x"}), 422), (NotFound("application"), 404),
                                            (RuntimeError("boom"), 500)], ids=["422", "404", "500"])
def test_headers_on_service_errors(rpc, application_body, answer, status):
    rpc.answer("intake.submit_application", answer)

    response = client_with(rpc).post("/api/v1/applications", json=application_body())

    assert response.status_code == status
    assert_security_headers(response)


def test_headers_on_the_gateways_own_errors(rpc):
    client = client_with(rpc)

    for response in (client.get("/no/such/route"), client.delete("/api/v1/applications"),
                     client.post("/api/v1/applications", data="{", content_type="application/json"),
                     client.get("/api/v1/staff/applications")):
        assert response.status_code in (400, 401, 404, 405)
        assert_security_headers(response)


def test_headers_on_rate_limited_answers(rpc):
    client = client_with(rpc, rate_limits=RateLimitSettings(lookups_per_ip="1/minute"))
    client.get(TRACK)

    response = client.get(TRACK)

    assert response.status_code == 429
    assert_security_headers(response)


def test_hsts_can_be_turned_off(rpc):
    response = client_with(rpc, security=SecuritySettings(hsts_max_age_seconds=0)).get("/healthz")

    assert "Strict-Transport-Security" not in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_cors_headers_without_configured_origins(rpc):
    client = client_with(rpc)

    response = client.get(TRACK, headers={"Origin": WEB_CLIENT})
    preflight = client.options("/api/v1/applications", headers={
        "Origin": WEB_CLIENT, "Access-Control-Request-Method": "POST"})

    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_cors_allows_a_configured_origin(rpc):
    client = client_with(rpc, security=SecuritySettings(cors_origins=(WEB_CLIENT, "https://m.acikkapi.gov.tr")))

    response = client.get(TRACK, headers={"Origin": WEB_CLIENT})

    assert response.headers["Access-Control-Allow-Origin"] == WEB_CLIENT
    assert "Origin" in response.headers.get("Vary", "")  # caches keep one answer per origin
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_cors_preflight_for_a_configured_origin(rpc):
    client = client_with(rpc, security=SecuritySettings(cors_origins=(WEB_CLIENT,)))

    preflight = client.options("/api/v1/applications", headers={
        "Origin": WEB_CLIENT, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type, Idempotency-Key"})

    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == WEB_CLIENT
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "content-type" in allowed and "idempotency-key" in allowed


def test_cors_refuses_other_origins(rpc):
    client = client_with(rpc, security=SecuritySettings(cors_origins=(WEB_CLIENT,)))

    response = client.get(TRACK, headers={"Origin": STRANGER})
    preflight = client.options("/api/v1/applications", headers={
        "Origin": STRANGER, "Access-Control-Request-Method": "POST"})

    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_cors_is_only_for_the_api(rpc):
    client = client_with(rpc, security=SecuritySettings(cors_origins=(WEB_CLIENT,)))

    assert "Access-Control-Allow-Origin" not in client.get("/healthz", headers={"Origin": WEB_CLIENT}).headers


def test_security_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("CORS_ORIGINS", " https://acikkapi.gov.tr/ , https://m.acikkapi.gov.tr,,")
    monkeypatch.setenv("HSTS_MAX_AGE_SECONDS", "600")

    settings = SecuritySettings.from_environment()

    assert settings.cors_origins == ("https://acikkapi.gov.tr", "https://m.acikkapi.gov.tr")
    assert settings.hsts_max_age_seconds == 600


def test_no_origins_by_default(monkeypatch):
    monkeypatch.delenv("CORS_ORIGINS", raising=False)

    assert SecuritySettings.from_environment().cors_origins == ()
