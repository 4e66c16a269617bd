from django.urls import path

from campaign.views.invitations import InvitationView

app_name = "invitations"
urlpatterns = [
    path("<str:token>/", InvitationView.as_view(), name="accept"),
]
