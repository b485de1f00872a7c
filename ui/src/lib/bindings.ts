// Generated from the Rust types and commands by `cargo xtask bindings`; do not edit.
// A test in src-tauri fails when this file differs from what the Rust code generates.

import { invoke } from "@tauri-apps/api/core";

export type Action = "read" | "create" | "update" | "delete" | "import" | "export" | "merge";

export type Activity = { id: ActivityId, customerId: CustomerId, kind: ActivityKind, 
/**
 * `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`.
 */
occurredAt: string, text: string, createdAt: number, };

export type ActivityId = string;

export type ActivityInput = { kind: string | null, occurredAt: string | null, text: string | null, };

export type ActivityKind = "call" | "visit" | "email" | "note";

export type ApiError = { code: ErrorCode, message: string, field: string | null, 
/**
 * Every rejected field (validation errors only), so a form can mark each one.
 */
fields: Array<FieldMessage>, };

export type AppStatus = { 
/**
 * "missing": first run; "locked": waiting for the passphrase; "no-users": the book needs its
 * first admin; "signed-out": waiting for a sign-in; "mfa-setup": signed in, but the role
 * requires an authenticator app the user has not set up yet; "open": ready; "blocked": IT's
 * DatabaseDirectory policy names a folder that cannot hold the book (`error` says why).
 */
state: string, 
/**
 * Who is signed in.
 */
user: Caller | null, 
/**
 * The login last signed in on this run, for the sign-in screen.
 */
lastLogin: string | null, 
/**
 * The session ended because nobody used Banyan for `idle_lock_seconds`.
 */
lockedByIdle: boolean, 
/**
 * The OS ended the session: "screen-lock" (its screen locked) or "sleep".
 */
lockedByOs: string | null, 
/**
 * Seconds without input before Banyan locks (10 minutes, or less by policy).
 */
idleLockSeconds: number, 
/**
 * The most the user may choose: 10 minutes, or less by policy.
 */
idleLockMaxSeconds: number, path: string, keyMode: KeyMode | null, lang: Lang, 
/**
 * Why the book could not be opened at start, if it could not.
 */
error: ApiError | null, 
/**
 * Every currency's digits after the decimal point, as the core counts them: the UI shows
 * and reads amounts by these, never by the browser's own table.
 */
currencies: Array<CurrencyDigits>, 
/**
 * When this open updated a book made by an older version: where the snapshot of the book as
 * it was went (shown once, so the user knows the old version is kept).
 */
updatedSnapshot: string | null, 
/**
 * The policies that turn a feature off on this desktop (`ImportEnabled`, `ExportEnabled`,
 * `DemoDataEnabled`): the window greys the feature out, naming the policy.
 */
turnedOff: Array<string>, 
/**
 * The settings a mandatory policy sets on this desktop (by policy name, `Locale`): the
 * window shows them locked.
 */
managed: Array<string>, 
/**
 * How a book's key may be kept here (IT's KeyMode, or portable mode): the first run offers
 * the default and locks a required one; a keyring book under a required passphrase asks
 * its user to choose one before it opens.
 */
keyRule: KeyRule, 
/**
 * The book keeps its key in the keyring while IT (or portable mode) requires a passphrase:
 * the unlock card asks its user to choose one, which the book's key is put behind.
 */
passphraseToSet: boolean, 
/**
 * What a new book starts with here (IT's PhoneRegion / Currency policies, else the
 * defaults): the first run fills its fields with it and locks those in `managed`.
 */
newBook: Settings, };

export type AuditEvent = { origin: string, seq: number, atMs: number, 
/**
 * The acting user's id (empty for a sign-in that named nobody known).
 */
user: string, 
/**
 * The acting user's name (their id if the book has no such user; empty for nobody).
 */
who: string, kind: string, 
/**
 * JSON object text.
 */
detail: string, };

export type AuditProblem = { "kind": "altered", seq: number, } | { "kind": "missing", from: number, to: number, } | { "kind": "truncated", after: number, checkpoint: number, } | { "kind": "rewritten", seq: number, heldElsewhere: boolean, } | { "kind": "badSignature", seq: number, } | { "kind": "keyReplaced", seq: number, };

export type AuditReport = { 
/**
 * Every chain intact and every checkpoint met.
 */
intact: boolean, chains: Array<ChainReport>, 
/**
 * How many checkpoints held elsewhere were given (0: only the book's own were checked, so a
 * rewrite that re-hashed and re-signed the whole history could not be seen).
 */
heldGiven: number, };

export type BackupEntry = { file: string, size: number, createdAtMs: number | null, deviceCode: string | null, schemaVersion: number | null, counts: Counts | null, 
/**
 * The backup is this book's.
 */
thisBook: boolean, 
/**
 * `backup` (a file and its manifest in the folder), or `snapshot`: the book as it was before
 * an update of Banyan changed its schema, kept beside it (restored like a backup, with this
 * book's key, and updated again after).
 */
kind: string, 
/**
 * Why its manifest could not be read (missing, altered), if so: listed, not skipped.
 */
problem: string | null, };

export type BackupReport = { file: string, manifest: string, size: number, counts: Counts, 
/**
 * How the key is wrapped: "passphrase", "recovery".
 */
wraps: Array<string>, seconds: number, 
/**
 * How much the book's write-ahead log grew while the copy was made (writes go on meanwhile).
 */
walGrowth: number, sameDisk: boolean, 
/**
 * Older backups the retention rules no longer keep, removed after this one was verified.
 */
removed: Array<string>, };

