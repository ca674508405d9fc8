-- Report definitions (Sas SaveCustomizeReportConfig). Lists are stored as
-- their text (recipients comma-separated, target groups as a JSON array).
CREATE TABLE report_configs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id),
  title TEXT NOT NULL,
  recipients TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  type BIGINT NOT NULL,
  lang TEXT NOT NULL,
  version TEXT NOT NULL,
  start_date TEXT,
  end_date TEXT,
  report_days BIGINT,
  send_window BIGINT,
  send_start_time TEXT,
  send_end_time TEXT,
  send_period_type TEXT,
  send_period_days BIGINT,
  group_type TEXT,
  target_groups TEXT NOT NULL,
  pinned_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX report_configs_tenant ON report_configs (tenant_id, id);
