"""PII vault primitives: versioned keys, field encryption, blind indexes and masking.

This module is deliberately domain-free: it knows nothing about calls, callers or
organisations beyond the opaque UUIDs it binds ciphertexts to. Storage code decides
which columns are encrypted; this module only guarantees that

* every encrypted value is AES-256-GCM with a fresh random 96-bit nonce,
* a ciphertext only decrypts in the exact (org, table, row, column) slot it was
  written for, so a copied or swapped blob fails loudly instead of leaking,
* the key that encrypted a value is recorded inside the blob, so keys can be
  rotated without a flag day,
* equality lookups (find caller by phone) go through a keyed, per-tenant blind
  index rather than plaintext or an unkeyed hash.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final, overload
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "BLIND_INDEX_KINDS",
    "DecryptionError",
    "KeyRing",
    "KeyRingError",
    "Vault",
    "mask_email",
    "mask_name",
    "mask_phone",
    "mask_text",
]

KEY_BYTES: Final = 32
"""Length of every AES-256 key and of the HMAC blind-index key."""

NONCE_BYTES: Final = 12
"""96-bit GCM nonce: the size GCM is designed for (no GHASH-derived counter)."""

TAG_BYTES: Final = 16

BLOB_VERSION: Final = 1
"""First byte of every blob, so the format can evolve without guessing."""

BLIND_INDEX_KINDS: Final = frozenset({"phone", "email"})
"""Value kinds :meth:`Vault.blind_index` knows how to normalise."""

# Key ids end up in env vars ("k2:...,k1:...") and inside every blob (length in
# one byte), so keep them short and free of the separators we parse on.
_KEY_ID_RE: Final = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_GENERATED_ID_RE: Final = re.compile(r"k([0-9]+)")
_E164_RE: Final = re.compile(r"\+[1-9][0-9]{1,14}")

# Domain-separation labels: they make a vault ciphertext's associated data and a
# blind-index input impossible to confuse with any other use of the same keys.
_AD_LABEL: Final = b"tradeline.vault.ad.v1"
_BLIND_LABEL: Final = b"tradeline.vault.blind.v1"


class KeyRingError(ValueError):
    """Key material is missing, malformed or stored unsafely."""


class DecryptionError(Exception):
    """A blob could not be authenticated and decrypted.

    Raised for tampering, truncation, an unknown key id, or a blob presented for
    a different org/table/row/column than it was written for. Callers must treat
    this as "value unavailable", never fall back to the raw bytes.
    """


def _lp(data: bytes) -> bytes:
    """Length-prefix ``data`` (4-byte big-endian) so concatenated fields stay unambiguous."""
    return len(data).to_bytes(4, "big") + data


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _decode_key(encoded: str, *, what: str) -> bytes:
    """Decode a base64 key and check its length; never echo key material in errors."""
    try:
        raw = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyRingError(f"{what} is not valid base64") from None
    if len(raw) != KEY_BYTES:
        raise KeyRingError(f"{what} must decode to {KEY_BYTES} bytes, got {len(raw)}")
    return raw


def _check_key_id(key_id: str) -> None:
    if not _KEY_ID_RE.fullmatch(key_id):
        raise KeyRingError(f"invalid key id {key_id!r}: use 1-32 characters from A-Z a-z 0-9 _ . -")


def _fsync_dir(directory: Path) -> None:
    """Persist a rename in ``directory``; best effort where directories can't be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_private_tmp(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new 0600 temp file beside ``path`` and return its path.

    The file is created with mode 0600 by ``os.open`` itself, so there is no window
    in which it is readable by anyone else (a later chmod would leave one); the
    umask can only remove permission bits, never add them.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    os.close(fd)
    return tmp


