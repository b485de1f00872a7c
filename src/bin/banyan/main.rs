//! `banyan`: the command-line tool IT scripts against. Every command calls the core façade
//! (`banyan::api::Banyan`); this file only parses arguments and prints results.

mod print;
mod sync;

use banyan::api::{self, ApiError, Banyan, Caller, Channel, OpenOptions, Settings};
use banyan::backup::BackupUnlock;
use banyan::i18n::{Lang, Localizer};
use banyan::model::*;
use banyan::security::keys::{KdfParams, KeyMode, Unlock};
use banyan::store::{CustomerFilter, CustomerSort, NewKey, OrderFilter};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeroize::Zeroizing;

#[derive(Parser)]
#[command(name = "banyan", version, about = "Banyan CRM: the encrypted, offline-first customer book")]
struct Cli {
    /// Database file (default: the OS local app-data folder).
    #[arg(long, global = true, env = "BANYAN_DB")]
    db: Option<PathBuf>,
    /// Language of messages: en-US or zh-CN (default: from the environment).
    #[arg(long, global = true)]
    lang: Option<String>,
    /// Machine-readable JSON output, errors included.
    #[arg(long, global = true)]
    json: bool,
    /// Read the passphrase from the first line of standard input (else BANYAN_PASSPHRASE).
    #[arg(long, global = true)]
    passphrase_stdin: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new encrypted database (key in the OS keyring, or protected by a passphrase).
    Init {
        /// Where the key is kept; default: passphrase when one is given, else the keyring.
        #[arg(long, value_enum)]
        key_mode: Option<ModeArg>,
        /// Region for phone numbers without a country code (default: IT's PhoneRegion policy,
        /// else CN).
        #[arg(long)]
        phone_region: Option<String>,
        /// Currency for new products (default: IT's Currency policy, else CNY).
        #[arg(long)]
        currency: Option<String>,
    },
    /// Customers: people and companies.
    #[command(subcommand)]
    Customer(CustomerCmd),
    /// People at a company customer.
    #[command(subcommand)]
    Contact(ContactCmd),
    /// Calls, visits, emails and notes.
    #[command(subcommand)]
    Activity(ActivityCmd),
    /// Custom fields on customers.
    #[command(subcommand)]
    Field(FieldCmd),
    /// Products.
    #[command(subcommand)]
    Product(ProductCmd),
    /// Orders.
    #[command(subcommand)]
    Order(OrderCmd),
    /// Company-wide settings.
    Settings {
        #[arg(long)]
        phone_region: Option<String>,
        #[arg(long)]
        currency: Option<String>,
    },
    /// Add realistic demo data.
    Demo {
        #[arg(long, default_value_t = 200)]
        customers: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Change the key or how it is kept. The new passphrase comes from BANYAN_NEW_PASSPHRASE or the
    /// second line of standard input.
    Rekey {
        /// Keep the key in the keyring or behind a passphrase (default: as now), or make this a
        /// shared desktop ("shared": a new key that only its users' passwords open; yours, from
        /// BANYAN_PASSWORD, first; the others get theirs as an admin sets their passwords).
        #[arg(long, value_enum)]
        to: Option<RekeyTo>,
        /// Also re-encrypt the whole database under a new random key.
        #[arg(long)]
        new_key: bool,
    },
    /// Verify the integrity of the encrypted database file.
    Check,
    /// Show where the database file's bytes go, table by table and index by index.
    Space,
    /// Rebuild the customer search index.
    Reindex,
    /// Import customers from CSV/TSV, XLSX/XLS/ODS, JSON, XML or vCard; `import undo BATCH`
    /// takes a whole import back.
    Import(ImportArgs),
    /// List past imports (newest first) with their batch ids.
    Imports,
    /// Export customers (all, or those a search finds) as CSV, XLSX, JSON, XML or vCard.
    Export {
        /// csv, csv-excel (UTF-8 with BOM), csv-gbk, csv-gb18030, xlsx, json, xml or vcf.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Only the customers this search finds.
        #[arg(long)]
        query: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// List likely duplicate customers, with a score and the reasons.
    Duplicates {
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Banyan's users: who signs in, with which role, in which team. Every command acts as
    /// BANYAN_USER (password in BANYAN_PASSWORD, authenticator code in BANYAN_TOTP).
    #[command(subcommand)]
    User(UserCmd),
    /// The signed-in user's authenticator app (TOTP).
    #[command(subcommand)]
    Mfa(MfaCmd),
    /// Roles: what each may do. The built-in ones are admin, manager, sales and support; a
    /// custom role starts as a copy of one and is changed with `role grant`.
    #[command(subcommand)]
    Role(RoleCmd),
    /// The audit trail: whether history was altered (verify), the signed checkpoints to keep
    /// outside the book (checkpoints), and sign-ins, lockouts, exports and grant changes (events).
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Sync with the team's other desktops: this desktop's state (status) and the decisions
    /// sync left to people (conflicts, resolve).
    #[command(subcommand)]
    Sync(SyncCmd),
    /// Serve the book headless (an office hub): with --sync, answers member desktops' sync
    /// until stopped. The passphrase comes from BANYAN_PASSPHRASE or --passphrase-stdin; no
    /// customer data is printed.
    Serve {
        #[arg(long)]
        sync: bool,
        /// Where to listen (default 0.0.0.0:47615).
        #[arg(long)]
        listen: Option<String>,
        /// Print a systemd unit that runs this hub (this binary, this book, this address) as a
        /// service, instead of serving: `… serve --sync --systemd-unit > /etc/systemd/system/banyan-hub.service`.
        #[arg(long)]
        systemd_unit: bool,
    },
    /// Privacy (PIPL): consents per customer and purpose, the privacy notice, everything about
    /// one person for an access request, and erasing one person.
    #[command(subcommand)]
    Privacy(PrivacyCmd),
    /// A customer's history, newest first: every change of it and of its contacts, activities
    /// and orders (field, old → new, who, when, on which desktop), as far as your role may see.
    History {
        /// The customer's id.
        id: String,
        /// Show at most this many changes (default all).
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Take back a change (DESKTOP:NUMBER, as `history` lists it), a transaction (--tx N, of this
    /// desktop unless --desktop names another) or a batch (--batch B, e.g. an import): new changes
    /// write the old values back; fields edited since are kept and listed.
    #[command(group = clap::ArgGroup::new("what").required(true).args(["change", "tx", "batch"]))]
    Revert {
        change: Option<String>,
        #[arg(long)]
        tx: Option<i64>,
        /// The desktop of --tx, by its id or the first characters of it.
        #[arg(long, requires = "tx")]
        desktop: Option<String>,
        #[arg(long)]
        batch: Option<String>,
    },
    /// Backups of the book: make one now, list them, verify one; where they go, the backup
    /// passphrase (BANYAN_BACKUP_PASSPHRASE or standard input) and the company's recovery key.
    #[command(subcommand)]
    Backup(BackupCmd),
    /// A zip for support: versions, settings and where each comes from, health, the last check,
    /// the backups and their state, key mode (never the key), schema and counts. No customer
    /// data, no secret; paths under your home folder start with ~.
    Diagnostics {
        #[arg(long)]
        out: PathBuf,
    },
    /// The book's health on this desktop: sizes, the last backup and check, the last sync, free
    /// space. Exits 1 when a threshold is crossed (for monitoring scripts).
    Health,
    /// Restore the book from a backup: FILE, or the newest with --latest. Shows what comes back
    /// and what is lost, then (with --yes, or after asking) saves the book as it is and swaps the
    /// backup in. --undo takes the last restore back. Where no book exists yet (a new desktop),
    /// the backup becomes this desktop's book; its key opens with BANYAN_BACKUP_PASSPHRASE or
    /// --recovery-key, and is then kept in the keyring or behind BANYAN_PASSPHRASE.
    #[command(group = clap::ArgGroup::new("which").required(true).args(["file", "latest", "undo"]))]
    Restore {
        file: Option<PathBuf>,
        /// The newest backup of this book in the backup folder (or --from).
        #[arg(long)]
        latest: bool,
        /// With --latest: the folder to look in.
        #[arg(long, requires = "latest")]
        from: Option<PathBuf>,
        /// Show what would come back and what would be lost; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Do it without asking.
        #[arg(long)]
        yes: bool,
        /// Bring back the book as it was before the last restore.
        #[arg(long, conflicts_with_all = ["file", "latest", "dry_run"])]
        undo: bool,
        /// The company's recovery key file (from `backup recovery-key new`), instead of the backup
        /// passphrase.
        #[arg(long)]
        recovery_key: Option<PathBuf>,
    },
    /// The policies IT set for this computer (/etc/banyan/policies.json): `show` lists each one
    /// in force and what was ignored and why; `check FILE` checks a policy file before rollout
    /// (exit 2 when something in it would be ignored).
    #[command(subcommand)]
    Policy(PolicyCmd),
    /// Print this tool's manual page (roff), for packagers: the .deb and .rpm carry it as
    /// banyan(1), made from the same definitions as --help.
    #[command(hide = true)]
    Man,
    /// Take back every change made after --to (everyone's, or one --user's) as one new batch: a
    /// record made since is removed, one removed since comes back, fields get their values of
    /// then. Fields someone else changed since are kept and listed; products, orders and settings
    /// are kept. --dry-run lists what would change. `revert --batch` takes a rewind back.
    Rewind {
        /// The moment: "2026-12-07 14:59" (local time, seconds optional), a date (its midnight),
        /// or RFC 3339.
        #[arg(long)]
        to: String,
        /// Only this user's changes (login or name).
        #[arg(long)]
        user: Option<String>,
        /// Show what would be taken back; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Merge the second customer into the first; contacts, activities and orders move along.
    Merge {
        survivor: String,
        other: String,
        /// Take a field from the second customer: FIELD (repeatable), e.g. --take-other name.
        #[arg(long = "take-other")]
        take_other: Vec<String>,
    },
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
struct ImportArgs {
    #[command(subcommand)]
    undo: Option<ImportSub>,
    /// The file to import.
    file: Option<PathBuf>,
    /// Sheet name or number (workbooks; default the first).
    #[arg(long)]
    sheet: Option<String>,
    /// A saved mapping's name, or a JSON mapping file.
    #[arg(long)]
    mapping: Option<String>,
    /// Save the mapping used under this name for next time.
    #[arg(long)]
    save_mapping: Option<String>,
    /// What to do with rows that match an existing customer.
    #[arg(long, value_enum, default_value = "skip")]
    on_duplicate: DupArg,
    /// Import nothing unless every row is valid.
    #[arg(long)]
    all_or_nothing: bool,
    /// Check everything and report, but write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Where to write the rejected rows (default: FILE.errors.csv beside the file).
    #[arg(long)]
    rejects: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ImportSub {
    /// Undo a whole import by its batch id (see `banyan imports`).
    Undo { batch: String },
}

#[derive(Clone, Copy, ValueEnum)]
enum DupArg {
    Skip,
    Update,
    Overwrite,
    Create,
}

#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    Keyring,
    Passphrase,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RekeyTo {
    Keyring,
    Passphrase,
    Shared,
}

#[derive(Args, Default)]
struct CustomerFields {
    #[arg(long)]
    name: Option<String>,
    /// person or company
    #[arg(long)]
    kind: Option<String>,
    /// Phone number (repeatable).
    #[arg(long = "phone")]
    phones: Vec<String>,
    /// Email address (repeatable).
    #[arg(long = "email")]
    emails: Vec<String>,
    #[arg(long)]
    company: Option<String>,
    #[arg(long)]
    address: Option<String>,
    #[arg(long)]
    city: Option<String>,
    #[arg(long)]
    country: Option<String>,
    /// Tag (repeatable).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// The owning user, by login or name (a new customer is yours when left out).
    #[arg(long)]
    owner: Option<String>,
    #[arg(long)]
    source: Option<String>,
    #[arg(long)]
    notes: Option<String>,
    /// Custom field value KEY=VALUE (repeatable).
    #[arg(long = "custom", value_parser = parse_kv)]
    custom: Vec<(String, String)>,
}

fn parse_kv(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .ok_or_else(|| format!("expected KEY=VALUE, got {s}"))
}

#[derive(Subcommand)]
enum CustomerCmd {
    Add(CustomerFields),
    Get {
        id: String,
    },
    /// Change fields; a repeated option (phone, email, tag) replaces the whole list.
    Update {
        id: String,
        #[command(flatten)]
        fields: CustomerFields,
        /// Remove all phone numbers.
        #[arg(long)]
        clear_phones: bool,
        /// Remove all email addresses.
        #[arg(long)]
        clear_emails: bool,
        /// Remove all tags.
        #[arg(long)]
        clear_tags: bool,
    },
    Delete {
        id: String,
    },
    /// Find customers by any part of a name (any script, pinyin, initials), phone digits, email,
    /// company, contact, city, tag or note title; typos are tolerated.
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        tag: Option<String>,
        #[arg(long)]
        city: Option<String>,
        /// Customers of one owner (login or name).
        #[arg(long)]
        owner: Option<String>,
        /// Only customers with an order not yet paid or cancelled.
        #[arg(long)]
        open_orders: bool,
    },
    List {
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        tag: Option<String>,
        #[arg(long)]
        city: Option<String>,
        /// Customers of one owner (login or name).
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
        #[arg(long, default_value_t = 0)]
        offset: u32,
        #[arg(long)]
        include_deleted: bool,
        /// name (default), updated (most recently changed first) or created (newest first).
        #[arg(long, value_parser = ["name", "updated", "created"])]
        sort: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user; the password comes from BANYAN_NEW_PASSWORD or standard input. On a book
    /// without users this creates its first admin (the role must be admin).
    Add {
        login: String,
        #[arg(long)]
        name: String,
        /// admin, manager, sales, support or a custom role (repeatable).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long)]
        team: Option<String>,
        /// A service account for a script or an integration: no password; prints its token
        /// (shown once), which the script gives as BANYAN_TOKEN.
        #[arg(long)]
        service: bool,
    },
    /// Give a service account a new token (printed once); the old one stops working.
    Token { login: String },
    /// List the users.
    List,
    /// Disable an account: it can no longer sign in. Its history stays.
    Disable { login: String },
    /// Enable a disabled account.
    Enable { login: String },
    /// Lift an account's sign-in lockout on this computer.
    Unlock { login: String },
    /// Change a password (default: your own); the new one comes from BANYAN_NEW_PASSWORD or
    /// standard input. Setting another user's password (admins) removes their authenticator.
    Passwd { login: Option<String> },
}

#[derive(Subcommand)]
enum PrivacyCmd {
    /// Record a consent a customer gave (--given) or withdrew (--withdrawn) for a purpose.
    #[command(group = clap::ArgGroup::new("answer").required(true).args(["given", "withdrawn"]))]
    Consent {
        /// The customer's id.
        id: String,
        /// marketing, service, analytics, transfer, or your own (letters, digits, dashes).
        #[arg(long)]
        purpose: String,
        #[arg(long)]
        given: bool,
        #[arg(long)]
        withdrawn: bool,
        /// How: form, web, email, phone, paper or in-person.
        #[arg(long, default_value = "form")]
        channel: String,
        /// The version of the privacy notice the customer was shown (default: this program's).
        #[arg(long)]
        notice: Option<String>,
        /// When, YYYY-MM-DD [HH:MM] (default: now).
        #[arg(long)]
        at: Option<String>,
    },
    /// A customer's consents, oldest first: the last per purpose is the current answer.
    Consents { id: String },
    /// The privacy notice to show customers (in the language of --lang).
    Notice,
    /// Everything about one person (record, contacts, activities, orders, consents, history)
    /// as JSON and CSV files in a folder: an access request's answer.
    Export {
        id: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Erase one person for good: their record, contacts and activities are overwritten, their
    /// orders keep their amounts without their notes, the history keeps that changes happened
    /// without their values, search forgets them. Cannot be undone.
    Erase {
        id: String,
        /// Why (the request it answers); kept with the erasure.
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
enum SyncCmd {
    /// A new identity for this book, vouched for by the one it had: for a book copied to another
    /// computer or restored outside Banyan, which its peers refuse until it takes one.
    NewIdentity,
    /// This desktop's id and code, the changes it holds from each desktop, and how many
    /// decisions and held changes wait.
    Status,
    /// The decisions sync left to people: a field changed on two desktops to different values
    /// (each value with who, when and on which desktop; the one shown first), one SKU or custom
    /// field key made on two desktops.
    Conflicts,
    /// Settle a conflict everywhere by keeping one of its values (as `sync conflicts` lists it,
    /// or the text itself).
    Resolve {
        /// The conflict's id, as `sync conflicts` lists it (table/row/field).
        id: String,
        #[arg(long)]
        keep: String,
    },
    /// Invite a desktop to this book: shows a 6-digit code and the address to pair with, then
    /// waits 5 minutes for the desktop that types it (one wrong code ends the invitation).
    Invite {
        /// Where to listen (default 0.0.0.0:47615).
        #[arg(long)]
        listen: Option<String>,
        /// This desktop's name as the others list it (default: the host name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Join the book of the desktop that shows CODE: the book is made at --db (which must not
    /// exist yet) from that desktop's copy, protected like `init` (passphrase or keyring).
    Pair {
        code: String,
        /// HOST:PORT the inviting desktop shows.
        address: String,
        /// This desktop's name as the others list it (default: the host name).
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_enum)]
        key_mode: Option<ModeArg>,
    },
    /// One round of sync with a desktop or hub of the book: both sides end with everything.
    Now {
        /// HOST:PORT of the desktop or hub (`banyan serve --sync`); without it, the one this
        /// desktop last reached, else one the book's announcements show on this network, else
        /// another member's last known address.
        #[arg(long)]
        peer: Option<String>,
    },
    /// Stays in sync with a desktop or hub until stopped: a round as soon as either side has
    /// something new (one line each); a lost connection is tried again.
    Live {
        /// HOST:PORT of the desktop or hub; without it, the one this desktop last reached if it
        /// answers, else one found on this network.
        #[arg(long)]
        peer: Option<String>,
    },
    /// The book's desktops: name, code, fingerprint, who added them, removed ones.
    Peers,
    /// Remove a desktop from the book (a lost laptop): by its id or the start of it.
    Revoke { device: String },
}

#[derive(Subcommand)]
enum PolicyCmd {
    /// Each policy in force (mandatory or recommended), and each problem of the file.
    Show,
    /// Checks a policy file: what would apply and what would be ignored.
    Check { file: PathBuf },
}

#[derive(Subcommand)]
enum BackupCmd {
    /// Back the book up now (to --to DIR, else the backup folder). The key is wrapped under the
    /// backup passphrase (BANYAN_BACKUP_PASSPHRASE sets it) and/or the company's recovery key.
    Now {
        #[arg(long)]
        to: Option<PathBuf>,
    },
    /// The backup settings and the backups in the folder (or --dir), newest first.
    List {
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Check a backup (default: the newest): its manifest's signature and the file's hash; with
    /// --full also open it (backup passphrase, recovery key, or this book's own key) and check
    /// every page, the search index and the content against the manifest. Exits 1 on a problem.
    Verify {
        file: Option<PathBuf>,
        #[arg(long)]
        full: bool,
        #[arg(long)]
        recovery_key: Option<PathBuf>,
    },
    /// Set the folder backups go to on this desktop (a second disk, a USB drive, a share);
    /// --default puts them beside the book again.
    Folder {
        #[arg(required_unless_present = "default")]
        dir: Option<PathBuf>,
        #[arg(long, conflicts_with = "dir")]
        default: bool,
    },
    /// Set the backup passphrase (from BANYAN_BACKUP_PASSPHRASE or standard input).
    Passphrase,
    /// After how many hours without a backup `banyan health` (and the main screen) warns.
    MaxAge { hours: u32 },
    /// When the daily backup runs on this desktop (local time, HH:MM; default 12:30): the
    /// desktop app and `banyan serve` make it, and one missed while the PC was off at the next
    /// start.
    Schedule { at: String },
    /// How many backups to keep: the newest of each of the last N days, weeks and months (as
    /// restic's keep-daily/weekly/monthly; default 7, 4, 12). Older ones go after each backup.
    Keep {
        #[arg(long, default_value_t = 7)]
        daily: u32,
        #[arg(long, default_value_t = 4)]
        weekly: u32,
        #[arg(long, default_value_t = 12)]
        monthly: u32,
    },
    /// The company's recovery key: every backup's key is also sealed to it.
    #[command(subcommand)]
    RecoveryKey(RecoveryKeyCmd),
}

#[derive(Subcommand)]
enum RecoveryKeyCmd {
    /// Make a new recovery key pair: the secret half goes to --out (keep it offline, e.g. in a
    /// safe), the public half becomes the book's recovery key.
    New {
        #[arg(long)]
        out: PathBuf,
    },
    /// Use a recovery public key (hex) made elsewhere.
    Set { public_key: String },
    /// Stop sealing backups' keys to a recovery key.
    Clear,
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Check every desktop's history in the book: each entry's digest and link, gap-free
    /// sequences, the signed checkpoints, and (with --checkpoints) checkpoints kept elsewhere.
    /// Exits 6 when anything was altered, missing, truncated or rewritten.
    Verify {
        /// Checkpoints written before by `audit checkpoints --out` (or a peer's, a backup's):
        /// what tells a rewrite that re-hashed the whole history.
        #[arg(long)]
        checkpoints: Option<PathBuf>,
    },
    /// Sign a checkpoint of this desktop's history now and write every checkpoint the book holds
    /// (JSON) to keep somewhere else; standard output without --out.
    Checkpoints {
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The latest audit events, newest first: sign-ins (and refused ones), lockouts, MFA, user
    /// and grant changes, exports.
    Events {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum RoleCmd {
    /// List the roles, built-in and custom.
    List,
    /// What a role allows: per entity, the actions and over which customers.
    Show { name: String },
    /// Add a custom role, a copy of another role.
    Add {
        name: String,
        /// The role to copy (admin, manager, sales, support or a custom one).
        #[arg(long)]
        from: String,
    },
    /// Grant a custom role actions on an entity (customer, contact, activity, product, order,
    /// settings, users, audit, privacy), e.g. `role grant desk-lead customer export,create`;
    /// or, with --revoke, take them back; or set its export cap. Users get the change at their
    /// next sign-in.
    Grant {
        name: String,
        entity: Option<String>,
        /// read, create, update, delete, import, export, merge (comma-separated).
        actions: Option<String>,
        /// Over which customers: own, team or all.
        #[arg(long, default_value = "all")]
        scope: String,
        /// Take the actions back instead.
        #[arg(long)]
        revoke: bool,
        /// The most rows one export may write ("none" for no limit).
        #[arg(long)]
        export_cap: Option<String>,
        /// A field rule, FIELD=hidden|read|write: order.total, order.lines.price,
        /// order.lines.discount, product.price, customer.phones, customer.emails,
        /// customer.address, customer.tags, customer.source, customer.notes or
        /// customer.custom.KEY for a custom field (write, the default, removes the rule).
        #[arg(long)]
        field: Option<String>,
    },
    /// Make a role (built-in or custom) require an authenticator app: its users without one set
    /// one up at their next sign-in (`banyan mfa enroll`) and may do nothing else until then.
    /// With --off, the role no longer requires it.
    RequireMfa {
        name: String,
        #[arg(long)]
        off: bool,
    },
}

#[derive(Subcommand)]
enum MfaCmd {
    /// Enrol an authenticator app: without --code, shows the QR code's link and the secret to
    /// type; then run again with --code and the code the app shows to turn it on.
    Enroll {
        /// A code from the app, confirming the enrolment.
        #[arg(long)]
        code: Option<String>,
        /// Also write the QR code as an SVG image to this file.
        #[arg(long)]
        qr: Option<PathBuf>,
    },
    /// Turn the authenticator off (your own, or any user's for an admin).
    Disable { login: Option<String> },
}

#[derive(Subcommand)]
enum ContactCmd {
    Add {
        #[arg(long)]
        customer: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        title: Option<String>,
        #[arg(long = "phone")]
        phones: Vec<String>,
        #[arg(long = "email")]
        emails: Vec<String>,
        #[arg(long)]
        notes: Option<String>,
    },
}

#[derive(Subcommand)]
enum ActivityCmd {
    Add {
        #[arg(long)]
        customer: String,
        /// call, visit, email or note
        #[arg(long)]
        kind: Option<String>,
        /// YYYY-MM-DD or "YYYY-MM-DD HH:MM"
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        text: Option<String>,
    },
}

#[derive(Subcommand)]
enum FieldCmd {
    Add {
        #[arg(long)]
        key: String,
        #[arg(long)]
        label: String,
        /// text, number, date or choice
        #[arg(long)]
        kind: String,
        /// Allowed value for a choice field (repeatable).
        #[arg(long = "choice")]
        choices: Vec<String>,
    },
    List,
}

#[derive(Subcommand)]
enum ProductCmd {
    Add {
        #[arg(long)]
        sku: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        price: Option<String>,
        #[arg(long)]
        currency: Option<String>,
        /// Tax rate in percent.
        #[arg(long)]
        tax: Option<String>,
        #[arg(long)]
        inactive: bool,
    },
    Update {
        sku: String,
        #[arg(long)]
        new_sku: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        price: Option<String>,
        #[arg(long)]
        tax: Option<String>,
        #[arg(long)]
        active: Option<bool>,
    },
    List {
        #[arg(long)]
        include_inactive: bool,
    },
}

#[derive(Subcommand)]
enum OrderCmd {
    Create {
        #[arg(long)]
        customer: String,
        /// SKU:QTY[:DISCOUNT%] (repeatable).
        #[arg(long = "line")]
        lines: Vec<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    Get {
        id: String,
    },
    List {
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        customer: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Move an order to STATUS: confirmed, fulfilled, paid or cancelled.
    Status {
        id: String,
        status: String,
    },
}

struct Ctx {
    json: bool,
    l10n: Localizer,
}

impl Ctx {
    fn fail(&self, e: &ApiError) -> u8 {
        if self.json {
            println!("{}", serde_json::json!({ "error": e }));
        } else {
            eprintln!("{}", self.l10n.format("cli-error", &[("message", e.message.clone())]));
        }
        match e.code {
            api::ErrorCode::Invalid => 2,
            api::ErrorCode::NotFound => 3,
            api::ErrorCode::WrongPassphrase
            | api::ErrorCode::WrongKey
            | api::ErrorCode::PassphraseRequired
            | api::ErrorCode::SignInFailed
            | api::ErrorCode::Locked
            | api::ErrorCode::MfaRequired
            | api::ErrorCode::MfaReplayed
            | api::ErrorCode::ClockOff
            | api::ErrorCode::UserDisabled
            | api::ErrorCode::MfaSetupRequired
            | api::ErrorCode::NoUsers
            | api::ErrorCode::SignInRequired
            | api::ErrorCode::BackupKey => 4,
            api::ErrorCode::Forbidden => 5,
            api::ErrorCode::HistoryAltered => 6,
            api::ErrorCode::Network
            | api::ErrorCode::PairingFailed
            | api::ErrorCode::PeerRefused
            | api::ErrorCode::Removed => 7,
            _ => 1,
        }
    }
}

fn main() -> ExitCode {
    let matches = <Cli as clap::CommandFactory>::command().get_matches();
    if matches.subcommand_name() == Some("man") {
        let mut page = <Cli as clap::CommandFactory>::command();
        // The hidden page is not a command a user looks up in it.
        page = page.mut_subcommand("man", |c| c.hide(true));
        return match clap_mangen::Man::new(page).render(&mut std::io::stdout()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    }
    let cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    // The log (see `banyan::logging`): never a reason for a command to fail.
    let program = if matches.subcommand_name() == Some("serve") { "hub" } else { "cli" };
    if let Some(opts) = banyan::logging::LogOptions::from_env(program) {
        let _ = banyan::logging::init(&opts);
    }
    // The command's name only (`customer search`), never its arguments: they are typed input.
    let mut command = Vec::new();
    let mut m = &matches;
    while let Some((name, sub)) = m.subcommand() {
        command.push(name);
        m = sub;
    }
    let command = command.join(" ");
    let started = std::time::Instant::now();
    let code = main_inner(cli);
    tracing::info!(command, ms = started.elapsed().as_millis() as u64, exit = code, "command finished");
    ExitCode::from(code)
}

fn main_inner(cli: Cli) -> u8 {
    // IT's Locale policy: a mandatory one beats --lang, a recommended one the system's.
    let lang = match cli.lang.as_deref() {
        None => banyan::policy::current().language(None).0,
        Some(l) => match Lang::parse(l) {
            Some(l) => banyan::policy::current().language(Some(l)).0,
            None => {
                let ctx = Ctx { json: cli.json, l10n: Localizer::new(Lang::EnUs) };
                let l10n = Localizer::new(Lang::EnUs);
                let e = api::localize(
                    &l10n,
                    banyan::Error::field(banyan::FieldError::new("lang", "error-language").arg("value", l)),
                );
                return ctx.fail(&e);
            }
        },
    };
    let ctx = Ctx { json: cli.json, l10n: Localizer::new(lang) };
    match run(cli, lang, &ctx) {
        Ok(()) => 0,
        Err(e) => ctx.fail(&e),
    }
}

/// The passphrases given: the current one, and (for rekey) the new one.
fn passphrases(cli_stdin: bool) -> (Option<Zeroizing<String>>, Option<Zeroizing<String>>) {
    let env = |k: &str| std::env::var(k).ok().filter(|s| !s.is_empty()).map(Zeroizing::new);
    if cli_stdin {
        let stdin = std::io::stdin();
        let mut lines = stdin.lock().lines();
        let mut next = || {
            lines
                .next()
                .and_then(|l| l.ok())
                .map(|l| Zeroizing::new(l.trim_end_matches('\r').to_string()))
                .filter(|s| !s.is_empty())
        };
        let first = next();
        let second = next();
        (first, second.or_else(|| env("BANYAN_NEW_PASSPHRASE")))
    } else {
        (env("BANYAN_PASSPHRASE"), env("BANYAN_NEW_PASSPHRASE"))
    }
}

fn run(cli: Cli, lang: Lang, ctx: &Ctx) -> Result<(), ApiError> {
    if let Command::Policy(sub) = &cli.command {
        // Nothing is opened: policies are the computer's, not the book's.
        let out = print::Out { json: ctx.json, l10n: &ctx.l10n };
        let (p, checking) = match sub {
            PolicyCmd::Show => (banyan::policy::current().clone(), false),
            PolicyCmd::Check { file } => {
                if !file.is_file() {
                    return Err(api::localize(&ctx.l10n, banyan::Error::DbMissing(file.clone())));
                }
                (banyan::policy::read(file), true)
            }
        };
        out.policies(&p);
        if checking && !p.problems.is_empty() {
            return Err(api::localize(
                &ctx.l10n,
                banyan::Error::field(
                    banyan::FieldError::new("file", "error-policy-file").arg("count", p.problems.len().to_string()),
                ),
            ));
        }
        return Ok(());
    }
    // Where the book is: IT's DatabaseDirectory policy may hold it (a book named elsewhere, or a
    // folder that cannot hold it, stops here with exit 2).
    let mut opts = OpenOptions::new(api::book_path(cli.db.clone()).map_err(|e| api::localize(&ctx.l10n, e))?);
    opts.lang = lang;
    if let Command::Serve { sync: true, listen, systemd_unit: true } = &cli.command {
        // Nothing is opened: the unit names the book and this binary by absolute path.
        let exe = std::env::current_exe().map_err(|e| api::localize(&ctx.l10n, banyan::Error::Io(e)))?;
        let db = std::path::absolute(&opts.path).map_err(|e| api::localize(&ctx.l10n, banyan::Error::Io(e)))?;
        let listen = listen.clone().unwrap_or_else(|| format!("0.0.0.0:{}", sync::PORT));
        print!("{}", sync::systemd_unit(&exe, &db, &listen));
        return Ok(());
    }
    let (pass, new_pass) = passphrases(cli.passphrase_stdin);
    let out = print::Out { json: ctx.json, l10n: &ctx.l10n };

    if let Command::Init { key_mode, phone_region, currency } = &cli.command {
        let mode = match key_mode {
            Some(ModeArg::Passphrase) => KeyMode::Passphrase,
            Some(ModeArg::Keyring) => KeyMode::Keyring,
            None if pass.is_some() => KeyMode::Passphrase,
            // IT's KeyMode (or portable mode) picks the default; the core refuses the other.
            None => banyan::home::key_rule().default,
        };
        let key = match mode {
            KeyMode::Passphrase => NewKey::Passphrase(pass.as_ref().map(|p| p.to_string()).unwrap_or_default()),
            _ => NewKey::Keyring,
        };
        let b = Banyan::create(&opts, key, &Settings::in_force(phone_region.clone(), currency.clone()))?;
        out.init(b.path(), mode);
        return Ok(());
    }

    if let Command::Sync(SyncCmd::Pair { code, address, name, key_mode }) = &cli.command {
        let key = match key_mode {
            Some(ModeArg::Keyring) => NewKey::Keyring,
            Some(ModeArg::Passphrase) | None if pass.is_some() => {
                NewKey::Passphrase(pass.as_ref().map(|p| p.to_string()).unwrap_or_default())
            }
            Some(ModeArg::Passphrase) => NewKey::Passphrase(String::new()),
            None if banyan::home::key_rule().default == KeyMode::Passphrase => NewKey::Passphrase(String::new()),
            None => NewKey::Keyring,
        };
        // A large book takes a while: the other desktop copies it, it arrives, it is checked.
        let bar = progress_bar(ctx);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg} {bar:30.cyan/blue} {percent:>3}%  {elapsed_precise}")
                .expect("static template"),
        );
        let stage = std::sync::Mutex::new(None::<&'static str>);
        let shown = |step: sync::JoinStep| {
            let (name, done, total) = step.parts();
            let mut was = stage.lock().unwrap_or_else(|e| e.into_inner());
            if *was != Some(name) {
                *was = Some(name);
                bar.set_message(ctx.l10n.t(&format!("cli-join-{name}")));
            }
            // A step without a measure (checking) shows full.
            bar.set_length(total.max(1));
            bar.set_position(if total == 0 { 1 } else { done });
        };
        let joined = sync::join(&opts, key, code, address, name.as_deref(), &shown);
        bar.finish_and_clear();
        let b = joined?;
        let customers = b.sync_vector()?.0.values().sum::<i64>();
        out.message(
            "cli-sync-joined",
            &[("path", b.path().display().to_string())],
            serde_json::json!({ "joined": b.path(), "device": b.sync_hello()?.device, "changes": customers }),
        );
        return Ok(());
    }

    // A new desktop: no book yet, and the backup becomes it.
    if let Command::Restore { file, latest: false, dry_run: false, undo: false, recovery_key, .. } = &cli.command
        && !opts.path.exists()
        && !banyan::security::KeyStore::for_db(&opts.path).exists()
    {
        let file = file.clone().expect("clap requires a file without --latest or --undo");
        let unlock = backup_unlock(recovery_key.as_deref(), &ctx.l10n)?;
        let key = match &pass {
            Some(p) => NewKey::Passphrase(p.to_string()),
            None => NewKey::Keyring,
        };
        let (b, report) = Banyan::restore_new(&opts, &file, &unlock, key)?;
        out.restored(&report);
        drop(b);
        return Ok(());
    }

    // A book made by an older version is migrated as it opens (after a snapshot); a large one
    // takes a while, so say how far it has got.
    // Its search index, when an older version made it, is rebuilt before it opens: the same.
    if !ctx.json {
        let l10n = std::sync::Arc::new(std::sync::Mutex::new(banyan::i18n::Localizer::new(lang)));
        let report = |id: &'static str| -> banyan::store::MigrationProgress {
            let l10n = l10n.clone();
            std::sync::Arc::new(move |done, total| {
                let l10n = l10n.lock().unwrap_or_else(|e| e.into_inner());
                let line = l10n.format(id, &[("done", done.to_string()), ("total", total.to_string())]);
                eprint!("\r{line}");
                if done >= total {
                    eprintln!();
                }
            })
        };
        opts.store.on_migrate = Some(report("cli-migrate-progress"));
        opts.store.on_reindex = Some(report("cli-reindex-progress"));
    }
    // A shared desktop's book opens only by a user signing in: their key slot.
    let shared = banyan::security::KeyStore::for_db(&opts.path).is_shared();
    let unlock = match (shared, env_secret("BANYAN_USER"), env_secret("BANYAN_PASSWORD")) {
        (true, Some(login), Some(password)) => Unlock::sign_in(&login, &password),
        (true, _, _) => return Err(api::localize(&ctx.l10n, banyan::Error::SharedDesktop)),
        (false, _, _) => Unlock::KeyFile { passphrase: pass },
    };
    let opened = Banyan::open(&opts, &unlock);
    // A book that no longer opens (damaged, truncated, deleted) can still be restored over: its
    // key, and the backup's, are what allow it.
    if let (Err(e), Command::Restore { file: Some(file), undo: false, dry_run: false, recovery_key, .. }) =
        (&opened, &cli.command)
        && matches!(
            e.code,
            api::ErrorCode::DbCorrupt
                | api::ErrorCode::DbTruncated
                | api::ErrorCode::DbMissing
                | api::ErrorCode::WrongKey
        )
    {
        let backup = backup_unlock(recovery_key.as_deref(), &ctx.l10n)?;
        let (b, report) = Banyan::restore_over(&opts, &unlock, file, &backup)?;
        out.restored(&report);
        drop(b);
        return Ok(());
    }
    let mut b = opened?;
    // Who acts: the user signed in from the environment. A book without users knows nobody yet;
    // the only thing it does is make its first admin.
    if let Command::User(UserCmd::Add { login, name, roles, team, service: false }) = &cli.command
        && !b.has_users()?
    {
        let input = UserInput {
            login: Some(login.clone()),
            name: Some(name.clone()),
            roles: roles.clone(),
            team: team.clone(),
        };
        let password = new_password(new_pass.as_ref(), cli.passphrase_stdin, &b)?;
        let admin = b.create_first_admin(&input, &password, Channel::Cli)?;
        let user = b.users(&admin)?.into_iter().find(|u| u.id == admin.user());
        if let Some(u) = user {
            out.user_saved("cli-user-added", &u);
        }
        return Ok(());
    }
    // The hub answers desktops, not people: nobody signs in.
    if let Command::Serve { sync: serve_sync, listen, .. } = &cli.command {
        if !serve_sync {
            return Err(api::localize(
                &ctx.l10n,
                banyan::Error::field(banyan::FieldError::new("sync", "error-serve-what")),
            ));
        }
        let listen = listen.clone().unwrap_or_else(|| format!("0.0.0.0:{}", sync::PORT));
        let json = ctx.json;
        let l10n = banyan::i18n::Localizer::new(lang);
        let ready = |addr: std::net::SocketAddr| {
            if json {
                println!("{}", serde_json::json!({ "listening": addr.to_string() }));
            } else {
                println!("{}", l10n.format("cli-sync-listening", &[("address", addr.to_string())]));
            }
            let _ = std::io::Write::flush(&mut std::io::stdout());
        };
        let served_l10n = banyan::i18n::Localizer::new(lang);
        let served = std::sync::Arc::new(move |r: Result<banyan_net::session::Report, banyan_net::Error>| {
            let line = match r {
                Ok(r) if json => serde_json::json!({
                    "peer": r.peer.device, "sent": r.sent, "received": r.received
                })
                .to_string(),
                Ok(r) => served_l10n.format(
                    "cli-sync-served",
                    &[
                        ("desktop", if r.peer.name.is_empty() { r.peer.device.clone() } else { r.peer.name.clone() }),
                        ("sent", r.sent.to_string()),
                        ("received", r.received.to_string()),
                    ],
                ),
                Err(e) if json => serde_json::json!({ "error": sync::net_error(&served_l10n, e).message }).to_string(),
                Err(e) => sync::net_error(&served_l10n, e).message,
            };
            println!("{line}");
            let _ = std::io::Write::flush(&mut std::io::stdout());
        });
        b.warm_up();
        let b = std::sync::Arc::new(b);
        // The hub makes the daily backup and the weekly full check too (it runs all day), from
        // five minutes after it starts: the desktops that reconnect to a hub just restarted get
        // both cores (a full check right away made their first rounds ≈10 % slower, `cargo xtask
        // bench sync`).
        let hub = std::sync::Arc::downgrade(&b);
        std::thread::spawn(move || {
            let started = std::time::Instant::now();
            while started.elapsed() < std::time::Duration::from_secs(300) {
                if hub.strong_count() == 0 {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
            while let Some(b) = hub.upgrade() {
                let _ = b.backup_if_due();
                let _ = b.check_if_due();
                drop(b);
                std::thread::sleep(std::time::Duration::from_secs(60));
            }
        });
        return sync::serve(b, &listen, &ready, served);
    }
    let damaged = |e: &ApiError| {
        matches!(e.code, api::ErrorCode::DbCorrupt | api::ErrorCode::DbTruncated | api::ErrorCode::WrongKey)
    };
    if let Command::Restore { file: Some(file), undo: false, dry_run: false, yes, recovery_key, .. } = &cli.command {
        // The book opened, but may be too damaged to read what a restore reads first: then it is
        // restored over like one that does not open.
        let done = sign_in(&b).and_then(|caller| {
            let args = RestoreArgs {
                file: Some(file.clone()),
                latest: false,
                from: None,
                dry_run: false,
                yes: *yes,
                undo: false,
                recovery_key: recovery_key.clone(),
            };
            restore_cmd(&mut b, &caller, args, &out)
        });
        return match done {
            Err(e) if damaged(&e) && *yes => {
                drop(b);
                let backup = backup_unlock(recovery_key.as_deref(), &ctx.l10n)?;
                let (b, report) = Banyan::restore_over(&opts, &unlock, file, &backup)?;
                out.restored(&report);
                drop(b);
                Ok(())
            }
            other => other,
        };
    }
    let caller = sign_in(&b)?;
    match cli.command {
        Command::Init { .. } | Command::Policy(_) | Command::Man => unreachable!("handled above"),
        Command::User(cmd) => user_cmd(&b, &caller, cmd, new_pass.as_ref(), cli.passphrase_stdin, &out)?,
        Command::Mfa(cmd) => mfa_cmd(&b, &caller, cmd, &out)?,
        Command::Role(cmd) => role_cmd(&b, &caller, cmd, &out)?,
        Command::Audit(cmd) => audit_cmd(&b, &caller, cmd, &out)?,
        Command::Backup(cmd) => backup_cmd(&b, &caller, cmd, &out)?,
        Command::Diagnostics { out: path } => {
            let r = b.diagnostics(&caller, &path)?;
            out.message(
                "cli-diagnostics-done",
                &[("path", r.file.clone()), ("files", r.entries.join(", "))],
                serde_json::to_value(&r).unwrap_or_default(),
            );
        }
        Command::Health => {
            let h = b.health(&caller)?;
            out.health(&h);
            if !h.warnings.is_empty() {
                return Err(ApiError {
                    code: api::ErrorCode::Unhealthy,
                    message: h.warnings.iter().map(|w| w.message.as_str()).collect::<Vec<_>>().join("\n"),
                    field: None,
                    fields: vec![],
                });
            }
        }
        Command::Restore { file, latest, from, dry_run, yes, undo, recovery_key } => {
            restore_cmd(&mut b, &caller, RestoreArgs { file, latest, from, dry_run, yes, undo, recovery_key }, &out)?
        }
        Command::Sync(cmd) => match cmd {
            SyncCmd::Status => out.sync_status(&b.sync_status(&caller)?),
            SyncCmd::NewIdentity => {
                let device = b.sync_new_identity(&caller)?;
                out.message(
                    "cli-sync-new-identity",
                    &[("device", device.clone())],
                    serde_json::json!({ "device": device }),
                );
            }
            SyncCmd::Conflicts => out.sync_conflicts(&b.sync_conflicts(&caller)?),
            SyncCmd::Resolve { id, keep } => {
                b.sync_resolve(&caller, &id, &keep)?;
                out.message("cli-sync-resolved", &[("id", id.clone())], serde_json::json!({ "resolved": id }));
            }
            SyncCmd::Invite { listen, name } => {
                let invite = sync::invite(&b, &caller, listen.as_deref(), name.as_deref())?;
                // One line, whatever the format: a script reads it while the invitation waits.
                let shown = serde_json::json!({ "code": invite.code, "address": invite.address, "expiresInSeconds": invite.seconds_left() });
                if ctx.json {
                    println!("{shown}");
                } else {
                    out.message(
                        "cli-sync-invite",
                        &[("code", invite.code.clone()), ("address", invite.address.clone())],
                        shown,
                    );
                }
                let _ = std::io::Write::flush(&mut std::io::stdout());
                let joined = sync::admit(&b, &caller, invite)?;
                out.message(
                    "cli-sync-admitted",
                    &[("desktop", joined.clone())],
                    serde_json::json!({ "joined": joined }),
                );
            }
            SyncCmd::Now { peer } => {
                let r = sync::now(&b, &caller, peer.as_deref())?;
                out.message(
                    "cli-sync-round",
                    &[
                        ("desktop", r.peer.clone()),
                        ("sent", r.sent.to_string()),
                        ("received", r.received.to_string()),
                        ("conflicts", r.conflicts.to_string()),
                    ],
                    serde_json::json!({
                        "peer": r.peer, "device": r.device, "address": r.address,
                        "sent": r.sent, "received": r.received, "conflicts": r.conflicts,
                        "seconds": (r.seconds * 1000.0).round() / 1000.0
                    }),
                );
            }
            SyncCmd::Live { peer } => {
                let json = ctx.json;
                sync::live(&b, &caller, peer.as_deref(), &|| false, &mut |r| {
                    let line = match r {
                        Ok(r) if json => serde_json::json!({
                            "peer": r.peer, "sent": r.sent, "received": r.received, "conflicts": r.conflicts,
                            "seconds": (r.seconds * 1000.0).round() / 1000.0,
                            "at": chrono::Utc::now().timestamp_millis(),
                        })
                        .to_string(),
                        Ok(r) => b.localizer().format(
                            "cli-sync-round",
                            &[
                                ("desktop", r.peer),
                                ("sent", r.sent.to_string()),
                                ("received", r.received.to_string()),
                                ("conflicts", r.conflicts.to_string()),
                            ],
                        ),
                        Err(e) if json => serde_json::json!({ "error": e.message, "code": e.code }).to_string(),
                        Err(e) => e.message,
                    };
                    println!("{line}");
                    let _ = std::io::Write::flush(&mut std::io::stdout());
                })?;
            }
            SyncCmd::Peers => out.sync_peers(&b.sync_peers(&caller)?, &b.sync_hello()?.device),
            SyncCmd::Revoke { device } => {
                let m = b.sync_revoke(&caller, &device)?;
                out.message(
                    "cli-sync-revoked",
                    &[("desktop", m.name.clone()), ("device", m.device.clone())],
                    serde_json::json!({ "revoked": m.device }),
                );
            }
            SyncCmd::Pair { .. } => unreachable!("handled before the book opens"),
        },
        Command::Serve { .. } => unreachable!("handled before signing in"),
        Command::Privacy(cmd) => match cmd {
            PrivacyCmd::Consent { id, purpose, given, withdrawn: _, channel, notice, at } => {
                let input = api::ConsentInput {
                    purpose: Some(purpose),
                    given,
                    channel: Some(channel),
                    notice_version: notice,
                    at,
                };
                out.consent_saved(&b.record_consent(&caller, &id, &input)?);
            }
            PrivacyCmd::Consents { id } => out.consents(&b.consents(&caller, &id)?),
            PrivacyCmd::Notice => out.notice(&b.privacy_notice(&caller)?),
            PrivacyCmd::Export { id, out: dir } => out.privacy_export(&b.privacy_export(&caller, &id, &dir)?),
            PrivacyCmd::Erase { id, reason } => out.erasure(&b.erase_person(&caller, &id, &reason)?),
        },
        Command::Customer(cmd) => match cmd {
            CustomerCmd::Add(f) => {
                let c = b.add_customer(&caller, &customer_input(f))?;
                out.customer_added(&c);
            }
            CustomerCmd::Get { id } => out.customer_record(&b.customer_record(&caller, &id)?),
            CustomerCmd::Update { id, fields: f, clear_phones, clear_emails, clear_tags } => {
                let list = |v: Vec<String>, clear: bool| {
                    if clear {
                        Some(vec![])
                    } else if v.is_empty() {
                        None
                    } else {
                        Some(v)
                    }
                };
                let patch = CustomerPatch {
                    kind: f.kind,
                    name: f.name,
                    company: f.company,
                    phones: list(f.phones, clear_phones),
                    emails: list(f.emails, clear_emails),
                    address: f.address,
                    city: f.city,
                    country: f.country,
                    tags: list(f.tags, clear_tags),
                    owner: f.owner,
                    source: f.source,
                    notes: f.notes,
                    custom: f.custom.into_iter().collect(),
                    // The CLI sets what it is told: no form, nothing loaded to compare with.
                    base: None,
                };
                let c = b.update_customer(&caller, &id, &patch)?;
                out.customer_updated(&c);
            }
            CustomerCmd::Delete { id } => {
                b.delete_customer(&caller, &id)?;
                out.message("cli-customer-deleted", &[("id", id.clone())], serde_json::json!({ "deleted": id }));
            }
            CustomerCmd::Search { query, limit, kind, tag, city, owner, open_orders } => {
                let kind = match kind {
                    Some(k) => Some(
                        CustomerKind::parse(&k, "kind")
                            .map_err(|e| api::localize(b.localizer(), banyan::Error::field(e)))?,
                    ),
                    None => None,
                };
                let filter = banyan::store::SearchFilter {
                    kind,
                    tag,
                    city,
                    owner,
                    has_open_orders: open_orders.then_some(true),
                    ..Default::default()
                };
                out.search(&b.search_customers(&caller, &query, &filter, limit)?);
            }
            CustomerCmd::List { kind, tag, city, owner, limit, offset, include_deleted, sort } => {
                let kind = match kind {
                    Some(k) => Some(
                        CustomerKind::parse(&k, "kind")
                            .map_err(|e| api::localize(b.localizer(), banyan::Error::field(e)))?,
                    ),
                    None => None,
                };
                let sort = match sort.as_deref() {
                    Some("updated") => CustomerSort::Updated,
                    Some("created") => CustomerSort::Created,
                    _ => CustomerSort::Name,
                };
                let list = b.customers(
                    &caller,
                    &CustomerFilter { kind, tag, city, owner, include_deleted, sort, limit, offset },
                )?;
                out.customers(&list);
            }
        },
        Command::Contact(ContactCmd::Add { customer, name, title, phones, emails, notes }) => {
            let c = b.add_contact(&caller, &customer, &ContactInput { name, title, phones, emails, notes })?;
            out.message("cli-contact-added", &[("name", c.name.clone())], serde_json::to_value(&c).unwrap_or_default());
        }
        Command::Activity(ActivityCmd::Add { customer, kind, at, text }) => {
            let a = b.add_activity(&caller, &customer, &ActivityInput { kind, occurred_at: at, text })?;
            out.message("cli-activity-added", &[], serde_json::to_value(&a).unwrap_or_default());
        }
        Command::Field(FieldCmd::Add { key, label, kind, choices }) => {
            let d = b.add_custom_field(&caller, &key, &label, &kind, &choices)?;
            out.message("cli-field-added", &[("key", d.key.clone())], serde_json::to_value(&d).unwrap_or_default());
        }
        Command::Field(FieldCmd::List) => out.fields(&b.custom_fields(&caller)?),
        Command::Product(cmd) => match cmd {
            ProductCmd::Add { sku, name, price, currency, tax, inactive } => {
                let p = b.add_product(
                    &caller,
                    &ProductInput { sku, name, price, currency, tax_rate: tax, active: Some(!inactive) },
                )?;
                out.product_saved(&p);
            }
            ProductCmd::Update { sku, new_sku, name, price, tax, active } => {
                let p = b.update_product(
                    &caller,
                    &sku,
                    &ProductInput { sku: new_sku, name, price, currency: None, tax_rate: tax, active },
                )?;
                out.product_saved(&p);
            }
            ProductCmd::List { include_inactive } => out.products(&b.products(&caller, include_inactive)?),
        },
        Command::Order(cmd) => match cmd {
            OrderCmd::Create { customer, lines, notes } => {
                let mut parsed = Vec::new();
                let mut errors = Vec::new();
                for (i, spec) in lines.iter().enumerate() {
                    match LineInput::parse_spec(spec, i) {
                        Ok(l) => parsed.push(l),
                        Err(e) => errors.push(e),
                    }
                }
                if !errors.is_empty() {
                    return Err(api::localize(b.localizer(), banyan::Error::Invalid(errors)));
                }
                let o = b.create_order(&caller, &OrderInput { customer_id: customer, lines: parsed, notes })?;
                out.order_created(&o);
            }
            OrderCmd::Get { id } => out.order(&b.order(&caller, &id)?),
            OrderCmd::List { status, customer, limit } => {
                let status = match status {
                    Some(s) => Some(
                        OrderStatus::parse(&s, "status")
                            .map_err(|e| api::localize(b.localizer(), banyan::Error::field(e)))?,
                    ),
                    None => None,
                };
                let customer = match customer {
                    Some(c) => Some(CustomerId::parse(&c, "customer").map_err(|e| api::localize(b.localizer(), e))?),
                    None => None,
                };
                out.orders(&b.orders(&caller, &OrderFilter { status, customer, limit, ..Default::default() })?);
            }
            OrderCmd::Status { id, status } => {
                let o = b.set_order_status(&caller, &id, &status)?;
                out.order_status(&o);
            }
        },
        Command::Settings { phone_region, currency } => {
            if let Some(r) = phone_region {
                b.set_phone_region(&caller, &r)?;
            }
            if let Some(c) = currency {
                b.set_currency(&caller, &c)?;
            }
            out.settings(&b.settings(&caller)?);
        }
        Command::Demo { customers, seed } => out.demo(&b.demo(&caller, customers, seed)?),
        Command::Rekey { to, new_key } => {
            let keys = banyan::security::KeyStore::for_db(b.path());
            let current = keys.mode().map_err(|e| api::localize(b.localizer(), e))?;
            let mode = match to {
                Some(RekeyTo::Keyring) => KeyMode::Keyring,
                Some(RekeyTo::Passphrase) => KeyMode::Passphrase,
                Some(RekeyTo::Shared) => KeyMode::Shared,
                None => current,
            };
            if mode == KeyMode::Shared {
                // The signed-in user's password seals the first key slot.
                let password = env_secret("BANYAN_PASSWORD")
                    .ok_or_else(|| api::localize(b.localizer(), banyan::Error::SharedDesktop))?;
                let waiting = b.make_shared(&caller, &password)?;
                out.shared(&waiting);
                return Ok(());
            }
            if mode == KeyMode::Passphrase && new_pass.is_none() {
                let l = b.localizer();
                return Err(ApiError {
                    code: api::ErrorCode::PassphraseRequired,
                    message: l.t("cli-new-passphrase-missing"),
                    field: Some("newPassphrase".into()),
                    fields: vec![],
                });
            }
            b.rekey(&caller, mode, new_pass.as_ref().map(|p| p.as_str()), new_key, KdfParams::default())?;
            let id = if new_key { "cli-rekey-done" } else { "cli-rewrap-done" };
            out.message(id, &[], serde_json::json!({ "ok": true, "keyMode": mode, "newKey": new_key }));
        }
        Command::Reindex => {
            let show = !ctx.json;
            let n = b.reindex(&caller, &mut |done, total| {
                if show && total > 0 {
                    eprint!(
                        "\r{}",
                        ctx.l10n.format(
                            "cli-reindex-progress",
                            &[("done", done.to_string()), ("total", total.to_string())]
                        )
                    );
                }
            })?;
            if show {
                eprintln!();
            }
            out.message("cli-reindex-done", &[("count", n.to_string())], serde_json::json!({ "indexed": n }));
        }
        Command::Import(args) => import(&b, &caller, args, ctx, &out)?,
        Command::Imports => out.imports(&b.imports(&caller)?),
        Command::Export { format, query, out: path } => {
            let Some(fmt) = banyan::io::export::ExportFormat::parse(&format) else {
                return Err(api::localize(
                    b.localizer(),
                    banyan::Error::field(banyan::FieldError::new("format", "cli-export-format").arg("value", &format)),
                ));
            };
            let bar = progress_bar(ctx);
            let done = b.export(
                &caller,
                &path,
                fmt,
                query.as_deref(),
                &mut |done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                },
                &|| false,
            )?;
            bar.finish_and_clear();
            out.exported(&done, &path);
        }
        Command::Duplicates { limit } => out.duplicates(&b.duplicates(&caller, limit)?),
        Command::Merge { survivor, other, take_other } => {
            let take = take_other.into_iter().map(|f| (f, "other".to_string())).collect();
            let c = b.merge(&caller, &api::MergeRequest { survivor_id: survivor, other_id: other, take })?;
            out.customer_updated(&c);
        }
        Command::History { id, limit } => {
            let mut list = b.history(&caller, &id)?;
            if let Some(n) = limit {
                list.truncate(n);
            }
            out.history(&list);
        }
        Command::Revert { change, tx, desktop, batch } => {
            let what = match (change, tx, batch) {
                (Some(c), _, _) => api::Revert::Change(c),
                (_, Some(tx), _) => api::Revert::Tx { tx, desktop },
                (_, _, Some(b)) => api::Revert::Batch(b),
                _ => unreachable!("clap requires one of them"),
            };
            out.undo(&b.revert(&caller, &what)?);
        }
        Command::Rewind { to, user, dry_run } => {
            if dry_run {
                out.rewind_preview(&b.rewind_preview(&caller, &to, user.as_deref())?);
            } else {
                out.rewound(&b.rewind(&caller, &to, user.as_deref())?);
            }
        }
        Command::Space => out.space(&b.space(&caller)?),
        Command::Check => {
            let problems = b.check(&caller)?;
            out.check(&problems);
            if !problems.is_empty() {
                return Err(api::localize(b.localizer(), banyan::Error::Corrupt(problems.join("; "))));
            }
        }
    }
    Ok(())
}

/// The backup passphrase: BANYAN_BACKUP_PASSPHRASE, else a line of standard input when it is not
/// a terminal (a script's pipe).
fn backup_passphrase() -> Option<Zeroizing<String>> {
    use std::io::IsTerminal;
    if let Some(p) = env_secret("BANYAN_BACKUP_PASSPHRASE") {
        return Some(p);
    }
    if std::io::stdin().is_terminal() {
        return None;
    }
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    Some(Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string())).filter(|l| !l.is_empty())
}

/// How to open a backup's key: the recovery key file given, else the backup passphrase, else
/// this book's own key.
fn backup_unlock(recovery_key: Option<&Path>, l10n: &Localizer) -> Result<BackupUnlock, ApiError> {
    if let Some(path) = recovery_key {
        let text = std::fs::read_to_string(path).map_err(|e| api::localize(l10n, banyan::Error::Io(e)))?;
        return Ok(BackupUnlock::Recovery(Zeroizing::new(text)));
    }
    Ok(match backup_passphrase() {
        Some(p) => BackupUnlock::Passphrase(p),
        None => BackupUnlock::ThisBook,
    })
}

fn backup_cmd(b: &Banyan, caller: &Caller, cmd: BackupCmd, out: &print::Out<'_>) -> Result<(), ApiError> {
    match cmd {
        BackupCmd::Now { to } => {
            let pass = env_secret("BANYAN_BACKUP_PASSPHRASE");
            out.backup_made(&b.backup_now(caller, to.as_deref(), pass.as_ref().map(|p| p.as_str()))?)
        }
        BackupCmd::List { dir } => {
            let settings = b.backup_settings(caller)?;
            out.backups(&settings, &b.backups(caller, dir.as_deref())?)
        }
        BackupCmd::Verify { file, full, recovery_key } => {
            let file = match file {
                Some(f) => f,
                None => b.latest_backup(caller, None)?,
            };
            let unlock =
                if full { backup_unlock(recovery_key.as_deref(), b.localizer())? } else { BackupUnlock::ThisBook };
            let report = b.verify_backup(caller, &file, full, &unlock)?;
            out.backup_verified(&report);
            if !report.ok {
                return Err(api::localize(
                    b.localizer(),
                    banyan::Error::Backup(
                        banyan::FieldError::new("backup", "error-backup-unsound")
                            .arg("detail", report.problems.join("; ")),
                    ),
                ));
            }
        }
        BackupCmd::Folder { dir, .. } => out.backup_settings(&b.set_backup_folder(caller, dir.as_deref())?),
        BackupCmd::Passphrase => {
            let pass = backup_passphrase().ok_or_else(|| {
                api::localize(
                    b.localizer(),
                    banyan::Error::field(banyan::FieldError::new("passphrase", "error-required")),
                )
            })?;
            out.backup_settings(&b.set_backup_passphrase(caller, &pass)?)
        }
        BackupCmd::RecoveryKey(RecoveryKeyCmd::New { out: path }) => {
            let (secret, public) = banyan::backup::new_recovery_key();
            let io = |e: std::io::Error| api::localize(b.localizer(), banyan::Error::Io(e));
            // Written first and owner-only: a key pair whose secret half was lost would seal every
            // later backup to nobody.
            let mut f = banyan::security::files::create_new(&path).map_err(io)?;
            std::io::Write::write_all(&mut f, secret.as_bytes()).and_then(|_| f.sync_all()).map_err(io)?;
            let settings = b.set_recovery_key(caller, Some(&public))?;
            out.message(
                "cli-backup-recovery-made",
                &[("path", path.display().to_string()), ("key", public.clone())],
                serde_json::json!({ "secretKeyFile": path, "publicKey": public, "settings": settings }),
            );
        }
        BackupCmd::RecoveryKey(RecoveryKeyCmd::Set { public_key }) => {
            out.backup_settings(&b.set_recovery_key(caller, Some(&public_key))?)
        }
        BackupCmd::Schedule { at } => out.backup_settings(&b.set_backup_schedule(caller, &at)?),
        BackupCmd::MaxAge { hours } => out.backup_settings(&b.set_backup_max_age(caller, hours)?),
        BackupCmd::Keep { daily, weekly, monthly } => {
            out.backup_settings(&b.set_backup_keep(caller, banyan::backup::Keep { daily, weekly, monthly })?)
        }
        BackupCmd::RecoveryKey(RecoveryKeyCmd::Clear) => out.backup_settings(&b.set_recovery_key(caller, None)?),
    }
    Ok(())
}

struct RestoreArgs {
    file: Option<PathBuf>,
    latest: bool,
    from: Option<PathBuf>,
    dry_run: bool,
    yes: bool,
    undo: bool,
    recovery_key: Option<PathBuf>,
}

fn restore_cmd(b: &mut Banyan, caller: &Caller, a: RestoreArgs, out: &print::Out<'_>) -> Result<(), ApiError> {
    use std::io::IsTerminal;
    if a.undo {
        let kept = b.undo_restore(caller)?;
        out.message(
            "cli-restore-undone",
            &[("path", kept.display().to_string())],
            serde_json::json!({ "undone": true, "restoredBookKeptAt": kept }),
        );
        return Ok(());
    }
    let file = match (a.file, a.latest) {
        (Some(f), _) => f,
        (None, _) => b.latest_backup(caller, a.from.as_deref())?,
    };
    let unlock = backup_unlock(a.recovery_key.as_deref(), b.localizer())?;
    if a.dry_run {
        out.restore_preview(&b.restore_preview(caller, &file, &unlock)?);
        return Ok(());
    }
    if !a.yes {
        let preview = b.restore_preview(caller, &file, &unlock)?;
        if out.json || !std::io::stdin().is_terminal() {
            return Err(api::localize(
                b.localizer(),
                banyan::Error::Backup(banyan::FieldError::new("backup", "error-restore-confirm")),
            ));
        }
        out.restore_preview(&preview);
        eprint!("{} ", b.localizer().t("cli-restore-ask"));
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes" | "是" | "是的") {
            return Err(api::localize(b.localizer(), banyan::Error::Cancelled));
        }
    }
    out.restored(&b.restore(caller, &file, &unlock)?);
    Ok(())
}

fn env_secret(key: &str) -> Option<Zeroizing<String>> {
    std::env::var(key).ok().filter(|s| !s.is_empty()).map(Zeroizing::new)
}

/// Signs in as BANYAN_USER with BANYAN_PASSWORD (and BANYAN_TOTP), never as the OS login.
fn sign_in(b: &Banyan) -> Result<Caller, ApiError> {
    if !b.has_users()? {
        return Err(api::localize(b.localizer(), banyan::Error::NoUsers));
    }
    // A script's service account signs in with its token alone.
    if let Some(token) = env_secret("BANYAN_TOKEN") {
        return b.sign_in_token(&token, Channel::Cli);
    }
    let (Some(login), Some(password)) = (env_secret("BANYAN_USER"), env_secret("BANYAN_PASSWORD")) else {
        return Err(api::localize(b.localizer(), banyan::Error::SignInRequired));
    };
    let code = env_secret("BANYAN_TOTP");
    b.sign_in(&login, &password, code.as_ref().map(|c| c.as_str()), Channel::Cli)
}

/// A new user password: BANYAN_NEW_PASSWORD, else the second line of standard input when the
/// passphrase came on the first, else the first line.
fn new_password(
    second_line: Option<&Zeroizing<String>>,
    stdin_used: bool,
    b: &Banyan,
) -> Result<Zeroizing<String>, ApiError> {
    if let Some(p) = env_secret("BANYAN_NEW_PASSWORD") {
        return Ok(p);
    }
    let from_stdin = if stdin_used {
        second_line.cloned()
    } else {
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        let line = Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string());
        Some(line).filter(|l| !l.is_empty())
    };
    from_stdin.ok_or_else(|| {
        api::localize(b.localizer(), banyan::Error::field(banyan::FieldError::new("password", "error-required")))
    })
}

fn user_cmd(
    b: &Banyan,
    caller: &Caller,
    cmd: UserCmd,
    second_line: Option<&Zeroizing<String>>,
    stdin_used: bool,
    out: &print::Out<'_>,
) -> Result<(), ApiError> {
    match cmd {
        UserCmd::Add { login, name, roles, team, service } => {
            let input = UserInput { login: Some(login), name: Some(name), roles, team };
            if service {
                out.service_token("cli-service-added", &b.add_service_account(caller, &input)?);
            } else {
                let password = new_password(second_line, stdin_used, b)?;
                out.user_saved("cli-user-added", &b.add_user(caller, &input, &password)?);
            }
        }
        UserCmd::Token { login } => out.service_token("cli-service-token", &b.new_token(caller, &login)?),
        UserCmd::List => out.users(&b.users(caller)?),
        UserCmd::Disable { login } => {
            out.user_saved("cli-user-disabled", &b.set_user_status(caller, &login, UserStatus::Disabled)?)
        }
        UserCmd::Enable { login } => {
            out.user_saved("cli-user-enabled", &b.set_user_status(caller, &login, UserStatus::Active)?)
        }
        UserCmd::Unlock { login } => {
            b.unlock_user(caller, &login)?;
            out.message("cli-user-unlocked", &[("login", login.clone())], serde_json::json!({ "unlocked": login }));
        }
        UserCmd::Passwd { login } => {
            let login = login.unwrap_or_else(|| caller.login().to_string());
            let current = env_secret("BANYAN_PASSWORD");
            let password = new_password(second_line, stdin_used, b)?;
            let u = b.change_password(caller, &login, current.as_ref().map(|c| c.as_str()), &password)?;
            out.user_saved("cli-user-password-changed", &u);
        }
    }
    Ok(())
}

fn mfa_cmd(b: &Banyan, caller: &Caller, cmd: MfaCmd, out: &print::Out<'_>) -> Result<(), ApiError> {
    let password = env_secret("BANYAN_PASSWORD").unwrap_or_default();
    match cmd {
        MfaCmd::Enroll { code: None, qr } => {
            let e = b.begin_mfa(caller, &password)?;
            if let Some(path) = &qr {
                std::fs::write(path, &e.qr_svg).map_err(|err| api::localize(b.localizer(), banyan::Error::Io(err)))?;
            }
            out.mfa_enrolment(&e);
        }
        MfaCmd::Enroll { code: Some(code), .. } => out.recovery_codes(&b.confirm_mfa(caller, &password, &code)?),
        MfaCmd::Disable { login } => {
            let login = login.unwrap_or_else(|| caller.login().to_string());
            out.user_saved("cli-mfa-disabled", &b.disable_mfa(caller, &login)?);
        }
    }
    Ok(())
}

fn audit_cmd(b: &Banyan, caller: &Caller, cmd: AuditCmd, out: &print::Out<'_>) -> Result<(), ApiError> {
    let l = b.localizer();
    match cmd {
        AuditCmd::Verify { checkpoints } => {
            let held = match &checkpoints {
                None => Vec::new(),
                Some(path) => b.read_checkpoints(path)?,
            };
            let report = b.audit_verify(caller, &held, &mut |_, _| {})?;
            out.audit_report(&report);
            if !report.intact {
                let chains = report.chains.iter().filter(|c| !c.intact()).count();
                return Err(api::localize(l, banyan::Error::HistoryAltered { chains }));
            }
        }
        AuditCmd::Checkpoints { out: path } => match path {
            None => println!("{}", serde_json::to_string_pretty(&b.audit_checkpoints(caller)?).unwrap_or_default()),
            Some(p) => {
                let count = b.write_checkpoints(caller, &p)?;
                out.checkpoints_written(&p, count);
            }
        },
        AuditCmd::Events { limit } => out.audit_events(&b.audit_events(caller, limit)?),
    }
    Ok(())
}

fn role_cmd(b: &Banyan, caller: &Caller, cmd: RoleCmd, out: &print::Out<'_>) -> Result<(), ApiError> {
    use banyan::security::grants::{Action, Entity, FieldAccess, FieldRule, Grant, Revoke, RoleChange, Scope};
    let bad = |field: &str, id: &'static str, value: &str| {
        api::localize(b.localizer(), banyan::Error::field(banyan::FieldError::new(field, id).arg("value", value)))
    };
    match cmd {
        RoleCmd::List => out.roles(&b.roles(caller)?),
        RoleCmd::Show { name } => out.role(&b.role(caller, &name)?),
        RoleCmd::Add { name, from } => out.role_saved("cli-role-added", &b.add_role(caller, &name, &from)?),
        RoleCmd::Grant { name, entity, actions, scope, revoke, export_cap, field } => {
            let mut change = RoleChange::default();
            if let Some(entity) = entity {
                let e = Entity::parse(&entity).ok_or_else(|| bad("entity", "cli-role-entity", &entity))?;
                let list = actions.unwrap_or_default();
                let mut parsed = Vec::new();
                for a in list.split(',').map(str::trim).filter(|a| !a.is_empty()) {
                    parsed.push(Action::parse(a).ok_or_else(|| bad("actions", "cli-role-action", a))?);
                }
                if parsed.is_empty() {
                    return Err(bad("actions", "cli-role-action", &list));
                }
                if revoke {
                    change.revoke = Some(Revoke { entity: e, actions: parsed });
                } else {
                    let scope = Scope::parse(&scope).ok_or_else(|| bad("scope", "cli-role-scope", &scope))?;
                    change.grant = Some(Grant { entity: e, actions: parsed, scope });
                }
            }
            if let Some(cap) = export_cap {
                change.export_cap = Some(if cap.trim().eq_ignore_ascii_case("none") {
                    None
                } else {
                    Some(cap.trim().parse::<u64>().map_err(|_| bad("exportCap", "cli-role-cap", &cap))?)
                });
            }
            if let Some(rule) = field {
                let (f, access) = rule.split_once('=').unwrap_or((rule.as_str(), ""));
                let access = FieldAccess::parse(access).ok_or_else(|| bad("field", "cli-role-field", &rule))?;
                change.field = Some(FieldRule { field: f.trim().to_string(), access });
            }
            if change == RoleChange::default() {
                return Err(bad("entity", "cli-role-nothing", ""));
            }
            out.role_saved("cli-role-changed", &b.change_role(caller, &name, &change)?)
        }
        RoleCmd::RequireMfa { name, off } => {
            let id = if off { "cli-role-mfa-off" } else { "cli-role-mfa-on" };
            out.role_saved(id, &b.set_role_mfa(caller, &name, !off)?)
        }
    }
    Ok(())
}

fn progress_bar(ctx: &Ctx) -> indicatif::ProgressBar {
    if ctx.json {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40.cyan/blue} {percent:>3}%  {elapsed_precise} / ~{eta}")
            .expect("static template"),
    );
    bar
}

fn import(b: &Banyan, caller: &Caller, args: ImportArgs, ctx: &Ctx, out: &print::Out<'_>) -> Result<(), ApiError> {
    if let Some(ImportSub::Undo { batch }) = args.undo {
        let bar = progress_bar(ctx);
        let report = b.undo_import(
            caller,
            &batch,
            &mut |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            },
            &|| false,
        );
        bar.finish_and_clear();
        out.undo(&report?);
        return Ok(());
    }
    let Some(file) = args.file else {
        return Err(api::localize(b.localizer(), banyan::Error::invalid("file", "error-required")));
    };
    let mut req = api::ImportRequest {
        sheet: args.sheet,
        on_duplicate: match args.on_duplicate {
            DupArg::Skip => banyan::io::import::OnDuplicate::Skip,
            DupArg::Update => banyan::io::import::OnDuplicate::Update,
            DupArg::Overwrite => banyan::io::import::OnDuplicate::Overwrite,
            DupArg::Create => banyan::io::import::OnDuplicate::Create,
        },
        mode: if args.all_or_nothing {
            banyan::io::import::ImportMode::AllOrNothing
        } else {
            banyan::io::import::ImportMode::ValidRows
        },
        dry_run: args.dry_run,
        ..Default::default()
    };
    if let Some(m) = args.mapping {
        let path = PathBuf::from(&m);
        if path.is_file() {
            let text = std::fs::read_to_string(&path).map_err(|e| api::localize(b.localizer(), e.into()))?;
            let mapping = serde_json::from_str(&text).map_err(|e| {
                api::localize(
                    b.localizer(),
                    banyan::Error::field(banyan::FieldError::new("mapping", "cli-mapping-file").arg("detail", e)),
                )
            })?;
            req.mapping = Some(mapping);
        } else {
            req.mapping_name = Some(m);
        }
    }
    if let Some(name) = &args.save_mapping {
        let mapping = match &req.mapping {
            Some(m) => m.clone(),
            None => b.import_preview(caller, &file, &req)?.mapping,
        };
        b.save_mapping(caller, name, &mapping)?;
        req.mapping = Some(mapping);
    }
    let bar = progress_bar(ctx);
    let report = b.import_file(
        caller,
        &file,
        &req,
        args.rejects.as_deref(),
        &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
        &|| false,
    );
    bar.finish_and_clear();
    let report = report?;
    out.import(&report);
    Ok(())
}

fn customer_input(f: CustomerFields) -> CustomerInput {
    CustomerInput {
        kind: f.kind,
        name: f.name,
        company: f.company,
        phones: f.phones,
        emails: f.emails,
        address: f.address,
        city: f.city,
        country: f.country,
        tags: f.tags,
        owner: f.owner,
        source: f.source,
        notes: f.notes,
        custom: f.custom.into_iter().collect::<BTreeMap<_, _>>(),
    }
}
