"""The sizes api.md bounds ("Sizes are bounded"), for the pages and the API alike.

Beyond a bound the domain answers 400 with a French message; a list that is too long
is not even read past its bound (a 50,000-item list costs no more than 201)."""

from django.utils.translation import gettext as _

TEXT_MAX = 20000  # characters per text field
MAX_MEMBERS = 200  # member structures of a dossier
MAX_SWOT_ITEMS = 50  # items per SWOT quadrant
MAX_PROJECTS = 100  # project sheets per dossier
MAX_LINES = 50  # funding lines per project sheet
MAX_ORGANISATIONS = 100  # organisations per yearly report
# Lists whose entries name something of the dossier (lines of a proposal or decision,
# opinions per sheet, scores per criterion): never more than the dossier can hold.
MAX_DOSSIER_LINES = MAX_PROJECTS * MAX_LINES
MAX_CRITERIA = 100


def too_long_message(limit):
    return _("Ce texte dépasse %(n)d caractères.") % {"n": limit}


def bounded(items, limit, path, what, errors):
    """`items` cut at `limit`; when longer, a French message under `path` in `errors`
    ({path: [messages]})."""
    if len(items) > limit:
        errors.setdefault(path, []).append(
            _("Au plus %(n)d %(what)s (ici %(count)d).")
            % {"n": limit, "what": what, "count": len(items)}
        )
        return items[:limit]
    return items
