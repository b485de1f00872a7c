//! Privacy (PIPL): consents, and the erasure of one person — their rows overwritten, their log
//! values and salts dropped (the commitments stay, so the audit chain verifies), their search
//! entry, match keys and the typo vocabulary only they used removed, then FTS5's segments merged
//! and the WAL truncated so no page of the file holds what was erased (`secure_delete` zeroes
//! freed cells and pages).

use super::Store;
use super::gateway::{Change, row_key};
use crate::error::{Error, Result};
use crate::model::CustomerId;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

/// One consent given or withdrawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    pub id: String,
    pub customer_id: String,
    pub purpose: String,
    /// given or withdrawn.
    pub status: String,
    /// How: form, phone, email, paper, web, in-person.
    pub channel: String,
    pub notice_version: String,
    /// The user who recorded it (id) and their name.
    pub recorded_by: String,
    pub recorded_by_name: String,
    /// When the person gave or withdrew it (Unix ms).
    pub at_ms: i64,
}

/// A consent as validated by the façade.
#[derive(Debug, Clone)]
pub struct ValidConsent {
    pub purpose: String,
    pub given: bool,
    pub channel: String,
    pub notice_version: String,
    pub at_ms: i64,
}

/// What an erasure did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ErasureCounts {
    /// Rows overwritten: the customer, their contacts, activities, and orders' notes.
    pub rows: usize,
    /// Change-log entries whose values and salt were dropped.
    pub log_entries: usize,
    /// Audit events that named the person (an export's search, say), sealed alike.
    pub events: usize,
    /// Words of the typo vocabulary only this person used.
    pub search_terms: usize,
}

/// Whether row `id` of `table` is an erased customer's (the customer, or one of its contacts,
/// activities or orders).
pub(super) fn of_erased(conn: &Connection, table: &str, id: &str) -> Result<bool> {
    let sql = match table {
        "customers" => "SELECT EXISTS (SELECT 1 FROM erasures WHERE id = ?1)",
        "contacts" => {
            "SELECT EXISTS (SELECT 1 FROM contacts t JOIN erasures e ON e.id = t.customer_id WHERE t.id = ?1)"
        }
        "activities" => {
            "SELECT EXISTS (SELECT 1 FROM activities t JOIN erasures e ON e.id = t.customer_id WHERE t.id = ?1)"
        }
        "orders" => "SELECT EXISTS (SELECT 1 FROM orders t JOIN erasures e ON e.id = t.customer_id WHERE t.id = ?1)",
        _ => return Ok(false),
    };
    Ok(conn.prepare_cached(sql)?.query_row([id], |r| r.get(0))?)
}

