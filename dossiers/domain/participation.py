"""The actors the call names (seed 004: « les établissements de santé bénéficiant d'une
reconnaissance contractuelle … (LISP, USP, EMSP), les HAD, l'ERRSPP, les DAC et les
CPTS doivent participer aux travaux et être partie prenante »): which of them the
dossier's members include, which are missing, and the lead's justification of the
missing ones. Not a hard block at submission: the completeness page lists the missing
ones and asks for the justification (identity.actors_justification)."""

from dataclasses import dataclass, field

from dossiers.enums import MemberType

NAMED_ACTORS = [
    MemberType.LISP,
    MemberType.USP,
    MemberType.EMSP,
    MemberType.HAD,
    MemberType.ERRSPP,
    MemberType.DAC,
    MemberType.CPTS,
]


@dataclass(frozen=True)
class Participation:
    present: list = field(default_factory=list)  # member type codes, in the call's order
    missing: list = field(default_factory=list)
    justification: str = ""

    @property
    def justified(self):
        return not self.missing or bool(self.justification.strip())

    def as_dict(self):
        return {
            "named": [str(code) for code in NAMED_ACTORS],
            "present": self.present,
            "missing": self.missing,
            "justification": self.justification,
        }


def participation(identity):
    """Participation of the named actors in an identity sheet (a dossier's or a snapshot's;
    old documents without the justification read as an empty one)."""
    identity = identity if isinstance(identity, dict) else {}
    members = identity.get("members")
    types = {
        member.get("type")
        for member in (members if isinstance(members, list) else [])
        if isinstance(member, dict)
    }
    present = [str(code) for code in NAMED_ACTORS if code in types]
    missing = [str(code) for code in NAMED_ACTORS if code not in types]
    justification = identity.get("actors_justification")
    return Participation(present, missing, justification if isinstance(justification, str) else "")
