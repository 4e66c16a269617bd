from django.apps import AppConfig


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = "Campagnes"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in  # noqa: PLC0415

        from campaign.context_processors import remember_tagline  # noqa: PLC0415

        # After auth's own receiver, which sets last_login (part of the cache key).
        user_logged_in.connect(
            lambda sender, user, **kwargs: remember_tagline(user),
            dispatch_uid="campaign.agency_tagline",
            weak=False,
        )
