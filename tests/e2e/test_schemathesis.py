"""schemathesis against the running system: every operation of /api/v1/openapi.json, with data
generated from the published schemas (the same tables the services validate with) and the
document's own examples. No answer is a 5xx, and every answer — status, content type, body —
is one the document promises.

Each operation runs under ``SEEDS`` (fixed, so a failure replays) with few examples per seed:
different seeds reach different corners, and the whole run stays bounded. Cases the document
calls invalid must also be refused (``negative_data_rejection``): a schema that refuses what the
service accepts (``"district": null`` of an optional field, a blank ``unit_id=``) fails here.
Staff operations carry the bearer token of an Ankara officer of the first role the operation allows.

The second test puts hypothesis-generated Unicode that no schema describes (lone surrogates,
NUL, controls, RTL overrides, combining marks, very long text) into every string of every JSON
body, every query and path parameter and the headers the gateway reads: never a 5xx, and every
answer well-formed JSON (or XML under ``….xml``).
"""
import json
import re
import time
from urllib.parse import quote

import pytest
import requests
import schemathesis
from defusedxml import ElementTree
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import negative_data_rejection, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.staff_client import received_application

pytestmark = pytest.mark.timeout(300)

SEEDS = (16, 1607)  # fixed: a failure replays; two: each reaches other corners (a third cost CI ~30 s)
MAX_EXAMPLES = 5  # per operation, strategy and seed: ~40 operations × 2 seeds stay bounded
NEGATIVE_EXAMPLES = 4  # cases the document calls invalid: a 4xx it lists, never a 5xx
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
NEGATIVE_CHECKS = CHECKS + [negative_data_rejection]
OFFICER_OF_ROLE = {"desk": "ankara.desk", "router": "ankara.router", "unit": "ankara.health",
                   "admin": "ankara.admin"}
# Changing a seeded officer's account would disturb the tests that log in as them.
PROTECTED_USERNAMES = {account for account in OFFICER_OF_ROLE.values()}


@pytest.fixture(scope="module")
def api_schema(running_system):
    return schemathesis.openapi.from_url(running_system.url + "/api/v1/openapi.json")


@pytest.fixture(scope="module")
def known_application(staff):
    """A real Ankara application, so that the operations on one answer more than 404."""
    return received_application(staff)


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


def _strategies(schema, operation, known_application, first_seed):
    """Generated cases, valid and invalid (with their checks); the document's examples and cases
    about a real application (under the first seed only: they vary little)."""
    strategies = [(operation.as_strategy(), MAX_EXAMPLES, CHECKS),
                  (operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), NEGATIVE_EXAMPLES,
                   NEGATIVE_CHECKS)]
    if not first_seed:
        return strategies
    examples = schema.get_strategies_from_examples(operation)
    if examples:
        strategies.append((st.one_of(examples), MAX_EXAMPLES, CHECKS))
    if "{application_no}" in operation.path:
        query = {"tracking_code": known_application["tracking_code"]} if operation.path.startswith(
            "/api/v1/applications/") else None
        strategies.append((operation.as_strategy(
            path_parameters={"application_no": known_application["application_no"]}, query=query), MAX_EXAMPLES,
            CHECKS))
    return strategies


def _headers(operation, staff):
    roles = operation.definition.raw.get("x-roles")
    return staff.headers(OFFICER_OF_ROLE[roles[0]]) if roles else {}


def _run(operation, strategy, headers, session, base_url, max_examples, checks, seed_value):
    seen = []

    @seed(seed_value)
    @settings(max_examples=max_examples, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
              print_blob=False)
    @given(case=strategy)
    def check(case):
        if (case.path_parameters or {}).get("username") in PROTECTED_USERNAMES:
            return
        if headers:
            generated = (case.headers or {}).get("Authorization", "")
            if not generated.startswith("Bearer "):  # a negative case without a token: the 401 is
                return                                # test_authorization_matrix's to check
            case.headers = dict(case.headers, **headers)  # the officer's real token for the generated one
        response = case.call_and_validate(base_url=base_url, session=session, checks=checks)
        seen.append(response.status_code)

    check()
    return seen


