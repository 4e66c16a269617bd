from django.urls import path

from followup.views import campaigns, reports

app_name = "followup"
urlpatterns = [
    path("", campaigns.HomeView.as_view(), name="home"),
    path("rapports/<int:pk>/", reports.ReportView.as_view(), name="report"),
    path("rapports/<int:pk>/imprimer/", reports.PrintView.as_view(), name="print"),
    path(
        "rapports/<int:pk>/export.<str:fmt>",
        reports.ReportExportView.as_view(),
        name="report_export",
    ),
    path("rapports/<int:pk>/rediger/<slug:section>/", reports.StepView.as_view(), name="step"),
    path("rapports/<int:pk>/verification/", reports.CheckView.as_view(), name="check"),
    path("rapports/<int:pk>/delai-de-reponse/", reports.DueDateView.as_view(), name="due_date"),
    path(
        "rapports/<int:pk>/action/<str:name>/", reports.TransitionView.as_view(), name="transition"
    ),
    path(
        "rapports/<int:pk>/pieces/<slug:section>/ajouter/",
        reports.AttachmentUploadView.as_view(),
        name="attachment_upload",
    ),
    path(
        "rapports/<int:pk>/pieces/<int:aid>/",
        reports.AttachmentDownloadView.as_view(),
        name="attachment",
    ),
    path(
        "rapports/<int:pk>/pieces/<int:aid>/retirer/",
        reports.AttachmentDeleteView.as_view(),
        name="attachment_delete",
    ),
    path("campagnes/<slug:slug>/", campaigns.CampaignView.as_view(), name="campaign"),
    path("campagnes/<slug:slug>/export.<str:fmt>", campaigns.ExportView.as_view(), name="export"),
    path(
        "campagnes/<slug:slug>/enquete-carsp/",
        campaigns.StartSurveyView.as_view(),
        name="start_survey",
    ),
]
