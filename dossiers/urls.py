from dossiers.views import applicant, projects, staff

app_name = "dossiers"
urlpatterns = applicant.urlpatterns + projects.urlpatterns + staff.urlpatterns
