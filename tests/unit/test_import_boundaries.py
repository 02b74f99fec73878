"""Who may import whom, checked in `make test` rather than kept by convention.

The rules are import-linter contracts in pyproject.toml ``[tool.importlinter]``: the services never
import each other nor the gateway; the gateway imports contracts, never a service; contracts build
on common's plumbing only; common imports no service, no gateway and, of the contracts, only the
event catalogue its queue plumbing routes by; the store engine and the message catalogues
(messages/) import nothing of the project.
A broken contract fails here with the import chain that breaks it (in the captured output).
"""
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"


def settings():
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))


# In a process of its own: import-linter reconfigures logging, which the log tests then miss.
# no_cache: the cache would be a directory in the checkout, and a stale one could hide a change.
LINT = ("import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))")


def test_every_import_contract_is_kept():
    result = subprocess.run([sys.executable, "-c", LINT, str(PYPROJECT)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_contracts_cover_every_package_that_is_installed():
    """A new top-level package is installed (packages.find) and must be placed in the rules too."""
    installed = {pattern.rstrip("*") for pattern in settings()["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert set(settings()["tool"]["importlinter"]["root_packages"]) == installed


def test_the_gateway_and_the_services_have_a_rule_each():
    """The contracts the issue asks for exist by id: deleting one is a visible change of this test."""
    ids = {contract["id"] for contract in settings()["tool"]["importlinter"]["contracts"]}
    assert {"services-independent", "services-not-gateway", "gateway-not-services", "contracts-standalone",
            "common-is-plumbing", "docstore-standalone", "messages-standalone"} <= ids
