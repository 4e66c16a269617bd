"""The public pages of the calls (/appels/), without sign-in."""

from django.urls import path

from setup.views import public

app_name = "public"
urlpatterns = [
    path("", public.CallsView.as_view(), name="calls"),
    path("campagne/<slug:slug>/", public.CallView.as_view(), name="call"),
    path(
        "campagne/<slug:slug>/documents/<int:document_pk>/",
        public.CallDocumentView.as_view(),
        name="document",
    ),
    path("<slug:region>/", public.RegionPageView.as_view(), name="region"),
]
