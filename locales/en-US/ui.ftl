# The desktop app's screens (formatted by the UI with @fluent/bundle).

app-title = Banyan CRM
app-loading = Opening…
app-closing = Stopping the running task before closing: an import is taken back whole. The window closes in a moment.
# Variables:
#   $done (Number) - history entries updated so far
#   $total (Number) - history entries to update
app-updating-book = Updating this book to the new version (a snapshot of it was saved first): { $done } of { $total } history entries
# Variables:
#   $done (Number) - customers indexed so far
#   $total (Number) - customers to index
app-reindexing = Building the search index for the new version: { $done } of { $total } customers
# Variables:
#   $path (String) - where the snapshot of the old book is
app-book-updated = This book was updated to the new version. A snapshot of it as it was is kept at { $path }.
app-book-updated-ok = OK
nav-label = Main
nav-customers = Customers
nav-orders = Orders
nav-products = Products
nav-settings = Settings
lang-en-US = English
lang-zh-CN = 简体中文

common-hidden = hidden
common-save = Save
common-cancel = Cancel
common-close = Close
common-edit = Edit
common-delete = Delete
common-remove = Remove

## Customers

customers-search-placeholder = Search name, pinyin, phone, email, company…
customers-search-label = Search customers
customers-new = New customer
customers-filter-all-kinds = All types
customers-sort = Sort by
customers-sort-name = Name
customers-sort-updated = Recently changed
customers-sort-created = Newest
# Variables:
#   $count (Number) - how many customers
#   $shown (String) - the same number, formatted for the locale
customers-total =
    { $count ->
        [one] { $shown } customer
       *[other] { $shown } customers
    }
# Variables:
#   $count (Number) - how many matches
#   $shown (String) - the same number, formatted for the locale
customers-results =
    { $count ->
        [0] No matches
        [one] { $shown } match
       *[other] { $shown } matches
    }
customers-list-label = Customers
customers-empty-title = No customers yet
customers-empty-hint = Add your first customer, or import a spreadsheet.
customers-no-results-title = Nothing found
customers-no-results-hint = Try part of the name, its pinyin or initials, the last digits of a phone number, or an email.
customers-pick-one = Select a customer to see the record.
search-tier-exact = exact
search-tier-prefix = name
search-tier-pinyin = pinyin
search-tier-substring = contains
search-tier-fuzzy = similar
search-field-name = name
search-field-company = company
search-field-contacts = contact
search-field-emails = email
search-field-phones = phone
search-field-city = city
search-field-tags = tag
search-field-notes = note

## Customer record

# Variables:
#   $date (String) - creation date, formatted
record-created = Added { $date }
record-new-order = New order
record-contacts = Contacts
record-add-contact = Add contact
record-no-contacts = No contacts yet.
record-orders = Orders
record-no-orders = No orders yet.
record-activities = Activity
record-add-activity = Add
record-activity-placeholder = What happened? (call notes, visit summary…)
record-no-activities = Nothing recorded yet.
# Variables:
#   $name (String) - customer name
record-delete-title = Delete { $name }?
record-delete-body = The customer disappears from lists and searches. Orders stay, and the record is kept in the history.
activity-call = Call
activity-visit = Visit
activity-email = Email
activity-note = Note

## Customer form

form-new-title = New customer
form-edit-title = Edit customer
form-company-name = Company name
form-phone-placeholder = e.g. 138 1234 5678 or +44 20 7946 0958
form-add-phone = + Add phone
form-add-email = + Add email
form-tags-placeholder = Separate tags with commas
# Variables:
#   $count (Number) - existing customers with the same phone or email
form-duplicate-owned-by = one owned by { $owner }
form-duplicate-elsewhere = one outside your customers
form-owner-placeholder = You, unless you choose someone
form-duplicate-warning =
    { $count ->
        [one] A customer with the same phone or email already exists:
       *[other] { $count } customers with the same phone or email already exist:
    }
form-unsaved-title = Discard your changes?
form-unsaved-body = This customer has changes that are not saved.
form-discard = Discard

## Orders

orders-title = Orders
orders-new = New order
orders-all-statuses = All statuses
orders-from = From
orders-to = To
orders-col-number = Number
orders-col-customer = Customer
orders-col-status = Status
orders-col-created = Created
orders-col-total = Total
orders-empty-title = No orders
orders-empty-hint = Orders you create appear here. Change the filters to see others.
orders-pick-one = Select an order, or create a new one.
# Variables:
#   $count (Number) - orders the filter finds
#   $totals (String) - the booked orders' totals, one per currency, formatted and joined
#   $excluded (Number) - drafts and cancelled orders among them, which no total counts
orders-summary-hidden =
    { $count ->
        [one] 1 order (amounts hidden for your role)
       *[other] { $count } orders (amounts hidden for your role)
    }
