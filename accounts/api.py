from ninja import Router, Schema

router = Router(tags=["comptes"])


class MeOut(Schema):
    username: str
    roles: list[str]
    filieres: list[str]


@router.get("/me", response=MeOut, summary="L'utilisateur connecté")
def me(request):
    user = request.auth
    return {
        "username": user.username,
        "roles": sorted(user.role_codes),
        "filieres": sorted(user.filieres.values_list("slug", flat=True)),
    }
