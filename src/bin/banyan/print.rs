//! Human and JSON output of the CLI. Human output is localized; JSON is the façade's DTOs as-is.

use banyan::api::{self, CustomerRecord, RoleView, Settings};
use banyan::demo::DemoSummary;
use banyan::i18n::Localizer;
use banyan::model::*;
use banyan::security::KeyMode;
use serde::Serialize;
use std::path::Path;
use unicode_width::UnicodeWidthStr;

pub struct Out<'a> {
    pub json: bool,
    pub l10n: &'a Localizer,
}

fn money(currency: &str, minor: i64) -> String {
    match Currency::parse(currency, "currency") {
        Ok(c) => format!("{} {}", c.code(), c.format_minor(minor)),
        Err(_) => minor.to_string(),
    }
}

/// Prints rows as aligned columns; CJK characters count double so columns line up in a terminal.
fn table(header: &[String], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.width());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            s.push_str(c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(widths[i] - c.width() + 2));
            }
        }
        println!("{}", s.trim_end());
    };
    line(header);
    for r in rows {
        line(r);
    }
}

impl Out<'_> {
    fn t(&self, id: &str) -> String {
        self.l10n.t(id)
    }

    fn f(&self, id: &str, args: &[(&str, String)]) -> String {
        self.l10n.format(id, args)
    }

    fn json<T: Serialize + ?Sized>(&self, v: &T) {
        println!("{}", serde_json::to_string_pretty(v).expect("DTOs serialize"));
    }

    pub fn message(&self, id: &str, args: &[(&str, String)], json: serde_json::Value) {
        if self.json {
            self.json(&json);
        } else {
            println!("{}", self.f(id, args));
        }
    }

    pub fn exported(&self, r: &api::ExportReport, path: &Path) {
        if self.json {
            return self.json(&serde_json::json!({
                "exported": r.written, "path": path, "warnings": r.warnings, "warningCount": r.warning_count
            }));
        }
        println!(
            "{}",
            self.f("cli-export-done", &[("count", r.written.to_string()), ("path", path.display().to_string())])
        );
        for w in &r.warnings {
            eprintln!("{w}");
        }
        if r.warning_count > r.warnings.len() as u64 {
            eprintln!(
                "{}",
                self.f(
                    "cli-export-more-warnings",
                    &[("count", (r.warning_count - r.warnings.len() as u64).to_string())]
                )
            );
        }
    }

    pub fn init(&self, path: &Path, mode: KeyMode) {
        if self.json {
            self.json(&serde_json::json!({ "path": path, "keyMode": mode }));
        } else {
            println!("{}", self.f("cli-init-done", &[("path", path.display().to_string())]));
            println!(
                "{}",
                self.t(if mode == KeyMode::Keyring { "cli-key-in-keyring" } else { "cli-key-in-passphrase" })
            );
        }
    }

    /// This desktop was made shared; `waiting` still need a password set here to sign in.
    pub fn shared(&self, waiting: &[String]) {
        if self.json {
            return self
                .json(&serde_json::json!({ "ok": true, "keyMode": KeyMode::Shared, "withoutKeySlot": waiting }));
        }
        println!("{}", self.t("cli-shared-done"));
        if !waiting.is_empty() {
            println!("{}", self.f("cli-shared-waiting", &[("logins", waiting.join(", "))]));
        }
    }

    pub fn customer_added(&self, c: &Customer) {
        if self.json {
            return self.json(c);
        }
        println!("{}", self.f("cli-customer-added", &[("name", c.name.clone()), ("id", c.id.to_string())]));
        self.customer_fields(c);
    }

    pub fn customer_updated(&self, c: &Customer) {
        if self.json {
            return self.json(c);
        }
        println!("{}", self.f("cli-customer-updated", &[("name", c.name.clone())]));
        self.customer_fields(c);
    }

    fn customer_fields(&self, c: &Customer) {
        let mut rows: Vec<(String, String)> = vec![
            (self.t("field-id"), c.id.to_string()),
            (self.t("field-kind"), self.t(&format!("kind-{}", c.kind.as_str()))),
            (
                self.t("field-name"),
                if c.deleted { format!("{} {}", c.name, self.t("cli-customer-deleted-mark")) } else { c.name.clone() },
            ),
        ];
        let opt = |rows: &mut Vec<(String, String)>, id: &str, v: &Option<String>| {
            if let Some(v) = v {
                rows.push((self.t(id), v.clone()));
            }
        };
        opt(&mut rows, "field-company", &c.company);
        if !c.phones.is_empty() {
            rows.push((self.t("field-phones"), c.phones.join(", ")));
        }
        if !c.emails.is_empty() {
            rows.push((self.t("field-emails"), c.emails.join(", ")));
        }
        opt(&mut rows, "field-address", &c.address);
        opt(&mut rows, "field-city", &c.city);
        opt(&mut rows, "field-country", &c.country);
        if !c.tags.is_empty() {
            rows.push((self.t("field-tags"), c.tags.join(", ")));
        }
        opt(&mut rows, "field-owner", &c.owner_label().map(str::to_string));
        opt(&mut rows, "field-source", &c.source);
        opt(&mut rows, "field-notes", &c.notes);
        for (k, v) in &c.custom {
            let text = match v {
                CustomValue::Text(s) | CustomValue::Date(s) | CustomValue::Choice(s) => s.clone(),
                CustomValue::Number(n) => n.to_string(),
            };
            rows.push((k.clone(), text));
        }
        // What the user's roles hide is said to be hidden, not left out as if empty.
        for rule in &c.redacted {
            let Some(field) = rule.strip_prefix("customer.") else { continue };
            let label = match field.strip_prefix("custom.") {
                Some(key) => key.to_string(),
                None => self.t(&format!("field-{field}")),
            };
            rows.push((label, self.t("cli-hidden")));
        }
        let w = rows.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
        for (k, v) in rows {
            println!("  {k}{}  {v}", " ".repeat(w - k.width()));
        }
    }

    pub fn customer_record(&self, r: &CustomerRecord) {
        if self.json {
            return self.json(r);
        }
        self.customer_fields(&r.customer);
        if !r.contacts.is_empty() {
            println!("\n{}", self.t("cli-label-contacts"));
            for c in &r.contacts {
                println!(
                    "  {}  {}  {}  {}",
                    c.name,
                    c.title.clone().unwrap_or_default(),
                    c.phones.join(", "),
                    c.emails.join(", ")
                );
            }
        }
        if !r.activities.is_empty() {
            println!("\n{}", self.t("cli-label-activities"));
            for a in &r.activities {
                println!("  {}  {}  {}", a.occurred_at, a.kind.as_str(), a.text);
            }
        }
        if !r.orders.is_empty() {
            println!("\n{}", self.t("cli-label-orders"));
            for o in &r.orders {
                println!(
                    "  {}  {}  {}",
                    o.number,
                    self.t(&format!("status-{}", o.status.as_str())),
                    self.amount(&o.currency, o.totals.as_ref().map(|t| t.total))
                );
            }
        }
    }

    /// An amount, or "hidden" when the caller's roles leave it out.
    fn amount(&self, currency: &str, minor: Option<i64>) -> String {
        minor.map_or_else(|| self.t("cli-hidden"), |m| money(currency, m))
    }

    pub fn customers(&self, list: &[Customer]) {
        if self.json {
            return self.json(list);
        }
        let header = [
            self.t("cli-col-id"),
            self.t("field-name"),
            self.t("field-kind"),
            self.t("field-city"),
            self.t("field-phones"),
            self.t("field-emails"),
        ];
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|c| {
                vec![
                    c.id.to_string(),
                    if c.deleted {
                        format!("{} {}", c.name, self.t("cli-customer-deleted-mark"))
                    } else {
                        c.name.clone()
                    },
                    self.t(&format!("kind-{}", c.kind.as_str())),
                    c.city.clone().unwrap_or_default(),
                    c.phones.first().cloned().unwrap_or_default(),
                    c.emails.first().cloned().unwrap_or_default(),
                ]
            })
            .collect();
        table(&header, &rows);
        println!("{}", self.f("cli-customer-count", &[("count", list.len().to_string())]));
    }

    pub fn search(&self, hits: &[banyan::store::SearchHit]) {
        if self.json {
            return self.json(hits);
        }
        let header = [
            self.t("cli-col-id"),
            self.t("field-name"),
            self.t("field-city"),
            self.t("field-phones"),
            self.t("cli-col-match"),
        ];
        let rows: Vec<Vec<String>> = hits
            .iter()
            .map(|h| {
                let c = &h.customer;
                let fields: Vec<String> = h
                    .matched
                    .iter()
                    .map(|f| {
                        self.t(&format!(
                            "cli-match-field-{}",
                            serde_json::to_value(f).unwrap_or_default().as_str().unwrap_or_default()
                        ))
                    })
                    .collect();
                vec![
                    c.id.to_string(),
                    c.name.clone(),
                    c.city.clone().unwrap_or_default(),
                    c.phones.first().cloned().unwrap_or_default(),
                    format!(
                        "{} ({})",
                        self.t(&format!(
                            "cli-match-{}",
                            serde_json::to_value(h.tier).unwrap_or_default().as_str().unwrap_or_default()
                        )),
                        fields.join(", ")
                    ),
                ]
            })
            .collect();
        table(&header, &rows);
        println!("{}", self.f("cli-customer-count", &[("count", hits.len().to_string())]));
    }

    pub fn fields(&self, defs: &[CustomFieldDef]) {
        if self.json {
            return self.json(defs);
        }
        for d in defs {
            println!("  {}  {}  {}  {}", d.key, d.label, d.kind.as_str(), d.choices.join(", "));
        }
    }

    pub fn user_saved(&self, id: &str, u: &User) {
        if self.json {
            return self.json(u);
        }
        println!("{}", self.f(id, &[("login", u.login.clone()), ("name", u.name.clone())]));
    }

    pub fn role_saved(&self, id: &str, r: &RoleView) {
        if self.json {
            return self.json(r);
        }
        println!("{}", self.f(id, &[("name", r.name.clone())]));
        self.role(r);
    }

    pub fn roles(&self, list: &[RoleView]) {
        if self.json {
            return self.json(list);
        }
        let header = [self.t("cli-col-role"), self.t("cli-col-based-on"), self.t("cli-col-grants")];
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|r| {
                let based = match &r.based_on {
                    Some(b) => b.clone(),
                    None => self.t("cli-role-built-in"),
                };
                vec![r.name.clone(), based, self.grants_line(r)]
            })
            .collect();
        table(&header, &rows);
    }

    /// A role's grants on one line: "customer read,update (all); order read (all)".
    fn grants_line(&self, r: &RoleView) -> String {
        r.grants
            .iter()
            .map(|g| format!("{} {} ({})", g.entity.name(), self.actions(&g.actions, ","), g.scope.name()))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// "read,update", or "every action" when a grant holds them all.
    fn actions(&self, list: &[banyan::security::grants::Action], sep: &str) -> String {
        if list.len() == banyan::security::grants::Action::ALL.len() {
            return self.t("cli-role-every-action");
        }
        list.iter().map(|a| a.name()).collect::<Vec<_>>().join(sep)
    }

    pub fn role(&self, r: &RoleView) {
        if self.json {
            return self.json(r);
        }
        let header = [self.t("cli-col-entity"), self.t("cli-col-actions"), self.t("cli-col-scope")];
        let rows: Vec<Vec<String>> = r
            .grants
            .iter()
            .map(|g| vec![g.entity.name().to_string(), self.actions(&g.actions, ", "), g.scope.name().to_string()])
            .collect();
        table(&header, &rows);
        let cap = match r.export_cap {
            Some(n) => n.to_string(),
            None => self.t("cli-role-no-cap"),
        };
        println!("{}", self.f("cli-role-export-cap", &[("cap", cap)]));
        for (field, access) in &r.fields {
            let access = self.t(&format!("cli-field-access-{}", access.name()));
            println!("{}", self.f("cli-role-field-rule", &[("field", field.clone()), ("access", access)]));
        }
        if r.require_mfa {
            println!("{}", self.t("cli-role-requires-mfa"));
        }
    }

    pub fn users(&self, list: &[User]) {
        if self.json {
            return self.json(list);
        }
        let header = [
            self.t("cli-col-login"),
            self.t("cli-col-name"),
            self.t("cli-col-roles"),
            self.t("cli-col-team"),
            self.t("cli-col-status"),
            self.t("cli-col-mfa"),
        ];
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|u| {
                vec![
                    u.login.clone(),
                    u.name.clone(),
                    u.roles.join(", "),
                    u.team.clone().unwrap_or_default(),
                    self.t(&format!("cli-user-status-{}", u.status.as_str())),
                    if u.service {
                        self.t("cli-mfa-service")
                    } else {
                        self.t(if u.mfa { "cli-yes" } else { "cli-no" })
                    },
                ]
            })
            .collect();
        table(&header, &rows);
    }

    pub fn mfa_enrolment(&self, e: &api::MfaEnrolment) {
        if self.json {
            return self.json(e);
        }
        println!("{}", self.f("cli-mfa-enrol", &[("uri", e.uri.clone()), ("secret", e.secret_base32.clone())]));
    }

    pub fn recovery_codes(&self, codes: &[String]) {
        if self.json {
            return self.json(&serde_json::json!({ "recoveryCodes": codes }));
        }
        println!("{}", self.t("cli-mfa-on"));
        for c in codes {
            println!("  {c}");
        }
    }

    pub fn product_saved(&self, p: &Product) {
        if self.json {
            return self.json(p);
        }
        println!("{}", self.f("cli-product-saved", &[("sku", p.sku.clone())]));
    }

    pub fn products(&self, list: &[Product]) {
        if self.json {
            return self.json(list);
        }
        let header = [self.t("cli-col-sku"), self.t("cli-col-product"), self.t("cli-col-price"), self.t("cli-col-tax")];
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|p| {
                let name =
                    if p.active { p.name.clone() } else { format!("{} ({})", p.name, self.t("cli-product-inactive")) };
                vec![p.sku.clone(), name, self.amount(&p.currency, p.unit_price), format!("{} %", p.tax_text())]
            })
            .collect();
        table(&header, &rows);
        println!("{}", self.f("cli-product-count", &[("count", list.len().to_string())]));
    }

    pub fn order_created(&self, o: &Order) {
        if self.json {
            return self.json(o);
        }
        println!("{}", self.f("cli-order-created", &[("number", o.number.clone())]));
        self.order(o);
    }

    pub fn order(&self, o: &Order) {
        if self.json {
            return self.json(o);
        }
        println!("{}  {}  {}  {}", o.number, o.customer_name, self.t(&format!("status-{}", o.status.as_str())), o.id);
        let header = [
            self.t("cli-col-sku"),
            self.t("cli-col-product"),
            self.t("cli-col-qty"),
            self.t("cli-col-price"),
            self.t("cli-col-discount"),
            self.t("cli-col-tax"),
            self.t("cli-col-amount"),
        ];
        let rows: Vec<Vec<String>> = o
            .lines
            .iter()
            .map(|l| {
                vec![
                    l.sku.clone(),
                    l.name.clone(),
                    l.quantity.to_string(),
                    self.amount(&o.currency, l.unit_price),
                    l.discount_bp.map_or_else(|| self.t("cli-hidden"), |d| format!("{} %", format_percent(d))),
                    format!("{} %", format_percent(l.tax_rate_bp)),
                    self.amount(&o.currency, l.amounts.as_ref().map(|a| a.total)),
                ]
            })
            .collect();
        table(&header, &rows);
        let t = o.totals.as_ref();
        for (id, v) in [
            ("cli-label-subtotal", t.map(|t| t.gross)),
            ("cli-label-discount", t.map(|t| t.discount)),
            ("cli-label-net", t.map(|t| t.net)),
            ("cli-label-tax", t.map(|t| t.tax)),
            ("cli-label-total", t.map(|t| t.total)),
        ] {
            println!("  {}: {}", self.t(id), self.amount(&o.currency, v));
        }
    }

    pub fn orders(&self, list: &[Order]) {
        if self.json {
            return self.json(list);
        }
        let header =
            [self.t("cli-col-number"), self.t("cli-col-customer"), self.t("cli-col-status"), self.t("cli-col-total")];
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|o| {
                vec![
                    o.number.clone(),
                    o.customer_name.clone(),
                    self.t(&format!("status-{}", o.status.as_str())),
                    self.amount(&o.currency, o.totals.as_ref().map(|t| t.total)),
                ]
            })
            .collect();
        table(&header, &rows);
        println!("{}", self.f("cli-order-count", &[("count", list.len().to_string())]));
    }

    pub fn order_status(&self, o: &Order) {
        if self.json {
            return self.json(o);
        }
        let status = self.t(&format!("status-{}", o.status.as_str()));
        println!("{}", self.f("cli-order-status-changed", &[("number", o.number.clone()), ("status", status)]));
    }

    pub fn settings(&self, s: &Settings) {
        if self.json {
            return self.json(s);
        }
        println!("{}", self.f("cli-settings", &[("region", s.phone_region.clone()), ("currency", s.currency.clone())]));
    }

    pub fn demo(&self, d: &DemoSummary) {
        if self.json {
            return self.json(d);
        }
        let args = [
            ("customers", d.customers.to_string()),
            ("products", d.products.to_string()),
            ("orders", d.orders.to_string()),
            ("contacts", d.contacts.to_string()),
            ("activities", d.activities.to_string()),
        ];
        println!("{}", self.f("cli-demo-done", &args));
    }

    fn when(ms: i64) -> String {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default()
    }

    fn counts_line(&self, c: &banyan::backup::Counts) -> String {
        self.f(
            "cli-backup-counts",
            &[
                ("customers", c.customers.to_string()),
                ("contacts", c.contacts.to_string()),
                ("activities", c.activities.to_string()),
                ("orders", c.orders.to_string()),
                ("products", c.products.to_string()),
                ("users", c.users.to_string()),
                ("changes", c.changes.to_string()),
            ],
        )
    }

    pub fn backup_made(&self, r: &api::BackupReport) {
        if self.json {
            return self.json(r);
        }
        let mb = format!("{:.1}", r.size as f64 / 1e6);
        println!(
            "{}",
            self.f(
                "cli-backup-done",
                &[("file", r.file.clone()), ("mb", mb), ("seconds", format!("{:.1}", r.seconds))]
            )
        );
        println!("  {}", self.counts_line(&r.counts));
        println!("  {}", self.f("cli-backup-wraps", &[("wraps", r.wraps.join(", "))]));
        if !r.removed.is_empty() {
            println!("  {}", self.f("cli-backup-removed", &[("count", r.removed.len().to_string())]));
        }
        if r.same_disk {
            eprintln!("{}", self.t("cli-backup-same-disk"));
        }
    }

    pub fn backup_settings(&self, s: &api::BackupSettings) {
        if self.json {
            return self.json(s);
        }
        println!("{}", self.f("cli-backup-folder", &[("folder", s.folder.clone())]));
        if s.same_disk {
            println!("  {}", self.t("cli-backup-same-disk"));
        }
        println!(
            "{}",
            self.t(if s.passphrase_set { "cli-backup-passphrase-set" } else { "cli-backup-passphrase-unset" })
        );
        match &s.recovery_key {
            Some(k) if !k.is_empty() => println!("{}", self.f("cli-backup-recovery-set", &[("key", k.clone())])),
            _ => println!("{}", self.t("cli-backup-recovery-unset")),
        }
        println!(
            "{}",
            self.f(
                "cli-backup-keep",
                &[
                    ("daily", s.keep.daily.to_string()),
                    ("weekly", s.keep.weekly.to_string()),
                    ("monthly", s.keep.monthly.to_string())
                ]
            )
        );
        println!("{}", self.f("cli-backup-schedule", &[("at", s.schedule.clone())]));
        match s.last_backup_ms {
            Some(ms) => println!("{}", self.f("cli-backup-last", &[("when", Self::when(ms))])),
            None => println!("{}", self.t("cli-backup-never")),
        }
        if let Some(e) = &s.last_error {
            println!("{}", self.f("cli-backup-last-error", &[("error", e.clone())]));
        }
    }

    pub fn backups(&self, s: &api::BackupSettings, list: &[api::BackupEntry]) {
        if self.json {
            return self.json(&serde_json::json!({ "settings": s, "backups": list }));
        }
        self.backup_settings(s);
        if list.is_empty() {
            println!("{}", self.t("cli-backup-none-here"));
        }
        for b in list {
            match (&b.problem, b.created_at_ms) {
                (Some(p), _) => println!("  {}  {}", b.file, p),
                (None, Some(ms)) => println!(
                    "  {}  {}  {:.1} MB  {}{}",
                    Self::when(ms),
                    b.device_code.clone().unwrap_or_default(),
                    b.size as f64 / 1e6,
                    b.file,
                    if b.kind == "snapshot" {
                        format!(
                            "  ({})",
                            self.f("cli-backup-snapshot", &[("version", b.schema_version.unwrap_or(0).to_string())])
                        )
                    } else if b.this_book {
                        String::new()
                    } else {
                        format!("  ({})", self.t("cli-backup-other-book"))
                    }
                ),
                (None, None) => println!("  {}", b.file),
            }
        }
    }

    pub fn backup_verified(&self, r: &api::VerifyReport) {
        if self.json {
            return self.json(r);
        }
        let id = match (r.ok, r.full) {
            (true, true) => "cli-backup-verified-full",
            (true, false) => "cli-backup-verified-quick",
            (false, _) => "cli-backup-verify-failed",
        };
        println!("{}", self.f(id, &[("file", r.file.clone()), ("when", Self::when(r.created_at_ms))]));
        for p in &r.problems {
            println!("  {p}");
        }
    }

    pub fn restore_preview(&self, p: &api::RestorePreview) {
        if self.json {
            return self.json(p);
        }
        println!(
            "{}",
            self.f(
                "cli-restore-preview",
                &[("file", p.file.clone()), ("when", Self::when(p.created_at_ms)), ("desktop", p.device_code.clone())]
            )
        );
        if p.migrates {
            println!("  {}", self.f("cli-restore-migrates", &[("version", p.schema_version.to_string())]));
        }
        println!("  {}: {}", self.t("cli-restore-then"), self.counts_line(&p.counts_then));
        println!("  {}: {}", self.t("cli-restore-now"), self.counts_line(&p.counts_now));
        if p.lost.is_empty() {
            println!("  {}", self.t("cli-restore-loses-nothing"));
        } else {
            println!("  {}", self.f("cli-restore-loses", &[("count", p.lost_total.to_string())]));
            for l in &p.lost {
                println!("    {}  {:<32} {:>8}", l.day, l.user, l.changes);
            }
        }
    }

    pub fn restored(&self, r: &api::RestoreReport) {
        if self.json {
            return self.json(r);
        }
        println!(
            "{}",
            self.f("cli-restore-done", &[("file", r.preview.file.clone()), ("seconds", format!("{:.1}", r.seconds))])
        );
        if let Some(s) = &r.snapshot {
            println!("  {}", self.f("cli-restore-snapshot", &[("path", s.clone())]));
        }
        if r.erased_again > 0 {
            println!("  {}", self.f("cli-restore-erased-again", &[("count", r.erased_again.to_string())]));
        }
    }

    pub fn health(&self, h: &api::Health) {
        if self.json {
            return self.json(h);
        }
        let mb = |b: u64| format!("{:.1}", b as f64 / 1e6);
        let opt_mb = |b: Option<u64>| b.map(mb).unwrap_or_else(|| "?".into());
        let when = |ms: Option<i64>| ms.map(Self::when).unwrap_or_else(|| self.t("cli-health-never"));
        let lines = [
            self.f("cli-health-book", &[("path", h.book.clone()), ("mb", mb(h.book_bytes)), ("wal", mb(h.wal_bytes))]),
            self.f(
                "cli-health-contents",
                &[
                    ("customers", h.customers.to_string()),
                    ("entries", h.change_entries.to_string()),
                    ("free", mb(h.free_page_bytes)),
                ],
            ),
            self.f("cli-health-backup", &[("when", when(h.last_backup_ms)), ("folder", h.backup_folder.clone())]),
            self.f(
                "cli-health-check",
                &[
                    ("when", when(h.last_check_ms)),
                    (
                        "result",
                        match h.last_check_ok {
                            Some(true) => self.t("cli-health-check-ok"),
                            Some(false) => self.t("cli-health-check-bad"),
                            None => String::new(),
                        },
                    ),
                ],
            ),
            self.f("cli-health-sync", &[("when", when(h.last_sync_ms))]),
            self.f("cli-health-disks", &[("book", opt_mb(h.book_disk_free)), ("backup", opt_mb(h.backup_disk_free))]),
            self.f(
                "cli-health-log",
                &[("mb", mb(h.log_bytes)), ("folder", h.log_folder.clone().unwrap_or_else(|| "?".into()))],
            ),
        ];
        for l in lines {
            println!("{l}");
        }
        if h.warnings.is_empty() {
            println!("{}", self.t("cli-health-ok"));
        }
        for w in &h.warnings {
            println!("! {}", w.message);
        }
    }

    pub fn space(&self, s: &banyan::store::Space) {
        if self.json {
            return self.json(s);
        }
        let mb = |b: u64| format!("{:.1}", b as f64 / 1e6);
        println!("{}", self.f("cli-space-total", &[("mb", mb(s.file_bytes)), ("free", mb(s.free_bytes))]));
        for o in &s.objects {
            let share = if s.file_bytes == 0 { 0.0 } else { 100.0 * o.bytes as f64 / s.file_bytes as f64 };
            println!("  {:<32} {:>10} MB {:>5.1} % {:>12}", o.name, mb(o.bytes), share, o.entries);
        }
    }

    pub fn check(&self, problems: &[String]) {
        if self.json {
            return self.json(&serde_json::json!({ "ok": problems.is_empty(), "problems": problems }));
        }
        if problems.is_empty() {
            println!("{}", self.t("cli-check-ok"));
        } else {
            println!("{}", self.f("cli-check-problems", &[("count", problems.len().to_string())]));
            for p in problems {
                println!("  {p}");
            }
        }
    }

    pub fn import(&self, r: &api::ImportReport) {
        if self.json {
            return self.json(r);
        }
        let c = &r.counts;
        let id = if r.rolled_back { "cli-import-tally-rolled-back" } else { "cli-import-tally" };
        println!(
            "{}",
            self.f(
                id,
                &[
                    ("read", c.rows_read.to_string()),
                    ("created", c.created.to_string()),
                    ("updated", c.updated.to_string()),
                    ("skipped", c.skipped.to_string()),
                    ("failed", c.failed.to_string()),
                ]
            )
        );
        for u in &r.unmapped {
            println!("  {u}");
        }
        for i in r.issues.iter().take(20) {
            println!("  {}", i.text);
        }
        if r.issues.len() > 20 {
            println!("  …");
        }
        if let Some(f) = &r.rejects_file {
            println!("{}", self.f("cli-import-rejects", &[("path", f.clone())]));
        }
        if !r.rolled_back {
            println!("{}", self.f("cli-import-batch", &[("batch", r.batch_id.clone())]));
        }
    }

    pub fn undo(&self, r: &banyan::store::UndoReport) {
        if self.json {
            return self.json(r);
        }
        println!(
            "{}",
            self.f(
                "cli-undo-done",
                &[
                    ("removed", r.removed.to_string()),
                    ("restored", r.restored.to_string()),
                    ("kept", r.conflicts.len().to_string())
                ]
            )
        );
        for c in &r.conflicts {
            println!("  {}", self.f("cli-undo-kept", &[("name", c.name.clone()), ("field", c.field.clone())]));
        }
    }

    pub fn policies(&self, p: &banyan::policy::Policies) {
        if self.json {
            return self.json(p);
        }
        match &p.file {
            None => println!("{}", self.t("cli-policy-none")),
            Some(f) => println!("{}", self.f("cli-policy-file", &[("file", f.display().to_string())])),
        }
        for (level, values) in [("cli-policy-mandatory", &p.mandatory), ("cli-policy-recommended", &p.recommended)] {
            for (k, v) in values {
                println!("  {k} = {v}  ({})", self.t(level));
            }
        }
        for problem in &p.problems {
            println!("  ! {problem}");
        }
    }

    pub fn rewind_preview(&self, p: &api::RewindPreview) {
        if self.json {
            return self.json(p);
        }
        self.rewind_lines(p, "cli-rewind-preview");
    }

    pub fn rewound(&self, r: &api::RewindReport) {
        if self.json {
            return self.json(r);
        }
        self.rewind_lines(&r.preview, "cli-rewind-done");
        println!("{}", self.f("cli-rewind-batch", &[("batch", r.batch_id.clone())]));
    }

    /// The head line, each record (at most [`SHOWN`] of them), what was kept and why.
    fn rewind_lines(&self, p: &api::RewindPreview, head: &str) {
        const SHOWN: usize = 200;
        println!(
            "{}",
            self.f(
                head,
                &[
                    ("when", Self::when(p.to_ms)),
                    ("user", p.user.clone().unwrap_or_else(|| self.t("cli-rewind-everyone"))),
                    ("changes", p.changes.to_string()),
                    ("records", p.items.len().to_string()),
                ]
            )
        );
        for i in p.items.iter().take(SHOWN) {
            let what = match i.action.as_str() {
                "fields" => i.fields.join(", "),
                other => self.t(&format!("cli-rewind-{other}")),
            };
            let extra = if i.action != "fields" && !i.fields.is_empty() {
                format!(" + {}", i.fields.join(", "))
            } else {
                String::new()
            };
            println!(
                "  {}  {:<10} {:<28} {what}{extra}  ({})",
                Self::when(i.last_ms),
                self.t(&format!("entity-{}", i.entity)),
                i.customer,
                i.by.join(", ")
            );
        }
        if p.items.len() > SHOWN {
            println!("  {}", self.f("cli-rewind-more", &[("count", (p.items.len() - SHOWN).to_string())]));
        }
        for c in &p.conflicts {
            println!("  {}", self.f("cli-rewind-kept", &[("name", c.name.clone()), ("field", c.field.clone())]));
        }
        for k in &p.kept {
            let id = format!("entity-{}", k.entity);
            let entity = if self.l10n.has(&id) { self.t(&id) } else { k.entity.clone() };
            println!("  {}", self.f("cli-rewind-kept-other", &[("entity", entity), ("count", k.changes.to_string())]));
        }
    }

    pub fn imports(&self, list: &[banyan::store::ImportRecord]) {
        if self.json {
            return self.json(list);
        }
        let header = [
            self.t("cli-col-batch"),
            self.t("field-file"),
            self.t("cli-col-status"),
            self.t("cli-col-created"),
            self.t("cli-col-rows"),
        ];
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|i| {
                vec![
                    i.id.clone(),
                    i.file_name.clone(),
                    self.t(&format!("import-status-{}", i.status)),
                    chrono::DateTime::from_timestamp_millis(i.started_at)
                        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_default(),
                    self.f(
                        "cli-import-counts",
                        &[
                            ("created", i.created.to_string()),
                            ("updated", i.updated.to_string()),
                            ("skipped", i.skipped.to_string()),
                            ("failed", i.failed.to_string()),
                        ],
                    ),
                ]
            })
            .collect();
        table(&header, &rows);
    }

    pub fn history(&self, list: &[banyan::api::HistoryEntry]) {
        if self.json {
            return self.json(list);
        }
        let header = [
            self.t("cli-col-when"),
            self.t("cli-col-who"),
            self.t("cli-col-desktop"),
            self.t("cli-col-record"),
            self.t("cli-col-field"),
            self.t("cli-col-change"),
            self.t("cli-col-change-id"),
        ];
        // A value as people read it: text without its JSON quotes, lists joined.
        let shown = |v: &Option<String>| -> String {
            match v.as_deref().map(serde_json::from_str::<serde_json::Value>) {
                Some(Ok(serde_json::Value::String(s))) => s,
                Some(Ok(serde_json::Value::Null)) | None => "—".into(),
                Some(Ok(serde_json::Value::Array(a))) => a
                    .iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(", "),
                Some(Ok(other)) => other.to_string(),
                Some(Err(_)) => v.clone().unwrap_or_default(),
            }
        };
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|e| {
                let when = chrono::DateTime::from_timestamp_millis(e.at)
                    .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_default();
                let desktop =
                    if e.this_device { self.t("cli-this-desktop") } else { e.device.chars().take(8).collect() };
                let change = if e.hidden {
                    self.t("cli-hidden")
                } else {
                    match e.op.as_str() {
                        "insert" => format!("+ {}", shown(&e.new_value)),
                        "delete" => format!("{} ✕", shown(&e.old_value)),
                        _ => format!("{} → {}", shown(&e.old_value), shown(&e.new_value)),
                    }
                };
                let record = format!(
                    "{} {}",
                    self.t(&format!("cli-entity-{}", e.entity.replace(' ', "-"))),
                    &e.record_id[..8.min(e.record_id.len())]
                );
                let id = format!("{}:{}", e.change.origin.chars().take(8).collect::<String>(), e.change.seq);
                vec![when, e.who.clone(), desktop, record, e.field.clone(), change, id]
            })
            .collect();
        table(&header, &rows);
        println!("{}", self.f("cli-history-count", &[("count", list.len().to_string())]));
    }

    pub fn audit_report(&self, r: &banyan::api::AuditReport) {
        if self.json {
            return self.json(r);
        }
        use banyan::store::AuditProblem as P;
        for c in &r.chains {
            let desktop = if c.this_device { self.t("cli-this-desktop") } else { c.origin.chars().take(8).collect() };
            let args = [
                ("desktop", desktop),
                ("chain", self.t(&format!("cli-audit-chain-{}", c.chain.as_str()))),
                ("entries", c.entries.to_string()),
                ("last", c.last_seq.to_string()),
                ("checkpoints", c.checkpoints_in_book.to_string()),
            ];
            let id = if c.intact() { "cli-audit-chain-intact" } else { "cli-audit-chain-altered" };
            println!("{}", self.f(id, &args));
            for p in &c.problems {
                let line = match p {
                    P::Altered { seq } => self.f("cli-audit-altered", &[("seq", seq.to_string())]),
                    P::Missing { from, to } => {
                        self.f("cli-audit-missing", &[("from", from.to_string()), ("to", to.to_string())])
                    }
                    P::Truncated { after, checkpoint } => self.f(
                        "cli-audit-truncated",
                        &[("after", after.to_string()), ("checkpoint", checkpoint.to_string())],
                    ),
                    P::Rewritten { seq, held_elsewhere } => self.f(
                        if *held_elsewhere { "cli-audit-rewritten-held" } else { "cli-audit-rewritten" },
                        &[("seq", seq.to_string())],
                    ),
                    P::BadSignature { seq } => self.f("cli-audit-bad-signature", &[("seq", seq.to_string())]),
                    P::KeyReplaced { seq } => self.f("cli-audit-key-replaced", &[("seq", seq.to_string())]),
                };
                println!("  {line}");
            }
            if r.held_given > 0 {
                match c.held_through {
                    Some(n) if n < c.last_seq => {
                        println!("  {}", self.f("cli-audit-held-through", &[("seq", n.to_string())]))
                    }
                    Some(_) => {}
                    None => println!("  {}", self.t("cli-audit-held-none")),
                }
            }
        }
        println!("{}", self.t(if r.intact { "cli-audit-intact" } else { "cli-audit-not-intact" }));
        if r.held_given == 0 {
            println!("{}", self.t("cli-audit-no-held"));
        }
    }

    pub fn service_token(&self, id: &str, t: &banyan::api::ServiceToken) {
        if self.json {
            return self.json(t);
        }
        println!("{}", self.f(id, &[("login", t.user.login.clone())]));
        println!("{}", t.token);
    }

    pub fn consent_saved(&self, c: &banyan::store::Consent) {
        if self.json {
            return self.json(c);
        }
        let id = if c.status == "given" { "cli-consent-given" } else { "cli-consent-withdrawn" };
        println!("{}", self.f(id, &[("purpose", c.purpose.clone()), ("channel", c.channel.clone())]));
    }

    pub fn consents(&self, list: &[banyan::store::Consent]) {
        if self.json {
            return self.json(list);
        }
        let header = [
            self.t("cli-col-when"),
            self.t("cli-col-purpose"),
            self.t("cli-col-consent"),
            self.t("cli-col-channel"),
            self.t("cli-col-notice"),
            self.t("cli-col-recorded-by"),
        ];
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|c| {
                let when = chrono::DateTime::from_timestamp_millis(c.at_ms)
                    .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default();
                let status = self.t(&format!("consent-{}", c.status));
                vec![
                    when,
                    c.purpose.clone(),
                    status,
                    c.channel.clone(),
                    c.notice_version.clone(),
                    c.recorded_by_name.clone(),
                ]
            })
            .collect();
        table(&header, &rows);
    }

    pub fn notice(&self, n: &banyan::api::PrivacyNotice) {
        if self.json {
            return self.json(n);
        }
        println!("{}", n.text);
    }

    pub fn privacy_export(&self, e: &banyan::api::PrivacyExport) {
        if self.json {
            return self.json(e);
        }
        println!("{}", self.f("cli-privacy-exported", &[("count", e.files.len().to_string())]));
        for f in &e.files {
            println!("  {f}");
        }
    }

    pub fn erasure(&self, r: &banyan::api::ErasureReport) {
        if self.json {
            return self.json(r);
        }
        let c = &r.counts;
        let args = [
            ("rows", c.rows.to_string()),
            ("entries", c.log_entries.to_string()),
            ("events", c.events.to_string()),
            ("visible", r.visible_ms.to_string()),
            ("purged", r.purged_ms.to_string()),
        ];
        println!("{}", self.f("cli-erased", &args));
        if !r.wal_purged {
            println!("  {}", self.t("cli-erased-wal-pending"));
        }
        for s in &r.snapshots_removed {
            println!("  {}", self.f("cli-erased-snapshot", &[("path", s.clone())]));
        }
    }

    pub fn checkpoints_written(&self, path: &std::path::Path, count: usize) {
        if self.json {
            return self.json(&serde_json::json!({ "path": path, "checkpoints": count }));
        }
        println!(
            "{}",
            self.f(
                "cli-audit-checkpoints-written",
                &[("count", count.to_string()), ("path", path.display().to_string())]
            )
        );
    }

    pub fn sync_status(&self, st: &api::SyncStatus) {
        if self.json {
            return self.json(st);
        }
        println!(
            "{}",
            self.f(
                "cli-sync-status",
                &[
                    ("device", st.device.clone()),
                    ("code", st.device_code.clone()),
                    ("conflicts", st.conflicts.to_string()),
                    ("held", st.held.to_string())
                ]
            )
        );
        let rows: Vec<Vec<String>> = st.vector.0.iter().map(|(d, seq)| vec![d.clone(), seq.to_string()]).collect();
        table(&[self.t("cli-col-desktop"), self.t("cli-col-changes")], &rows);
    }

    pub fn sync_peers(&self, list: &[banyan::store::Member], me: &str) {
        if self.json {
            return self.json(list);
        }
        let header = [
            self.t("cli-col-desktop"),
            self.t("cli-col-name"),
            self.t("cli-col-code"),
            self.t("cli-col-fingerprint"),
            self.t("cli-col-status"),
            self.t("cli-col-last-seen"),
        ];
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|m| {
                let status = if m.revoked_at.is_some() {
                    self.t("cli-sync-peer-revoked")
                } else if m.device == me {
                    self.t("cli-sync-peer-this")
                } else {
                    self.t("cli-sync-peer-member")
                };
                let seen = m
                    .last_seen
                    .and_then(chrono::DateTime::from_timestamp_millis)
                    .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
                    .map(|t| match &m.address {
                        Some(a) => format!("{t} ({a})"),
                        None => t,
                    })
                    .unwrap_or_default();
                vec![
                    m.device.clone(),
                    m.name.clone(),
                    m.code.clone(),
                    m.fingerprint.chars().take(16).collect(),
                    status,
                    seen,
                ]
            })
            .collect();
        table(&header, &rows);
    }

    pub fn sync_conflicts(&self, list: &[banyan::store::SyncConflict]) {
        if self.json {
            return self.json(list);
        }
        if list.is_empty() {
            return println!("{}", self.t("cli-sync-no-conflicts"));
        }
        let header = [
            self.t("cli-col-conflict"),
            self.t("cli-col-value"),
            self.t("cli-col-who"),
            self.t("cli-col-when"),
            self.t("cli-col-desktop"),
        ];
        let mut rows: Vec<Vec<String>> = Vec::new();
        for c in list {
            for (i, side) in c.sides.iter().enumerate() {
                let when = chrono::DateTime::from_timestamp_millis(side.at.wall_ms())
                    .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_default();
                let shown = if side.shown { format!(" ({})", self.t("cli-sync-shown")) } else { String::new() };
                // A deleted row edited elsewhere afterwards: what `--keep` takes, and what was edited.
                let edited =
                    if side.fields.is_empty() { String::new() } else { format!(" [{}]", side.fields.join(", ")) };
                rows.push(vec![
                    if i == 0 { c.id.clone() } else { String::new() },
                    format!("{}{shown}{edited}", side.value),
                    side.user.clone(),
                    when,
                    if side.desktop.is_empty() { side.device.chars().take(8).collect() } else { side.desktop.clone() },
                ]);
            }
        }
        table(&header, &rows);
    }

    pub fn audit_events(&self, list: &[banyan::store::AuditEvent]) {
        if self.json {
            return self.json(list);
        }
        let header = [
            self.t("cli-col-when"),
            self.t("cli-col-who"),
            self.t("cli-col-desktop"),
            self.t("cli-col-event"),
            self.t("cli-col-detail"),
        ];
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|e| {
                let when = chrono::DateTime::from_timestamp_millis(e.at_ms)
                    .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_default();
                let detail = match serde_json::from_str::<serde_json::Value>(&e.detail) {
                    Ok(serde_json::Value::Object(m)) => m
                        .iter()
                        .filter(|(_, v)| !v.is_null())
                        .map(|(k, v)| format!("{k}={}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                        .collect::<Vec<_>>()
                        .join(" "),
                    _ => e.detail.clone(),
                };
                vec![when, e.who.clone(), e.origin.chars().take(8).collect(), e.kind.clone(), detail]
            })
            .collect();
        table(&header, &rows);
    }

    pub fn duplicates(&self, pairs: &[banyan::store::DuplicatePair]) {
        if self.json {
            return self.json(pairs);
        }
        let header = [
            self.t("cli-col-score"),
            self.t("cli-col-customer"),
            self.t("cli-col-customer"),
            self.t("cli-col-reasons"),
        ];
        let rows: Vec<Vec<String>> = pairs
            .iter()
            .map(|p| {
                let reasons: Vec<String> = p
                    .reasons
                    .iter()
                    .map(|r| {
                        self.t(&format!(
                            "duplicate-reason-{}",
                            serde_json::to_value(r)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_default()
                        ))
                    })
                    .collect();
                vec![
                    format!("{:.2}", p.score),
                    format!("{} ({})", p.a.name, p.a.id),
                    format!("{} ({})", p.b.name, p.b.id),
                    reasons.join(", "),
                ]
            })
            .collect();
        table(&header, &rows);
        println!("{}", self.f("cli-duplicate-count", &[("count", pairs.len().to_string())]));
    }
}