fn ids(conn: &Connection, sql: &str, customer: &str) -> Result<Vec<String>> {
    Ok(conn.prepare(sql)?.query_map([customer], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}

fn list(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

impl Store {
    /// Records a consent given or withdrawn, through the gateway.
    pub fn add_consent(&self, actor: &super::Actor, customer: CustomerId, c: &ValidConsent) -> Result<Consent> {
        let id = uuid::Uuid::now_v7().to_string();
        let cid = customer.to_string();
        self.write(actor, |w| {
            let live: Option<bool> = w
                .conn()
                .query_row("SELECT deleted_at IS NULL FROM customers WHERE id = ?1", [&cid], |r| r.get(0))
                .optional()?;
            if live != Some(true) {
                return Err(Error::NotFound { entity: "customer", id: cid.clone() });
            }
            let values = vec![
                ("customer_id", Value::Text(cid.clone())),
                ("purpose", Value::Text(c.purpose.clone())),
                ("status", Value::Text(if c.given { "given" } else { "withdrawn" }.into())),
                ("channel", Value::Text(c.channel.clone())),
                ("notice_version", Value::Text(c.notice_version.clone())),
                ("recorded_by", Value::Text(actor.user.clone())),
                ("at", Value::Integer(c.at_ms)),
            ];
            w.apply(Change::Insert { table: "consents", id: &id, values }).map(drop)
        })?;
        self.consents(customer)?
            .into_iter()
            .find(|x| x.id == id)
            .ok_or_else(|| Error::Corrupt("the consent just written".into()))
    }

    /// A customer's consents, oldest first (the last per purpose is its current answer).
    pub fn consents(&self, customer: CustomerId) -> Result<Vec<Consent>> {
        let conn = self.reader();
        let mut st = conn.prepare_cached(
            "SELECT c.id, c.customer_id, c.purpose, c.status, c.channel, c.notice_version, c.recorded_by,
                    coalesce((SELECT u.name FROM users u WHERE u.id = c.recorded_by), c.recorded_by), c.at
             FROM consents c WHERE c.customer_id = ?1 AND c.deleted_at IS NULL ORDER BY c.at, c.id",
        )?;
        let rows = st.query_map([customer.to_string()], |r| {
            Ok(Consent {
                id: r.get(0)?,
                customer_id: r.get(1)?,
                purpose: r.get(2)?,
                status: r.get(3)?,
                channel: r.get(4)?,
                notice_version: r.get(5)?,
                recorded_by: r.get(6)?,
                recorded_by_name: r.get(7)?,
                at_ms: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether a customer was erased.
    pub fn is_erased(&self, customer: CustomerId) -> Result<bool> {
        Ok(self.reader().query_row(
            "SELECT EXISTS (SELECT 1 FROM erasures WHERE id = ?1)",
            [customer.to_string()],
            |r| r.get(0),
        )?)
    }

    /// Erases one person in one transaction: visible (gone from lists, search, history) when it
    /// returns. [`Store::purge_erased`] then makes sure no page of the file keeps any of it.
    pub fn erase_customer(&self, actor: &super::Actor, customer: CustomerId, reason: &str) -> Result<ErasureCounts> {
        let cid = customer.to_string();
        self.write(actor, |w| {
            let conn = w.conn();
            let erased: bool =
                conn.query_row("SELECT EXISTS (SELECT 1 FROM erasures WHERE id = ?1)", [&cid], |r| r.get(0))?;
            if erased {
                return Err(Error::NotFound { entity: "customer", id: cid.clone() });
            }
            let c = super::customers::customer_in(conn, customer)?;
            // What the person's data looks like wherever else it may be written (audit events),
            // and the typo vocabulary they may have added.
            let mut needles: Vec<String> = vec![c.name.clone()];
            needles.extend(c.phones.iter().cloned());
            needles.extend(c.phones.iter().map(|p| p.trim_start_matches('+').to_string()));
            needles.extend(c.emails.iter().cloned());
            let contacts: Vec<(String, String, String, String)> = conn
                .prepare("SELECT id, name, phones, emails FROM contacts WHERE customer_id = ?1")?
                .query_map([&cid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (_, name, phones, emails) in &contacts {
                needles.push(name.clone());
                needles.extend(list(phones));
                needles.extend(list(emails));
            }
            let mut needles: Vec<String> =
                needles.into_iter().map(|n| n.trim().to_lowercase()).filter(|n| n.chars().count() >= 2).collect();
            needles.sort();
            needles.dedup();
            let terms = super::search::typo_terms_of(conn, &c)?;
            let activities = ids(conn, "SELECT id FROM activities WHERE customer_id = ?1", &cid)?;
            let orders = ids(conn, "SELECT id FROM orders WHERE customer_id = ?1", &cid)?;
            let text = |s: &str| Value::Text(s.into());
            let mut counts = ErasureCounts::default();
            let values = vec![
                ("name", text("")),
                ("company", Value::Null),
                ("phones", text("[]")),
                ("emails", text("[]")),
                ("address", Value::Null),
                ("city", Value::Null),
                ("country", Value::Null),
                ("tags", text("[]")),
                ("source", Value::Null),
                ("notes", Value::Null),
                ("custom", text("{}")),
            ];
            w.apply(Change::Erase { table: "customers", id: &cid, values, tombstone: true })?;
            counts.rows += 1;
            for (id, ..) in &contacts {
                let values = vec![
                    ("name", text("")),
                    ("title", Value::Null),
                    ("phones", text("[]")),
                    ("emails", text("[]")),
                    ("notes", Value::Null),
                ];
                w.apply(Change::Erase { table: "contacts", id, values, tombstone: true })?;
                counts.rows += 1;
            }
            for id in &activities {
                w.apply(Change::Erase { table: "activities", id, values: vec![("text", text(""))], tombstone: true })?;
                counts.rows += 1;
            }
            // Orders stay (the books need their amounts); their notes may name the person.
            for id in &orders {
                w.apply(Change::Erase { table: "orders", id, values: vec![("notes", Value::Null)], tombstone: false })?;
                counts.rows += 1;
            }
            let values =
                vec![("reason", Value::Text(reason.to_string())), ("erased_by", Value::Text(actor.user.clone()))];
            w.apply(Change::Insert { table: "erasures", id: &cid, values })?;
            let keep = w.this_tx();
            let conn = w.conn();
            counts.log_entries += super::audit::seal_entries(conn, "customers", &row_key(&cid), keep, None)?;
            for (id, ..) in &contacts {
                counts.log_entries += super::audit::seal_entries(conn, "contacts", &row_key(id), keep, None)?;
            }
            for id in &activities {
                counts.log_entries += super::audit::seal_entries(conn, "activities", &row_key(id), keep, None)?;
            }
            for id in &orders {
                counts.log_entries += super::audit::seal_entries(conn, "orders", &row_key(id), keep, Some("notes"))?;
            }
            counts.events = super::audit::seal_events(conn, &needles)?;
            // The entry goes now, so the vocabulary is tested against the rest of the book.
            w.index_now()?;
            counts.search_terms = super::search::prune_terms(w.conn(), &terms)?;
            Ok(counts)
        })
    }

    /// After an erasure: merges each full-text table's segments into one (a deleted document's
    /// words stay in a segment until it is rewritten) and checkpoints the WAL into the file and
    /// truncates it, so neither the book nor its WAL holds a page with what was erased. Takes a
    /// while on a large book (every segment is rewritten); the erasure itself is visible before.
    /// Returns whether the WAL was truncated: not while another connection (the upkeep's
    /// checkpoint, another program with the book open) reads from it for longer than two
    /// seconds; its frames are then copied and the WAL removed when the last one closes the book.
    pub fn purge_erased(&self) -> Result<bool> {
        let _quiet = self.pause_upkeep();
        let conn = self.writer();
        for t in super::upkeep::FTS_TABLES {
            conn.execute(&format!("INSERT INTO {t} ({t}) VALUES ('optimize')"), [])?;
        }
        for _ in 0..100 {
            let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
            if busy == 0 {
                return Ok(true);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Ok(false)
    }

    /// The ids of every customer erased (for sync and restores to erase again).
    pub fn erased_ids(&self) -> Result<Vec<String>> {
        let conn = self.reader();
        let mut st = conn.prepare("SELECT id FROM erasures ORDER BY created_at")?;
        Ok(st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
    }
}
