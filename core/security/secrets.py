"""Secrets kept encrypted at rest: device credentials and the like.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under a key derived from
SECRETS_KEY, which defaults to SECRET_KEY. The database alone then never holds a
usable community string or password. A value that cannot be decrypted (the key was
changed) reads as empty, so the check reports bad credentials rather than crashing.
"""

import base64
import functools
import hashlib
import logging

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

logger = logging.getLogger(__name__)

PREFIX = "fernet:"  # marks an encrypted value; what is stored is never the plain text


@functools.cache
def _fernet(key: str) -> Fernet:
    digest = hashlib.sha256(b"networkmonitor secrets\0" + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    return PREFIX + _fernet(settings.SECRETS_KEY).encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        return stored  # written before encryption: encrypted on its next save
    try:
        return _fernet(settings.SECRETS_KEY).decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        logger.warning("a stored secret cannot be decrypted: SECRETS_KEY has changed since it was saved")
        return ""


class EncryptedCharField(models.TextField):
    """Plain text in Python, Fernet text in the database. Never shown back by forms or the API."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value)
