"""Tests for the PII vault primitives in tradeline.kit.crypto."""

from __future__ import annotations

import base64
import json
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from tradeline.kit import crypto
from tradeline.kit.crypto import (
    DecryptionError,
    KeyRing,
    KeyRingError,
    Vault,
    mask_email,
    mask_name,
    mask_phone,
    mask_text,
)

ORG = UUID("11111111-1111-4111-8111-111111111111")
OTHER_ORG = UUID("22222222-2222-4222-8222-222222222222")
ROW = UUID("33333333-3333-4333-8333-333333333333")
OTHER_ROW = UUID("44444444-4444-4444-8444-444444444444")
TABLE = "callers"
COLUMN = "phone"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def key(fill: int) -> bytes:
    return bytes([fill]) * 32


@pytest.fixture
def vault() -> Vault:
    return Vault(KeyRing.generate("k1"))


def slot(
    org_id: UUID = ORG, table: str = TABLE, row_id: UUID = ROW, column: str = COLUMN
) -> dict[str, object]:
    return {"org_id": org_id, "table": table, "row_id": row_id, "column": column}


def enc(v: Vault, plaintext: str, **overrides: object) -> bytes:
    return v.encrypt(plaintext, **slot(**overrides))  # type: ignore[arg-type]


def dec(v: Vault, blob: bytes, **overrides: object) -> str:
    return v.decrypt(blob, **slot(**overrides))  # type: ignore[arg-type]


# -- encryption ------------------------------------------------------------------


@pytest.mark.parametrize(
    "plaintext",
    ["+15145550100", "", "Zoë Tremblay-Côté", "电话 📞 ☎", "x" * 10_000, "a\x00b\nc"],
)
def test_roundtrip(vault: Vault, plaintext: str) -> None:
    blob = enc(vault, plaintext)
    assert dec(vault, blob) == plaintext


def test_blob_layout_carries_key_id_and_hides_plaintext(vault: Vault) -> None:
    plaintext = "jordan@example.com"
    blob = enc(vault, plaintext)
    assert blob[0] == 1  # version
    assert blob[1] == 2  # len("k1")
    assert blob[2:4] == b"k1"
    # header + nonce + ciphertext (same length as plaintext for GCM) + 16-byte tag
    assert len(blob) == 4 + 12 + len(plaintext.encode()) + 16
    assert plaintext.encode() not in blob
    assert vault.key_id_of(blob) == "k1"


def test_same_plaintext_encrypts_differently(vault: Vault) -> None:
    assert enc(vault, "same") != enc(vault, "same")


def test_every_single_bit_flip_is_rejected(vault: Vault) -> None:
    blob = enc(vault, "hi")
    assert dec(vault, blob) == "hi"
    for position in range(len(blob)):
        for bit in range(8):
            tampered = bytearray(blob)
            tampered[position] ^= 1 << bit
            with pytest.raises(DecryptionError):
                dec(vault, bytes(tampered))


def test_truncated_or_extended_blob_is_rejected(vault: Vault) -> None:
    blob = enc(vault, "hello")
    for length in range(len(blob)):
        with pytest.raises(DecryptionError):
            dec(vault, blob[:length])
    with pytest.raises(DecryptionError):
        dec(vault, blob + b"\x00")


def test_non_bytes_blob_is_rejected(vault: Vault) -> None:
    with pytest.raises(DecryptionError):
        dec(vault, "not bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "override",
    [
        {"org_id": OTHER_ORG},
        {"table": "contacts"},
        {"row_id": OTHER_ROW},
        {"column": "email"},
    ],
    ids=["org", "table", "row", "column"],
)
def test_associated_data_mismatch_is_rejected(vault: Vault, override: dict[str, object]) -> None:
    blob = enc(vault, "+15145550100")
    with pytest.raises(DecryptionError):
        dec(vault, blob, **override)


