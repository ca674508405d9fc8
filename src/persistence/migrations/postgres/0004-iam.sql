-- Huawei IAM-style token login. A principal without a password (NULL) cannot
-- log in with one; password_changed_at is when it was last set (epoch ms).
ALTER TABLE principals ADD COLUMN password_hash TEXT;
ALTER TABLE principals ADD COLUMN password_changed_at BIGINT;

-- Consecutive wrong passwords per principal, shared by every node; a principal
-- is refused until locked_until (epoch ms; NULL = not locked).
CREATE TABLE login_failures (
  principal_id BIGINT PRIMARY KEY REFERENCES principals (id),
  tenant_id BIGINT NOT NULL REFERENCES tenants (id),
  failures BIGINT NOT NULL,
  locked_until BIGINT
);

-- Issued tokens, by the hex SHA-256 of the token: the token itself is never
-- stored. Rows stay until a day after expiry so a revoked or expired token
-- gets a precise answer; the sweeper deletes them then.
CREATE TABLE auth_tokens (
  id TEXT PRIMARY KEY,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id),
  principal_id BIGINT NOT NULL REFERENCES principals (id),
  issued_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX auth_tokens_expires ON auth_tokens (expires_at);
CREATE INDEX auth_tokens_principal ON auth_tokens (tenant_id, principal_id);
