-- Files Parapet produced for a tenant (exports, reports), kept in the artifact
-- store under storage_key until expires_at, when the sweeper removes both.
-- task_id is not a foreign key: the task retention sweep may delete the task first.
CREATE TABLE artifacts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id),
  task_id BIGINT,
  storage_key TEXT NOT NULL UNIQUE,
  file_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX artifacts_expiry ON artifacts (expires_at);
CREATE INDEX artifacts_tenant ON artifacts (tenant_id, id);

-- A task's dedupe key is unique only among its tenant's unfinished tasks of a
-- kind: asking again for the same thing while it runs returns the running task.
ALTER TABLE tasks ADD COLUMN dedupe_key TEXT;
CREATE UNIQUE INDEX tasks_running_dedupe ON tasks (tenant_id, kind, dedupe_key)
  WHERE status IN ('queued', 'running');
