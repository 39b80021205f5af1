"""Bearer-token authentication and the API's permission rule."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from api.models import ApiToken

# last_used_at is written at most this often per token, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


def token_from_header(header: str) -> str | None:
    """The secret of an `Authorization: Bearer <token>` header, or None for another scheme."""
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    secret = secret.strip()
    if not secret or " " in secret:
        raise exceptions.AuthenticationFailed("Malformed Authorization header: use “Bearer <token>”.")
    return secret


def user_for_token(secret: str) -> tuple:
    """(user, token) for a valid secret; AuthenticationFailed otherwise."""
    token = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(secret)).first()
    if token is None or not token.user.is_active:
        raise exceptions.AuthenticationFailed("Invalid token.")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token


class BearerTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        secret = token_from_header(request.headers.get("Authorization", ""))
        return None if secret is None else user_for_token(secret)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'  # makes a missing token a 401, not a 403


class ReadOrStaffWrite(permissions.BasePermission):
    """Any signed-in user or token may read; writing needs a staff user and a token that may write."""

    message = "This needs a staff user and a token that is not read-only."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth if isinstance(request.auth, ApiToken) else None
        return user.is_staff and (token is None or not token.read_only)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token scheme in the OpenAPI schema."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API token made in admin (nwm_…)."}
