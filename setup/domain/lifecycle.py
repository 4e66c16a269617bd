"""A call's life: draft → published → closed, and the publication of its results.

Nothing of a draft is shown to the applicants (campaign.queries.visible_campaigns,
public_campaigns); publishing checks that the call can be answered (its calendar, a
territory, an envelope) and sends the invitations prepared for its leads; closing ends
the applications once every deadline, extensions included, has passed (instruction and
decisions go on); the results (the recognised filières and their territories) appear on
the call's public page when the ARS publishes them."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from budget.models import Envelope
from campaign.domain.setup import check_can_set_up, record
from campaign.enums import CampaignAction, CampaignState
from campaign.models import Campaign
from common.errors import Conflict
from followup.domain.opening import open_reports
from setup.domain.leads import invite_nominated_leads

NOT_PUBLISHED = _("La campagne n'est pas publiée.")


def publication_problems(campaign, *, now=None, interactive=True):
    """[(field, message)]: what prevents publishing the call, every problem at once.
    `interactive`: a person publishes now (the command line may load a past call)."""
    now = now or timezone.now()
    problems = []
    if not campaign.name:
        problems.append(("name", _("Indiquez le nom de l'appel.")))
    if not campaign.opens_at or not campaign.deadline:
        problems.append(("deadline", _("Indiquez l'ouverture et la date limite de dépôt.")))
    elif interactive and campaign.deadline <= now:
        problems.append(
            ("deadline", _("La date limite de dépôt est passée : reportez-la avant de publier."))
        )
    if campaign.is_followup:
        # A follow-up campaign asks the recognised filières for their report: no
        # territories, no envelopes (api.md "Commands").
        if not campaign.year:
            problems.append(("year", _("Indiquez l'année suivie.")))
        return problems
    if not campaign.territories.exists():
        problems.append(("territories", _("Choisissez les territoires couverts par l'appel.")))
    if not Envelope.objects.filter(campaign=campaign, amount__gt=0).exists():
        problems.append(("envelopes", _("Indiquez le montant d'au moins une enveloppe.")))
    return problems


def publication_warnings(campaign):
    """What publishing does not need, but the ARS should know it lacks."""
    warnings = []
    if campaign.is_followup:
        return warnings
    if not campaign.filieres.exists():
        warnings.append(
            _("Aucune filière n'y participe encore : ajoutez-les (elles pourront l'être après).")
        )
    if not campaign.signatory_name:
        warnings.append(_("Sans signataire, aucun courrier de décision ne pourra être produit."))
    if not campaign.decision_date:
        warnings.append(_("La date de décision n'est pas indiquée."))
    if not campaign.documents.exists():
        warnings.append(
            _(
                "Aucun document de l'appel n'est publié (cahier des charges, diagnostic "
                "régional) : la page publique de l'appel n'en proposera pas."
            )
        )
    return warnings


def publish(campaign, user, *, now=None, interactive=True):
    """Publish the call: the filières see it (from its opening) and its public page
    lists it. Conflict with every problem when it cannot be answered yet."""
    check_can_set_up(user, campaign)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.state != CampaignState.DRAFT:
            raise Conflict(_("La campagne est déjà publiée."))
        problems = publication_problems(locked, now=now, interactive=interactive)
        if problems:
            errors = {}
            for field, message in problems:
                errors.setdefault(field, []).append(message)
            raise Conflict(_("La campagne ne peut pas encore être publiée."), errors)
        locked.publish()
        locked.published_at = now
        locked.save(update_fields=["state", "published_at"])
        record(locked, CampaignAction.PUBLISHED, user)
        invite_nominated_leads(locked, user, now=now)
        # A follow-up campaign's reports exist from its publication (followup.domain.opening).
        open_reports(locked)
    campaign.refresh_from_db()
    return campaign


def latest_deadline(campaign):
    """The campaign's deadline or its latest individual extension, whichever is later."""
    latest = campaign.extensions.aggregate(until=Max("until"))["until"]
    return max(campaign.deadline, latest) if latest else campaign.deadline


def close(campaign, user, *, now=None):
    """Close the applications (no new dossier, submission or extension); refused while
    a deadline, extensions included, is still running."""
    check_can_set_up(user, campaign)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.state != CampaignState.PUBLISHED:
            raise Conflict(NOT_PUBLISHED if locked.is_draft else _("La campagne est déjà close."))
        until = latest_deadline(locked)
        if until >= now:
            raise Conflict(
                _(
                    "Des filières peuvent encore déposer jusqu'au %(until)s (date limite ou "
                    "prolongation) : la campagne ne peut pas être close avant."
                )
                % {"until": timezone.localtime(until).strftime("%d/%m/%Y à %H:%M")}
            )
        locked.close()
        locked.closed_at = now
        locked.save(update_fields=["state", "closed_at"])
        record(locked, CampaignAction.CLOSED, user)
    campaign.refresh_from_db()
    return campaign


def publish_results(campaign, user, *, now=None):
    """Show the results (recognised filières and territories) on the public page."""
    check_can_set_up(user, campaign)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.state != CampaignState.CLOSED:
            raise Conflict(_("Les résultats se publient une fois la campagne close."))
        if locked.results_published_at:
            raise Conflict(_("Les résultats sont déjà publiés."))
        if not locked.dossiers.filter(recognised=True).exists():
            raise Conflict(_("Aucune filière n'est encore reconnue par une décision."))
        locked.results_published_at = now
        locked.save(update_fields=["results_published_at"])
        record(locked, CampaignAction.RESULTS_PUBLISHED, user)
    campaign.results_published_at = now
    return campaign


def withdraw_results(campaign, user):
    """Take the results off the public page (an error to correct, a decision withdrawn)."""
    check_can_set_up(user, campaign)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not locked.results_published_at:
            raise Conflict(_("Les résultats ne sont pas publiés."))
        locked.results_published_at = None
        locked.save(update_fields=["results_published_at"])
        record(locked, CampaignAction.RESULTS_WITHDRAWN, user)
    campaign.results_published_at = None
    return campaign