export type BackupSettings = { 
/**
 * Where backups go (the folder set, or `backups` beside the book).
 */
folder: string, 
/**
 * The folder is on the book's own disk: a backup there survives mistakes, not the disk.
 */
sameDisk: boolean, 
/**
 * A backup passphrase is set (for this book key).
 */
passphraseSet: boolean, 
/**
 * The company's recovery public key every backup's key is also sealed to (hex), if set.
 */
recoveryKey: string | null, 
/**
 * The last backup made and verified here, in Unix ms.
 */
lastBackupMs: number | null, lastBackupFile: string | null, 
/**
 * How many daily, weekly and monthly backups are kept.
 */
keep: Keep, 
/**
 * When the daily backup runs (local `HH:MM`).
 */
schedule: string, 
/**
 * Why the last scheduled backup failed, if it did (it is tried again within the hour).
 */
lastError: string | null, 
/**
 * After how many hours without a backup health warns.
 */
maxAgeHours: number, 
/**
 * The settings IT's policy sets (`BackupDirectory`, `BackupSchedule`, `BackupKeep`,
 * `BackupMaxAgeHours`): shown locked, and refused when changed.
 */
managed: Array<string>, };

export type Caller = { user: UserId, login: string, name: string, roles: Array<string>, team: string | null, channel: Channel, 
/**
 * The desktop the session runs on (its device id).
 */
device: string, 
/**
 * This sign-in's id.
 */
session: string, 
/**
 * What the caller may do, as `entity.action` (`customer.create`, `order.read`, ...): for a
 * window to offer only those.
 */
allowed: Array<string>, 
/**
 * The customer fields the caller's roles hide (`phones`, `custom.vip`): a form shows them
 * as hidden.
 */
hiddenFields: Array<string>, 
/**
 * The customer fields the caller may read but not change (hidden ones included): a form
 * does not let them be edited.
 */
lockedFields: Array<string>, 
/**
 * The caller's role requires an authenticator app and they have none: until they set one
 * up ([`Banyan::begin_mfa`], [`Banyan::confirm_mfa`], then [`Banyan::finish_mfa_setup`])
 * they may do nothing else.
 */
mfaSetupNeeded: boolean, 
/**
 * The caller signs in with an authenticator app (as at sign-in).
 */
mfa: boolean, };

export type Chain = "changes" | "events";

export type ChainReport = { origin: string, thisDevice: boolean, chain: Chain, entries: number, 
/**
 * The last entry's sequence number (0: none).
 */
lastSeq: number, 
/**
 * Checkpoints found in the book for this chain, and how many of them were checked against
 * the chain.
 */
checkpointsInBook: number, 
/**
 * Checkpoints held elsewhere (given to verify) for this chain.
 */
checkpointsHeld: number, 
/**
 * The last entry a checkpoint held elsewhere vouches for: a rewrite of entries after it,
 * re-hashed and re-signed with the key in the book, cannot be told from real history.
 */
heldThrough: number | null, problems: Array<AuditProblem>, };

export type ChangeRef = { origin: string, seq: number, };

export type Channel = "desktop" | "cli" | "rest" | "sync";

export type ColumnMap = { column: string, target: Target, };

export type ConflictKind = "values" | "duplicateSku" | "duplicateCustomKey" | "deletedEdited" | "mergedBothWays";

export type ConflictSide = { 
/**
 * The value (JSON; a list or custom values as the JSON text the column holds). For a
 * duplicate, the row's id.
 */
value: string, 
/**
 * The desktop that made it (its id, and its name as a member, filled in by the façade),
 * and who.
 */
device: string, desktop: string, user: string, at: Hlc, 
/**
 * Whether the book shows this one meanwhile.
 */
shown: boolean, 
/**
 * For an edit of a deleted row, the fields it changed; for an order's line set, its lines
 * ("3 × 龙井 (TEA-LJ)", filled in by the façade).
 */
fields: Array<string>, };

export type Consent = { id: string, customerId: string, purpose: string, 
/**
 * given or withdrawn.
 */
status: string, 
/**
 * How: form, phone, email, paper, web, in-person.
 */
channel: string, noticeVersion: string, 
/**
 * The user who recorded it (id) and their name.
 */
recordedBy: string, recordedByName: string, 
/**
 * When the person gave or withdrew it (Unix ms).
 */
atMs: number, };

export type ConsentInput = { 
/**
 * What for: marketing, service, analytics, transfer (abroad or to a third party), or a
 * company's own purpose (letters, digits, dashes).
 */
purpose: string | null, 
/**
 * Given (true) or withdrawn (false).
 */
given: boolean, channel: string | null, 
/**
 * The notice shown (default: this program's).
 */
noticeVersion: string | null, 
/**
 * When the person gave or withdrew it, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM` local time
 * (default: now).
 */
at: string | null, };

export type Contact = { id: ContactId, customerId: CustomerId, name: string, title: string | null, phones: Array<string>, emails: Array<string>, notes: string | null, createdAt: number, updatedAt: number, };

export type ContactId = string;

export type ContactInput = { name: string | null, title: string | null, phones: Array<string>, emails: Array<string>, notes: string | null, };

export type Counts = { customers: number, contacts: number, activities: number, orders: number, products: number, users: number, 
/**
 * Change-log entries (each one row change, of one or more fields).
 */
changes: number, };

export type CreateBook = { keyMode: KeyMode, passphrase: string | null, phoneRegion: string, currency: string, 
/**
 * How many demo customers to add (0 for none).
 */
demoCustomers: number, };

export type CurrencyDigits = { code: string, digits: number, };

export type CurrencyTotal = { currency: string, orders: number, 
/**
 * Minor units of `currency`.
 */
total: number, };

export type CustomFieldDef = { key: string, label: string, kind: CustomFieldKind, choices: Array<string>, };

export type CustomFieldKind = "text" | "number" | "date" | "choice";

export type CustomValue = { "type": "text", "value": string } | { "type": "number", "value": number } | { "type": "date", "value": string } | { "type": "choice", "value": string };

export type Customer = { id: CustomerId, kind: CustomerKind, name: string, company: string | null, phones: Array<string>, emails: Array<string>, address: string | null, city: string | null, country: string | null, tags: Array<string>, 
/**
 * The owning user's id, or text from before users that names none (such a customer is
 * nobody's: only a role with scope "all" reaches it).
 */
owner: string | null, 
/**
 * The owning user's name, when the owner is a user.
 */
ownerName: string | null, source: string | null, notes: string | null, custom: { [key in string]: CustomValue }, createdAt: number, updatedAt: number, deleted: boolean, 
/**
 * The field rules (`customer.phones`, `customer.custom.vip`) whose fields the reader's roles
 * hide: emptied here, shown as "hidden".
 */
redacted: Array<string>, };

