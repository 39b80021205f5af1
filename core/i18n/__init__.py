"""Languages and time zones: the languages the product is written in and the one for someone
who chose none, and time zones by IANA name."""
