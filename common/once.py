"""Create actions done once per form (issue 11, item 4): a double click on « Créer la
fiche » creates one sheet, not two.

Each create form carries a random key (`OnceOnlyFormMixin`, hidden field `once`, new at
each display). `run_once` claims the key in the same transaction as the action: the first
submission does it and records the address it led to; a repeat — even concurrent, held
by the key's unique index until the first commits — is sent to that address. A refused
action (bad input) rolls the claim back: the form shown again keeps its key and can be
sent again. The API, which has no form, goes straight to the action."""

import datetime as dt
import secrets

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Conflict
from common.models import OnceToken

FIELD = "once"
KEPT = dt.timedelta(days=2)


def new_key():
    return secrets.token_urlsafe(24)


class OnceOnlyFormMixin(forms.Form):
    once = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial[FIELD] = new_key()


def run_once(user, key, action):
    """(url, done): `action()` returns the address to go to; done is False when the key
    had already been used (by this person) and the action was not done again."""
    if not key:
        return action(), True
    try:
        with transaction.atomic():
            token = OnceToken.objects.create(key=key, user_id=user.pk)
            url = action()
            token.result_url = url
            token.save(update_fields=["result_url"])
    except IntegrityError:
        earlier = OnceToken.objects.filter(key=key).first()
        if earlier is None:
            raise  # another constraint of the action itself
        if earlier.user_id != user.pk or not earlier.result_url:
            raise Conflict(_("Ce formulaire a déjà été envoyé : rechargez la page.")) from None
        return earlier.result_url, False
    OnceToken.objects.filter(created_at__lt=timezone.now() - KEPT).delete()
    return url, True
