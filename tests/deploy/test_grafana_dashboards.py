"""deploy/grafana/ holds what Grafana provisions (docker-compose.yml mounts it): the Prometheus
datasource, the dashboard provider, and dashboards whose every PromQL expression names only
metrics that the code defines (prometheus_client's Counter, Gauge, Histogram, Summary in common/,
services/, gateway/), so a renamed metric cannot leave a panel silently empty."""
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
DEFINITION = re.compile(r'\b(Counter|Gauge|Histogram|Summary)\(\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"')
OUR_METRIC = re.compile(r"\bacikkapi_[a-z0-9_]+\b")
# Series Prometheus itself makes for every scrape target.
PROMETHEUS_SERIES = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}


def exposed_series():
    """The series names prometheus_client exposes for every metric the code defines."""
    series = set()
    for path in [*ROOT.glob("common/**/*.py"), *ROOT.glob("services/**/*.py"), *ROOT.glob("gateway/**/*.py")]:
        for kind, name in DEFINITION.findall(path.read_text()):
            if kind == "Counter":
                base = name[:-len("_total")] if name.endswith("_total") else name
                series |= {base + "_total", base + "_created"}
            elif kind == "Gauge":
                series.add(name)
            else:
                series |= {name + "_bucket", name + "_sum", name + "_count", name + "_created", name}
    return series


SERIES = exposed_series()


def expressions(dashboard):
    found = []
    for panel in dashboard["panels"]:
        for nested in [panel, *panel.get("panels", [])]:
            for target in nested.get("targets", []):
                found.append((nested["title"], target["expr"]))
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        if isinstance(query, dict):
            query = query.get("query")
        if variable.get("type") == "query" and query:
            found.append(("$" + variable["name"], query))
    return found


def test_the_code_defines_the_metrics_the_dashboards_need():
    assert "acikkapi_applications_received_total" in SERIES
    assert "acikkapi_sms_messages_total" in SERIES


def test_there_is_a_governorship_dashboard():
    assert (GRAFANA / "dashboards" / "acikkapi-governorship.json") in DASHBOARDS


def test_the_datasource_is_the_prometheus_of_compose():
    provisioning = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yaml").read_text())
    (datasource,) = provisioning["datasources"]
    assert datasource["type"] == "prometheus" and datasource["url"] == "http://prometheus:9090"
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert "prometheus" in compose["services"]


def test_the_dashboard_provider_reads_where_compose_mounts_the_dashboards():
    provisioning = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "acikkapi.yaml").read_text())
    (provider,) = provisioning["providers"]
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    mounts = dict(volume.split(":")[:2] for volume in compose["services"]["grafana"]["volumes"])
    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"


@pytest.mark.parametrize("path", DASHBOARDS, ids=[path.name for path in DASHBOARDS])
def test_dashboard_parses_with_unique_ids_and_the_provisioned_datasource(path):
    dashboard = json.loads(path.read_text())
    assert dashboard["uid"] and dashboard["title"]
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["targets"], panel["title"]
            assert panel["datasource"]["uid"] == "prometheus", panel["title"]


@pytest.mark.parametrize("path", DASHBOARDS, ids=[path.name for path in DASHBOARDS])
def test_every_expression_names_only_metrics_the_code_defines(path):
    dashboard = json.loads(path.read_text())
    for title, expression in expressions(dashboard):
        assert expression.count("(") == expression.count(")"), title
        assert expression.count("{") == expression.count("}"), title
        names = set(OUR_METRIC.findall(expression))
        assert names or "up" in re.findall(r"\b\w+\b", expression), "{}: no metric in {}".format(title, expression)
        unknown = sorted(names - SERIES)
        assert unknown == [], "{}: {} not defined in the code".format(title, unknown)


def test_the_metric_check_is_not_vacuous():
    assert "acikkapi_no_such_metric_total" not in SERIES
    assert OUR_METRIC.findall('sum(rate(acikkapi_no_such_metric_total{state="x"}[5m]))') == [
        "acikkapi_no_such_metric_total"]


ALERT_RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"


def test_every_alert_names_only_metrics_the_code_defines():
    rules = yaml.safe_load(ALERT_RULES.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            unknown = sorted(set(OUR_METRIC.findall(str(rule["expr"]))) - SERIES)
            assert unknown == [], "{}: {} not defined in the code".format(rule.get("alert"), unknown)