def test_blob_moved_to_another_row_or_org_fails(vault: Vault) -> None:
    # Simulates an attacker with DB write access copying one caller's encrypted
    # phone onto their own row (or across tenants).
    victim_blob = enc(vault, "+15145550100", row_id=ROW)
    attacker_row = uuid4()
    assert dec(vault, victim_blob, row_id=ROW) == "+15145550100"
    with pytest.raises(DecryptionError):
        dec(vault, victim_blob, row_id=attacker_row)
    with pytest.raises(DecryptionError):
        dec(vault, victim_blob, org_id=OTHER_ORG, row_id=ROW)
    # Swapping two columns of the same row fails too.
    phone = enc(vault, "+15145550100", column="phone")
    with pytest.raises(DecryptionError):
        dec(vault, phone, column="email")


def test_field_boundaries_are_unambiguous(vault: Vault) -> None:
    # Two different slots whose naive concatenation table+row+column is identical:
    # "t" + "A"*16 + "cd" == "tA" + ("A"*15 + "c") + "d". Only an unambiguous
    # encoding (length prefixes) keeps a blob from being valid in both.
    row_a = UUID(bytes=b"A" * 16)
    row_b = UUID(bytes=b"A" * 15 + b"c")
    blob = enc(vault, "secret", table="t", row_id=row_a, column="cd")
    assert dec(vault, blob, table="t", row_id=row_a, column="cd") == "secret"
    with pytest.raises(DecryptionError):
        dec(vault, blob, table="tA", row_id=row_b, column="d")


def test_header_rewritten_to_other_known_key_is_rejected() -> None:
    ring = KeyRing(keys={"k2": key(2), "k1": key(1)}, primary_id="k2", blind_index_key=key(9))
    v = Vault(ring)
    blob = enc(v, "secret")
    assert blob[2:4] == b"k2"
    forged = blob[:2] + b"k1" + blob[4:]
    with pytest.raises(DecryptionError):
        dec(v, forged)


def test_header_is_authenticated_even_when_key_material_matches() -> None:
    # Two ids sharing material (e.g. a botched copy) must still not let the key id
    # in the header be relabelled, since rotation sweeps trust it.
    ring = KeyRing(keys={"k2": key(1), "k1": key(1)}, primary_id="k2", blind_index_key=key(9))
    v = Vault(ring)
    blob = enc(v, "secret")
    with pytest.raises(DecryptionError):
        dec(v, blob[:2] + b"k1" + blob[4:])


def test_unknown_key_id_is_rejected() -> None:
    v1 = Vault(KeyRing(keys={"k1": key(1)}, primary_id="k1", blind_index_key=key(9)))
    v_other = Vault(KeyRing(keys={"k7": key(1)}, primary_id="k7", blind_index_key=key(9)))
    blob = enc(v_other, "secret")
    with pytest.raises(DecryptionError, match="unknown key id 'k7'"):
        dec(v1, blob)


def test_wrong_key_with_same_id_is_rejected() -> None:
    a = Vault(KeyRing(keys={"k1": key(1)}, primary_id="k1", blind_index_key=key(9)))
    b = Vault(KeyRing(keys={"k1": key(2)}, primary_id="k1", blind_index_key=key(9)))
    with pytest.raises(DecryptionError):
        dec(b, enc(a, "secret"))


def test_no_nonce_repeats_over_100k_encryptions(vault: Vault) -> None:
    count = 100_000
    nonce_start = 2 + len("k1")
    started = time.perf_counter()
    nonces = {
        vault.encrypt("", org_id=ORG, table=TABLE, row_id=ROW, column=COLUMN)[
            nonce_start : nonce_start + 12
        ]
        for _ in range(count)
    }
    elapsed = time.perf_counter() - started
    assert len(nonces) == count
    assert all(len(n) == 12 for n in nonces)
    assert elapsed < 10, f"100k encryptions took {elapsed:.1f}s"


def test_empty_table_or_column_is_refused(vault: Vault) -> None:
    with pytest.raises(ValueError, match="non-empty"):
        enc(vault, "x", table="")
    with pytest.raises(ValueError, match="non-empty"):
        enc(vault, "x", column="")


# -- rotation --------------------------------------------------------------------