orders-summary-totals =
    { $count ->
        [one] { $count } order
       *[other] { $count } orders
    }: { $totals }{ $excluded ->
        [0] {""}
       *[other] {" "}(drafts and cancelled not counted: { $excluded })
    }
# Variables:
#   $shown (Number) - orders listed
#   $count (Number) - orders the filter finds
orders-showing = Showing the newest { $shown } of { $count }; narrow the filter to see the others.
order-new-title = New order
# Variables:
#   $number (String) - order number
order-title = Order { $number }
order-customer-placeholder = Find the customer by name, pinyin or phone…
order-pick-customer = Choose a customer for this order.
order-change-customer = Change
order-lines = Lines
order-col-product = Product
order-col-price = Unit price
order-col-amount = Amount
order-pick-product = Choose a product…
order-add-line = + Add line
order-subtotal = Subtotal
order-discount = Discount
order-tax = Tax
order-total = Total
# Variables:
#   $rates (String) - the tax rates applied, e.g. "13 %, 6 %"
order-tax-note = Tax at { $rates }, on the amount after discount; each line rounded to the cent.
order-create = Create draft
order-save = Save draft
order-action-confirmed = Confirm order
order-action-fulfilled = Mark fulfilled
order-action-paid = Mark paid
order-action-cancelled = Cancel order

## Products

products-title = Products
products-new = New product
products-show-inactive = Show discontinued
products-active = On sale
products-inactive = discontinued
products-empty = No products yet.

## First run and unlock

firstrun-title = Welcome to Banyan
firstrun-intro = Your customer book stays on this computer, encrypted. Choose how its key is protected.
firstrun-key-title = Protect the data with
firstrun-keyring = This computer's keyring
firstrun-keyring-hint = Opens automatically when you log in to this computer.
firstrun-passphrase = A passphrase
firstrun-passphrase-hint = Asked each time Banyan opens. Without it, the data cannot be recovered.
firstrun-passphrase-label = Passphrase
firstrun-confirm-label = Repeat the passphrase
firstrun-passphrase-mismatch = The two passphrases differ.
firstrun-demo = Add demo customers, products and orders to try things out
firstrun-create = Create my customer book
firstrun-creating = Creating…
unlock-title = Unlock your customer book
unlock-intro = This customer book is protected by a passphrase.
unlock-keyring-missing = The key for this customer book is not in this computer's keyring. Enter its passphrase if it has one.
unlock-submit = Unlock
unlock-set-title = Choose a passphrase
#   $policy (String) - the policy's name
unlock-set-policy = Your organization requires a passphrase for this customer book (policy { $policy }). Its key is in this computer's keyring: choose a passphrase, and the book opens once its key is behind it. You will type it each time Banyan opens.
unlock-set-portable = This portable Banyan keeps the customer book's key behind a passphrase, not in a computer's keyring. Choose one: you will type it each time Banyan opens.
unlock-set-submit = Set the passphrase and open
firstrun-key-portable = A portable Banyan keeps the key behind a passphrase.

## Settings

settings-title = Settings
settings-language = Language
settings-book = Customer book
settings-saved = Saved.
settings-security = Security
settings-db-path = Database file
settings-key-shared = Each user's password (shared computer)
settings-key-mode = Key protected by

## Import, export and duplicates

