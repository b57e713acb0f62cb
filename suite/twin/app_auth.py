"""The twin's side of GitHub App authentication: `POST /app/installations/{id}/access_tokens`.

The request carries the App's JWT as a bearer token. The twin checks it as GitHub does: three
base64url parts, `alg` RS256, a signature that verifies with the App's public key, `iss` the App id,
`iat` not in the future (60 s of drift allowed), `exp` in the future and at most 10 minutes after
`iat`. It then issues an installation token (`ghs_...`) that expires after `token_lifetime_s`
(virtual time; GitHub: one hour). Written apart from PyJWT, which signs the client's JWT
(suite.github.app), so a mistake in one is not mirrored by the other.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

MAX_JWT_LIFETIME_S = 600
CLOCK_DRIFT_S = 60
UNDECODABLE = "A JSON web token could not be decoded"


@dataclass(frozen=True)
class AppConfig:
    app_id: str
    installation_id: int
    public_key_pem: str
    token_lifetime_s: int = 3600

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AppConfig:
        return cls(
            app_id=str(d["app_id"]),
            installation_id=int(d["installation_id"]),
            public_key_pem=str(d["public_key_pem"]),
            token_lifetime_s=int(d.get("token_lifetime_s", 3600)),
        )


def _segment(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_problem(token: str, config: AppConfig, now: float) -> str | None:
    """Why GitHub would refuse this JWT for this App (its 401 message), or None when it is good."""
    parts = token.split(".")
    if len(parts) != 3:
        return UNDECODABLE
    try:
        header = json.loads(_segment(parts[0]))
        claims = json.loads(_segment(parts[1]))
        signature = _segment(parts[2])
    except (ValueError, binascii.Error):
        return UNDECODABLE
    if not isinstance(header, dict) or not isinstance(claims, dict) or header.get("alg") != "RS256":
        return UNDECODABLE
    key = serialization.load_pem_public_key(config.public_key_pem.encode())
    assert isinstance(key, rsa.RSAPublicKey)
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return UNDECODABLE
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or iat > now + CLOCK_DRIFT_S:
        return "'Issued at' claim ('iat') must be an Integer representing a time in the past"
    if not isinstance(exp, int) or exp <= now:
        return (
            "'Expiration time' claim ('exp') must be a numeric value representing the future time at "
            "which the assertion expires"
        )
    if exp - iat > MAX_JWT_LIFETIME_S:
        return "'Expiration time' claim ('exp') is too far in the future"
    if str(claims.get("iss")) != config.app_id:
        return "'Issuer' claim ('iss') must be an Integer"  # what GitHub says for a wrong or missing iss
    return None
