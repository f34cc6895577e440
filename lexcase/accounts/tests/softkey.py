"""A software security key for tests: answers WebAuthn ceremonies as a browser and an
authenticator would (attestation "none", ES256), from the options allauth gives the page.
The browser test (tests/e2e/test_webauthn.py) uses Chromium's virtual authenticator.
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2 import cbor
from fido2.cose import ES256
from fido2.utils import sha256, websafe_encode

UP, UV, AT = 0x01, 0x04, 0x40  # flags: user present, user verified, attested data


@dataclass
class SoftKey:
    origin: str = "https://testserver"
    private: Any = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    credential_id: bytes = field(default_factory=lambda: os.urandom(32))
    sign_count: int = 0

    def _client_data(self, kind: str, challenge: str) -> bytes:
        data = {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        return json.dumps(data).encode()

    def _response(self, response: dict[str, Any]) -> dict[str, Any]:
        raw_id = websafe_encode(self.credential_id)
        return {
            "id": raw_id,
            "rawId": raw_id,
            "type": "public-key",
            "authenticatorAttachment": "cross-platform",
            "clientExtensionResults": {},
            "response": response,
        }

    def create(self, creation_options: dict[str, Any]) -> dict[str, Any]:
        """navigator.credentials.create(): a new credential for the options' RP and user."""
        pk = creation_options["publicKey"]
        public = ES256.from_cryptography_key(self.private.public_key())
        attested = (
            b"\0" * 16  # AAGUID
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + cbor.encode(public)
        )
        auth_data = (
            sha256(pk["rp"]["id"].encode()) + bytes([UP | UV | AT]) + struct.pack(">I", 0)
        ) + attested
        attestation = cbor.encode({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", pk["challenge"])
        return self._response(
            {
                "clientDataJSON": websafe_encode(client_data),
                "attestationObject": websafe_encode(attestation),
                "transports": ["usb"],
            }
        )

    def get(self, request_options: dict[str, Any], *, rp_id: str = "testserver") -> dict[str, Any]:
        """navigator.credentials.get(): an assertion over the options' challenge."""
        pk = request_options["publicKey"]
        self.sign_count += 1
        auth_data = (
            sha256(pk.get("rpId", rp_id).encode())
            + bytes([UP | UV])
            + struct.pack(">I", self.sign_count)
        )
        client_data = self._client_data("webauthn.get", pk["challenge"])
        signature = self.private.sign(auth_data + sha256(client_data), ec.ECDSA(hashes.SHA256()))
        return self._response(
            {
                "clientDataJSON": websafe_encode(client_data),
                "authenticatorData": websafe_encode(auth_data),
                "signature": websafe_encode(signature),
                "userHandle": None,
            }
        )
