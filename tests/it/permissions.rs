//! The permission table: every public façade method, called by each built-in role over each
//! channel (desktop commands, CLI process, REST-shaped and sync-apply callers), is allowed or
//! refused as the table below says. A refusal is `Forbidden`, writes nothing to the change log
//! and names no customer. The table must list every façade method: one added without a row fails
//! `every_facade_method_is_in_the_table`.

use crate::common::*;
use banyan::api::{Banyan, Caller, Channel, ErrorCode, ImportRequest, MergeRequest};
use banyan::backup::BackupUnlock;
use banyan::io::export::ExportFormat;
use banyan::model::*;
use banyan::security::grants::{Action, Entity, Grant, Revoke, RoleChange, Scope};
use banyan::security::keys::{KdfParams, KeyMode};
use std::collections::BTreeSet;
use std::path::Path;

/// Method, then admin, manager, sales, support and `desk-lead` (a custom role: support that may
/// also add and export customers, with no cap): `+` allowed and done, `-` refused. Methods a caller uses
/// on their own account (`change_password` of oneself, `begin_mfa`, ...) are called on another
/// user's account where one is named, so the column says whether the role manages users.
const TABLE: &[(&str, &str)] = &[
    // customers
    ("add_customer", "+ + + - +"),
    ("customer", "+ + + + +"),
    ("customer_record", "+ + + + +"),
    ("history", "+ + + + +"),
    ("revert", "+ + + + +"),
    ("update_customer", "+ + + + +"),
    ("delete_customer", "+ + + - -"),
    ("customers", "+ + + + +"),
    ("search_customers", "+ + + + +"),
    ("likely_duplicates", "+ + + + +"),
    ("owner_choices", "+ + + + +"),
    ("count_customers", "+ + + + +"),
    ("customer_count", "+ + + + +"),
    ("add_contact", "+ + + + +"),
    ("add_activity", "+ + + + +"),
    ("custom_fields", "+ + + + +"),
    ("add_custom_field", "+ - - - -"),
    // sync's inbox
    ("sync_status", "+ + + + +"),
    ("sync_conflicts", "+ + + + +"),
    ("sync_resolve", "+ + + + +"),
    ("sync_peers", "+ + + + +"),
    ("sync_enrol_self", "+ - - - -"),
    ("sync_admit", "+ - - - -"),
    ("sync_revoke", "+ - - - -"),
    ("sync_snapshot", "+ - - - -"),
    ("sync_new_identity", "+ - - - -"),
    // products and orders
    ("add_product", "+ + - - -"),
    ("update_product", "+ + - - -"),
    ("products", "+ + + + +"),
    ("create_order", "+ + + - -"),
    ("preview_order", "+ + + - -"),
    ("update_order_lines", "+ + + - -"),
    ("order", "+ + + + +"),
    ("orders", "+ + + + +"),
    ("order_summary", "+ + + + +"),
    ("set_order_status", "+ + + - -"),
    // settings and maintenance
    ("settings", "+ + + + +"),
    ("set_phone_region", "+ - - - -"),
    ("set_currency", "+ - - - -"),
    ("space", "+ + + + +"),
    ("check", "+ - - - -"),
    ("reindex", "+ - - - -"),
    ("rekey", "+ - - - -"),
    ("make_shared", "+ - - - -"),
    ("demo", "+ + - - -"),
    // backups and restores
    ("backup_settings", "+ + + + +"),
    ("set_backup_folder", "+ - - - -"),
    ("set_backup_passphrase", "+ - - - -"),
    ("set_recovery_key", "+ - - - -"),
    ("set_backup_keep", "+ - - - -"),
    ("set_backup_max_age", "+ - - - -"),
    ("set_backup_schedule", "+ - - - -"),
    ("health", "+ + + + +"),
    ("diagnostics", "+ + + + +"),
    ("diagnostics_preview", "+ + + + +"),
    ("backup_now", "+ - - - -"),
    ("backups", "+ - - - -"),
    ("latest_backup", "+ - - - -"),
    ("verify_backup", "+ - - - -"),
    ("restore_preview", "+ - - - -"),
    ("restore", "+ - - - -"),
    ("undo_restore", "+ - - - -"),
    ("rewind_preview", "+ - - - -"),
    ("rewind", "+ - - - -"),
    // import, export, duplicates
    ("import_preview", "+ + - - -"),
    ("import_file", "+ + - - -"),
    ("undo_import", "+ + - - -"),
    ("imports", "+ + - - -"),
    ("save_mapping", "+ + - - -"),
    ("mapping", "+ + - - -"),
    ("mappings", "+ + - - -"),
    ("export", "+ + + - +"),
    ("duplicates", "+ + + - -"),
    ("merge", "+ + + - -"),
    // users
    ("users", "+ + - - -"),
    ("add_user", "+ - - - -"),
    ("add_service_account", "+ - - - -"),
    ("new_token", "+ - - - -"),
    ("set_user_status", "+ - - - -"),
    ("unlock_user", "+ - - - -"),
    ("users_without_key_slot", "+ + - - -"),
    ("change_password", "+ - - - -"),
    ("begin_mfa", "+ + + + +"),
    ("confirm_mfa", "+ + + + +"),
    ("disable_mfa", "+ - - - -"),
    ("finish_mfa_setup", "+ + + + +"),
    // privacy
    ("privacy_notice", "+ + + + +"),
    ("record_consent", "+ - - - -"),
    ("consents", "+ - - - -"),
    ("privacy_export", "+ - - - -"),
    ("erase_person", "+ - - - -"),
    // the audit trail
    ("audit_verify", "+ + - - -"),
    ("audit_checkpoints", "+ + - - -"),
    ("audit_events", "+ + - - -"),
    ("write_checkpoints", "+ + - - -"),
    // roles
    ("roles", "+ + - - -"),
    ("rule_fields", "+ + - - -"),
    ("role", "+ + - - -"),
    ("add_role", "+ - - - -"),
    ("change_role", "+ - - - -"),
    ("set_role_mfa", "+ - - - -"),
];

