from django.urls import path

from dossiers import views

app_name = "dossiers"
urlpatterns = [
    path("", views.DossierListView.as_view(), name="list"),
    path("<int:pk>/", views.DossierDetailView.as_view(), name="detail"),
]
