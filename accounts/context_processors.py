from accounts import proconnect as proconnect_module


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": frozenset()}
    return {"user_roles": user.role_codes}


def proconnect(request):
    """Whether the ProConnect button is shown (accounts.proconnect)."""
    return {"proconnect_enabled": proconnect_module.enabled()}
