"""Create actions done once per form (issue 11, item 4): a double click on « Créer la
fiche » creates one sheet, not two.

Each create form carries a random key (`OnceOnlyFormMixin`, hidden field `once`, new at
each display). `run_once` claims the key in the same transaction as the action: the first
submission does it and records the address it led to; a repeat — even concurrent, held
by the key's unique index until the first commits — is sent to that address. A refused
action (bad input) rolls the claim back: the form shown again keeps its key and can be
sent again. The API, which has no form, goes straight to the action.

A form without a Django form class (a lone button: « Créer le dossier », « Générer les
courriers »…) carries the same field with `{% once_field %}` (common/templatetags/once.py)
and its view reads `request.POST`; `once_redirect` is the usual ending of a create view."""

import datetime as dt
import re
import secrets

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Conflict
from common.models import OnceToken

FIELD = "once"
KEPT = dt.timedelta(days=2)
MAX_LENGTH = 64  # OnceToken.key
# What new_key() makes; anything else (a NUL byte, which PostgreSQL refuses in a text) is
# no key.
KEY_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_LENGTH}}}")


def new_key():
    return secrets.token_urlsafe(24)


class OnceOnlyFormMixin(forms.Form):
    once = forms.CharField(required=False, max_length=MAX_LENGTH, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial[FIELD] = new_key()


def run_once(user, key, action):
    """(url, done): `action()` returns the address to go to; done is False when the key
    had already been used (by this person) and the action was not done again. A key that
    cannot be one (empty, too long: a hand-made request) is no key."""
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
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


def posted_key(request, form=None):
    """The once-only key sent with the request: the form's cleaned field, or the raw
    field of a form without a form class."""
    if form is not None and hasattr(form, "cleaned_data"):
        return form.cleaned_data.get(FIELD)
    return request.POST.get(FIELD)


def once_redirect(request, action, repeated, *, form=None):
    """Run the create `action` once for the posted key, then redirect where it led; a
    repeat goes where the first one led, with `repeated` as an information message."""
    url, done = run_once(request.user, posted_key(request, form), action)
    if not done:
        messages.info(request, repeated)
    return redirect(url)
