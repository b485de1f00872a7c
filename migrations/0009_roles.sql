-- 0009: custom roles. The four built-in roles (admin, manager, sales, support) live in the code;
-- a custom role starts as a copy of one of them and is changed grant by grant. Rows are domain
-- data (through the gateway: logged, synced, so who granted what is in the history).
-- `grants` is JSON: { grants: [{ entity, actions, scope }], fields: { "entity.field": access },
-- exportCap } (see `security::grants::Role`).
CREATE TABLE roles (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    based_on   TEXT NOT NULL,
    grants     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE UNIQUE INDEX roles_name ON roles (name) WHERE deleted_at IS NULL;
