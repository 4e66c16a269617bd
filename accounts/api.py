from ninja import Schema
from pydantic import Field

from common.api_pagination import Router

router = Router(tags=["comptes"])


class MeOut(Schema):
    username: str
    roles: list[str]
    filieres: list[str]
    regions: list[str] = Field(description="Les régions où le compte tient un rôle CARESP ou ARS.")
    national: bool = Field(description="Administrateur national : toutes les régions.")


@router.get("/me", response=MeOut, summary="L'utilisateur connecté")
def me(request):
    user = request.auth
    return {
        "username": user.username,
        "roles": sorted(user.role_codes),
        "filieres": sorted(user.filieres.values_list("slug", flat=True).distinct()),
        "regions": sorted(
            user.role_grants.filter(region__isnull=False)
            .values_list("region__name", flat=True)
            .distinct()
        ),
        "national": user.is_national,
    }
