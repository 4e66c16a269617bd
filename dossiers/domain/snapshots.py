"""Immutable copies of what was submitted."""

from django.db.models import Max
from django.utils import timezone

from dossiers.domain.access import with_document_relations
from dossiers.domain.serialize import content_hash, dossier_document
from dossiers.models import Dossier, Snapshot


def take_snapshot(dossier, user, transition_name, now=None):
    fresh = with_document_relations(Dossier.objects.filter(pk=dossier.pk)).get()
    content = dossier_document(fresh)
    number = (Snapshot.objects.filter(dossier=dossier).aggregate(n=Max("number"))["n"] or 0) + 1
    return Snapshot.objects.create(
        dossier=dossier,
        number=number,
        transition=transition_name,
        created_at=now or timezone.now(),
        created_by=user,
        content=content,
        content_sha256=content_hash(content),
    )