/// The façade's public methods that take no caller: opening the book and signing in, and what
/// returns nothing from it.
const WITHOUT_CALLER: &[&str] = &[
    "create",
    "open",
    // A book onto a new desktop, or over one that no longer opens, from a backup: holding the
    // backup's key (and the damaged book's) is what allows it; nobody can sign in yet.
    "restore_new",
    "restore_over",
    // The daily backup, the desktop's and the hub's own doing.
    "backup_if_due",
    "check_if_due",
    "quick_check_if_due",
    "lang",
    "set_lang",
    "localizer",
    "migration_snapshot",
    "path",
    "has_users",
    "create_first_admin",
    "sign_in",
    "sign_in_token",
    "read_checkpoints",
    "warm_up",
    "store",
    // The device-level sync seam: reached by a process that opened the book, for a peer whose
    // certificate proved it a member (tests/it/sync.rs), and joining a book from a snapshot.
    "join",
    "sync_vector",
    "sync_hello",
    "sync_changes_encoded",
    "sync_apply_encoded",
    "sync_meet",
    "sync_members",
    "sync_tls",
    "set_sync_tls",
    "sync_tls_for_peers",
    "sync_identity_known",
    "sync_own_fingerprint",
    // This desktop's own notes of when and where it last reached each member.
    "sync_note_seen",
    "sync_last_peer",
    "sync_wait_news",
    // Pairing: failed codes pause invitations on this desktop.
    "sync_pairing_failed",
    "sync_may_invite",
];

const ROLES: [&str; 5] = ["admin", "manager", "sales", "support", "desk-lead"];
const CHANNELS: [Channel; 4] = [Channel::Desktop, Channel::Cli, Channel::Rest, Channel::Sync];
const PW: &str = "Willow-parchment-93";
const BACKUP_PASS: &str = "table backup passphrase";
/// In every customer fixture's name; a refusal's message must not contain it.
const SECRET_NAME: &str = "Quillfeather";

/// The public methods of `impl Banyan` blocks in the façade's sources, split by whether they
/// take a `caller: &Caller`.
fn facade_methods() -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut with, mut without) = (BTreeSet::new(), BTreeSet::new());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let mut in_banyan = false;
        let mut sig = String::new();
        for line in text.lines() {
            if line.starts_with("impl Banyan {") {
                in_banyan = true;
            } else if line == "}" {
                in_banyan = false;
            } else if in_banyan && (line.starts_with("    pub fn ") || !sig.is_empty()) {
                // A signature may span lines: read up to its first parameter after self.
                sig.push_str(line.trim());
                if sig.contains(')') || sig.matches(',').count() >= 2 {
                    let name = sig["pub fn ".len()..].split(['(', '<']).next().unwrap().to_string();
                    if sig.contains("caller: &Caller") {
                        with.insert(name)
                    } else {
                        without.insert(name)
                    };
                    sig.clear();
                }
            }
        }
    }
    (with, without)
}

