"""The tool's RSA signing keys as PEM text and their public JWKs. Pure: no Django.

A key's ``kid`` is its RFC 7638 thumbprint, so the same public key always has the same id, wherever it is served.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK

KEY_BITS = 2048
ALGORITHM = "RS256"


@dataclass(frozen=True)
class KeyPair:
    kid: str
    private_pem: str
    public_pem: str


def key_pair_generate(bits: int = KEY_BITS) -> KeyPair:
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return KeyPair(kid=public_jwk(public_pem)["kid"], private_pem=private_pem, public_pem=public_pem)


def public_jwk(public_pem: str) -> dict:
    """The public key as a JWK for signatures with RS256, its ``kid`` the key's thumbprint."""
    key = JWK.from_pem(public_pem.encode())
    jwk = json.loads(key.export_public())
    return {**jwk, "kid": key.thumbprint(), "alg": ALGORITHM, "use": "sig"}
