"""Importing leads from CSV (`tradeline leads import`, `POST /api/v1/leads/import`).

The file: UTF-8 (a BOM is fine), comma-separated, a header row naming columns in any order,
case-insensitive: `name, phone, email, company, address, job_summary, consent_basis,
consent_date`. Only `phone` or `email` is required as a column, and each row needs one of them.
Phone numbers may be national (the business's country) or international.

Marketing consent (CASL-style): a row may carry `consent_basis` — `express`,
`implied_purchase` or `implied_inquiry` — with the `consent_date` (YYYY-MM-DD) it was obtained.
Rows without it are imported with no marketing consent; implied consent that has lapsed (two
years after a purchase, six months after an inquiry) is imported without it too, with a warning.
The consent goes into the ledger dated when it was obtained, so a later STOP still wins.

Streamed: rows are read, checked and written in batches of `BATCH`, never the whole file at
once. Deduplicated through the blind indexes: a row whose phone or email is already a lead or
contact of the business, or appeared earlier in the file, is skipped and reported.

All or nothing, in the caller's transaction (inside a savepoint): a bad header, or any invalid
row, imports nothing — unless `skip_invalid`, which imports every valid row and reports the
rest. The report is exact either way: every row is checked even after the first error.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import IO, Any, Final, Literal
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.kit.phone import InvalidPhoneNumber, to_e164
from tradeline.lead import repository
from tradeline.lead.schemas import ImportIssue, ImportReport
from tradeline.models import AuditLog, ConsentRecord, Contact, Lead, Organization
from tradeline.privacy.service import Pii

COLUMNS: Final = (
    "name",
    "phone",
    "email",
    "company",
    "address",
    "job_summary",
    "consent_basis",
    "consent_date",
)
LIMITS: Final = {"name": 120, "company": 160, "address": 300, "job_summary": 5000}
BASES: Final = ("express", "implied_purchase", "implied_inquiry")
# How long implied consent lasts after the purchase or inquiry (CASL s. 10(10)).
IMPLIED_FOR: Final = {
    "implied_purchase": timedelta(days=730),
    "implied_inquiry": timedelta(days=183),
}
BATCH: Final = 500
MAX_ISSUES: Final = 10_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Progress = Callable[[int], None]
IssueKind = Literal["invalid", "duplicate", "warning"]


class _Counting(io.RawIOBase):
    """Counts the bytes read from the upload, for the progress bar."""

    def __init__(self, source: IO[bytes], progress: Progress | None) -> None:
        self.source = source
        self.progress = progress
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self.source.read(len(buffer))
        size = len(chunk)
        buffer[:size] = chunk
        self.consumed += size
        if self.progress is not None:
            self.progress(self.consumed)
        return size


@dataclass
class _Row:
    row: int
    name: str | None
    phone: str | None
    email: str | None
    summary: str | None
    address: str | None
    basis: str | None
    consent_at: datetime | None
    phone_index: bytes | None = None
    email_index: bytes | None = None


@dataclass
class _Import:
    session: AsyncSession
    pii: Pii
    org: Organization
    skip_invalid: bool
    import_id: uuid.UUID = field(default_factory=uuid.uuid4)
    report: ImportReport = field(
        default_factory=lambda: ImportReport(
            rows=0,
            imported=0,
            invalid=0,
            duplicates=0,
            marketing_consent=0,
            committed=False,
            issues=[],
        )
    )
    seen_phone: dict[bytes, int] = field(default_factory=dict)
    seen_email: dict[bytes, int] = field(default_factory=dict)
    pending: list[_Row] = field(default_factory=list)

    @property
    def fatal(self) -> bool:
        return self.report.invalid > 0 and not self.skip_invalid

    def issue(self, row: int, column: str | None, reason: str, kind: IssueKind) -> None:
        if len(self.report.issues) >= MAX_ISSUES:
            self.report.issues_truncated = True
            return
        self.report.issues.append(ImportIssue(row=row, field=column, reason=reason, kind=kind))

    # --- one row ---------------------------------------------------------------------------

    def check(self, row: int, values: dict[str, str], extra: int) -> _Row | None:
        """A clean row, or None after reporting every problem it has."""
        problems: list[tuple[str | None, str]] = []
        if extra:
            problems.append((None, f"{extra} more value(s) than the header has columns"))
        for column, limit in LIMITS.items():
            value = values.get(column, "")
            if len(value) > limit:
                problems.append((column, f"longer than {limit} characters"))
            elif _CONTROL.search(value):
                problems.append((column, "contains control characters"))
        phone = email = None
        if values.get("phone"):
            try:
                phone = to_e164(values["phone"], self.org.country)
            except InvalidPhoneNumber:
                problems.append(("phone", f"not a phone number: {values['phone'][:40]!r}"))
        if values.get("email"):
            try:
                email = validate_email(values["email"], check_deliverability=False).normalized
                email = email.lower()
            except EmailNotValidError as exc:
                problems.append(("email", str(exc)))
        if not values.get("phone") and not values.get("email"):
            problems.append((None, "a phone or an email is required"))
        basis, consent_at = self._consent(row, values, problems)
        if problems:
            self.report.invalid += 1
            for where, why in problems:
                self.issue(row, where, why, "invalid")
            return None
        summary = " — ".join(v for v in (values.get("company"), values.get("job_summary")) if v)
        return _Row(
            row=row,
            name=values.get("name") or None,
            phone=phone,
            email=email,
            summary=summary or None,
            address=values.get("address") or None,
            basis=basis,
            consent_at=consent_at,
        )

    def _consent(
        self, row: int, values: dict[str, str], problems: list[tuple[str | None, str]]
    ) -> tuple[str | None, datetime | None]:
        basis = values.get("consent_basis", "").lower() or None
        raw_date = values.get("consent_date", "")
        if basis is None:
            if raw_date:
                problems.append(("consent_date", "given without a consent_basis"))
            return None, None
        if basis not in BASES:
            problems.append(("consent_basis", f"one of {', '.join(BASES)} (or empty)"))
            return None, None
        if not raw_date:
            problems.append(("consent_date", f"required with consent_basis {basis}"))
            return None, None
        try:
            if not _DATE.match(raw_date):
                raise ValueError(raw_date)
            day = date.fromisoformat(raw_date)
        except ValueError:
            problems.append(("consent_date", f"not a YYYY-MM-DD date: {raw_date[:20]!r}"))
            return None, None
        zone = ZoneInfo(self.org.timezone)
        today = datetime.now(zone).date()
        if day > today:
            problems.append(("consent_date", "in the future"))
            return None, None
        lasts = IMPLIED_FOR.get(basis)
        if lasts is not None and day + lasts < today:
            self.issue(
                row,
                "consent_date",
                f"{basis} consent from {day} has lapsed: imported without marketing consent",
                "warning",
            )
            return None, None
        return basis, datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)

    # --- batches ---------------------------------------------------------------------------

    async def add(self, row: _Row) -> None:
        org_id = self.org.id
        row.phone_index = self.pii.phone_index(org_id, row.phone) if row.phone else None
        row.email_index = self.pii.email_index(org_id, row.email) if row.email else None
        self.pending.append(row)
        if len(self.pending) >= BATCH:
            await self.flush()

    async def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        org_id = self.org.id
        phones = await repository.known_phone_indexes(
            self.session, org_id, {r.phone_index for r in batch if r.phone_index}
        )
        emails = await repository.known_email_indexes(
            self.session, org_id, {r.email_index for r in batch if r.email_index}
        )
        accepted: list[_Row] = []
        for row in batch:
            reason = self._duplicate(row, phones, emails)
            if reason is not None:
                self.report.duplicates += 1
                self.issue(row.row, reason[0], reason[1], "duplicate")
                continue
            if row.phone_index:
                self.seen_phone[row.phone_index] = row.row
            if row.email_index:
                self.seen_email[row.email_index] = row.row
            accepted.append(row)
        if not self.fatal:
            await self._write(accepted)

    def _duplicate(
        self, row: _Row, phones: set[bytes], emails: set[bytes]
    ) -> tuple[str, str] | None:
        for column, index, known, seen in (
            ("phone", row.phone_index, phones, self.seen_phone),
            ("email", row.email_index, emails, self.seen_email),
        ):
            if index is None:
                continue
            if index in seen:
                return column, f"same {column} as row {seen[index]}"
            if index in known:
                return column, f"this {column} is already a lead or contact of the business"
        return None

    async def _write(self, rows: list[_Row]) -> None:
        if not rows:
            return
        org_id, now = self.org.id, datetime.now(UTC)
        contacts: list[dict[str, Any]] = []
        leads: list[dict[str, Any]] = []
        consents: list[dict[str, Any]] = []
        for row in rows:
            contact_id, lead_id = uuid.uuid4(), uuid.uuid4()
            contacts.append(
                {
                    "id": contact_id,
                    "organization_id": org_id,
                    "created_at": now,
                    "phone_bidx": row.phone_index,
                    "email_bidx": row.email_index,
                    **self._sealed(
                        "contacts",
                        contact_id,
                        name_enc=row.name,
                        phone_enc=row.phone,
                        email_enc=row.email,
                        address_enc=row.address,
                    ),
                }
            )
            leads.append(
                {
                    "id": lead_id,
                    "organization_id": org_id,
                    "created_at": now,
                    "contact_id": contact_id,
                    "channel": "import",
                    "caller_bidx": row.phone_index,
                    "callback_bidx": row.phone_index,
                    "emergency": False,
                    # A documented consent basis covers texts; otherwise we do not know.
                    "consent_sms": True if row.basis and row.phone else None,
                    "intent": "other",
                    "status": "new",
                    "score": 20 * bool(row.name)
                    + 20 * bool(row.phone)
                    + 20 * bool(row.summary)
                    + 10 * bool(row.address)
                    + 5 * bool(row.email),
                    **self._sealed(
                        "leads",
                        lead_id,
                        caller_number_enc=row.phone,
                        callback_number_enc=row.phone,
                        caller_name_enc=row.name,
                        email_enc=row.email,
                        job_summary_enc=row.summary,
                        address_enc=row.address,
                    ),
                }
            )
            if row.basis is not None and row.consent_at is not None:
                self.report.marketing_consent += 1
                for channel, index in (("sms", row.phone_index), ("email", row.email_index)):
                    if index is not None:
                        consents.append(
                            self._consent_row(row, row.basis, row.consent_at, channel, index, now)
                        )
        await repository.insert_rows(self.session, Contact, contacts)
        await repository.insert_rows(self.session, Lead, leads)
        await repository.insert_rows(self.session, ConsentRecord, consents)
        self.report.imported += len(rows)

    def _sealed(self, table: str, row_id: uuid.UUID, **values: str | None) -> dict[str, Any]:
        return {
            column: self.pii.seal(
                value, org_id=self.org.id, table=table, row_id=row_id, column=column
            )
            for column, value in values.items()
        }

    def _consent_row(
        self,
        row: _Row,
        basis: str,
        obtained: datetime,
        channel: str,
        index: bytes,
        now: datetime,
    ) -> dict[str, Any]:
        return {
            "id": uuid.uuid4(),
            "organization_id": self.org.id,
            "created_at": now,
            "subject_bidx": index,
            "channel": channel,
            "purpose": "marketing",
            "basis": basis,
            "granted": True,
            "source": "import",
            "wording": f"Imported: {basis} consent obtained {obtained.date()}",
            "evidence": f"import {self.import_id} row {row.row}",
            # Dated when it was obtained: a STOP recorded since then stays the latest word.
            "recorded_at": obtained,
        }


def _header(raw: list[str]) -> tuple[list[str], list[tuple[str | None, str]]]:
    names = [cell.strip().lower().replace(" ", "_") for cell in raw]
    problems: list[tuple[str | None, str]] = []
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        problems.append(
            (
                None,
                f"unknown column(s) {', '.join(repr(u) for u in unknown)}; use {', '.join(COLUMNS)}",
            )
        )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        problems.append((None, f"repeated column(s) {', '.join(repeated)}"))
    if "phone" not in names and "email" not in names:
        problems.append((None, "needs a phone or an email column"))
    return names, problems


def _lines(source: IO[bytes]) -> Iterator[str]:
    """UTF-8 lines (endings kept, as csv wants them), decoded one at a time so a bad byte is
    reported on its own row; a leading BOM is dropped."""
    first = True
    for line in source:
        text = line.decode("utf-8")
        if first:
            text, first = text.removeprefix("\ufeff"), False
        yield text


async def import_csv(
    session: AsyncSession,
    pii: Pii,
    org: Organization,
    source: IO[bytes],
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    actor_type: str = "system",
    actor_id: str | None = None,
) -> ImportReport:
    """Import `source` (a binary file object) into `org`; see the module docstring."""
    state = _Import(session=session, pii=pii, org=org, skip_invalid=skip_invalid)
    report = state.report
    lines = _lines(io.BufferedReader(_Counting(source, progress)))
    savepoint = await session.begin_nested()
    records = csv.reader(lines, strict=True)
    row, header_read = 1, False
    try:
        try:
            names, problems = _header(next(records))
        except StopIteration:
            names, problems = [], [(None, "the file is empty: it needs a header row")]
        header_read = True
        if problems:
            report.invalid += 1
            report.file_error = "the header row is not usable"
            for column, reason in problems:
                state.issue(1, column, reason, "invalid")
            await savepoint.rollback()
            return report
        for record in records:
            row += 1
            if not any(cell.strip() for cell in record):
                continue  # blank line
            report.rows += 1
            values = {name: cell.strip() for name, cell in zip(names, record, strict=False)}
            clean = state.check(row, values, max(0, len(record) - len(names)))
            if clean is not None:
                await state.add(clean)
        await state.flush()
    except (UnicodeDecodeError, csv.Error) as exc:
        # The file itself is broken from here on: fatal, whatever --skip-invalid says.
        report.invalid += 1
        reason = (
            "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else f"not valid CSV: {exc}"
        )
        state.issue(row + 1 if header_read else 1, None, reason, "invalid")
        report.file_error = f"the file is {reason}"
        state.skip_invalid = False
    report.issues.sort(key=lambda issue: issue.row)  # stable: a row's own order is kept
    if state.fatal:
        await savepoint.rollback()
        report.imported = report.marketing_consent = 0
        return report
    session.add(
        AuditLog(
            organization_id=org.id,
            actor_type=actor_type,
            actor_id=actor_id,
            action="lead.imported",
            target_type="import",
            target_id=str(state.import_id),
            data={
                "rows": report.rows,
                "imported": report.imported,
                "invalid": report.invalid,
                "duplicates": report.duplicates,
                "marketing_consent": report.marketing_consent,
            },
        )
    )
    await session.flush()
    await savepoint.commit()
    report.committed = True
    return report


def rejection(report: ImportReport, skip_flag: str) -> str:
    """One line saying why nothing was imported, and what to do."""
    if report.file_error:
        return f"nothing imported: {report.file_error} (see the report)"
    return f"nothing imported: {report.invalid} invalid row(s); fix them or use {skip_flag}"
