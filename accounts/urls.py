from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import proconnect
from accounts.forms import LoginForm, PasswordResetRequestForm, SetPasswordFrenchForm

app_name = "accounts"
urlpatterns = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
            extra_context={"title": "Connexion"},
        ),
        name="login",
    ),
    path("deconnexion/", proconnect.LogoutView.as_view(), name="logout"),
    # ProConnect (OpenID Connect): 404 unless configured.
    path("proconnect/connexion/", proconnect.SignInView.as_view(), name="proconnect_login"),
    path("proconnect/retour/", proconnect.CallbackView.as_view(), name="proconnect_callback"),
    path("proconnect/refus/", proconnect.RefusedView.as_view(), name="proconnect_refused"),
    # Forgotten password (and accounts created by invitation before 2026-12): Django's token views.
    path(
        "mot-de-passe/oublie/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="emails/password_reset.txt",
            subject_template_name="emails/password_reset_subject.txt",
            form_class=PasswordResetRequestForm,
            success_url=reverse_lazy("accounts:password_reset_sent"),
            extra_context={"title": "Mot de passe oublié"},
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/password_reset_sent.html",
            extra_context={"title": "Courriel envoyé"},
        ),
        name="password_reset_sent",
    ),
    path(
        "mot-de-passe/definir/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_set.html",
            form_class=SetPasswordFrenchForm,
            success_url=reverse_lazy("accounts:password_set_done"),
            extra_context={"title": "Choisir un mot de passe"},
        ),
        name="password_set",
    ),
    path(
        "mot-de-passe/enregistre/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_set_done.html",
            extra_context={"title": "Mot de passe enregistré"},
        ),
        name="password_set_done",
    ),
]
