"""The gateway's Flask app (``create_app``), served by gunicorn with threads."""
from flask import Flask

from common import logs
from gateway import errors
from gateway.citizen import CatalogCache, citizen
from gateway.auth import TokenSigner, secret_key
from gateway.callbacks import callbacks
from gateway.health import health
from gateway.rpc import RpcPool
from gateway.staff import staff
from gateway.settings import Settings


def create_app(settings=None):
    settings = settings or Settings.from_environment()
    logs.configure()
    app = Flask(__name__)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["RETRY_AFTER_SECONDS"] = settings.retry_after_seconds
    app.extensions["rpc"] = RpcPool(settings.amqp_uri, settings.rpc_timeout_seconds)
    app.extensions["readiness_rpc"] = RpcPool(settings.amqp_uri, settings.readiness_timeout_seconds)
    app.extensions["catalog_cache"] = CatalogCache()
    app.extensions["token_signer"] = TokenSigner(settings.secret_key or secret_key(), settings.token_lifetime_seconds)
    app.register_blueprint(citizen)
    app.register_blueprint(staff)
    app.register_blueprint(callbacks)
    app.register_blueprint(health)
    errors.install(app, settings.retry_after_seconds)
    return app
