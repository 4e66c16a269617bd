from django.urls import path

from outputs.views import pages

app_name = "outputs"
urlpatterns = [
    path("sorties/", pages.OutputsHomeView.as_view(), name="home"),
    path("<slug:slug>/exports/", pages.ExportsView.as_view(), name="exports"),
    path("<slug:slug>/courriers/", pages.LettersView.as_view(), name="letters"),
    path("<slug:slug>/courriers/zip/", pages.LettersZipView.as_view(), name="letters_zip"),
    path(
        "<slug:slug>/courriers/parametres/",
        pages.LetterSettingsView.as_view(),
        name="letter_settings",
    ),
    path(
        "<slug:slug>/courriers/modele.docx",
        pages.LetterTemplateView.as_view(),
        name="letter_template",
    ),
    path("<slug:slug>/couverture/", pages.CoverageView.as_view(), name="coverage"),
    path("<slug:slug>/generations/<int:job_id>/", pages.JobStatusView.as_view(), name="job_status"),
    path(
        "<slug:slug>/generations/<int:job_id>/fichier/",
        pages.JobDownloadView.as_view(),
        name="job_download",
    ),
    path(
        "dossiers/<int:pk>/courrier.docx", pages.DossierLetterView.as_view(), name="dossier_letter"
    ),
    path("dossiers/<int:pk>/impression/", pages.DossierPrintView.as_view(), name="dossier_print"),
    path(
        "dossiers/<int:pk>/impression.docx",
        pages.DossierPrintDocxView.as_view(),
        name="dossier_print_docx",
    ),
    path(
        "dossiers/<int:pk>/depots/<int:number>/recepisse.docx",
        pages.ReceiptDocxView.as_view(),
        name="receipt_docx",
    ),
]
