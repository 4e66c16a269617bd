from django.urls import path

from campaign.views.documents import DocumentDeleteView, DocumentDownloadView, DocumentsView
from campaign.views.extensions import ExtensionsView

app_name = "campaign"
urlpatterns = [
    path("<slug:slug>/prolongations/", ExtensionsView.as_view(), name="extensions"),
    path("<slug:slug>/documents/", DocumentsView.as_view(), name="documents"),
    path(
        "<slug:slug>/documents/<int:document_pk>/",
        DocumentDownloadView.as_view(),
        name="document_download",
    ),
    path(
        "<slug:slug>/documents/<int:document_pk>/supprimer/",
        DocumentDeleteView.as_view(),
        name="document_delete",
    ),
]
