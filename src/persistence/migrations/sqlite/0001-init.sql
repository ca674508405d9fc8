-- Tenants own everything; every other table carries tenant_id.
CREATE TABLE tenants (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL UNIQUE,
  project_id TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);

CREATE TABLE principals (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  is_root INTEGER NOT NULL,
  policy TEXT,
  created_at BIGINT NOT NULL,
  UNIQUE (tenant_id, name)
);

CREATE TABLE access_keys (
  id TEXT PRIMARY KEY,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id),
  principal_id BIGINT NOT NULL REFERENCES principals (id),
  secret_sealed TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX access_keys_principal ON access_keys (principal_id);

CREATE TABLE request_nonces (
  access_key_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (access_key_id, nonce)
);
CREATE INDEX request_nonces_expires ON request_nonces (expires_at);

CREATE TABLE rate_windows (
  tenant_id BIGINT NOT NULL,
  window_start BIGINT NOT NULL,
  request_count BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, window_start)
);

CREATE TABLE host_groups (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (tenant_id, name)
);

CREATE TABLE hosts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id),
  uuid TEXT NOT NULL,
  group_id BIGINT REFERENCES host_groups (id),
  instance_id TEXT NOT NULL,
  instance_name TEXT NOT NULL,
  internet_ip TEXT NOT NULL,
  intranet_ip TEXT NOT NULL,
  ip_list TEXT NOT NULL,
  mac_list TEXT NOT NULL,
  os TEXT NOT NULL,
  os_name TEXT NOT NULL,
  kernel TEXT NOT NULL,
  region_id TEXT NOT NULL,
  vpc_instance_id TEXT NOT NULL,
  cores BIGINT NOT NULL,
  mem_mb BIGINT NOT NULL,
  cpu_info TEXT NOT NULL,
  importance BIGINT NOT NULL,
  tag TEXT NOT NULL,
  client_status TEXT NOT NULL,
  agent_version TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT,
  UNIQUE (tenant_id, uuid)
);
CREATE INDEX hosts_group ON hosts (tenant_id, group_id);

-- Advisory data is global (not tenant data): one row per CVE.
CREATE TABLE cves (
  cve_id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  solution TEXT NOT NULL,
  cvss_score TEXT NOT NULL,
  cvss_vector TEXT NOT NULL,
  vul_level TEXT NOT NULL,
  published_at BIGINT NOT NULL
);

-- One row per finding: a vulnerability (type + name) on one host.
CREATE TABLE vulnerabilities (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id),
  host_id BIGINT NOT NULL REFERENCES hosts (id),
  type TEXT NOT NULL,
  name TEXT NOT NULL,
  alias_name TEXT NOT NULL,
  tag TEXT NOT NULL,
  search_tags TEXT NOT NULL,
  necessity TEXT NOT NULL,
  status BIGINT NOT NULL,
  related TEXT NOT NULL,
  package_name TEXT NOT NULL,
  package_version TEXT NOT NULL,
  fixed_version TEXT NOT NULL,
  path TEXT NOT NULL,
  update_cmd TEXT NOT NULL,
  container_id TEXT NOT NULL,
  container_name TEXT NOT NULL,
  image TEXT NOT NULL,
  first_ts BIGINT NOT NULL,
  last_ts BIGINT NOT NULL,
  modify_ts BIGINT NOT NULL,
  repair_ts BIGINT,
  UNIQUE (host_id, type, name)
);
CREATE INDEX vulnerabilities_listing ON vulnerabilities (tenant_id, type, id);
CREATE INDEX vulnerabilities_name ON vulnerabilities (tenant_id, type, name);

-- The one task model (see docs/design.md): every long job is a row here.
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id),
  kind TEXT NOT NULL,
  params TEXT NOT NULL,
  status TEXT NOT NULL,
  progress BIGINT NOT NULL,
  done_count BIGINT NOT NULL,
  total_count BIGINT NOT NULL,
  result TEXT,
  error_code TEXT,
  error_message TEXT,
  attempts BIGINT NOT NULL,
  max_attempts BIGINT NOT NULL,
  lease_owner TEXT,
  lease_expires_at BIGINT,
  run_after BIGINT NOT NULL,
  deadline_at BIGINT,
  cancel_requested INTEGER NOT NULL,
  idempotency_key TEXT,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT,
  updated_at BIGINT NOT NULL,
  UNIQUE (tenant_id, kind, idempotency_key)
);
CREATE INDEX tasks_claim ON tasks (status, run_after);
CREATE INDEX tasks_tenant ON tasks (tenant_id, kind, id);
CREATE INDEX tasks_finished ON tasks (finished_at);
