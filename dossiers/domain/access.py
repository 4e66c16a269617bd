"""Which dossiers a user may see, as one query (mirrors dossiers.rules.can_view_dossier)."""

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from common.errors import NotFound
from dossiers.enums import DossierState
from dossiers.models import Attachment, Dossier, Project

# What the staff see of a region's or the country's dossiers: all but the drafts.
STAFF_VISIBLE = ~Q(state=DossierState.DRAFT)


def region_staff_dossiers(campaign_id):
    """The campaign's dossiers as the staff of its region see them (visible_dossiers for a
    user who holds a role there and edits none of its filières): one shape whatever the
    user, for the reads prepared per campaign (scoring.queries.ars_overview)."""
    return Dossier.objects.filter(STAFF_VISIBLE, campaign_id=campaign_id)


def visible_dossiers(user, queryset=None):
    """Its filières' dossiers for an editor; for the staff, the submitted dossiers of the
    regions where they hold a role (every region for the national administrator).

    The one place where the staff's regions narrow what they see: every list, page, API
    resource, export and background job starts from here or from
    campaign.queries.visible_campaigns."""
    queryset = Dossier.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    condition = Q(filiere_id__in=user.filiere_ids)
    if user.is_national:
        condition |= STAFF_VISIBLE
    elif user.staff_region_ids:
        condition |= STAFF_VISIBLE & Q(campaign__region_id__in=user.staff_region_ids)
    return queryset.filter(condition)


def with_document_relations(queryset):
    return queryset.select_related("campaign", "filiere").prefetch_related(
        Prefetch(
            "projects",
            queryset=Project.objects.order_by("priority", "id").prefetch_related("lines"),
        ),
        "attachments",
    )


def with_page_relations(queryset):
    """What the dossier page reads through the dossier itself: its campaign, filière and
    attachments. Its sheets and lines are read as values (serialize.project_documents).
    The attachments in their model's order within one dossier, without the joins to the
    campaign and filière that the model's ordering adds (same order, cheaper to build)."""
    return queryset.select_related("campaign", "filiere").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("section", "uploaded_at"))
    )


def get_visible_dossier(user, pk, queryset=None):
    """The dossier, or None when it does not exist or this user may not know it exists."""

    queryset = (
        Dossier.objects.select_related("campaign", "filiere") if queryset is None else queryset
    )
    # Without the model's ordering (campaign, filière name): one row, joins not needed.
    return visible_dossiers(user, queryset).filter(pk=pk).order_by().first()


def get_visible_dossier_or_404(user, pk, queryset=None):
    """The dossier, or NotFound (404) when it does not exist or this user may not know it."""
    dossier = get_visible_dossier(user, pk, queryset=queryset)
    if dossier is None:
        raise NotFound(_("Dossier introuvable."))
    return dossier
