"""French typography of the documents that leave the ARS (letters): typographic
apostrophe, no-break space before « : » and inside « », narrow no-break space before
« ; ! ? »."""

import re

_BEFORE_COLON = re.compile(r"[ \u00a0\u202f]*([:»])")
_BEFORE_TALL = re.compile(r"[ \u00a0\u202f]+([;!?])")
_AFTER_GUILLEMET = re.compile(r"«[ \u00a0\u202f]*")


def typographic(text):
    """The text with French typography (what a letter prints); URLs and e-mail
    addresses are not prose and are not given to it."""
    if not text:
        return text or ""
    text = str(text).replace("'", "\u2019")
    text = _BEFORE_COLON.sub(lambda m: "\u00a0" + m.group(1), text)
    text = _BEFORE_TALL.sub(lambda m: "\u202f" + m.group(1), text)
    text = _AFTER_GUILLEMET.sub("«\u00a0", text)
    # « http://… » and times (« 14:30 ») keep their colon as typed.
    return re.sub(r"(\w)\u00a0:(//|\d)", r"\1:\2", text)
