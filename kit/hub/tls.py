"""HTTPS for the room: a self-signed certificate made offline, and its fingerprint.

``servekit hub --self-signed`` makes a key and a certificate (with the ``cryptography``
package) in the hub's root-only state folder, valid for the machine's names and addresses,
and prints the certificate's SHA-256 fingerprint: the facilitator reads it out and every
browser's warning page shows the same digits, so nobody accepts an impostor's certificate.
``--ssl-cert/--ssl-key`` use a certificate the organisation already has.

Examples
--------
>>> import tempfile
>>> cert, key = make_self_signed(Path(tempfile.mkdtemp()), ["localhost", "127.0.0.1"])
>>> len(fingerprint(cert).split(":"))
32
>>> oct(key.stat().st_mode & 0o777)
'0o600'
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import socket
from pathlib import Path

__all__ = ["fingerprint", "make_self_signed", "names_for"]


def names_for(host: str) -> list[str]:
    """The names a certificate for a hub listening on ``host`` should carry: the host itself
    (unless a wildcard address), this machine's name, ``localhost`` and ``127.0.0.1``.

    Examples
    --------
    >>> names = names_for("0.0.0.0")
    >>> "0.0.0.0" in names, "localhost" in names, "127.0.0.1" in names
    (False, True, True)
    """
    names = [] if host in ("0.0.0.0", "::", "") else [host]
    for name in (socket.gethostname(), socket.getfqdn(), "localhost", "127.0.0.1"):
        if name and name not in names:
            names.append(name)
    return names


def _san(name: str):
    from cryptography import x509

    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def make_self_signed(folder: Path, names: list[str], days: int = 30) -> tuple[Path, Path]:
    """Write ``hub.key`` (mode 0600 from its first byte) and ``hub.crt`` into ``folder``: an
    EC P-256 key and a certificate for ``names`` valid ``days`` days. Returns both paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = Path(folder)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([_san(n) for n in names]), critical=False)
        # its own issuer: CA:TRUE (no further CA below it) lets a client that is given this
        # file as its trust anchor (curl --cacert, requests' verify) check the connection
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / "hub.key", folder / "hub.crt"
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    os.chmod(key_path, 0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def fingerprint(cert: Path | bytes) -> str:
    """The SHA-256 fingerprint of a PEM certificate (file or bytes), as browsers show it:
    32 upper-case hex pairs joined by colons."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    data = cert if isinstance(cert, bytes) else Path(cert).read_bytes()
    digest = x509.load_pem_x509_certificate(data).fingerprint(hashes.SHA256())
    return ":".join(f"{b:02X}" for b in digest)
