"""Campaign endpoints of the JSON API (../shared/api.md): campaigns, territories,
filières and individual deadline extensions."""

from django.db.models import Prefetch
from ninja import Status

from accounts.rules import is_internal_staff
from campaign.domain.extensions import grant_extension
from campaign.models import Territory
from campaign.queries import get_visible_campaign, visible_campaigns
from campaign.schemas import CampaignOut, ExtensionIn, ExtensionOut, FiliereOut, TerritoryOut
from common.api_docs import errors
from common.api_input import body_dict, iso
from common.api_pagination import Router, Rows
from common.money import money_str

router = Router(tags=["campagnes"])


def _campaigns(user):
    # The envelopes (budget app) through their reverse relation: the campaign documents of
    # api.md show their amounts.
    return (
        visible_campaigns(user)
        .select_related("region")
        .prefetch_related("envelopes")
        .order_by("-opens_at", "slug")
    )


def _campaign_or_404(request, slug, queryset=None):
    return get_visible_campaign(request.auth, slug, queryset)


def campaign_document(campaign):
    amounts = {envelope.kind: envelope.amount for envelope in campaign.envelopes.all()}
    return {
        "slug": campaign.slug,
        "name": campaign.name,
        "region": campaign.region.name,
        "opens_at": iso(campaign.opens_at),
        "deadline": iso(campaign.deadline),
        "decision_date": campaign.decision_date.isoformat() if campaign.decision_date else None,
        "first_delegation_date": campaign.first_delegation_date.isoformat()
        if campaign.first_delegation_date
        else None,
        "is_open": campaign.is_open,
        "kind": campaign.kind,
        "year": campaign.year,
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
    return Rows(_campaigns(request.auth), lambda page: [campaign_document(c) for c in page])


@router.get(
    "/campaigns/{slug}",
    response={200: CampaignOut, **errors(401, 404)},
    summary="Une campagne",
)
def get_campaign(request, slug: str):
    return campaign_document(_campaign_or_404(request, slug, _campaigns(request.auth)))


@router.get(
    "/campaigns/{slug}/territories",
    response={200: list[TerritoryOut], **errors(401, 404)},
    summary="Les territoires de santé d'une campagne",
)
def list_territories(request, slug: str):
    campaign = _campaign_or_404(request, slug)
    return Rows(
        campaign.territories.order_by("code"),
        lambda page: [
            {"code": t.code, "name": t.name, "departements": [str(d) for d in t.departements or []]}
            for t in page
        ],
    )


@router.get(
    "/campaigns/{slug}/filieres",
    response={200: list[FiliereOut], **errors(401, 404)},
    summary="Les filières d'une campagne (un porteur ne voit que les siennes)",
)
def list_filieres(request, slug: str):
    user = request.auth
    campaign = _campaign_or_404(request, slug)
    filieres = (
        campaign.filieres.all()
        .prefetch_related(Prefetch("territories", queryset=Territory.objects.order_by("code")))
        .order_by("name", "slug")
    )
    if not is_internal_staff.test(user, campaign):
        filieres = filieres.filter(id__in=user.filiere_ids)
    return Rows(
        filieres,
        lambda page: [
            {"slug": f.slug, "name": f.name, "territories": [t.code for t in f.territories.all()]}
            for f in page
        ],
    )


@router.post(
    "/campaigns/{slug}/extensions",
    response={201: ExtensionOut, **errors(400, 401, 403, 404)},
    summary="Accorder une prolongation du délai à une filière (instructeur ARS)",
    description="Une filière inconnue de la campagne est refusée avec 400 et `errors.filiere`.",
)
def create_extension(request, slug: str, payload: ExtensionIn):
    campaign = _campaign_or_404(request, slug)
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
