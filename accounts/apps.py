from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from accounts import throttle

        user_login_failed.connect(throttle.on_login_failed, dispatch_uid="accounts_throttle_failed")
        user_logged_in.connect(throttle.on_logged_in, dispatch_uid="accounts_throttle_logged_in")
