"""An e-mail backend whose server is down (for the outage test)."""

from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("Serveur de courriel injoignable")
