# Messages the core shows: errors, field names, statuses. Shared by the CLI and the desktop app.

-brand-name = Banyan

## Field names, used to say which field an error is about.

field-kind = Type
field-pairing = Pairing code
field-peer = Desktop address
field-db = Customer book
field-passphrase = Passphrase
field-key-mode = Book key
field-to = Rewind to
field-user = User
field-device = Desktop
field-sync = What to serve
entity-desktop = desktop
field-name = Name
field-keep = Value to keep
field-company = Company
field-phones = Phone
field-emails = Email
field-address = Address
field-city = City
field-country = Country
field-tags = Tag
field-owner = Owner
field-source = Source
field-notes = Notes
field-custom = Custom field
field-title = Job title
field-text = Text
field-occurred-at = Date
field-sku = SKU
field-price = Price
field-currency = Currency
field-tax-rate = Tax rate
field-lines = Line
field-quantity = Quantity
field-discount = Discount
field-customer-id = Customer
field-status = Status
field-line_set = Lines
field-key = Key
field-label = Label
field-choices = Choices
field-id = ID

## Validation errors. Each is shown after the name of the field it is about.

error-required = This field is required.
# Variables:
#   $max (Number) - the longest allowed length, in characters
error-too-long = Too long: at most { $max } characters.
error-control-chars = Contains invisible control characters.
error-bidi-chars = Contains characters that reverse or reorder how the text is shown (bidirectional overrides); remove them.
# Variables:
#   $value (String) - what the user typed
error-bad-id = “{ $value }” is not a valid ID.
# Variables:
#   $value (String) - what the user typed
error-customer-kind = “{ $value }” is not a customer type; use “person” or “company”.
# Variables:
#   $value (String) - what the user typed
#   $region (String) - the default region code, such as CN
error-phone = “{ $value }” is not a valid phone number (numbers without a country code are read as { $region }).
# Variables:
#   $value (String) - what the user typed
error-email = “{ $value }” is not a valid email address.
# Variables:
#   $value (String) - what the user typed
error-date = “{ $value }” is not a valid date; use YYYY-MM-DD.
# Variables:
#   $value (String) - what the user typed
error-number = “{ $value }” is not a number.
# Variables:
#   $value (String) - what the user typed
#   $choices (String) - the allowed values, comma-separated
error-choice = “{ $value }” is not one of the choices: { $choices }.
# Variables:
#   $key (String) - the custom field's key
error-custom-unknown = There is no custom field “{ $key }”.
# Variables:
#   $value (String) - what the user typed
error-custom-kind = “{ $value }” is not a field type; use text, number, date or choice.
# Variables:
#   $value (String) - what the user typed
error-custom-key = “{ $value }” is not a valid key; use lowercase letters, digits and underscores, starting with a letter.
# Variables:
#   $key (String) - the custom field's key
error-custom-key-taken = A custom field “{ $key }” already exists.
# Variables:
#   $value (String) - what the user typed
error-currency = “{ $value }” is not an ISO 4217 currency code (such as CNY, USD, EUR).
# Variables:
#   $value (String) - what the user typed
#   $currency (String) - currency code
error-amount = “{ $value }” is not an amount in { $currency }.
# Variables:
#   $value (String) - what the user typed
#   $currency (String) - currency code
#   $digits (Number) - decimal places the currency allows
error-amount-decimals = “{ $value }” has too many decimals: { $currency } allows { $digits }.
# Variables:
#   $value (String) - what the user typed
error-negative = “{ $value }” is negative; amounts cannot be below zero.
# Variables:
#   $value (String) - what the user typed
error-too-large = “{ $value }” is too large.
# Variables:
#   $value (String) - what the user typed
error-percent = “{ $value }” is not a percentage between 0 and 100 (at most two decimals).
# Variables:
#   $value (String) - what the user typed
error-sku-format = “{ $value }” is not a valid SKU: no spaces allowed.
# Variables:
#   $sku (String) - the product code
error-sku-taken = Another product already has SKU “{ $sku }”.
# Variables:
#   $sku (String) - the product code
error-sku-unknown = There is no product with SKU “{ $sku }”.
# Variables:
#   $sku (String) - the product code
error-product-inactive = Product “{ $sku }” is no longer sold.
# Variables:
#   $value (String) - what the user typed
error-quantity = “{ $value }” is not a quantity; use a whole number above zero.
# Variables:
#   $sku (String) - the product code
#   $currency (String) - the product's currency
#   $expected (String) - the order's currency
error-currency-mismatch = Product “{ $sku }” is priced in { $currency }, but this order is in { $expected }.
error-order-no-lines = An order needs at least one line.
# Variables:
#   $value (String) - what the user typed
error-line-spec = “{ $value }” is not a line; write SKU:QUANTITY or SKU:QUANTITY:DISCOUNT.
# Variables:
#   $value (String) - what the user typed
error-order-status = “{ $value }” is not an order status.
# Variables:
#   $from (String) - current status
#   $to (String) - requested status
#   $allowed (String) - statuses the order may move to
error-order-transition = An order cannot go from { $from } to { $to }. Allowed next: { $allowed }.
# Variables:
#   $id (String) - the customer id given
error-customer-unknown = There is no customer with ID { $id }.
error-contact-needs-company = Contacts can only be added to a company.
# Variables:
#   $value (String) - what the user typed
error-activity-kind = “{ $value }” is not an activity type; use call, visit, email or note.
# Variables:
#   $value (String) - what the user typed
error-region = “{ $value }” is not a region code (such as CN, US, DE).
# Variables:
#   $value (String) - what the user typed
error-language = “{ $value }” is not a supported language (en-US, zh-CN).
# Variables:
#   $min (Number) - the fewest characters a password may have
error-password-short = A password needs at least { $min } characters.
error-password-common = This password is too easy to guess: it is one of the most common passwords, or made of your login or name. Choose another.

