"""What the set-up pages share: the campaign among those the user may know of (another
region's is a 404), then the set-up permission of its region (403)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext as _

from campaign.queries import get_visible_campaign
from campaign.rules import can_set_up_campaign
from common.errors import Forbidden


class SetUpCampaignMixin(LoginRequiredMixin):
    """`self.campaign` from the URL's slug; only its region's administrators (and the
    national one) go further."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.campaign = get_visible_campaign(request.user, kwargs["slug"])
            if not can_set_up_campaign.test(request.user, self.campaign):
                raise Forbidden(
                    _("Seuls les administrateurs de la région paramètrent ses campagnes.")
                )
        return super().dispatch(request, *args, **kwargs)


def breadcrumb(campaign=None, **current):
    """The set-up pages' breadcrumb: Paramétrage > the campaign > this page."""
    crumbs = {"crumb1": _("Paramétrage des appels"), "crumb1_url": reverse("setup:campaigns")}
    if campaign is not None:
        crumbs.update(
            crumb2=campaign.name, crumb2_url=reverse("setup:campaign", args=[campaign.slug])
        )
    return crumbs
