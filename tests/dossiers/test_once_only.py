"""Issue 11, item 4: create actions are done once per form (common.once): project
sheets, funding lines and attachments; « Créer le dossier » and « Envoyer l'invitation »
clicked twice create one dossier and one invitation (one e-mail: a second one would kill
the first link)."""

import html
import re

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaign.models import Invitation
from common.models import OnceToken
from dossiers.models import Dossier, Project
from tests.once_only import key_on, posted_twice

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def form_key(page):
    match = re.search(r'name="once" value="([^"]+)"', page)
    assert match, "the form carries no once-only key"
    return match.group(1)


def test_the_same_project_form_sent_twice_creates_one_sheet(client, lead, draft):
    client.force_login(lead)
    create = reverse("dossiers:project_create", args=[draft.pk])
    key = form_key(client.get(create).content.decode())
    data = {"priority": "1", "title": "Équipe mobile", "once": key}
    first = client.post(create, data)
    second = client.post(create, data)
    assert Project.objects.filter(dossier=draft).count() == 1
    project = Project.objects.get(dossier=draft)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("dossiers:project_edit", args=[draft.pk, project.pk])
    page = client.get(second.url).content.decode()
    assert "Cette fiche projet était déjà créée" in page


def test_each_display_of_the_form_has_its_own_key(client, lead, draft):
    client.force_login(lead)
    create = reverse("dossiers:project_create", args=[draft.pk])
    assert form_key(client.get(create).content.decode()) != form_key(
        client.get(create).content.decode()
    )
    for title in ("Première", "Seconde"):
        key = form_key(client.get(create).content.decode())
        client.post(create, {"title": title, "once": key})
    assert Project.objects.filter(dossier=draft).count() == 2


def test_a_refused_form_keeps_its_key_and_can_be_sent_again(client, lead, draft):
    client.force_login(lead)
    create = reverse("dossiers:project_create", args=[draft.pk])
    key = form_key(client.get(create).content.decode())
    refused = client.post(
        create, {"title": "Fiche", "start": "2027-01-01", "end": "2025-01-01", "once": key}
    )
    assert refused.status_code == 400
    assert form_key(refused.content.decode()) == key
    assert not OnceToken.objects.filter(key=key).exists()
    assert client.post(create, {"title": "Fiche", "once": key}).status_code == 302
    assert Project.objects.filter(dossier=draft).count() == 1


def test_another_person_cannot_use_someone_elses_key(client, lead, co_editor, draft):
    client.force_login(lead)
    create = reverse("dossiers:project_create", args=[draft.pk])
    key = form_key(client.get(create).content.decode())
    client.post(create, {"title": "Fiche du porteur", "once": key})
    client.force_login(co_editor)
    response = client.post(create, {"title": "Fiche du co-rédacteur", "once": key})
    assert response.status_code == 409
    assert "Ce formulaire a déjà été envoyé" in response.content.decode()
    assert list(Project.objects.filter(dossier=draft).values_list("title", flat=True)) == [
        "Fiche du porteur"
    ]


def test_the_same_line_sent_twice_is_added_once(client, lead, complete):
    client.force_login(lead)
    project = complete.projects.get()
    sheet = reverse("dossiers:project_edit", args=[complete.pk, project.pk])
    key = form_key(client.get(sheet).content.decode().split('id="nouvelle-ligne"')[1])
    data = {
        "label": "Psychologue",
        "nature": "one_off",
        "category": "operating",
        "amount": "1 000",
        "once": key,
    }
    url = reverse("dossiers:line_create", args=[complete.pk, project.pk])
    client.post(url, data)
    client.post(url, data)
    assert project.lines.filter(label="Psychologue").count() == 1


def test_the_same_file_sent_twice_is_attached_once(client, lead, draft):
    client.force_login(lead)
    page = client.get(reverse("dossiers:section", args=[draft.pk, "identity"])).content.decode()
    key = form_key(page.split('id="pieces-jointes-identity"')[1])
    url = reverse("dossiers:attachment_upload", args=[draft.pk])
    for _n in range(2):
        client.post(
            url,
            {
                "section": "identity",
                "once": key,
                "file": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
            },
        )
    assert draft.attachments.count() == 1


def test_every_upload_form_of_a_page_has_its_own_key(client, lead, draft):
    """The dossier page renders its upload forms from one cached markup (one per part,
    forty on a large dossier): each still gets its own key, so that files sent from the
    same page to two parts are both kept."""
    first = Project.objects.create(dossier=draft, priority=1, title="Première")
    second = Project.objects.create(dossier=draft, priority=2, title="Seconde")
    client.force_login(lead)
    page = client.get(reverse("dossiers:detail", args=[draft.pk])).content.decode()
    keys = re.findall(r'name="once" value="([^"]+)"', page)
    assert len(keys) >= 3 and len(set(keys)) == len(keys)
    upload = reverse("dossiers:attachment_upload", args=[draft.pk])
    for project, key in zip((first, second), keys, strict=False):
        pdf = SimpleUploadedFile("budget.pdf", PDF, content_type="application/pdf")
        data = {"section": "projects", "project": project.pk, "file": pdf, "once": key}
        assert client.post(upload, data).status_code == 302
    assert draft.attachments.count() == 2
    assert {a.project_id for a in draft.attachments.all()} == {first.pk, second.pk}


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
