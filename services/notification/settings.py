"""Notification's settings, read from the environment (docs/configuration.md#environment): the
background loops read them when they set up (once each, and a test can set them before), the
handlers through ``settings()`` (once per process)."""
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from common.config import setting
from services.notification.domain import SENDING_LEASE

_TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class NotificationSettings:
    tracking_url: str | None  # where the SMS sends citizens to track (TRACKING_URL; None: the template's)
    sms_concurrency: int  # provider calls at once (SMS_CONCURRENCY)
    sms_batch_size: int  # messages one provider call may carry, where its API takes several (SMS_BATCH_SIZE)
    sms_batch_wait_seconds: float  # after a call short of a full batch, the wait before the next (SMS_BATCH_WAIT_MS)
    sending_lease: timedelta  # a message being sent is someone's for this long (SMS_SENDING_LEASE_SECONDS)
    sms_timeout_seconds: float  # one provider call's limit (SMS_TIMEOUT_SECONDS)
    status_poll_seconds: float  # how often to ask about missing delivery reports (SMS_STATUS_POLL_SECONDS)
    status_poll_batch: int  # messages asked about per round (SMS_STATUS_POLL_BATCH)
    report_grace: timedelta  # how long a delivery report may take before polling (SMS_REPORT_GRACE_MINUTES)
    # SMS_PROVIDER and the provider's own variables (providers/*.py ``from_settings`` names them);
    # SMTP_URL, EMAIL_FROM and DATA_DIR for the e-mail (mailers.py ``build_mailer``).
    provider_settings: Mapping[str, str]
    email_always: bool  # an e-mail beside every SMS, not only when one fails (NOTIFY_EMAIL_ALWAYS)
    smtp_timeout_seconds: float  # one SMTP step's limit, and one whole e-mail's (SMTP_TIMEOUT_SECONDS)
    email_sending_lease: timedelta  # an e-mail being sent is someone's for this long (EMAIL_SENDING_LEASE_SECONDS)

    @classmethod
    def from_environment(cls) -> "NotificationSettings":
        return cls(
            tracking_url=setting("TRACKING_URL"),
            sms_concurrency=int(setting("SMS_CONCURRENCY", "8")),
            sms_batch_size=int(setting("SMS_BATCH_SIZE", "50")),
            sms_batch_wait_seconds=float(setting("SMS_BATCH_WAIT_MS", "100")) / 1000,
            sending_lease=timedelta(seconds=float(setting("SMS_SENDING_LEASE_SECONDS",
                                                          str(SENDING_LEASE.total_seconds())))),
            sms_timeout_seconds=float(setting("SMS_TIMEOUT_SECONDS", "10")),
            status_poll_seconds=float(setting("SMS_STATUS_POLL_SECONDS", "60")),
            status_poll_batch=int(setting("SMS_STATUS_POLL_BATCH", "15")),
            report_grace=timedelta(minutes=float(setting("SMS_REPORT_GRACE_MINUTES", "15"))),
            provider_settings=dict(os.environ),
            email_always=setting("NOTIFY_EMAIL_ALWAYS", "false").strip().lower() in _TRUE,
            smtp_timeout_seconds=float(setting("SMTP_TIMEOUT_SECONDS", "20")),
            email_sending_lease=timedelta(seconds=float(setting("EMAIL_SENDING_LEASE_SECONDS", "60"))),
        )


@lru_cache(maxsize=1)
def settings() -> NotificationSettings:
    return NotificationSettings.from_environment()