#[test]
fn every_facade_method_is_in_the_table() {
    let (with, without) = facade_methods();
    let table: BTreeSet<String> = TABLE.iter().map(|(m, _)| m.to_string()).collect();
    let missing: Vec<_> = with.difference(&table).collect();
    assert!(missing.is_empty(), "façade methods with no row in the permission table: {missing:?}");
    let stale: Vec<_> = table.difference(&with).collect();
    assert!(stale.is_empty(), "rows for methods that are not façade methods taking a caller: {stale:?}");
    let free: BTreeSet<String> = WITHOUT_CALLER.iter().map(|m| m.to_string()).collect();
    assert_eq!(without, free, "public façade methods that take no caller");
    assert!(with.len() >= 50, "the parser found only {with:?}");
}

/// What the admin makes for each call: customers, orders, files, each new so no call depends on
/// another's leftovers.
struct Fixture<'a> {
    admin: Caller,
    dir: &'a Path,
    n: u32,
}

impl Fixture<'_> {
    fn next(&mut self) -> u32 {
        self.n += 1;
        self.n
    }

    /// A customer of `owner`'s, so that it is within the reach of every role (scope own too).
    fn customer(&mut self, b: &Banyan, owner: &Caller) -> String {
        let n = self.next();
        let mut input = person(&format!("{SECRET_NAME} {n}"));
        input.phones = vec![format!("1391234{:04}", n % 10_000)];
        input.owner = Some(owner.login().to_string());
        b.add_customer(&self.admin, &input).unwrap().id.to_string()
    }

    fn company(&mut self, b: &Banyan, owner: &Caller) -> String {
        let n = self.next();
        let input = CustomerInput {
            kind: Some("company".into()),
            name: Some(format!("{SECRET_NAME} Trading {n}")),
            owner: Some(owner.login().to_string()),
            ..Default::default()
        };
        b.add_customer(&self.admin, &input).unwrap().id.to_string()
    }

    fn order(&mut self, b: &Banyan, owner: &Caller) -> String {
        let input = OrderInput { customer_id: self.customer(b, owner), lines: vec![line()], notes: None };
        b.create_order(&self.admin, &input).unwrap().id.to_string()
    }

    /// A backup of the book as it is now, by the admin, in the fixture's folder.
    fn backup(&mut self, b: &Banyan) -> std::path::PathBuf {
        b.backup_now(&self.admin, Some(self.dir), Some(BACKUP_PASS)).unwrap().file.into()
    }

    fn csv(&mut self) -> std::path::PathBuf {
        let n = self.next();
        let path = self.dir.join(format!("in-{n}.csv"));
        std::fs::write(&path, format!("Name,Phone\n{SECRET_NAME} imported {n},1380013{:04}\n", n % 10_000)).unwrap();
        path
    }
}

/// Grants exporting every customer.
fn export_all() -> RoleChange {
    RoleChange {
        grant: Some(Grant { entity: Entity::Customer, actions: vec![Action::Export], scope: Scope::All }),
        ..Default::default()
    }
}

fn line() -> LineInput {
    LineInput { sku: "TEA-1".into(), quantity: "2".into(), discount: None }
}

/// The change log's size just before the call under test (after its fixtures) and the call's
/// error code, if any.
struct Outcome {
    before: i64,
    code: Option<ErrorCode>,
    message: String,
}