nav-data = Import & export
data-title = Import, export & duplicates
data-tab-import = Import
data-tab-export = Export
data-tab-duplicates = Duplicates
data-tab-history = Import history
import-file-types = Customer files
import-path-placeholder = Path of a CSV, Excel, WPS, ODS, JSON, XML or vCard file
import-browse = Browse…
import-read = Read file
# Variables:
#   $format (String) - the file format, e.g. XLSX
import-format = Format: { $format }
# Variables:
#   $encoding (String) - the detected text encoding, e.g. GB18030 (GBK)
import-encoding = Encoding: { $encoding }
# Variables:
#   $delimiter (String) - the detected column separator
import-delimiter = Separator: { $delimiter }
import-delimiter-tab = Tab
# Variables:
#   $row (Number) - the row holding the column names
import-header-row = Column names in row { $row }
import-sheet = Sheet
import-on-duplicate = When a row is already in the book
import-dup-skip = Skip it
import-dup-update = Fill in empty fields
import-dup-overwrite = Overwrite with the file's values
import-dup-create = Add it anyway
import-mode = Rows with problems
import-mode-valid = Import the others, report these
import-mode-all = Import nothing (all or nothing)
import-saved-mappings = Saved column mappings
import-saved-pick = Use a saved mapping…
import-saved-none = None saved yet
import-save-mapping = Save this mapping as
import-save-mapping-placeholder = e.g. Trade fair list
# Variables:
#   $name (String) - the mapping's name
import-mapping-saved = Saved the mapping “{ $name }”.
# Variables:
#   $scanned (Number) - rows looked at
#   $problems (Number) - rows with problems
#   $duplicates (Number) - rows already in the book
import-preview-summary = First { $scanned } rows checked: { $problems } with problems, { $duplicates } already in the book.
import-problems-only = Only rows with problems
import-run = Import
# Variables:
#   $percent (Number) - how far, 0 to 100
import-running = Importing… { $percent }%
# Variables:
#   $percent (Number) - how far, 0 to 100
export-running = Exporting… { $percent }%
# Variables:
#   $percent (Number) - how far, 0 to 100
undo-running = Undoing the import… { $percent }%
import-duplicate = in book
# Variables:
#   $name (String) - the existing customer's name
import-duplicate-of = Already in the book as { $name }
import-done = Import finished
import-done-rolled-back = Nothing was imported
# Variables:
#   $read (Number) - rows read
#   $created (Number) - created
#   $updated (Number) - updated
#   $skipped (Number) - skipped duplicates
#   $failed (Number) - rows refused whole (a bad value alone is left out and reported)
import-tally = { $read } rows: { $created } created, { $updated } updated, { $skipped } skipped, { $failed } refused
# Variables:
#   $path (String) - the file with the rejected rows
import-rejects-file = Rows with problems were saved to { $path } with a column saying what to fix. Fix them and import that file.
import-undo = Undo this import
# Variables:
#   $removed (Number) - customers removed
#   $restored (Number) - fields restored
#   $kept (Number) - fields kept because they were changed since
import-undone = Undone: { $removed } customers removed, { $restored } fields restored, { $kept } kept because they were edited after the import.
import-target-ignore = — not imported —
import-target-name = Name
import-target-familyName = Family name
import-target-givenName = Given name
import-target-kind = Type (person/company)
import-target-company = Company
import-target-phone = Phone
import-target-email = Email
import-target-address = Address
import-target-city = City
import-target-country = Country
import-target-tags = Tags
import-target-owner = Owner
import-target-source = Source
import-target-notes = Notes
import-target-id = Banyan ID
import-target-contact = Contact person
import-target-title = Job title
import-target-mobile = Mobile phone
import-target-street = Street (part of the address)
import-target-district = District (part of the address)
import-target-state = State / province (part of the address)
import-target-postcode = Postcode (part of the address)
import-target-noteLine = Keep in the notes (“Column: value”)
# Variables:
#   $label (String) - the custom field's name
import-target-custom = Custom: { $label }
export-format = Format
export-format-xlsx = Excel workbook (.xlsx)
export-format-csvExcel = CSV for Excel (UTF-8 with BOM)
export-format-csv = CSV (UTF-8)
export-format-csvGbk = CSV (GBK, older Chinese Excel/WPS)
export-format-csvGb18030 = CSV (GB18030, every character; reads as GBK)
# Variables:
#   $count (Number) - warnings not shown
export-more-warnings = … and { $count } more rows like these.
export-format-json = JSON
export-format-xml = XML
export-format-vcard = vCard 4.0 (.vcf)
export-scope = Which customers
export-scope-placeholder = Everyone, or only those a search finds (type a search)
export-path = Save to
export-clear-text = Exported files are not encrypted. Anyone who gets the file can read it: keep it somewhere safe and delete it when done.
export-run = Export
# Variables:
#   $count (Number) - customers exported
#   $path (String) - the file written
export-done = Exported { $count } customers to { $path }.
duplicates-refresh = Search again
# Variables:
#   $count (Number) - pairs found
duplicates-count =
    { $count ->
        [one] { $count } pair of customers may be the same
       *[other] { $count } pairs of customers may be the same
    }
duplicates-score = Likeness
duplicates-customer = Customer
duplicates-why = Why
duplicates-merge = Merge…
duplicates-none = No likely duplicates.
# Variables:
#   $name (String) - the customer kept
duplicates-merged = Merged into { $name }.
merge-title = Merge two customers
merge-help = Pick which value to keep for each field. Phones, emails and tags are combined unless you pick one side.
merge-field = Field
merge-keep = Keep
merge-moves = Contacts, activities and orders of the second customer move to the first; the second is then deleted. The merge is recorded in the history.
merge-run = Merge
history-when = Started
history-file = File
history-status = Status
history-counts = Result
history-empty = No imports yet.