class KeyRing:
    """Versioned AES-256 encryption keys plus a separate HMAC blind-index key.

    The primary key encrypts new values; every key in the ring decrypts. Instances
    are immutable: rotation returns a new ring. ``repr`` never shows key material.
    """

    __slots__ = ("_aeads", "_blind_index_key", "_keys", "_primary_id")

    def __init__(
        self,
        *,
        keys: Mapping[str, bytes] | Iterable[tuple[str, bytes]],
        primary_id: str,
        blind_index_key: bytes,
    ) -> None:
        """Build a ring from raw keys.

        ``keys`` maps key id to 32 raw bytes; ``primary_id`` must be one of them.
        Prefer :meth:`from_env` or :meth:`load_or_create_file` in application code.
        """
        pairs = list(keys.items()) if isinstance(keys, Mapping) else list(keys)
        if not pairs:
            raise KeyRingError("key ring needs at least one encryption key")
        ordered: dict[str, bytes] = {}
        for key_id, key in pairs:
            _check_key_id(key_id)
            if key_id in ordered:
                raise KeyRingError(f"duplicate key id {key_id!r}")
            if len(key) != KEY_BYTES:
                raise KeyRingError(f"key {key_id!r} must be {KEY_BYTES} bytes, got {len(key)}")
            ordered[key_id] = bytes(key)
        if primary_id not in ordered:
            raise KeyRingError(f"primary key id {primary_id!r} is not in the key ring")
        if len(blind_index_key) != KEY_BYTES:
            raise KeyRingError(
                f"blind index key must be {KEY_BYTES} bytes, got {len(blind_index_key)}"
            )
        # Reusing an encryption key as the HMAC key would couple two primitives'
        # security; it only happens by copy-paste mistake, so refuse it.
        if any(hmac.compare_digest(blind_index_key, k) for k in ordered.values()):
            raise KeyRingError("blind index key must differ from every encryption key")

        # Primary first, so key_ids (and persisted files) read in priority order.
        self._keys: dict[str, bytes] = {primary_id: ordered[primary_id]}
        self._keys.update((k, v) for k, v in ordered.items() if k != primary_id)
        self._primary_id = primary_id
        self._blind_index_key = bytes(blind_index_key)
        # Build the AEAD objects once; a vault may encrypt thousands of fields.
        self._aeads = {k: AESGCM(v) for k, v in self._keys.items()}

    def __repr__(self) -> str:
        return f"KeyRing(primary_id={self._primary_id!r}, key_ids={self.key_ids!r})"

    @property
    def primary_id(self) -> str:
        """Id of the key used for new encryptions."""
        return self._primary_id

    @property
    def key_ids(self) -> tuple[str, ...]:
        """All key ids, primary first."""
        return tuple(self._keys)

    # -- constructors ---------------------------------------------------------

    @classmethod
    def generate(cls, key_id: str = "k1") -> KeyRing:
        """Return a ring with one fresh random key and a fresh blind-index key."""
        return cls(
            keys={key_id: AESGCM.generate_key(bit_length=256)},
            primary_id=key_id,
            blind_index_key=os.urandom(KEY_BYTES),
        )

    @classmethod
    def from_env(cls, value: str, blind_index_key: str | None) -> KeyRing:
        """Parse keys from environment-variable form.

        ``value`` is ``"k2:<base64 32 bytes>,k1:<base64 32 bytes>"``; the first entry
        is the primary key. ``blind_index_key`` is base64 of 32 bytes and required,
        because a ring without it could encrypt but never look anything up.
        """
        if not value or not value.strip():
            raise KeyRingError("encryption keys are empty; expected 'k1:<base64 32 bytes>'")
        pairs: list[tuple[str, bytes]] = []
        seen: set[str] = set()
        for position, entry in enumerate(value.split(","), start=1):
            entry = entry.strip()
            if not entry:
                raise KeyRingError(f"encryption key entry {position} is empty")
            key_id, sep, encoded = entry.partition(":")
            key_id = key_id.strip()
            if not sep:
                raise KeyRingError(
                    f"encryption key entry {position} must look like '<id>:<base64>'"
                )
            _check_key_id(key_id)
            if key_id in seen:
                raise KeyRingError(f"duplicate key id {key_id!r}")
            seen.add(key_id)
            pairs.append((key_id, _decode_key(encoded, what=f"key {key_id!r}")))
        if blind_index_key is None or not blind_index_key.strip():
            raise KeyRingError("blind index key is missing; expected base64 of 32 bytes")
        return cls(
            keys=pairs,
            primary_id=pairs[0][0],
            blind_index_key=_decode_key(blind_index_key, what="blind index key"),
        )

    @classmethod
    def load_or_create_file(cls, path: Path) -> KeyRing:
        """Load development keys from ``path``, creating them on first use.

        The file is JSON ``{"primary", "keys", "blind_index_key"}`` with mode 0600.
        A file any group or other user can access is refused rather than silently
        fixed: it may already have leaked, and the operator should know.
        """
        try:
            return cls._load_file(path)
        except FileNotFoundError:
            pass
        ring = cls.generate("k1")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = _write_private_tmp(path, ring._to_file_bytes())
        try:
            # link() refuses to overwrite, unlike replace(): if another process
            # created the file meanwhile, its keys may already be in use, so keep them.
            os.link(tmp, path)
        except FileExistsError:
            return cls._load_file(path)
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
        _fsync_dir(path.parent)
        return ring

    @classmethod
    def _load_file(cls, path: Path) -> KeyRing:
        # Open first and fstat the descriptor, so the mode we check is the mode of
        # the file we actually read (no swap between check and use).
        fd = os.open(path, os.O_RDONLY)
        with os.fdopen(fd, "rb") as fh:
            mode = stat.S_IMODE(os.fstat(fh.fileno()).st_mode)
            if os.name == "posix" and mode & 0o077:
                raise KeyRingError(
                    f"refusing key file {path}: mode {mode:04o} is accessible to "
                    f"group/others; run 'chmod 600 {path}' and consider rotating keys"
                )
            raw = fh.read()
        try:
            doc = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise KeyRingError(f"key file {path} is not valid JSON") from None
        if not isinstance(doc, dict):
            raise KeyRingError(f"key file {path} must contain a JSON object")
        primary = doc.get("primary")
        keys = doc.get("keys")
        blind = doc.get("blind_index_key")
        if not isinstance(primary, str):
            raise KeyRingError(f"key file {path}: 'primary' must be a key id string")
        if not isinstance(keys, dict) or not keys:
            raise KeyRingError(f"key file {path}: 'keys' must be a non-empty object")
        if not isinstance(blind, str):
            raise KeyRingError(f"key file {path}: 'blind_index_key' is missing")
        pairs: list[tuple[str, bytes]] = []
        for key_id, encoded in keys.items():
            if not isinstance(encoded, str):
                raise KeyRingError(f"key file {path}: key {key_id!r} must be a base64 string")
            pairs.append((key_id, _decode_key(encoded, what=f"key {key_id!r} in {path}")))
        return cls(
            keys=pairs,
            primary_id=primary,
            blind_index_key=_decode_key(blind, what=f"blind index key in {path}"),
        )

    # -- rotation -------------------------------------------------------------

    def with_new_primary(self, path: Path | None) -> KeyRing:
        """Return a ring with a fresh primary key ``k<N+1>``, keeping all old keys.

        ``N`` is the highest existing ``k<number>`` id (so a retired id is never
        reused). If ``path`` is given the key file is atomically rewritten (0600)
        before the new ring is returned, so nothing can encrypt with a key that
        was not persisted.
        """
        highest = 0
        for key_id in self._keys:
            match = _GENERATED_ID_RE.fullmatch(key_id)
            if match:
                highest = max(highest, int(match.group(1)))
        new_id = f"k{highest + 1}"
        ring = KeyRing(
            keys=[(new_id, AESGCM.generate_key(bit_length=256)), *self._keys.items()],
            primary_id=new_id,
            blind_index_key=self._blind_index_key,
        )
        if path is not None:
            tmp = _write_private_tmp(path, ring._to_file_bytes())
            try:
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise
            _fsync_dir(path.parent)
        return ring

    def _to_file_bytes(self) -> bytes:
        doc = {
            "primary": self._primary_id,
            "keys": {k: _b64(v) for k, v in self._keys.items()},
            "blind_index_key": _b64(self._blind_index_key),
        }
        return (json.dumps(doc, indent=2) + "\n").encode("ascii")

    # -- used by Vault --------------------------------------------------------

    def _aead(self, key_id: str) -> AESGCM | None:
        return self._aeads.get(key_id)


