"""The public pages of the calls (no sign-in): the regions and their open calls, a
region's page (its coordination cell, its territories, its calls), a call's page (its
dates, documents, how to apply; its results once the ARS publishes them). Drafts do not
exist here."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from budget.models import Envelope
from campaign.domain.documents import document_response
from campaign.enums import CampaignState
from campaign.models import CoordinationCell, Region
from campaign.queries import public_campaigns
from setup.queries import region_pages, results_of


def _region_by_slug(slug):
    for region in Region.objects.all():
        if region.slug == slug:
            return region
    raise Http404(_("Région introuvable."))


def _call_rows(campaigns, now):
    rows = []
    for campaign in campaigns:
        if campaign.state == CampaignState.CLOSED:
            status = "closed"
        elif now < campaign.opens_at:
            status = "upcoming"
        elif now <= campaign.deadline:
            status = "open"
        else:
            status = "past"
        rows.append({"campaign": campaign, "status": status})
    return rows


class CallsView(View):
    """/appels/: every region, its open and coming calls."""

    def get(self, request):
        now = timezone.now()
        regions = []
        for region in region_pages().order_by("name"):
            calls = _call_rows(region.public_calls, now)
            regions.append({"region": region, "calls": calls})
        open_calls = [
            row
            for entry in regions
            for row in entry["calls"]
            if row["status"] in ("open", "upcoming")
        ]
        return render(
            request,
            "setup/public/calls.html",
            {
                "title": _("Appels à candidatures en cours"),
                "regions": regions,
                "open_calls": open_calls,
            },
        )


class RegionPageView(View):
    """/appels/<region>/: the region's coordination cell, territories and calls."""

    def get(self, request, region):
        region = _region_by_slug(region)
        now = timezone.now()
        calls = _call_rows(public_campaigns(region.campaigns.all()).order_by("-opens_at"), now)
        return render(
            request,
            "setup/public/region.html",
            {
                "title": _("Région %(name)s") % {"name": region.name},
                "region": region,
                "cell": CoordinationCell.objects.filter(region=region).first(),
                "territories": region.territories.order_by("code"),
                "calls": calls,
            },
        )


def _public_call(slug):
    """A published call by its slug (a draft, or no such call: 404)."""
    campaign = (
        public_campaigns().select_related("region").filter(slug=slug).first()
        if len(slug) <= 80
        else None
    )
    if campaign is None:
        raise Http404(_("Appel introuvable."))
    return campaign


class CallDocumentView(View):
    """/appels/campagne/<slug>/documents/<pk>/: a document of a published call, for
    anyone (the specifications a territory reads before applying)."""

    def get(self, request, slug, document_pk):
        return document_response(_public_call(slug), document_pk)


class CallView(View):
    """/appels/campagne/<slug>/: one call, for anyone."""

    def get(self, request, slug):
        campaign = _public_call(slug)
        now = timezone.now()
        status = _call_rows([campaign], now)[0]["status"]
        return render(
            request,
            "setup/public/call.html",
            {
                "title": campaign.name,
                "campaign": campaign,
                "status": status,
                "region": campaign.region,
                "territories": campaign.territories.order_by("code"),
                "documents": campaign.documents.all(),
                "envelopes": {e.kind: e.amount for e in Envelope.objects.filter(campaign=campaign)},
                "cell": CoordinationCell.objects.filter(region=campaign.region).first(),
                "results": results_of(campaign) if campaign.results_public else None,
            },
        )
