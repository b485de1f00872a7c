//! Customers, their contacts and activities, and custom field definitions.

use super::{Change, Reach, Store, Writer};
use crate::error::{Error, FieldError, Result};
use crate::model::*;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};

/// A customer's columns, and its owner's name (a user's; none for text that names no user).
/// Every query reading them names the table `customers`, unaliased, for the owner's subquery.
const COLS: &str = "id, kind, name, company, phones, emails, address, city, country, tags, owner, source, notes, \
                    custom, created_at, updated_at, deleted_at, \
                    (SELECT u.name FROM users u WHERE u.id = customers.owner AND u.deleted_at IS NULL)";

/// Which customers a list shows. Free-text search is the search module's job.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CustomerFilter {
    pub kind: Option<CustomerKind>,
    pub tag: Option<String>,
    pub city: Option<String>,
    pub owner: Option<String>,
    pub include_deleted: bool,
    pub sort: CustomerSort,
    pub limit: Option<u32>,
    pub offset: u32,
}

/// The order of a customer list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum CustomerSort {
    #[default]
    Name,
    /// Most recently changed first.
    Updated,
    /// Newest first.
    Created,
}

fn text(v: &Option<String>) -> Value {
    v.as_ref().map(|s| Value::Text(s.clone())).unwrap_or(Value::Null)
}

fn json<T: serde::Serialize>(v: &T) -> Value {
    Value::Text(serde_json::to_string(v).expect("plain data serializes"))
}

pub(super) fn customer_values(c: &ValidCustomer) -> Vec<(&'static str, Value)> {
    vec![
        ("kind", Value::Text(c.kind.as_str().into())),
        ("name", Value::Text(c.name.clone())),
        ("company", text(&c.company)),
        ("phones", json(&c.phones)),
        ("emails", json(&c.emails)),
        ("address", text(&c.address)),
        ("city", text(&c.city)),
        ("country", text(&c.country)),
        ("tags", json(&c.tags)),
        ("owner", text(&c.owner)),
        ("source", text(&c.source)),
        ("notes", text(&c.notes)),
        ("custom", json(&c.custom)),
    ]
}

fn parse_json<T: serde::de::DeserializeOwned>(s: String, idx: usize) -> rusqlite::Result<T> {
    serde_json::from_str(&s)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e)))
}

fn row_to_customer(r: &Row<'_>) -> rusqlite::Result<Customer> {
    let kind: String = r.get(1)?;
    Ok(Customer {
        id: super::id_column(r, 0)?,
        kind: if kind == "company" { CustomerKind::Company } else { CustomerKind::Person },
        name: r.get(2)?,
        company: r.get(3)?,
        phones: parse_json(r.get(4)?, 4)?,
        emails: parse_json(r.get(5)?, 5)?,
        address: r.get(6)?,
        city: r.get(7)?,
        country: r.get(8)?,
        tags: parse_json(r.get(9)?, 9)?,
        owner: r.get(10)?,
        source: r.get(11)?,
        notes: r.get(12)?,
        custom: parse_json(r.get(13)?, 13)?,
        created_at: r.get(14)?,
        updated_at: r.get(15)?,
        deleted: r.get::<_, Option<i64>>(16)?.is_some(),
        owner_name: r.get(17)?,
        redacted: Vec::new(),
    })
}

impl Writer<'_> {
    pub fn insert_customer(&mut self, c: &ValidCustomer) -> Result<CustomerId> {
        let id = CustomerId::new(self.now_ms());
        self.apply(Change::Insert { table: "customers", id: &id.to_string(), values: customer_values(c) })?;
        Ok(id)
    }
}

impl Store {
    pub fn add_customer(&self, actor: &super::Actor, c: &ValidCustomer) -> Result<Customer> {
        let id = self.write(actor, |w| w.insert_customer(c))?;
        self.customer(id)
    }

    /// The floors of `cargo xtask bench io`: `rows` written in one transaction into the customers
    /// table alone (no change log, no search index, no match keys), or with the change log the
    /// gateway writes but no index. Never called outside benchmarks: a book written this way is
    /// not searchable and its log may be incomplete.
    #[doc(hidden)]
    pub fn insert_for_benchmark(&self, rows: &[ValidCustomer], with_log: bool) -> Result<()> {
        let actor = super::Actor { user: "bench".into(), batch: None };
        self.write(&actor, |w| {
            for c in rows {
                let id = CustomerId::new(w.now_ms()).to_string();
                let change = Change::Insert { table: "customers", id: &id, values: customer_values(c) };
                if with_log {
                    w.apply_unindexed(change)?;
                } else {
                    w.insert_bare(change)?;
                }
            }
            Ok(())
        })
    }

