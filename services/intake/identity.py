"""Who is applying: the rules of the population registry's check, with no I/O (docs/identity.md).

With ``IDENTITY_REGISTRY=nvi`` a web, app or Open311 submission is recorded only once NVİ's public
verification service has confirmed that the national ID belongs to a person of that name, born
that year (a foreigner's YKN: born that day). The desk skips the call: its officer has the identity
card in hand, and the record says so. The birth year or date is checked, never stored.

A refusal names every identity field with one reason, so the answer does not tell which of them
was wrong (a mismatch must not help anyone guess a stranger's details one field at a time).
"""
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from common.errors import ValidationFailed
from common.fields import REQUIRED
from contracts.intake.requests import ValidApplication
from messages import bilingual

OFF, NVI = "off", "nvi"
REGISTRIES = (OFF, NVI)
FOREIGNER_PREFIX = "99"  # a YKN (yabancı kimlik numarası) starts so; the registry has an operation of its own

# How an application's applicant was identified, as the record keeps it (``identity.checked_by``).
BY_REGISTRY = "population_registry"
BY_DESK_OFFICER = "desk_officer"
NOT_CHECKED = "not_checked"

MISMATCH = bilingual("identity.mismatch")


@dataclass(frozen=True)
class Person:
    """What the registry is asked about: names in its spelling (``registry_spelling``)."""
    national_id: str
    first_name: str
    last_name: str
    birth_year: int
    birth_date: date | None  # a foreigner's only

    @property
    def is_foreigner(self) -> bool:
        return self.national_id.startswith(FOREIGNER_PREFIX)

    def digest(self, key: bytes) -> str:
        """A keyed digest of everything asked: the answer cache's key, so that no national ID or
        name is held in plain text (and a copy of the cache cannot be reversed by hashing every
        ID, as a bare SHA-256 of an 11-digit number could be)."""
        asked = "\x1f".join((self.national_id, self.first_name, self.last_name, str(self.birth_year),
                             self.birth_date.isoformat() if self.birth_date else ""))
        return hmac.new(key, asked.encode("utf-8"), hashlib.sha256).hexdigest()


def registry_spelling(name: str) -> str:
    """A name as the registry holds it: Turkish upper case (``i`` → ``İ``, ``ı`` → ``I``), single
    spaces. Python's ``str.upper`` makes ``i`` an ``I`` and would not match "İSMAİL"."""
    return " ".join(name.replace("i", "İ").replace("ı", "I").upper().split())


def person_to_check(application: ValidApplication) -> Person:
    """The applicant as the registry is asked about them, or ValidationFailed naming the birth
    field the check needs: the year for a T.C. kimlik no (a birth date gives it too), the whole
    date for a YKN."""
    foreigner = application.national_id.startswith(FOREIGNER_PREFIX)
    born = application.birth_date
    if foreigner and born is None:
        raise ValidationFailed({"applicant.birth_date": REQUIRED})
    year = born.year if born is not None else application.birth_year
    if year is None:
        raise ValidationFailed({"applicant.birth_year": REQUIRED})
    return Person(national_id=application.national_id,
                  first_name=registry_spelling(application.first_name),
                  last_name=registry_spelling(application.last_name),
                  birth_year=year, birth_date=born if foreigner else None)


def mismatch(application: ValidApplication) -> ValidationFailed:
    """The registry said no: one reason on every field it was asked about."""
    birth_field = "applicant.birth_date" if application.birth_date is not None else "applicant.birth_year"
    return ValidationFailed({field: MISMATCH for field in (
        "applicant.national_id", "applicant.first_name", "applicant.last_name", birth_field)})


def not_checked(application: ValidApplication) -> str:
    """``confirm_identity`` where no registry is asked (the benchmarks' in-process services)."""
    return NOT_CHECKED


def checked(checked_by: str, now: datetime, officer: str | None = None) -> dict[str, Any]:
    """The record's ``identity``: how the applicant was identified, when, and by which officer at a desk."""
    return {"checked_by": checked_by, "checked_at": now, "officer": officer}
