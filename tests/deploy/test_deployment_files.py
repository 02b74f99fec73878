"""The files that run the system agree with each other and with docs/configuration.md (no engine needed):
docker-compose.yml is valid against the Compose Specification's JSON schema (the copy that
check-jsonschema ships, Apache-2.0), every Procfile process is a compose service with the same
command, every container has a healthcheck and a restart policy, every environment variable
the code reads or compose sets is in the environment table of docs/configuration.md, and the Makefile runs the
Procfile through common/launcher.py without make warning of anything."""
import copy
import json
import re
import shlex
import subprocess
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ("intake", "routing", "notification", "tracking", "gateway")
# Set by compose for its infrastructure images (RabbitMQ, MongoDB, Grafana), not read by our code.
INFRASTRUCTURE_VARIABLES = re.compile(r"^(RABBITMQ_|MONGO_INITDB_|GF_)|_DB_PASSWORD$")
READS = re.compile(
    r'(?:setting\(|settings\.get\(|settings\[|environ\.get\(|required\(settings, )"([A-Z][A-Z0-9_]+)"')
# Keys of the WSGI environ the gateway reads (request headers come as HTTP_*), not settings.
WSGI_KEYS = re.compile(r"^(RAW_URI|REQUEST_URI|CONTENT_LENGTH|CONTENT_TYPE|HTTP_[A-Z0-9_]+)$")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def procfile():
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {name: shlex.split(command) for name, command in (line.split(": ", 1) for line in lines if line)}


@pytest.fixture(scope="module")
def documented():
    return environment_table_names()


def environment_table_names():
    """The backquoted names of the "## Environment" section of docs/configuration.md, up to the next heading."""
    page = (ROOT / "docs" / "configuration.md").read_text()
    section = page[page.index("\n## Environment\n"):]
    table = section[:section.index("\n## ", 1)]
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))


def test_every_process_runs_in_compose_with_the_procfile_command(compose, procfile):
    assert set(procfile) == set(PROCESSES)
    for name in PROCESSES:
        assert compose["services"][name]["command"] == procfile[name], name


def test_compose_has_the_broker_and_the_database_with_healthchecks(compose):
    for infrastructure in ("rabbitmq", "mongodb"):
        assert "healthcheck" in compose["services"][infrastructure]


def test_every_variable_compose_sets_is_documented(compose, documented):
    for name, service in compose["services"].items():
        for variable in service.get("environment", {}):
            if not INFRASTRUCTURE_VARIABLES.search(variable):
                assert variable in documented, "{} sets {}, missing from docs/configuration.md".format(name, variable)


def test_every_variable_the_code_reads_is_documented(documented):
    read = set()
    for path in list((ROOT / "common").rglob("*.py")) + list((ROOT / "services").rglob("*.py")) + \
            list((ROOT / "gateway").rglob("*.py")):
        read |= set(READS.findall(path.read_text()))
    settings = {name for name in read if not WSGI_KEYS.match(name)}
    assert settings, "the pattern found nothing: the test would pass vacuously"
    assert sorted(settings - documented) == []


def test_each_service_gets_its_own_database_in_compose(compose):
    for name in ("intake", "routing", "notification", "tracking"):
        uri = compose["services"][name]["environment"]["MONGO_URI"]
        assert uri.startswith("mongodb://{}:".format(name)) and "/{}?".format(name) in uri


@pytest.fixture(scope="module")
def compose_schema():
    text = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text()
    return json.loads(text)


def schema_errors(schema, document):
    validator = jsonschema.validators.validator_for(schema)(schema)
    return sorted("{}: {}".format(error.json_path, error.message) for error in validator.iter_errors(document))


def test_compose_file_is_valid_against_the_compose_specification(compose, compose_schema):
    assert schema_errors(compose_schema, compose) == []


def test_the_compose_schema_check_is_not_vacuous(compose, compose_schema):
    broken = copy.deepcopy(compose)
    broken["services"]["gateway"]["restart"] = "sometimes"
    broken["services"]["intake"]["helthcheck"] = {}
    broken["services"]["routing"]["ports"] = "8000"
    assert len(schema_errors(compose_schema, broken)) >= 3


def test_every_container_has_a_healthcheck_and_a_restart_policy(compose):
    for name, service in compose["services"].items():
        assert service.get("healthcheck", {}).get("test"), "{} has no healthcheck".format(name)
        assert service.get("restart") in ("always", "unless-stopped", "on-failure"), name


def test_each_service_is_checked_by_the_health_check_module_with_its_own_name(compose):
    for name in ("intake", "routing", "notification", "tracking"):
        test = compose["services"][name]["healthcheck"]["test"]
        assert test[1:5] == ["python", "-m", "common.health_check", name], name
    assert compose["services"]["gateway"]["healthcheck"]["test"][1:] == ["python", "-m", "common.health_check",
                                                                        "gateway"]


def test_compose_runs_redis_prometheus_and_grafana_from_deploy(compose):
    services = compose["services"]
    assert {"rabbitmq", "mongodb", "redis", "prometheus", "grafana"} <= set(services)
    assert "management" in services["rabbitmq"]["image"]
    assert any(volume.startswith("./deploy/prometheus:") for volume in services["prometheus"]["volumes"])
    grafana = [volume.split(":")[0] for volume in services["grafana"]["volumes"]]
    assert "./deploy/grafana/provisioning" in grafana and "./deploy/grafana/dashboards" in grafana
    for source in grafana:
        if source.startswith("./"):
            assert (ROOT / source).is_dir(), source


def test_gateway_workers_share_rate_limits_in_redis(compose):
    gateway = compose["services"]["gateway"]
    assert "redis" in gateway["depends_on"]
    assert "redis://redis:6379" in gateway["environment"]["RATE_LIMIT_STORAGE_URI"]
    assert "GATEWAY_WORKERS" in gateway["environment"]


def test_every_service_serves_metrics_beyond_its_container(compose):
    for name in ("intake", "routing", "notification", "tracking"):
        assert compose["services"][name]["environment"]["METRICS_HOST"] == "0.0.0.0", name


def test_the_image_holds_what_the_procfile_commands_need(procfile):
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\S+) ", dockerfile, re.MULTILINE))
    for name, command in procfile.items():
        for argument in command:
            if argument.endswith((".yaml", ".py")):
                assert argument.split("/")[0] in copied, "{}: {} not in the image".format(name, argument)
    assert {"common", "contracts", "docstore", "messages", "services", "gateway"} <= copied


@pytest.mark.parametrize("target", ["run"] + ["run-" + name for name in PROCESSES])
def test_make_run_targets_start_the_launcher_and_make_warns_of_nothing(target):
    dry = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert dry.stderr == "", dry.stderr  # e.g. "warning: overriding recipe for target 'run-gateway'"
    [command] = [line for line in dry.stdout.splitlines() if "common.launcher" in line]
    assert shlex.split(command)[1:] == ["-m", "common.launcher"] + ([target[4:]] if target != "run" else [])


def test_the_launcher_reads_the_procfile_as_the_tests_do(procfile):
    from common.launcher import read_procfile

    assert read_procfile(ROOT / "Procfile") == procfile
