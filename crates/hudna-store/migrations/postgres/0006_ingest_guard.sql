-- The guard and the check of an optimistic ingest statement (one statement that locks,
-- checks and writes a whole batch, committed on its own: see
-- `PgStore::write_tx_pending`). Called first in that statement, it takes
-- the writers' lock, waiting at most `wait`, then checks that the audit
-- head and the last ids taken are still those the batch was worked out
-- on; if anybody else wrote since, it raises SQLSTATE HU409 and nothing of
-- the statement is kept. VOLATILE: its reads see what committed up to the
-- moment they run, after the lock. The rest of the statement reads its
-- own snapshot, taken as it began, maybe before a writer it then waited
-- for committed: `seen_id`, the head's id in that snapshot, must be the
-- expected one too.
CREATE FUNCTION hudna_ingest_guard(lock_key BIGINT, wait TEXT, head_id BIGINT, head_hash TEXT,
                                   last_report BIGINT, last_event BIGINT, last_incident BIGINT,
                                   seen_id BIGINT)
RETURNS BOOLEAN LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    h_id BIGINT;
    h_hash TEXT;
BEGIN
    PERFORM set_config('lock_timeout', wait, true);
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT id, hash INTO h_id, h_hash FROM audit_log ORDER BY id DESC LIMIT 1;
    IF h_id IS DISTINCT FROM head_id OR seen_id IS DISTINCT FROM head_id OR h_hash IS DISTINCT FROM head_hash
       OR COALESCE(pg_sequence_last_value(pg_get_serial_sequence('reports', 'id')::regclass), 0) <> last_report
       OR COALESCE(pg_sequence_last_value(pg_get_serial_sequence('events', 'id')::regclass), 0) <> last_event
       OR COALESCE(pg_sequence_last_value(pg_get_serial_sequence('incidents', 'id')::regclass), 0) <> last_incident
    THEN
        RAISE EXCEPTION 'the store moved on since the batch was worked out (audit head %, expected %)',
            h_id, head_id USING ERRCODE = 'HU409';
    END IF;
    RETURN TRUE;
END
$$;

-- Fails the optimistic statement (SQLSTATE HU409) unless `ok`.
CREATE FUNCTION hudna_ingest_check(ok BOOLEAN, what TEXT)
RETURNS BOOLEAN LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION '%', what USING ERRCODE = 'HU409';
    END IF;
    RETURN TRUE;
END
$$;
