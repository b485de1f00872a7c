//! Customers (people and companies), their contacts, activities and typed custom fields.

use super::{ActivityId, ContactId, CustomerId, MAX_LINE, MAX_TEXT, opt_text, required_text};
use crate::error::{Error, FieldError, Result};
use crate::quality::{email, phone};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum CustomerKind {
    Person,
    Company,
}

impl CustomerKind {
    pub fn parse(s: &str, field: &str) -> Result<Self, FieldError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "person" => Ok(Self::Person),
            "company" => Ok(Self::Company),
            _ => Err(FieldError::new(field, "error-customer-kind").arg("value", s.trim())),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Company => "company",
        }
    }
}

/// A stored customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: CustomerId,
    pub kind: CustomerKind,
    pub name: String,
    pub company: Option<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub tags: Vec<String>,
    /// The owning user's id, or text from before users that names none (such a customer is
    /// nobody's: only a role with scope "all" reaches it).
    pub owner: Option<String>,
    /// The owning user's name, when the owner is a user.
    #[serde(default)]
    pub owner_name: Option<String>,
    pub source: Option<String>,
    pub notes: Option<String>,
    pub custom: BTreeMap<String, CustomValue>,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted: bool,
    /// The field rules (`customer.phones`, `customer.custom.vip`) whose fields the reader's roles
    /// hide: emptied here, shown as "hidden".
    #[serde(default)]
    pub redacted: Vec<String>,
}

impl Customer {
    /// Who owns the customer, as people read it: the owning user's name, or the text kept from
    /// before users.
    pub fn owner_label(&self) -> Option<&str> {
        self.owner_name.as_deref().or(self.owner.as_deref())
    }
}

/// What a caller types for a customer, unvalidated. Every field is text as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct CustomerInput {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub company: Option<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub tags: Vec<String>,
    pub owner: Option<String>,
    pub source: Option<String>,
    pub notes: Option<String>,
    pub custom: BTreeMap<String, String>,
}

/// A change to an existing customer: `None` leaves a field as it is; `Some` replaces it (an empty
/// string or list clears it).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct CustomerPatch {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub company: Option<String>,
    pub phones: Option<Vec<String>>,
    pub emails: Option<Vec<String>>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub tags: Option<Vec<String>>,
    pub owner: Option<String>,
    pub source: Option<String>,
    pub notes: Option<String>,
    /// Custom values to set; an empty string removes the value.
    pub custom: BTreeMap<String, String>,
    /// The customer as the form loaded it: a field this patch sets that someone else changed
    /// since (an import, the CLI, another window) is refused, naming the field, instead of
    /// overwritten unseen. None skips the check (the CLI's own edits).
    pub base: Option<Box<Customer>>,
}

impl CustomerPatch {
    /// The fields this patch sets whose stored value is no longer the one the form loaded
    /// (`base`), with the value stored now.
    pub fn edited_meanwhile(&self, current: &Customer) -> Vec<(String, String)> {
        let Some(base) = &self.base else { return Vec::new() };
        let (now, then) =
            (serde_json::to_value(current).unwrap_or_default(), serde_json::to_value(base).unwrap_or_default());
        let shown = |v: &serde_json::Value| match v {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(a) => a
                .iter()
                .map(|x| x.as_str().map(str::to_string).unwrap_or_else(|| x.to_string()))
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        };
        let mut out = Vec::new();
        for col in self.columns().into_iter().filter(|c| *c != "custom") {
            if now.get(col) != then.get(col) {
                out.push((col.to_string(), now.get(col).map(shown).unwrap_or_default()));
            }
        }
        for k in self.custom.keys() {
            let (a, b) = (current.custom.get(k), base.custom.get(k));
            if a != b {
                out.push((format!("custom.{k}"), a.map(|v| v.to_input()).unwrap_or_default()));
            }
        }
        out
    }

