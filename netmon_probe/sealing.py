"""Assignments sealed with the probe's own key (AES-256-GCM), so Redis alone never reveals
the credentials they hold (SNMP communities, HTTP passwords).

The key is made by the centre when the probe is added, shown once in the probe's
environment file (PROBE_KEY) and kept by the centre encrypted with its SECRET_KEY. The
probe's name is authenticated with each sealed text: one probe's assignments cannot be
passed off as another's.
"""

import base64
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class Unsealable(Exception):
    """Not sealed with this key for this probe: a wrong PROBE_KEY, or text changed in Redis."""


def new_key() -> str:
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()


def _cipher(key: str) -> AESGCM:
    try:
        return AESGCM(base64.urlsafe_b64decode(key.encode()))
    except ValueError as error:
        raise Unsealable(f"PROBE_KEY is not a key: {error}") from None


def seal(key: str, name: str, document: dict) -> str:
    nonce = os.urandom(NONCE_BYTES)
    text = json.dumps(document, separators=(",", ":")).encode()
    return base64.b64encode(nonce + _cipher(key).encrypt(nonce, text, name.encode())).decode()


def unseal(key: str, name: str, sealed: bytes | str) -> dict:
    try:
        raw = base64.b64decode(sealed, validate=True)
        text = _cipher(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], name.encode())
    except (ValueError, InvalidTag):
        raise Unsealable("the assignments are not sealed with this probe's key (PROBE_KEY)") from None
    return json.loads(text)
