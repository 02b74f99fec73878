"""Who is applying (issue 24): the registry's spelling of names, the birth fields the check needs, a
refusal that does not say which field was wrong, the answer cache under keyed digests, and an
unreachable registry that stores nothing."""
import time
from dataclasses import replace
from datetime import date

import pytest

from common.errors import OutsideServiceUnavailable, ValidationFailed
from contracts.intake.requests import CITIZEN_CHANNELS, validate_application
from services.intake import identity
from services.intake.identity_registry import IdentityRegistry
from services.intake.population_registry import RegistryUnavailable
from tests.support.samples import intake_worker

FOREIGNER_ID = "99999999990"  # 99…: a YKN; check digits valid


class FakeRegistry:
    """Answers as the registry would for the people it holds; counts calls; can be down."""

    def __init__(self, *people, down=False):
        self.people = set(people)
        self.down = down
        self.calls = []
        self.timeouts = []

    def verify_citizen(self, national_id, first_name, last_name, birth_year, timeout=None):
        return self._answer(("citizen", national_id, first_name, last_name, birth_year), timeout)

    def verify_foreigner(self, national_id, first_name, last_name, birth_date, timeout=None):
        return self._answer(("foreigner", national_id, first_name, last_name, birth_date), timeout)

    def _answer(self, asked, timeout):
        self.calls.append(asked)
        self.timeouts.append(timeout)
        if self.down:
            raise RegistryUnavailable("timed out")
        return asked in self.people


def registry_with(fake):
    dependency = IdentityRegistry()
    dependency.setup = None  # not a nameko container: the parts setup() makes, set by hand
    dependency.registry = fake
    dependency.answers = {}
    dependency.digest_key = b"d" * 32
    return dependency


def application(application_body, **applicant):
    body = application_body()
    body["applicant"].update(applicant)
    return validate_application(body, allowed_channels=CITIZEN_CHANNELS)


@pytest.mark.parametrize("written, registry", [
    ("Ayşe", "AYŞE"), ("ismail", "İSMAİL"), ("Işık", "IŞIK"), ("ılgaz", "ILGAZ"), ("Çağrı  Nur", "ÇAĞRI NUR"),
    ("Öztürk-Şahin", "ÖZTÜRK-ŞAHİN"), ("O'Neil", "O'NEIL".replace("I", "İ")),
])
def test_names_are_sent_in_the_registrys_turkish_upper_case(written, registry):
    assert identity.registry_spelling(written) == registry


def test_a_citizen_needs_the_birth_year_and_a_foreigner_the_birth_date(application_body):
    with pytest.raises(ValidationFailed) as citizen:
        identity.person_to_check(application(application_body))
    assert citizen.value.fields == {"applicant.birth_year": identity.REQUIRED}
    with pytest.raises(ValidationFailed) as foreigner:
        identity.person_to_check(application(application_body, national_id=FOREIGNER_ID, birth_year="1990"))
    assert set(foreigner.value.fields) == {"applicant.birth_date"}

    person = identity.person_to_check(application(application_body, birth_date="1985-04-23"))
    assert (person.birth_year, person.birth_date, person.is_foreigner) == (1985, None, False)
    foreign = identity.person_to_check(application(application_body, national_id=FOREIGNER_ID,
                                                   birth_date="1990-02-01"))
    assert foreign.is_foreigner and foreign.birth_date == date(1990, 2, 1)


@pytest.mark.parametrize("field, value", [("birth_year", "85"), ("birth_year", "1899"), ("birth_year", "2999"),
                                          ("birth_year", 1985), ("birth_date", "1990-02-30"),
                                          ("birth_date", "23.04.1990"), ("birth_date", "2999-01-01")])
def test_bad_birth_fields_are_named(application_body, field, value):
    with pytest.raises(ValidationFailed) as refused:
        application(application_body, **{field: value})
    assert set(refused.value.fields) == {"applicant." + field}


