"""The languages the product is written in (settings.LANGUAGES) and the one for someone who chose none."""

from django.conf import settings

LANGUAGE_CODES = frozenset(code for code, _ in settings.LANGUAGES)


def supported(code: str | None) -> str:
    """`code` when the product speaks it, else LANGUAGE_CODE."""
    return code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE


def languages_of(user_ids) -> dict[int, str]:
    """Each user's language for what they are sent, not reading a page: the one on their
    profile (accounts.Preferences, through the user model's `preferences` relation), else
    LANGUAGE_CODE."""
    from django.contrib.auth import get_user_model

    rows = get_user_model().objects.filter(pk__in=list(user_ids)).values_list("pk", "preferences__language")
    return {pk: supported(language) for pk, language in rows}
