"""Content-Security-Policy: scripts and styles only from our own static files."""

from accounts import proconnect

DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]
POLICY = "; ".join(DIRECTIVES)


def policy():
    """The policy; with ProConnect on, forms may also end at the provider (signing out
    posts to this site, which redirects to the provider's end of session)."""
    origins = proconnect.provider_origins()
    if not origins:
        return POLICY
    return POLICY.replace("form-action 'self'", "form-action 'self' " + " ".join(origins))


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy())
        return response
