from campaign.views import budget, extensions, outputs

app_name = "campaign"
urlpatterns = budget.urlpatterns + extensions.urlpatterns + outputs.urlpatterns