    /// The customer columns this patch sets (custom values live in one column, `custom`).
    pub fn columns(&self) -> Vec<&'static str> {
        let text = [
            ("kind", self.kind.is_some()),
            ("name", self.name.is_some()),
            ("company", self.company.is_some()),
            ("phones", self.phones.is_some()),
            ("emails", self.emails.is_some()),
            ("address", self.address.is_some()),
            ("city", self.city.is_some()),
            ("country", self.country.is_some()),
            ("tags", self.tags.is_some()),
            ("owner", self.owner.is_some()),
            ("source", self.source.is_some()),
            ("notes", self.notes.is_some()),
            ("custom", !self.custom.is_empty()),
        ];
        text.into_iter().filter(|(_, set)| *set).map(|(c, _)| c).collect()
    }

    /// The input that results from applying this patch to `current`.
    pub fn apply_to(&self, current: &Customer) -> CustomerInput {
        let pick = |new: &Option<String>, old: &Option<String>| new.clone().or_else(|| old.clone());
        let mut custom: BTreeMap<String, String> =
            current.custom.iter().map(|(k, v)| (k.clone(), v.to_input())).collect();
        for (k, v) in &self.custom {
            if v.trim().is_empty() {
                custom.remove(k);
            } else {
                custom.insert(k.clone(), v.clone());
            }
        }
        CustomerInput {
            kind: Some(self.kind.clone().unwrap_or_else(|| current.kind.as_str().to_string())),
            name: Some(self.name.clone().unwrap_or_else(|| current.name.clone())),
            company: pick(&self.company, &current.company),
            phones: self.phones.clone().unwrap_or_else(|| current.phones.clone()),
            emails: self.emails.clone().unwrap_or_else(|| current.emails.clone()),
            address: pick(&self.address, &current.address),
            city: pick(&self.city, &current.city),
            country: pick(&self.country, &current.country),
            tags: self.tags.clone().unwrap_or_else(|| current.tags.clone()),
            owner: pick(&self.owner, &current.owner),
            source: pick(&self.source, &current.source),
            notes: pick(&self.notes, &current.notes),
            custom,
        }
    }
}

/// A customer that passed validation: normalized and ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidCustomer {
    pub kind: CustomerKind,
    pub name: String,
    pub company: Option<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub tags: Vec<String>,
    pub owner: Option<String>,
    pub source: Option<String>,
    pub notes: Option<String>,
    pub custom: BTreeMap<String, CustomValue>,
}

/// What validation needs from settings and the schema of custom fields.
#[derive(Debug, Clone, Default)]
pub struct ValidationContext {
    pub region: phone::Region,
    pub custom_fields: Vec<CustomFieldDef>,
    /// The book's users, by whom an imported owner is found.
    pub owners: super::OwnerDirectory,
}

impl CustomerInput {
    /// Where a number typed without its country code is read: in the customer's own country
    /// when the record names one ("Germany", "德国", "DE"), else in the book's default region.
    pub fn phone_region(&self, ctx: &ValidationContext) -> phone::Region {
        self.country
            .as_deref()
            .and_then(crate::quality::country::code_of)
            .and_then(phone::Region::parse)
            .unwrap_or(ctx.region)
    }
}

impl CustomerInput {
    /// Validates and normalizes; all problems are reported at once, each naming its field.
    pub fn validate(&self, ctx: &ValidationContext) -> Result<ValidCustomer> {
        let mut errors = Vec::new();
        let kind = match self.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                errors.push(FieldError::new("kind", "error-required"));
                CustomerKind::Person
            }
            Some(k) => CustomerKind::parse(k, "kind").unwrap_or_else(|e| {
                errors.push(e);
                CustomerKind::Person
            }),
        };
        let name = required_text(&mut errors, "name", self.name.as_deref(), MAX_LINE);
        let region = self.phone_region(ctx);
        let mut phones = Vec::new();
        for (i, p) in self.phones.iter().enumerate() {
            if p.trim().is_empty() {
                continue;
            }
            match phone::normalize(p, region) {
                Some(n) if !phones.contains(&n) => phones.push(n),
                Some(_) => {}
                None => errors.push(
                    FieldError::new(format!("phones[{i}]"), "error-phone")
                        .arg("value", p.trim())
                        .arg("region", region.code()),
                ),
            }
        }
        let mut emails = Vec::new();
        for (i, e) in self.emails.iter().enumerate() {
            if e.trim().is_empty() {
                continue;
            }
            match email::normalize(e) {
                Some(n) if !emails.contains(&n) => emails.push(n),
                Some(_) => {}
                None => errors.push(FieldError::new(format!("emails[{i}]"), "error-email").arg("value", e.trim())),
            }
        }
        let mut tags: Vec<String> = Vec::new();
        for (i, t) in self.tags.iter().enumerate() {
            if let Some(t) = opt_text(&mut errors, &format!("tags[{i}]"), Some(t), 100)
                && !tags.iter().any(|x| x.to_lowercase() == t.to_lowercase())
            {
                tags.push(t);
            }
        }
        let custom = validate_custom(&mut errors, &self.custom, &ctx.custom_fields);
        let out = ValidCustomer {
            kind,
            name,
            company: opt_text(&mut errors, "company", self.company.as_deref(), MAX_LINE),
            phones,
            emails,
            address: opt_text(&mut errors, "address", self.address.as_deref(), MAX_LINE),
            city: opt_text(&mut errors, "city", self.city.as_deref(), 200),
            country: opt_text(&mut errors, "country", self.country.as_deref(), 200),
            tags,
            owner: opt_text(&mut errors, "owner", self.owner.as_deref(), 200),
            source: opt_text(&mut errors, "source", self.source.as_deref(), 200),
            notes: opt_text(&mut errors, "notes", self.notes.as_deref(), MAX_TEXT),
            custom,
        };
        if errors.is_empty() { Ok(out) } else { Err(Error::Invalid(errors)) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum CustomFieldKind {
    Text,
    Number,
    Date,
    Choice,
}

impl CustomFieldKind {
    pub fn parse(s: &str, field: &str) -> Result<Self, FieldError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(Self::Text),
            "number" => Ok(Self::Number),
            "date" => Ok(Self::Date),
            "choice" => Ok(Self::Choice),
            _ => Err(FieldError::new(field, "error-custom-kind").arg("value", s.trim())),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Date => "date",
            Self::Choice => "choice",
        }
    }
}