/// Calls `method` as `who`, after the admin made what it needs.
fn call(f: &mut Fixture, b: &mut Banyan, who: &Caller, method: &str) -> Outcome {
    let before;
    // Marks the log's size after the fixtures, then runs the call.
    macro_rules! act {
        ($e:expr) => {{
            before = b.store().change_count().unwrap();
            $e.map(drop)
        }};
    }
    let quiet = &mut |_: u64, _: u64| {};
    let no = &|| false;
    let req = ImportRequest::default();
    let r: Result<(), banyan::api::ApiError> = match method {
        "add_customer" => act!(b.add_customer(who, &person("Added"))),
        "customer" => {
            let id = f.customer(b, who);
            act!(b.customer(who, &id))
        }
        "revert" => {
            // The admin's change of a customer of the caller's, taken back by the caller.
            let id = f.customer(b, who);
            let patch = CustomerPatch { city: Some("杭州".into()), ..Default::default() };
            b.update_customer(&f.admin, &id, &patch).unwrap();
            let change = b.history(&f.admin, &id).unwrap().into_iter().find(|e| e.field == "city").unwrap().change;
            let spec = format!("{}:{}", change.origin, change.seq);
            act!(b.revert(who, &banyan::api::Revert::Change(spec)))
        }
        "sync_status" => act!(b.sync_status(who)),
        "sync_new_identity" => act!(b.sync_new_identity(who)),
        "sync_peers" => act!(b.sync_peers(who)),
        "sync_enrol_self" => act!(b.sync_enrol_self(who, "office-hub", &format!("{:064x}", f.next()))),
        "sync_admit" => {
            let device = uuid::Uuid::now_v7().to_string();
            act!(b.sync_admit(who, &device, "laptop", &"ab".repeat(32), &signing_key()))
        }
        "sync_revoke" => {
            let device = uuid::Uuid::now_v7().to_string();
            b.sync_admit(&f.admin, &device, "lost laptop", &"cd".repeat(32), &signing_key()).unwrap();
            act!(b.sync_revoke(who, &device))
        }
        "sync_snapshot" => {
            let dest = f.dir.join(format!("snapshot-{}.db", f.next()));
            act!(b.sync_snapshot(who, &dest, &Default::default()))
        }
        "sync_conflicts" => act!(b.sync_conflicts(who)),
        "sync_resolve" => {
            // Another desktop renamed a customer of the caller's meanwhile.
            let id = f.customer(b, who);
            let conflict = concurrent_change(b, &id, "name", "\"深圳贸易\"");
            act!(b.sync_resolve(who, &conflict, "深圳贸易"))
        }
        "history" => {
            let id = f.customer(b, who);
            act!(b.history(who, &id))
        }
        "customer_record" => {
            let id = f.customer(b, who);
            act!(b.customer_record(who, &id))
        }
        "update_customer" => {
            let id = f.customer(b, who);
            let patch = CustomerPatch { city: Some("杭州".into()), ..Default::default() };
            act!(b.update_customer(who, &id, &patch))
        }
        "delete_customer" => {
            let id = f.customer(b, who);
            act!(b.delete_customer(who, &id))
        }
        "customers" => act!(b.customers(who, &Default::default())),
        "search_customers" => act!(b.search_customers(who, SECRET_NAME, &Default::default(), 10)),
        "likely_duplicates" => act!(b.likely_duplicates(who, &person("x"), None)),
        "owner_choices" => act!(b.owner_choices(who)),
        "privacy_notice" => act!(b.privacy_notice(who)),
        "record_consent" => {
            let id = f.customer(b, who);
            let input =
                banyan::api::ConsentInput { purpose: Some("marketing".into()), given: true, ..Default::default() };
            act!(b.record_consent(who, &id, &input))
        }
        "consents" => {
            let id = f.customer(b, who);
            act!(b.consents(who, &id))
        }
        "privacy_export" => {
            let id = f.customer(b, who);
            let out = f.dir.join(format!("request-{}", f.next()));
            act!(b.privacy_export(who, &id, &out))
        }
        "erase_person" => {
            let id = f.customer(b, who);
            act!(b.erase_person(who, &id, "request"))
        }
        "audit_verify" => act!(b.audit_verify(who, &[], &mut |_, _| {})),
        "audit_checkpoints" => act!(b.audit_checkpoints(who)),
        "audit_events" => act!(b.audit_events(who, 10)),
        "write_checkpoints" => {
            let out = f.dir.join(format!("checkpoints-{}.json", f.next()));
            act!(b.write_checkpoints(who, &out))
        }
        "count_customers" => act!(b.count_customers(who, &Default::default())),
        "customer_count" => act!(b.customer_count(who)),
        "add_contact" => {
            let id = f.company(b, who);
            let input = ContactInput { name: Some("Contact".into()), ..Default::default() };
            act!(b.add_contact(who, &id, &input))
        }
        "add_activity" => {
            let id = f.customer(b, who);
            let input = ActivityInput {
                kind: Some("call".into()),
                occurred_at: Some("2026-11-30 10:00".into()),
                text: Some("Rang".into()),
            };
            act!(b.add_activity(who, &id, &input))
        }
        "custom_fields" => act!(b.custom_fields(who)),
        "add_custom_field" => {
            let key = format!("f{}", f.next());
            act!(b.add_custom_field(who, &key, "F", "text", &[]))
        }
        "add_product" => {
            let input = ProductInput {
                sku: Some(format!("P-{}", f.next())),
                name: Some("Pot".into()),
                price: Some("12.00".into()),
                ..Default::default()
            };
            act!(b.add_product(who, &input))
        }
        "update_product" => {
            let input = ProductInput { name: Some(format!("Green tea {}", f.next())), ..Default::default() };
            act!(b.update_product(who, "TEA-1", &input))
        }
        "products" => act!(b.products(who, true)),
        "create_order" => {
            let input = OrderInput { customer_id: f.customer(b, who), lines: vec![line()], notes: None };
            act!(b.create_order(who, &input))
        }
        "preview_order" => act!(b.preview_order(who, &[line()])),
        "update_order_lines" => {
            let id = f.order(b, who);
            act!(b.update_order_lines(who, &id, &[line(), line()], None))
        }
        "order" => {
            let id = f.order(b, who);
            act!(b.order(who, &id))
        }
        "orders" => act!(b.orders(who, &Default::default())),
        "order_summary" => act!(b.order_summary(who, &Default::default())),
        "set_order_status" => {
            let id = f.order(b, who);
            act!(b.set_order_status(who, &id, "confirmed"))
        }
        "settings" => act!(b.settings(who)),
        "set_phone_region" => act!(b.set_phone_region(who, "CN")),
        "set_currency" => act!(b.set_currency(who, "CNY")),
        "space" => act!(b.space(who)),
        "check" => act!(b.check(who)),
        "backup_settings" => act!(b.backup_settings(who)),
        "set_backup_folder" => act!(b.set_backup_folder(who, Some(&f.dir.join("backups")))),
        "set_backup_passphrase" => act!(b.set_backup_passphrase(who, BACKUP_PASS)),
        "set_recovery_key" => act!(b.set_recovery_key(who, Some(&"42".repeat(32)))),
        "backup_now" => {
            b.set_backup_passphrase(&f.admin, BACKUP_PASS).unwrap();
            act!(b.backup_now(who, Some(f.dir), None))
        }
        "backups" => act!(b.backups(who, Some(f.dir))),
        "set_backup_max_age" => act!(b.set_backup_max_age(who, 72)),
        "set_backup_schedule" => act!(b.set_backup_schedule(who, "18:45")),
        "health" => act!(b.health(who)),
        "diagnostics" => {
            let out = f.dir.join(format!("diagnostics-{}.zip", f.next()));
            act!(b.diagnostics(who, &out))
        }
        "set_backup_keep" => act!(b.set_backup_keep(who, banyan::backup::Keep { daily: 3, weekly: 4, monthly: 12 })),
        "latest_backup" => {
            f.backup(b);
            act!(b.latest_backup(who, Some(f.dir)))
        }
        "verify_backup" => {
            let file = f.backup(b);
            act!(b.verify_backup(who, &file, false, &BackupUnlock::ThisBook))
        }
        "restore_preview" => {
            let file = f.backup(b);
            act!(b.restore_preview(who, &file, &BackupUnlock::ThisBook))
        }
        "restore" => {
            let file = f.backup(b);
            act!(b.restore(who, &file, &BackupUnlock::ThisBook))
        }
        "undo_restore" => {
            // A restore to take back, made by the admin.
            let file = f.backup(b);
            b.restore(&f.admin, &file, &BackupUnlock::ThisBook).unwrap();
            act!(b.undo_restore(who))
        }
        "diagnostics_preview" => act!(b.diagnostics_preview(who)),
        "rewind_preview" => act!(b.rewind_preview(who, "2026-01-01", None)),
        "rewind" => act!(b.rewind(who, "2099-01-01", None)),
        "reindex" => act!(b.reindex(who, quiet)),
        "rekey" => act!(b.rekey(who, KeyMode::Passphrase, Some(PASS), false, KdfParams { m_kib: 1024, t: 1, p: 1 })),
        // The book stays open on its new key (the table's book becomes a shared desktop's).
        "make_shared" => act!(b.make_shared(who, PW)),
        "demo" => {
            let seed = f.next() as u64;
            act!(b.demo(who, 1, seed))
        }
        "import_preview" => {
            let file = f.csv();
            act!(b.import_preview(who, &file, &req))
        }
        "import_file" => {
            let file = f.csv();
            act!(b.import_file(who, &file, &req, None, quiet, no))
        }
        "undo_import" => {
            let file = f.csv();
            let done = b.import_file(&f.admin, &file, &req, None, quiet, no).unwrap();
            act!(b.undo_import(who, &done.batch_id, quiet, no))
        }
        "imports" => act!(b.imports(who)),
        "save_mapping" => {
            let file = f.csv();
            let mapping = b.import_preview(&f.admin, &file, &req).unwrap().mapping;
            act!(b.save_mapping(who, &format!("Shop {}", f.next()), &mapping))
        }
        "mapping" | "mappings" => {
            let file = f.csv();
            let mapping = b.import_preview(&f.admin, &file, &req).unwrap().mapping;
            b.save_mapping(&f.admin, "Fair", &mapping).unwrap();
            if method == "mapping" { act!(b.mapping(who, "Fair")) } else { act!(b.mappings(who)) }
        }
        "export" => {
            let out = f.dir.join(format!("out-{}.csv", f.next()));
            act!(b.export(who, &out, ExportFormat::Csv, None, quiet, no))
        }
        "duplicates" => act!(b.duplicates(who, 10)),
        "merge" => {
            let req = MergeRequest {
                survivor_id: f.customer(b, who),
                other_id: f.customer(b, who),
                take: Default::default(),
            };
            act!(b.merge(who, &req))
        }
        "users" => act!(b.users(who)),
        "add_service_account" => {
            let n = f.next();
            let input = UserInput {
                login: Some(format!("bot{n}")),
                name: Some(format!("Bot {n}")),
                roles: vec!["sales".into()],
                team: None,
            };
            act!(b.add_service_account(who, &input))
        }
        "new_token" => {
            let n = f.next();
            let input = UserInput {
                login: Some(format!("bot{n}")),
                name: Some(format!("Bot {n}")),
                roles: vec!["sales".into()],
                team: None,
            };
            b.add_service_account(&f.admin, &input).unwrap();
            act!(b.new_token(who, &format!("bot{n}")))
        }
        "add_user" => {
            let n = f.next();
            let input = UserInput {
                login: Some(format!("new{n}")),
                name: Some(format!("New {n}")),
                roles: vec!["sales".into()],
                team: None,
            };
            act!(b.add_user(who, &input, PW))
        }
        "set_user_status" => act!(b.set_user_status(who, "spare", UserStatus::Active)),
        "unlock_user" => act!(b.unlock_user(who, "spare")),
        "users_without_key_slot" => act!(b.users_without_key_slot(who)),
        "change_password" => {
            act!(b.change_password(who, "spare", None, &format!("Another-fine-password-{}", f.next())))
        }
        "begin_mfa" => act!(b.begin_mfa(who, PW)),
        // A wrong code: refused for what it is (invalid), not for who asks.
        "confirm_mfa" => act!(b.confirm_mfa(who, PW, "000000")),
        "disable_mfa" => act!(b.disable_mfa(who, "spare")),
        // A caller who needed no set-up is handed back as is, whoever they are.
        "finish_mfa_setup" => act!(b.finish_mfa_setup(who)),
        "roles" => act!(b.roles(who)),
        "rule_fields" => act!(b.rule_fields(who)),
        "role" => act!(b.role(who, "desk-lead")),
        "add_role" => {
            let name = format!("copy-{}", f.next());
            act!(b.add_role(who, &name, "support"))
        }
        "change_role" => {
            let name = format!("tweak-{}", f.next());
            b.add_role(&f.admin, &name, "support").unwrap();
            act!(b.change_role(who, &name, &export_all()))
        }
        // Turning it off for a role that does not require it: nothing changes for the run's
        // later sign-ins, but the setting is written (a change in the log) when allowed.
        "set_role_mfa" => act!(b.set_role_mfa(who, "desk-lead", false)),
        other => panic!("no call for {other}"),
    };
    let (code, message) = match r {
        Ok(()) => (None, String::new()),
        Err(e) => (Some(e.code), e.message),
    };
    Outcome { before, code, message }
}

