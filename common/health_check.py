"""Container health checks (docker-compose.yml, deploy/k8s/): exit 0 when healthy, 1 when not.

    python -m common.health_check intake          # this process's metrics endpoint answers (alive)
    python -m common.health_check intake --rpc    # and the service answers `ping` over RabbitMQ (ready)
    python -m common.health_check gateway         # the gateway's /healthz (alive)
    python -m common.health_check gateway --ready # the gateway's /readyz: the broker and every service

The metrics endpoint is this very process (METRICS_PORT, else the service's default port); the
`ping` RPC is answered by whichever process of the service takes it, so it says the service
consumes its queue, not that this container does. Use the first for liveness (a broker outage
must not restart every service) and the second for readiness.

"Answers" means answers as that service of this system: the endpoint's ``acikkapi_process_info``
must name the service and this environment's ``config.system_id()`` (common/metrics.py), or
whatever else holds the port (another service, another system on the machine) would pass for it.
"""
import argparse
import sys
import urllib.request
import warnings
from collections.abc import Sequence

from common.config import amqp_uri, setting, system_id

# nameko imports eventlet, which warns on import; a health check prints one line.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

SERVICES = ("intake", "routing", "notification", "tracking")


def _http_ok(url: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status: int = response.status
            return 200 <= status < 300
    except OSError:
        return False


def metrics_port(service: str) -> int:
    from common.metrics import DEFAULT_PORTS

    return int(setting("METRICS_PORT", str(DEFAULT_PORTS[service])))


def whose(text: str) -> set[tuple[str | None, str | None]]:
    """The (service, system) pairs an endpoint's ``acikkapi_process_info`` names."""
    from prometheus_client.parser import text_string_to_metric_families

    try:
        return {(sample.labels.get("service"), sample.labels.get("system"))
                for family in text_string_to_metric_families(text) for sample in family.samples
                if sample.name == "acikkapi_process_info" and sample.value == 1}
    except ValueError:  # not Prometheus text: not one of ours
        return set()


def metrics_problem(service: str, timeout: float, port: int | None = None) -> str | None:
    """None when the metrics endpoint answers as ``service`` of this system, else why not."""
    port = metrics_port(service) if port is None else port
    if port == 0:
        return "METRICS_PORT=0: the process logged the port it chose; pass it with --port"
    try:
        with urllib.request.urlopen("http://127.0.0.1:{}/metrics".format(port), timeout=timeout) as response:
            text = response.read().decode("utf-8", errors="replace")
    except (OSError, ValueError) as error:
        return "nothing answers on port {} ({})".format(port, type(error).__name__)
    expected = (service, system_id())
    found = whose(text)
    if expected in found:
        return None
    return "port {} answers for {}, not for {} of system {}".format(
        port, ", ".join("{} of system {}".format(*pair) for pair in sorted(found, key=str)) or "no service of ours",
        *expected)


def ping_answers(service: str, timeout: float) -> bool:
    from nameko.standalone.rpc import ClusterRpcProxy

    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri()}, timeout=timeout) as cluster:
            return bool(getattr(cluster, service).ping().get("ok"))
    except Exception:  # any failure (broker away, timeout, unknown service) is "not healthy"
        return False


def gateway_answers(path: str, timeout: float) -> bool:
    port = setting("GATEWAY_PORT", "8000")
    return _http_ok("http://127.0.0.1:{}{}".format(port, path), timeout)


def problem(target: str, rpc: bool = False, ready: bool = False, timeout: float = 3.0,
            port: int | None = None) -> str | None:
    """None when healthy, else what is wrong (one line, no personal data)."""
    if target == "gateway":
        path = "/readyz" if ready else "/healthz"
        return None if gateway_answers(path, timeout) else "{} does not answer 200".format(path)
    found = metrics_problem(target, timeout, port)
    if found is None and rpc and not ping_answers(target, timeout):
        found = "ping over the broker not answered"
    return found


def check(target: str, rpc: bool = False, ready: bool = False, timeout: float = 3.0, port: int | None = None) -> bool:
    return problem(target, rpc, ready, timeout, port) is None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m common.health_check", description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=SERVICES + ("gateway",))
    parser.add_argument("--rpc", action="store_true", help="a service: also call its ping RPC over the broker")
    parser.add_argument("--ready", action="store_true", help="the gateway: /readyz instead of /healthz")
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds for each check")
    parser.add_argument("--port", type=int, help="a service: its metrics port (default METRICS_PORT, else its own)")
    arguments = parser.parse_args(argv)
    found = problem(arguments.target, rpc=arguments.rpc, ready=arguments.ready, timeout=arguments.timeout,
                    port=arguments.port)
    print("{}: {}".format(arguments.target, "healthy" if found is None else "unhealthy ({})".format(found)))
    return 0 if found is None else 1


if __name__ == "__main__":
    sys.exit(main())
