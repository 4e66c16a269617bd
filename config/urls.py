from django.contrib import admin
from django.urls import include, path

from config.api import api
from config.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("comptes/", include("accounts.urls")),
    path("campagnes/", include("campaign.urls")),
    path("dossiers/", include("dossiers.urls")),
    path("evaluation/", include("scoring.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
