"""A real SMTP server on loopback for the tests (aiosmtpd): what it receives, it keeps."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller


class Collect:
    """Keeps every message accepted; while ``hold`` is set, each DATA waits and is refused (451),
    as a mail server that hangs would leave a sender."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.hold = threading.Event()
        self.data_started = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        self.data_started.set()
        if self.hold.is_set():
            while self.hold.is_set():
                await asyncio.sleep(0.05)
            return "451 Try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    def __init__(self):
        self.handler = Collect()
        self.port = free_port()  # aiosmtpd's Controller checks it started by connecting: it needs a port number
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.handler.hold.clear()
        self.controller.stop()

    @property
    def messages(self):
        return self.handler.messages
