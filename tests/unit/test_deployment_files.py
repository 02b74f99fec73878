"""The files that run the system agree with each other and with the README (no engine needed):
every Procfile process is a compose service with the same command, and every environment
variable the code reads or compose sets is in the README's environment table."""
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ("intake", "routing", "notification", "tracking", "gateway")
# Set by compose for its own infrastructure images, not read by our code.
INFRASTRUCTURE_VARIABLES = re.compile(r"^(RABBITMQ_DEFAULT_|MONGO_INITDB_)|_DB_PASSWORD$")
READS = re.compile(
    r'(?:setting\(|settings\.get\(|settings\[|environ\.get\(|required\(settings, )"([A-Z][A-Z0-9_]+)"')
WSGI_KEYS = {"RAW_URI", "REQUEST_URI"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def procfile():
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {name: shlex.split(command) for name, command in (line.split(": ", 1) for line in lines if line)}


@pytest.fixture(scope="module")
def documented():
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Environment"):]
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
                assert variable in documented, "{} sets {}, missing from the README".format(name, variable)


def test_every_variable_the_code_reads_is_documented(documented):
    read = set()
    for path in list((ROOT / "common").rglob("*.py")) + list((ROOT / "services").rglob("*.py")) + \
            list((ROOT / "gateway").rglob("*.py")):
        read |= set(READS.findall(path.read_text()))
    assert read - WSGI_KEYS, "the pattern found nothing: the test would pass vacuously"
    assert sorted(read - WSGI_KEYS - documented) == []


def test_each_service_gets_its_own_database_in_compose(compose):
    for name in ("intake", "routing", "notification", "tracking"):
        uri = compose["services"][name]["environment"]["MONGO_URI"]
        assert uri.startswith("mongodb://{}:".format(name)) and "/{}?".format(name) in uri
