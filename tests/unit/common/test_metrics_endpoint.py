"""common.metrics.MetricsEndpoint (issue 5): each service serves prometheus metrics on METRICS_PORT
(a default per service, or 0: the kernel chooses and the process logs it); a port already taken is a
startup error naming METRICS_PORT; the endpoint says whose it is (acikkapi_process_info)."""
import logging
import os
import socket
import urllib.request
from types import SimpleNamespace

import prometheus_client
import pytest

import services.notification.metrics  # noqa: F401  (registers notification's metrics)
from common import metrics
from common.metrics import DEFAULT_PORTS, MetricsEndpoint


def endpoint_of(service_name):
    endpoint = MetricsEndpoint()
    endpoint.container = SimpleNamespace(service_name=service_name)
    return endpoint


@pytest.fixture
def environment(monkeypatch):
    monkeypatch.delenv("METRICS_PORT", raising=False)
    monkeypatch.delenv("METRICS_HOST", raising=False)
    return monkeypatch


@pytest.fixture
def started(environment):
    """Records the servers MetricsEndpoint starts instead of starting them."""
    calls = []

    def record(port, addr):
        calls.append((port, addr))
        return SimpleNamespace(server_address=(addr, port)), None

    environment.setattr(metrics, "start_http_server", record)
    return calls


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_every_service_has_its_own_default_port():
    assert set(DEFAULT_PORTS) == {"intake", "routing", "notification", "tracking"}
    assert len(set(DEFAULT_PORTS.values())) == 4


@pytest.mark.parametrize("service", sorted(DEFAULT_PORTS))
def test_without_metrics_port_the_service_default_is_used_on_loopback(started, service):
    endpoint_of(service).setup()

    assert started == [(DEFAULT_PORTS[service], "127.0.0.1")]


def test_metrics_port_and_host_come_from_the_environment(started, environment):
    environment.setenv("METRICS_PORT", "9555")
    environment.setenv("METRICS_HOST", "0.0.0.0")

    endpoint_of("notification").setup()

    assert started == [(9555, "0.0.0.0")]


def test_an_empty_metrics_port_means_the_default(started, environment):
    environment.setenv("METRICS_PORT", "")

    endpoint_of("tracking").setup()

    assert started == [(DEFAULT_PORTS["tracking"], "127.0.0.1")]


def test_the_endpoint_injects_nothing():
    assert endpoint_of("notification").get_dependency(worker_ctx=None) is None


def test_the_endpoint_serves_the_registrys_metrics(environment):
    servers = []
    real_start = prometheus_client.start_http_server

    def start_and_keep(port, addr):
        servers.append(real_start(port, addr=addr))
        return servers[-1]

    environment.setattr(metrics, "start_http_server", start_and_keep)
    port = free_port()
    environment.setenv("METRICS_PORT", str(port))

    endpoint_of("notification").setup()
    try:
        with urllib.request.urlopen("http://127.0.0.1:{}/metrics".format(port), timeout=5) as response:
            body = response.read().decode("utf-8")
    finally:
        for server, thread in servers:
            server.shutdown()
            server.server_close()
            thread.join(5)

    assert "acikkapi_sms_messages_total" in body
    assert "acikkapi_sms_provider_call_seconds" in body


def test_a_port_already_taken_is_a_startup_error_naming_the_variable(environment, caplog):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        environment.setenv("METRICS_PORT", str(port))

        with caplog.at_level(logging.WARNING, logger="common.metrics"), pytest.raises(SystemExit) as stopped:
            endpoint_of("notification").setup()

    assert stopped.value.code == metrics.EX_CONFIG
    [record] = [record for record in caplog.records if record.name == "common.metrics"]
    assert record.levelno == logging.ERROR
    message = record.getMessage()
    assert "METRICS_PORT" in message and str(port) in message and "notification" in message
    assert "\n" not in message  # one line


def _served(port):
    with urllib.request.urlopen("http://127.0.0.1:{}/metrics".format(port), timeout=5) as response:
        return response.read().decode("utf-8")


def test_port_zero_is_chosen_by_the_kernel_logged_and_says_whose_it_is(environment, caplog):
    servers = []
    real_start = prometheus_client.start_http_server

    def start_and_keep(port, addr):
        servers.append(real_start(port, addr=addr))
        return servers[-1]

    environment.setattr(metrics, "start_http_server", start_and_keep)
    environment.setenv("METRICS_PORT", "0")
    environment.setenv("SYSTEM_ID", "unit-test-system")
    with caplog.at_level(logging.INFO, logger="common.metrics"):
        endpoint_of("tracking").setup()
    try:
        [(server, _)] = servers
        port = server.server_address[1]
        body = _served(port)
    finally:
        for server, thread in servers:
            server.shutdown()
            server.server_close()
            thread.join(5)

    assert port != 0
    [logged] = [record.getMessage() for record in caplog.records if record.name == "common.metrics"]
    assert logged.endswith("127.0.0.1:{}".format(port)) and "pid {}".format(os.getpid()) in logged
    info = 'acikkapi_process_info{{pid="{}",service="tracking",system="unit-test-system"}} 1.0'.format(os.getpid())
    assert info in body


def _serves_metrics(service_class):
    return any(isinstance(dependency, MetricsEndpoint) for dependency in vars(service_class).values())


@pytest.mark.parametrize("name", ["intake", "routing", "notification", "tracking"])
def test_every_service_declares_its_metrics_endpoint(name):
    from services.intake.service import IntakeService
    from services.notification.service import NotificationService
    from services.routing.service import RoutingService
    from services.tracking.service import TrackingService

    service_class = {cls.name: cls for cls in (IntakeService, RoutingService, NotificationService,
                                               TrackingService)}[name]

    assert _serves_metrics(service_class)
