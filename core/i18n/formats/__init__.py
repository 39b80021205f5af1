"""Date formats that name the time zone (settings.FORMAT_MODULE_PATH).

Django's own formats print a time without its zone, so an admin page's "Dec. 6, 2026, 8:30 p.m."
could be UTC or the reader's zone. These are Django's formats with the zone (the `T` of the
date filter: "CET", "UTC", "+08") appended; every other format stays Django's."""
# TIME_FORMAT stays Django's: a time of day alone (an on-call hand-over) may be in a zone of its own.
