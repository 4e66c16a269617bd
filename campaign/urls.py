from campaign.views import budget, outputs

app_name = "campaign"
urlpatterns = budget.urlpatterns + outputs.urlpatterns
