-- DAG versions with their code. A version was a DAG's structure; it is now its structure and the
-- code that made it: the DAG file bundled with the local modules it imports, stored here so that
-- a run's tries, retries and clears run the code the run was created with, and workers need no
-- DAGs folder. Code is kept once per content (many versions, of many DAGs, may share a bundle).
CREATE TABLE dag_code (
  code_hash text PRIMARY KEY,            -- sha256 of code
  code text NOT NULL,                    -- an ES module whose default export is the DAG
  source_map text,                       -- its source map (JSON), sources relative to the DAGs folder
  sources jsonb NOT NULL,                -- {path relative to the DAGs folder: text} of the files it was built from
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Versions stored before this migration have no code (NULL): their runs' tries run the DAG's
-- current code, as they did when they were created.
ALTER TABLE dag_versions
  ADD COLUMN code_hash text REFERENCES dag_code,
  ADD COLUMN fileloc text;
UPDATE dag_versions v SET fileloc = d.fileloc FROM dags d WHERE d.dag_id = v.dag_id;

CREATE INDEX dag_versions_newest ON dag_versions (dag_id, created_at DESC);
CREATE INDEX dag_versions_code ON dag_versions (code_hash);
