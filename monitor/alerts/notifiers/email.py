"""The email channel: multipart text + HTML over SMTP (plain, STARTTLS or SSL)."""

from __future__ import annotations

import email.utils
import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from monitor.alerts.notifiers.base import NotifyError, PartialDelivery
from monitor.alerts.render.email import message_id_for_sender

if TYPE_CHECKING:
    from monitor.alerts.render.cards import Rendered
    from monitor.config import ChannelSettings

logger = logging.getLogger(__name__)


class EmailNotifier:
    """Sends each message as one email; any SMTP or socket error is a NotifyError,
    a server refusing some of the recipients a PartialDelivery naming them."""

    def __init__(
        self, settings: ChannelSettings, *, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.name = settings.name
        self._settings = settings
        self._ssl_context = ssl_context

    def __repr__(self) -> str:
        return f"EmailNotifier(name={self.name!r})"

    def build(self, message: Rendered) -> EmailMessage:
        """The email for `message`: headers, text part, HTML alternative."""
        settings = self._settings
        mail = EmailMessage()
        sender = settings.sender or "mofawatch@localhost"
        mail["Subject"] = message.subject
        mail["From"] = sender
        mail["To"] = ", ".join(settings.to)
        mail["Date"] = email.utils.formatdate(usegmt=True)
        # Message-IDs under the sender's own domain (RFC 5322 3.6.4): an update's
        # In-Reply-To is rewritten alike, so threads hold.
        mail["Message-ID"] = message_id_for_sender(message.message_id, sender)
        if message.in_reply_to:
            parent = message_id_for_sender(message.in_reply_to, sender)
            mail["In-Reply-To"] = parent
            mail["References"] = parent
        mail["Auto-Submitted"] = "auto-generated"
        for name, value in _filter_headers(message.payload):
            mail[name] = value
        mail.set_content(message.text)
        mail.add_alternative(message.html, subtype="html")
        return mail

    def send(self, message: Rendered) -> None:
        self.send_to(message, tuple(self._settings.to))

    def send_to(self, message: Rendered, recipients: tuple[str, ...]) -> None:
        """Send to those of `recipients` the channel still has (the To header names
        every recipient); none left is nothing to do."""
        wanted = tuple(r for r in recipients if r in self._settings.to)
        if not wanted:
            logger.info("email channel %s: no recipient left to send to", self.name)
            return
        mail = self.build(message)
        try:
            refused = self._deliver(mail, wanted)
        except (smtplib.SMTPException, OSError) as exc:
            raise NotifyError(
                f"email channel {self.name}: {self._describe(exc)}"
            ) from None
        if refused:
            raise PartialDelivery(
                f"email channel {self.name}: {self._refusals(refused)}",
                undelivered=tuple(sorted(refused)),
            )
        logger.debug("email channel %s: sent %s", self.name, message.message_id)

    def _refusals(self, refused: Mapping[str, tuple[int, bytes]]) -> str:
        host = f"{self._settings.smtp_host}:{self._settings.smtp_port}"
        return _scrub(
            f"{_refused(refused)}; the others got it (SMTP {host})", self._password
        )

    def _deliver(
        self, mail: EmailMessage, recipients: tuple[str, ...]
    ) -> dict[str, tuple[int, bytes]]:
        settings = self._settings
        host = settings.smtp_host or "localhost"
        port = settings.smtp_port or settings.security.default_port
        timeout = settings.timeout_seconds
        context = self._ssl_context or ssl.create_default_context()
        smtp: smtplib.SMTP
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if settings.security == "starttls":
                smtp.starttls(context=context)
            if settings.username:
                smtp.login(settings.username, self._password or "")
            return smtp.send_message(
                mail, from_addr=mail["From"], to_addrs=list(recipients)
            )

    def _describe(self, exc: BaseException) -> str:
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            text = _refused(exc.recipients)
        elif isinstance(exc, smtplib.SMTPAuthenticationError):
            text = f"login refused for user {self._settings.username} ({exc.smtp_code})"
        elif isinstance(exc, smtplib.SMTPResponseException):
            error = exc.smtp_error
            detail = (
                error.decode("utf-8", "replace") if isinstance(error, bytes) else error
            )
            text = f"server said {exc.smtp_code} {detail}"
        elif isinstance(exc, TimeoutError):
            text = f"timed out after {self._settings.timeout_seconds:g} s"
        elif isinstance(exc, OSError) and exc.strerror:
            text = f"{type(exc).__name__}: {exc.strerror}"
        else:
            text = f"{type(exc).__name__}: {exc}"
        host = f"{self._settings.smtp_host}:{self._settings.smtp_port}"
        return _scrub(f"{text} (SMTP {host})", self._password)

    @property
    def _password(self) -> str | None:
        secret = self._settings.password
        return secret.get_secret_value() if secret else None


def _filter_headers(payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    """X-Mofawatch-* headers that mail rules can sort on (event, document)."""
    event = (
        payload.get("kind") if payload.get("type") == "change" else payload.get("type")
    )
    document = payload.get("document")
    headers = [("X-Mofawatch-Event", str(event))] if event else []
    if isinstance(document, Mapping) and document.get("doc_id"):
        headers.append(("X-Mofawatch-Document", str(document["doc_id"])))
    return headers


def _refused(refused: Mapping[str, tuple[int, bytes]]) -> str:
    """The refused recipients, each with the server's reply (code and text)."""
    each = [
        f"{rcpt} ({code} {reply.decode('utf-8', 'replace')})"
        for rcpt, (code, reply) in sorted(refused.items())
    ]
    return "refused " + ", ".join(each)


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text
