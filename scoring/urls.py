from scoring.views import review

app_name = "scoring"
urlpatterns = review.urlpatterns
