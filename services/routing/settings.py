"""Routing's settings, read from the environment when a dependency sets up or starts
(docs/configuration.md#environment): each reads them once, and a test can set them before."""
from dataclasses import dataclass
from datetime import timedelta

from common.config import setting


@dataclass(frozen=True)
class RoutingSettings:
    deadline_check_seconds: float  # how often the deadline watcher looks (DEADLINE_CHECK_SECONDS)
    deadline_warning: timedelta  # deadline_approaching this long before the due time (DEADLINE_WARNING_HOURS)
    staff_accounts_file: str | None  # the accounts bootstrapped at start-up (STAFF_ACCOUNTS_FILE)

    @classmethod
    def from_environment(cls) -> "RoutingSettings":
        return cls(
            deadline_check_seconds=float(setting("DEADLINE_CHECK_SECONDS", "60")),
            deadline_warning=timedelta(hours=float(setting("DEADLINE_WARNING_HOURS", "24"))),
            staff_accounts_file=setting("STAFF_ACCOUNTS_FILE"),
        )
