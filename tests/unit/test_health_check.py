"""common.health_check, the containers' health command (docker-compose.yml, deploy/k8s/): a service
is alive when its own metrics endpoint answers and ready when, besides, its `ping` RPC is answered;
the gateway by /healthz or /readyz. Exit code 0 or 1."""
import http.server
import socket
import threading

import pytest

from common import health_check


class Answering(http.server.BaseHTTPRequestHandler):
    statuses = {}

    def do_GET(self):
        self.send_response(self.statuses.get(self.path, 404))
        self.end_headers()
        self.wfile.write(b"x")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answering)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_service_whose_metrics_answer_is_alive(server, monkeypatch):
    Answering.statuses = {"/metrics": 200}
    monkeypatch.setenv("METRICS_PORT", str(server.server_port))
    assert health_check.main(["intake"]) == 0


def test_a_service_without_its_metrics_endpoint_is_not(monkeypatch):
    monkeypatch.setenv("METRICS_PORT", str(closed_port()))
    assert health_check.main(["routing", "--timeout", "1"]) == 1


def test_ready_needs_the_ping_answered_too(server, monkeypatch):
    Answering.statuses = {"/metrics": 200}
    monkeypatch.setenv("METRICS_PORT", str(server.server_port))
    pinged = []
    monkeypatch.setattr(health_check, "ping_answers", lambda service, timeout: pinged.append(service) or False)
    assert health_check.main(["tracking", "--rpc"]) == 1
    monkeypatch.setattr(health_check, "ping_answers", lambda service, timeout: True)
    assert health_check.main(["tracking", "--rpc"]) == 0
    assert pinged == ["tracking"]


def test_ping_without_a_broker_is_unhealthy_not_an_exception(monkeypatch):
    monkeypatch.setenv("AMQP_URI", "amqp://guest:guest@127.0.0.1:{}/".format(closed_port()))
    assert health_check.ping_answers("intake", timeout=1) is False


def test_the_gateway_is_alive_by_healthz_and_ready_by_readyz(server, monkeypatch):
    monkeypatch.setenv("GATEWAY_PORT", str(server.server_port))
    Answering.statuses = {"/healthz": 200, "/readyz": 503}
    assert health_check.main(["gateway"]) == 0
    assert health_check.main(["gateway", "--ready"]) == 1


def test_an_unknown_target_is_refused():
    with pytest.raises(SystemExit):
        health_check.main(["billing"])
