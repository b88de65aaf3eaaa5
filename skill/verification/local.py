"""Trusting a local development signer (written by ``voicecart signer init``; see ``skill.simulator.signing``).

The directory holds the throwaway root CA, the chain Alexa would serve, and the chain URL the signer puts in its
requests. Trusting it adds that root and serves that one URL from disk; every other URL is fetched as usual.
Never configure this in production: anyone holding the directory's key can sign requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from skill.verification.certs import CertFetcher
from skill.verification.url import canonical_cert_url

ROOT_FILE = "ca.pem"
CHAIN_FILE = "chain.pem"
KEY_FILE = "signing-key.pem"
URL_FILE = "chain-url.txt"
DEFAULT_LOCAL_CHAIN_URL = "https://s3.amazonaws.com/echo.api/voicecart-local.pem"


@dataclass(frozen=True, slots=True)
class LocalTrust:
    root: x509.Certificate
    chain_url: str
    chain_pem: bytes

    @classmethod
    def load(cls, directory: Path) -> LocalTrust:
        root = x509.load_pem_x509_certificate((directory / ROOT_FILE).read_bytes())
        chain_url = canonical_cert_url((directory / URL_FILE).read_text(encoding="utf-8").strip())
        return cls(root=root, chain_url=chain_url, chain_pem=(directory / CHAIN_FILE).read_bytes())

    def fetcher(self, fallback: CertFetcher | None = None) -> CertFetcher:
        """Serve the local chain for its URL; hand any other URL to ``fallback`` (or refuse)."""

        def fetch(url: str) -> bytes:
            if url == self.chain_url:
                return self.chain_pem
            if fallback is None:
                raise OSError("no certificate chain is served at this URL")
            return fallback(url)

        return fetch
