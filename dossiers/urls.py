from django.urls import path, register_converter

from dossiers.views import applicant, attachments, projects, staff

register_converter(applicant.PartConverter, "dossier_part")

app_name = "dossiers"
urlpatterns = [
    # The staff's list and the read-only dossier (staff.py)
    path("", staff.DossierListView.as_view(), name="list"),
    path("<int:pk>/", staff.DossierDetailView.as_view(), name="detail"),
    path("<int:pk>/depots/<int:number>/", staff.SnapshotView.as_view(), name="snapshot"),
    path(
        "<int:pk>/depots/<int:number>/recepisse/",
        staff.ReceiptView.as_view(),
        name="receipt",
    ),
    path("<int:pk>/delai-de-reponse/", staff.DueDateView.as_view(), name="due_date"),
    # Writing the dossier (applicant.py)
    path(
        "nouveau/<slug:slug>/<int:filiere_pk>/",
        applicant.CreateDossierView.as_view(),
        name="create",
    ),
    path("<int:pk>/rediger/", applicant.HubView.as_view(), name="edit"),
    path(
        "<int:pk>/rediger/<dossier_part:section>/",
        applicant.SectionView.as_view(),
        name="section",
    ),
    path("<int:pk>/verification/", applicant.CheckView.as_view(), name="check"),
    path("<int:pk>/action/<str:name>/", applicant.TransitionView.as_view(), name="transition"),
    path("<int:pk>/co-redacteurs/inviter/", applicant.InviteView.as_view(), name="invite"),
    path(
        "<int:pk>/co-redacteurs/invitations/<int:invitation_pk>/renvoyer/",
        applicant.InvitationActionView.as_view(action="resend"),
        name="invitation_resend",
    ),
    path(
        "<int:pk>/co-redacteurs/invitations/<int:invitation_pk>/annuler/",
        applicant.InvitationActionView.as_view(action="cancel"),
        name="invitation_cancel",
    ),
    # Project sheets and funding lines (projects.py)
    path("<int:pk>/projets/", projects.ProjectListView.as_view(), name="projects"),
    path("<int:pk>/projets/nouvelle/", projects.ProjectCreateView.as_view(), name="project_create"),
    path(
        "<int:pk>/projets/<int:project_pk>/",
        projects.ProjectSheetView.as_view(),
        name="project_edit",
    ),
    path(
        "<int:pk>/projets/<int:project_pk>/supprimer/",
        projects.ProjectDeleteView.as_view(),
        name="project_delete",
    ),
    path(
        "<int:pk>/projets/<int:project_pk>/lignes/",
        projects.LineView.as_view(),
        name="line_create",
    ),
    path(
        "<int:pk>/projets/<int:project_pk>/lignes/<int:line_pk>/",
        projects.LineView.as_view(),
        name="line_edit",
    ),
    path(
        "<int:pk>/projets/<int:project_pk>/lignes/<int:line_pk>/supprimer/",
        projects.LineDeleteView.as_view(),
        name="line_delete",
    ),
    # Attachments (attachments.py)
    path(
        "<int:pk>/pieces-jointes/",
        attachments.AttachmentUploadView.as_view(),
        name="attachment_upload",
    ),
    path(
        "<int:pk>/pieces-jointes/<int:attachment_pk>/",
        attachments.AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
    path(
        "<int:pk>/pieces-jointes/<int:attachment_pk>/supprimer/",
        attachments.AttachmentDeleteView.as_view(),
        name="attachment_delete",
    ),
]