class Vault:
    """Encrypts, decrypts and blind-indexes PII fields with a :class:`KeyRing`.

    Blob layout (all lengths in bytes)::

        version (1) | key id length (1) | key id (n) | nonce (12) | ciphertext + tag (16)

    The header (version and key id) is authenticated along with the field's
    location, so it cannot be altered to steer decryption to another key.
    """

    __slots__ = ("_keyring",)

    def __init__(self, keyring: KeyRing) -> None:
        """Wrap ``keyring``; the vault holds no other state."""
        self._keyring = keyring

    @property
    def keyring(self) -> KeyRing:
        """The key ring this vault uses."""
        return self._keyring

    @staticmethod
    def _header(key_id: str) -> bytes:
        kid = key_id.encode("ascii")
        return bytes((BLOB_VERSION, len(kid))) + kid

    @staticmethod
    def _associated_data(
        header: bytes, org_id: UUID, table: str, row_id: UUID, column: str
    ) -> bytes:
        # Every field is length-prefixed: with plain concatenation ("ab"+"c" ==
        # "a"+"bc") a blob could be valid for two different table/column pairs.
        return b"".join(
            (
                _lp(_AD_LABEL),
                _lp(header),
                _lp(org_id.bytes),
                _lp(table.encode("utf-8")),
                _lp(row_id.bytes),
                _lp(column.encode("utf-8")),
            )
        )

    @staticmethod
    def _parse(blob: bytes) -> tuple[bytes, str, bytes, bytes]:
        """Split ``blob`` into (header, key id, nonce, ciphertext+tag); unauthenticated."""
        if not isinstance(blob, bytes):
            raise DecryptionError(f"expected bytes, got {type(blob).__name__}")
        if len(blob) < 2:
            raise DecryptionError("blob is truncated")
        if blob[0] != BLOB_VERSION:
            raise DecryptionError(f"unsupported blob version {blob[0]}")
        kid_len = blob[1]
        header_end = 2 + kid_len
        if kid_len == 0 or len(blob) < header_end + NONCE_BYTES + TAG_BYTES:
            raise DecryptionError("blob is truncated")
        try:
            key_id = blob[2:header_end].decode("ascii")
        except UnicodeDecodeError:
            raise DecryptionError("blob has a malformed key id") from None
        nonce = blob[header_end : header_end + NONCE_BYTES]
        return blob[:header_end], key_id, nonce, blob[header_end + NONCE_BYTES :]

    def encrypt(
        self, plaintext: str, *, org_id: UUID, table: str, row_id: UUID, column: str
    ) -> bytes:
        """Encrypt ``plaintext`` for one (org, table, row, column) slot with the primary key."""
        if not table or not column:
            raise ValueError("table and column must be non-empty")
        key_id = self._keyring.primary_id
        aead = self._keyring._aead(key_id)
        if aead is None:  # pragma: no cover - KeyRing.__init__ guarantees the primary exists
            raise KeyRingError(f"primary key {key_id!r} is missing from the key ring")
        header = self._header(key_id)
        # A fresh random nonce per call: 2**-32 collision bound holds for far more
        # encryptions per key than one tenant database will ever perform.
        nonce = os.urandom(NONCE_BYTES)
        ad = self._associated_data(header, org_id, table, row_id, column)
        return header + nonce + aead.encrypt(nonce, plaintext.encode("utf-8"), ad)

    def decrypt(self, blob: bytes, *, org_id: UUID, table: str, row_id: UUID, column: str) -> str:
        """Authenticate and decrypt ``blob`` for the slot it claims to belong to.

        Raises :class:`DecryptionError` on any tampering, truncation, unknown key
        or mismatched org/table/row/column; never returns unauthenticated data.
        """
        header, key_id, nonce, sealed = self._parse(blob)
        aead = self._keyring._aead(key_id)
        if aead is None:
            raise DecryptionError(f"blob is encrypted with unknown key id {key_id!r}")
        ad = self._associated_data(header, org_id, table, row_id, column)
        try:
            plaintext = aead.decrypt(nonce, sealed, ad)
        except InvalidTag:
            raise DecryptionError(
                "blob failed authentication (tampered, or wrong org/table/row/column)"
            ) from None
        try:
            return plaintext.decode("utf-8")
        except UnicodeDecodeError:  # pragma: no cover - authenticated data we wrote ourselves
            raise DecryptionError("decrypted value is not UTF-8") from None

    def key_id_of(self, blob: bytes) -> str:
        """Return the key id recorded in ``blob``'s header (not authenticated).

        Intended for rotation sweeps; the id is only trusted once :meth:`decrypt`
        succeeds. Raises :class:`DecryptionError` if the header is malformed.
        """
        return self._parse(blob)[1]

    def needs_rotation(self, blob: bytes) -> bool:
        """True when ``blob`` was not encrypted with the current primary key."""
        return self.key_id_of(blob) != self._keyring.primary_id

    def blind_index(self, value: str, *, org_id: UUID, kind: str) -> bytes:
        """Return a 32-byte keyed index for equality lookups of ``value``.

        HMAC-SHA256 over (kind, org, normalised value). The org is mixed in so the
        same phone number indexes differently per tenant: indexes can't be joined
        across tenants to learn that two orgs share a customer. Kinds: ``"phone"``
        (must already be E.164, e.g. ``"+15145550100"``) and ``"email"``
        (whitespace-stripped, lower-cased).
        """
        if kind == "phone":
            normalized = value.strip()
            # Refuse rather than normalise: a second, different normaliser here
            # would silently produce indexes that never match the stored ones.
            if not _E164_RE.fullmatch(normalized):
                raise ValueError("phone blind index requires an E.164 number like +15145550100")
        elif kind == "email":
            normalized = value.strip().lower()
            if not normalized:
                raise ValueError("email blind index requires a non-empty value")
        else:
            raise ValueError(
                f"unknown blind index kind {kind!r}; expected one of {sorted(BLIND_INDEX_KINDS)}"
            )
        message = b"".join(
            (
                _lp(_BLIND_LABEL),
                _lp(kind.encode("ascii")),
                _lp(org_id.bytes),
                _lp(normalized.encode("utf-8")),
            )
        )
        return hmac.new(self._keyring._blind_index_key, message, hashlib.sha256).digest()


