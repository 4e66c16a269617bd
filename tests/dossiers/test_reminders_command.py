import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.core.management import CommandError

from accounts.models import Role
from campaign.models import DeadlineExtension, ReminderLog
from dossiers.domain.editing import create_dossier
from dossiers.domain.reminders import due_reminders
from dossiers.domain.transitions import transition
from dossiers.models import Dossier
from tests.factories import FiliereFactory, UserFactory, complete_dossier
from tests.setup.conftest import run_command

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DEADLINE = dt.datetime(2025, 2, 14, 23, 59, 59, tzinfo=PARIS)
H = dt.timedelta(hours=1)
S = dt.timedelta(seconds=1)


@pytest.fixture
def setup(campaign, filiere, lead, other_lead):
    """Nord Finistère: a draft (lead + co-editor); Cornouaille: no dossier yet;
    Armor: a submitted dossier."""
    campaign.opens_at = DEADLINE - dt.timedelta(days=90)
    campaign.deadline = DEADLINE
    campaign.save()
    coeditor = UserFactory(username="coredacteur", roles=[Role.FILIERE_LEAD])
    filiere.editors.add(coeditor)
    draft = complete_dossier(filiere=filiere)
    armor = FiliereFactory(campaign=campaign, slug="armor", name="Armor")
    armor_lead = UserFactory(username="porteur.armor", roles=[Role.FILIERE_LEAD])
    armor.editors.add(armor_lead)
    submitted = transition(
        complete_dossier(filiere=armor), "submit", armor_lead, now=DEADLINE - 5 * 24 * H
    )
    mail.outbox = []
    return {"draft": draft, "submitted": submitted, "armor": armor}


def remind(now, *args):
    return run_command("send_deadline_reminders", "--now", now.isoformat(), *args)


def recipients():
    return sorted(m.to[0] for m in mail.outbox)


DRAFT_AND_NO_DOSSIER = ["coredacteur@example.fr", "porteur2@example.fr", "porteur@example.fr"]


@pytest.mark.parametrize(
    "now,expected",
    [
        (DEADLINE - 48 * H - S, []),  # one second before the window
        (DEADLINE - 48 * H, DRAFT_AND_NO_DOSSIER),  # first instant of the window
        (DEADLINE - 2 * H, DRAFT_AND_NO_DOSSIER),
        (DEADLINE, DRAFT_AND_NO_DOSSIER),  # the deadline's last second is still open
        (DEADLINE + S, []),  # too late: nothing to remind
    ],
    ids=["48h-plus-1s", "48h", "2h", "last-second", "after"],
)
def test_48_hour_window_edges(setup, now, expected):
    code, out, err = remind(now)
    assert (code, err) == (0, "")
    assert recipients() == expected
    if not expected:
        assert "Aucun rappel à envoyer." in out


def test_only_drafts_and_filieres_without_dossier_are_reminded(setup, filiere):
    code, out, _err = remind(DEADLINE - 24 * H)
    assert code == 0
    assert "porteur.armor@example.fr" not in recipients()
    assert all(len(m.to) == 1 for m in mail.outbox)  # nobody sees the others' addresses
    assert "Rappel envoyé à 2 destinataires pour « Nord Finistère »" in out
    assert "dossier en brouillon" in out
    assert "Rappel envoyé à 1 destinataire pour « Cornouaille »" in out
    assert "dossier non commencé" in out
    assert "2 rappels envoyés." in out
    assert setup["draft"].__class__.objects.get(pk=setup["draft"].pk).reminder_sent_at == (
        DEADLINE - 24 * H
    )
    logs = ReminderLog.objects.order_by("filiere__slug")
    assert [(log.filiere.slug, log.recipients, log.deadline) for log in logs] == [
        ("cornouaille", 1, DEADLINE),
        ("nord-finistere", 2, DEADLINE),
    ]


def test_running_again_sends_nothing(setup):
    remind(DEADLINE - 47 * H)
    assert len(mail.outbox) == 3
    for now in (DEADLINE - 46 * H, DEADLINE - 10 * H, DEADLINE - S):
        code, out, _err = remind(now)
        assert code == 0 and "Aucun rappel à envoyer." in out
    assert len(mail.outbox) == 3
    assert ReminderLog.objects.count() == 2
    draft = Dossier.objects.get(pk=setup["draft"].pk)
    assert draft.reminder_sent_at == DEADLINE - 47 * H


def test_filiere_that_starts_its_dossier_after_the_reminder_is_not_reminded_twice(
    setup, other_lead
):
    remind(DEADLINE - 40 * H)
    cornouaille = other_lead.filieres.get()
    create_dossier(other_lead, cornouaille.campaigns.get(), cornouaille)
    mail.outbox = []
    remind(DEADLINE - 30 * H)
    assert mail.outbox == []


def test_submitted_in_between_is_not_reminded(setup, filiere, lead):
    transition(setup["draft"], "submit", lead, now=DEADLINE - 60 * H)
    remind(DEADLINE - 24 * H)
    assert recipients() == ["porteur2@example.fr"]


