"""gunicorn settings for the gateway, from the environment (design.md §9)."""
import os

bind = "{}:{}".format(os.environ.get("GATEWAY_HOST") or "127.0.0.1", os.environ.get("GATEWAY_PORT") or "8000")
worker_class = "gthread"
workers = int(os.environ.get("GATEWAY_WORKERS") or 2)
threads = int(os.environ.get("GATEWAY_THREADS") or 8)
timeout = 30
accesslog = None  # request lines carry application numbers and codes; metrics cover traffic

# gunicorn's own lines (start, workers booting and dying, errors) as masked JSON like every
# other line (common/logs.py); the app adds its handler for everything else (logs.configure).
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "common.logs.JsonFormatter"}},
    "handlers": {"json": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"level": "INFO", "handlers": ["json"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False},
        # No access log (see accesslog above): a logging config would switch gunicorn's on.
        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
    },
}


def on_starting(server):
    """Masks what the master and its workers print outside logging (tracebacks, warnings)."""
    from common import logs

    logs.capture_stray_output()
