//! The database schema, as numbered migrations applied in order.
//!
//! A migration is never edited once released: a change to the schema is a new entry at the
//! end. `archlint_schema` records which versions were applied; a database with a version
//! above [`SCHEMA_VERSION`] was written by a newer archlint and is refused.

/// The newest schema this archlint writes.
pub const SCHEMA_VERSION: i32 = 1;

/// Migration `i` brings the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[V1];

/// Tables, indexes, views and functions of the first schema.
const V1: &str = r#"
CREATE TABLE projects (
    id          bigserial PRIMARY KEY,
    root        text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per export. Counts describe the project at that run.
CREATE TABLE runs (
    id               bigserial PRIMARY KEY,
    project_id       bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    started_at       timestamptz NOT NULL DEFAULT now(),
    tool_version     text NOT NULL,
    modules          integer NOT NULL,
    imports          integer NOT NULL,
    modules_written  integer NOT NULL,
    modules_removed  integer NOT NULL,
    contracts_kept   integer NOT NULL,
    contracts_broken integer NOT NULL,
    findings         integer NOT NULL,
    analysis_ms      double precision NOT NULL
);
CREATE INDEX runs_project ON runs (project_id, id);

-- The project's modules as of its latest run. A module's row (and its imports) is rewritten
-- only when its content hash changes; `written_run` says by which run.
CREATE TABLE modules (
    project_id   bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name         text NOT NULL,
    path         text NOT NULL,
    is_package   boolean NOT NULL,
    content_hash text NOT NULL,
    size_bytes   bigint NOT NULL,
    lines        integer NOT NULL,
    classes      integer NOT NULL,
    functions    integer NOT NULL,
    written_run  bigint NOT NULL,
    PRIMARY KEY (project_id, name)
);

-- Every import statement of a module, resolved: `imported` is a module of the project, or
-- for an external import the top-level package (`external`). A module's imports are replaced
-- together with its row; there is no foreign key, as checking one per row would dominate bulk
-- loads (a trigger below removes the imports of deleted projects).
CREATE TABLE imports (
    project_id    bigint NOT NULL,
    importer      text NOT NULL,
    imported      text NOT NULL,
    external      boolean NOT NULL,
    line          integer NOT NULL,
    col           integer NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('import', 'from', 'star', 'dynamic')),
    type_checking boolean NOT NULL,
    in_function   boolean NOT NULL
);
CREATE INDEX imports_importer ON imports (project_id, importer);
CREATE INDEX imports_imported ON imports (project_id, imported);

CREATE FUNCTION archlint_forget_imports() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM imports WHERE project_id IN (SELECT id FROM gone);
    RETURN NULL;
END
$$;
CREATE TRIGGER projects_forget_imports AFTER DELETE ON projects
REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION archlint_forget_imports();

CREATE TABLE contracts (
    run_id      bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    ordinal     integer NOT NULL,
    contract_id text,
    name        text NOT NULL,
    kind        text NOT NULL,
    kept        boolean NOT NULL,
    violations  integer NOT NULL,
    PRIMARY KEY (run_id, ordinal)
);

CREATE TABLE findings (
    run_id     bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    ordinal    integer NOT NULL,
    check_kind text NOT NULL,
    check_name text NOT NULL,
    code       text NOT NULL,
    severity   text NOT NULL,
    message    text NOT NULL,
    path       text,
    line       integer,
    col        integer,
    identity   text NOT NULL,
    suppressed text,
    chain      jsonb NOT NULL,
    PRIMARY KEY (run_id, ordinal)
);

CREATE TABLE distributions (
    run_id     bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    ordinal    integer NOT NULL,
    name       text NOT NULL,
    normalized text NOT NULL,
    version    text NOT NULL,
    role       text NOT NULL,
    editable   boolean NOT NULL,
    PRIMARY KEY (run_id, ordinal)
);

CREATE TABLE licenses (
    run_id       bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    distribution text NOT NULL,
    expression   text,
    status       text NOT NULL,
    source       text,
    verdict      text NOT NULL,
    raw          text
);
CREATE INDEX licenses_run ON licenses (run_id, distribution);

