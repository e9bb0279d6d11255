"""The evidence linked to an update is part of the log: on PostgreSQL a link is added only while
its update is pending, and never removed or changed.

(The updates, evidence and pledge records themselves are guarded by django-pgtrigger triggers
declared on their models; this table is Django's own for the many-to-many field.)
"""

from django.db import migrations

from pledge_tracker.postgresql import on_postgresql

PROTECT = """
    CREATE FUNCTION commitments_evidence_link_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF (SELECT review_state FROM commitments_progressupdate
                WHERE id = NEW.progressupdate_id) = 'pending' THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'protect: evidence is attached to an update only while it is pending';
        END IF;
        RAISE EXCEPTION 'protect: an update''s evidence is part of the log; it is never removed';
    END;
    $$ LANGUAGE plpgsql;
    CREATE TRIGGER evidence_link_append_only
        BEFORE INSERT OR UPDATE OR DELETE ON commitments_progressupdate_evidence
        FOR EACH ROW EXECUTE FUNCTION commitments_evidence_link_append_only();
"""
UNPROTECT = """
    DROP TRIGGER evidence_link_append_only ON commitments_progressupdate_evidence;
    DROP FUNCTION commitments_evidence_link_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("commitments", "0007_pledge_title_six")]

    operations = [migrations.RunPython(on_postgresql(PROTECT), on_postgresql(UNPROTECT))]
