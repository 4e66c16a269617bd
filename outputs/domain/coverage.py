"""Coverage report: which territories each filière dossier covers.

A dossier covers the health territories of its filière, from its submission on:
drafts and withdrawn dossiers do not count. A rejected dossier still counts (it
was submitted) but is flagged, and a territory covered only by rejected dossiers
is flagged too. `uncovered`: territories no counting dossier covers; `overlaps`:
territories covered by two counting dossiers or more. A département is covered
when all its territories are, partly covered when some are."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models.fields.json import KT
from django.utils.translation import gettext as _

from campaign.queries import filiere_territory_links
from dossiers.enums import SUBMITTED_STATES, DossierState, Outcome
from dossiers.models import Dossier

DEPARTEMENTS = {
    "01": "Ain", "02": "Aisne", "03": "Allier", "04": "Alpes-de-Haute-Provence",
    "05": "Hautes-Alpes", "06": "Alpes-Maritimes", "07": "Ardèche", "08": "Ardennes",
    "09": "Ariège", "10": "Aube", "11": "Aude", "12": "Aveyron", "13": "Bouches-du-Rhône",
    "14": "Calvados", "15": "Cantal", "16": "Charente", "17": "Charente-Maritime",
    "18": "Cher", "19": "Corrèze", "2A": "Corse-du-Sud", "2B": "Haute-Corse",
    "21": "Côte-d'Or", "22": "Côtes-d'Armor", "23": "Creuse", "24": "Dordogne", "25": "Doubs",
    "26": "Drôme", "27": "Eure", "28": "Eure-et-Loir", "29": "Finistère", "30": "Gard",
    "31": "Haute-Garonne", "32": "Gers", "33": "Gironde", "34": "Hérault",
    "35": "Ille-et-Vilaine", "36": "Indre", "37": "Indre-et-Loire", "38": "Isère", "39": "Jura",
    "40": "Landes", "41": "Loir-et-Cher", "42": "Loire", "43": "Haute-Loire",
    "44": "Loire-Atlantique", "45": "Loiret", "46": "Lot", "47": "Lot-et-Garonne",
    "48": "Lozère", "49": "Maine-et-Loire", "50": "Manche", "51": "Marne", "52": "Haute-Marne",
    "53": "Mayenne", "54": "Meurthe-et-Moselle", "55": "Meuse", "56": "Morbihan",
    "57": "Moselle", "58": "Nièvre", "59": "Nord", "60": "Oise", "61": "Orne",
    "62": "Pas-de-Calais", "63": "Puy-de-Dôme", "64": "Pyrénées-Atlantiques",
    "65": "Hautes-Pyrénées", "66": "Pyrénées-Orientales", "67": "Bas-Rhin", "68": "Haut-Rhin",
    "69": "Rhône", "70": "Haute-Saône", "71": "Saône-et-Loire", "72": "Sarthe", "73": "Savoie",
    "74": "Haute-Savoie", "75": "Paris", "76": "Seine-Maritime", "77": "Seine-et-Marne",
    "78": "Yvelines", "79": "Deux-Sèvres", "80": "Somme", "81": "Tarn", "82": "Tarn-et-Garonne",
    "83": "Var", "84": "Vaucluse", "85": "Vendée", "86": "Vienne", "87": "Haute-Vienne",
    "88": "Vosges", "89": "Yonne", "90": "Territoire de Belfort", "91": "Essonne",
    "92": "Hauts-de-Seine", "93": "Seine-Saint-Denis", "94": "Val-de-Marne", "95": "Val-d'Oise",
    "971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion",
    "976": "Mayotte",
}  # fmt: skip


def departement_label(code):
    name = DEPARTEMENTS.get(code)
    return f"{code} {name}" if name else str(code)


@dataclass
class CoveringDossier:
    id: int
    name: str
    filiere: str
    state: str
    state_label: str
    outcome: str
    rejected: bool
    recognised: bool = False  # decided and recognising the filière (vs only applying)


@dataclass
class TerritoryCoverage:
    code: str
    name: str
    departements: list
    dossiers: list = field(default_factory=list)

    @property
    def dossier_ids(self):
        return [d.id for d in self.dossiers]

    @property
    def rejected_ids(self):
        return [d.id for d in self.dossiers if d.rejected]

    @property
    def recognised_ids(self):
        return [d.id for d in self.dossiers if d.recognised]

    @property
    def is_uncovered(self):
        return not self.dossiers

    @property
    def is_overlap(self):
        return len(self.dossiers) >= 2

    @property
    def only_rejected(self):
        return bool(self.dossiers) and all(d.rejected for d in self.dossiers)


@dataclass
class DepartementCoverage:
    code: str
    name: str
    territories: list
    covered_territories: list
    dossiers: list

    @property
    def status(self):
        if not self.covered_territories:
            return "uncovered"
        if len(self.covered_territories) < len(self.territories):
            return "partial"
        return "covered"

    @property
    def status_label(self):
        return {
            "uncovered": _("Non couvert"),
            "partial": _("Couvert en partie"),
            "covered": _("Couvert"),
        }[self.status]


@dataclass
class CoverageReport:
    territories: list
    departements: list

    @property
    def uncovered(self):
        return [t.code for t in self.territories if t.is_uncovered]

    @property
    def overlaps(self):
        return [t.code for t in self.territories if t.is_overlap]

    @property
    def only_rejected(self):
        return [t.code for t in self.territories if t.only_rejected]

    @property
    def recognised(self):
        """The territories where a filière is recognised (not only applying)."""
        return [t.code for t in self.territories if t.recognised_ids]

    def as_api(self):
        return {
            "territories": [
                {
                    "code": t.code,
                    "name": t.name,
                    "dossiers": t.dossier_ids,
                    "rejected": t.rejected_ids,
                    "recognised": t.recognised_ids,
                    "departements": t.departements,
                }
                for t in self.territories
            ],
            "uncovered": self.uncovered,
            "overlaps": self.overlaps,
            "recognised": self.recognised,
            "departements": [
                {
                    "code": d.code,
                    "name": d.name,
                    "territories": d.territories,
                    "dossiers": [x.id for x in d.dossiers],
                    "status": d.status,
                }
                for d in self.departements
            ],
        }


def coverage_report(campaign):
    """The report for a campaign, in three queries whatever its size."""

    states = {value: str(label) for value, label in DossierState.choices}
    # Plain values, the identity's name read by the database: no model instances, no
    # JSON documents decoded (the page lists every submitted dossier of the campaign).
    dossiers = (
        Dossier.objects.filter(campaign=campaign, state__in=sorted(SUBMITTED_STATES))
        .order_by("filiere__name", "id")
        .values_list(
            "id",
            "filiere_id",
            "filiere__name",
            "state",
            "outcome",
            "recognised",
            KT("identity__name"),
        )
    )
    by_filiere = defaultdict(list)
    for pk, filiere_id, filiere_name, state, outcome, recognised, name in dossiers:
        decided = state == DossierState.DECIDED
        by_filiere[filiere_id].append(
            CoveringDossier(
                id=pk,
                name=name or filiere_name,
                filiere=filiere_name,
                state=state,
                state_label=states.get(state, state),
                outcome=outcome,
                rejected=decided and outcome == Outcome.REJECTED,
                recognised=decided and bool(recognised),
            )
        )
    links = filiere_territory_links(campaign).values_list("territory_id", "filiere_id")
    filieres_by_territory = defaultdict(list)
    for territory_id, filiere_id in links:
        filieres_by_territory[territory_id].append(filiere_id)

    territories = []
    departements = defaultdict(lambda: {"territories": [], "covered": [], "dossiers": {}})
    for territory in campaign.territories.order_by("code"):
        covering = [
            d for filiere_id in filieres_by_territory[territory.id] for d in by_filiere[filiere_id]
        ]
        covering.sort(key=lambda d: (d.filiere, d.id))
        item = TerritoryCoverage(
            code=territory.code,
            name=territory.name,
            departements=list(territory.departements or []),
            dossiers=covering,
        )
        territories.append(item)
        for code in item.departements:
            entry = departements[code]
            entry["territories"].append(item.code)
            if covering:
                entry["covered"].append(item.code)
            for d in covering:
                entry["dossiers"][d.id] = d
    return CoverageReport(
        territories=territories,
        departements=[
            DepartementCoverage(
                code=code,
                name=DEPARTEMENTS.get(code, code),
                territories=entry["territories"],
                covered_territories=entry["covered"],
                dossiers=sorted(entry["dossiers"].values(), key=lambda d: (d.filiere, d.id)),
            )
            for code, entry in sorted(departements.items())
        ],
    )
