import datetime as dt

from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import ratelimit, throttle
from accounts.models import User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Identifiant ou mot de passe incorrect. Les deux champs tiennent compte des majuscules."
        ),
        "inactive": _("Ce compte est désactivé."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Identifiant")
        self.fields["password"].label = _("Mot de passe")

    def clean(self):
        # Brute force: after too many failures for this username from this address, the
        # password is not even checked (accounts.throttle).
        username = self.cleaned_data.get("username")
        if username and self.request is not None:
            message = throttle.login_block_message(self.request, username)
            if message:
                raise ValidationError(message, code="throttled")
        return super().clean()


class SetPasswordFrenchForm(SetPasswordForm):
    """Choosing a password from an invitation or reset link; plain-text hints (no HTML list)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(
            password_validation.password_validators_help_texts()
        )


RESET_WINDOW = dt.timedelta(hours=1)
RESETS_PER_ADDRESS = 3  # e-mails to one address per hour
RESETS_PER_CLIENT = 10  # requests from one client address per hour


class PasswordResetRequestForm(PasswordResetForm):
    """Also reaches invited people who never chose a password (their link expired).

    Rate-limited (accounts.ratelimit): at most RESETS_PER_ADDRESS e-mails to one address
    and RESETS_PER_CLIENT requests from one client address per hour. Beyond, nothing is
    sent and the page says the same as always: whether an address has an account (staff
    or not) is never disclosed."""

    def save(self, *args, request=None, **kwargs):
        email = self.cleaned_data["email"]
        client = throttle.client_ip(request) if request is not None else "inconnue"
        if not ratelimit.hit(
            "reset_from", client, limit=RESETS_PER_CLIENT, window=RESET_WINDOW
        ) or not ratelimit.hit("reset_to", email, limit=RESETS_PER_ADDRESS, window=RESET_WINDOW):
            return None
        return super().save(*args, request=request, **kwargs)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Adresse électronique")

    def get_users(self, email):
        wanted = email.casefold()
        users = User._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if user.email.casefold() == wanted)
