from dossiers.views import applicant, attachments, projects, staff

app_name = "dossiers"
urlpatterns = (
    applicant.urlpatterns + projects.urlpatterns + attachments.urlpatterns + staff.urlpatterns
)
