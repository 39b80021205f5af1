"""Simplified Chinese: Django's formats, each time with its zone (core/i18n/formats/__init__.py says why)."""

DATETIME_FORMAT = "Y年n月j日 H:i T"
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i T"
