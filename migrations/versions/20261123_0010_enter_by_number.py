"""one round trip from a called number to its business and profile version

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 00:20:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | tuple[str, ...] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every Twilio webhook starts here, and it used to take four statements (open the number
    # lookup, read the number, close the lookup, set the tenant) plus one for the profile:
    # each a round trip and, in Python, most of the webhook's CPU. This is the same sequence in
    # one call. SECURITY INVOKER (the default): it runs as the app role, so the narrow
    # lookup_by_number policy and then the tenant policy decide what it may read, exactly as
    # the separate statements did. The profile's revision (its version and the row's xmin, the
    # id of the transaction that wrote it) lets the caller reuse a profile it has already
    # validated: xmin differs for every committed write, also for two concurrent saves of the
    # same version number and after a rolled-back one, so a revision never names two contents.
    op.execute(
        """
        CREATE FUNCTION tradeline_enter_by_number(number text)
        RETURNS TABLE (org_id uuid, profile_revision text)
        LANGUAGE plpgsql VOLATILE AS $$
        DECLARE
            found uuid;
        BEGIN
            PERFORM set_config('app.lookup_number', number, true);
            SELECT p.organization_id INTO found FROM phone_numbers p WHERE p.e164 = number;
            PERFORM set_config('app.lookup_number', '', true);
            IF found IS NULL THEN
                RETURN;
            END IF;
            PERFORM set_config('app.org_id', found::text, true);
            RETURN QUERY
                SELECT found, b.version || ':' || b.xmin::text
                FROM business_profiles b WHERE b.organization_id = found;
        END
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION tradeline_enter_by_number(text)")
