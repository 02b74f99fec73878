"""The gateway's Flask app (``create_app``), served by gunicorn with threads."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from common import config, logs
from gateway import body, callbacks, compression, errors, limits, metrics, parameters, request_ids, security, web
from gateway.admin_privacy import admin_privacy
from gateway.amqp import ThreadConnections
from gateway.auth import TokenGenerations, TokenSigner, secret_key
from gateway.ceiling import ceiling
from gateway.citizen import CatalogCache, citizen
from gateway.events import EventPublisher
from gateway.health import health
from gateway.incidents import incidents
from gateway.open311.routes import open311
from gateway.openapi import openapi
from gateway.rpc import RpcPool
from gateway.settings import Settings
from gateway.staff import staff
from gateway.verify import verify


def create_app(settings=None):
    settings = settings or Settings.from_environment()
    logs.configure()
    config.make_files_private()  # before the signing key or anything else lands in DATA_DIR
    app = Flask(__name__)
    compression.install(app)  # first: Flask runs after_request hooks in reverse, so it compresses the final answer
    request_ids.install(app)
    metrics.install(app)  # GET /metrics, and every request counted by route rule and status
    body.install(app)  # before any view or rate limit reads it: 413 for chunked too, 422 for unreadable text
    parameters.install(app)  # query strings and forms: 422 naming an unreadable parameter
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["RETRY_AFTER_SECONDS"] = settings.retry_after_seconds
    broker = ThreadConnections(settings.amqp_uri)  # one connection per thread, whatever uses it
    app.extensions["rpc"] = RpcPool(settings.amqp_uri, settings.rpc_timeout_seconds, broker)
    app.extensions["readiness_rpc"] = RpcPool(settings.amqp_uri, settings.readiness_timeout_seconds, broker)
    app.extensions["catalog_cache"] = CatalogCache()
    signing_key = settings.secret_key or secret_key()
    app.extensions["token_signer"] = TokenSigner(signing_key, settings.token_lifetime_seconds)
    app.extensions["token_generations"] = TokenGenerations(settings.token_check_seconds)
    if settings.trusted_proxies:  # else X-Forwarded-For is the client's word, and ignored
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)
    app.register_blueprint(citizen)
    app.register_blueprint(verify)  # /api/v1/verify/…: an answer anyone can check
    app.register_blueprint(staff)
    app.register_blueprint(incidents)  # many applications as one: likely duplicates, incidents
    callbacks.install(app, settings.callbacks, EventPublisher(broker))  # SMS providers' delivery reports
    app.register_blueprint(health)
    app.register_blueprint(admin_privacy)
    app.register_blueprint(open311)  # /open311/v2/… (GeoReport v2) and the admin routes of client keys
    if settings.bench_probe:
        app.register_blueprint(ceiling)
    app.register_blueprint(openapi)  # /api/v1/openapi.json and /api/v1/docs, from the url_map
    web.install(app, settings.site)  # the citizen portal (/, /takip, …), the staff console (/konsol/…): web/
    limits.install(app, settings.rate_limits, signing_key)  # after the blueprints: it wraps their views
    security.install(app, settings.security)
    errors.install(app, settings.retry_after_seconds)
    return app