/// The definition of a custom field that an administrator added to customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldDef {
    pub key: String,
    pub label: String,
    pub kind: CustomFieldKind,
    pub choices: Vec<String>,
}

impl CustomFieldDef {
    pub fn validate(key: &str, label: &str, kind: &str, choices: &[String]) -> Result<Self> {
        let mut errors = Vec::new();
        let key = key.trim();
        if key.is_empty() {
            errors.push(FieldError::new("key", "error-required"));
        } else if key.len() > 64
            || !key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            || !key.starts_with(|c: char| c.is_ascii_lowercase())
        {
            errors.push(FieldError::new("key", "error-custom-key").arg("value", key));
        }
        let label = required_text(&mut errors, "label", Some(label), 200);
        let kind = CustomFieldKind::parse(kind, "kind").unwrap_or_else(|e| {
            errors.push(e);
            CustomFieldKind::Text
        });
        let choices: Vec<String> = choices.iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
        if kind == CustomFieldKind::Choice && choices.is_empty() {
            errors.push(FieldError::new("choices", "error-required"));
        }
        if errors.is_empty() {
            Ok(Self { key: key.to_string(), label, kind, choices })
        } else {
            Err(Error::Invalid(errors))
        }
    }
}

/// A typed custom value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum CustomValue {
    Text(String),
    Number(f64),
    /// ISO date, `YYYY-MM-DD`.
    Date(String),
    Choice(String),
}

impl CustomValue {
    pub fn to_input(&self) -> String {
        match self {
            Self::Text(s) | Self::Date(s) | Self::Choice(s) => s.clone(),
            Self::Number(n) => n.to_string(),
        }
    }
}

fn validate_custom(
    errors: &mut Vec<FieldError>,
    input: &BTreeMap<String, String>,
    defs: &[CustomFieldDef],
) -> BTreeMap<String, CustomValue> {
    let mut out = BTreeMap::new();
    for (key, raw) in input {
        let field = format!("custom.{key}");
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let Some(def) = defs.iter().find(|d| &d.key == key) else {
            errors.push(FieldError::new(field, "error-custom-unknown").arg("key", key));
            continue;
        };
        let value = match def.kind {
            CustomFieldKind::Text => opt_text(errors, &field, Some(raw), MAX_TEXT).map(CustomValue::Text),
            CustomFieldKind::Number => match raw.parse::<f64>() {
                Ok(n) if n.is_finite() => Some(CustomValue::Number(n)),
                _ => {
                    errors.push(FieldError::new(field, "error-number").arg("value", raw));
                    None
                }
            },
            CustomFieldKind::Date => match parse_date(raw) {
                Some(d) => Some(CustomValue::Date(d)),
                None => {
                    errors.push(FieldError::new(field, "error-date").arg("value", raw));
                    None
                }
            },
            CustomFieldKind::Choice => match def.choices.iter().find(|c| c.as_str() == raw) {
                Some(c) => Some(CustomValue::Choice(c.clone())),
                None => {
                    errors.push(
                        FieldError::new(field, "error-choice").arg("value", raw).arg("choices", def.choices.join(", ")),
                    );
                    None
                }
            },
        };
        if let Some(v) = value {
            out.insert(key.clone(), v);
        }
    }
    out
}