## Signing in and locking.

signin-title = Sign in to Banyan
signin-intro = Sign in with your Banyan login.
signin-idle = Banyan locked itself after a while without use. Sign in again to go on.
signin-screen-locked = Banyan locked itself when this computer's screen locked. Sign in again to go on.
signin-shared = This computer is shared: the customer book opens only while someone is signed in, and closes when Banyan locks.
signin-sleep = Banyan locked itself when this computer went to sleep. Sign in again to go on.
signin-login = Login
signin-password = Password
signin-code = Authenticator code
signin-code-hint = The 6-digit code from your authenticator app, or one of your recovery codes.
signin-submit = Sign in
firstadmin-title = Create the first admin
firstadmin-intro = This customer book has no users yet. Everyone signs in to Banyan; the first user manages the others and must be an admin.
firstadmin-name = Full name
firstadmin-confirm = Repeat the password
firstadmin-mismatch = The two passwords differ.
firstadmin-password-hint = At least 10 characters, and not one of the most common passwords.
firstadmin-submit = Create the admin and sign in
app-lock = Lock
# Variables:
#   $name (String) - the signed-in user's name
app-signed-in-as = Signed in as { $name }
# Variables:
#   $minutes (Number) - minutes without input before Banyan locks
settings-idle-lock = Banyan locks itself after { $minutes } minutes without input in its windows, when this computer's screen locks or it goes to sleep, and from the menu (Lock).
settings-idle-choose = Lock after
# Variables:
#   $minutes (Number) - minutes without input
settings-idle-minutes = { $minutes ->
    [one] 1 minute without input
   *[other] { $minutes } minutes without input
}
# Variables:
#   $minutes (Number) - the policy's maximum
settings-idle-policy = Your company's policy allows at most { $minutes } minutes.
users-title = Users
users-add = Add user
users-added = Added { $name }. They sign in with the password you set.
users-first-password = First password (10 characters or more)
users-status = Status
users-active = Active
users-disabled = Disabled
users-mfa = authenticator
users-disable = Disable
users-enable = Enable
users-unlock = Unlock
users-disabled-note = { $name } can no longer sign in.
users-enabled-note = { $name } can sign in again.
users-unlocked-note = { $name }’s sign-in lockout on this computer is lifted.
mfa-title = Authenticator app
mfa-state-on = You sign in with a code from your authenticator app as well as your password.
mfa-state-off = You sign in with your password alone. An authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, ...) adds a 6-digit code that changes every 30 seconds.
mfa-set-up = Set up an authenticator app
mfa-set-up-again = Set up again on a new phone
mfa-remove = Remove
mfa-removed = Your authenticator is removed: you sign in with your password alone.
mfa-on-note = Your authenticator is on: Banyan asks for its code at every sign-in.
mfa-password-intro = Type your password once more: the app's secret is kept sealed under it.
mfa-begin = Continue
mfa-scan = Scan this code with your authenticator app, then type the 6-digit code it shows.
mfa-qr-alt = QR code for your authenticator app
mfa-type-instead = No camera? Type this key into the app instead (time-based, 6 digits, 30 seconds):
mfa-confirm = Turn it on
mfa-codes-intro = Keep these ten recovery codes somewhere safe (printed, or in a password manager). Each signs you in once if you lose your phone. They are shown only now.
mfa-saved-codes = I have saved them
mfa-required-title = Set up your authenticator app
# Variables:
#   $name (String) - the signed-in user's name
mfa-required-intro = { $name }, your role requires an authenticator app. Set one up now: Banyan opens your customers once it is on.
users-mfa-reset = Reset authenticator
# Variables:
#   $name (String) - the user's name
users-mfa-reset-note = { $name }’s authenticator is removed; if their role requires one, they set up a new one at their next sign-in.
roles-mfa-title = Roles that require an authenticator app
roles-mfa-intro = Users of a ticked role who have no authenticator set one up at their next sign-in, and can do nothing else until they have. Service accounts are not concerned.
# Variables:
#   $role (String) - the role's name
roles-mfa-on-note = Role { $role } now requires an authenticator app.
# Variables:
#   $role (String) - the role's name
roles-mfa-off-note = Role { $role } no longer requires an authenticator app.
audit-title = Audit trail
audit-intro = Every change and every sign-in is chained: each entry's digest links to the one before, and this desktop signs the chain every 1,000 entries and at close. Checking tells whether any entry was altered, removed or reordered since.
audit-verify = Check history
audit-checking = Checking…
audit-held-placeholder = Checkpoints file kept elsewhere (optional)
audit-intact = History intact: no entry was altered, removed or reordered.
audit-not-intact = History was altered: see where below.
audit-col-desktop = Desktop
audit-col-chain = Chain
audit-col-entries = Entries
audit-col-checkpoints = Checkpoints
audit-col-state = State
audit-col-who = Who
audit-col-event = Event
audit-col-detail = Detail
audit-this-desktop = this desktop
audit-chain-changes = changes
audit-chain-events = audit events
audit-chain-intact = intact
# Variables:
#   $seq (Number) - the entry's number
audit-problem-altered = altered at no. { $seq }: the entry is not what was recorded
# Variables:
#   $from (Number) - the first missing entry
#   $to (Number) - the last missing entry
audit-problem-missing = entries no. { $from } to { $to } are missing
# Variables:
#   $after (Number) - the last entry left
#   $checkpoint (Number) - the entry a checkpoint vouches for
audit-problem-truncated = truncated after no. { $after }: a checkpoint vouches for entries up to no. { $checkpoint }
# Variables:
#   $seq (Number) - the checkpoint's entry
audit-problem-rewritten = rewritten: the book's checkpoint at no. { $seq } does not match the history before it
# Variables:
#   $seq (Number) - the checkpoint's entry
audit-problem-rewritten-held = rewritten since the checkpoint kept elsewhere at no. { $seq }
# Variables:
#   $seq (Number) - the checkpoint's entry
audit-problem-bad-signature = the checkpoint at no. { $seq } is not signed with this desktop's key
# Variables:
#   $seq (Number) - the checkpoint's entry
audit-problem-key-replaced = the checkpoint kept elsewhere at no. { $seq } is signed with another key than the one the book now names
audit-no-held = Checked against the book's own checkpoints only: a rewrite that re-hashed and re-signed the whole history would not show. Save the checkpoints to a file kept away from this computer (a USB stick, the office share) and give it here next time.
audit-save-placeholder = Save checkpoints to (a file path)
audit-save = Save checkpoints
# Variables:
#   $count (Number) - how many checkpoints
#   $path (String) - the file
audit-saved = { $count } checkpoints written to { $path }. Keep the file away from this computer.
audit-events-title = Latest events
audit-event-sign-in = Signed in
audit-event-sign-in-failed = Sign-in refused
audit-event-locked = Account locked
audit-event-unlocked = Account unlocked
audit-event-mfa-enrolled = Authenticator set up
audit-event-mfa-disabled = Authenticator removed
audit-event-mfa-policy-changed = Authenticator policy changed
audit-event-password-changed = Password changed
audit-event-user-added = User added
audit-event-user-enabled = User enabled
audit-event-user-disabled = User disabled
audit-event-role-added = Role added
audit-event-grant-changed = Grants changed
audit-event-token-issued = Service token issued
audit-event-export = Export
audit-event-privacy-export = Personal data exported
audit-event-erasure = Person erased
audit-event-consent-given = Consent given
audit-event-consent-withdrawn = Consent withdrawn
audit-event-backup = Backup made
audit-event-restore = Book restored from a backup
audit-event-restore-undone = Restore taken back
# Variables:
#   $book (Number) - checkpoints in the book
#   $held (Number) - of those, also in the file kept elsewhere
audit-checkpoints-held = { $book } ({ $held } kept elsewhere)
users-service = Service account (a script's sign-in, with a token instead of a password)
users-service-account = service account
users-new-token = New token
# Variables:
#   $name (String) - the account's name
users-token-shown = Token for { $name }, shown only now: give it to the script as BANYAN_TOKEN. The book keeps only its hash.
users-token-saved = I have saved it
record-history = History
record-show-history = Show history
changes-when = When
changes-who = Who
changes-what = What
changes-change = Change
changes-deleted = { $value } (deleted)
changes-other-desktop = on desktop { $device }
changes-more = The newest { $shown } of { $count } changes; `banyan history` lists them all.
changes-entity-customer = Customer
changes-entity-contact = Contact
changes-entity-activity = Activity
changes-entity-order = Order
changes-entity-order-line = Order line
privacy-title = Privacy
privacy-purpose = Purpose
privacy-answer = Consent
privacy-channel = How
privacy-recorded-by = Recorded by
privacy-no-consents = No consent recorded yet.
privacy-given = given
privacy-withdrawn = withdrawn
privacy-purpose-marketing = Marketing
privacy-purpose-service = Service
privacy-purpose-analytics = Analytics
privacy-purpose-transfer = Transfer to others or abroad
privacy-channel-form = Form
privacy-channel-web = Web
privacy-channel-email = Email
privacy-channel-phone = Phone
privacy-channel-paper = Paper
privacy-channel-in-person = In person
privacy-record-given = Record consent given
privacy-record-withdrawn = Record consent withdrawn
privacy-export-folder = Folder for the export
privacy-export-placeholder = Folder for an access request, e.g. /home/me/requests/2026-12-04
privacy-export = Export this person's data
privacy-exported = { $count } files written to { $dir }.
privacy-erase-reason = Why they are erased (the request it answers)
privacy-erase-reason-needed = Say why the person is erased: the reason is kept with the erasure.
privacy-erase = Erase this person…
privacy-erase-title = Erase { $name } for good?
privacy-erase-body = Their record, contacts and activities are overwritten, their orders keep their amounts without notes, and the history keeps that changes happened without their values. This cannot be undone.
privacy-erase-confirm = Erase for good
shared-title = Shared computer
shared-intro = On a computer several people use, make the book open only while one of them is signed in: it is re-encrypted under a new key that only their passwords unlock (no keyring, no book passphrase), and it closes whenever Banyan locks.
shared-start = Make this a shared computer…
shared-password = Your password
shared-confirm = Re-encrypt and share
shared-done = This is now a shared computer: the book opens only when one of its users signs in.
# Variables:
#   $logins (String) - the users, comma-separated
shared-done-waiting = This is now a shared computer. These users cannot sign in here until you set their password (Users, below): { $logins }
password-title = Password
password-change = Change my password…
password-current = Current password
password-new = New password
password-changed = Your password was changed.
# Variables:
#   $name (String) - the user
users-password-set = Password set for { $name }.
users-no-key-slot = Cannot sign in on this computer until their password is set here.
users-set-password = Set password
# Variables:
#   $name (String) - the user
users-new-password = New password for { $name }
users-set-password-hint = Tell them the new password in person. Their authenticator app is removed (they set it up again at their next sign-in).
roles-title = Roles
roles-intro = What each role may do, per kind of record and action: over the user's own customers, their team's, or all. Built-in roles stay as they are; copy one into a new role to change it. Changes are saved at once and reach its users at their next sign-in; nobody grants more than they hold.
roles-role = Role
roles-built-in = built-in
# Variables:
#   $role (String) - the role it was copied from
roles-copy-of = copy of { $role }
roles-built-in-note = A built-in role cannot be changed: copy it into a new role.
roles-new-name = New role
roles-copy-from = Copied from
roles-add = Add role
# Variables:
#   $role (String) - the role
roles-added = Added role { $role }.
# Variables:
#   $role (String) - the role
roles-saved = Saved role { $role }; its users get the change at their next sign-in.
roles-scope-own = own
roles-scope-team = team
roles-scope-all = all
roles-fields = Fields
roles-field-order-total = Order totals
roles-field-order-lines-price = Prices on order lines
roles-field-order-lines-discount = Discounts on order lines
roles-field-product-price = Product prices
roles-field-customer-phones = Customers' phone numbers
roles-field-customer-emails = Customers' email addresses
roles-field-customer-address = Customers' addresses
roles-field-customer-tags = Customers' tags
roles-field-customer-source = Customers' sources
roles-field-customer-notes = Customers' notes
roles-field-custom = Custom field “{ $key }”
roles-access-hidden = hidden
roles-access-read = read only
roles-access-write = read and write
roles-no-cap = Exports: no row limit (set one with banyan role grant ROLE --export-cap N).
# Variables:
#   $cap (Number) - the most rows
roles-cap = Exports: at most { $cap } rows.

## Sync
nav-sync = Sync
sync-waiting = { $count ->
    [one] 1 decision waits for you
   *[other] { $count } decisions wait for you
}
sync-status-line = Synced with { $desktop } at { $time }
sync-title = Sync
sync-me = This desktop: { $name } · order code { $code }
sync-unnamed = not yet in a team
sync-now-title = Sync with a desktop or the office hub
sync-peer-placeholder = Address of a desktop or hub, e.g. office-hub:47615 (empty: find one on this network)
sync-running = Syncing…
sync-now = Sync now
sync-round = With { $desktop }: sent { $sent } · received { $received } · { $conflicts ->
    [one] 1 needs a decision
   *[other] { $conflicts } need a decision
}
sync-inbox-title = Decisions ({ $count })
sync-inbox-empty = Nothing waits for a decision: every desktop's changes fitted together.
sync-empty = (empty)
sync-shown = shown now
sync-side-by = { $user } on { $desktop }, { $when }
sync-keep = Keep this
sync-duplicate-hint = Change one of them (products or custom fields) so that each is unique; the decision then goes away on every desktop.
sync-conflict-sku = SKU { $sku } was given to two products on two desktops
sync-conflict-key = The custom field key { $key } was made on two desktops
sync-conflict-field = { $row }: { $field } was changed on two desktops
sync-settled = Kept “{ $value }”; every desktop shows it after its next sync.
sync-desktops-title = The book's desktops
sync-invite = Invite a desktop…
sync-joined = { $desktop } joined the book.
sync-invite-intro = On the new desktop, choose “Join your team's book” and type:
sync-invite-address = Address:
sync-invite-left = The code works for { $time } more, once.
sync-col-desktop = Desktop
sync-col-code = Order code
sync-col-state = Last seen
sync-col-address = Address
sync-this-desktop = this desktop
sync-state-removed = removed
sync-last-seen = { $when }
sync-never-seen = not yet synced with this desktop
sync-new-identity = New identity
sync-new-identity-title = Give this desktop a new identity?
sync-new-identity-body = For a book copied from another desktop's, or restored outside Banyan, when sync says so. This desktop gets a new id and order code, which its former identity vouches for, so the book's desktops accept it without pairing again. Changes made here that the other desktop never had are kept and sent under the new identity at the next sync.
sync-new-identity-done = This desktop has a new identity (order code { $code }). Sync now: its peers accept it, and what each side lacks moves.
sync-remove = Remove
sync-remove-title = Remove { $desktop } from the book?
sync-remove-body = A lost or retired computer: no desktop of the book accepts it any more once the removal has reached it. Its copy of the book stays encrypted on its disk.
sync-removed = { $desktop } was removed from the book.
firstrun-mode-new = Start a new book
firstrun-mode-join = Join your team's book
firstrun-join-intro = Another desktop of your team (or the office hub) shows a 6-digit code under Sync → Invite a desktop. This desktop gets a copy of the team's book, encrypted under its own key; you then sign in with your account in that book.
firstrun-join-code = Code
firstrun-join-address = Address it shows
firstrun-join-name = This desktop's name (optional)
firstrun-join = Join the book
firstrun-join-preparing = The other desktop is copying the book… { $percent }%
firstrun-join-receiving = Receiving the book… { $percent }%
firstrun-join-checking = Checking the book and opening it…
firstrun-joining = Joining…
sync-live = Stay in sync with { $address }: changes go both ways as soon as they are saved, while someone is signed in here
sync-live-error = Not in sync right now: { $reason } Banyan tries again by itself.
sync-conflict-deleted = { $row } was deleted on one desktop and changed on another after it
sync-side-deleted = Deleted
sync-side-edited = Changed afterwards: { $fields }
sync-restore = Restore
sync-keep-deleted = Keep deleted
sync-conflict-merged = { $row } and another customer were merged into each other on two desktops: { $row } is kept, holding both
sync-merge-kept = kept, holding both
sync-merge-in = merged in
sync-merge-ok = OK
sync-merge-seen = Noted: { $row } stays, holding both (merge another duplicate into it as usual).
sync-restored = { $row } is restored, with the changes made after the deletion, on every desktop after its next sync.
sync-kept-deleted = { $row } stays deleted on every desktop after its next sync (the later changes are kept with it, should it be restored).

## Backups and health
app-health-open = Backups…
backup-title = Backups
backup-last = Last backup: { $when }
backup-never = Never backed up on this computer.
backup-schedule = Backs up by itself every day at { $at }
backup-folder = Backup folder (a second disk, a USB drive or a network share)
backup-folder-saved = Backups go to this folder from now on.
backup-same-disk = This folder is on the same disk as the book: a backup here protects from mistakes, not from the disk failing.
backup-passphrase = Backup passphrase
backup-passphrase-change = New backup passphrase
backup-passphrase-saved = Backup passphrase saved.
backup-passphrase-set = A backup passphrase is set: with it, a backup opens on any computer.
backup-passphrase-why = Set a backup passphrase: it is what opens a backup on another computer if this one is lost. Backups are not made without it (or the company's recovery key).
backup-now = Back up now
backup-running = Backing up…
backup-done = Backed up: { $customers } customers, { $mb } MB, read back and verified.
backup-when = Made
backup-desktop = Desktop
backup-size = Size
backup-customers = Customers
policy-managed = Managed by your organization: { $policies }
policy-turned-off = Turned off by your organization (policy { $policy }).
backup-snapshot = Before an update (version { $version })
restore-choose = Restore…
restore-title = Restore the backup of { $when }
restore-passphrase = Backup passphrase (this backup was made under another key)
restore-open = Open
restore-from = Made on desktop { $desktop }, book version { $schema }.
restore-migrates = It is updated to this version after it is restored.
restore-then = In the backup
restore-now = Now
restore-contacts = Contacts
restore-activities = Activities
restore-loses = { $count } changes made since the backup would be lost (by day and user):
restore-loses-nothing = Nothing made since the backup would be lost.
restore-kept = The book as it is now is kept beside it first, and the restore can be undone.
restore-confirm = Restore this backup
restore-running = Restoring…
restore-done = Restored the backup of { $when }. The book as it was is kept in { $snapshot }.
restore-undo = Undo the restore
restore-undone = The restore was undone: the book is as it was before it.
diagnostics-open = Save diagnostics…
diagnostics-log = Log: { $mb } MB in { $folder }
diagnostics-title = Save diagnostics for support
diagnostics-intro = A zip of these files, for support. It holds no customer data and no password or key; folders under your home show as ~.
diagnostics-kind-versions = Versions of Banyan, SQLite, SQLCipher, the WebView and the system
diagnostics-kind-settings = Backup settings, each with where it comes from
diagnostics-kind-health = Health: sizes, last backup, last check, free space
diagnostics-kind-backups = Backups in the folder and their state
diagnostics-kind-book = Key mode (never the key), schema, counts
diagnostics-kind-log = Where the log is, its size, the days included
diagnostics-kind-log-day = A day of the log (ids, counts, times, error codes)
diagnostics-kind-manifest = The list of files with their hashes
diagnostics-path = Save as
diagnostics-save = Save
diagnostics-saved = Saved { $count } files to { $path }.

## Settings: the policies IT set on this computer
policies-title = Set by your organization
policies-intro = These settings come from your organization's policies. Mandatory ones cannot be changed here; recommended ones apply until you change the setting.
policies-col-policy = Policy
policies-col-value = Value
policies-col-level = Level
policies-mandatory = Mandatory
policies-recommended = Recommended
policies-overridden = Recommended (a mandatory value applies)
policies-allowed = Allowed
policies-off = Turned off
policies-ignored = Ignored (ask your IT department to correct these)
#   $file (String) - the policy file's path
policies-file = Read from { $file }

## Updates (Settings' panel and the banner on the main screen)
update-title = Updates
update-none = Updates are off: your organization has not set up an update server for Banyan. Banyan connects to no update server.
update-mode-off = Banyan does not look for updates.
update-mode-notify = Banyan looks for a newer version at each start and once a day, and tells you.
update-mode-auto = Banyan looks for a newer version at each start and once a day, downloads and checks it, and installs it when you choose "Install and restart".
update-limited-no-address = (Your organization has set no update server.)
update-limited-portable = (A portable Banyan never updates itself.)
update-limited-installed-by-it = (Banyan was installed for this computer by your IT department, whose tools install updates.)
update-limited-unpackaged = (This copy of Banyan was not installed from a package.)
update-limited-no-signing-key = (This build has no key to check update packages with, so it installs none.)
#   $url (String) - the update server's address
update-server = Update server: { $url }
update-choose = Updates
update-check = Check now
update-checking = Checking…
#   $done (Number) - megabytes downloaded
#   $total (Number) - megabytes in all
update-downloading = Downloading… { $done } of { $total } MB
#   $version (String) - the new version
#   $current (String) - the version running
update-available = Banyan { $version } is available (you have { $current }).
update-available-it = Banyan { $version } is available (you have { $current }). Your IT department installs updates on this computer.
#   $version (String) - the new version
update-ready = Banyan { $version } is downloaded and checked: "Install and restart" installs it.
update-install = Install and restart
update-installing = Installing…
update-details = Details
#   $when (String) - date and time of the last check
update-latest = Banyan is up to date (checked { $when }).
#   $detail (String) - the technical detail, for IT
update-failed-network = The update server could not be reached: { $detail }
update-failed-manifest = The update server's answer is not an update Banyan can use: { $detail }
update-failed-signature = The update was refused: its package does not match its signature. Nothing was installed; tell your IT department. ({ $detail })
update-failed-install = The update could not be installed: { $detail }
update-failed-busy = Banyan will not restart while an import, undo or export is running. Try again when it has finished.
