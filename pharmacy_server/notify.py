"""How the server reaches people outside the API: activation codes and account decisions.

``SmtpNotifier`` sends mail (tests run it against a real aiosmtpd server); ``FileNotifier``
writes each message as an ``.eml`` file for the demo. Messages carry no patient data.
"""

from __future__ import annotations

import logging
import os
import smtplib
import tempfile
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from pharmacy_server.clock import utc_now

log = logging.getLogger(__name__)


class NotifyFailed(Exception):
    """The message could not be handed over."""


class Notifier(Protocol):
    def send(self, *, to: str, subject: str, text: str) -> None: ...


def _message(sender: str, to: str, subject: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    return message


class SmtpNotifier:
    def __init__(
        self, host: str, port: int, sender: str, *, starttls: bool = False, timeout: float = 10.0
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._starttls = starttls
        self._timeout = timeout

    def send(self, *, to: str, subject: str, text: str) -> None:
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                if self._starttls:
                    smtp.starttls()
                smtp.send_message(_message(self._sender, to, subject, text))
        except (OSError, smtplib.SMTPException) as error:
            log.warning("mail to the SMTP server failed: %s", type(error).__name__)
            raise NotifyFailed from error


class FileNotifier:
    """One ``.eml`` file per message, written atomically, for the demo and for tests."""

    def __init__(self, directory: Path, sender: str = "no-reply@pharmacy.invalid") -> None:
        self.directory = directory
        self._sender = sender

    def send(self, *, to: str, subject: str, text: str) -> None:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            stamp = utc_now().strftime("%Y%m%dT%H%M%S%f")
            handle, temp = tempfile.mkstemp(dir=self.directory, prefix=".mail-", suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                stream.write(bytes(_message(self._sender, to, subject, text)))
            os.chmod(temp, 0o600)  # an activation code is a secret
            os.replace(temp, self.directory / f"{stamp}-{os.getpid()}.eml")
        except OSError as error:
            raise NotifyFailed from error
