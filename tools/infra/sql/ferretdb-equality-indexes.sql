-- FerretDB v1 on PostgreSQL pushes an equality filter down as jsonb containment,
--   _jsonb -> 'field' @> '"value"'
-- but the indexes it creates are btree indexes on (_jsonb -> 'field'), which cannot serve @>.
-- Every lookup by _id or by an indexed field would be a sequential scan (measured: 88 ms instead
-- of 0.2 ms on 30,000 documents). This adds, beside each such btree index, a GIN "twin" on the
-- same expression, which serves @>; and drops the twin with its index. FerretDB keeps its own
-- index list, so it neither sees nor minds the twins. Idempotent: run it at every start.
-- The twins are built without GIN's pending list (fastupdate = off): with it, every lookup also
-- scans the list of recent inserts, and under a stream of inserts a lookup by _id went from
-- 0.14 ms to 1.5 ms (EXPLAIN ANALYZE, 20,000 views being written).

CREATE OR REPLACE FUNCTION cqrs_equality_twin_name(index_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT left(index_name, 57) || '_eqgin' $$;

CREATE OR REPLACE PROCEDURE cqrs_add_equality_twin(index_oid oid)
LANGUAGE plpgsql AS $$
DECLARE
  index_name text;
  schema_name text;
  table_name regclass;
  access_method text;
  expression text;
  twin regclass;
BEGIN
  SELECT c.relname, n.nspname, i.indrelid::regclass, a.amname INTO index_name, schema_name, table_name, access_method
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE i.indexrelid = index_oid;
  IF access_method IS DISTINCT FROM 'btree' OR index_name LIKE '%\_eqgin' THEN RETURN; END IF;
  expression := pg_get_indexdef(index_oid, 1, false);
  IF expression NOT LIKE '%(\_jsonb -> %' THEN RETURN; END IF;
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((%s) jsonb_path_ops) WITH (fastupdate = off)', cqrs_equality_twin_name(index_name), table_name, expression);
  -- Twins made before they were built without a pending list: switch it off and empty it.
  twin := format('%I.%I', schema_name, cqrs_equality_twin_name(index_name))::regclass;
  IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = twin AND 'fastupdate=off' = ANY (coalesce(reloptions, '{}'))) THEN
    EXECUTE format('ALTER INDEX %s SET (fastupdate = off)', twin);
    PERFORM gin_clean_pending_list(twin);
  END IF;
END $$;

CREATE OR REPLACE FUNCTION cqrs_equality_twin_on_create() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  command record;
BEGIN
  FOR command IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' LOOP
    CALL cqrs_add_equality_twin(command.objid);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION cqrs_equality_twin_on_drop() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  dropped record;
BEGIN
  FOR dropped IN SELECT schema_name, object_name FROM pg_event_trigger_dropped_objects()
                  WHERE object_type = 'index' AND object_name NOT LIKE '%\_eqgin' LOOP
    EXECUTE format('DROP INDEX IF EXISTS %I.%I', dropped.schema_name, cqrs_equality_twin_name(dropped.object_name));
  END LOOP;
END $$;

-- Created only when missing, so running this beside a working FerretDB leaves no gap.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'cqrs_equality_twin_on_create') THEN
    CREATE EVENT TRIGGER cqrs_equality_twin_on_create ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
      EXECUTE FUNCTION cqrs_equality_twin_on_create();
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'cqrs_equality_twin_on_drop') THEN
    CREATE EVENT TRIGGER cqrs_equality_twin_on_drop ON sql_drop WHEN TAG IN ('DROP INDEX')
      EXECUTE FUNCTION cqrs_equality_twin_on_drop();
  END IF;
END $$;

-- Indexes that FerretDB created before this was installed.
DO $$
DECLARE
  existing record;
BEGIN
  FOR existing IN SELECT i.indexrelid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
                   JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE a.amname = 'btree' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') LOOP
    CALL cqrs_add_equality_twin(existing.indexrelid);
  END LOOP;
END $$;

-- FerretDB sends every query as a prepared statement with the field name as a parameter,
-- `_jsonb -> $1 @> $2`. After five runs PostgreSQL may switch to a generic plan, which cannot use
-- an index on `_jsonb -> '_id'` (the expression differs): a lookup by _id became a parallel
-- sequential scan, 32 ms instead of 0.04 ms on 21,000 views (EXPLAIN ANALYZE EXECUTE). Custom plans
-- always; `infra up` also passes this on FerretDB's connection URL.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET plan_cache_mode = force_custom_plan', current_database());
END $$;

-- FerretDB's queries are small lookups, but a table PostgreSQL has never analyzed (autovacuum is
-- off on some servers, as on these machines) is planned with a default selectivity: a lookup of
-- 11 postings out of 2.5 million was estimated at 240,000 rows and ran as a parallel Gather with
-- JIT compilation, 56-69 ms instead of 0.3 ms (EXPLAIN ANALYZE). No JIT and no parallel workers for
-- this database; `infra up` also passes both on FerretDB's connection URL.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
  EXECUTE format('ALTER DATABASE %I SET max_parallel_workers_per_gather = 0', current_database());
END $$;
