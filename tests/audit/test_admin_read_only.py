"""The Django admin shows extensions, history and decisions read-only and says where
the application changes them (through the domain): a superuser can neither add,
change nor delete them there (issue 12)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from budget.domain.decisions import decide
from budget.domain.delegations import record_delegation
from budget.domain.envelopes import amend_envelope
from budget.models import Delegation, Envelope, EnvelopeAmendment
from campaign.enums import CampaignAction
from campaign.models import CampaignEvent, DeadlineExtension
from common.identifiers import finess_with_key
from dossiers.models import Dossier, HistoryEntry, Snapshot
from tests.budget.conftest import REC, grant_all, lines_of, make_dossier


@pytest.fixture
def rows(campaign, instructor, decider):
    dossier = make_dossier(campaign, instructor, [(REC, "100000.00")])
    decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
    line = lines_of(dossier)[0]
    record_delegation(
        decider, line.pk, "30000.00", "2025-07-15", "fir_arrete", finess_with_key("29000001")
    )
    envelope = Envelope.objects.get(campaign=campaign, kind="recurring")
    amend_envelope(envelope, decider, Decimal("1700000.00"), dt.date(2025, 6, 1), "Avenant.")
    extension = DeadlineExtension.objects.create(
        campaign=campaign,
        filiere=dossier.filiere,
        until=timezone.now() + dt.timedelta(days=10),
        reason="Motif",
        granted_by=instructor,
    )
    event = CampaignEvent.objects.create(campaign=campaign, action=CampaignAction.UPDATED)
    return {
        "dossier": (
            Dossier.objects.get(pk=dossier.pk),
            reverse("budget:decision", args=[dossier.pk]),
        ),  # fmt: skip
        "historyentry": (
            HistoryEntry.objects.filter(dossier=dossier).first(),
            reverse("dossiers:detail", args=[dossier.pk]),
        ),  # fmt: skip
        "snapshot": (
            Snapshot.objects.filter(dossier=dossier).first(),
            reverse("dossiers:detail", args=[dossier.pk]),
        ),  # fmt: skip
        "deadlineextension": (extension, reverse("campaign:extensions", args=[campaign.slug])),
        "campaignevent": (event, reverse("setup:campaign", args=[campaign.slug])),
        "envelopeamendment": (
            EnvelopeAmendment.objects.get(),
            reverse("budget:dashboard", args=[campaign.slug]),
        ),  # fmt: skip
        "delegation": (
            Delegation.objects.get(),
            reverse("budget:delegations", args=[campaign.slug]),
        ),  # fmt: skip
    }


@pytest.mark.parametrize(
    "model",
    [
        "dossier",
        "historyentry",
        "snapshot",
        "deadlineextension",
        "campaignevent",
        "envelopeamendment",
        "delegation",
    ],
)
def test_admin_shows_read_only_and_links_to_the_domain_page(client, admin_user, rows, model):
    obj, domain_url = rows[model]
    opts = obj._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    client.force_login(admin_user)
    assert client.get(reverse(f"{name}_changelist")).status_code == 200
    change_url = reverse(f"{name}_change", args=[obj.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html  # a view page, no form to submit
    assert f'href="{domain_url}"' in html
    before = {f.attname: getattr(obj, f.attname) for f in opts.concrete_fields}
    assert client.post(change_url, {}).status_code == 403
    assert client.post(reverse(f"{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse(f"{name}_add")).status_code == 403
    obj.refresh_from_db()
    assert {f.attname: getattr(obj, f.attname) for f in opts.concrete_fields} == before
