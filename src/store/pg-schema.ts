/**
 * The PostgreSQL store's schema, as numbered migrations applied in order by
 * `payctl store init` (each in its own transaction, recorded in
 * payctl_schema; running it again applies only what is missing).
 *
 * - payctl_incidents: one row per incident, with its head (how many events,
 *   the hash of the last one's line; a trigger lets it only move forward),
 *   its listed state (incident list: listed.ts; its status and run also as
 *   columns, with indexes on the open, the unended and the unlisted
 *   incidents) and its replayed state (latest()); payctl_incident_count
 *   keeps their number (a trigger);
 * - payctl_events: one row per event, its line exactly as hashed. Append-only:
 *   a trigger refuses UPDATE, DELETE and TRUNCATE, and another checks each new
 *   event against the incident's recorded head (next seq, prev = head hash)
 *   and moves the head in the same transaction;
 * - payctl_lock_holders: who holds a run or routing lock (the locks themselves
 *   are advisory locks, which die with their session), for the refusal message;
 * - payctl_derived: values derived from an incident's events (Store.eachDerived),
 *   each with the head count it was derived at: used only while the head has
 *   not moved (the events are append-only, so the same count is the same events).
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'incidents, append-only events with their head checked, lock holders',
    sql: `
CREATE TABLE payctl_incidents (
  id          text PRIMARY KEY,
  created_at  timestamptz NOT NULL DEFAULT now(),
  head_count  integer NOT NULL DEFAULT 0,
  head_hash   text NOT NULL DEFAULT repeat('0', 64),
  listed      jsonb,
  state       jsonb
);

CREATE TABLE payctl_events (
  incident_id text NOT NULL REFERENCES payctl_incidents (id),
  seq         integer NOT NULL,
  prev        text NOT NULL,
  line        text NOT NULL,
  stored_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, seq)
);

CREATE FUNCTION payctl_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'payctl_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER payctl_events_no_update BEFORE UPDATE OR DELETE ON payctl_events
  FOR EACH ROW EXECUTE FUNCTION payctl_events_append_only();
CREATE TRIGGER payctl_events_no_truncate BEFORE TRUNCATE ON payctl_events
  FOR EACH STATEMENT EXECUTE FUNCTION payctl_events_append_only();

CREATE FUNCTION payctl_events_continue_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  c integer;
  h text;
BEGIN
  SELECT head_count, head_hash INTO c, h FROM payctl_incidents WHERE id = NEW.incident_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no incident %', NEW.incident_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF NEW.seq <> c + 1 OR NEW.prev <> h THEN
    RAISE EXCEPTION 'event % of incident % does not continue its head (% events, last %)', NEW.seq, NEW.incident_id, c, h
      USING ERRCODE = 'serialization_failure';
  END IF;
  UPDATE payctl_incidents
     SET head_count = NEW.seq, head_hash = encode(sha256(convert_to(NEW.line, 'UTF8')), 'hex')
   WHERE id = NEW.incident_id;
  RETURN NEW;
END $$;

CREATE TRIGGER payctl_events_continue_head BEFORE INSERT ON payctl_events
  FOR EACH ROW EXECUTE FUNCTION payctl_events_continue_head();

-- the recorded head only moves forward: a deleted tail stays detectable
CREATE FUNCTION payctl_incidents_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.head_count < OLD.head_count OR (NEW.head_count = OLD.head_count AND NEW.head_hash <> OLD.head_hash) OR NEW.id <> OLD.id THEN
    RAISE EXCEPTION 'the head of incident % only moves forward', OLD.id USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER payctl_incidents_head_forward BEFORE UPDATE ON payctl_incidents
  FOR EACH ROW EXECUTE FUNCTION payctl_incidents_head_forward();

CREATE TABLE payctl_lock_holders (
  lock_key    text PRIMARY KEY,
  holder      jsonb NOT NULL,
  taken_at    timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 2,
    description: 'payctl_append: an append in one statement, checked against the head the appender saw',
    sql: `
CREATE FUNCTION payctl_append(p_id text, p_create boolean, p_count integer, p_seqs integer[], p_prevs text[], p_lines text[], p_state jsonb, p_listed jsonb)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  c integer;
BEGIN
  IF p_create THEN
    INSERT INTO payctl_incidents (id) VALUES (p_id);
  END IF;
  SELECT head_count INTO c FROM payctl_incidents WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no incident %', p_id USING ERRCODE = 'no_data_found';
  END IF;
  IF c <> p_count THEN
    RAISE EXCEPTION 'incident % has % events, not %: appended meanwhile', p_id, c, p_count USING ERRCODE = 'serialization_failure';
  END IF;
  INSERT INTO payctl_events (incident_id, seq, prev, line) SELECT p_id, s, p, l FROM unnest(p_seqs, p_prevs, p_lines) AS t(s, p, l);
  IF p_state IS NOT NULL THEN
    UPDATE payctl_incidents SET state = p_state, listed = p_listed WHERE id = p_id;
  END IF;
  PERFORM pg_notify('payctl_events', p_id || ' ' || (p_count + cardinality(p_seqs)));
END $$;
`,
  },
  {
    version: 3,
    description: 'the listed state as JSON text (incident list reads 10,000 rows without converting jsonb)',
    sql: `
ALTER TABLE payctl_incidents ALTER COLUMN listed TYPE text USING listed::text;

CREATE OR REPLACE FUNCTION payctl_append(p_id text, p_create boolean, p_count integer, p_seqs integer[], p_prevs text[], p_lines text[], p_state jsonb, p_listed jsonb)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  c integer;
BEGIN
  IF p_create THEN
    INSERT INTO payctl_incidents (id) VALUES (p_id);
  END IF;
  SELECT head_count INTO c FROM payctl_incidents WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no incident %', p_id USING ERRCODE = 'no_data_found';
  END IF;
  IF c <> p_count THEN
    RAISE EXCEPTION 'incident % has % events, not %: appended meanwhile', p_id, c, p_count USING ERRCODE = 'serialization_failure';
  END IF;
  INSERT INTO payctl_events (incident_id, seq, prev, line) SELECT p_id, s, p, l FROM unnest(p_seqs, p_prevs, p_lines) AS t(s, p, l);
  IF p_state IS NOT NULL THEN
    UPDATE payctl_incidents SET state = p_state, listed = p_listed::text WHERE id = p_id;
  END IF;
  PERFORM pg_notify('payctl_events', p_id || ' ' || (p_count + cardinality(p_seqs)));
END $$;
`,
  },
  {
    version: 4,
    description: "the listed state keeps how the last run ended (incident list's RUN column and resume without an id read no events)",
    sql: `
UPDATE payctl_incidents
   SET listed = (
     SELECT jsonb_object_agg(key, value) FROM jsonb_each(state)
      WHERE key IN ('id', 'title', 'severity', 'status', 'playbook', 'opened_at', 'updated_at', 'run',
                    'run_stop_reason', 'run_stop_exit_code', 'run_stopped_at_step', 'dry_run', 'source', 'cancelled')
   )::text
 WHERE state IS NOT NULL;
`,
  },
  {
    version: 5,
    description:
      "the listed status and run as columns, indexed, and the number of incidents: incident list reads its page, not every incident's row",
    sql: `
ALTER TABLE payctl_incidents
  ADD COLUMN listed_status text GENERATED ALWAYS AS (listed::jsonb ->> 'status') STORED,
  ADD COLUMN listed_run text GENERATED ALWAYS AS (listed::jsonb ->> 'run') STORED;
-- the open incidents; those of them whose run has not finished (one may wait for a resume); those without a listed state
CREATE INDEX payctl_incidents_open ON payctl_incidents (id) WHERE listed_status NOT IN ('resolved', 'cancelled');
CREATE INDEX payctl_incidents_unended ON payctl_incidents (id)
  WHERE listed_run IN ('running', 'stopped') AND listed_status NOT IN ('resolved', 'cancelled');
CREATE INDEX payctl_incidents_unlisted ON payctl_incidents (id) WHERE listed IS NULL;

-- how many incidents there are, kept by a trigger: count(*) reads the whole table, every row version an append left
CREATE TABLE payctl_incident_count (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  n   bigint NOT NULL
);
INSERT INTO payctl_incident_count (n) SELECT count(*) FROM payctl_incidents;
CREATE FUNCTION payctl_incident_count() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE payctl_incident_count SET n = n + (CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END);
  RETURN NULL;
END $$;
CREATE TRIGGER payctl_incident_count AFTER INSERT OR DELETE ON payctl_incidents
  FOR EACH ROW EXECUTE FUNCTION payctl_incident_count();
`,
  },
  {
    version: 6,
    description: "values derived from an incident's events (the scorecard parts of providers report), kept while its head is unchanged",
    sql: `
CREATE TABLE payctl_derived (
  incident_id text NOT NULL REFERENCES payctl_incidents (id) ON DELETE CASCADE,
  name        text NOT NULL,
  version     text NOT NULL,
  head_count  integer NOT NULL,
  value       jsonb NOT NULL,
  PRIMARY KEY (incident_id, name)
);
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;
