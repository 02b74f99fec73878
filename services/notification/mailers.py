"""How an e-mail leaves (docs/sms.md#email): through an SMTP server named by ``SMTP_URL``, or, with
no SMTP_URL, as one JSON line per e-mail in ``$DATA_DIR/email-log.jsonl`` (the address masked), as
``SMS_PROVIDER=log`` does for SMS.

``SMTP_URL``: ``smtp://[user:password@]host[:port][?starttls=true]`` (port 25 by default; 587 with
STARTTLS is the usual submission port) or ``smtps://[user:password@]host[:port]`` (TLS from the
first byte, port 465 by default). User and password are percent-decoded. Credentials are refused
without TLS (``smtps://`` or ``starttls=true``): they must not cross a network in clear. The server's
certificate is checked against the system's CAs (``SSL_CERT_FILE`` names another bundle).
"""
import json
import smtplib
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from services.notification.emails import mask_email, masked_addresses

LOG_FILE_NAME = "email-log.jsonl"
DEFAULT_SENDER = "Açık Kapı <bildirim@acikkapi.gov.tr>"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class OutgoingEmail:
    message_id: str  # ours: the Message-ID's left part, the same at every attempt
    to: str
    subject: str
    text: str


class EmailSendError(Exception):
    """``retryable``: a 4xx answer, a timeout, a refused or dropped connection; a 5xx is final."""

    def __init__(self, reason: str, retryable: bool):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    implicit_tls: bool  # smtps://
    starttls: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpServer:
    """ValueError naming what is wrong (never the password)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("SMTP_URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise ValueError("SMTP_URL names no host")
    options = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(options) - {"starttls"})
    if unknown:
        raise ValueError("SMTP_URL: unknown option(s) {}; only starttls".format(", ".join(unknown)))
    starttls_value = (options.get("starttls") or ["false"])[-1].strip().lower()
    if starttls_value not in _TRUE + _FALSE:
        raise ValueError("SMTP_URL: starttls must be true or false")
    implicit_tls, starttls = parts.scheme == "smtps", starttls_value in _TRUE
    if implicit_tls and starttls:
        raise ValueError("SMTP_URL: smtps:// is TLS already; starttls is for smtp://")
    try:
        port = parts.port or (465 if implicit_tls else 25)
    except ValueError:
        raise ValueError("SMTP_URL: the port is not a number") from None
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if (username or password) and not (implicit_tls or starttls):
        raise ValueError("SMTP_URL: a user and password need smtps:// or ?starttls=true")
    return SmtpServer(parts.hostname, port, implicit_tls, starttls, username, password)


class SmtpMailer:
    """One SMTP conversation per e-mail: e-mails are few (an SMS that failed, or one per SMS), and a
    kept connection would need its own keep-alive and reconnects for no measurable gain."""

    name = "smtp"

    def __init__(self, server: SmtpServer, sender: str, timeout_seconds: float,
                 tls_context: ssl.SSLContext | None = None):
        self.server = server
        self.sender = sender
        self.timeout_seconds = timeout_seconds
        self.tls_context = tls_context or ssl.create_default_context()
        domain = parseaddr(sender)[1].rpartition("@")[2]
        self.message_id_domain = domain or "acikkapi.gov.tr"

    def message(self, email: OutgoingEmail) -> EmailMessage:
        message = EmailMessage(policy=SMTP_POLICY)
        message["From"] = self.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Date"] = formatdate(localtime=True)
        # The same at every attempt: a copy sent again after a crash can be recognised as one.
        message["Message-ID"] = "<{}@{}>".format(email.message_id, self.message_id_domain)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a no-reply sender
        message.set_content(email.text)
        return message

    def send(self, email: OutgoingEmail) -> None:
        message = self.message(email)
        try:
            with self._connect() as smtp:
                if self.server.starttls:
                    smtp.starttls(context=self.tls_context)
                if self.server.username:
                    smtp.login(self.server.username, self.server.password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as refused:
            code, answer = next(iter(refused.recipients.values()))
            raise _answered(code, answer) from None
        except smtplib.SMTPNotSupportedError:
            raise EmailSendError("the server offers no STARTTLS or AUTH", retryable=False) from None
        except smtplib.SMTPResponseException as answered:
            raise _answered(answered.smtp_code, answered.smtp_error) from None
        except (smtplib.SMTPException, OSError) as trouble:  # dropped, refused, timed out, TLS
            raise EmailSendError("SMTP {}: {}".format(type(trouble).__name__, masked_addresses(str(trouble))[:200]),
                                 retryable=True) from None

    def _connect(self) -> smtplib.SMTP:
        if self.server.implicit_tls:
            return smtplib.SMTP_SSL(self.server.host, self.server.port, timeout=self.timeout_seconds,
                                    context=self.tls_context)
        return smtplib.SMTP(self.server.host, self.server.port, timeout=self.timeout_seconds)


def _answered(code: int, answer: bytes | str) -> EmailSendError:
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
    # 4xx: "try again later" (greylisting, a full queue, 451 local error); 5xx: refused for good.
    return EmailSendError("SMTP {} {}".format(code, masked_addresses(text))[:300], retryable=400 <= code < 500)


class LogMailer:
    """The development stand-in for an SMTP server: one JSON line per e-mail under DATA_DIR, the
    address masked."""

    name = "log"

    def __init__(self, data_dir: str | Path):
        directory = Path(data_dir)
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / LOG_FILE_NAME
        self._lock = threading.Lock()  # green under eventlet's monkey patching

    def send(self, email: OutgoingEmail) -> None:
        line = json.dumps({"at": datetime.now().astimezone().isoformat(timespec="milliseconds"),
                           "message_id": email.message_id, "to": mask_email(email.to),
                           "subject": email.subject, "text": email.text}, ensure_ascii=False)
        with self._lock, self.path.open("a", encoding="utf-8") as log:
            log.write(line + "\n")


Mailer = SmtpMailer | LogMailer


def build_mailer(settings: Mapping[str, str | None], timeout_seconds: float) -> Mailer:
    """SMTP when ``SMTP_URL`` is set, else the log; ValueError for a bad SMTP_URL."""
    url = settings.get("SMTP_URL")
    if not url:
        return LogMailer(settings.get("DATA_DIR") or "./var")
    return SmtpMailer(parse_smtp_url(url), settings.get("EMAIL_FROM") or DEFAULT_SENDER, timeout_seconds)
