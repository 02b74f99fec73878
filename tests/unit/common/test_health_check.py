"""common.health_check, the containers' health command (docker-compose.yml, deploy/k8s/): a service
is alive when its own metrics endpoint answers as that service of this system (acikkapi_process_info)
and ready when, besides, its `ping` RPC is answered; the gateway by /healthz or /readyz. Exit code 0
or 1."""
import http.server
import socket
import threading

import pytest

from common import health_check
from common.config import system_id

SYSTEM = "this-system"


class Answering(http.server.BaseHTTPRequestHandler):
    statuses = {}
    bodies = {}

    def do_GET(self):
        self.send_response(self.statuses.get(self.path, 404))
        self.end_headers()
        self.wfile.write(self.bodies.get(self.path, "x").encode("utf-8"))

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


def info(service, system=SYSTEM):
    return ('# TYPE acikkapi_process_info gauge\n'
            'acikkapi_process_info{{pid="42",service="{}",system="{}"}} 1.0\n'.format(service, system))


@pytest.fixture(autouse=True)
def this_system(monkeypatch):
    monkeypatch.setenv("SYSTEM_ID", SYSTEM)
    Answering.bodies = {}


def serving(server, monkeypatch, body):
    Answering.statuses = {"/metrics": 200}
    Answering.bodies = {"/metrics": body}
    monkeypatch.setenv("METRICS_PORT", str(server.server_port))


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_service_whose_metrics_answer_is_alive(server, monkeypatch):
    serving(server, monkeypatch, info("intake"))
    assert health_check.main(["intake"]) == 0


def test_a_port_answered_by_another_service_is_not_alive(server, monkeypatch, capsys):
    serving(server, monkeypatch, info("routing"))
    assert health_check.main(["intake"]) == 1
    assert "answers for routing of system this-system, not for intake" in capsys.readouterr().out


def test_a_port_answered_by_the_service_of_another_system_is_not_alive(server, monkeypatch, capsys):
    serving(server, monkeypatch, info("intake", system="another-system"))
    assert health_check.main(["intake"]) == 1
    assert "intake of system another-system, not for intake of system this-system" in capsys.readouterr().out


def test_a_port_answered_by_something_else_is_not_alive(server, monkeypatch):
    serving(server, monkeypatch, "<html>hello</html>")
    assert health_check.main(["intake"]) == 1
    serving(server, monkeypatch, "process_cpu_seconds_total 1.0\n")  # Prometheus, not ours
    assert health_check.main(["intake"]) == 1


def test_the_port_can_be_given(server, monkeypatch):
    serving(server, monkeypatch, info("tracking"))
    monkeypatch.setenv("METRICS_PORT", "0")
    assert health_check.main(["tracking"]) == 1  # chosen at start: the check cannot guess it
    assert health_check.main(["tracking", "--port", str(server.server_port)]) == 0


def test_the_system_is_the_broker_vhost_and_data_dir_unless_named(monkeypatch, tmp_path):
    monkeypatch.delenv("SYSTEM_ID")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AMQP_URI", "amqp://guest:secret@127.0.0.1:5672/one")
    first = system_id()
    monkeypatch.setenv("AMQP_URI", "amqp://other:password@127.0.0.1:5672/one")
    assert system_id() == first  # credentials do not make another system
    monkeypatch.setenv("AMQP_URI", "amqp://guest:secret@127.0.0.1:5672/two")
    assert system_id() != first
    monkeypatch.setenv("AMQP_URI", "amqp://guest:secret@127.0.0.1:5672/one")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "elsewhere"))
    assert system_id() != first
    monkeypatch.setenv("SYSTEM_ID", "named")
    assert system_id() == "named"


def test_a_service_without_its_metrics_endpoint_is_not(monkeypatch):
    monkeypatch.setenv("METRICS_PORT", str(closed_port()))
    assert health_check.main(["routing", "--timeout", "1"]) == 1


def test_ready_needs_the_ping_answered_too(server, monkeypatch):
    serving(server, monkeypatch, info("tracking"))
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
