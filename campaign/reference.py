"""The reference regions (campaign/data/regions.json): loaded by migration 0006, and
again by the test suite after a test that empties the database."""

import json
from pathlib import Path

REGIONS_FILE = Path(__file__).resolve().parent / "data" / "regions.json"


def load_reference_regions(region_model):
    """Create or update the 18 regions; takes the model so that a migration can pass its
    historical one."""
    for item in json.loads(REGIONS_FILE.read_text(encoding="utf-8"))["regions"]:
        region_model.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "agency_name": item["agency_name"],
                "appeal_court": item["appeal_court"],
            },
        )