export type CustomerFilter = { kind: CustomerKind | null, tag: string | null, city: string | null, owner: string | null, includeDeleted: boolean, sort: CustomerSort, limit: number | null, offset: number, };

export type CustomerId = string;

export type CustomerInput = { kind: string | null, name: string | null, company: string | null, phones: Array<string>, emails: Array<string>, address: string | null, city: string | null, country: string | null, tags: Array<string>, owner: string | null, source: string | null, notes: string | null, custom: { [key in string]: string }, };

export type CustomerKind = "person" | "company";

export type CustomerPage = { total: number, offset: number, items: Array<Customer>, };

export type CustomerPatch = { kind: string | null, name: string | null, company: string | null, phones: Array<string> | null, emails: Array<string> | null, address: string | null, city: string | null, country: string | null, tags: Array<string> | null, owner: string | null, source: string | null, notes: string | null, 
/**
 * Custom values to set; an empty string removes the value.
 */
custom: { [key in string]: string }, 
/**
 * The customer as the form loaded it: a field this patch sets that someone else changed
 * since (an import, the CLI, another window) is refused, naming the field, instead of
 * overwritten unseen. None skips the check (the CLI's own edits).
 */
base: Customer | null, };

export type CustomerRecord = { customer: Customer, contacts: Array<Contact>, activities: Array<Activity>, orders: Array<Order>, };

export type CustomerSort = "name" | "updated" | "created";

export type DemoSummary = { customers: number, contacts: number, activities: number, products: number, orders: number, };

export type DiagnosticsEntry = { file: string, bytes: number, };

export type DiagnosticsReport = { file: string, entries: Array<string>, size: number, };

export type DuplicateNote = { row: number, existingId: string, existingName: string, score: number, reasons: Array<Reason>, };

export type DuplicatePair = { a: Customer, b: Customer, score: number, reasons: Array<Reason>, };

export type Entity = "customer" | "contact" | "activity" | "product" | "order" | "settings" | "users" | "audit" | "privacy";

export type ErasureCounts = { 
/**
 * Rows overwritten: the customer, their contacts, activities, and orders' notes.
 */
rows: number, 
/**
 * Change-log entries whose values and salt were dropped.
 */
logEntries: number, 
/**
 * Audit events that named the person (an export's search, say), sealed alike.
 */
events: number, 
/**
 * Words of the typo vocabulary only this person used.
 */
searchTerms: number, };

export type ErasureReport = { customerId: string, counts: ErasureCounts, 
/**
 * Until the person was gone from every list, search and record (ms).
 */
visibleMs: number, 
/**
 * Until no page of the book or its WAL held any of it: full-text segments merged, WAL
 * truncated (ms).
 */
purgedMs: number, 
/**
 * Migration snapshots beside the book, taken before the erasure with the person in them,
 * that were deleted.
 */
snapshotsRemoved: Array<string>, 
/**
 * The WAL was truncated. When not (another program had the book open and kept reading),
 * its old pages go when the last program closes the book.
 */
walPurged: boolean, };

export type ErrorCode = "invalid" | "not-found" | "wrong-passphrase" | "wrong-key" | "passphrase-required" | "key-missing" | "keyring-unavailable" | "db-truncated" | "db-corrupt" | "db-newer" | "db-missing" | "db-exists" | "key-file" | "migration-failed" | "disk-full" | "storage" | "io" | "bad-file" | "cancelled" | "not-open" | "sign-in-failed" | "locked" | "mfa-required" | "mfa-replayed" | "clock-off" | "user-disabled" | "mfa-setup-required" | "no-users" | "sign-in-required" | "forbidden" | "history-altered" | "peer-refused" | "network" | "pairing-failed" | "removed" | "backup-key" | "backup-other-book" | "backup-damaged" | "backup-target" | "backup" | "book-in-use" | "unhealthy";

export type ExportFormat = "csv" | "csvExcel" | "csvGbk" | "csvGb18030" | "xlsx" | "json" | "xml" | "vcard";

export type ExportReport = { 
/**
 * Customers written.
 */
written: number, 
/**
 * Rows whose text the format could not hold as it is (cut to fit an Excel cell, characters
 * GBK lacks), each named by row, customer and column; localized. At most 1,000.
 */
warnings: Array<string>, 
/**
 * How many warnings there were in all.
 */
warningCount: number, };

export type FieldAccess = "hidden" | "read" | "write";

export type FieldMessage = { field: string, message: string, };

export type FieldRule = { field: string, access: FieldAccess, };

export type Grant = { entity: Entity, actions: Array<Action>, scope: Scope, };

export type Health = { book: string, bookBytes: number, walBytes: number, freePageBytes: number, changeEntries: number, customers: number, lastBackupMs: number | null, lastBackupFile: string | null, 
/**
 * The last backup's file is still there, whole as its manifest says (size and signature).
 */
lastBackupPresent: boolean, backupFolder: string, backupMaxAgeHours: number, lastCheckMs: number | null, lastCheckOk: boolean | null, lastSyncMs: number | null, bookDiskFree: number | null, backupDiskFree: number | null, 
/**
 * This program's log folder, and the size of the logs in it.
 */
logFolder: string | null, logBytes: number, 
/**
 * Thresholds crossed (empty when healthy).
 */
warnings: Array<HealthWarning>, };

export type HealthWarning = { code: string, message: string, };

export type HistoryEntry = { 
/**
 * Unix ms of the change (its clock's wall time).
 */
at: number, 
/**
 * Who made it: the user's name (or the name history from before users was written under).
 */
who: string, 
/**
 * The user's login, when the author is a user of this book.
 */
login: string | null, 
/**
 * The desktop it was made on.
 */
device: string, 
/**
 * Made on this desktop.
 */
thisDevice: boolean, 
/**
 * The import or merge it was part of.
 */
batch: string | null, 
/**
 * The local transaction number on its desktop (what `banyan revert --tx` names).
 */
tx: number, 
/**
 * "customer", "contact", "activity", "order", "order line".
 */
entity: string, recordId: string, field: string, 
/**
 * insert, update or delete.
 */
op: string, 
/**
 * Values as JSON text; `None` for a hidden field, or no old value of an insert.
 */
oldValue: string | null, newValue: string | null, 
/**
 * The field is hidden from the caller: it changed, its values are not shown.
 */
hidden: boolean, 
/**
 * The change, by desktop and sequence number.
 */
change: ChangeRef, };

