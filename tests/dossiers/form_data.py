"""Build the POST data the section forms send."""

import re

from dossiers.domain.editing import part_fingerprint
from dossiers.enums import Mission


def fingerprint(dossier, part):
    dossier.refresh_from_db()
    return part_fingerprint(getattr(dossier, part))


def identity_data(dossier, members=(), **fields):
    data = {
        "fingerprint": fingerprint(dossier, "identity"),
        "name": "Filière Nord Finistère — Léon & Iroise",
        "communes": "",
        "lead_name": "Centre hospitalier régional universitaire de Brest",
        "lead_finess": "290000017",
        "lead_legal_status": "public",
        "lead_address": "2 avenue Foch\n29200 Brest",
        "lead_representative_name": "Jean-Yves Cozan",
        "lead_representative_title": "Directeur général",
        "coordinator_name": "Maëlle Le Bihan",
        "coordinator_email": "maelle.lebihan@chu-brest.fr",
        "coordinator_phone": "02 98 22 33 33",
        "governance": "Comité de pilotage trimestriel ; bureau mensuel.",
        "convention_signed": "yes",
    }
    data.update(fields)
    members = list(members)
    data.update(
        {
            "members-TOTAL_FORMS": str(len(members)),
            "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "200",
        }
    )
    for index, member in enumerate(members):
        for key in ("type", "name", "finess", "siret", "role"):
            data[f"members-{index}-{key}"] = member.get(key, "")
        if member.get("DELETE"):
            data[f"members-{index}-DELETE"] = "on"
    return data


def diagnostic_data(dossier, **fields):
    data = {"fingerprint": fingerprint(dossier, "diagnostic")}
    for key in (
        "population",
        "minors",
        "over_75",
        "lisp_beds",
        "usp_beds",
        "emsp_count",
        "had_count",
        "ehpad_count",
        "ehpad_residents",
        "dac_count",
        "cpts_count",
        "volunteer_associations",
        "area_km2",
        "access_notes",
    ):
        data[key] = ""
    for code in Mission.values:
        data[f"mission_{code}_status"] = ""
        data[f"mission_{code}_comment"] = ""
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def swot_data(dossier, **fields):
    data = {
        "fingerprint": fingerprint(dossier, "swot"),
        "strengths": "",
        "weaknesses": "",
        "opportunities": "",
        "threats": "",
    }
    data.update(fields)
    return data


def input_value(html, name):
    """The value attribute of the input named `name` (None if absent or empty)."""
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert match, f"no input {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else None


def field_error_block(html, field_id):
    """The HTML of the DSFR group of a field (to check that its error is shown next to it)."""
    anchor = html.index(f'id="div_{field_id}"')
    start = html.rfind("<div", 0, anchor)
    following = html.find('id="div_', anchor + 1)
    return html[start : following if following != -1 else None]
