"""A real SMTP server on loopback (aiosmtpd, in a thread of the test's process) that records what it
accepts and can be told to misbehave: the e-mail when an SMS fails (docs/sms.md#email) is tested
against it over real sockets, from unit tests (the mailer alone) to whole systems (notification as
its own process connects to it).

Scripted steps, one per coming message (``set_steps``), then normal behaviour:

* ``"451 4.3.0 Try again later"`` (any reply with a code): the answer to DATA, the message not kept;
* ``"rcpt:550 5.1.1 No such user"``: the answer to RCPT TO instead;
* ``"hang"``: RCPT TO is left unanswered until ``release()`` (or the server stops), so a message is
  never complete while a test kills its sender.

``tls="starttls"`` offers STARTTLS (and requires it before AUTH), ``tls="implicit"`` is TLS from the
first byte (``smtps://``); with ``username``/``password`` it requires AUTH (PLAIN). The
certificate is self-signed for 127.0.0.1 (``ca_file``: trust it in a client's SSL context).
"""
import asyncio
import datetime
import email
import ipaddress
import socket
import ssl
import tempfile
import time
from email import policy
from pathlib import Path
from urllib.parse import quote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.fakes._base import HANG, ScriptedSteps

RCPT = "rcpt:"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed_certificate(directory):
    """(certificate file, key file) for 127.0.0.1 and localhost, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory = Path(directory)
    cert_file, key_file = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class _Recorder:
    """aiosmtpd's handler: the scripted steps, the hanging RCPTs, the accepted messages."""

    def __init__(self, server):
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
        step, released = self.server._take_step(_for_rcpt)
        if released is not None:  # polled: waiting on the Event would block aiosmtpd's event loop
            while not released.is_set() and not self.server._stopping.is_set():
                await asyncio.sleep(0.02)
        elif step is not None:
            return step[len(RCPT):]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        step, _ = self.server._take_step(lambda step: not _for_rcpt(step))
        if step is not None:
            return step
        self.server._record(envelope)
        return "250 Message accepted for delivery"


def _for_rcpt(step):
    """Whether a scripted step answers RCPT TO (``hang``, ``rcpt:…``); the others answer DATA."""
    return step == HANG or step.startswith(RCPT)


class FakeSmtpServer(ScriptedSteps):
    """A context manager: ``url`` (for SMTP_URL), ``messages``, ``set_steps``, ``hanging``,
    ``release``, ``wait_for``, ``ca_file`` (the steps and held messages: tests/fakes/_base.py's
    ScriptedSteps)."""

    def __init__(self, tls=None, username=None, password=None, certificate_dir=None):
        assert tls in (None, "starttls", "implicit")
        self.tls, self.username, self.password = tls, username, password
        self.port = free_port()
        self._init_steps()
        self._messages = []
        self._temporary = None
        self.ca_file = None
        parameters = {}
        if tls:
            if certificate_dir is None:
                self._temporary = tempfile.TemporaryDirectory()
                certificate_dir = self._temporary.name
            cert_file, key_file = self_signed_certificate(certificate_dir)
            self.ca_file = str(cert_file)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert_file, key_file)
            if tls == "implicit":
                parameters["ssl_context"] = context
            else:
                parameters.update(tls_context=context, require_starttls=True)
        if username is not None:
            # PLAIN only: aiosmtpd's LOGIN waits forever after smtplib's initial response to a wrong password
            parameters.update(authenticator=self._authenticate, auth_required=True, auth_exclude_mechanism=["LOGIN"],
                              # over smtps:// the session is TLS from the start, which aiosmtpd does not count
                              auth_require_tls=tls == "starttls")
        self._controller = Controller(_Recorder(self), hostname="127.0.0.1", port=self.port, **parameters)

    @property
    def url(self):
        scheme = "smtps" if self.tls == "implicit" else "smtp"
        credentials = "" if self.username is None else "{}:{}@".format(quote(self.username, safe=""),
                                                                      quote(self.password, safe=""))
        query = "?starttls=true" if self.tls == "starttls" else ""
        return "{}://{}127.0.0.1:{}{}".format(scheme, credentials, self.port, query)

    def client_tls_context(self):
        """An SSL context that trusts this server's certificate (and nothing else)."""
        return ssl.create_default_context(cafile=self.ca_file) if self.ca_file else None

    def start(self):
        self._controller.start()
        return self

    def stop(self):
        self._stop_holding()
        self._controller.stop()
        if self._temporary is not None:
            self._temporary.cleanup()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # --- the record

    @property
    def messages(self):
        with self._lock:
            return [dict(message) for message in self._messages]

    def _record(self, envelope):
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self._messages.append({
                "received_at": time.time(),
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "message_id": parsed["Message-ID"],
                "subject": str(parsed["Subject"]),
                "from": str(parsed["From"]),
                "headers": {name: str(value) for name, value in parsed.items()},
                "text": parsed.get_body(("plain",)).get_content().replace("\r\n", "\n"),
            })

    def wait_for(self, count, timeout=10.0):
        """The messages once there are ``count`` of them; AssertionError naming how many came."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.messages
            if len(messages) >= count:
                return messages
            time.sleep(0.05)
        raise AssertionError("{} e-mail(s) expected within {}s, {} came".format(count, timeout, len(self.messages)))

    # --- behaviour (set_steps, pending_steps, hanging, release: ScriptedSteps)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        accepted = (isinstance(auth_data, LoginPassword)
                    and auth_data.login.decode() == self.username and auth_data.password.decode() == self.password)
        return AuthResult(success=accepted, handled=False)  # handled: aiosmtpd answers 535 itself
