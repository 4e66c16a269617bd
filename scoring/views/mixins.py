"""What the staff pages of the review share."""

from rules.contrib.views import PermissionRequiredMixin

from campaign.views.mixins import CampaignMixin
from dossiers.views.mixins import DossierMixin


class StaffDossierMixin(DossierMixin, PermissionRequiredMixin):
    """A dossier's staff page: 404 if this user may not know it, 403 if not staff."""

    permission_required = "scoring.use_workspace"

    def get_permission_object(self):
        return self.dossier


class StaffCampaignMixin(CampaignMixin, PermissionRequiredMixin):
    """A campaign's staff page: 404 if this user may not know it, 403 without the
    view's permission."""

    def get_permission_object(self):
        return self.campaign
