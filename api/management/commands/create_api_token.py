"""manage.py create_api_token USERNAME --scopes read,write [--name N] [--expires-in 90d]: prints a new token once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.services import InvalidScopes, token_create
from kayse.env import parse_duration


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is stored hashed and never shown again)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--scopes", required=True, help="Comma-separated: read,write,merge,import,export")
        parser.add_argument("--name", default="", help="What the token is for.")
        parser.add_argument("--expires-in", default="", help="e.g. 90d, 12h (default API_TOKEN_TTL)")

    def handle(self, *args, username, scopes, name, expires_in, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        expires_at = None
        if expires_in:
            try:
                expires_at = timezone.now() + parse_duration(expires_in)
            except ValueError as error:
                raise CommandError(f"--expires-in: {error}") from None
        try:
            token, text = token_create(
                user=user, name=name or "Command line", scopes=scopes.split(","), expires_at=expires_at
            )
        except InvalidScopes as error:
            raise CommandError(str(error)) from None
        self.stdout.write(text)
        self.stderr.write(
            f"Token {token.prefix}… for {username} ({', '.join(token.scopes)}), expires {token.expires_at:%Y-%m-%d}."
        )
