"""English: Django's formats, each time with its zone (core/i18n/formats/__init__.py says why)."""

DATETIME_FORMAT = "N j, Y, P T"
SHORT_DATETIME_FORMAT = "m/d/Y P T"