export type Hlc = number;

export type ImportCounts = { rowsRead: number, created: number, updated: number, skipped: number, failed: number, };

export type ImportMode = "validRows" | "allOrNothing";

export type ImportPreview = { info: SourceInfo, headers: Array<string>, mapping: Mapping, rows: Array<PreviewRowView>, scanned: number, withProblems: number, duplicates: number, 
/**
 * Why the file cannot be imported with this mapping yet, e.g. no column is the name.
 */
mappingProblem: string | null, };

export type ImportRecord = { id: string, fileName: string, format: string, 
/**
 * running, done, cancelled, failed, undone.
 */
status: string, startedAt: number, finishedAt: number | null, rowsRead: number, created: number, updated: number, skipped: number, failed: number, };

export type ImportReport = { batchId: string, info: SourceInfo, counts: ImportCounts, issues: Array<RowIssue>, duplicates: Array<DuplicateNote>, 
/**
 * Nothing was written (dry run, or all-or-nothing with bad rows).
 */
rolledBack: boolean, 
/**
 * The file holding the rejected rows with an error column, if any row was rejected.
 */
rejectsFile: string | null, 
/**
 * Every column no customer field took, and what became of it (localized): kept in the
 * notes, or not imported because the mapping says so.
 */
unmapped: Array<string>, };

export type ImportRequest = { sheet: string | null, 
/**
 * An explicit mapping; otherwise the saved one named `mapping_name`; otherwise suggested.
 */
mapping: Mapping | null, mappingName: string | null, onDuplicate: OnDuplicate, mode: ImportMode, dryRun: boolean, };

export type InviteEnded = { code: string, joined: string | null, error: ApiError | null, };

export type InviteShown = { code: string, address: string, 
/**
 * When the code stops working (ms since 1970).
 */
expiresAtMs: number, };

export type IoProgress = { 
/**
 * "import" or "export".
 */
task: string, done: number, total: number, };

export type JoinBook = { code: string, 
/**
 * HOST:PORT of the inviting desktop, as it shows it.
 */
address: string, 
/**
 * This desktop's name in the book (the computer's name when empty).
 */
name: string | null, keyMode: KeyMode, passphrase: string | null, };

export type JoinProgress = { step: string, done: number, total: number, };

export type Keep = { daily: number, weekly: number, monthly: number, };

export type KeyMode = "keyring" | "passphrase" | "shared";

export type KeyRule = { 
/**
 * What a new book offers first.
 */
default: KeyMode, 
/**
 * The only way new books and key changes may keep the key, when one is required. A shared
 * desktop's key slots (sealed under each user's password) satisfy either.
 */
required: KeyMode | null, 
/**
 * Why it is required: "KeyMode" (the policy) or "portable".
 */
by: string | null, };

export type Lang = "en-US" | "zh-CN";

export type LikelyDuplicate = { 
/**
 * The customer, when the caller may read it.
 */
customer: Customer | null, 
/**
 * Its owner's name (or the text kept from before users).
 */
owner: string | null, };

export type LineAmounts = { 
/**
 * quantity × unit price
 */
gross: number, discount: number, 
/**
 * gross − discount
 */
net: number, tax: number, 
/**
 * net + tax
 */
total: number, };

export type LineInput = { sku: string, 
/**
 * Integer text, > 0.
 */
quantity: string, 
/**
 * Percent text, 0..=100; empty for none.
 */
discount: string | null, };

export type LostDay = { user: string, day: string, changes: number, };

export type Mapping = { columns: Array<ColumnMap>, };

export type MatchField = "name" | "company" | "contacts" | "emails" | "phones" | "city" | "tags" | "notes";

export type MatchTier = "exact" | "prefix" | "pinyin" | "substring" | "fuzzy";

export type Member = { device: string, name: string, 
/**
 * Hex SHA-256 of its TLS certificate.
 */
fingerprint: string, 
/**
 * Its order-number code.
 */
code: string, addedBy: string | null, addedAt: number, 
/**
 * When it was removed (a lost laptop), if it was.
 */
revokedAt: number | null, 
/**
 * Hex Ed25519 public key its changes are signed with.
 */
signingKey: string | null, 
/**
 * For a desktop that wrote its own member row (a book restored there took a new identity):
 * the signature of its former identity's key vouching for it (hex).
 */
vouch?: string | null, 
/**
 * When this desktop last finished a round with it, and the address it reached it at (if
 * this desktop connected), as this desktop knows it.
 */
lastSeen: number | null, address: string | null, };

export type MergeRequest = { survivorId: string, otherId: string, 
/**
 * field name ("name", "company", "phones", "custom.industry", …) → "survivor" | "other".
 */
take: { [key in string]: string }, };

export type MfaEnrolment = { uri: string, secretBase32: string, qrSvg: string, };

export type OnDuplicate = "skip" | "update" | "overwrite" | "create";

export type OpenProgress = { stage: string, done: number, total: number, };

export type Order = { id: OrderId, number: string, customerId: CustomerId, customerName: string, status: OrderStatus, 
/**
 * The statuses this order may move to next (the flow lives here, not in the UI).
 */
allowedNext: Array<OrderStatus>, currency: string, lines: Array<OrderLine>, 
/**
 * `None` when the caller's roles hide order values (`order.total`).
 */
totals: Totals | null, notes: string | null, createdAt: number, updatedAt: number, 
/**
 * The fields left out because the caller's roles hide them ("order.total",
 * "order.lines.price", "order.lines.discount"): shown as "hidden".
 */
redacted: Array<string>, };

export type OrderFilter = { status: OrderStatus | null, customer: CustomerId | null, 
/**
 * Created at or after (Unix ms).
 */
fromMs: number | null, 
/**
 * Created before (Unix ms).
 */
toMs: number | null, limit: number | null, };

