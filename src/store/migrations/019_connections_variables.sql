-- Connections and variables (README, "Connections", "Variables", "Secrets"). A password, an
-- extra and a secret variable's value are kept sealed (AES-256-GCM under SLUICE_SECRET_KEY,
-- src/engine/secret-box.ts): `*_sealed` columns hold `v1.<key fingerprint>.<iv>.<tag>.<data>`
-- text, never the clear value. An extra is kept in the clear (extra) only when no key was set
-- when it was stored; `sluice secrets rotate` seals it once one is.
CREATE TABLE connections (
  connection_id text PRIMARY KEY,
  conn_type text NOT NULL,
  host text,
  port integer CHECK (port BETWEEN 0 AND 65535),
  login text,
  password_sealed text,
  schema text,
  extra jsonb,
  extra_sealed text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT connections_one_extra CHECK (extra IS NULL OR extra_sealed IS NULL)
);

-- A variable's value is in exactly one of value (a plain one) and value_sealed (a secret one).
CREATE TABLE variables (
  key text PRIMARY KEY,
  value text,
  value_sealed text,
  description text NOT NULL DEFAULT '',
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT variables_one_value CHECK ((value IS NULL) <> (value_sealed IS NULL))
);
