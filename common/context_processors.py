from types import SimpleNamespace

SITE = SimpleNamespace(
    site_title="Filières palliatives — appel à candidatures",
    site_tagline="Agence régionale de santé",
    header_brand_html="république<br>française",
    footer_brand_html="république<br>française",
    footer_description=(
        "Plateforme de l'appel à candidatures pour la reconnaissance des filières "
        "territoriales de soins palliatifs (instruction du 21 juin 2023)."
    ),
    mourning=False,
    beta_tag=False,
    notice_title="",
    notice_description="",
    operator_logo_file=None,
)


def site(request):
    """The DSFR frame's texts, without a database query per page."""
    return {"SITE_CONFIG": SITE}