#[test]
fn each_role_over_each_channel_gets_what_the_table_says_and_a_refusal_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut b, _) = new_book(dir.path());
    let admin = admin(&b);
    let product = ProductInput {
        sku: Some("TEA-1".into()),
        name: Some("Tea".into()),
        price: Some("30.00".into()),
        ..Default::default()
    };
    b.add_product(&admin, &product).unwrap();
    b.add_role(&admin, "desk-lead", "support").unwrap();
    let lead = RoleChange {
        grant: Some(Grant {
            entity: Entity::Customer,
            actions: vec![Action::Create, Action::Export],
            scope: Scope::All,
        }),
        export_cap: Some(None),
        ..Default::default()
    };
    b.change_role(&admin, "desk-lead", &lead).unwrap();
    for login in ["manager", "sales", "support", "desk-lead", "spare"] {
        let role = if login == "spare" { "sales" } else { login };
        let input = UserInput {
            login: Some(login.into()),
            name: Some(format!("The {login}")),
            roles: vec![role.into()],
            team: Some("north".into()),
        };
        b.add_user(&admin, &input, PW).unwrap();
    }
    // Everyone's password is PW, the admin's too (the own-account calls check it).
    b.change_password(&admin, ADMIN, Some(ADMIN_PASSWORD), PW).unwrap();
    let mut f = Fixture { admin: b.sign_in(ADMIN, PW, None, Channel::Cli).unwrap(), dir: dir.path(), n: 0 };
    let mut wrong = Vec::new();
    let mut calls = 0;
    for channel in CHANNELS {
        for (i, role) in ROLES.iter().enumerate() {
            let who = b.sign_in(role, PW, None, channel).unwrap();
            assert_eq!(who.channel(), channel);
            for (method, verdicts) in TABLE {
                calls += 1;
                let allowed = verdicts.split(' ').nth(i).unwrap() == "+";
                let out = call(&mut f, &mut b, &who, method);
                let refused = out.code == Some(ErrorCode::Forbidden);
                // Allowed is done: a wrong authenticator code is the one call refused for
                // what it carries.
                let done = out.code.is_none() || (*method == "confirm_mfa" && out.code == Some(ErrorCode::Invalid));
                if refused == allowed || (allowed && !done) {
                    let want = if allowed { "allowed" } else { "refused" };
                    wrong.push(format!(
                        "{channel:?} {role} {method}: expected {want}, got {:?} {}",
                        out.code, out.message
                    ));
                }
                if refused {
                    assert_eq!(b.store().change_count().unwrap(), out.before, "{role} {method}: a refusal wrote");
                    assert!(
                        !out.message.contains(SECRET_NAME),
                        "{method}: a refusal names a customer: {}",
                        out.message
                    );
                    assert!(!out.message.is_empty());
                }
            }
        }
    }
    assert_eq!(calls, TABLE.len() * ROLES.len() * CHANNELS.len());
    assert!(wrong.is_empty(), "{} of {calls} calls disagree with the table:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn a_custom_role_is_a_copy_changed_grant_by_grant_and_nobody_hands_out_more_than_they_hold() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let admin = admin(&b);
    for n in 0..3 {
        b.add_customer(&admin, &person(&format!("{SECRET_NAME} {n}"))).unwrap();
    }
    // A role that may export at most two rows: an export of three is refused whole, before a
    // file is made; a search finding two is written.
    b.add_role(&admin, "exporter", "support").unwrap();
    let change = RoleChange { export_cap: Some(Some(2)), ..export_all() };
    let role = b.change_role(&admin, "exporter", &change).unwrap();
    assert_eq!((role.based_on.as_deref(), role.export_cap), (Some("support"), Some(2)));
    let user = |login: &str, role: &str| UserInput {
        login: Some(login.into()),
        name: Some(login.into()),
        roles: vec![role.into()],
        team: None,
    };
    b.add_user(&admin, &user("ex", "exporter"), PW).unwrap();
    let ex = b.sign_in("ex", PW, None, Channel::Cli).unwrap();
    let out = dir.path().join("all.csv");
    let e = b.export(&ex, &out, ExportFormat::Csv, None, &mut |_, _| {}, &|| false).unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    assert!(e.message.contains("3 customers") && e.message.contains("at most 2"), "{}", e.message);
    assert!(!out.exists(), "a refused export left a file");
    let two = b.export(&ex, &out, ExportFormat::Csv, Some(&format!("{SECRET_NAME} 1")), &mut |_, _| {}, &|| false);
    assert!(two.unwrap().written <= 2);

    // Built-in roles stay as they are; names are checked; a role copies only what exists.
    let e = b.change_role(&admin, "support", &export_all()).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Invalid, Some("name")));
    for bad in ["Big Boss", "admin", "exporter"] {
        assert_eq!(b.add_role(&admin, bad, "support").unwrap_err().code, ErrorCode::Invalid, "{bad}");
    }
    let e = b.add_role(&admin, "x", "nobody").unwrap_err();
    assert_eq!(e.field.as_deref(), Some("from"));
    assert!(e.message.contains("(admin, manager, sales, support, exporter)"), "lists the roles: {}", e.message);
    let e = b.add_user(&admin, &user("ghost", "nobody"), PW).unwrap_err();
    assert!(e.message.contains("exporter") && e.message.contains("support"), "lists the roles: {}", e.message);

    // A manager-like custom role that may manage users still cannot hand out admin, nor grant
    // a role what it does not hold itself.
    b.add_role(&admin, "hr", "manager").unwrap();
    let users_update = RoleChange {
        grant: Some(Grant { entity: Entity::Users, actions: vec![Action::Create, Action::Update], scope: Scope::All }),
        ..Default::default()
    };
    b.change_role(&admin, "hr", &users_update).unwrap();
    b.add_user(&admin, &user("hr1", "hr"), PW).unwrap();
    let hr = b.sign_in("hr1", PW, None, Channel::Cli).unwrap();
    b.add_user(&hr, &user("rep1", "sales"), PW).unwrap();
    let count = || b.store().change_count().unwrap();
    let before = count();
    let e = b.add_user(&hr, &user("boss", "admin"), PW).unwrap_err();
    assert!(e.message.contains("more than your own roles"), "{}", e.message);
    assert_eq!(count(), before, "the refused user was written");
    b.add_role(&hr, "helper", "support").unwrap();
    let settings = RoleChange {
        grant: Some(Grant { entity: Entity::Settings, actions: vec![Action::Update], scope: Scope::All }),
        ..Default::default()
    };
    let before = count();
    assert_eq!(b.change_role(&hr, "helper", &settings).unwrap_err().code, ErrorCode::Invalid);
    assert_eq!(count(), before, "the refused grant was written");
    assert_eq!(b.role(&admin, "helper").unwrap().grants, b.role(&admin, "support").unwrap().grants);

    // A changed role applies from the next sign-in; a revoke takes an action back.
    let revoke = RoleChange {
        revoke: Some(Revoke { entity: Entity::Customer, actions: vec![Action::Export] }),
        ..Default::default()
    };
    b.change_role(&admin, "exporter", &revoke).unwrap();
    assert!(ex.grants().allows(Entity::Customer, Action::Export), "the signed-in session keeps its grants");
    let again = b.sign_in("ex", PW, None, Channel::Cli).unwrap();
    let e = b.export(&again, &out, ExportFormat::Csv, None, &mut |_, _| {}, &|| false).unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let names: Vec<String> = b.roles(&admin).unwrap().into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["admin", "manager", "sales", "support", "exporter", "helper", "hr"]);
}

#[test]
fn a_caller_signed_in_to_one_book_is_nobody_in_another() {
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, _) = new_book(one.path());
    let (b, _) = new_book(two.path());
    let from_a = admin(&a);
    b.add_customer(&admin(&b), &person(SECRET_NAME)).unwrap();
    let e = b.customers(&from_a, &Default::default()).unwrap_err();
    assert_eq!(e.code, ErrorCode::SignInRequired);
    let e = b.add_customer(&from_a, &person("Intruder")).unwrap_err();
    assert_eq!(e.code, ErrorCode::SignInRequired);
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 1);
}

/// The public half of a new desktop signing key, hex.
fn signing_key() -> String {
    banyan::security::chain::DeviceKey::random().unwrap().public_hex()
}