/// Accepts `YYYY-MM-DD` (also with `/` or `.`) and returns the ISO form; rejects impossible dates.
pub fn parse_date(s: &str) -> Option<String> {
    let norm = s.trim().replace(['/', '.'], "-");
    if !four_digit_year(&norm) {
        return None;
    }
    chrono::NaiveDate::parse_from_str(&norm, "%Y-%m-%d").ok().map(|d| d.format("%Y-%m-%d").to_string())
}

/// chrono's `%Y` takes any number of digits and a sign, so "24-05-01" was stored as the year
/// 0024 and "5/1/2024" as 0005: a year must be written with its four digits (the error asks for
/// YYYY-MM-DD, naming the field).
fn four_digit_year(norm: &str) -> bool {
    let year = norm.split('-').next().unwrap_or_default();
    year.len() == 4 && year.chars().all(|c| c.is_ascii_digit())
}

/// Accepts a date, or a date and a time (`YYYY-MM-DD HH:MM`), and returns the ISO form.
pub fn parse_date_time(s: &str) -> Option<String> {
    let t = s.trim().replace('T', " ");
    if let Some(d) = parse_date(&t) {
        return Some(d);
    }
    let t = t.replace(['/', '.'], "-");
    if !four_digit_year(&t) {
        return None;
    }
    chrono::NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S"))
        .ok()
        .map(|d| d.format("%Y-%m-%dT%H:%M").to_string())
}

/// A person at a company customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: ContactId,
    pub customer_id: CustomerId,
    pub name: String,
    pub title: Option<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub notes: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct ContactInput {
    pub name: Option<String>,
    pub title: Option<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub notes: Option<String>,
}

impl ContactInput {
    /// Validates into (name, title, phones, emails, notes).
    pub fn validate(&self, ctx: &ValidationContext) -> Result<ContactInput> {
        let as_customer = CustomerInput {
            kind: Some("person".into()),
            name: self.name.clone(),
            phones: self.phones.clone(),
            emails: self.emails.clone(),
            notes: self.notes.clone(),
            ..Default::default()
        };
        let mut errors = match as_customer.validate(ctx) {
            Ok(_) => Vec::new(),
            Err(Error::Invalid(e)) => e,
            Err(e) => return Err(e),
        };
        let title = opt_text(&mut errors, "title", self.title.as_deref(), 200);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let v = as_customer.validate(ctx)?;
        Ok(ContactInput { name: Some(v.name), title, phones: v.phones, emails: v.emails, notes: v.notes })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ActivityKind {
    Call,
    Visit,
    Email,
    Note,
}

impl ActivityKind {
    pub fn parse(s: &str, field: &str) -> Result<Self, FieldError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "call" => Ok(Self::Call),
            "visit" => Ok(Self::Visit),
            "email" => Ok(Self::Email),
            "note" => Ok(Self::Note),
            _ => Err(FieldError::new(field, "error-activity-kind").arg("value", s.trim())),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Visit => "visit",
            Self::Email => "email",
            Self::Note => "note",
        }
    }
}

