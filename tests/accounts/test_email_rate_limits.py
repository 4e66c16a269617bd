"""Password-reset e-mails are rate-limited, and say nothing of the address (V4 / issue 12)."""

from django.core import mail
from django.urls import reverse

from accounts import forms
from tests.factories import UserFactory

SENT = reverse("accounts:password_reset_sent")


def ask(client, email, ip="203.0.113.5"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_at_most_three_reset_emails_per_address_per_hour(client, db):
    UserFactory(email="marie@example.fr")
    for _ in range(forms.RESETS_PER_ADDRESS + 2):
        response = ask(client, "Marie@example.fr")
        assert response.status_code == 302 and response.url == SENT
    assert len(mail.outbox) == forms.RESETS_PER_ADDRESS


def test_at_most_ten_requests_per_client_address_per_hour(client, db):
    for index in range(forms.RESETS_PER_CLIENT + 3):
        UserFactory(email=f"personne{index}@example.fr")
    for index in range(forms.RESETS_PER_CLIENT + 3):
        assert ask(client, f"personne{index}@example.fr").url == SENT
    assert len(mail.outbox) == forms.RESETS_PER_CLIENT
    # Another client address still gets its e-mail.
    ask(client, "personne0@example.fr", ip="198.51.100.20")
    assert len(mail.outbox) == forms.RESETS_PER_CLIENT + 1


def test_staff_unknown_and_lead_addresses_answer_the_same(client, caresp, lead):
    pages = []
    for email in (caresp.email, lead.email, "personne@example.fr"):
        response = ask(client, email, ip="198.51.100.30")
        pages.append((response.status_code, response.url))
    assert len(set(pages)) == 1


def test_login_says_the_same_for_a_staff_account_and_an_unknown_one(client, caresp):
    answers = []
    for username in (caresp.username, "inconnu-total"):
        response = client.post(
            reverse("accounts:login"),
            {"username": username, "password": "mauvais"},
            REMOTE_ADDR="198.51.100.40",
        )
        page = response.content.decode().replace(username, "IDENTIFIANT")
        answers.append((response.status_code, "Identifiant ou mot de passe incorrect" in page))
    assert answers == [(200, True), (200, True)]