def test_every_operation_keeps_the_documents_promises(api_schema, staff, known_application, running_system):
    started = time.monotonic()
    session = requests.Session()
    # One connection per request: gunicorn closes an idle keep-alive connection after 2 s, and a
    # POST sent on one it has closed fails without the system ever seeing it.
    session.headers["Connection"] = "close"
    failures, statuses = {}, {}
    operations = _operations(api_schema)
    assert len(operations) >= 20, [operation.label for operation in operations]
    seconds = {}
    for operation in operations:
        headers = _headers(operation, staff)
        operation_started = time.monotonic()
        try:
            for seed_value in SEEDS:
                for strategy, max_examples, checks in _strategies(api_schema, operation, known_application,
                                                                  seed_value == SEEDS[0]):
                    try:
                        statuses.setdefault(operation.label, []).extend(_run(
                            operation, strategy, headers, session, running_system.url, max_examples, checks,
                            seed_value))
                    except Unsatisfiable:  # nothing to make invalid: no parameters, any body
                        pass
        except (Exception, BaseExceptionGroup) as failure:  # every operation's failures, reported together
            failures[operation.label] = "{}: {}".format(type(failure).__name__, failure)
        seconds[operation.label] = time.monotonic() - operation_started
    elapsed = time.monotonic() - started
    print("schemathesis: {} operations, {} requests in {:.1f} s".format(
        len(operations), sum(len(seen) for seen in statuses.values()), elapsed))
    for label, seen in sorted(statuses.items()):
        print("  {}: {} in {:.1f} s".format(label, sorted(set(seen)), seconds.get(label, 0)))
    document = requests.get(running_system.url + "/api/v1/openapi.json", timeout=15).json()
    published = {"{} {}".format(method.upper(), path)
                 for path, methods in document["paths"].items() for method in methods}
    # schemathesis leaves out the document it was loaded from; the unit tests check that one.
    assert published - set(statuses) <= {"GET /api/v1/openapi.json"}, published - set(statuses)
    assert not failures, "\n\n".join("{}\n{}".format(label, text) for label, text in failures.items())


# --- Unicode no schema describes, in every string the gateway reads ----------------------------

FUZZ_SEED = 1607
MAX_BODY_BYTES = 64 * 1024  # the running system's (gateway/settings.py default)
BODY_EXAMPLES = 8  # per operation with a JSON body
PARAMETER_EXAMPLES = 6  # per operation with query or path parameters
HEADER_EXAMPLES = 3  # per operation
HEADERS_READ = ("Idempotency-Key", "X-Request-ID", "Authorization", "Range", "Accept", "Content-Type",
                "X-Forwarded-For", "X-Twilio-Signature", "If-None-Match")
# Path parameters that name nothing real: a fuzzed PATCH must not change a seeded officer or unit.
HARMLESS_PATH_VALUES = {"username": "fuzz.nobody", "unit_id": "06-fuzz-nobody", "client_id": "fuzznobody",
                        "provider": "verimor", "token": "wrong-token", "fmt": "json", "service_code": "health"}

NASTY = st.one_of(
    st.sampled_from(["\ud800", "a\udfffb", "\ud83d", "\x00", "a\x00b", "\u202eevil\u202c", "e\u0301\u0302\u0303",
                     "\ufeff", "\uffff", "\x1b[31m", "\U0001d49c", "", " ", "\t\r\n", "İı", "ǅ", "\u0000" * 3]),
    st.text(alphabet=st.characters(categories=["Cs", "Cc", "Mn", "Cf", "Zs", "Co", "Lo", "So"]), max_size=30),
    st.builds(lambda char, count: char * count, st.sampled_from(["x", "ş", "\u0301", "😀", "\ud800"]),
              st.integers(min_value=200, max_value=70_000)),
)


def _well_formed(response, path):
    """Never a 5xx; JSON answers parse as UTF-8 JSON, XML answers as XML (defusedxml)."""
    assert response.status_code < 500, (response.status_code, response.text[:300])
    content_type = response.headers.get("Content-Type", "")
    if "xml" in content_type:
        ElementTree.fromstring(response.content)
    elif "json" in content_type:
        json.loads(response.content.decode("utf-8"))
    else:
        assert path.startswith(("/metrics", "/api/v1/docs")) or response.status_code in (204, 304), content_type


def _path_of(template, values):
    return re.sub(r"\{(\w+)\}", lambda match: values.get(match[1], HARMLESS_PATH_VALUES.get(match[1], "x")),
                  template)