/// A call, visit, email or note in a customer's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    pub id: ActivityId,
    pub customer_id: CustomerId,
    pub kind: ActivityKind,
    /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`.
    pub occurred_at: String,
    pub text: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct ActivityInput {
    pub kind: Option<String>,
    pub occurred_at: Option<String>,
    pub text: Option<String>,
}

impl ActivityInput {
    /// Validates into (kind, occurred_at, text).
    pub fn validate(&self) -> Result<(ActivityKind, String, String)> {
        let mut errors = Vec::new();
        let kind = match self.kind.as_deref().filter(|s| !s.trim().is_empty()) {
            None => {
                errors.push(FieldError::new("kind", "error-required"));
                None
            }
            Some(k) => ActivityKind::parse(k, "kind").map_err(|e| errors.push(e)).ok(),
        };
        let at = match self.occurred_at.as_deref().filter(|s| !s.trim().is_empty()) {
            None => {
                errors.push(FieldError::new("occurredAt", "error-required"));
                None
            }
            Some(s) => {
                let d = parse_date_time(s);
                if d.is_none() {
                    errors.push(FieldError::new("occurredAt", "error-date").arg("value", s.trim()));
                }
                d
            }
        };
        let text = required_text(&mut errors, "text", self.text.as_deref(), MAX_TEXT);
        match (kind, at) {
            (Some(k), Some(a)) if errors.is_empty() => Ok((k, a, text)),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ValidationContext {
        ValidationContext {
            region: phone::Region::default(),
            custom_fields: vec![
                CustomFieldDef::validate("industry", "Industry", "choice", &["IT".into(), "Retail".into()]).unwrap(),
                CustomFieldDef::validate("since", "Customer since", "date", &[]).unwrap(),
                CustomFieldDef::validate("employees", "Employees", "number", &[]).unwrap(),
            ],
            owners: Default::default(),
        }
    }

    fn input() -> CustomerInput {
        CustomerInput { kind: Some("person".into()), name: Some(" 张三丰 ".into()), ..Default::default() }
    }

    fn fields(r: Result<ValidCustomer>) -> Vec<(String, &'static str)> {
        match r {
            Err(Error::Invalid(v)) => v.into_iter().map(|e| (e.field, e.msg_id)).collect(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_customer_is_normalized() {
        let mut i = input();
        i.phones = vec!["138 1234 5678".into(), "+8613812345678".into()];
        i.emails = vec!["Zhang@Example.com".into()];
        i.tags = vec!["VIP".into(), "vip".into(), "华东".into()];
        i.custom.insert("industry".into(), "IT".into());
        i.custom.insert("since".into(), "2024/3/5".into());
        let v = i.validate(&ctx()).unwrap();
        assert_eq!(v.name, "张三丰");
        assert_eq!(v.phones, vec!["+8613812345678"]);
        assert_eq!(v.emails, vec!["zhang@example.com"]);
        assert_eq!(v.tags, vec!["VIP", "华东"]);
        assert_eq!(v.custom["since"], CustomValue::Date("2024-03-05".into()));
    }

    #[test]
    fn every_bad_field_is_named() {
        let i = CustomerInput {
            kind: Some("robot".into()),
            name: Some("   ".into()),
            phones: vec!["13812345678".into(), "12".into()],
            emails: vec!["ok@example.com".into(), "bad@".into()],
            custom: [
                ("industry".to_string(), "Mining".to_string()),
                ("since".to_string(), "2024-02-30".to_string()),
                ("employees".to_string(), "many".to_string()),
                ("nope".to_string(), "x".to_string()),
            ]
            .into(),
            ..Default::default()
        };
        assert_eq!(
            fields(i.validate(&ctx())),
            vec![
                ("kind".to_string(), "error-customer-kind"),
                ("name".to_string(), "error-required"),
                ("phones[1]".to_string(), "error-phone"),
                ("emails[1]".to_string(), "error-email"),
                ("custom.employees".to_string(), "error-number"),
                ("custom.industry".to_string(), "error-choice"),
                ("custom.nope".to_string(), "error-custom-unknown"),
                ("custom.since".to_string(), "error-date"),
            ]
        );
    }

    #[test]
    fn patch_keeps_untouched_fields() {
        let c = Customer {
            id: CustomerId::new(0),
            kind: CustomerKind::Company,
            name: "Acme".into(),
            company: None,
            phones: vec!["+8613812345678".into()],
            emails: vec![],
            address: None,
            city: Some("上海".into()),
            country: None,
            tags: vec!["a".into()],
            owner: None,
            owner_name: None,
            source: None,
            notes: None,
            custom: [("industry".to_string(), CustomValue::Choice("IT".into()))].into(),
            created_at: 0,
            updated_at: 0,
            deleted: false,
            redacted: Vec::new(),
        };
        let p = CustomerPatch { city: Some("".into()), tags: Some(vec![]), ..Default::default() };
        let v = p.apply_to(&c).validate(&ctx()).unwrap();
        assert_eq!(v.name, "Acme");
        assert_eq!(v.city, None);
        assert!(v.tags.is_empty());
        assert_eq!(v.phones, c.phones);
        assert_eq!(v.custom, c.custom);
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(parse_date_time("2026-11-22 09:30").as_deref(), Some("2026-11-22T09:30"));
        assert_eq!(parse_date_time("2026-11-22").as_deref(), Some("2026-11-22"));
        assert_eq!(parse_date_time("2026-13-01"), None);
        assert_eq!(parse_date_time("yesterday"), None);
    }

    #[test]
    fn a_year_is_written_with_four_digits() {
        assert_eq!(parse_date("2024/5/1").as_deref(), Some("2024-05-01"));
        assert_eq!(parse_date("1999.12.31").as_deref(), Some("1999-12-31"));
        // Short and signed years were stored as the years 0024, 0005 and -2024.
        for bad in ["24-05-01", "5/1/2024", "-2024-05-01", "+2024-05-01", "02024-05-01"] {
            assert_eq!(parse_date(bad), None, "{bad}");
            assert_eq!(parse_date_time(bad), None, "{bad}");
        }
        assert_eq!(parse_date_time("24-05-01 10:00"), None);
    }
}
