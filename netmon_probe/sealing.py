"""Assignments sealed with the probe's own key (AES-256-GCM), so Redis alone never reveals
the credentials they hold (SNMP communities, HTTP passwords).

The key is derived (HKDF-SHA256, fixed salt and info below) from the password of the
probe's own Redis user, which is in its REDIS_URL: the probe needs nothing else to open
its assignments. Redis keeps only the SHA-256 of that password (its ACL), from which the
key cannot be derived; the centre knows the password only while `probes add` runs, so it
keeps the derived key, encrypted with its SECRET_KEY, for sealing. The probe's name is
authenticated with each sealed text: one probe's assignments cannot be passed off as
another's.
"""

import base64
import json
import os
from urllib.parse import unquote, urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12
# Fixed and named, so that the probe and the centre derive the same key; a new version of
# the derivation takes new names, so that old and new keys can never be mistaken.
KEY_SALT = b"netmon-probe-sealing-key/v1"
KEY_INFO = b"netmon-probe assignments AES-256-GCM"


class Unsealable(Exception):
    """Not sealed with this key for this probe: another password in REDIS_URL, or text changed in Redis."""


def new_key() -> str:
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()


def key_from_password(password: str) -> str:
    """The sealing key of the probe whose Redis user has this password."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=KEY_SALT, info=KEY_INFO).derive(password.encode())
    return base64.urlsafe_b64encode(derived).decode()


def key_from_url(redis_url: str) -> str:
    """The sealing key of the probe that connects with this URL (its password, empty when it has none)."""
    try:
        password = urlsplit(redis_url).password
    except ValueError:
        password = None
    return key_from_password(unquote(password or ""))


def _cipher(key: str) -> AESGCM:
    try:
        return AESGCM(base64.urlsafe_b64decode(key.encode()))
    except ValueError as error:
        raise Unsealable(f"not a sealing key: {error}") from None


def seal(key: str, name: str, document: dict) -> str:
    nonce = os.urandom(NONCE_BYTES)
    text = json.dumps(document, separators=(",", ":")).encode()
    return base64.b64encode(nonce + _cipher(key).encrypt(nonce, text, name.encode())).decode()


def unseal(key: str, name: str, sealed: bytes | str) -> dict:
    try:
        raw = base64.b64decode(sealed, validate=True)
        text = _cipher(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], name.encode())
    except (ValueError, InvalidTag):
        raise Unsealable("the assignments are not sealed with the key of the password in REDIS_URL") from None
    return json.loads(text)
