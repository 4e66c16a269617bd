from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from accounts import throttle


class ThrottledModelBackend(ModelBackend):
    """Django's username/password backend, refusing a username+address that failed too
    often (accounts.throttle) without even checking the password. Covers every login
    form, the Django admin's included."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and username and throttle.login_blocked(request, username):
            # authenticate() stops at PermissionDenied and reports a failed login.
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)
