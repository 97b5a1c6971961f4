"""`Authorization: Bearer <token>`, the API's only way in: no session, so no CSRF to keep."""

from rest_framework import authentication, exceptions

from api.services import token_find


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, text = header.partition(" ")
        if keyword.lower() != self.keyword.lower() or not text.strip():
            raise exceptions.AuthenticationFailed("Send the token as “Authorization: Bearer <token>”.")
        token = token_find(text.strip())
        if token is None:
            raise exceptions.AuthenticationFailed("The token is unknown, revoked or expired.")
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'
