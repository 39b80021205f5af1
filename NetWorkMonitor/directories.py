"""Sign-in through a directory (LDAP) or an OpenID Connect provider, read from the environment.

Settings call `sign_in_settings()`: with LDAP_SERVER_URI empty there is no directory and
nothing of python-ldap is imported. Roles (and teams) follow the directory's groups at
each sign-in (accounts.directory); LDAP_ROLE_GROUPS names the group of each role, and
an account in none of them is refused.
"""

from django.core.exceptions import ImproperlyConfigured

from NetWorkMonitor.env import env_bool, env_float, env_pairs, env_str

LDAP_BACKEND = "accounts.directory.DirectoryBackend"
ROLES = ("viewer", "operator", "admin")


def role_groups() -> dict[str, str]:
    """role -> group DN, from LDAP_ROLE_GROUPS."""
    groups = {role: dn for role, dn in env_pairs("LDAP_ROLE_GROUPS").items()}
    if unknown := set(groups) - set(ROLES):
        raise ImproperlyConfigured(f"LDAP_ROLE_GROUPS: unknown role {sorted(unknown)[0]!r}; roles are {ROLES}")
    return groups


def ldap_settings() -> dict:
    """The AUTH_LDAP_* settings django-auth-ldap reads; none when no directory is configured."""
    uri = env_str("LDAP_SERVER_URI", "") or ""
    if not uri:
        return {}
    import ldap
    from django_auth_ldap.config import GroupOfNamesType, LDAPGroupQuery, LDAPSearch

    user_base = env_str("LDAP_USER_SEARCH_BASE", "") or ""
    if not user_base:
        raise ImproperlyConfigured("LDAP_USER_SEARCH_BASE is needed with LDAP_SERVER_URI")
    groups = role_groups()
    found = {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_BIND_DN": env_str("LDAP_BIND_DN", "") or "",
        "AUTH_LDAP_BIND_PASSWORD": env_str("LDAP_BIND_PASSWORD", "") or "",
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(
            user_base, ldap.SCOPE_SUBTREE, env_str("LDAP_USER_FILTER", "(uid=%(user)s)") or "(uid=%(user)s)"
        ),
        "AUTH_LDAP_USER_ATTR_MAP": {"first_name": "givenName", "last_name": "sn", "email": "mail"},
        # The account follows the directory at each sign-in, and at each re-check (accounts.directory).
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_GROUP_TYPE": GroupOfNamesType(),
        "AUTH_LDAP_CONNECTION_OPTIONS": {ldap.OPT_NETWORK_TIMEOUT: 5, ldap.OPT_TIMEOUT: 10},
    }
    if group_base := env_str("LDAP_GROUP_SEARCH_BASE", "") or "":
        found["AUTH_LDAP_GROUP_SEARCH"] = LDAPSearch(group_base, ldap.SCOPE_SUBTREE, "(objectClass=groupOfNames)")
        if groups:
            # Only members of a role's group sign in: a directory holds more people than the operations team.
            query = None
            for dn in groups.values():
                query = LDAPGroupQuery(dn) if query is None else query | LDAPGroupQuery(dn)
            found["AUTH_LDAP_REQUIRE_GROUP"] = query
    elif groups:
        raise ImproperlyConfigured("LDAP_ROLE_GROUPS needs LDAP_GROUP_SEARCH_BASE, where the groups are looked up")
    return found


def oidc_settings() -> dict:
    """mozilla-django-oidc's settings (accounts/oidc.py); the provider is off while OIDC_ISSUER is empty."""
    return {
        "OIDC_ISSUER": env_str("OIDC_ISSUER", "") or "",
        "OIDC_RP_CLIENT_ID": env_str("OIDC_CLIENT_ID", "") or "",
        "OIDC_RP_CLIENT_SECRET": env_str("OIDC_CLIENT_SECRET", "") or "",
        "OIDC_ROLE_CLAIM": env_str("OIDC_ROLE_CLAIM", "roles") or "roles",
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_RP_SCOPES": "openid email profile",
        "OIDC_USE_PKCE": True,
        "OIDC_CALLBACK_CLASS": "accounts.oidc.Callback",
        "OIDC_AUTHENTICATE_CLASS": "accounts.oidc.SignInRedirect",
        "LOGIN_REDIRECT_URL_FAILURE": "/accounts/login/?failed=oidc",
    }


def sign_in_settings() -> dict:
    """The authentication backends, in order, with the directory's and the provider's settings."""
    local_login = env_bool("LOCAL_LOGIN", True)
    backends = [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend" if local_login else "accounts.backends.BreakGlassBackend",
    ]
    found = {**ldap_settings(), **oidc_settings(), "LOCAL_LOGIN": local_login, "LDAP_ROLE_GROUPS": role_groups()}
    if env_str("LDAP_SERVER_URI", ""):
        backends.append(LDAP_BACKEND)
    if found["OIDC_ISSUER"]:
        backends.append("accounts.oidc.OIDCBackend")
    # A directory account's session asks the directory again after this long (accounts.directory_check).
    found["DIRECTORY_RECHECK_MINUTES"] = env_float("DIRECTORY_RECHECK_MINUTES", 5.0, minimum=0)
    return {**found, "AUTHENTICATION_BACKENDS": backends}
