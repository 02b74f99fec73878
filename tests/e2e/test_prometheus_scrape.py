"""A real Prometheus (Debian's ``prometheus``) scrapes the running system with
deploy/prometheus/prometheus.yml, its targets pointed at this system's ports and a 1 s interval:
every service and the gateway are up, the alert rules load, and business and traffic metrics
move after applications. The gateway's /metrics adds up all of its gunicorn workers (a request
counted by any worker is in the total). No label value carries an application number or a phone.

In CI (``CI`` set) a missing prometheus binary fails; elsewhere it skips.
"""
import os
import re
import shutil
import subprocess

import pytest
import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from common import topology
from tests.support.processes import ROOT, free_port, wait_until
from tests.support.samples import application_body
from tests.support.staff_client import submit

PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
SERVICES = ("intake", "routing", "notification", "tracking")
APPLICATION_NO = re.compile(r"\d{4}-\d{6}")
PHONE_DIGITS = "5321234567"
SUBMIT_ROUTE = {"route": "/api/v1/applications", "method": "POST", "status": "201"}


def scrape_config(system):
    """deploy/prometheus/prometheus.yml with this system's targets, 1 s intervals, the rules by path."""
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    config["global"].update(scrape_interval="1s", scrape_timeout="1s", evaluation_interval="1s")
    config["rule_files"] = [str(PROMETHEUS_DIR / name) for name in config["rule_files"]]
    for job in config["scrape_configs"]:
        name = job["job_name"]
        port = system.port if name == "gateway" else system.metrics_ports[name]
        job["static_configs"] = [{"targets": ["127.0.0.1:{}".format(port)]}]
    return config


@pytest.fixture(scope="module")
def prometheus(running_system, tmp_path_factory):
    binary = shutil.which("prometheus")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("prometheus is missing (.ci/run installs Debian's prometheus package)")
        pytest.skip("prometheus is not installed (apt-get install prometheus)")
    folder = tmp_path_factory.mktemp("prometheus")
    config_path = folder / "prometheus.yml"
    config_path.write_text(yaml.safe_dump(scrape_config(running_system)))
    port = free_port()
    url = "http://127.0.0.1:{}".format(port)
    with open(folder / "prometheus.log", "wb") as log:
        process = subprocess.Popen(
            [binary, "--config.file={}".format(config_path), "--storage.tsdb.path={}".format(folder / "data"),
             "--web.listen-address=127.0.0.1:{}".format(port)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until(lambda: ready(url) or process.poll() is not None, 20, interval=0.2, what="prometheus ready")
            assert process.poll() is None, (folder / "prometheus.log").read_text()[-3000:]
            yield url
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def ready(url):
    try:
        return requests.get(url + "/-/ready", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def api(url, path, **params):
    answer = requests.get(url + "/api/v1/" + path, params=params, timeout=5)
    answer.raise_for_status()
    return answer.json()["data"]


def query(url, expression):
    """The value of a one-sample (``sum(...)``) expression; 0 when no series matches yet."""
    result = api(url, "query", query=expression)["result"]
    return float(result[0]["value"][1]) if result else 0.0


def moved(url, expression, above):
    return wait_until(lambda: query(url, expression) > above, 15, interval=0.25, what=expression)


def samples(text):
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def gateway_count(system, **labels):
    text = requests.get(system.url + "/metrics", timeout=5).text
    return sum(sample.value for sample in samples(text) if sample.name == "acikkapi_http_requests_total"
               and all(sample.labels.get(key) == value for key, value in labels.items()))


def test_every_target_is_up_and_the_alert_rules_are_loaded(prometheus):
    def all_up():
        targets = api(prometheus, "targets")["activeTargets"]
        return len(targets) == 5 and all(target["health"] == "up" for target in targets) and targets

    targets = wait_until(all_up, 20, interval=0.25, what="every target up")

    assert {target["labels"]["job"] for target in targets} == set(SERVICES) | {"gateway"}
    rules = [rule["name"] for group in api(prometheus, "rules")["groups"] for rule in group["rules"]]
    assert {"AcikKapiTargetDown", "AcikKapiApplicationsOverdue", "AcikKapiSmsFailureRateHigh",
            "AcikKapiDeadLetters", "AcikKapiOutboxBacklogStuck", "AcikKapiOutboxBacklogGrowing"} <= set(rules)
    assert query(prometheus, 'sum(up{job=~"intake|routing|notification|tracking|gateway"})') == 5


def test_business_and_traffic_metrics_move_after_applications(prometheus, running_system):
    expressions = {
        "received": 'sum(acikkapi_applications_received_total{channel="web"})',
        "http": 'sum(acikkapi_http_requests_total{route="/api/v1/applications",method="POST",status="201"})',
        "rpc": 'sum(acikkapi_rpc_calls_total{service="intake",method="submit_application",outcome="ok"})',
        "handled": 'sum(acikkapi_event_handler_calls_total{service="tracking",event="application_received",'
                   'outcome="ok"})',
        "sms": 'sum(acikkapi_sms_messages_total{state="sent"})',
    }
    wait_until(lambda: query(prometheus, "sum(up)") == 5, 20, interval=0.25, what="every target up")
    before = {name: query(prometheus, expression) for name, expression in expressions.items()}
    gateway_before = gateway_count(running_system, **SUBMIT_ROUTE)

    count = 6  # spread over the gateway's workers
    receipts = [submit(running_system.url, application_body(channel="web")) for _ in range(count)]

    for name, expression in expressions.items():
        moved(prometheus, expression, before[name])
    wait_until(lambda: query(prometheus, expressions["received"]) >= before["received"] + count, 15,
               interval=0.25, what="every application counted")
    # Whichever worker answers /metrics, it reports every worker's requests.
    for _ in range(4):
        assert gateway_count(running_system, **SUBMIT_ROUTE) - gateway_before == count
    # The store-wide gauges are there: the relays' backlogs, routing's overdue count, every dead-letter queue.
    wait_until(lambda: query(prometheus, "count(acikkapi_outbox_pending_documents)") == 4, 15, interval=0.25,
               what="outbox backlog of intake, routing, notification and tracking")
    assert query(prometheus, "count(acikkapi_applications_overdue)") == 1
    assert query(prometheus, "count(acikkapi_dead_letter_messages)") == len(topology.handler_queue_names())
    numbers = [receipt["application_no"] for receipt in receipts]
    for text in [requests.get(running_system.url + "/metrics", timeout=5).text] + [
            requests.get(running_system.metrics_url(service), timeout=5).text for service in SERVICES]:
        values = {value for sample in samples(text) for value in sample.labels.values()}
        assert not [value for value in values if APPLICATION_NO.search(value) or PHONE_DIGITS in value]
        assert not [number for number in numbers if number in text]