    /// Adds many customers in one transaction (demo data, imports): all or none.
    pub fn add_customers(&self, actor: &super::Actor, cs: &[ValidCustomer]) -> Result<Vec<CustomerId>> {
        self.write(actor, |w| cs.iter().map(|c| w.insert_customer(c)).collect())
    }

    /// Applies `patch` to the customer as this transaction reads it, validates the result with
    /// `ctx`, and writes only the columns the patch sets: a field someone else changed after the
    /// form was loaded (an import, a script, another window) keeps their value.
    pub fn patch_customer(
        &self,
        actor: &super::Actor,
        id: CustomerId,
        patch: &CustomerPatch,
        ctx: &ValidationContext,
        reach: &Reach,
    ) -> Result<Customer> {
        self.write(actor, |w| {
            let current = customer_in(w.conn(), id)?;
            if current.deleted || !reach.contains(current.owner.as_deref()) {
                return Err(Error::NotFound { entity: "customer", id: id.to_string() });
            }
            let meanwhile = patch.edited_meanwhile(&current);
            if !meanwhile.is_empty() {
                return Err(Error::Invalid(
                    meanwhile
                        .into_iter()
                        .map(|(field, now)| FieldError::new(field, "error-edited-meanwhile").arg("value", now))
                        .collect(),
                ));
            }
            let valid = patch.apply_to(&current).validate(ctx)?;
            let set = patch.columns();
            let values = customer_values(&valid).into_iter().filter(|(c, _)| set.contains(c)).collect();
            w.apply(Change::Update { table: "customers", id: &id.to_string(), values })
        })?;
        self.customer(id)
    }

    /// Deletes a customer within `reach` (one out of it is not found).
    pub fn delete_customer(&self, actor: &super::Actor, id: CustomerId, reach: &Reach) -> Result<()> {
        self.write(actor, |w| {
            if !reach.contains(customer_in(w.conn(), id)?.owner.as_deref()) {
                return Err(Error::NotFound { entity: "customer", id: id.to_string() });
            }
            w.apply(Change::Delete { table: "customers", id: &id.to_string() }).map(|_| ())
        })
    }

    /// Streams every live customer within `reach`, oldest first, to `f` through one statement
    /// (exports of a million customers without paging).
    pub fn each_customer<T>(
        &self,
        reach: &Reach,
        f: impl FnOnce(&mut dyn FnMut() -> Option<Result<Customer>>) -> Result<T>,
    ) -> Result<T> {
        let conn = self.reader();
        let (cond, params) = match reach.condition("owner") {
            Some((c, v)) => (format!(" AND {}", c.replace('?', "?1")), vec![v]),
            None => (String::new(), Vec::new()),
        };
        // Oldest first; customers made in the same millisecond in the order this book stored
        // them. `created_at, rowid` is the order of the `customers_created` index itself, so
        // the rows stream straight from it; with `id` as the tie-break SQLite copied every row
        // through a sorter.
        let mut st = conn.prepare(&format!(
            "SELECT {COLS} FROM customers WHERE deleted_at IS NULL{cond} ORDER BY created_at, rowid"
        ))?;
        let mut rows = st.query(rusqlite::params_from_iter(params))?;
        let mut next = || match rows.next() {
            Ok(Some(r)) => Some(row_to_customer(r).map_err(Error::from)),
            Ok(None) => None,
            Err(e) => Some(Err(e.into())),
        };
        f(&mut next)
    }

    /// A customer, including a deleted one (its tombstone keeps the values).
    pub fn customer(&self, id: CustomerId) -> Result<Customer> {
        customer_in(&self.reader(), id)
    }