export type OrderId = string;

export type OrderInput = { customerId: string, lines: Array<LineInput>, notes: string | null, };

export type OrderLine = { id: OrderLineId, productId: ProductId, sku: string, name: string, quantity: number, 
/**
 * `None` when hidden (`order.lines.price`), as are the line's amounts.
 */
unitPrice: number | null, 
/**
 * `None` when hidden (`order.lines.discount`).
 */
discountBp: number | null, taxRateBp: number, 
/**
 * `None` when any value they are made of is hidden.
 */
amounts: LineAmounts | null, };

export type OrderLineId = string;

export type OrderPreview = { currency: string, lines: Array<PreviewLine>, totals: Totals, };

export type OrderStatus = "draft" | "confirmed" | "fulfilled" | "paid" | "cancelled";

export type OrderSummary = { 
/**
 * Orders the filter finds, of every status.
 */
orders: number, 
/**
 * Of those, drafts and cancelled orders, which no total counts.
 */
notCounted: number, 
/**
 * The booked orders' total in each currency, by currency code; empty when the caller's
 * roles hide order values.
 */
totals: Array<CurrencyTotal>, 
/**
 * "order.total" when the totals were left out.
 */
redacted: Array<string>, };

export type OwnerChoice = { login: string, name: string, team: string | null, };

export type PolicyEntry = { 
/**
 * The key (`ExportEnabled`); its name and explanation are `policy-name-KEY` and
 * `policy-explain-KEY` of policy.ftl.
 */
key: string, 
/**
 * Mandatory (the user cannot change it), else recommended.
 */
mandatory: boolean, 
/**
 * The value as JSON text (`false`, `"zh-CN"`, `{"daily":7,…}`).
 */
value: string, 
/**
 * False for a recommended value a mandatory one of the same key overrides.
 */
applies: boolean, };

export type PolicyView = { 
/**
 * Where they were read from (none without a policy file).
 */
file: string | null, 
/**
 * Mandatory ones first, each in the schema's order.
 */
entries: Array<PolicyEntry>, 
/**
 * What was ignored and why (key, value and the expected form; in English, for IT).
 */
problems: Array<string>, 
/**
 * The keys a mandatory policy sets (their controls are locked).
 */
managed: Array<string>, 
/**
 * The `…Enabled` policies that turn a feature off.
 */
turnedOff: Array<string>, };

export type PreviewLine = { sku: string, name: string, quantity: number, unitPrice: number, discountBp: number, taxRateBp: number, amounts: LineAmounts, };

export type PreviewRowView = { row: number, cells: Array<string>, issues: Array<RowIssue>, duplicate: DuplicateNote | null, };

export type PrivacyExport = { files: Array<string>, };

export type Product = { id: ProductId, sku: string, name: string, 
/**
 * Minor units of `currency`; `None` when the caller's roles hide prices (`product.price`).
 */
unitPrice: number | null, currency: string, 
/**
 * Basis points (1300 = 13 %).
 */
taxRateBp: number, active: boolean, createdAt: number, updatedAt: number, 
/**
 * The fields left out because the caller's roles hide them: shown as "hidden".
 */
redacted: Array<string>, };

export type ProductId = string;

export type ProductInput = { sku: string | null, name: string | null, 
/**
 * Decimal text, e.g. `19.99`.
 */
price: string | null, currency: string | null, 
/**
 * Percent text, e.g. `13`.
 */
taxRate: string | null, active: boolean | null, };

export type Reason = "same-phone" | "same-email" | "same-name" | "similar-name" | "same-company" | "same-address" | "same-city";

export type RestorePreview = { file: string, createdAtMs: number, device: string, deviceCode: string, schemaVersion: number, 
/**
 * The backup is from an older version: it is migrated (after its own snapshot) as it opens.
 */
migrates: boolean, countsThen: Counts, countsNow: Counts, 
/**
 * Changes made since the backup (here or received from others) that the restore loses.
 */
lost: Array<LostDay>, lostTotal: number, };

export type RestoreReport = { preview: RestorePreview, 
/**
 * The book as it was before the restore (`restore --undo` brings it back).
 */
snapshot: string | null, 
/**
 * Customers erased since the backup, erased again.
 */
erasedAgain: number, seconds: number, };

export type Revoke = { entity: Entity, actions: Array<Action>, };

export type RoleChange = { grant: Grant | null, revoke: Revoke | null, 
/**
 * `Some(None)` lifts the cap.
 */
exportCap: number | null | null, 
/**
 * Sets what the role may do with one field (write is the default: it removes the rule).
 */
field: FieldRule | null, };

export type RoleView = { name: string, builtIn: boolean, 
/**
 * The built-in role a custom one was copied from.
 */
basedOn: string | null, grants: Array<Grant>, exportCap: number | null, 
/**
 * Its field rules (`order.total` → hidden, ...); a field not named may be written where its
 * entity may be updated.
 */
fields: { [key in string]: FieldAccess }, 
/**
 * Its users must sign in with an authenticator app (they set one up at their next sign-in).
 */
requireMfa: boolean, };

export type RowIssue = { row: number, column: string | null, 
/**
 * What is wrong, e.g. "“123” is not a valid phone number …".
 */
message: string, 
/**
 * The whole sentence: "Row 12, 手机: …".
 */
text: string, };

export type SavedMapping = { name: string, mapping: Mapping, };

export type Scope = "own" | "team" | "all";

export type SearchFilter = { kind: CustomerKind | null, tag: string | null, city: string | null, owner: string | null, 
/**
 * Only customers with (or without) an order that is not yet paid or cancelled.
 */
hasOpenOrders: boolean | null, 
/**
 * Unix ms, inclusive.
 */
createdFrom: number | null, 
/**
 * Unix ms, exclusive.
 */
createdTo: number | null, updatedFrom: number | null, updatedTo: number | null, };

export type SearchHit = { customer: Customer, tier: MatchTier, matched: Array<MatchField>, };

export type ServiceToken = { user: User, token: string, };