def test_the_registry_is_asked_in_its_spelling_and_a_match_is_recorded(application_body):
    fake = FakeRegistry(("citizen", "10000000146", "AYŞE", "YILMAZ", 1985))
    registry = registry_with(fake)

    assert registry.confirm_identity(application(application_body, birth_year="1985")) == identity.BY_REGISTRY
    assert fake.calls == [("citizen", "10000000146", "AYŞE", "YILMAZ", 1985)]


def test_a_mismatch_names_every_identity_field_with_one_reason(application_body):
    registry = registry_with(FakeRegistry(("citizen", "10000000146", "AYŞE", "YILMAZ", 1985)))
    refusals = []
    for wrong in ({"last_name": "Yıldız", "birth_year": "1985"}, {"birth_year": "1986"}):
        with pytest.raises(ValidationFailed) as refused:
            registry.confirm_identity(application(application_body, **wrong))
        refusals.append(refused.value.fields)

    assert refusals[0] == refusals[1]
    assert set(refusals[0]) == {"applicant.national_id", "applicant.first_name", "applicant.last_name",
                                "applicant.birth_year"}
    assert len(set(refusals[0].values())) == 1


def test_answers_are_kept_briefly_under_a_keyed_digest_never_in_plain_text(application_body):
    fake = FakeRegistry(("citizen", "10000000146", "AYŞE", "YILMAZ", 1985))
    registry = registry_with(fake)
    asked = application(application_body, birth_year="1985")

    registry.confirm_identity(asked)
    registry.confirm_identity(asked)

    assert len(fake.calls) == 1
    [key] = registry.answers
    assert "10000000146" not in key and "AYŞE" not in key and len(key) == 64


def test_checks_are_counted_by_outcome_and_source(application_body):
    from prometheus_client import REGISTRY

    def count(outcome, source):
        return REGISTRY.get_sample_value("acikkapi_identity_checks_total", {"outcome": outcome, "source": source}) or 0

    before = {key: count(*key) for key in (("verified", "registry"), ("verified", "cache"), ("refused", "registry"),
                                           ("unavailable", "registry"))}
    fake = FakeRegistry(("citizen", "10000000146", "AYŞE", "YILMAZ", 1985))
    registry = registry_with(fake)
    registry.confirm_identity(application(application_body, birth_year="1985"))
    registry.confirm_identity(application(application_body, birth_year="1985"))
    with pytest.raises(ValidationFailed):
        registry.confirm_identity(application(application_body, birth_year="1984"))
    fake.down = True
    with pytest.raises(OutsideServiceUnavailable):
        registry.confirm_identity(application(application_body, birth_year="1983"))

    assert {key: count(*key) - value for key, value in before.items()} == {
        ("verified", "registry"): 1, ("verified", "cache"): 1, ("refused", "registry"): 1,
        ("unavailable", "registry"): 1}


def test_a_foreigner_is_checked_by_the_foreigners_operation(application_body):
    fake = FakeRegistry(("foreigner", FOREIGNER_ID, "JOHN", "SMİTH", date(1990, 2, 1)))
    registry = registry_with(fake)
    asked = application(application_body, national_id=FOREIGNER_ID, first_name="John", last_name="Smith",
                        birth_date="1990-02-01")
    assert registry.confirm_identity(asked) == identity.BY_REGISTRY


def test_an_unreachable_registry_is_a_503_meaning_and_nothing_is_stored(application_body, store, kick_counter):
    fake = FakeRegistry(down=True)
    intake = intake_worker(applications=store, publish_owed_events=kick_counter,
                           confirm_identity=registry_with(fake).confirm_identity)
    body = application_body()
    body["applicant"]["birth_year"] = "1985"

    with pytest.raises(OutsideServiceUnavailable) as unavailable:
        intake.submit_application(body)

    assert unavailable.value.code == "identity_registry_unavailable"
    assert store.applications.count_documents({}) == 0
    assert fake.calls and "10000000146" not in str(unavailable.value)


