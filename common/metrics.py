"""Each service process serves its Prometheus metrics over HTTP (design.md §9: METRICS_PORT).

Label values must stay bounded and never carry personal data: provider, template, state,
outcome — never a number, a phone or an application number.
"""
import logging

from nameko.extensions import DependencyProvider
from prometheus_client import start_http_server

from common.config import setting

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"intake": 9101, "routing": 9102, "notification": 9103, "tracking": 9104}


class MetricsEndpoint(DependencyProvider):
    """Starts the endpoint at service start; injects nothing (metrics are module-level objects)."""

    def setup(self):
        service = self.container.service_name
        port = int(setting("METRICS_PORT", str(DEFAULT_PORTS.get(service, 0))))
        host = setting("METRICS_HOST", "127.0.0.1")
        try:
            start_http_server(port, addr=host)
        except OSError as error:  # a second process of the service on one machine: serve without it
            log.warning("metrics endpoint for %s not started on %s:%s: %s", service, host, port, error)

    def get_dependency(self, worker_ctx):
        return None