    /// The customers within `reach` a list filter shows, one page of them.
    pub fn customers(&self, f: &CustomerFilter, reach: &Reach) -> Result<Vec<Customer>> {
        let (where_sql, params) = filter_sql(f, reach);
        let sql = format!(
            "SELECT {COLS} FROM customers WHERE {where_sql} ORDER BY {} LIMIT {} OFFSET {}",
            match f.sort {
                CustomerSort::Name => "name, id",
                CustomerSort::Updated => "updated_at DESC, id DESC",
                CustomerSort::Created => "created_at DESC, id DESC",
            },
            f.limit.map(|l| l as i64).unwrap_or(-1),
            f.offset
        );
        let conn = self.reader();
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params), row_to_customer)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// How many customers within `reach` the filter matches (its limit and offset aside).
    pub fn count_customers(&self, f: &CustomerFilter, reach: &Reach) -> Result<i64> {
        let (where_sql, params) = filter_sql(f, reach);
        let sql = format!("SELECT count(*) FROM customers WHERE {where_sql}");
        Ok(self.reader().query_row(&sql, rusqlite::params_from_iter(params), |r| r.get(0))?)
    }

    /// The ids of a customer's rows in `table` (contacts, activities, orders), deleted ones too:
    /// what its history covers.
    pub fn rows_of_customer(&self, table: &str, customer: CustomerId) -> Result<Vec<String>> {
        debug_assert!(["contacts", "activities", "orders"].contains(&table));
        let conn = self.reader();
        let mut st = conn.prepare_cached(&format!("SELECT id FROM {table} WHERE customer_id = ?1"))?;
        let rows = st.query_map([customer.to_string()], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The ids of an order's lines, removed ones too.
    pub fn lines_of_order(&self, order: &str) -> Result<Vec<String>> {
        let conn = self.reader();
        let mut st = conn.prepare_cached("SELECT id FROM order_lines WHERE order_id = ?1")?;
        let rows = st.query_map([order], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many live customers are within `reach`.
    pub fn customer_count(&self, reach: &Reach) -> Result<i64> {
        self.count_customers(&CustomerFilter::default(), reach)
    }

    pub fn add_contact(&self, actor: &super::Actor, customer: CustomerId, c: &ContactInput) -> Result<Contact> {
        let id = ContactId::new(self.now_ms());
        self.write(actor, |w| {
            let owner = customer_in(w.conn(), customer)?;
            if owner.deleted {
                return Err(Error::NotFound { entity: "customer", id: customer.to_string() });
            }
            if owner.kind != CustomerKind::Company {
                return Err(Error::invalid("customerId", "error-contact-needs-company"));
            }
            w.insert_contact(id, customer, c)
        })?;
        self.contacts(customer)?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or(Error::NotFound { entity: "contact", id: id.to_string() })
    }

    pub fn contacts(&self, customer: CustomerId) -> Result<Vec<Contact>> {
        contacts_in(&self.reader(), customer)
    }

    pub fn add_activity(
        &self,
        actor: &super::Actor,
        customer: CustomerId,
        kind: ActivityKind,
        at: &str,
        body: &str,
    ) -> Result<Activity> {
        let id = ActivityId::new(self.now_ms());
        self.write(actor, |w| {
            if customer_in(w.conn(), customer)?.deleted {
                return Err(Error::NotFound { entity: "customer", id: customer.to_string() });
            }
            w.apply(Change::Insert {
                table: "activities",
                id: &id.to_string(),
                values: vec![
                    ("customer_id", Value::Text(customer.to_string())),
                    ("kind", Value::Text(kind.as_str().into())),
                    ("occurred_at", Value::Text(at.into())),
                    ("text", Value::Text(body.into())),
                ],
            })
        })?;
        self.activities(customer)?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(Error::NotFound { entity: "activity", id: id.to_string() })
    }

    /// The customer's timeline, newest first.
    pub fn activities(&self, customer: CustomerId) -> Result<Vec<Activity>> {
        let conn = self.reader();
        let mut stmt = conn.prepare(
            "SELECT id, customer_id, kind, occurred_at, text, created_at FROM activities
             WHERE customer_id = ?1 AND deleted_at IS NULL ORDER BY occurred_at DESC, id DESC",
        )?;
        let rows = stmt.query_map([customer.to_string()], |r| {
            let kind: String = r.get(2)?;
            Ok(Activity {
                id: super::id_column(r, 0)?,
                customer_id: customer,
                kind: ActivityKind::parse(&kind, "kind").unwrap_or(ActivityKind::Note),
                occurred_at: r.get(3)?,
                text: r.get(4)?,
                created_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn add_custom_field(&self, actor: &super::Actor, def: &CustomFieldDef) -> Result<()> {
        let id = CustomFieldId::new(self.now_ms());
        self.write(actor, |w| {
            let taken: bool = w.conn().query_row(
                "SELECT EXISTS (SELECT 1 FROM custom_fields WHERE entity = 'customer' AND key = ?1 AND deleted_at IS NULL)",
                [&def.key],
                |r| r.get(0),
            )?;
            if taken {
                return Err(Error::field(crate::FieldError::new("key", "error-custom-key-taken").arg("key", &def.key)));
            }
            w.apply(Change::Insert {
                table: "custom_fields",
                id: &id.to_string(),
                values: vec![
                    ("entity", Value::Text("customer".into())),
                    ("key", Value::Text(def.key.clone())),
                    ("label", Value::Text(def.label.clone())),
                    ("kind", Value::Text(def.kind.as_str().into())),
                    ("choices", json(&def.choices)),
                ],
            })
        })?;
        Ok(())
    }

    pub fn custom_fields(&self) -> Result<Vec<CustomFieldDef>> {
        let conn = self.reader();
        let mut stmt = conn.prepare(
            // One definition per key: two with one key exist only when each was made on its own
            // desktop and synced (a sync conflict); the older one counts meanwhile.
            "SELECT key, label, kind, choices FROM custom_fields f WHERE entity = 'customer' AND deleted_at IS NULL
             AND id = (SELECT id FROM custom_fields g WHERE g.entity = f.entity AND g.key = f.key AND g.deleted_at IS NULL
                       ORDER BY created_at, id LIMIT 1)
             ORDER BY key",
        )?;
        let rows = stmt.query_map([], |r| {
            let kind: String = r.get(2)?;
            Ok(CustomFieldDef {
                key: r.get(0)?,
                label: r.get(1)?,
                kind: CustomFieldKind::parse(&kind, "kind").unwrap_or(CustomFieldKind::Text),
                choices: parse_json(r.get(3)?, 3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

/// The WHERE clause of a customer list within `reach` and its parameters.
fn filter_sql(f: &CustomerFilter, reach: &Reach) -> (String, Vec<Value>) {
    let mut sql = String::from("1 = 1");
    let mut params: Vec<Value> = Vec::new();
    if let Some((cond, v)) = reach.condition("owner") {
        params.push(v);
        sql.push_str(&format!(" AND {}", cond.replace('?', &format!("?{}", params.len()))));
    }
    if !f.include_deleted {
        sql.push_str(" AND deleted_at IS NULL");
    }
    if let Some(k) = f.kind {
        params.push(Value::Text(k.as_str().into()));
        sql.push_str(&format!(" AND kind = ?{}", params.len()));
    }
    if let Some(t) = &f.tag {
        params.push(Value::Text(t.clone()));
        sql.push_str(&format!(" AND EXISTS (SELECT 1 FROM json_each(customers.tags) WHERE value = ?{})", params.len()));
    }
    if let Some(c) = &f.city {
        params.push(Value::Text(c.clone()));
        sql.push_str(&format!(" AND city = ?{}", params.len()));
    }
    if let Some(o) = &f.owner {
        params.push(Value::Text(o.clone()));
        sql.push_str(&format!(" AND owner = ?{}", params.len()));
    }
    (sql, params)
}

pub(super) fn customer_in(conn: &Connection, id: CustomerId) -> Result<Customer> {
    conn.prepare_cached(&format!("SELECT {COLS} FROM customers WHERE id = ?1"))?
        .query_row([id.to_string()], row_to_customer)
        .optional()?
        .ok_or(Error::NotFound { entity: "customer", id: id.to_string() })
}

/// Up to `n` live customers in (updated_at, id) order after `after` (from the first when `None`):
/// one page of a pass over the whole book, each page its own read.
pub(super) fn live_customers_after(conn: &Connection, after: Option<(i64, &str)>, n: usize) -> Result<Vec<Customer>> {
    let (t, id) = after.unwrap_or((i64::MIN, ""));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM customers WHERE deleted_at IS NULL AND (updated_at, id) > (?1, ?2)
         ORDER BY updated_at, id LIMIT ?3"
    ))?;
    Ok(stmt.query_map((t, id, n as i64), row_to_customer)?.collect::<rusqlite::Result<_>>()?)
}

/// The live contacts of a customer as `conn` sees them, by name.
pub(super) fn contacts_in(conn: &Connection, customer: CustomerId) -> Result<Vec<Contact>> {
    let mut stmt = conn.prepare(
        "SELECT id, customer_id, name, title, phones, emails, notes, created_at, updated_at FROM contacts
         WHERE customer_id = ?1 AND deleted_at IS NULL ORDER BY name",
    )?;
    let rows = stmt.query_map([customer.to_string()], |r| {
        Ok(Contact {
            id: super::id_column(r, 0)?,
            customer_id: super::id_column(r, 1)?,
            name: r.get(2)?,
            title: r.get(3)?,
            phones: parse_json(r.get(4)?, 4)?,
            emails: parse_json(r.get(5)?, 5)?,
            notes: r.get(6)?,
            created_at: r.get(7)?,
            updated_at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

impl Writer<'_> {
    /// Inserts a contact of `customer` (a company).
    pub(crate) fn insert_contact(&mut self, id: ContactId, customer: CustomerId, c: &ContactInput) -> Result<usize> {
        self.apply(Change::Insert {
            table: "contacts",
            id: &id.to_string(),
            values: vec![
                ("customer_id", Value::Text(customer.to_string())),
                ("name", text(&c.name)),
                ("title", text(&c.title)),
                ("phones", json(&c.phones)),
                ("emails", json(&c.emails)),
                ("notes", text(&c.notes)),
            ],
        })
    }

    /// Gives `customer` the contact `c` unless it has one of that name already (an import run
    /// twice, or a company listed once per contact person).
    pub fn ensure_contact(&mut self, customer: CustomerId, c: &ContactInput) -> Result<bool> {
        if contacts_in(self.conn(), customer)?.iter().any(|k| Some(&k.name) == c.name.as_ref()) {
            return Ok(false);
        }
        self.insert_contact(ContactId::new(self.now_ms()), customer, c)?;
        Ok(true)
    }
}
