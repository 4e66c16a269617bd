"""The pages the DSFR footer links to (no login): accessibility, legal notice, personal
data, cookies, site map."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from config.views import LegalPageView

app_name = "legal"
urlpatterns = [
    path(
        "accessibilite/",
        LegalPageView.as_view(
            template_name="legal/accessibility.html", title=_("Déclaration d’accessibilité")
        ),
        name="accessibility",
    ),
    path(
        "mentions-legales/",
        LegalPageView.as_view(template_name="legal/legal_notice.html", title=_("Mentions légales")),
        name="legal_notice",
    ),
    path(
        "donnees-personnelles/",
        LegalPageView.as_view(
            template_name="legal/personal_data.html", title=_("Données personnelles")
        ),
        name="personal_data",
    ),
    path(
        "gestion-des-cookies/",
        LegalPageView.as_view(template_name="legal/cookies.html", title=_("Gestion des cookies")),
        name="cookies",
    ),
    path(
        "plan-du-site/",
        LegalPageView.as_view(template_name="legal/sitemap.html", title=_("Plan du site")),
        name="sitemap",
    ),
]
