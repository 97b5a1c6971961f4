"""One rate limit per token (API_RATE_LIMIT), counted in the shared cache."""

from rest_framework.throttling import SimpleRateThrottle

from kayse.client_ip import client_ip


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_ident(self, request):
        return client_ip(request)  # the project's one rule for the client's address

    def get_cache_key(self, request, view):
        token = request.auth
        ident = f"token-{token.prefix}" if token is not None else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
