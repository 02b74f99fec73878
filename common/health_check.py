"""Container health checks (docker-compose.yml, deploy/k8s/): exit 0 when healthy, 1 when not.

    python -m common.health_check intake          # this process's metrics endpoint answers (alive)
    python -m common.health_check intake --rpc    # and the service answers `ping` over RabbitMQ (ready)
    python -m common.health_check gateway         # the gateway's /healthz (alive)
    python -m common.health_check gateway --ready # the gateway's /readyz: the broker and every service

The metrics endpoint is this very process (METRICS_PORT, else the service's default port); the
`ping` RPC is answered by whichever process of the service takes it, so it says the service
consumes its queue, not that this container does. Use the first for liveness (a broker outage
must not restart every service) and the second for readiness.
"""
import argparse
import sys
import urllib.request
import warnings

from common.config import amqp_uri, setting

# nameko imports eventlet, which warns on import; a health check prints one line.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

SERVICES = ("intake", "routing", "notification", "tracking")


def _http_ok(url, timeout):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= response.status < 300
    except OSError:
        return False


def metrics_answer(service, timeout):
    from common.metrics import DEFAULT_PORTS

    port = int(setting("METRICS_PORT", str(DEFAULT_PORTS[service])))
    return _http_ok("http://127.0.0.1:{}/metrics".format(port), timeout)


def ping_answers(service, timeout):
    from nameko.standalone.rpc import ClusterRpcProxy

    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri()}, timeout=timeout) as cluster:
            return bool(getattr(cluster, service).ping().get("ok"))
    except Exception:  # any failure (broker away, timeout, unknown service) is "not healthy"
        return False


def gateway_answers(path, timeout):
    port = setting("GATEWAY_PORT", "8000")
    return _http_ok("http://127.0.0.1:{}{}".format(port, path), timeout)


def check(target, rpc=False, ready=False, timeout=3.0):
    if target == "gateway":
        return gateway_answers("/readyz" if ready else "/healthz", timeout)
    if not metrics_answer(target, timeout):
        return False
    return ping_answers(target, timeout) if rpc else True


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m common.health_check", description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=SERVICES + ("gateway",))
    parser.add_argument("--rpc", action="store_true", help="a service: also call its ping RPC over the broker")
    parser.add_argument("--ready", action="store_true", help="the gateway: /readyz instead of /healthz")
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds for each check")
    arguments = parser.parse_args(argv)
    healthy = check(arguments.target, rpc=arguments.rpc, ready=arguments.ready, timeout=arguments.timeout)
    print("{}: {}".format(arguments.target, "healthy" if healthy else "unhealthy"))
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
