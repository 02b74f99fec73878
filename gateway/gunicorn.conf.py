"""gunicorn settings for the gateway, from the environment (docs/configuration.md#environment)."""
import glob
import os
import shutil
import tempfile

bind = "{}:{}".format(os.environ.get("GATEWAY_HOST") or "127.0.0.1", os.environ.get("GATEWAY_PORT") or "8000")
worker_class = "gthread"
workers = int(os.environ.get("GATEWAY_WORKERS") or 2)
threads = int(os.environ.get("GATEWAY_THREADS") or 8)
timeout = 30
# gunicorn 27's control socket is one per user (~/.gunicorn/gunicorn.ctl): every gateway on the
# machine would share it, and nothing here uses it.
control_socket_disable = True
accesslog = None  # request lines carry application numbers and codes; metrics cover traffic
logger_class = "gateway.gunicorn_logger.NoAccessLogLogger"  # and no atoms built for it either

# Prometheus multiprocess mode (gateway/metrics.py): every worker writes its counts to files in one
# directory and GET /metrics, in whichever worker answers, adds up all of them. Set here, in the
# master, before any worker imports prometheus_client; a fresh private directory unless the
# operator names one (emptied at start: counts of an earlier run would be added in).
_METRICS_DIR_OWNED = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _METRICS_DIR_OWNED:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="acikkapi-gateway-metrics-")

# No Server header, and gunicorn's own refusals (400, 414, 431…) answered like the app's errors.
from gateway import server_answers  # noqa: E402  (after the metrics directory: nothing here imports prometheus)

server_answers.install()

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
    """Masks what the master and its workers print outside logging (tracebacks, warnings);
    empties the metrics directory."""
    from common import logs

    logs.capture_stray_output()
    metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(metrics_dir, exist_ok=True)
    for stale in glob.glob(os.path.join(metrics_dir, "*.db")):
        os.remove(stale)


def child_exit(server, worker):
    """A dead worker's live gauges leave the sum (its counters stay: they only grow)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _METRICS_DIR_OWNED:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
