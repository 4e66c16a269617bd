"""Guarantees the database keeps even when the code is bypassed (docs/decisions/0025).

On PostgreSQL, django-pgtrigger installs these triggers with the migrations: a raw
``UPDATE`` or ``DELETE`` of an audit row (a dossier's history and snapshots, a campaign's
history, envelope amendments, delegations), or a change of a final decision, is refused
by the database itself, whoever sends it (a shell, a script, a bug). SQLite has no such
triggers: there the models' append-only managers and the domain are the only guard."""

import functools
import operator

import pgtrigger


def append_only():
    """Rows written once: neither updated nor deleted."""
    return pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)


def final_once(*, name, when, fields):
    """Once `when` holds for a row (a pgtrigger.Q on `old__…`), `fields` never change."""
    changed = functools.reduce(
        operator.or_,
        [pgtrigger.Q(**{f"old__{field}__df": pgtrigger.F(f"new__{field}")}) for field in fields],
    )
    return pgtrigger.Protect(name=name, operation=pgtrigger.Update, condition=when & changed)


def kept_once(*, name, when):
    """Once `when` holds for a row, it is never deleted."""
    return pgtrigger.Protect(name=name, operation=pgtrigger.Delete, condition=when)