export type Settings = { 
/**
 * Region for phone numbers typed without a country code.
 */
phoneRegion: string, 
/**
 * Currency for new products.
 */
currency: string, };

export type SourceInfo = { format: string, 
/**
 * The text encoding (CSV, vCard), e.g. "GBK" or "UTF-16LE".
 */
encoding: string | null, 
/**
 * The CSV delimiter, as text ("," ";" "\t" "|").
 */
delimiter: string | null, 
/**
 * The sheet read (spreadsheets) and every sheet of the workbook.
 */
sheet: string | null, sheets: Array<string>, 
/**
 * Row number of the header row in the source.
 */
headerRow: number, };

export type SyncConflict = { 
/**
 * `table/row/field` (`products/sku/TEA-1` for a duplicate SKU): what `sync resolve` takes.
 */
id: string, kind: ConflictKind, table: string, rowId: string, field: string, sides: Array<ConflictSide>, 
/**
 * What the row is to a person (a customer's name), filled in by the façade.
 */
label: string | null, };

export type SyncOverview = { status: SyncStatus, 
/**
 * This desktop's name among the members (none before it first invited or joined).
 */
name: string | null, 
/**
 * The book's desktops (empty for a role that may not see them).
 */
peers: Array<Member>, conflicts: Array<SyncConflict>, 
/**
 * The address this desktop last reached (what "Sync now" offers).
 */
lastPeer: string | null, 
/**
 * Whether this desktop stays in sync with it (live sync).
 */
live: boolean, lastRound: SyncRound | null, invite: InviteShown | null, };

export type SyncRound = { 
/**
 * The other desktop's name, id and the address it was reached at.
 */
peer: string, device: string, address: string, sent: number, received: number, 
/**
 * Decisions waiting for the signed-in user after it.
 */
conflicts: number, seconds: number, 
/**
 * When it ended (ms since 1970).
 */
atMs: number, };

export type SyncStatus = { 
/**
 * This desktop's id and its short code.
 */
device: string, deviceCode: string, 
/**
 * Per desktop, the last change this book holds from it.
 */
vector: Vector, 
/**
 * Decisions waiting for the caller (those they may see).
 */
conflicts: number, 
/**
 * Changes from elsewhere kept but not applied (see `sync_held`).
 */
held: number, };

export type Target = { "field": "ignore" } | { "field": "id" } | { "field": "kind" } | { "field": "name" } | { "field": "familyName" } | { "field": "givenName" } | { "field": "company" } | { "field": "contact" } | { "field": "title" } | { "field": "phone" } | { "field": "mobile" } | { "field": "email" } | { "field": "address" } | { "field": "street" } | { "field": "district" } | { "field": "state" } | { "field": "postcode" } | { "field": "city" } | { "field": "country" } | { "field": "tags" } | { "field": "owner" } | { "field": "source" } | { "field": "notes" } | { "field": "noteLine" } | { "field": "custom", "key": string };

export type Totals = { gross: number, discount: number, net: number, tax: number, total: number, };

export type UndoConflict = { customerId: string, name: string, 
/**
 * The field, or "record" when a created customer was edited afterwards and is kept.
 */
field: string, };

export type UndoReport = { removed: number, restored: number, conflicts: Array<UndoConflict>, };

export type UpdateFailure = { 
/**
 * "network" (the server could not be reached, or its certificate is not trusted),
 * "manifest" (its answer is not a manifest, or has nothing for this computer), "signature"
 * (the package does not match its signature or was signed for another version: refused),
 * "install" (the installer failed), "busy" (an import or export is running).
 */
kind: string, 
/**
 * The technical detail, in English (for IT).
 */
detail: string, };

export type UpdateMode = "off" | "notify" | "auto";

export type UpdateOffer = { version: string, current: string, 
/**
 * The release notes the manifest carries.
 */
notes: string | null, 
/**
 * When it was published (RFC 3339), if the manifest says.
 */
date: string | null, };

export type UpdatePlan = { 
/**
 * What is in force.
 */
mode: UpdateMode, 
/**
 * The update manifest's address (`UpdateUrl`), if a policy gives one.
 */
url: string | null, 
/**
 * A mandatory `UpdateMode` sets it: the user cannot change it.
 */
managed: boolean, 
/**
 * The most the user may choose in Settings: a recommended `UpdateMode` (users may choose
 * less), the mandatory one, or off without either.
 */
highest: UpdateMode, 
/**
 * Banyan may install an update itself here (a per-user install).
 */
canInstall: boolean, 
/**
 * Why `mode` is less than what policy and user asked: "no-address" (no `UpdateUrl`),
 * "portable", "installed-by-it" (automatic becomes notify on a machine-wide install),
 * "unpackaged" (the same for a build run from source); the desktop adds "no-signing-key"
 * (a build without the updater's public key installs nothing: automatic becomes notify).
 */
limitedBy: string | null, };

export type UpdateStatus = { plan: UpdatePlan, 
/**
 * "idle", "checking", "available" (an offer), "downloading", "ready" (downloaded and
 * checked: "Install and restart" installs it) or "failed".
 */
phase: string, offer: UpdateOffer | null, 
/**
 * Bytes downloaded so far, and of how many (when the server says).
 */
downloaded: number, total: number | null, failure: UpdateFailure | null, 
/**
 * Seconds since the last check finished, if one has.
 */
checkedSecondsAgo: number | null, };

export type User = { id: UserId, login: string, name: string, roles: Array<string>, team: string | null, status: UserStatus, 
/**
 * Signs in with an authenticator code as well as the password.
 */
mfa: boolean, 
/**
 * A service account (a script, an integration): signs in with a token, never a password.
 */
service: boolean, createdAt: number, updatedAt: number, };

export type UserId = string;

export type UserInput = { login: string | null, name: string | null, roles: Array<string>, team: string | null, };

export type UserStatus = "active" | "disabled";

export type Vector = { [key in string]: number };

export function appStatus(): Promise<AppStatus> {
  return invoke<AppStatus>("app_status");
}

export function policies(): Promise<PolicyView> {
  return invoke<PolicyView>("policies");
}

