-- 0010: customers.owner holds the id of the user who owns the customer (a typed or imported owner
-- is resolved to a user by login or name); text that names no user is kept as it was and belongs
-- to nobody: only a role with scope "all" reaches it. Scope own and team are predicates on this
-- column (see `store::Reach`), so it is indexed; customers without an owner are left out of the
-- index, which keeps it small in books from before users.
CREATE INDEX customers_owner ON customers (owner) WHERE owner IS NOT NULL;