CREATE TABLE vulnerabilities (
    run_id       bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    distribution text NOT NULL,
    version      text NOT NULL,
    advisory     text NOT NULL,
    aliases      text[] NOT NULL,
    summary      text NOT NULL,
    fixed        text
);
CREATE INDEX vulnerabilities_run ON vulnerabilities (run_id, distribution);

CREATE TABLE timings (
    run_id bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    phase  text NOT NULL,
    ms     double precision NOT NULL,
    PRIMARY KEY (run_id, phase)
);

-- Edges between the project's own modules, one per importing pair.
CREATE VIEW module_edges AS
SELECT DISTINCT project_id, importer, imported
FROM imports
WHERE NOT external;

-- Fan-in (distinct modules importing it) and fan-out (distinct modules it imports).
CREATE VIEW module_fan AS
SELECT m.project_id,
       m.name AS module,
       (SELECT count(DISTINCT i.importer) FROM imports i
         WHERE i.project_id = m.project_id AND i.imported = m.name AND NOT i.external) AS fan_in,
       (SELECT count(DISTINCT i.imported) FROM imports i
         WHERE i.project_id = m.project_id AND i.importer = m.name AND NOT i.external) AS fan_out
FROM modules m;

-- The shortest import cycle through `module` (first and last element are `module`), or NULL.
-- Only modules that both reach `module` and are reached from it can lie on such a cycle, so
-- the path search is confined to its strongly connected component.
CREATE FUNCTION archlint_cycle(p_project bigint, p_module text, p_max integer DEFAULT 12)
RETURNS text[] LANGUAGE sql STABLE AS $$
WITH RECURSIVE
forward(node) AS (
    SELECT imported FROM module_edges WHERE project_id = p_project AND importer = p_module
    UNION
    SELECT e.imported FROM forward f
    JOIN module_edges e ON e.project_id = p_project AND e.importer = f.node
),
backward(node) AS (
    SELECT importer FROM module_edges WHERE project_id = p_project AND imported = p_module
    UNION
    SELECT e.importer FROM backward b
    JOIN module_edges e ON e.project_id = p_project AND e.imported = b.node
),
component AS (
    SELECT node FROM forward INTERSECT SELECT node FROM backward
),
walk(node, path) AS (
    SELECT e.imported, ARRAY[p_module, e.imported]
    FROM module_edges e
    WHERE e.project_id = p_project AND e.importer = p_module
      AND e.imported IN (SELECT node FROM component)
    UNION ALL
    SELECT e.imported, w.path || e.imported
    FROM walk w
    JOIN module_edges e ON e.project_id = p_project AND e.importer = w.node
    WHERE w.node <> p_module
      AND e.imported IN (SELECT node FROM component)
      AND e.imported <> ALL (w.path[2:])
      AND cardinality(w.path) <= p_max
)
-- The walk goes one step per iteration, so the first cycle found is a shortest one.
SELECT path FROM walk WHERE node = p_module LIMIT 1
$$;

-- Every module on an import cycle, with a shortest such cycle. Filter by project_id (and
-- module) on big projects: each row is a search.
CREATE VIEW import_cycles AS
SELECT m.project_id, m.name AS module, c.cycle
FROM modules m
CROSS JOIN LATERAL (SELECT archlint_cycle(m.project_id, m.name) AS cycle) c
WHERE c.cycle IS NOT NULL;

-- Findings per run and check, suppressed ones counted apart; runs without findings included.
CREATE VIEW findings_per_run AS
SELECT r.project_id,
       r.id AS run_id,
       r.started_at,
       f.check_kind,
       f.check_name,
       count(f.ordinal) FILTER (WHERE f.suppressed IS NULL) AS findings,
       count(f.ordinal) FILTER (WHERE f.suppressed IS NOT NULL) AS suppressed
FROM runs r
LEFT JOIN findings f ON f.run_id = r.id
GROUP BY r.project_id, r.id, r.started_at, f.check_kind, f.check_name;

-- The latest run of each project.
CREATE VIEW latest_runs AS
SELECT DISTINCT ON (project_id) *
FROM runs
ORDER BY project_id, id DESC;
"#;
