"""Intake's settings, read once per process from the environment (docs/configuration.md#environment)."""
from dataclasses import dataclass
from functools import lru_cache

from common.config import setting
from services.intake.periods import AnswerPeriod, parse_answer_periods, parse_statutory_periods


@dataclass(frozen=True)
class IntakeSettings:
    answer_periods: dict[str, AnswerPeriod]  # kind → Açık Kapı's answer target (ANSWER_PERIODS)
    statutory_periods: dict[str, AnswerPeriod]  # kind → the limit the law sets (STATUTORY_PERIODS)

    @classmethod
    def from_environment(cls) -> "IntakeSettings":
        return cls(answer_periods=parse_answer_periods(setting("ANSWER_PERIODS")),
                   statutory_periods=parse_statutory_periods(setting("STATUTORY_PERIODS")))


@lru_cache(maxsize=1)
def settings() -> IntakeSettings:
    """Read on first use; service.py reads it at import, so a bad ANSWER_PERIODS or STATUTORY_PERIODS
    stops the start-up, not a citizen's submission."""
    return IntakeSettings.from_environment()