# -- masking -------------------------------------------------------------------
# Masks are for display to roles that may know a record exists but not its PII.
# They reveal just enough to disambiguate (last 4 digits, initials) and nothing
# that helps reconstruct the value.

_MASK: Final = "***"


@overload
def mask_phone(e164: str) -> str: ...
@overload
def mask_phone(e164: None) -> None: ...
@overload
def mask_phone(e164: str | None) -> str | None: ...
def mask_phone(e164: str | None) -> str | None:
    """Mask a phone number to its last four digits: ``"+15145550123"`` → ``"***-***-0123"``."""
    if e164 is None:
        return None
    digits = "".join(ch for ch in e164 if ch.isdigit())
    if not digits:
        return ""
    # Too short to hide anything while showing four digits: show none.
    tail = digits[-4:] if len(digits) > 4 else "****"
    return f"***-***-{tail}"


@overload
def mask_email(email: str) -> str: ...
@overload
def mask_email(email: None) -> None: ...
@overload
def mask_email(email: str | None) -> str | None: ...
def mask_email(email: str | None) -> str | None:
    """Mask an email's local part: ``"jordan@example.com"`` → ``"j***@example.com"``."""
    if email is None:
        return None
    email = email.strip()
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if not at:
        # Not an address at all; treat the whole thing as a local part.
        return email[0] + _MASK
    return f"{local[:1]}{_MASK}@{domain}"


@overload
def mask_name(name: str) -> str: ...
@overload
def mask_name(name: None) -> None: ...
@overload
def mask_name(name: str | None) -> str | None: ...
def mask_name(name: str | None) -> str | None:
    """Reduce a name to initials: ``"Jordan Lee"`` → ``"J*** L***"``."""
    if name is None:
        return None
    return " ".join(word[0] + _MASK for word in name.split())


@overload
def mask_text(text: str) -> str: ...
@overload
def mask_text(text: None) -> None: ...
@overload
def mask_text(text: str | None) -> str | None: ...
def mask_text(text: str | None) -> str | None:
    """Hide free text (notes, transcripts) entirely: non-empty → ``"[redacted]"``."""
    if text is None:
        return None
    return "[redacted]" if text else ""
