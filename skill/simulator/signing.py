"""A local stand-in for Alexa's request signing: for development and tests, never for production.

``LocalCertificateAuthority.create()`` makes a throwaway root CA (and by default an intermediate) at runtime;
``issue_signer()`` gives a :class:`LocalSigner` whose certificate names ``echo-api.amazon.com``, like Amazon's. The
signer signs bodies exactly as Alexa does (RSA PKCS#1 v1.5, SHA-256, base64 in ``Signature-256``) and says where
its chain "lives" (``https://s3.amazonaws.com/echo.api/voicecart-local.pem``); the verifier is then given the CA as
a trust root and a fetcher that serves that chain without the network.

For a running ``voicecart serve``: ``init_local_signer(directory)`` writes the CA, the chain, the signing key and
the chain URL; ``Settings.local_signer_dir`` pointing there makes the server trust it (and say so loudly), and
``LocalSigner.load(directory)`` lets a client (``voicecart dialog --url``) sign with it.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from skill.verification.certs import ALEXA_SIGNING_SUBJECT, CertFetcher, utc_now
from skill.verification.local import (
    CHAIN_FILE,
    DEFAULT_LOCAL_CHAIN_URL,
    KEY_FILE,
    ROOT_FILE,
    URL_FILE,
    LocalTrust,
)
from skill.verification.verifiers import SIGNATURE_CERT_CHAIN_URL_HEADER, SIGNATURE_HEADER

KEY_SIZE = 2048
CA_LIFETIME = timedelta(days=365)
SIGNER_LIFETIME = timedelta(days=30)
# Backdate a little so a clock slightly behind still sees the certificates as valid.
BACKDATE = timedelta(hours=1)


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "voicecart local development"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ca_certificate(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    *,
    issuer: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    path_length: int | None,
    now: datetime,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer_key is not key:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass(frozen=True, slots=True)
class LocalSigner:
    """Signs request bodies like Alexa; ``chain`` is leaf first, as served at ``chain_url``."""

    root: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    key: rsa.RSAPrivateKey
    chain_url: str = DEFAULT_LOCAL_CHAIN_URL

    @property
    def certificate(self) -> x509.Certificate:
        return self.chain[0]

    @property
    def trust_roots(self) -> list[x509.Certificate]:
        return [self.root]

    def chain_pem(self) -> bytes:
        return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in self.chain)

    def signature(self, body: bytes) -> str:
        return base64.b64encode(self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")

    def headers(self, body: bytes) -> dict[str, str]:
        """The two headers Alexa sends with ``body``."""
        return {SIGNATURE_CERT_CHAIN_URL_HEADER: self.chain_url, SIGNATURE_HEADER: self.signature(body)}

    def sign_envelope(self, envelope: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        """Serialise ``envelope`` and sign the exact bytes: POST the body with these headers."""
        body = json.dumps(envelope, separators=(",", ":")).encode("utf-8")
        return body, {"Content-Type": "application/json", **self.headers(body)}

    def local_trust(self) -> LocalTrust:
        return LocalTrust(root=self.root, chain_url=self.chain_url, chain_pem=self.chain_pem())

    def cert_fetcher(self, fallback: CertFetcher | None = None) -> CertFetcher:
        """A fetcher serving this signer's chain at ``chain_url``, with no network."""
        return self.local_trust().fetcher(fallback)

    def write(self, directory: Path) -> None:
        """Write what ``LocalTrust.load`` (server) and ``LocalSigner.load`` (client) read. The key is 0600."""
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        (directory / ROOT_FILE).write_bytes(self.root.public_bytes(serialization.Encoding.PEM))
        (directory / CHAIN_FILE).write_bytes(self.chain_pem())
        (directory / URL_FILE).write_text(self.chain_url + "\n", encoding="utf-8")
        key_pem = self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        key_path = directory / KEY_FILE
        descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key_pem)

    @classmethod
    def load(cls, directory: Path) -> LocalSigner:
        trust = LocalTrust.load(directory)
        key = serialization.load_pem_private_key((directory / KEY_FILE).read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{directory / KEY_FILE} is not an RSA key")
        chain = tuple(x509.load_pem_x509_certificates(trust.chain_pem))
        return cls(root=trust.root, chain=chain, key=key, chain_url=trust.chain_url)


@dataclass(frozen=True, slots=True)
class LocalCertificateAuthority:
    """A throwaway root CA (and optional intermediate) that issues Alexa-like signing certificates."""

    root: x509.Certificate
    root_key: rsa.RSAPrivateKey
    intermediate: x509.Certificate | None
    intermediate_key: rsa.RSAPrivateKey | None

    @classmethod
    def create(cls, *, with_intermediate: bool = True, now: datetime | None = None) -> LocalCertificateAuthority:
        moment = now if now is not None else utc_now()
        # A random suffix keeps two authorities made in one run distinguishable (and never mutually trusted).
        tag = secrets.token_hex(4)
        root_key = _new_key()
        root_name = _name(f"voicecart local root CA {tag}")
        root = _ca_certificate(root_name, root_key, issuer=root_name, issuer_key=root_key, path_length=1, now=moment)
        if not with_intermediate:
            return cls(root=root, root_key=root_key, intermediate=None, intermediate_key=None)
        intermediate_key = _new_key()
        intermediate = _ca_certificate(
            _name(f"voicecart local intermediate CA {tag}"),
            intermediate_key,
            issuer=root_name,
            issuer_key=root_key,
            path_length=0,
            now=moment,
        )
        return cls(root=root, root_key=root_key, intermediate=intermediate, intermediate_key=intermediate_key)

    def issue_signer(
        self,
        *,
        subject_names: Sequence[str] = (ALEXA_SIGNING_SUBJECT,),
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        chain_url: str = DEFAULT_LOCAL_CHAIN_URL,
        key: rsa.RSAPrivateKey | None = None,
    ) -> LocalSigner:
        """A signing certificate (by default valid now for 30 days) and its key; pass ``key`` to reuse one."""
        moment = utc_now()
        signing_key = key if key is not None else _new_key()
        if self.intermediate is not None and self.intermediate_key is not None:
            issuer_cert, issuer_key = self.intermediate, self.intermediate_key
        else:
            issuer_cert, issuer_key = self.root, self.root_key
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(subject_names[0] if subject_names else "voicecart local signer"))
            .issuer_name(issuer_cert.subject)
            .public_key(signing_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before if not_before is not None else moment - BACKDATE)
            .not_valid_after(not_after if not_after is not None else moment + SIGNER_LIFETIME)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=True,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                critical=False,
            )
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in subject_names]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(signing_key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
            .sign(issuer_key, hashes.SHA256())
        )
        chain = (certificate,) if self.intermediate is None else (certificate, self.intermediate)
        return LocalSigner(root=self.root, chain=chain, key=signing_key, chain_url=chain_url)


def init_local_signer(directory: Path, *, overwrite: bool = False) -> LocalSigner:
    """Make a fresh local CA + signer and write it to ``directory`` (what ``voicecart signer init`` runs)."""
    if (directory / KEY_FILE).exists() and not overwrite:
        raise FileExistsError(f"{directory} already holds a local signer")
    signer = LocalCertificateAuthority.create().issue_signer()
    signer.write(directory)
    return signer
