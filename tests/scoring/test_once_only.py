"""Once-only creation in the instruction panel of the dossier page (issue 11, item 4): an internal
comment, a reviewer's assignment and a conflict of interest, sent twice with the same
form, are recorded once; the repeat lands where the first one did, without an error."""

import html

import pytest
from django.core import mail
from django.urls import reverse

from scoring.domain.assignments import assign_reviewer
from scoring.models import ConflictOfInterest, InternalComment, ReviewerAssignment
from tests.once_only import key_on, posted_twice

pytestmark = pytest.mark.django_db


def workspace(client, dossier):
    return client.get(reverse("dossiers:detail", args=[dossier.pk]))


def test_a_comment_sent_twice_is_one(client, in_review, instructor):
    client.force_login(instructor)
    key = key_on(workspace(client, in_review))
    url = reverse("scoring:comment", args=[in_review.pk])
    first, second = posted_twice(
        client, url, {"text": "À vérifier."}, InternalComment.objects.count, key=key
    )
    assert first.url.endswith("#commentaires")
    page = client.get(second.url).content.decode()
    assert "Ce commentaire était déjà ajouté." in page


def test_an_assignment_sent_twice_is_one_with_one_email(
    client, in_review, instructor, caresp, django_capture_on_commit_callbacks
):
    client.force_login(instructor)
    url = reverse("scoring:assign", args=[in_review.pk])
    with django_capture_on_commit_callbacks(execute=True):
        posted_twice(client, url, {"reviewer": caresp.pk}, ReviewerAssignment.objects.count)
    assert len([m for m in mail.outbox if caresp.email in m.to]) <= 1


def test_a_conflict_sent_twice_is_one_without_error(client, in_review, instructor, caresp):
    assign_reviewer(in_review, instructor, caresp)
    client.force_login(caresp)
    url = reverse("scoring:conflict", args=[in_review.pk])
    _first, second = posted_twice(
        client, url, {"reason": "Ancien salarié."}, ConflictOfInterest.objects.count
    )
    page = html.unescape(client.get(second.url).content.decode())
    assert "Ce conflit d'intérêts était déjà déclaré." in page