def test_individual_extension_is_respected(setup, campaign, filiere, instructor):
    until = DEADLINE + dt.timedelta(days=10)
    DeadlineExtension.objects.create(
        campaign=campaign, filiere=filiere, until=until, reason="Recrutement du coordonnateur"
    )
    remind(DEADLINE - 24 * H)
    assert recipients() == ["porteur2@example.fr"]  # Nord Finistère has ten more days
    mail.outbox = []
    remind(until - 49 * H)
    assert mail.outbox == []
    code, out, _err = remind(until - 47 * H)
    assert recipients() == ["coredacteur@example.fr", "porteur@example.fr"]
    assert "délai prolongé" in out
    body = mail.outbox[0].body
    assert "La date limite de dépôt, prolongée pour votre filière, est fixée au " in body
    assert "lundi 24 février 2025 à 23 h 59 (heure de Paris)" in body


def test_reminded_again_before_an_extended_deadline(setup, campaign, filiere):
    remind(DEADLINE - 40 * H)
    until = DEADLINE + dt.timedelta(days=7)
    DeadlineExtension.objects.create(
        campaign=campaign, filiere=filiere, until=until, reason="Arrêt maladie du coordonnateur"
    )
    mail.outbox = []
    remind(DEADLINE - 10 * H)
    assert mail.outbox == []
    remind(until - 20 * H)
    assert recipients() == ["coredacteur@example.fr", "porteur@example.fr"]


def test_french_email_with_paris_time_and_link(setup, campaign, settings):
    settings.SITE_URL = "https://filieres.ars.example.fr/"
    remind(DEADLINE - 30 * H)
    by_address = {m.to[0]: m for m in mail.outbox}
    message = by_address["porteur@example.fr"]
    assert message.subject == (
        f"[{campaign.name}] Rappel : dépôt du dossier avant le 14 février 2025 à 23 h 59"
    )
    assert message.body.startswith("Bonjour,")
    assert "Le dossier de la filière « Nord Finistère » est encore à l'état de brouillon" in (
        message.body
    )
    assert "est fixée au vendredi 14 février 2025 à 23 h 59 (heure de Paris)" in message.body
    assert (
        f"Accéder au dossier : https://filieres.ars.example.fr/dossiers/{setup['draft'].pk}/"
        in message.body
    )
    other = by_address["porteur2@example.fr"]
    assert "La filière « Cornouaille » n'a pas encore commencé son dossier" in other.body
    assert "Commencer le dossier : https://filieres.ars.example.fr/" in other.body


def test_summer_deadline_is_shown_in_paris_time(setup, campaign):
    campaign.deadline = dt.datetime(2025, 6, 30, 21, 59, 59, tzinfo=dt.UTC)
    campaign.save()
    remind(dt.datetime(2025, 6, 29, 12, 0, tzinfo=dt.UTC))
    assert "lundi 30 juin 2025 à 23 h 59 (heure de Paris)" in mail.outbox[0].body


def test_dry_run_sends_and_records_nothing(setup):
    code, out, _err = remind(DEADLINE - 24 * H, "--dry-run")
    assert code == 0
    assert "[simulation] Rappel à envoyer à 2 destinataires pour « Nord Finistère »" in out
    assert "Simulation : 2 rappels à envoyer, rien n'a été envoyé." in out
    assert mail.outbox == []
    assert ReminderLog.objects.count() == 0
    assert Dossier.objects.get(pk=setup["draft"].pk).reminder_sent_at is None
    remind(DEADLINE - 24 * H)
    assert len(mail.outbox) == 3


def test_filiere_without_any_address_is_reported_and_retried(setup, other_lead):
    other_lead.email = ""
    other_lead.save()
    code, _out, err = remind(DEADLINE - 24 * H)
    assert code == 0
    assert "Aucun destinataire pour « Cornouaille »" in err
    assert not ReminderLog.objects.filter(filiere__slug="cornouaille").exists()
    other_lead.email = "porteur2@example.fr"
    other_lead.save()
    mail.outbox = []
    remind(DEADLINE - 20 * H)
    assert recipients() == ["porteur2@example.fr"]


def test_campaign_not_yet_open_is_ignored(setup, campaign):
    campaign.opens_at = DEADLINE - H
    campaign.save()
    remind(DEADLINE - 24 * H)
    assert mail.outbox == []


def test_bad_now_option(db):
    with pytest.raises(CommandError, match="n'est pas une date et heure ISO 8601"):
        run_command("send_deadline_reminders", "--now", "demain")


def test_now_without_offset_is_paris_time(setup):
    # 2025-02-12T23:59:59 in Paris is exactly 48 hours before the deadline.
    run_command("send_deadline_reminders", "--now", "2025-02-12T23:59:59")
    assert len(mail.outbox) == 3


def test_finding_due_reminders_takes_a_fixed_number_of_queries(
    setup, campaign, django_assert_max_num_queries
):
    for n in range(10):
        extra = FiliereFactory(campaign=campaign, slug=f"extra-{n}", name=f"Filière {n}")
        extra.editors.add(UserFactory(roles=[Role.FILIERE_LEAD]))
        DeadlineExtension.objects.create(
            campaign=campaign, filiere=extra, until=DEADLINE + H * n, reason="Test"
        )
    with django_assert_max_num_queries(8):
        reminders = due_reminders(DEADLINE - 24 * H)
    assert len(reminders) == 12
