"""What the pages of every app that show one campaign share."""

from django.contrib.auth.mixins import LoginRequiredMixin

from campaign.queries import get_visible_campaign


class CampaignMixin(LoginRequiredMixin):
    """Loads `self.campaign` from the URL's slug, among the campaigns this user may know
    of (404 otherwise), before any permission check of the view."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.campaign = get_visible_campaign(request.user, kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)
