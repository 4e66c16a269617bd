from django.contrib import admin
from django.urls import include, path, re_path

from config.api import api
from config.views import HomeView, api_not_found, healthz, not_found

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    # Load balancers and monitoring: database and files' storage (no login).
    path("healthz", healthz, name="healthz"),
    path("comptes/", include("accounts.urls")),
    path("invitations/", include("campaign.urls_invitations")),
    path("campagnes/", include("campaign.urls")),
    path("campagnes/", include("budget.urls")),
    path("campagnes/", include("outputs.urls")),
    path("dossiers/", include("dossiers.urls")),
    path("evaluation/", include("scoring.urls")),
    path("suivi/", include("followup.urls")),
    path("gestion/", include("setup.urls")),
    path("appels/", include("setup.urls_public")),
    path("api/v1/", api.urls),
    # Any other address under the API: a JSON 404 in the API's error shape, not a page.
    re_path(r"^api/v1/", api_not_found, name="api_not_found"),
    path("admin/", admin.site.urls),
    path("", include("config.urls_legal")),
    # Last: any other address gets the DSFR 404 page, in the demo too (DEBUG).
    re_path(r"^", not_found, name="not_found"),
]
