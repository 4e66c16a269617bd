from django.urls import path

from campaign.views.extensions import ExtensionsView

app_name = "campaign"
urlpatterns = [
    path("<slug:slug>/prolongations/", ExtensionsView.as_view(), name="extensions"),
]
