"""Read models of the reference data: which campaigns a user may know of."""

from django.utils.translation import gettext as _

from campaign.models import Campaign
from common.errors import NotFound


def visible_campaigns(user, queryset=None):
    """The campaigns this user may know of."""
    return Campaign.objects.all() if queryset is None else queryset


def get_visible_campaign(user, slug, queryset=None):
    """The campaign, or NotFound when it does not exist or this user may not know it."""
    campaign = visible_campaigns(user, queryset).filter(slug=slug).first()
    if campaign is None:
        raise NotFound(_("Campagne introuvable."))
    return campaign
