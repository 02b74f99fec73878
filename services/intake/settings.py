"""Intake's settings, read once per process from the environment (docs/configuration.md#environment)."""
import os
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from common import config
from common.config import setting
from services.intake import identity
from services.intake import phone_verification as phones
from services.intake.periods import AnswerPeriod, parse_answer_periods, parse_statutory_periods

DEFAULT_NVI_KPS_URL = "https://tckimlik.nvi.gov.tr/Service"
# The registry answers in well under a second; past this a citizen is better told to try again.
MAX_REGISTRY_TIMEOUT_SECONDS = 3.0
SHORTEST_VERIFICATION_SECRET = 32


@dataclass(frozen=True)
class IntakeSettings:
    answer_periods: dict[str, AnswerPeriod]  # kind → Açık Kapı's answer target (ANSWER_PERIODS)
    statutory_periods: dict[str, AnswerPeriod]  # kind → the limit the law sets (STATUTORY_PERIODS)
    identity_registry: str = identity.OFF  # IDENTITY_REGISTRY: off | nvi
    nvi_kps_url: str = DEFAULT_NVI_KPS_URL  # NVI_KPS_URL: the directory of KPSPublic.asmx
    registry_timeout_seconds: float = MAX_REGISTRY_TIMEOUT_SECONDS  # IDENTITY_REGISTRY_TIMEOUT_SECONDS
    phone_verification: str = phones.OFF  # PHONE_VERIFICATION: off | required
    phone_code_lifetime: timedelta = phones.CODE_LIFETIME  # PHONE_CODE_LIFETIME_SECONDS

    @classmethod
    def from_environment(cls) -> "IntakeSettings":
        _check_secret(setting("VERIFICATION_SECRET"))
        return cls(answer_periods=parse_answer_periods(setting("ANSWER_PERIODS")),
                   statutory_periods=parse_statutory_periods(setting("STATUTORY_PERIODS")),
                   identity_registry=_choice("IDENTITY_REGISTRY", identity.REGISTRIES),
                   nvi_kps_url=(setting("NVI_KPS_URL") or DEFAULT_NVI_KPS_URL).rstrip("/"),
                   registry_timeout_seconds=_timeout(setting("IDENTITY_REGISTRY_TIMEOUT_SECONDS")),
                   phone_verification=_choice("PHONE_VERIFICATION", phones.SETTINGS),
                   phone_code_lifetime=_code_lifetime(setting("PHONE_CODE_LIFETIME_SECONDS")))


def _choice(name: str, choices: tuple[str, ...]) -> str:
    """The setting, one of ``choices`` (the first when unset)."""
    value = (setting(name) or choices[0]).strip().lower()
    if value not in choices:
        raise ValueError("{} must be one of {}, not {!r}".format(name, ", ".join(choices), value))
    return value


def _check_secret(configured: str | None) -> None:
    """A set VERIFICATION_SECRET must be a key, not a placeholder (deploy/k8s/config.yaml's CHANGE-ME)."""
    if configured is not None and len(configured.strip()) < SHORTEST_VERIFICATION_SECRET:
        raise ValueError("VERIFICATION_SECRET must be at least {} characters (openssl rand -hex 32)".format(
            SHORTEST_VERIFICATION_SECRET))


def _timeout(configured: str | None) -> float:
    if not configured:
        return MAX_REGISTRY_TIMEOUT_SECONDS
    seconds = float(configured)
    if not 0 < seconds <= MAX_REGISTRY_TIMEOUT_SECONDS:
        raise ValueError("IDENTITY_REGISTRY_TIMEOUT_SECONDS must be above 0 and at most {}".format(
            MAX_REGISTRY_TIMEOUT_SECONDS))
    return seconds


def _code_lifetime(configured: str | None) -> timedelta:
    """Long enough to read an SMS that came late, short enough that a stolen code soon goes stale."""
    if not configured:
        return phones.CODE_LIFETIME
    seconds = int(configured)
    if not 5 <= seconds <= 900:
        raise ValueError("PHONE_CODE_LIFETIME_SECONDS must be between 5 and 900")
    return timedelta(seconds=seconds)


@lru_cache(maxsize=1)
def settings() -> IntakeSettings:
    """Read on first use; service.py reads it at import, so a bad setting stops the start-up, not a
    citizen's submission."""
    return IntakeSettings.from_environment()


@lru_cache(maxsize=1)
def verification_key() -> bytes:
    """The key of the phone verifications' digests (VERIFICATION_SECRET; on a single machine made
    into DATA_DIR on first use). Every intake process must share it: a code asked for through one is
    proven through another."""
    return config.generated_secret("VERIFICATION_SECRET", "verification_secret",
                                   lambda: os.urandom(32).hex()).encode("utf-8")