export function createBook(req: CreateBook): Promise<AppStatus> {
  return invoke<AppStatus>("create_book", { req });
}

export function createFirstAdmin(input: UserInput, password: string): Promise<AppStatus> {
  return invoke<AppStatus>("create_first_admin", { input, password });
}

export function signIn(login: string, password: string, code: string | null): Promise<AppStatus> {
  return invoke<AppStatus>("sign_in", { login, password, code });
}

export function lock(idle: boolean): Promise<AppStatus> {
  return invoke<AppStatus>("lock", { idle });
}

export function unlock(passphrase: string): Promise<AppStatus> {
  return invoke<AppStatus>("unlock", { passphrase });
}

export function setIdleLockMinutes(minutes: number): Promise<AppStatus> {
  return invoke<AppStatus>("set_idle_lock_minutes", { minutes });
}

export function setLanguage(lang: Lang): Promise<AppStatus> {
  return invoke<AppStatus>("set_language", { lang });
}

export function searchCustomers(query: string, filter: SearchFilter, limit: number): Promise<Array<SearchHit>> {
  return invoke<Array<SearchHit>>("search_customers", { query, filter, limit });
}

export function listCustomers(filter: CustomerFilter): Promise<CustomerPage> {
  return invoke<CustomerPage>("list_customers", { filter });
}

export function customerRecord(id: string): Promise<CustomerRecord> {
  return invoke<CustomerRecord>("customer_record", { id });
}

export function addCustomer(input: CustomerInput): Promise<Customer> {
  return invoke<Customer>("add_customer", { input });
}

export function updateCustomer(id: string, patch: CustomerPatch): Promise<Customer> {
  return invoke<Customer>("update_customer", { id, patch });
}

export function deleteCustomer(id: string): Promise<null> {
  return invoke<null>("delete_customer", { id });
}

export function likelyDuplicates(input: CustomerInput, excludeId: string | null): Promise<Array<LikelyDuplicate>> {
  return invoke<Array<LikelyDuplicate>>("likely_duplicates", { input, excludeId });
}

export function history(customerId: string): Promise<Array<HistoryEntry>> {
  return invoke<Array<HistoryEntry>>("history", { customerId });
}

export function consents(customerId: string): Promise<Array<Consent>> {
  return invoke<Array<Consent>>("consents", { customerId });
}

export function recordConsent(customerId: string, input: ConsentInput): Promise<Consent> {
  return invoke<Consent>("record_consent", { customerId, input });
}

export function privacyExport(customerId: string, dir: string): Promise<PrivacyExport> {
  return invoke<PrivacyExport>("privacy_export", { customerId, dir });
}

export function erasePerson(customerId: string, reason: string): Promise<ErasureReport> {
  return invoke<ErasureReport>("erase_person", { customerId, reason });
}

export function ownerChoices(): Promise<Array<OwnerChoice>> {
  return invoke<Array<OwnerChoice>>("owner_choices");
}

export function addContact(customerId: string, input: ContactInput): Promise<Contact> {
  return invoke<Contact>("add_contact", { customerId, input });
}

export function addActivity(customerId: string, input: ActivityInput): Promise<Activity> {
  return invoke<Activity>("add_activity", { customerId, input });
}

export function customFields(): Promise<Array<CustomFieldDef>> {
  return invoke<Array<CustomFieldDef>>("custom_fields");
}

export function products(includeInactive: boolean): Promise<Array<Product>> {
  return invoke<Array<Product>>("products", { includeInactive });
}

export function addProduct(input: ProductInput): Promise<Product> {
  return invoke<Product>("add_product", { input });
}

export function updateProduct(sku: string, input: ProductInput): Promise<Product> {
  return invoke<Product>("update_product", { sku, input });
}

export function previewOrder(lines: Array<LineInput>): Promise<OrderPreview> {
  return invoke<OrderPreview>("preview_order", { lines });
}

export function createOrder(input: OrderInput): Promise<Order> {
  return invoke<Order>("create_order", { input });
}

export function updateOrderLines(id: string, lines: Array<LineInput>, notes: string | null): Promise<Order> {
  return invoke<Order>("update_order_lines", { id, lines, notes });
}

export function setOrderStatus(id: string, status: OrderStatus): Promise<Order> {
  return invoke<Order>("set_order_status", { id, status });
}

export function order(id: string): Promise<Order> {
  return invoke<Order>("order", { id });
}

export function orders(filter: OrderFilter): Promise<Array<Order>> {
  return invoke<Array<Order>>("orders", { filter });
}

export function orderSummary(filter: OrderFilter): Promise<OrderSummary> {
  return invoke<OrderSummary>("order_summary", { filter });
}

export function settings(): Promise<Settings> {
  return invoke<Settings>("settings");
}

export function saveSettings(settings: Settings): Promise<Settings> {
  return invoke<Settings>("save_settings", { settings });
}

export function addDemoData(customers: number): Promise<DemoSummary> {
  return invoke<DemoSummary>("add_demo_data", { customers });
}

export function importPreview(path: string, req: ImportRequest): Promise<ImportPreview> {
  return invoke<ImportPreview>("import_preview", { path, req });
}

export function importFile(path: string, req: ImportRequest): Promise<ImportReport> {
  return invoke<ImportReport>("import_file", { path, req });
}

export function cancelIo(): Promise<null> {
  return invoke<null>("cancel_io");
}

export function imports(): Promise<Array<ImportRecord>> {
  return invoke<Array<ImportRecord>>("imports");
}

export function undoImport(batch: string): Promise<UndoReport> {
  return invoke<UndoReport>("undo_import", { batch });
}

export function mappings(): Promise<Array<SavedMapping>> {
  return invoke<Array<SavedMapping>>("mappings");
}

export function saveMapping(name: string, mapping: Mapping): Promise<null> {
  return invoke<null>("save_mapping", { name, mapping });
}

export function exportCustomers(path: string, format: ExportFormat, query: string | null): Promise<ExportReport> {
  return invoke<ExportReport>("export_customers", { path, format, query });
}

