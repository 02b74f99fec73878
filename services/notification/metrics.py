"""What notification counts: messages by provider, template and state; provider call latency; e-mails."""
from prometheus_client import Counter, Histogram

SMS_MESSAGES = Counter(
    "acikkapi_sms_messages_total", "SMS messages reaching a state", ["provider", "template", "state"])
PROVIDER_CALL_SECONDS = Histogram(
    "acikkapi_sms_provider_call_seconds", "Time of one send call to the SMS provider", ["provider", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30))
DELIVERY_REPORTS_REFUSED = Counter(
    "acikkapi_sms_delivery_reports_refused_total",
    "Delivery reports the gateway accepted that notification could not apply "
    "(bad signature, unreadable, unknown provider)",
    ["provider", "reason"])
EMAILS = Counter(
    "acikkapi_emails_total", "E-mails reaching a state (docs/sms.md#email)", ["mailer", "template", "state"])
