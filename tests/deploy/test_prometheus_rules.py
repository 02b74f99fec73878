"""deploy/prometheus/: the scrape config is valid and scrapes every process where it serves its
metrics; the alert rules pass their promtool unit tests (alerts_test.yml) and name only metrics
the code defines. promtool comes with Debian's ``prometheus`` package (.ci/run installs it): in CI
its absence fails, elsewhere it skips."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

import common.metrics  # noqa: F401  (each import registers its module's metrics)
import gateway.metrics  # noqa: F401
import services.intake.metrics  # noqa: F401
import services.notification.metrics  # noqa: F401
import services.routing.metrics  # noqa: F401
from common.metrics import DEFAULT_PORTS

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"


@pytest.fixture(scope="module")
def promtool():
    path = shutil.which("promtool")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("promtool is missing (.ci/run installs Debian's prometheus package)")
        pytest.skip("promtool is not installed (apt-get install prometheus)")
    return path


def run(promtool, *arguments):
    return subprocess.run([promtool, *arguments], cwd=PROMETHEUS_DIR, capture_output=True, text=True, timeout=60)


def test_the_scrape_config_and_its_rules_are_valid(promtool):
    result = run(promtool, "check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_alert_rules_pass_their_unit_tests(promtool):
    result = run(promtool, "test", "rules", "alerts_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_service_and_the_gateway_is_scraped_where_it_serves():
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == set(DEFAULT_PORTS) | {"gateway"}
    for service, port in DEFAULT_PORTS.items():
        assert jobs[service]["static_configs"][0]["targets"] == ["{}:{}".format(service, port)]
    assert jobs["gateway"]["metrics_path"] == "/metrics"
    assert jobs["gateway"]["static_configs"][0]["targets"] == ["gateway:8000"]
    assert config["rule_files"] == ["alerts.yml"]


def test_the_rules_name_only_metrics_the_code_defines():
    defined = set()
    for family in REGISTRY.collect():
        defined |= {family.name + suffix for suffix in ("", "_total", "_bucket", "_sum", "_count")}
    rules = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text())
    used = {name for group in rules["groups"] for rule in group["rules"]
            for name in re.findall(r"\bacikkapi_[a-z_]+", rule["expr"])}
    assert used and used <= defined, sorted(used - defined)
