//! The one write gateway. Every create, update and delete of domain data goes through
//! [`Writer::apply`], which writes the row and, in the same transaction, appends one change-log
//! entry for the row change (each changed field with its old value and the change it replaced)
//! with the hybrid logical clock, the origin device's gap-free sequence numbers (one per field)
//! and the acting user. Sync, the audit trail and import undo all read that log (see `log.rs`).

use super::Store;
use super::log::{FieldChange, encode_fields, to_json};
use crate::error::{Error, Result};
use crate::sync::Hlc;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior};

/// Who is writing, and (for imports) which batch the changes belong to.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user: String,
    pub batch: Option<String>,
}

/// One row-level change. Table and column names are compile-time constants of the store modules,
/// never caller input.
pub(crate) enum Change<'a> {
    Insert {
        table: &'static str,
        id: &'a str,
        values: Vec<(&'static str, Value)>,
    },
    /// Only the columns whose value differs are written and logged.
    Update {
        table: &'static str,
        id: &'a str,
        values: Vec<(&'static str, Value)>,
    },
    /// A tombstone: the row keeps its values and gets `deleted_at`.
    Delete {
        table: &'static str,
        id: &'a str,
    },
    /// A tombstone lifted (a revert of a delete): logged as an update of `deleted_at`.
    Restore {
        table: &'static str,
        id: &'a str,
    },
    /// A field's concurrent values settled (the sync inbox): `value`, one of them, is written
    /// and logged even when the row shows it already, replacing every leaf of the field. `field`
    /// is a column of `table` (the caller checks).
    Settle {
        table: &'static str,
        id: &'a str,
        field: &'a str,
        value: Value,
    },
    /// A privacy erasure: the columns get `values` and (with `tombstone`) the row a tombstone if
    /// it has none, and the entry logs the new values only: the old ones are what is erased.
    Erase {
        table: &'static str,
        id: &'a str,
        values: Vec<(&'static str, Value)>,
        tombstone: bool,
    },
}

/// A write transaction in progress.
pub(crate) struct Writer<'t> {
    tx: Transaction<'t>,
    actor: &'t Actor,
    origin: i64,
    next_seq: i64,
    hlc: Hlc,
    tx_no: i64,
    now_ms: i64,
    /// Customers whose search entry must be rebuilt before commit.
    dirty: std::collections::BTreeSet<String>,
    /// Orders whose line rows and totals follow their line set before commit.
    orders: std::collections::BTreeSet<String>,
    /// Match keys of customers indexed from derived data (imports), inserted before commit.
    new_keys: super::search::NewKeys,
    /// This device's audit chains, extended by every entry and event logged.
    chains: super::audit::ChainWriter,
    device_key: &'t crate::security::chain::DeviceKey,
    device: &'t str,
    /// The last entry logged (its first sequence number and chain link): what the transaction's
    /// signature covers.
    last_entry: Option<(i64, crate::security::chain::Hash)>,
}

impl Store {
    /// Runs `f` in one IMMEDIATE transaction; commits only if `f` succeeds, so a rejected write
    /// leaves no row and no log entry behind.
    pub(crate) fn write<T>(&self, actor: &Actor, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        self.transact(actor, true, f)
    }

    /// Runs `f` exactly as [`Store::write`] would, then rolls everything back: a dry run that sees
    /// its own writes (an import's later rows find its earlier ones) and leaves the book as it was.
    pub(crate) fn rehearse<T>(&self, actor: &Actor, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        self.transact(actor, false, f)
    }

    fn transact<T>(&self, actor: &Actor, commit: bool, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        let now_ms = self.now_ms();
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let meta = |k: &str| -> Result<i64> {
            let v: Option<String> =
                tx.query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0)).optional()?;
            v.and_then(|v| v.parse().ok()).ok_or_else(|| Error::Corrupt(format!("meta {k}")))
        };
        let last = Hlc::from_raw(meta("hlc")?);
        let next_seq = meta("origin_seq")? + 1;
        let tx_no = meta("tx_seq")? + 1;
        let hlc = last.tick(now_ms);
        let mut w = Writer {
            actor,
            origin: self.origin,
            next_seq,
            hlc,
            tx_no,
            // A row's times are its change's clock, not this desktop's wall clock, so a peer that
            // applies the change sets the same times (they differ only when the wall clock went
            // back, and then the clock is the later one).
            now_ms: hlc.wall_ms(),
            tx,
            dirty: Default::default(),
            orders: Default::default(),
            new_keys: Default::default(),
            chains: Default::default(),
            device_key: &self.device_key,
            device: &self.device_str,
            last_entry: None,
        };
        let out = f(&mut w)?;
        for order in std::mem::take(&mut w.orders) {
            super::orders::realize_lines(&w.tx, &order)?;
        }
        w.index_now()?;
        if commit {
            w.new_keys.flush(&w.tx)?;
        }
        if !commit {
            w.tx.rollback()?;
            return Ok(out);
        }
        w.chains.persist(&w.tx)?;
        // The transaction's signature, on its last entry: peers refuse a change its desktop did
        // not sign, and relays pass it on as it is.
        if let Some((seq, link)) = w.last_entry {
            let sig = self.device_key.sign_tx(&self.device_str, tx_no, seq, &link);
            w.tx.prepare_cached("UPDATE changes SET sig = ?3 WHERE origin = ?1 AND seq = ?2")?
                .execute(rusqlite::params![self.origin, seq, sig.as_slice()])?;
        }
        let Writer { tx, next_seq, hlc, .. } = w;
        // The clock is persisted even when nothing was logged, so it never goes backwards.
        let mut set = tx.prepare_cached("UPDATE meta SET value = ?2 WHERE key = ?1")?;
        set.execute(("hlc", hlc.raw().to_string()))?;
        set.execute(("origin_seq", (next_seq - 1).to_string()))?;
        set.execute(("tx_seq", tx_no.to_string()))?;
        drop(set);
        tx.commit()?;
        Ok(out)
    }
}

