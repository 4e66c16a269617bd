"""The set-up of the calls by the regions' ARS (/gestion/)."""

from django.urls import path

from setup.views import campaigns, filieres, regions

app_name = "setup"
urlpatterns = [
    path("campagnes/", campaigns.CampaignListView.as_view(), name="campaigns"),
    path("campagnes/nouvelle/", campaigns.CampaignCreateView.as_view(), name="campaign_create"),
    path(
        "campagnes/nouveau-suivi/", campaigns.FollowupCreateView.as_view(), name="followup_create"
    ),
    path("campagnes/<slug:slug>/", campaigns.CampaignView.as_view(), name="campaign"),
    path(
        "campagnes/<slug:slug>/parametres/",
        campaigns.CampaignEditView.as_view(),
        name="campaign_edit",
    ),
    path(
        "campagnes/<slug:slug>/territoires/",
        campaigns.TerritoriesView.as_view(),
        name="territories",
    ),
    path(
        "campagnes/<slug:slug>/grille/reprendre/",
        campaigns.CopyGridView.as_view(),
        name="grid_copy",
    ),
    path(
        "campagnes/<slug:slug>/publier/",
        campaigns.LifecycleView.as_view(action="publish"),
        name="publish",
    ),
    path(
        "campagnes/<slug:slug>/clore/",
        campaigns.LifecycleView.as_view(action="close"),
        name="close",
    ),
    path("campagnes/<slug:slug>/resultats/", campaigns.ResultsView.as_view(), name="results"),
    path("campagnes/<slug:slug>/filieres/", filieres.FilieresView.as_view(), name="filieres"),
    path(
        "campagnes/<slug:slug>/filieres/importer/",
        filieres.ImportView.as_view(),
        name="filieres_import",
    ),
    path(
        "campagnes/<slug:slug>/filieres/<int:pk>/",
        filieres.FiliereView.as_view(),
        name="filiere",
    ),
    path("regions/<str:code>/", regions.RegionView.as_view(), name="region"),
]
