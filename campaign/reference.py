"""The reference data of the regions: the 18 regions (campaign/data/regions.json) and
their coordination cells (campaign/data/carsp.json). Loaded by migrations, by
`manage.py load_reference_data`, and again by the test suite after a test that empties
the database."""

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
REGIONS_FILE = DATA / "regions.json"
CELLS_FILE = DATA / "carsp.json"
CELL_FIELDS = (
    "acronym",
    "name",
    "carrier",
    "founded",
    "description",
    "emails",
    "phone",
    "website",
    "contacts",
    "offer",
)
# Filled from the file only while empty: each ARS checks and completes them in the admin.
DEFAULTS = {"director_title": "le directeur général"}
COMPLETED_FIELDS = ("seat_city", "address", "director_title")


def reference_regions():
    return json.loads(REGIONS_FILE.read_text(encoding="utf-8"))["regions"]


def load_reference_regions(region_model):
    """Create or update the 18 regions; takes the model so that a migration can pass its
    historical one (fields it does not have yet are left out)."""
    fields = {f.name for f in region_model._meta.get_fields()}
    for item in reference_regions():
        region, _created = region_model.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "agency_name": item["agency_name"],
                "appeal_court": item["appeal_court"],
            },
        )
        completed = [
            key
            for key in COMPLETED_FIELDS
            if key in fields and item.get(key) and getattr(region, key) in ("", DEFAULTS.get(key))
        ]
        for key in completed:
            setattr(region, key, item[key])
        if completed:
            region.save(update_fields=completed)


def load_reference_cells(region_model, cell_model, *, overwrite=False):
    """Create the coordination cells of the directory; an existing cell (which its ARS
    may have completed) is updated only with `overwrite`. Returns (created, updated)."""
    data = json.loads(CELLS_FILE.read_text(encoding="utf-8"))
    regions = {r.code: r for r in region_model.objects.all()}
    created = updated = 0
    for item in data["cells"]:
        region = regions.get(item["region"])
        if region is None:
            continue
        values = {field: item[field] for field in CELL_FIELDS}
        values["source"] = data["source"]
        existing = cell_model.objects.filter(region=region).first()
        if existing is None:
            cell_model.objects.create(region=region, **values)
            created += 1
        elif overwrite:
            for field, value in values.items():
                setattr(existing, field, value)
            existing.save()
            updated += 1
    return created, updated
