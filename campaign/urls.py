from campaign.views import extensions

app_name = "campaign"
urlpatterns = extensions.urlpatterns