def test_rotation_keeps_old_keys_and_switches_primary() -> None:
    ring1 = KeyRing.generate("k1")
    v1 = Vault(ring1)
    old_blob = enc(v1, "old value")

    ring2 = ring1.with_new_primary(None)
    v2 = Vault(ring2)
    assert ring2.primary_id == "k2"
    assert ring2.key_ids == ("k2", "k1")
    # The original ring is untouched: rotation returns a new object.
    assert ring1.key_ids == ("k1",)

    assert dec(v2, old_blob) == "old value"
    new_blob = enc(v2, "new value")
    assert v2.key_id_of(new_blob) == "k2"
    assert v2.key_id_of(old_blob) == "k1"
    assert v2.needs_rotation(old_blob)
    assert not v2.needs_rotation(new_blob)
    assert not v1.needs_rotation(old_blob)
    # A stale process still on ring1 cannot read new-key data.
    with pytest.raises(DecryptionError, match="unknown key id"):
        dec(v1, new_blob)
    # Blind indexes survive rotation: lookups must keep working.
    assert v1.blind_index("+15145550100", org_id=ORG, kind="phone") == v2.blind_index(
        "+15145550100", org_id=ORG, kind="phone"
    )

    ring3 = ring2.with_new_primary(None)
    assert ring3.key_ids == ("k3", "k2", "k1")
    assert dec(Vault(ring3), old_blob) == "old value"


def test_rotation_id_skips_past_highest_existing() -> None:
    ring = KeyRing(keys={"k5": key(5), "k1": key(1)}, primary_id="k5", blind_index_key=key(9))
    assert ring.with_new_primary(None).primary_id == "k6"