## Errors about the database and its key.

# Variables:
#   $entity (String) - what was looked for
#   $id (String) - the id or number asked for
error-not-found = Not found: { $entity } { $id }.
error-wrong-passphrase = Wrong passphrase. The database was not opened and nothing was changed.
error-wrong-key = This key does not open the database. The file was not changed.
error-passphrase-required = This database is protected by a passphrase. Set BANYAN_PASSPHRASE or use --passphrase-stdin.
error-key-missing = The key for this database is not in this computer's keyring. Restore it, or open a backup protected by a passphrase.
# Variables:
#   $detail (String) - what the keyring said
error-keyring-unavailable = The system keyring is not available ({ $detail }). Use a passphrase instead: set BANYAN_PASSPHRASE.
# Variables:
#   $path (String) - database file
error-db-truncated = The database file { $path } is truncated (cut off). Restore it from a backup.
# Variables:
#   $detail (String) - technical detail
error-db-corrupt = The database is damaged ({ $detail }). Restore it from a backup.
# Variables:
#   $found (Number) - schema version of the file
#   $supported (Number) - newest version this program knows
error-db-newer = This database was written by a newer version of { -brand-name } (schema { $found }; this version knows up to { $supported }). Update { -brand-name } to open it. The file was not changed.
# Variables:
#   $path (String) - database file
error-db-missing = There is no database at { $path }. Create one with “banyan init”.
# Variables:
#   $path (String) - database file
error-db-exists = A database already exists at { $path }.
# Variables:
#   $path (String) - key file
#   $detail (String) - technical detail
error-key-file = The key file { $path } cannot be read ({ $detail }).
# Variables:
#   $version (Number) - migration that failed
#   $snapshot (String) - path of the snapshot
#   $detail (String) - technical detail
error-migration-failed = Upgrading the database failed at step { $version } ({ $detail }). Nothing was changed; a copy taken before the upgrade is at { $snapshot }.
error-disk-full = The disk is full. Nothing was saved; free some space and try again.
# Variables:
#   $detail (String) - technical detail
error-storage = The database reported an error: { $detail }
# Variables:
#   $detail (String) - technical detail
error-io = A file could not be read or written: { $detail }

## Words the core shows.

status-draft = Draft
status-confirmed = Confirmed
status-fulfilled = Fulfilled
status-paid = Paid
status-cancelled = Cancelled
kind-person = Person
kind-company = Company
entity-customer = customer
entity-contact = contact
entity-activity = activity
entity-product = product
entity-order = order
entity-order-line = order line
entity-custom-field = custom field
entity-record = record
entity-setting = setting

