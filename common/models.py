from django.db import models
from django.utils.translation import gettext_lazy as _


class OnceToken(models.Model):
    """A form's once-only key (common.once): the first submission carrying it does the
    action and records where it led; a repeat (double click, form sent again after a
    network error) is sent there instead of doing it twice."""

    key = models.CharField(_("clé"), max_length=64, unique=True)
    # The person who sent it (no foreign key: common is below accounts).
    user_id = models.BigIntegerField(_("personne"))
    result_url = models.CharField(_("adresse du résultat"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("envoi de formulaire")
        verbose_name_plural = _("envois de formulaires")

    def __str__(self):
        return self.key