impl Writer<'_> {
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// Brings the search index and match keys of the customers changed so far in line now (the
    /// search index moves in the same transaction as the rows it describes; an import calls this
    /// after each row so its later rows find its earlier ones).
    pub fn index_now(&mut self) -> Result<()> {
        let dirty = std::mem::take(&mut self.dirty);
        if dirty.is_empty() {
            return Ok(());
        }
        // Re-indexing removes entries, maybe ones made in this transaction: their keys first.
        self.new_keys.flush(&self.tx)?;
        if dirty.len() == 1 {
            return dirty.iter().try_for_each(|id| super::search::reindex_customer(&self.tx, id));
        }
        // In the order of their index entries: FTS5 keeps pending changes in rowid order and
        // writes them out as a new segment whenever a change goes to a lower rowid than the one
        // before, so re-indexing (or removing) many customers out of order made a tiny segment
        // per customer and merged them without end (an undo of 30,000 rows spent three quarters
        // of its time there). Customers without an entry yet come last.
        let mut docid = self.tx.prepare_cached("SELECT docid FROM search_docs WHERE customer_id = ?1")?;
        let mut order: Vec<(i64, String, Option<i64>)> = Vec::with_capacity(dirty.len());
        for id in dirty {
            let d: Option<i64> = docid.query_row([&id], |r| r.get(0)).optional()?;
            order.push((d.unwrap_or(i64::MAX), id, d));
        }
        drop(docid);
        order.sort_unstable();
        let mut gone = super::search::GoneKeys::default();
        for (_, id, d) in order {
            super::search::reindex_customer_deferred(&self.tx, &id, d, &mut gone)?;
        }
        gone.flush(&self.tx)
    }

    /// Match keys of customers indexed in this transaction and not yet in `match_keys`.
    pub(super) fn new_keys(&self) -> &super::search::NewKeys {
        &self.new_keys
    }

    /// This transaction's number (the gateway's count of write transactions, this one included).
    pub(super) fn tx_no(&self) -> i64 {
        self.tx_no
    }

    /// Read access inside the transaction (for checks that must see this transaction's writes).
    pub fn conn(&self) -> &rusqlite::Connection {
        &self.tx
    }

    /// Moves this desktop's clock past `remote`, a change received from elsewhere (the clock
    /// persisted at commit is then after every change this book holds).
    pub(super) fn receive(&mut self, remote: Hlc) {
        if remote > Hlc::ZERO {
            self.hlc = self.hlc.receive(remote, self.now_ms);
        }
    }

    /// Marks the customer a changed row of `table` belongs to for re-indexing before commit, and
    /// an order whose row or lines changed for [`super::orders::realize_lines`].
    pub(super) fn touch(&mut self, table: &str, id: &str) -> Result<()> {
        match table {
            "customers" => {
                self.dirty.insert(id.to_string());
            }
            "contacts" | "activities" => {
                if let Some(owner) = super::search::owner_of(&self.tx, table, id)? {
                    self.dirty.insert(owner);
                }
            }
            "orders" => {
                self.orders.insert(id.to_string());
            }
            "order_lines" => {
                let order: Option<String> = self
                    .tx
                    .prepare_cached("SELECT order_id FROM order_lines WHERE id = ?1")?
                    .query_row([id], |r| r.get(0))
                    .optional()?;
                self.orders.extend(order);
            }
            _ => {}
        }
        Ok(())
    }

    /// Applies one change and logs it; returns the number of fields logged.
    pub fn apply(&mut self, change: Change<'_>) -> Result<usize> {
        let (table, id) = match &change {
            Change::Insert { table, id, .. }
            | Change::Update { table, id, .. }
            | Change::Delete { table, id }
            | Change::Restore { table, id }
            | Change::Settle { table, id, .. }
            | Change::Erase { table, id, .. } => (*table, *id),
        };
        let deletion = match &change {
            Change::Delete { .. } | Change::Restore { .. } => true,
            Change::Settle { field, .. } => *field == "deleted_at",
            _ => false,
        };
        let n = self.apply_row(change)?;
        if deletion {
            // A deletion decided here (restored, kept, deleted again) settles what was edited
            // elsewhere after an earlier one.
            super::replica::mark_deleted_edits(&self.tx, table, &row_key(id))?;
        }
        self.touch(table, id)?;
        Ok(n)
    }

    /// Inserts a customer row and logs it like [`Writer::apply`], then writes its search entry and
    /// match keys from `derived` instead of reading the row back (imports: `derived` was computed
    /// from the same values on another thread).
    pub(super) fn apply_indexed(
        &mut self,
        id: &str,
        values: Vec<(&'static str, Value)>,
        derived: &super::search::Derived,
    ) -> Result<usize> {
        let owner = values.iter().find_map(|(c, v)| match (*c, v) {
            ("owner", Value::Text(o)) => Some(o.clone()),
            _ => None,
        });
        let n = self.apply_row(Change::Insert { table: "customers", id, values })?;
        super::search::index_new_customer(&self.tx, id, owner.as_deref(), derived, &mut self.new_keys)?;
        Ok(n)
    }

    /// [`Writer::apply`] without indexing (benchmark floors only, see
    /// `Store::insert_for_benchmark`).
    pub(super) fn apply_unindexed(&mut self, change: Change<'_>) -> Result<usize> {
        self.apply_row(change)
    }

    /// The row of an insert alone: no log, no index (benchmark floors only).
    pub(super) fn insert_bare(&mut self, change: Change<'_>) -> Result<()> {
        let Change::Insert { table, id, values } = change else {
            return Err(Error::Corrupt("a bare insert takes an insert".into()));
        };
        self.insert_row(table, id, &values)
    }

    /// Inserts a row with its creation times (the part of an insert before it is logged).
    fn insert_row(&mut self, table: &str, id: &str, values: &[(&'static str, Value)]) -> Result<()> {
        let cols: Vec<&str> = values.iter().map(|(c, _)| *c).collect();
        let placeholders: Vec<String> = (0..cols.len() + 3).map(|i| format!("?{}", i + 1)).collect();
        let sql = format!(
            "INSERT INTO {table} (id, created_at, updated_at{}{}) VALUES ({})",
            if cols.is_empty() { "" } else { ", " },
            cols.join(", "),
            placeholders.join(", ")
        );
        let mut params: Vec<Value> =
            vec![Value::Text(id.to_string()), Value::Integer(self.now_ms), Value::Integer(self.now_ms)];
        params.extend(values.iter().map(|(_, v)| v.clone()));
        self.tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(params))?;
        Ok(())
    }

    fn apply_row(&mut self, change: Change<'_>) -> Result<usize> {
        match change {
            Change::Insert { table, id, values } => {
                self.insert_row(table, id, &values)?;
                // Empty values are the columns' defaults; a peer applying the insert gets them anyway.
                let fields: Vec<FieldChange> = values
                    .iter()
                    .filter(|(_, v)| {
                        !(matches!(v, Value::Null) || matches!(v, Value::Text(t) if t == "[]" || t == "{}"))
                    })
                    .map(|(col, v)| FieldChange {
                        field: col.to_string(),
                        new: to_json(v),
                        old: serde_json::Value::Null,
                        replaces: None,
                        also: Vec::new(),
                    })
                    .collect();
                self.log(table, id, "insert", fields)
            }
            Change::Update { table, id, values } => {
                let cols: Vec<&str> = values.iter().map(|(c, _)| *c).collect();
                let sql = format!("SELECT {} FROM {table} WHERE id = ?1 AND deleted_at IS NULL", cols.join(", "));
                let old: Option<Vec<Value>> = self
                    .tx
                    .prepare_cached(&sql)?
                    .query_row([id], |r| (0..cols.len()).map(|i| r.get::<_, Value>(i)).collect())
                    .optional()?;
                let old = old.ok_or_else(|| Error::NotFound { entity: entity_of(table), id: id.to_string() })?;
                let changed: Vec<(&'static str, Value, Value)> = values
                    .into_iter()
                    .zip(old)
                    .filter(|((_, new), old)| new != old)
                    .map(|((c, new), old)| (c, new, old))
                    .collect();
                if changed.is_empty() {
                    return Ok(0);
                }
                let sets: Vec<String> =
                    changed.iter().enumerate().map(|(i, (c, _, _))| format!("{c} = ?{}", i + 1)).collect();
                let sql = format!(
                    "UPDATE {table} SET {}, updated_at = max(updated_at, ?{}) WHERE id = ?{}",
                    sets.join(", "),
                    changed.len() + 1,
                    changed.len() + 2
                );
                let mut params: Vec<Value> = changed.iter().map(|(_, v, _)| v.clone()).collect();
                params.push(Value::Integer(self.now_ms));
                params.push(Value::Text(id.to_string()));
                self.tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(params))?;
                let cols: Vec<&str> = changed.iter().map(|(c, _, _)| *c).collect();
                let key = row_key(id);
                let heads = super::log::heads(&self.tx, table, &key, &cols)?;
                let mut fields = Vec::with_capacity(changed.len());
                for ((col, new, old), head) in changed.iter().zip(heads) {
                    fields.push(self.replacing(table, &key, col, head, to_json(new), to_json(old))?);
                }
                self.log_replacing(table, id, "update", fields)
            }
            Change::Delete { table, id } => {
                let sql = format!(
                    "UPDATE {table} SET deleted_at = ?1, updated_at = max(updated_at, ?1) WHERE id = ?2 AND deleted_at IS NULL"
                );
                let n = self.tx.prepare_cached(&sql)?.execute((self.now_ms, id))?;
                if n == 0 {
                    return Err(Error::NotFound { entity: entity_of(table), id: id.to_string() });
                }
                let key = row_key(id);
                let head = super::log::heads(&self.tx, table, &key, &["deleted_at"])?.pop().flatten();
                let new = serde_json::Value::from(self.now_ms);
                let field = self.replacing(table, &key, "deleted_at", head, new, serde_json::Value::Null)?;
                self.log_replacing(table, id, "delete", vec![field])
            }
            Change::Restore { table, id } => {
                let old: Option<Option<i64>> = self
                    .tx
                    .prepare_cached(&format!("SELECT deleted_at FROM {table} WHERE id = ?1"))?
                    .query_row([id], |r| r.get(0))
                    .optional()?;
                let Some(Some(deleted_at)) = old else {
                    return Err(Error::NotFound { entity: entity_of(table), id: id.to_string() });
                };
                let sql =
                    format!("UPDATE {table} SET deleted_at = NULL, updated_at = max(updated_at, ?1) WHERE id = ?2");
                self.tx.prepare_cached(&sql)?.execute((self.now_ms, id))?;
                let key = row_key(id);
                let head = super::log::heads(&self.tx, table, &key, &["deleted_at"])?.pop().flatten();
                let old = serde_json::Value::from(deleted_at);
                let field = self.replacing(table, &key, "deleted_at", head, serde_json::Value::Null, old)?;
                self.log_replacing(table, id, "update", vec![field])
            }
            Change::Settle { table, id, field, value } => {
                let old: Option<Value> = self
                    .tx
                    .prepare_cached(&format!("SELECT {field} FROM {table} WHERE id = ?1"))?
                    .query_row([id], |r| r.get(0))
                    .optional()?;
                let old = old.ok_or_else(|| Error::NotFound { entity: entity_of(table), id: id.to_string() })?;
                let sql = format!("UPDATE {table} SET {field} = ?1, updated_at = max(updated_at, ?2) WHERE id = ?3");
                self.tx.prepare_cached(&sql)?.execute(rusqlite::params![value, self.now_ms, id])?;
                let key = row_key(id);
                let head = super::log::heads(&self.tx, table, &key, &[field])?.pop().flatten();
                let change = self.replacing(table, &key, field, head, to_json(&value), to_json(&old))?;
                self.log_replacing(table, id, "update", vec![change])
            }
            Change::Erase { table, id, mut values, tombstone } => {
                let deleted: Option<Option<i64>> = self
                    .tx
                    .prepare_cached(&format!("SELECT deleted_at FROM {table} WHERE id = ?1"))?
                    .query_row([id], |r| r.get(0))
                    .optional()?;
                let Some(deleted) = deleted else {
                    return Err(Error::NotFound { entity: entity_of(table), id: id.to_string() });
                };
                if tombstone && deleted.is_none() {
                    values.push(("deleted_at", Value::Integer(self.now_ms)));
                }
                let sets: Vec<String> =
                    values.iter().enumerate().map(|(i, (c, _))| format!("{c} = ?{}", i + 1)).collect();
                let sql = format!(
                    "UPDATE {table} SET {}, updated_at = max(updated_at, ?{}) WHERE id = ?{}",
                    sets.join(", "),
                    values.len() + 1,
                    values.len() + 2
                );
                let mut params: Vec<Value> = values.iter().map(|(_, v)| v.clone()).collect();
                params.push(Value::Integer(self.now_ms));
                params.push(Value::Text(id.to_string()));
                self.tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(params))?;
                let cols: Vec<&str> = values.iter().map(|(c, _)| *c).collect();
                let key = row_key(id);
                let heads = super::log::heads(&self.tx, table, &key, &cols)?;
                let mut fields = Vec::with_capacity(values.len());
                for ((col, new), head) in values.iter().zip(heads) {
                    fields.push(self.replacing(table, &key, col, head, to_json(new), serde_json::Value::Null)?);
                }
                self.log_replacing(table, id, "update", fields)
            }
        }
    }

    /// A change of `field` from `old` to `new` that replaces every leaf the field has (its newest
    /// change `head`, or the leaves `sync_leaves` keeps for it), and whether the new change must
    /// be pinned as the field's leaf: when this desktop's clock is not after `head` (a peer's
    /// clock ran ahead and this one did not follow), "newest" would otherwise still name `head`.
    fn replacing(
        &self,
        table: &str,
        key: &Value,
        field: &str,
        head: Option<super::log::Head>,
        new: serde_json::Value,
        old: serde_json::Value,
    ) -> Result<(FieldChange, bool)> {
        let (replaces, also) = super::replica::take_leaves(&self.tx, table, key, field, head)?;
        let pin = head.is_some_and(|h| h.hlc >= self.hlc.raw());
        Ok((FieldChange { field: field.to_string(), new, old, replaces, also }, pin))
    }

    /// [`Writer::log`] of changes made by [`Writer::replacing`], pinning those that must be.
    fn log_replacing(&mut self, table: &str, id: &str, op: &str, fields: Vec<(FieldChange, bool)>) -> Result<usize> {
        let first = self.next_seq;
        let pins: Vec<(String, i64)> = fields
            .iter()
            .enumerate()
            .filter(|(_, (_, pin))| *pin)
            .map(|(i, (f, _))| (f.field.clone(), first + i as i64))
            .collect();
        let n = self.log(table, id, op, fields.into_iter().map(|(f, _)| f).collect())?;
        let key = row_key(id);
        for (field, seq) in pins {
            super::replica::pin_leaf(&self.tx, table, &key, &field, (self.origin, seq))?;
        }
        Ok(n)
    }

    /// The current transaction, as (this device's origin number, transaction number).
    pub(super) fn this_tx(&self) -> (i64, i64) {
        (self.origin, self.tx_no)
    }

    /// Device-local bookkeeping (not domain data, not logged): next value of a meta counter.
    pub fn next_counter(&mut self, key: &str) -> Result<i64> {
        let v: String = self.tx.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))?;
        let n = v.parse::<i64>().map_err(|_| Error::Corrupt(format!("meta {key}")))? + 1;
        self.tx.execute("UPDATE meta SET value = ?1 WHERE key = ?2", (n.to_string(), key))?;
        Ok(n)
    }

    /// Appends one log entry for a row change of `fields` (none: nothing is logged); the entry
    /// takes one sequence number per field and extends this device's audit chain. Returns the
    /// number of fields logged.
    fn log(&mut self, table: &str, id: &str, op: &str, fields: Vec<FieldChange>) -> Result<usize> {
        let actor = self.actor;
        self.log_as(&actor.user, actor.batch.as_deref(), table, row_key(id), op, fields)
    }

    /// The sequence number the next entry this transaction logs takes.
    pub(super) fn next_seq(&self) -> i64 {
        self.next_seq
    }

    /// Logs again, as this desktop's own change in this transaction, a change another identity of
    /// this book made (see `replica::rebase_former`): its user and batch (an import's undo finds
    /// it) kept, its `fields` as given.
    pub(super) fn log_as(
        &mut self,
        user: &str,
        batch: Option<&str>,
        table: &str,
        row: Value,
        op: &str,
        fields: Vec<FieldChange>,
    ) -> Result<usize> {
        if fields.is_empty() {
            return Ok(0);
        }
        let seq = self.next_seq;
        self.next_seq += fields.len() as i64;
        let text = encode_fields(&fields);
        let header = crate::security::chain::EntryHeader {
            origin: self.device,
            seq,
            hlc: self.hlc.raw(),
            tx: self.tx_no,
            batch,
            user,
            table,
            row: match &row {
                Value::Blob(b) => crate::security::chain::RowKey::Blob(b),
                Value::Text(t) => crate::security::chain::RowKey::Text(t),
                _ => crate::security::chain::RowKey::Text(""),
            },
            op,
        };
        let signer = super::audit::Signer {
            key: self.device_key,
            device: self.device,
            origin: self.origin,
            now_ms: self.now_ms,
        };
        let (salt, link) = self.chains.change(&self.tx, &signer, &header, &text)?;
        self.last_entry = Some((seq, link));
        self.tx
            .prepare_cached(
                "INSERT INTO changes (origin, seq, hlc, tx, batch_id, user_id, tbl, row_id, op, fields, salt, link)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(rusqlite::params![
                self.origin,
                seq,
                self.hlc.raw(),
                self.tx_no,
                batch,
                user,
                table,
                row,
                op,
                text,
                salt.as_slice(),
                link.as_slice(),
            ])?;
        Ok(fields.len())
    }

    /// Benchmarks only (`cargo xtask bench security`): logs the `i`-th of a run of synthetic
    /// entries shaped like a book's own (every fifth the insert of a customer's nine fields, the
    /// others an edit of one or two fields with their old values and predecessors) through the
    /// same chained path as every change, without writing any row.
    pub(super) fn log_synthetic(&mut self, i: u64) -> Result<usize> {
        let id = uuid::Uuid::from_u64_pair(0xba17a7, i / 5).to_string();
        let text = |v: String| serde_json::Value::from(v);
        let f = |field: &str, new: serde_json::Value, old: serde_json::Value, replaces| FieldChange {
            field: field.into(),
            new,
            old,
            replaces,
            also: Vec::new(),
        };
        if i.is_multiple_of(5) {
            let n = i / 5;
            let fields = vec![
                f("kind", text("person".into()), serde_json::Value::Null, None),
                f("name", text(format!("客户 Customer {n}")), serde_json::Value::Null, None),
                f("phones", text(format!("[\"+8613{:09}\"]", n % 1_000_000_000)), serde_json::Value::Null, None),
                f("emails", text(format!("[\"customer{n}@example.com\"]")), serde_json::Value::Null, None),
                f("company", text(format!("Company {}", n % 9973)), serde_json::Value::Null, None),
                f("city", text("上海".into()), serde_json::Value::Null, None),
                f("tags", text("[\"vip\",\"2026\"]".into()), serde_json::Value::Null, None),
                f(
                    "notes",
                    text(format!("Met at the trade fair, wants a quote for order {n}")),
                    serde_json::Value::Null,
                    None,
                ),
                f("owner", text(uuid::Uuid::from_u64_pair(7, n % 500).to_string()), serde_json::Value::Null, None),
            ];
            return self.log("customers", &id, "insert", fields);
        }
        let head = Some((self.origin, self.next_seq - 1));
        let fields = if i.is_multiple_of(2) {
            vec![f("city", text("杭州".into()), text("上海".into()), head)]
        } else {
            vec![
                f("phones", text("[\"+8613900139000\"]".into()), text("[\"+8613800138000\"]".into()), head),
                f("notes", text(format!("Called back on {i}")), text("Met at the trade fair".into()), head),
            ]
        };
        self.log("customers", &id, "update", fields)
    }

    /// Appends an audit event by the acting user (sign-ins, lockouts, exports, ...): `detail` is
    /// a JSON object saying what and to whom.
    pub fn event(&mut self, kind: &str, detail: &serde_json::Value) -> Result<()> {
        let signer = super::audit::Signer {
            key: self.device_key,
            device: self.device,
            origin: self.origin,
            now_ms: self.now_ms,
        };
        self.chains.event(&self.tx, &signer, self.hlc.raw(), &self.actor.user, kind, &detail.to_string())
    }
}

/// A table as the entity people call it (`order_lines` → `order-line`), for messages.
pub(crate) fn entity_of(table: &str) -> &'static str {
    match table {
        "customers" => "customer",
        "contacts" => "contact",
        "activities" => "activity",
        "products" => "product",
        "orders" => "order",
        "order_lines" => "order-line",
        "custom_fields" => "custom-field",
        "users" => "user",
        "roles" => "role",
        "settings" => "setting",
        _ => "record",
    }
}

/// A row id as stored in the log: a UUID as its 16 bytes, any other key (settings) as text.
pub(super) fn row_key(id: &str) -> Value {
    match uuid::Uuid::try_parse(id) {
        Ok(u) => Value::Blob(u.as_bytes().to_vec()),
        Err(_) => Value::Text(id.to_string()),
    }
}
