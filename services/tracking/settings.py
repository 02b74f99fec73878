"""Tracking's settings, read once per process from the environment (docs/configuration.md#environment)."""
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from common.config import setting
from services.tracking.objections import DEFAULT_WINDOW_DAYS

# An objection window beyond a year would keep every answer open to objection: surely a typo.
LONGEST_WINDOW_DAYS = 366


@dataclass(frozen=True)
class TrackingSettings:
    objection_window: timedelta  # how long after an answer the applicant may object (OBJECTION_DAYS)

    @classmethod
    def from_environment(cls) -> "TrackingSettings":
        text = setting("OBJECTION_DAYS", str(DEFAULT_WINDOW_DAYS))
        if not text.isdigit() or not 1 <= int(text) <= LONGEST_WINDOW_DAYS:
            raise ValueError("OBJECTION_DAYS must be a whole number of days from 1 to {}, not {!r}".format(
                LONGEST_WINDOW_DAYS, text))
        return cls(objection_window=timedelta(days=int(text)))


@lru_cache(maxsize=1)
def settings() -> TrackingSettings:
    """Read on first use; service.py reads it at import, so a bad OBJECTION_DAYS stops the start-up,
    not a citizen's objection."""
    return TrackingSettings.from_environment()
