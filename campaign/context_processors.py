from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from campaign.models import Region

TAGLINE_SECONDS = 3600


def agency_regions(user):
    """The agencies this person works with or for: the regions of their CARESP and ARS
    roles and of the filières they write for (one small query, read once per page)."""
    if user is None or not user.is_authenticated:
        return []
    regions = Region.objects.filter(pk__in=user.region_ids) | Region.objects.filter(
        filieres__in=user.filiere_ids
    )
    return list(regions.distinct().order_by("name"))


def agency_label(region):
    return region.agency_name or _("Agence régionale de santé %(region)s") % {"region": region.name}


def agency(request):
    """The header's tagline names the region's agency (« Agence régionale de santé
    Bretagne »); a national administrator, a visitor or a person of several regions
    reads the plural, with the regions when there are a few."""

    def tagline():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return _("Agences régionales de santé")
        return cache.get(tagline_key(user)) or remember_tagline(user)

    return {"agency_tagline": SimpleLazyObject(tagline)}


def tagline_key(user):
    stamp = user.last_login.timestamp() if user.last_login else 0
    return f"agency-tagline:{user.pk}:{stamp}"


def remember_tagline(user, **kwargs):
    """Read at sign-in (user_logged_in, campaign.apps) and kept for the sign-in, at most
    an hour (a new role shows at the next sign-in or within the hour): the frame costs
    no query on each page."""
    text = str(tagline_for(agency_regions(user)))
    cache.set(tagline_key(user), text, TAGLINE_SECONDS)
    return text


def tagline_for(regions):
    if len(regions) == 1:
        return agency_label(regions[0])
    if 1 < len(regions) <= 3:
        return _("Agences régionales de santé %(regions)s") % {
            "regions": ", ".join(region.name for region in regions)
        }
    return _("Agences régionales de santé")