def test_rotation_rewrites_key_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    ring1 = KeyRing.load_or_create_file(path)
    blob = enc(Vault(ring1), "persisted")

    ring2 = ring1.with_new_primary(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    reloaded = KeyRing.load_or_create_file(path)
    assert reloaded.primary_id == "k2"
    assert reloaded.key_ids == ("k2", "k1")
    assert dec(Vault(reloaded), blob) == "persisted"
    assert dec(Vault(reloaded), enc(Vault(ring2), "fresh")) == "fresh"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keys.json"]


# -- from_env ----------------------------------------------------------------------


def test_from_env_parses_primary_first() -> None:
    ring = KeyRing.from_env(f" k2:{b64(key(2))} , k1:{b64(key(1))}", b64(key(9)))
    assert ring.primary_id == "k2"
    assert ring.key_ids == ("k2", "k1")
    blob = enc(Vault(ring), "x")
    assert blob[2:4] == b"k2"
    # Same material, fixed in a second ring, decrypts: the env form is the key.
    only_k2 = KeyRing(keys={"k2": key(2)}, primary_id="k2", blind_index_key=key(9))
    assert dec(Vault(only_k2), blob) == "x"


@pytest.mark.parametrize(
    ("value", "blind", "message"),
    [
        ("", b64(key(9)), "empty"),
        ("   ", b64(key(9)), "empty"),
        ("k1", b64(key(9)), "must look like"),
        (f"k1:{b64(key(1))},", b64(key(9)), "entry 2 is empty"),
        ("k1:not*base64!", b64(key(9)), "not valid base64"),
        (f"k1:{b64(b'short')}", b64(key(9)), "must decode to 32 bytes, got 5"),
        (f"k1:{b64(key(1) + b'x')}", b64(key(9)), "must decode to 32 bytes, got 33"),
        (f"k1:{b64(key(1))},k1:{b64(key(2))}", b64(key(9)), "duplicate key id 'k1'"),
        (f"k 1:{b64(key(1))}", b64(key(9)), "invalid key id"),
        (f":{b64(key(1))}", b64(key(9)), "invalid key id"),
        (f"k1:{b64(key(1))}", None, "blind index key is missing"),
        (f"k1:{b64(key(1))}", "", "blind index key is missing"),
        (f"k1:{b64(key(1))}", b64(b"short"), "blind index key must decode to 32 bytes"),
        (f"k1:{b64(key(1))}", "%%%", "blind index key is not valid base64"),
        (f"k1:{b64(key(1))}", b64(key(1)), "must differ"),
    ],
)
def test_from_env_errors(value: str, blind: str | None, message: str) -> None:
    with pytest.raises(KeyRingError, match=message) as excinfo:
        KeyRing.from_env(value, blind)
    assert isinstance(excinfo.value, ValueError)
    # Errors must never echo key material into logs.
    assert b64(key(1)) not in str(excinfo.value)


def test_repr_does_not_leak_keys() -> None:
    ring = KeyRing(keys={"k1": key(1)}, primary_id="k1", blind_index_key=key(9))
    text = repr(ring)
    assert "k1" in text
    assert b64(key(1)) not in text
    assert b64(key(9)) not in text


# -- key file --------------------------------------------------------------------


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    # With umask 0 a naive open()/write_text() would create the file 0666, so this
    # proves the 0600 mode comes from how the file is created, not from the umask.
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("permissive_umask")
def test_key_file_created_0600_and_reloaded_identically(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "keys.json"
    ring = KeyRing.load_or_create_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["keys.json"]

    doc = json.loads(path.read_text())
    assert set(doc) == {"primary", "keys", "blind_index_key"}
    assert doc["primary"] == "k1"
    assert set(doc["keys"]) == {"k1"}
    assert len(base64.b64decode(doc["keys"]["k1"])) == 32
    assert len(base64.b64decode(doc["blind_index_key"])) == 32
    assert doc["keys"]["k1"] != doc["blind_index_key"]

    content = path.read_bytes()
    again = KeyRing.load_or_create_file(path)
    assert path.read_bytes() == content  # loading never rewrites
    assert again.key_ids == ring.key_ids
    assert again.primary_id == ring.primary_id
    assert dec(Vault(again), enc(Vault(ring), "same keys")) == "same keys"
    assert Vault(again).blind_index("a@b.c", org_id=ORG, kind="email") == Vault(ring).blind_index(
        "a@b.c", org_id=ORG, kind="email"
    )


def test_concurrent_creation_keeps_the_first_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another process creates the key file between our "missing?" check and our
    # write. Its keys may already encrypt data, so we must adopt them, not clobber.
    path = tmp_path / "keys.json"
    winner = KeyRing.load_or_create_file(tmp_path / "winner.json")
    winner_bytes = (tmp_path / "winner.json").read_bytes()
    real_write = crypto._write_private_tmp

    def racing_write(target: Path, data: bytes) -> Path:
        tmp = real_write(target, data)
        os.replace(real_write(target, winner_bytes), target)
        return tmp

    monkeypatch.setattr(crypto, "_write_private_tmp", racing_write)
    ring = KeyRing.load_or_create_file(path)
    assert path.read_bytes() == winner_bytes
    assert dec(Vault(ring), enc(Vault(winner), "first")) == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keys.json", "winner.json"]


def test_new_key_files_have_distinct_keys(tmp_path: Path) -> None:
    a = KeyRing.load_or_create_file(tmp_path / "a.json")
    b = KeyRing.load_or_create_file(tmp_path / "b.json")
    with pytest.raises(DecryptionError):
        dec(Vault(b), enc(Vault(a), "x"))


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o660])
def test_group_or_world_accessible_key_file_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "keys.json"
    KeyRing.load_or_create_file(path)
    content = path.read_bytes()
    path.chmod(mode)
    with pytest.raises(KeyRingError, match="chmod 600"):
        KeyRing.load_or_create_file(path)
    # Refusal must not "fix" the file by regenerating keys over it.
    assert path.read_bytes() == content


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid JSON"),
        ("[]", "JSON object"),
        ('{"keys": {"k1": "AAAA"}, "blind_index_key": "AAAA"}', "'primary'"),
        ('{"primary": "k1", "keys": {}, "blind_index_key": "AAAA"}', "'keys'"),
        ('{"primary": "k1", "keys": {"k1": "AAAA"}}', "blind_index_key"),
        ('{"primary": "k1", "keys": {"k1": "AAAA"}, "blind_index_key": "AAAA"}', "32 bytes"),
    ],
)
def test_malformed_key_file_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "keys.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(content)
    with pytest.raises(KeyRingError, match=message):
        KeyRing.load_or_create_file(path)