export function duplicates(limit: number): Promise<Array<DuplicatePair>> {
  return invoke<Array<DuplicatePair>>("duplicates", { limit });
}

export function mergeCustomers(req: MergeRequest): Promise<Customer> {
  return invoke<Customer>("merge_customers", { req });
}

export function users(): Promise<Array<User>> {
  return invoke<Array<User>>("users");
}

export function roles(): Promise<Array<RoleView>> {
  return invoke<Array<RoleView>>("roles");
}

export function addUser(input: UserInput, password: string): Promise<User> {
  return invoke<User>("add_user", { input, password });
}

export function setUserStatus(login: string, status: UserStatus): Promise<User> {
  return invoke<User>("set_user_status", { login, status });
}

export function unlockUser(login: string): Promise<null> {
  return invoke<null>("unlock_user", { login });
}

export function addServiceAccount(input: UserInput): Promise<ServiceToken> {
  return invoke<ServiceToken>("add_service_account", { input });
}

export function newToken(login: string): Promise<ServiceToken> {
  return invoke<ServiceToken>("new_token", { login });
}

export function auditVerify(heldPath: string | null): Promise<AuditReport> {
  return invoke<AuditReport>("audit_verify", { heldPath });
}

export function writeCheckpoints(path: string): Promise<number> {
  return invoke<number>("write_checkpoints", { path });
}

export function auditEvents(limit: number): Promise<Array<AuditEvent>> {
  return invoke<Array<AuditEvent>>("audit_events", { limit });
}

export function health(): Promise<Health> {
  return invoke<Health>("health");
}

export function backupSettings(): Promise<BackupSettings> {
  return invoke<BackupSettings>("backup_settings");
}

export function setBackupFolder(folder: string): Promise<BackupSettings> {
  return invoke<BackupSettings>("set_backup_folder", { folder });
}

export function setBackupPassphrase(passphrase: string): Promise<BackupSettings> {
  return invoke<BackupSettings>("set_backup_passphrase", { passphrase });
}

export function backupNow(): Promise<BackupReport> {
  return invoke<BackupReport>("backup_now");
}

export function backups(): Promise<Array<BackupEntry>> {
  return invoke<Array<BackupEntry>>("backups");
}

export function restorePreview(file: string, passphrase: string | null): Promise<RestorePreview> {
  return invoke<RestorePreview>("restore_preview", { file, passphrase });
}

export function restore(file: string, passphrase: string | null): Promise<RestoreReport> {
  return invoke<RestoreReport>("restore", { file, passphrase });
}

export function undoRestore(): Promise<string> {
  return invoke<string>("undo_restore");
}

export function diagnosticsPreview(): Promise<Array<DiagnosticsEntry>> {
  return invoke<Array<DiagnosticsEntry>>("diagnostics_preview");
}

export function saveDiagnostics(path: string): Promise<DiagnosticsReport> {
  return invoke<DiagnosticsReport>("save_diagnostics", { path });
}

export function setRoleMfa(name: string, required: boolean): Promise<RoleView> {
  return invoke<RoleView>("set_role_mfa", { name, required });
}

export function ruleFields(): Promise<Array<string>> {
  return invoke<Array<string>>("rule_fields");
}

export function addRole(name: string, from: string): Promise<RoleView> {
  return invoke<RoleView>("add_role", { name, from });
}

export function changeRole(name: string, change: RoleChange): Promise<RoleView> {
  return invoke<RoleView>("change_role", { name, change });
}

export function beginMfa(password: string): Promise<MfaEnrolment> {
  return invoke<MfaEnrolment>("begin_mfa", { password });
}

export function confirmMfa(password: string, code: string): Promise<Array<string>> {
  return invoke<Array<string>>("confirm_mfa", { password, code });
}

export function finishMfaSetup(): Promise<AppStatus> {
  return invoke<AppStatus>("finish_mfa_setup");
}

export function disableMfa(login: string): Promise<User> {
  return invoke<User>("disable_mfa", { login });
}

export function changePassword(login: string, current: string | null, newPassword: string): Promise<User> {
  return invoke<User>("change_password", { login, current, newPassword });
}

export function makeShared(password: string): Promise<Array<string>> {
  return invoke<Array<string>>("make_shared", { password });
}

export function usersWithoutKeySlot(): Promise<Array<string>> {
  return invoke<Array<string>>("users_without_key_slot");
}

export function syncOverview(): Promise<SyncOverview> {
  return invoke<SyncOverview>("sync_overview");
}

export function syncWaiting(): Promise<number> {
  return invoke<number>("sync_waiting");
}

export function syncNow(peer: string | null): Promise<SyncRound> {
  return invoke<SyncRound>("sync_now", { peer });
}

export function updateStatus(): Promise<UpdateStatus> {
  return invoke<UpdateStatus>("update_status");
}

export function checkUpdates(): Promise<UpdateStatus> {
  return invoke<UpdateStatus>("check_updates");
}

export function setUpdateMode(mode: UpdateMode): Promise<UpdateStatus> {
  return invoke<UpdateStatus>("set_update_mode", { mode });
}

export function installUpdate(): Promise<UpdateStatus> {
  return invoke<UpdateStatus>("install_update");
}

export function setSyncLive(on: boolean): Promise<null> {
  return invoke<null>("set_sync_live", { on });
}

export function syncResolve(id: string, keep: string): Promise<null> {
  return invoke<null>("sync_resolve", { id, keep });
}

export function syncNewIdentity(): Promise<string> {
  return invoke<string>("sync_new_identity");
}

export function syncRevoke(device: string): Promise<Member> {
  return invoke<Member>("sync_revoke", { device });
}

export function syncInvite(name: string | null): Promise<InviteShown> {
  return invoke<InviteShown>("sync_invite", { name });
}

export function syncCancelInvite(): Promise<null> {
  return invoke<null>("sync_cancel_invite");
}

export function joinBook(req: JoinBook): Promise<AppStatus> {
  return invoke<AppStatus>("join_book", { req });
}

export function benchMark(name: string, valueMs: number | null): Promise<number> {
  return invoke<number>("bench_mark", { name, valueMs });
}
