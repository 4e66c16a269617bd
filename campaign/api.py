"""Campaign endpoints of the JSON API (../shared/api.md): campaigns, territories,
filières and individual deadline extensions."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Router, Status

from campaign.domain.extensions import grant_extension
from campaign.models import Campaign, Filiere, Territory
from campaign.schemas import CampaignOut, ExtensionIn, ExtensionOut, FiliereOut, TerritoryOut
from common.api_docs import errors
from common.api_input import body_dict, check_slug, iso
from common.errors import NotFound
from common.money import money_str

router = Router(tags=["campagnes"])


def _campaigns():
    # The envelopes (budget app) through their reverse relation: the campaign documents of
    # api.md show their amounts.
    return Campaign.objects.prefetch_related("envelopes").order_by("-opens_at", "slug")


def _campaign_or_404(slug, queryset=None):
    message = _("Campagne introuvable.")
    check_slug(slug, message)
    campaign = (queryset if queryset is not None else Campaign.objects).filter(slug=slug).first()
    if campaign is None:
        raise NotFound(message)
    return campaign


def campaign_document(campaign):
    amounts = {envelope.kind: envelope.amount for envelope in campaign.envelopes.all()}
    return {
        "slug": campaign.slug,
        "name": campaign.name,
        "region": campaign.region,
        "opens_at": iso(campaign.opens_at),
        "deadline": iso(campaign.deadline),
        "decision_date": campaign.decision_date.isoformat() if campaign.decision_date else None,
        "first_delegation_date": campaign.first_delegation_date.isoformat()
        if campaign.first_delegation_date
        else None,
        "is_open": campaign.is_open,
        "envelopes": {
            "recurring": money_str(amounts.get("recurring")),
            "one_off": money_str(amounts.get("one_off")),
        },
    }


@router.get(
    "/campaigns",
    response={200: list[CampaignOut], **errors(401)},
    summary="Les campagnes",
)
def list_campaigns(request):
    return [campaign_document(c) for c in _campaigns()]


@router.get(
    "/campaigns/{slug}",
    response={200: CampaignOut, **errors(401, 404)},
    summary="Une campagne",
)
def get_campaign(request, slug: str):
    return campaign_document(_campaign_or_404(slug, _campaigns()))


@router.get(
    "/campaigns/{slug}/territories",
    response={200: list[TerritoryOut], **errors(401, 404)},
    summary="Les territoires de santé d'une campagne",
)
def list_territories(request, slug: str):
    campaign = _campaign_or_404(slug)
    return [
        {"code": t.code, "name": t.name, "departements": [str(d) for d in t.departements or []]}
        for t in Territory.objects.filter(campaign=campaign).order_by("code")
    ]


@router.get(
    "/campaigns/{slug}/filieres",
    response={200: list[FiliereOut], **errors(401, 404)},
    summary="Les filières d'une campagne (un porteur ne voit que les siennes)",
)
def list_filieres(request, slug: str):
    user = request.auth
    campaign = _campaign_or_404(slug)
    filieres = (
        Filiere.objects.filter(campaign=campaign)
        .prefetch_related(Prefetch("territories", queryset=Territory.objects.order_by("code")))
        .order_by("name", "slug")
    )
    if not user.is_internal_staff:
        filieres = filieres.filter(id__in=user.filiere_ids)
    return [
        {"slug": f.slug, "name": f.name, "territories": [t.code for t in f.territories.all()]}
        for f in filieres
    ]


@router.post(
    "/campaigns/{slug}/extensions",
    response={201: ExtensionOut, **errors(400, 401, 403, 404)},
    summary="Accorder une prolongation du délai à une filière (instructeur ARS)",
    description="Une filière inconnue de la campagne est refusée avec 400 et `errors.filiere`.",
)
def create_extension(request, slug: str, payload: ExtensionIn):
    campaign = _campaign_or_404(slug)
    data = body_dict(payload)
    extension = grant_extension(
        campaign, request.auth, data["filiere"], data["until"], data["reason"]
    )
    return Status(
        201,
        {
            "filiere": extension.filiere.slug,
            "until": iso(extension.until),
            "reason": extension.reason,
            "granted_by": extension.granted_by.username if extension.granted_by else None,
            "created_at": iso(extension.created_at),
        },
    )
