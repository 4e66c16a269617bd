"""The one text-cleaning rule (api.md "Sizes are bounded"; decision 0020).

Every text a person types or sends (dossier parts, project sheets, funding lines,
reviews, comments, messages, reasons, names…) goes through `clean_text` in the
domain, for the pages and the API alike:
- line breaks are kept as "\\n": "\\r\\n", "\\r", the vertical tab (Word's manual line
  break when pasted), the form feed and NEL become "\\n";
- tabs are kept;
- every other control character (C0, DEL, C1), the non-characters U+FFFE/U+FFFF and
  lone UTF-16 surrogates are removed: nothing an XML document (XLSX, ODS, .docx)
  refuses is ever stored.
The API refuses NUL and lone surrogates before (common.api_input: signs of a broken
client, impossible in a form); what remains is removed, not refused, because it comes
from pasting.

The writers of files (exports, letters, printable dossiers) pass every text through
`xml_safe` at write time (what XML 1.0 refuses is removed, nothing else changes), so
that texts stored before this rule never break a file either."""

import re

_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85]")
_REMOVED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
# What XML 1.0 does not allow in a text (tab, line feed and carriage return are allowed).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_text(value):
    """`value` with line breaks normalised and other control characters removed
    (not stripped). Anything but a string is returned unchanged."""
    if not isinstance(value, str):
        return value
    if value.isprintable():
        return value
    return _REMOVED.sub("", _LINE_BREAKS.sub("\n", value))


def clean_texts(value):
    """`clean_text` on every string of a JSON-like value (keys included)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_texts(key): clean_texts(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_texts(item) for item in value]
    if isinstance(value, tuple):
        return tuple(clean_texts(item) for item in value)
    return value


def clean_line(value):
    """A one-line text (a name, a title in a file name): line breaks become spaces."""
    value = clean_text(value)
    if not isinstance(value, str):
        return value
    return value.replace("\n", " ").replace("\t", " ")


def xml_safe(value):
    """`value` without the characters an XML document cannot hold (for the writers of
    files); anything but a string is returned unchanged."""
    if not isinstance(value, str) or value.isprintable():
        return value
    return _NOT_XML.sub("", value)


def xml_safe_all(value):
    """`xml_safe` on every string of a JSON-like value."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {xml_safe_all(key): xml_safe_all(item) for key, item in value.items()}
    if isinstance(value, list):
        return [xml_safe_all(item) for item in value]
    if isinstance(value, tuple):
        return tuple(xml_safe_all(item) for item in value)
    return value