# An error about one field.
# Variables:
#   $field (String) - the field's name, e.g. "Email 2"
#   $message (String) - what is wrong
field-error = { $field }: { $message }
field-phone-region = Phone region
# Variables:
#   $status (String) - the order's current status
error-order-not-editable = The lines of an order can only be changed while it is a draft (this one is { $status }).
error-not-open = The customer book is not open yet.

## Import, export, duplicates and merge.

entity-batch = import
entity-mapping = saved mapping
field-file = File
field-out = Export file
field-rejects = File for rejected rows
field-row = Row
field-mapping = Mapping
field-mapping-name = Mapping name
# Variables:
#   $max (Number) - the largest file size accepted, in MB
error-import-too-large = The file is larger than { $max } MB. Split it, or save it as CSV, which has no size limit.
# Variables:
#   $row (Number) - the row in the file
#   $column (String) - the column's position or name
#   $max (Number) - the longest cell accepted, in KB
error-import-field-too-large = Row { $row }, column { $column }: the cell is longer than { $max } KB. Nothing was imported.
error-import-empty = The file has no rows to import.
# Variables:
#   $row (Number) - the line in the file
#   $detail (String) - what the CSV reader found
error-import-csv = Line { $row } of the file cannot be read as CSV: { $detail }
# Variables:
#   $row (Number) - the row where the quoted value starts
#   $column (Number) - the column's position
#   $max (Number) - the longest cell accepted, in KB
error-import-csv-quote = Row { $row }, column { $column }: a quotation mark opens a value that is never closed (it runs on past { $max } KB or to the end of the file). Check that row for a stray " and save the file again. Nothing was imported.
# Variables:
#   $row (Number) - the row with a value beyond the last column accepted
#   $max (Number) - the most columns accepted
error-import-too-many-columns = Row { $row } has more than { $max } columns. Remove the empty or unneeded columns, or split the file. Nothing was imported.
# Variables:
#   $max (Number) - the most cells accepted
error-import-too-many-cells = The file spreads over more than { $max } cells, more than any customer list holds; it was not opened. If it is real, save it as CSV, which is read row by row.
# Variables:
#   $claimed (Number) - how many texts the workbook says it holds
#   $bytes (Number) - the size of its text table
error-import-workbook-counts = The workbook says it holds { $claimed } texts in a text table of { $bytes } bytes: it is damaged or crafted, and was not opened.
# Variables:
#   $value (String) - what the field holds now
error-edited-meanwhile = Someone else changed this while you were editing it (it is now “{ $value }”). Reload the customer to see the change, then edit again.
error-import-not-workbook = The file is not a workbook Banyan can read (it may be damaged or not really a spreadsheet).
error-import-zip-bomb = The workbook unpacks to far more data than any real spreadsheet holds; it was not opened.
# Variables:
#   $detail (String) - what the spreadsheet reader found
error-import-workbook = The workbook cannot be read: { $detail }
# Variables:
#   $sheet (String) - the sheet the user asked for
#   $sheets (String) - the sheets the workbook has, comma-separated
error-import-sheet = There is no sheet “{ $sheet }”. The workbook has: { $sheets }.
# Variables:
#   $line (Number) - the line in the file
#   $detail (String) - what the JSON reader found
error-import-json = Line { $line } of the JSON file is not valid JSON: { $detail }
error-import-json-shape = The JSON file must hold a list of records (an array of objects).
# Variables:
#   $row (Number) - the record's position in the list
error-import-json-record = Record { $row } of the JSON file is not an object with fields.
# Variables:
#   $line (Number) - the line in the file
#   $detail (String) - what the XML reader found
error-import-xml = Line { $line } of the XML file cannot be read: { $detail }
error-import-xml-entities = The XML file declares or uses its own entities, which Banyan does not expand (they can be used to attack the reader). Export it again without a DTD.
# Variables:
#   $row (Number) - the card's position in the file
error-import-vcard = Card { $row } of the vCard file is not complete.
# Variables:
#   $column (String) - the column named in the mapping
error-import-mapping-column = The mapping uses the column “{ $column }”, which this file does not have.
error-import-mapping-name = Map at least one column to the name or the company.
# Variables:
#   $detail (String) - the problem
error-import-row = This row cannot be imported: { $detail }
error-merge-same = A customer cannot be merged with itself.
error-cancelled = Cancelled. Nothing was changed.
# Variables:
#   $row (Number) - the row in the source file
#   $column (String) - the source column
#   $message (String) - what is wrong
import-row-issue = Row { $row }, { $column }: { $message }
import-rejects-column = Problem
# The import journal's name for the demo data batch.
demo-batch-name = Demo data
# Variables:
#   $column (String) - a column of the imported file
import-column-kept-in-notes = Column “{ $column }” is not a customer field: kept in the notes as “{ $column }: …”.
# Variables:
#   $column (String) - a column of the imported file
import-column-ignored = Column “{ $column }” was not imported (the mapping leaves it out).
import-status-running = unfinished
import-status-done = done
import-status-cancelled = cancelled
import-status-failed = failed
import-status-undone = undone
import-status-undoing = partly undone (undo it again to finish)
import-status-interrupted = interrupted (taken back)
error-import-still-running = This import is still running. Cancel it, or wait until it ends, then undo it.
error-import-already-undone = This import has already been taken back; there is nothing to undo.
duplicate-reason-same-phone = same phone
duplicate-reason-same-email = same email
duplicate-reason-same-name = same name
duplicate-reason-similar-name = similar name
duplicate-reason-same-company = same company
duplicate-reason-same-address = same address
duplicate-reason-same-city = same city
error-import-bad-encoding = Contains bytes that are not valid text in the file's encoding; save the file again as UTF-8.
# Variables:
#   $path (String) - the path given
error-path-is-book = “{ $path }” is the customer book itself or one of its files; choose another file.
# Put where a text too long for an Excel cell was cut.
# Variables:
#   $chars (Number) - how many characters are left out
export-cut-marker = …[{ $chars } more characters cut: the CSV and JSON exports keep the whole text]
# Variables:
#   $row (Number) - the row in the exported file
#   $name (String) - the customer's name
#   $column (String) - the exported column
#   $chars (Number) - how many characters are left out
export-warning-cut = Row { $row } ({ $name }), { $column }: too long for an Excel cell, so { $chars } characters were cut. The CSV and JSON exports keep the whole text.
# Variables:
#   $row (Number) - the row in the exported file
#   $name (String) - the customer's name
#   $column (String) - the exported column
export-warning-not-in-gbk = Row { $row } ({ $name }), { $column }: has characters GBK lacks, written as &#…; codes. Export as CSV (GB18030) to keep them.
# Variables:
#   $min (Number) - the fewest characters allowed
error-passphrase-short = A passphrase needs at least { $min } characters.
# Variables:
#   $row (Number) - the row of the source file the reader was at
error-import-reader-failed = The file could not be read at row { $row } (that part of it is damaged). Nothing was imported.