def test_key_file_primary_must_exist(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    doc = {"primary": "k9", "keys": {"k1": b64(key(1))}, "blind_index_key": b64(key(9))}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(doc, fh)
    with pytest.raises(KeyRingError, match="primary key id 'k9'"):
        KeyRing.load_or_create_file(path)


# -- blind index -----------------------------------------------------------------


def test_blind_index_deterministic_per_org(vault: Vault) -> None:
    first = vault.blind_index("+15145550100", org_id=ORG, kind="phone")
    assert first == vault.blind_index("+15145550100", org_id=ORG, kind="phone")
    assert len(first) == 32
    assert first != vault.blind_index("+15145550101", org_id=ORG, kind="phone")


def test_blind_index_differs_across_orgs_and_kinds(vault: Vault) -> None:
    value = "+15145550100"
    by_org = vault.blind_index(value, org_id=ORG, kind="phone")
    assert by_org != vault.blind_index(value, org_id=OTHER_ORG, kind="phone")
    assert by_org != vault.blind_index(value, org_id=ORG, kind="email")


def test_blind_index_depends_on_blind_key() -> None:
    a = Vault(KeyRing(keys={"k1": key(1)}, primary_id="k1", blind_index_key=key(8)))
    b = Vault(KeyRing(keys={"k1": key(1)}, primary_id="k1", blind_index_key=key(9)))
    assert a.blind_index("a@b.c", org_id=ORG, kind="email") != b.blind_index(
        "a@b.c", org_id=ORG, kind="email"
    )


def test_blind_index_email_normalisation(vault: Vault) -> None:
    canonical = vault.blind_index("jordan@example.com", org_id=ORG, kind="email")
    for variant in ["Jordan@Example.COM", "  jordan@example.com\n", "JORDAN@EXAMPLE.COM"]:
        assert vault.blind_index(variant, org_id=ORG, kind="email") == canonical
    assert vault.blind_index("jordan2@example.com", org_id=ORG, kind="email") != canonical


@pytest.mark.parametrize(
    ("value", "kind", "message"),
    [
        ("+15145550100", "name", "unknown blind index kind"),
        ("514-555-0100", "phone", "E.164"),
        ("15145550100", "phone", "E.164"),
        ("", "phone", "E.164"),
        ("   ", "email", "non-empty"),
    ],
)
def test_blind_index_rejects_bad_input(vault: Vault, value: str, kind: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        vault.blind_index(value, org_id=ORG, kind=kind)


# -- masking ---------------------------------------------------------------------


def test_mask_phone() -> None:
    assert mask_phone("+15145551234") == "***-***-1234"
    assert mask_phone("+442071838750") == "***-***-8750"
    assert mask_phone("+1234") == "***-***-****"
    assert mask_phone("") == ""
    assert mask_phone(None) is None


def test_mask_email() -> None:
    assert mask_email("jordan@domain.com") == "j***@domain.com"
    assert mask_email("  Alex.Smith@Example.org ") == "A***@Example.org"
    assert mask_email("@domain.com") == "***@domain.com"
    assert mask_email("nodomain") == "n***"
    assert mask_email("") == ""
    assert mask_email(None) is None


def test_mask_name() -> None:
    assert mask_name("Jordan Lee") == "J*** L***"
    assert mask_name("  Zoë   Tremblay-Côté ") == "Z*** T***"
    assert mask_name("Cher") == "C***"
    assert mask_name("") == ""
    assert mask_name(None) is None


def test_mask_text() -> None:
    assert mask_text("Caller said the furnace is leaking at 12 Elm St") == "[redacted]"
    assert mask_text("") == ""
    assert mask_text(None) is None
