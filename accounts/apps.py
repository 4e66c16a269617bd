from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et rôles"

    def ready(self):
        # Django's pattern for signal wiring: throttle imports the models, which may only
        # be imported once the app registry is ready, i.e. here.
        from django.contrib.auth.signals import user_logged_in, user_login_failed  # noqa: PLC0415

        from accounts import throttle  # noqa: PLC0415

        user_login_failed.connect(throttle.on_login_failed, dispatch_uid="accounts_throttle_failed")
        user_logged_in.connect(throttle.on_logged_in, dispatch_uid="accounts_throttle_logged_in")