## Signing in, users and roles.

error-sign-in-failed = Wrong login, password or authenticator code.
# Variables:
#   $until (String) - the local time the account opens again
error-locked = Too many failed sign-ins: this account is locked on this computer until { $until }. An admin can unlock it sooner.
error-mfa-required = This account also needs the 6-digit code from its authenticator app (or a recovery code).
error-mfa-replayed = That code was already used. Wait for the next code in your authenticator app.
# Variables:
#   $minutes (Number) - how far off the clock is, in minutes
error-clock-off = That code is right for a time { $minutes } minutes away: this computer's clock (or the phone's) is off. Correct the clock and try again.
error-user-disabled = This account is disabled. Ask an admin to enable it.
error-mfa-setup-required = Your role requires an authenticator app. Set one up before anything else: banyan mfa enroll (or sign in to the desktop app, which walks you through it).
error-mfa-keep-required = Your role requires an authenticator app, so you cannot remove yours. An admin can reset it if you lost your phone.
error-no-users = This book has no users yet. Create the first admin first: banyan user add LOGIN --name NAME --role admin (the password from BANYAN_NEW_PASSWORD or standard input).
error-sign-in-needed = Sign in first: set BANYAN_USER and BANYAN_PASSWORD (and BANYAN_TOTP when the account uses an authenticator app).
# Variables:
#   $what (String) - what was refused: an action or a field
error-forbidden = You are not allowed to { $what }.
error-export-cap = This export has { $count } customers; your role may export at most { $cap } at once. Narrow the search first.
error-field-not-allowed = Your role may not change { $field }; nothing was saved.
error-not-allowed = You are not allowed to { $action } { $entity }.
grant-action-read = see
grant-action-create = add
grant-action-update = change
grant-action-delete = delete
grant-action-import = import
grant-action-export = export
grant-action-merge = merge
grant-entity-customer = customers
grant-entity-contact = contacts
grant-entity-activity = activities
grant-entity-product = products
grant-entity-order = orders
grant-entity-settings = settings
grant-entity-users = users
grant-entity-audit = the audit trail
grant-entity-privacy = privacy records
error-login = A login is 1 to 64 letters, digits, dots, dashes, underscores or @, with no spaces.
error-login-taken = A user with this login already exists.
# Variables:
#   $value (String) - the role typed
error-role-unknown = “{ $value }” is not a role of this book ({ $roles }).
# Variables:
#   $value (String) - the field named
#   $fields (String) - the fields a rule can name
error-role-field-unknown = A role's rule cannot name “{ $value }”: the fields with rules are { $fields }.
error-shared-desktop = This desktop is shared: its book opens only when a user signs in (BANYAN_USER and BANYAN_PASSWORD for the command line). A book passphrase, the keyring or a service token cannot open it.
error-sharing-unfinished = This desktop was being made shared when Banyan stopped, before the book was re-encrypted: nothing changed. Open the book as before (its passphrase or this computer's keyring) and make it shared again.
error-role-taken = There is already a role “{ $value }”.
error-role-name = A role’s name has 1–40 lowercase letters, digits, “-” or “_”, starting with a letter.
error-role-built-in = “{ $value }” is a built-in role and cannot be changed; copy it into a new role with `role add NAME --from { $value }`.
error-grant-beyond-own = You cannot hand out more than your own roles allow.
# Variables:
#   $value (String) - the owner as typed
error-owner-unknown = No user of this book is “{ $value }”: type a user’s login or name.
error-owner-out-of-reach = “{ $value }” is outside your customers: you may give a customer only to yourself or, if your role allows, to your team.
error-owner-required = Choose an owner: a customer with none is outside your customers.
error-import-match-out-of-reach = This row matches a customer that is not yours to change; nothing was imported from it.
error-first-user-admin = The first user of a book must have the admin role.
error-last-admin = This is the last active admin: make another user an admin first.
error-mfa-not-pending = Start the enrolment first (banyan mfa enroll), then confirm it with a code.
error-mfa-code = That is not the code the authenticator app shows now. Check the app and the clock, and try again.
forbidden-manage-users = manage users
forbidden-other-password = change another user's password
entity-user = user
entity-role = role
field-login = Login
field-roles = Role
field-team = Team
field-password = Password
field-code = Authenticator code
# Variables:
#   $value (String) - what was typed
error-revert-change = “{ $value }” names no change: give it as DESKTOP:NUMBER, as `banyan history` lists it.
error-revert-desktop = No desktop of this book has an id starting with “{ $value }” (or more than one has).
entity-change = change
entity-conflict = sync conflict
error-history-altered = The audit trail shows that history was altered ({ $count } chains not intact).
error-peer-altered = Changes from desktop { $device } were refused: one of them is not what that desktop's audit trail says (altered or forged). Nothing of them was saved.
error-peer-ahead-of-us = Changes from desktop { $device } were refused: it holds changes of this desktop that this desktop does not have. This book was restored from a backup or copied; it takes a new identity before it syncs.
error-peer-two-contents = Changes from desktop { $device } were refused: one of its changes arrived twice with different contents. Nothing of them was saved.
error-pairing-failed = Pairing failed: the code was wrong or has expired, or the connection is not the one the other desktop shows. Ask for a new code.
error-pairing-code = A pairing code is 6 digits, as the inviting desktop shows it.
error-invite-expired = Nobody typed the code within 5 minutes; the invitation has ended.
error-sync-no-peer = No desktop or hub of this book answered on this network, and this desktop has not synced with any desktop yet: give the address of one (HOST:PORT).
error-invite-cancelled = The invitation was cancelled.
error-invite-paused = Three codes typed here were wrong within 10 minutes: someone may be guessing. Invitations pause for { $minutes } more minutes.
error-sync-removed = This desktop was removed from the book; it no longer syncs with its desktops.
error-sync-network = The other desktop could not be reached or the connection broke: { $detail }
error-sync-peer-refused = The other desktop refused: { $reason }
error-sync-address = "{ $value }" is not an address to sync with: give HOST:PORT as the other desktop shows it.
error-sync-update-peer = Update Banyan on { $desktop }: it is too old to sync with this desktop.
error-sync-update-here = Update Banyan on this desktop: { $desktop } is too new to sync with it.
error-sync-other-book = { $desktop } holds another book.
error-sync-stale-copy = { $desktop } holds more of this desktop's changes than this book does: this book is a copy, or was restored outside Banyan. Give it a new identity (Sync → New identity, or `banyan sync new-identity`), then sync: its own later changes come back.
error-sync-diverged-copy = { $desktop } holds other changes under this desktop's identity: this book was copied, and it and the desktop it came from were both used. Give this one a new identity (Sync → New identity, or `banyan sync new-identity`), then sync: the changes made here are kept and sent under it, and the other desktop's come in.
error-sync-clocks = The clocks of this desktop and { $desktop } are { $minutes } minutes apart: set both right, then sync.
error-device-id = Not a desktop id.
error-signing-key = Not a desktop's signing key.
error-revoke-self = A desktop cannot remove itself; remove it from another desktop.
error-serve-what = Say what to serve: --sync.
error-peer-malformed = Changes from desktop { $device } were refused: they are malformed. Nothing of them was saved.
error-peer-forged = Changes from desktop { $device } were refused: one of them is not signed by the desktop it says made it (forged or altered on the way). Nothing of them was saved.
error-peer-not-member = Changes from desktop { $device } were refused: that desktop is not a member of this book. Nothing of them was saved.
error-conflict-keep = Keep one of the values this conflict has: { $values }.
error-conflict-duplicate = Two records have { $value }: change one of them to settle it.
error-checkpoints-file = The checkpoints file { $path } cannot be read: { $detail }
consent-given = given
consent-withdrawn = withdrawn
error-consent-purpose = “{ $value }” is not a purpose: use marketing, service, analytics, transfer or your own word (lowercase letters, digits and dashes, at most 40).
error-consent-channel = “{ $value }” is not a way to give consent; use one of { $channels }.
error-consent-notice = The notice version is too long (at most 40 characters).
error-consent-at = “{ $value }” is not a date (YYYY-MM-DD, optionally HH:MM) that has already come.
error-erasure-reason = Say why the person is erased (the request it answers): the reason is kept with the erasure.
privacy-notice =
    Privacy notice (version { $version })
    We keep your name, contact details, the notes of our conversations and your orders to serve you as our customer. They are stored encrypted on our staff's computers and our office server, and are not sent abroad or to third parties without your separate consent. You may ask at any time to see everything we hold about you, to correct it, to withdraw a consent, or to have it erased; we answer within 15 working days. Contact our privacy officer.
error-not-service-account = { $value } is a person's account, not a service account: only service accounts have tokens.
error-service-account-password = A service account has no password: it signs in with its token (banyan user token LOGIN makes a new one).

## Backups and restores
error-backup-wrong-passphrase = The backup passphrase is wrong: it does not open this backup's key.
error-backup-wrong-recovery-key = This recovery key is not the one this backup's key was sealed to.
error-backup-recovery-key = The recovery key is not a valid key (64 hexadecimal characters, or the file `banyan backup recovery-key new` wrote).
error-backup-key-needed = This backup was made under another key: give its backup passphrase (BANYAN_BACKUP_PASSPHRASE) or the company's recovery key (--recovery-key).
error-backup-no-passphrase-wrap = This backup's key was not sealed under a backup passphrase: use the company's recovery key (--recovery-key).
error-backup-no-recovery-wrap = This backup's key was not sealed to a recovery key: use its backup passphrase.
error-backup-no-wrap = No backup made: set a backup passphrase (`banyan backup passphrase`) or the company's recovery key first, so the backup can be opened without this desktop.
error-backup-passphrase-stale = No backup made: the book's key changed since the backup passphrase was set. Set the backup passphrase again.
error-backup-other-book = This backup is of another book, not of the one open here. Nothing was changed.
error-backup-missing = The backup { $file } is not there.
error-backup-no-manifest = The backup { $file } has no manifest beside it, so it cannot be checked or restored.
error-backup-manifest-altered = The backup's manifest was altered (its signature does not match): the backup cannot be trusted.
error-backup-truncated = The backup file is truncated: it is shorter than its manifest says.
error-backup-damaged = The backup file is damaged: its contents do not match the hash in its manifest.
error-backup-unsound = The backup failed its full check: { $detail }
error-backup-newer-format = This backup was made by a newer version of Banyan. Update Banyan to use it.
error-backup-target-missing = The backup folder { $folder } is not available (a drive unplugged, or a share offline). Connect it, or choose another folder.
error-backup-target-full = The backup folder { $folder } is full. Free space there, or choose another folder.
error-backup-target-failed = Writing to the backup folder { $folder } failed: { $detail }
error-backup-target-readback = The backup written to { $folder } did not read back the same, and was removed. The drive or share may be failing.
error-backup-book-disk-full = Not enough free space on the book's disk: { $need } MB needed, { $free } MB free.
error-backup-none = No backup of this book was found in the backup folder.
error-backup-nothing-to-undo = There is no restore to undo.
error-rewind-time = “{ $value }” is not a moment to rewind to: type a date and time such as 2026-12-07 14:59.
error-policy-file = { $count } of this file's policies would be ignored (listed above).
error-policy-managed = Managed by your organization: policy { $policy } sets this.
error-policy-turned-off = Turned off by your organization (policy { $policy }).
#   $policy (String) - the policy's name
#   $path (String) - the folder it names
error-policy-folder-relative = Your organization's policy { $policy } names the folder { $path }, which is not an absolute path. Banyan keeps the book nowhere else: ask your IT department to correct the policy.
#   $policy (String) - the policy's name
#   $path (String) - the folder it names
error-policy-folder-network = Your organization's policy { $policy } names the folder { $path }, which is on a network drive, where the book could be damaged. Banyan keeps the book nowhere else: ask your IT department to correct the policy.
#   $policy (String) - the policy's name
#   $path (String) - the folder it names
error-policy-folder-unwritable = Your organization's policy { $policy } names the folder { $path }, which cannot be made or written. Banyan keeps the book nowhere else: ask your IT department to correct the policy.
#   $policy (String) - the policy's name
#   $path (String) - the folder it names
#   $named (String) - the book asked for (--db, BANYAN_DB)
error-policy-folder-elsewhere = Your organization's policy { $policy } keeps the customer book in { $path }; { $named } is outside that folder, so Banyan does not open it.
#   $policy (String) - the policy's name
#   $path (String) - the data folder beside the program
error-policy-portable-off = This Banyan is portable (it keeps everything in { $path }), and your organization's policy { $policy } turns portable mode off. Use the installed Banyan instead, or ask your IT department.
#   $policy (String) - the policy's name
error-policy-key-passphrase = Your organization requires a passphrase for customer books on this computer (policy { $policy }): the key cannot be kept in the keyring. Choose a passphrase.
#   $policy (String) - the policy's name
error-policy-key-keyring = Your organization requires new customer books on this computer to keep their key in the keyring (policy { $policy }).
error-portable-key-passphrase = A portable Banyan keeps the customer book's key behind a passphrase: this computer's keyring does not travel with it. Choose a passphrase.
#   $policy (String) - the policy's name
error-policy-passphrase-to-set = Your organization now requires a passphrase for this customer book (policy { $policy }), and its key is in this computer's keyring. Choose a passphrase (BANYAN_PASSPHRASE for the command line): the book opens once its key is behind it, and the keyring no longer holds it.
error-portable-passphrase-to-set = This portable Banyan's book keeps its key in a computer's keyring, which does not travel with it. Choose a passphrase (BANYAN_PASSPHRASE for the command line): the book opens once its key is behind it.
error-rewind-user = No user is called “{ $value }”: give a login or a full name.
error-restore-confirm = A restore replaces the book: run it again with --yes (or --dry-run to see what it would do).
error-book-in-use = The book is open in another Banyan window or command. Close it and try again. Nothing was changed.
error-backup-keep-nothing = Keeping no backups at all is not a choice: keep at least one day, week or month.

## Health
health-no-backup = This book has never been backed up on this desktop.
health-backup-old = The last backup is { $hours } hours old.
health-backup-missing = The last backup is no longer in the backup folder, or it is damaged.
health-check-failed = The last integrity check of the book found problems: restore the latest verified backup.
health-book-disk-low = The book's disk has less free space than the book itself takes: a backup cannot be made there.
error-backup-max-age = The warning needs at least one hour.
error-backup-schedule = “{ $value }” is not a time of day: use HH:MM, for example 12:30.
health-backup-failing = The scheduled backup is failing: { $error }
