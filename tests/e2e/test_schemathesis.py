"""schemathesis against the running system: every operation of /api/v1/openapi.json, with data
generated from the published schemas (the same tables the services validate with) and the
document's own examples. No answer is a 5xx, and every answer — status, content type, body —
is one the document promises.

Deterministic (hypothesis ``derandomize``) and bounded (``MAX_EXAMPLES`` per operation). Staff
operations carry the bearer token of an Ankara officer of the first role the operation allows.
"""
import time

import pytest
import requests
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from tests.support.staff_client import StaffApi, received_application

pytestmark = pytest.mark.timeout(300)

MAX_EXAMPLES = 20  # per operation and strategy: ~25 operations, the whole run stays well under 90 s
NEGATIVE_EXAMPLES = 10  # cases the document calls invalid: a 4xx it lists, never a 5xx
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
OFFICER_OF_ROLE = {"desk": "ankara.desk", "router": "ankara.router", "unit": "ankara.health",
                   "admin": "ankara.admin"}
# Changing a seeded officer's account would disturb the tests that log in as them.
PROTECTED_USERNAMES = {account for account in OFFICER_OF_ROLE.values()}


@pytest.fixture(scope="module")
def api_schema(running_system):
    return schemathesis.openapi.from_url(running_system.url + "/api/v1/openapi.json")


@pytest.fixture(scope="module")
def staff(running_system):
    return StaffApi(running_system.url)


@pytest.fixture(scope="module")
def known_application(staff):
    """A real Ankara application, so that the operations on one answer more than 404."""
    return received_application(staff)


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


def _strategies(schema, operation, known_application):
    """Generated cases, valid and invalid; the document's examples; cases about a real application."""
    strategies = [(operation.as_strategy(), MAX_EXAMPLES),
                  (operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), NEGATIVE_EXAMPLES)]
    examples = schema.get_strategies_from_examples(operation)
    if examples:
        strategies.append((st.one_of(examples), MAX_EXAMPLES))
    if "{application_no}" in operation.path:
        query = {"tracking_code": known_application["tracking_code"]} if operation.path.startswith(
            "/api/v1/applications/") else None
        strategies.append((operation.as_strategy(
            path_parameters={"application_no": known_application["application_no"]}, query=query), MAX_EXAMPLES))
    return strategies


def _headers(operation, staff):
    roles = operation.definition.raw.get("x-roles")
    return staff.headers(OFFICER_OF_ROLE[roles[0]]) if roles else {}


def _run(operation, strategy, headers, session, base_url, max_examples):
    seen = []

    @settings(max_examples=max_examples, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
              print_blob=False)
    @given(case=strategy)
    def check(case):
        if (case.path_parameters or {}).get("username") in PROTECTED_USERNAMES:
            return
        response = case.call_and_validate(base_url=base_url, session=session, headers=headers, checks=CHECKS)
        seen.append(response.status_code)

    check()
    return seen


def test_every_operation_keeps_the_documents_promises(api_schema, staff, known_application, running_system):
    started = time.monotonic()
    session = requests.Session()
    failures, statuses = {}, {}
    operations = _operations(api_schema)
    assert len(operations) >= 20, [operation.label for operation in operations]
    for operation in operations:
        headers = _headers(operation, staff)
        try:
            for strategy, max_examples in _strategies(api_schema, operation, known_application):
                try:
                    statuses.setdefault(operation.label, []).extend(
                        _run(operation, strategy, headers, session, running_system.url, max_examples))
                except Unsatisfiable:  # nothing to make invalid: no parameters, any body
                    pass
        except (Exception, BaseExceptionGroup) as failure:  # every operation's failures, reported together
            failures[operation.label] = "{}: {}".format(type(failure).__name__, failure)
    elapsed = time.monotonic() - started
    print("schemathesis: {} operations, {} requests in {:.1f} s".format(
        len(operations), sum(len(seen) for seen in statuses.values()), elapsed))
    for label, seen in sorted(statuses.items()):
        print("  {}: {}".format(label, sorted(set(seen))))
    document = requests.get(running_system.url + "/api/v1/openapi.json", timeout=15).json()
    published = {"{} {}".format(method.upper(), path) for path, methods in document["paths"].items() for method in methods}
    # schemathesis leaves out the document it was loaded from; the unit tests check that one.
    assert published - set(statuses) <= {"GET /api/v1/openapi.json"}, published - set(statuses)
    assert not failures, "\n\n".join("{}\n{}".format(label, text) for label, text in failures.items())
