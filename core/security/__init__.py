"""Keeping secrets and traffic where they belong: secrets encrypted at rest, secrets redacted
from URLs, text and logs, where the server may send packets and the guard that enforces it
at every connect, and the address a request really came from behind a trusted proxy."""
