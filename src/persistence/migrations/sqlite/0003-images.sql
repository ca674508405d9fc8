-- Local container images, as an image scan writes them: one row per image
-- (content id) of a tenant, the hosts that hold it, the containers that run it,
-- and the vulnerabilities its scans found. Ids are 64 hex digits without the
-- `sha256:` prefix; times are epoch ms.
CREATE TABLE images (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id),
  image_id TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  digest TEXT NOT NULL,
  size BIGINT NOT NULL,
  local_image_type TEXT NOT NULL,
  scan_status TEXT NOT NULL,
  scan_failed_desc TEXT NOT NULL,
  component_num BIGINT NOT NULL,
  unsafe_setting_num BIGINT NOT NULL,
  malicious_file_num BIGINT NOT NULL,
  latest_update_time BIGINT NOT NULL,
  latest_scan_time BIGINT,
  created_at BIGINT NOT NULL,
  UNIQUE (tenant_id, image_id)
);
CREATE INDEX images_listing ON images (tenant_id, latest_update_time, id);

CREATE TABLE image_hosts (
  tenant_id BIGINT NOT NULL REFERENCES tenants (id),
  image_ref BIGINT NOT NULL REFERENCES images (id),
  host_id BIGINT NOT NULL REFERENCES hosts (id),
  first_seen_at BIGINT NOT NULL,
  PRIMARY KEY (image_ref, host_id)
);
CREATE INDEX image_hosts_host ON image_hosts (host_id);

-- A container runs on one host, from an image that host holds. pod_id and
-- pod_name are '' outside Kubernetes.
CREATE TABLE image_containers (
  tenant_id BIGINT NOT NULL REFERENCES tenants (id),
  image_ref BIGINT NOT NULL,
  host_id BIGINT NOT NULL,
  container_id TEXT NOT NULL,
  container_name TEXT NOT NULL,
  pod_id TEXT NOT NULL,
  pod_name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (host_id, container_id),
  FOREIGN KEY (image_ref, host_id) REFERENCES image_hosts (image_ref, host_id)
);
CREATE INDEX image_containers_image ON image_containers (image_ref);

-- One row per vulnerability per package (app_path '' for OS packages) of an image.
-- cve_ids is a comma list; cvss the highest score among them.
CREATE TABLE image_vulnerabilities (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id),
  image_ref BIGINT NOT NULL REFERENCES images (id),
  vul_id TEXT NOT NULL,
  vul_name TEXT NOT NULL,
  type TEXT NOT NULL,
  severity TEXT NOT NULL,
  handle_status TEXT NOT NULL,
  app_name TEXT NOT NULL,
  app_version TEXT NOT NULL,
  fixed_version TEXT NOT NULL,
  app_path TEXT NOT NULL,
  position TEXT NOT NULL,
  description TEXT NOT NULL,
  solution TEXT NOT NULL,
  url TEXT NOT NULL,
  cve_ids TEXT NOT NULL,
  cvss REAL NOT NULL,
  first_scan_time BIGINT NOT NULL,
  latest_scan_time BIGINT NOT NULL,
  UNIQUE (image_ref, vul_id, app_name, app_path)
);
CREATE INDEX image_vulnerabilities_keyset ON image_vulnerabilities (tenant_id, id);
CREATE INDEX image_vulnerabilities_vul ON image_vulnerabilities (tenant_id, vul_id);
