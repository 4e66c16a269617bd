"""Once-only creation on the applicant's pages (issue 11, item 4): « Créer le dossier »
and « Envoyer l'invitation » clicked twice create one dossier and one invitation (one
e-mail: a second one would kill the first link)."""

import html

import pytest
from django.core import mail
from django.urls import reverse

from campaign.models import Invitation
from dossiers.models import Dossier
from tests.once_only import key_on, posted_twice

pytestmark = pytest.mark.django_db


def test_creating_the_dossier_twice_creates_one(client, lead, campaign):
    client.force_login(lead)
    key = key_on(client.get(reverse("home")))
    url = reverse("dossiers:create", args=[campaign.slug, lead.filieres.get().pk])
    first, second = posted_twice(client, url, {}, Dossier.objects.count, key=key)
    assert first.url == reverse("dossiers:edit", args=[Dossier.objects.get().pk])
    # Sent one after the other, the repeat finds the dossier; sent together, it waits on
    # the key and is sent to the first one's dossier all the same.
    page = html.unescape(client.get(second.url).content.decode())
    assert "Cette filière a déjà un dossier pour cette campagne." in page


def test_inviting_twice_sends_one_invitation(
    client, lead, draft, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    url = reverse("dossiers:invite", args=[draft.pk])
    key = key_on(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        posted_twice(
            client, url, {"email": "nouvelle@example.fr"}, Invitation.objects.count, key=key
        )
    assert Invitation.objects.get().send_count == 1
    assert len([m for m in mail.outbox if "nouvelle@example.fr" in m.to]) == 1


def test_a_form_key_of_someone_else_is_refused(client, lead, co_editor, draft):
    client.force_login(lead)
    url = reverse("dossiers:invite", args=[draft.pk])
    key = key_on(client.get(url))
    assert client.post(url, {"email": "a@example.fr", "once": key}).status_code == 302
    client.force_login(co_editor)
    response = client.post(url, {"email": "b@example.fr", "once": key})
    assert response.status_code == 409
    assert Invitation.objects.count() == 1
