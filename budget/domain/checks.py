"""Checks shared by the budget's commands."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import Forbidden
from common.money import format_eur
from dossiers.rules import is_dossier_editor

ENVELOPE_NAMES = {
    "recurring": gettext_lazy("L'enveloppe reconductible"),
    "one_off": gettext_lazy("L'enveloppe ponctuelle"),
}


def overflow_message(kind, overflow):
    return _("%(envelope)s serait dépassée de %(amount)s.") % {
        "envelope": ENVELOPE_NAMES[kind],
        "amount": format_eur(overflow),
    }


def refuse_own_dossier(dossier, user):
    """A person who also writes the dossier (editor of its filière) neither proposes nor
    decides its amounts: conflict of interest, whatever ARS role they hold."""

    if is_dossier_editor.test(user, dossier):
        raise Forbidden(
            _(
                "Vous êtes rédacteur de ce dossier : vous ne pouvez ni proposer ni décider "
                "ses montants (conflit d'intérêts)."
            )
        )
