-- Host agents (docs/agent-protocol.md).

-- Enrollment tokens: only their SHA-256 is kept. A token enrolls any number of
-- agents into its tenant (and group) until it expires or is revoked.
CREATE TABLE enroll_tokens (
  token_hash TEXT PRIMARY KEY,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id),
  group_id BIGINT REFERENCES host_groups (id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX enroll_tokens_tenant ON enroll_tokens (tenant_id);

-- One enrolled agent per host; its secret is sealed under the server key, as
-- access key secrets are.
CREATE TABLE agents (
  host_id BIGINT PRIMARY KEY REFERENCES hosts (id),
  tenant_id BIGINT NOT NULL REFERENCES tenants (id),
  uuid TEXT NOT NULL UNIQUE,
  secret_sealed TEXT NOT NULL,
  enrolled_at BIGINT NOT NULL,
  revoked_at BIGINT
);

-- The targets of a fan-out task (an asset collection or a virus scan over
-- hosts): one row per host, with its own status, progress and deadline. The
-- parent task's counts and status are derived from these (src/engine/fan-out.ts).
-- late = 1: the result arrived after the target had timed out (stored anyway).
CREATE TABLE task_targets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id BIGINT NOT NULL REFERENCES tasks (id),
  tenant_id BIGINT NOT NULL,
  host_id BIGINT NOT NULL REFERENCES hosts (id),
  status TEXT NOT NULL,
  progress BIGINT NOT NULL,
  deadline_at BIGINT NOT NULL,
  summary TEXT,
  error_message TEXT,
  late INTEGER NOT NULL,
  delivered_at BIGINT,
  acknowledged_at BIGINT,
  finished_at BIGINT,
  result_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (task_id, host_id)
);
CREATE INDEX task_targets_host ON task_targets (host_id, status);
CREATE INDEX task_targets_deadline ON task_targets (status, deadline_at);

-- Parts of a result still being uploaded; removed once the whole result is applied.
CREATE TABLE target_result_parts (
  target_id BIGINT NOT NULL REFERENCES task_targets (id),
  part BIGINT NOT NULL,
  parts BIGINT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (target_id, part)
);

-- A host's asset inventory, as its last collection found it (replaced whole).
CREATE TABLE host_software (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL,
  host_id BIGINT NOT NULL REFERENCES hosts (id),
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  arch TEXT NOT NULL,
  source TEXT NOT NULL,
  manager TEXT NOT NULL,
  summary TEXT NOT NULL,
  installed_at BIGINT,
  size BIGINT,
  collected_at BIGINT NOT NULL
);
CREATE INDEX host_software_host ON host_software (host_id, id);
CREATE INDEX host_software_tenant ON host_software (tenant_id, id);

CREATE TABLE host_processes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL,
  host_id BIGINT NOT NULL REFERENCES hosts (id),
  pid BIGINT NOT NULL,
  ppid BIGINT NOT NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  cmdline TEXT NOT NULL,
  user_name TEXT NOT NULL,
  state TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  collected_at BIGINT NOT NULL
);
CREATE INDEX host_processes_host ON host_processes (host_id, id);
CREATE INDEX host_processes_tenant ON host_processes (tenant_id, id);

CREATE TABLE host_ports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL,
  host_id BIGINT NOT NULL REFERENCES hosts (id),
  protocol TEXT NOT NULL,
  bind_ip TEXT NOT NULL,
  port BIGINT NOT NULL,
  pid BIGINT NOT NULL,
  process_name TEXT NOT NULL,
  collected_at BIGINT NOT NULL
);
CREATE INDEX host_ports_host ON host_ports (host_id, id);
CREATE INDEX host_ports_tenant ON host_ports (tenant_id, id);

CREATE TABLE host_users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL,
  host_id BIGINT NOT NULL REFERENCES hosts (id),
  name TEXT NOT NULL,
  uid BIGINT NOT NULL,
  gid BIGINT NOT NULL,
  home TEXT NOT NULL,
  shell TEXT NOT NULL,
  group_names TEXT NOT NULL,
  is_root INTEGER NOT NULL,
  can_login INTEGER NOT NULL,
  last_login_at BIGINT,
  last_login_ip TEXT NOT NULL,
  collected_at BIGINT NOT NULL
);
CREATE INDEX host_users_host ON host_users (host_id, id);
CREATE INDEX host_users_tenant ON host_users (tenant_id, id);

-- Files a virus scan flagged: one row per (scan task, host, file, engine, signature).
CREATE TABLE virus_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL,
  host_id BIGINT NOT NULL REFERENCES hosts (id),
  task_id BIGINT NOT NULL,
  path TEXT NOT NULL,
  size BIGINT NOT NULL,
  md5 TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  signature TEXT NOT NULL,
  engine TEXT NOT NULL,
  level TEXT NOT NULL,
  detected_at BIGINT NOT NULL
);
CREATE INDEX virus_events_tenant ON virus_events (tenant_id, id);
CREATE INDEX virus_events_host ON virus_events (host_id, id);
CREATE INDEX virus_events_task ON virus_events (task_id);