def test_the_birth_year_serves_the_check_and_is_not_kept(application_body, store, kick_counter):
    fake = FakeRegistry(("citizen", "10000000146", "AYŞE", "YILMAZ", 1985))
    intake = intake_worker(applications=store, publish_owed_events=kick_counter,
                           confirm_identity=registry_with(fake).confirm_identity)
    body = application_body()
    body["applicant"]["birth_year"] = "1985"

    receipt = intake.submit_application(body)

    stored = store.find_application(receipt["application_no"])
    assert stored["identity"]["checked_by"] == identity.BY_REGISTRY
    assert "birth_year" not in stored and "birth_year" not in stored["applicant"]
    assert "1985" not in str(stored["outbox"])


def test_the_call_is_bounded_by_the_callers_deadline_and_not_made_without_time_left(application_body):
    from types import SimpleNamespace

    from common.rpc import ANSWER_BY_MS_KEY

    fake = FakeRegistry(("citizen", "10000000146", "AYŞE", "YILMAZ", 1985))
    registry = registry_with(fake)
    soon = SimpleNamespace(data={ANSWER_BY_MS_KEY: (time.time() + 2.0) * 1000})
    registry.get_dependency(soon)(application(application_body, birth_year="1985"))
    assert 1.5 < fake.timeouts[-1] <= 1.7  # two seconds left, less the time to store and reply

    late = SimpleNamespace(data={ANSWER_BY_MS_KEY: (time.time() + 0.4) * 1000})
    with pytest.raises(OutsideServiceUnavailable):
        registry.get_dependency(late)(application(application_body, birth_year="1984"))
    assert len(fake.calls) == 1  # no call for which no time was left

    unsaid = SimpleNamespace(data={})
    with pytest.raises(ValidationFailed):  # nobody born 1983 of that name: asked, answered no
        registry.get_dependency(unsaid)(application(application_body, birth_year="1983"))
    assert fake.timeouts[-1] is None  # the client's own limit


def test_with_the_registry_off_nothing_is_asked(application_body):
    registry = registry_with(None)
    assert registry.confirm_identity(application(application_body)) == identity.NOT_CHECKED


def test_the_settings_refuse_an_unknown_registry_and_too_long_a_timeout(monkeypatch):
    from services.intake.settings import IntakeSettings

    monkeypatch.setenv("IDENTITY_REGISTRY", "mernis")
    with pytest.raises(ValueError, match="IDENTITY_REGISTRY"):
        IntakeSettings.from_environment()
    monkeypatch.setenv("IDENTITY_REGISTRY", "NVI")
    monkeypatch.setenv("IDENTITY_REGISTRY_TIMEOUT_SECONDS", "10")
    with pytest.raises(ValueError, match="TIMEOUT"):
        IntakeSettings.from_environment()
    monkeypatch.setenv("IDENTITY_REGISTRY_TIMEOUT_SECONDS", "2.5")
    monkeypatch.setenv("NVI_KPS_URL", "http://127.0.0.1:9/Service/")
    configured = IntakeSettings.from_environment()
    assert (configured.identity_registry, configured.registry_timeout_seconds, configured.nvi_kps_url) == (
        "nvi", 2.5, "http://127.0.0.1:9/Service")
    assert replace(configured, phone_verification="required").phone_verification == "required"
    for placeholder in ("CHANGE-ME", "short"):
        monkeypatch.setenv("VERIFICATION_SECRET", placeholder)
        with pytest.raises(ValueError, match="VERIFICATION_SECRET"):
            IntakeSettings.from_environment()
    monkeypatch.setenv("VERIFICATION_SECRET", "a" * 64)
    monkeypatch.setenv("PHONE_CODE_LIFETIME_SECONDS", "1000")
    with pytest.raises(ValueError, match="PHONE_CODE_LIFETIME_SECONDS"):
        IntakeSettings.from_environment()
