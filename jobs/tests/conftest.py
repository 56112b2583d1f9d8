"""A real SMTP server (aiosmtpd) on a free local port, and one that accepts and never answers."""

import socket

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import medecin  # noqa: F401 (the cast's doctor, shared)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    """Delivery goes to a real SMTP listener; `start()` and `stop()` bring it up and down."""

    def __init__(self, port):
        self.port = port
        self.recorder = Recorder()
        self.controller = None

    @property
    def messages(self):
        return self.recorder.messages

    def start(self):
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    """The SMTP server the app sends to: configured, but down until the test starts it."""
    server = SmtpServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    yield server
    server.stop()


@pytest.fixture
def silent_smtp(smtp):
    """A server that accepts the connection and never says a word (not even its greeting)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", smtp.port))
    listener.listen(16)
    yield smtp
    listener.close()
