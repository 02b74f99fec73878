"""Injects ``confirm_identity(application)``: the population registry's word on an applicant
(services/intake/identity.py has the rules; services/intake/population_registry.py the SOAP calls).

Answers are kept ``ANSWER_KEPT_SECONDS`` in this process under a keyed digest of what was asked
(``Person.digest``, its key made at start and never stored), so a citizen who corrects a typo in
the description is not a second registry call; nothing of the applicant is held in plain text.
"""
import functools
import logging
import os
import time
from collections.abc import Callable
from typing import Any

from cachetools import TTLCache
from nameko.extensions import DependencyProvider

from common import rpc
from common.errors import OutsideServiceUnavailable
from contracts.intake.requests import ValidApplication
from messages import bilingual
from services.intake import identity
from services.intake.metrics import IDENTITY_CHECKS, REGISTRY_CALL_SECONDS
from services.intake.population_registry import PopulationRegistry, RegistryUnavailable
from services.intake.settings import settings

log = logging.getLogger(__name__)

ANSWER_KEPT_SECONDS = 600
ANSWERS_KEPT = 10_000
UNAVAILABLE = "identity_registry_unavailable"
# What a submission needs after the registry's answer to be stored and answered; a call that would
# leave less before the caller stops waiting is not made (the citizen would get a 504 for an
# application stored after all: docs/api.md#not-done).
STORE_AND_REPLY_SECONDS = 0.3
SHORTEST_CALL_SECONDS = 0.2


class IdentityRegistry(DependencyProvider):
    def setup(self) -> None:
        configured = settings()
        self.registry = (PopulationRegistry(configured.nvi_kps_url, timeout=configured.registry_timeout_seconds)
                         if configured.identity_registry == identity.NVI else None)
        self.answers: TTLCache[str, bool] = TTLCache(maxsize=ANSWERS_KEPT, ttl=ANSWER_KEPT_SECONDS)
        self.digest_key = os.urandom(32)

    def get_dependency(self, worker_ctx: Any) -> Callable[[ValidApplication], str]:
        """``confirm_identity`` bounded by this request's caller's deadline (common/rpc.py)."""
        return functools.partial(self.confirm_identity, time_left=rpc.time_left(worker_ctx.data))

    def confirm_identity(self, application: ValidApplication, time_left: float | None = None) -> str:
        """How the applicant was identified (``identity.BY_REGISTRY``, or ``NOT_CHECKED`` with the
        registry off); ValidationFailed when the registry does not know them so (or a birth field it
        needs is missing), OutsideServiceUnavailable when it cannot be asked now — or not within
        ``time_left``, the seconds until the caller stops waiting, with room to store and reply."""
        if self.registry is None:
            return identity.NOT_CHECKED
        person = identity.person_to_check(application)
        key = person.digest(self.digest_key)
        known, source = self.answers.get(key), "cache"
        if known is None:
            known, source = self._ask(person, _call_limit(time_left)), "registry"
            self.answers[key] = known
        IDENTITY_CHECKS.labels("verified" if known else "refused", source).inc()
        if not known:
            raise identity.mismatch(application)
        return identity.BY_REGISTRY

    def _ask(self, person: identity.Person, limit: float | None) -> bool:
        assert self.registry is not None
        started = time.monotonic()
        try:
            if limit is not None and limit < SHORTEST_CALL_SECONDS:
                raise RegistryUnavailable("no time left before the caller's deadline")
            if person.is_foreigner:
                assert person.birth_date is not None
                return self.registry.verify_foreigner(person.national_id, person.first_name, person.last_name,
                                                      person.birth_date, timeout=limit)
            return self.registry.verify_citizen(person.national_id, person.first_name, person.last_name,
                                                person.birth_year, timeout=limit)
        except RegistryUnavailable as error:
            # the reason only: RegistryUnavailable's text never holds what was asked
            log.warning("population registry unavailable: %s", error)
            IDENTITY_CHECKS.labels("unavailable", "registry").inc()
            raise OutsideServiceUnavailable(UNAVAILABLE, bilingual("identity.registry_unavailable")) from None
        finally:
            REGISTRY_CALL_SECONDS.observe(time.monotonic() - started)


def _call_limit(time_left: float | None) -> float | None:
    """The longest the registry may take now (None: the client's own limit)."""
    return None if time_left is None else time_left - STORE_AND_REPLY_SECONDS
