"""The campaign's ranking of dossiers by weighted score."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from scoring.domain import aggregate as aggregates
from scoring.domain.grid import get_grid
from scoring.rules import can_view_all_reviews
from scoring.views.mixins import StaffCampaignMixin

RANKING_PAGE_SIZE = 50


class RankingView(StaffCampaignMixin, View):
    permission_required = "scoring.view_ranking"

    def get(self, request, slug):
        campaign = self.campaign
        rows = aggregates.ranked_dossiers(campaign, request.user)
        # Ranks are computed over every dossier; the page shows them 50 at a time, their
        # details read for its rows only.
        page = Paginator(rows, RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = aggregates.ranking_details(campaign, page.object_list)
        return render(
            request,
            "scoring/ranking.html",
            {
                "title": _("Classement — %(campaign)s") % {"campaign": campaign.name},
                "campaign": campaign,
                "grid": get_grid(campaign),
                "rows": page.object_list,
                "page": page,
                "is_ars": can_view_all_reviews.test(request.user, campaign),
            },
        )
