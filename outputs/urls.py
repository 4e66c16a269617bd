from django.urls import path

from outputs.views import pages

app_name = "outputs"
urlpatterns = [
    path("sorties/", pages.outputs_home, name="home"),
    path("<slug:slug>/exports/", pages.exports_page, name="exports"),
    path("<slug:slug>/courriers/", pages.letters_page, name="letters"),
    path("<slug:slug>/courriers/zip/", pages.letters_zip_start, name="letters_zip"),
    path("<slug:slug>/courriers/parametres/", pages.letter_settings, name="letter_settings"),
    path(
        "<slug:slug>/courriers/modele.docx", pages.letter_template_download, name="letter_template"
    ),
    path("<slug:slug>/couverture/", pages.coverage_page, name="coverage"),
    path("<slug:slug>/generations/<int:job_id>/", pages.job_status, name="job_status"),
    path("<slug:slug>/generations/<int:job_id>/fichier/", pages.job_download, name="job_download"),
    path("dossiers/<int:pk>/courrier.docx", pages.dossier_letter, name="dossier_letter"),
    path("dossiers/<int:pk>/impression/", pages.dossier_print_view, name="dossier_print"),
    path(
        "dossiers/<int:pk>/impression.docx",
        pages.dossier_print_docx_view,
        name="dossier_print_docx",
    ),
]