def _leaves(value, path=()):
    """Paths to every string of a JSON value, and to one new key in each object."""
    if isinstance(value, dict):
        yield path + ("\ufffenew-key",)
        for key, child in value.items():
            yield from _leaves(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _leaves(child, path + (index,))
    else:
        yield path


def _with(document, path, text):
    """A copy of ``document`` with the string at ``path`` (or a new key) set to ``text``; a new key
    is spelt ``text`` itself, so unreadable keys are tried too."""
    document = json.loads(json.dumps(document))
    if not path:
        return text
    target = document
    for part in path[:-1]:
        target = target[part]
    if path[-1] == "\ufffenew-key":
        target[text] = "x"
    else:
        target[path[-1]] = text
    return document


def _base_body(operation):
    media = operation["requestBody"]["content"].get("application/json")
    if media is None:
        return None
    if "example" in media:
        return media["example"]
    schema = media["schema"]
    return {name: "x" for name in schema.get("properties", {})} if schema.get("type") == "object" else {}


def _encoded(text):
    """Percent-encoded as UTF-8, a lone surrogate as the bytes it would be (``%ED%A0%80``)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _header_value(text):
    """The bytes a raw client can put in a header: no CR or LF, no leading blank (urllib3 refuses those)."""
    return text.encode("utf-8", "surrogatepass").replace(b"\r", b"").replace(b"\n", b"").lstrip(b" \t") or b"x"


def test_generated_unicode_in_every_string_never_gives_a_5xx(running_system, staff, known_application):
    started = time.monotonic()
    document = requests.get(running_system.url + "/api/v1/openapi.json", timeout=15).json()
    known = {"application_no": known_application["application_no"]}
    sent = 0
    failures = {}
    for template, methods in sorted(document["paths"].items()):
        for method, operation in sorted(methods.items()):
            roles = operation.get("x-roles")
            auth = staff.headers(OFFICER_OF_ROLE[roles[0]]) if roles else {}
            base = _base_body(operation) if "requestBody" in operation else None
            parameters = [p for p in operation.get("parameters", []) if p["in"] in ("query", "path")]

            def call(path, query="", body=None, headers=None):
                nonlocal sent
                sent += 1
                all_headers = dict(auth, **(headers or {}))
                data = None
                if body is not None:
                    data = json.dumps(body).encode("ascii")  # ensure_ascii: "\ud800" travels as its escape
                    all_headers.setdefault("Content-Type", "application/json")
                try:
                    # A new connection each time: gunicorn closes idle keep-alive connections after 2 s,
                    # and a POST on one it closed fails without an answer from the system.
                    response = requests.request(method.upper(), running_system.url + path + query, data=data,
                                                headers=dict(all_headers, Connection="close"), timeout=30)
                except requests.ConnectionError:
                    # gunicorn may close on a client still uploading far past MAX_BODY_BYTES once
                    # it has answered 413 (test_bad_input checks that answer); nothing else may.
                    assert data is not None and len(data) > MAX_BODY_BYTES
                    return
                _well_formed(response, path)

            path = _path_of(template, known)

            @seed(FUZZ_SEED)
            @settings(max_examples=BODY_EXAMPLES, deadline=None, database=None, print_blob=False,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))
            @given(leaf=st.sampled_from(list(_leaves(base)) if base is not None else [()]), text=NASTY)
            def body_case(leaf, text):
                call(path, body=_with(base, leaf, text))

            @seed(FUZZ_SEED)
            @settings(max_examples=PARAMETER_EXAMPLES, deadline=None, database=None, print_blob=False,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))
            @given(parameter=st.sampled_from(parameters or [None]), text=NASTY)
            def parameter_case(parameter, text):
                if parameter["in"] == "path":
                    call(_path_of(template, dict(known, **{parameter["name"]: _encoded(text)})))
                else:
                    call(path, query="?{}={}&{}=x".format(parameter["name"], _encoded(text), _encoded(text)))

            @seed(FUZZ_SEED)
            @settings(max_examples=HEADER_EXAMPLES, deadline=None, database=None, print_blob=False,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))
            @given(name=st.sampled_from(HEADERS_READ), text=NASTY)
            def header_case(name, text):
                call(path, body=base, headers={name: _header_value(text)})

            cases = [header_case] + ([body_case] if base is not None else []) + ([parameter_case] if parameters else [])
            for case in cases:
                try:
                    case()
                except (Exception, BaseExceptionGroup) as failure:
                    causes = getattr(failure, "exceptions", [failure])
                    failures["{} {} {}".format(method.upper(), template, case.__name__)] = "; ".join(
                        "{}: {}".format(type(cause).__name__, str(cause)[:500]) for cause in causes)
    elapsed = time.monotonic() - started
    print("unicode fuzz: {} requests in {:.1f} s".format(sent, elapsed))
    assert sent > 300
    assert not failures, "\n\n".join("{}\n{}".format(label, text) for label, text in failures.items())
