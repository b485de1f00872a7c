# Messages of the `banyan` command-line tool.

# Variables:
#   $message (String) - the error
cli-error = Error: { $message }
# Variables:
#   $path (String) - database file
cli-init-done = Created an encrypted database at { $path }.
cli-key-in-keyring = Its key is kept in this computer's keyring.
cli-key-in-passphrase = Its key is protected by your passphrase. Keep the passphrase safe: without it the data cannot be recovered.
cli-stdin-empty = No passphrase was given on standard input.
# Variables:
#   $name (String) - customer name
#   $id (String) - customer id
cli-customer-added = Added customer { $name } ({ $id }).
# Variables:
#   $name (String) - customer name
cli-customer-updated = Updated customer { $name }.
# Variables:
#   $id (String) - customer id
cli-customer-deleted = Deleted customer { $id }. Its data is kept as a tombstone until every desktop has synced.
# Variables:
#   $count (Number) - how many customers are listed
cli-customer-count =
    { $count ->
        [one] { $count } customer
       *[other] { $count } customers
    }
cli-customer-deleted-mark = (deleted)
# Variables:
#   $name (String) - contact name
cli-contact-added = Added contact { $name }.
cli-activity-added = Added the activity to the timeline.
# Variables:
#   $key (String) - field key
cli-field-added = Added custom field “{ $key }”.
# Variables:
#   $sku (String) - product code
cli-product-saved = Saved product { $sku }.
cli-product-inactive = inactive
# Variables:
#   $count (Number) - how many products
cli-product-count =
    { $count ->
        [one] { $count } product
       *[other] { $count } products
    }
# Variables:
#   $number (String) - order number
cli-order-created = Created draft order { $number }.
# Variables:
#   $number (String) - order number
#   $status (String) - new status
cli-order-status-changed = Order { $number } is now { $status }.
# Variables:
#   $count (Number) - how many orders
cli-order-count =
    { $count ->
        [one] { $count } order
       *[other] { $count } orders
    }
cli-col-id = ID
cli-col-number = Number
cli-col-customer = Customer
cli-col-status = Status
cli-col-last-seen = Last synced
cli-col-total = Total
cli-col-sku = SKU
cli-col-product = Product
cli-col-qty = Qty
cli-col-price = Unit price
cli-col-discount = Discount
cli-col-tax = Tax
cli-col-amount = Amount
cli-col-created = Created
cli-label-contacts = Contacts
cli-label-activities = Activities
cli-label-orders = Orders
cli-label-subtotal = Subtotal
cli-label-discount = Discount
cli-label-net = Net
cli-label-tax = Tax
cli-label-total = Total
# Variables:
#   $customers (Number) - customers added
#   $products (Number) - products added
#   $orders (Number) - orders added
#   $contacts (Number) - contacts added
#   $activities (Number) - activities added
cli-demo-done = Added demo data: { $customers } customers, { $products } products, { $orders } orders, { $contacts } contacts, { $activities } activities.
cli-shared-done = This desktop is now shared: the book was re-encrypted under a new key that opens only when one of its users signs in; the keyring and any book passphrase no longer open it.
# Variables:
#   $logins (String) - the users, comma-separated
cli-shared-waiting = These users cannot sign in here until an admin sets their password (banyan user passwd LOGIN): { $logins }
cli-rekey-done = The database key was changed.
cli-rewrap-done = The key is now protected the new way; the data was not rewritten.
cli-new-passphrase-missing = Give the new passphrase in BANYAN_NEW_PASSPHRASE or as the second line of standard input.
# Variables:
#   $mb (String) - the file's size in MB
#   $free (String) - MB of pages no table uses
cli-space-total = The database file holds { $mb } MB ({ $free } MB of it free pages). Table or index, MB, share, entries:
cli-check-ok = The database is sound: every page decrypts and verifies, and the structure is intact.
# Variables:
#   $count (Number) - number of problems
cli-check-problems =
    { $count ->
        [one] The check found { $count } problem:
       *[other] The check found { $count } problems:
    }
# Variables:
#   $region (String) - phone region code
#   $currency (String) - currency code
cli-settings = Phone region: { $region }   Currency: { $currency }
cli-settings-saved = Settings saved.
cli-col-match = Match
cli-match-exact = exact name
cli-match-prefix = name starts with
cli-match-pinyin = pinyin
cli-match-substring = contains
cli-match-fuzzy = similar
cli-match-field-name = name
cli-match-field-company = company
cli-match-field-contacts = contact
cli-match-field-emails = email
cli-match-field-phones = phone
cli-match-field-city = city
cli-match-field-tags = tag
cli-match-field-notes = note
# Variables:
#   $done (Number) - customers indexed so far
#   $total (Number) - customers to index
cli-reindex-progress = Indexing customers: { $done } of { $total }
cli-migrate-progress = Updating the book to this version (a snapshot was saved first): { $done } of { $total } history entries
# Variables:
#   $count (Number) - customers indexed
cli-reindex-done =
    { $count ->
        [one] The search index was rebuilt: { $count } customer.
       *[other] The search index was rebuilt: { $count } customers.
    }

## import, export, duplicates

# Variables:
#   $value (String) - what the user typed
cli-export-format = “{ $value }” is not an export format; use csv, csv-excel, csv-gbk, csv-gb18030, xlsx, json, xml or vcf.
# Variables:
#   $detail (String) - what the JSON reader found
cli-mapping-file = The mapping file is not a valid mapping: { $detail }
# Variables:
#   $count (Number) - customers exported
#   $path (String) - the file written
cli-export-done = Exported { $count } customers to { $path }. The file is not encrypted: keep it safe.
# Variables:
#   $count (Number) - warnings not shown
cli-export-more-warnings = … and { $count } more rows like these.
# Variables:
#   $read (Number) - rows read
#   $created (Number) - customers created
#   $updated (Number) - customers updated
#   $skipped (Number) - duplicates left alone
#   $failed (Number) - rows refused whole
cli-import-tally = Read { $read } rows: { $created } created, { $updated } updated, { $skipped } duplicates skipped, { $failed } refused.
# Variables:
#   $read (Number) - rows read
#   $created (Number) - customers that would be created
#   $updated (Number) - customers that would be updated
#   $skipped (Number) - duplicates that would be left alone
#   $failed (Number) - rows refused whole
cli-import-tally-rolled-back = Nothing was written. Read { $read } rows: { $created } would be created, { $updated } updated, { $skipped } duplicates skipped, { $failed } refused.
# Variables:
#   $path (String) - the file with the rejected rows
cli-import-rejects = The rows with problems are in { $path }, with a column saying what to fix; fix them and import that file.
# Variables:
#   $batch (String) - the import's batch id
cli-import-batch = To take this import back: banyan import undo { $batch }
# Variables:
#   $removed (Number) - customers removed
#   $restored (Number) - fields given back their old values
#   $kept (Number) - fields left alone because they changed since
cli-undo-done = Import undone: { $removed } customers removed, { $restored } fields restored, { $kept } kept because they were changed after the import.
# Variables:
#   $name (String) - the customer's name
#   $field (String) - the field kept
cli-undo-kept = Kept { $name } › { $field }: changed after the import.
# Variables:
#   $created (Number) - created
#   $updated (Number) - updated
#   $skipped (Number) - skipped
#   $failed (Number) - failed
cli-import-counts = +{ $created } ~{ $updated } ={ $skipped } !{ $failed }
cli-col-batch = Batch
cli-col-rows = Rows
cli-col-score = Score
cli-col-reasons = Why
# Variables:
#   $count (Number) - pairs listed
cli-duplicate-count =
    { $count ->
        [one] { $count } likely duplicate pair.
       *[other] { $count } likely duplicate pairs.
    }

## Users and sign-in.

# Variables:
#   $login (String) - the user's login
#   $name (String) - the user's name
cli-user-added = Added user { $login } ({ $name }).
# Variables:
#   $login (String) - the user's login
#   $name (String) - the user's name
cli-user-disabled = Disabled { $login } ({ $name }): the account can no longer sign in.
# Variables:
#   $login (String) - the user's login
#   $name (String) - the user's name
cli-user-enabled = Enabled { $login } ({ $name }).
# Variables:
#   $login (String) - the user's login
cli-user-unlocked = Unlocked { $login } on this computer.
# Variables:
#   $login (String) - the user's login
#   $name (String) - the user's name
cli-user-password-changed = Changed the password of { $login } ({ $name }).
# Variables:
#   $login (String) - the user's login
#   $name (String) - the user's name
cli-mfa-disabled = Turned the authenticator off for { $login } ({ $name }).
# Variables:
#   $uri (String) - the otpauth link
#   $secret (String) - the secret in base32
cli-mfa-enrol =
    Add Banyan to your authenticator app: scan the QR code (--qr FILE writes it as an image) of
      { $uri }
    or type this key: { $secret }
    Then run `banyan mfa enroll --code CODE` with the code the app shows.
cli-mfa-on = The authenticator is on. Your recovery codes, each usable once if the phone is lost (they are shown only now; keep them somewhere safe):
cli-col-login = Login
cli-col-name = Name
cli-col-roles = Roles
cli-col-team = Team
cli-col-mfa = Authenticator
cli-col-role = Role
cli-col-based-on = Copied from
cli-col-grants = Grants
cli-col-entity = Entity
cli-col-actions = Actions
cli-col-scope = Over customers
cli-role-built-in = (built in)
cli-role-added = Added role { $name }.
cli-role-changed = Changed role { $name }; its users get the change at their next sign-in.
cli-role-export-cap = Export cap: { $cap } rows
cli-role-no-cap = none
# Variables:
#   $field (String) - the field
#   $access (String) - what the role may do with it
cli-role-field-rule = Field { $field }: { $access }
cli-field-access-hidden = hidden
cli-field-access-read = read only
cli-field-access-write = read and write
# Variables:
#   $value (String) - what was typed
cli-role-field = “{ $value }” is not a field rule: give FIELD=hidden, FIELD=read or FIELD=write, e.g. --field order.total=hidden.
cli-role-requires-mfa = Its users sign in with an authenticator app.
# Variables:
#   $name (String) - the role
cli-role-mfa-on = Role { $name } now requires an authenticator app: its users without one set one up at their next sign-in (banyan mfa enroll).
# Variables:
#   $name (String) - the role
cli-role-mfa-off = Role { $name } no longer requires an authenticator app.
cli-role-every-action = every action
cli-role-entity = “{ $value }” is not an entity: customer, contact, activity, product, order, settings, users, audit or privacy.
cli-role-action = “{ $value }” is not a list of actions: read, create, update, delete, import, export, merge.
cli-role-scope = “{ $value }” is not a scope: own, team or all.
cli-role-cap = “{ $value }” is not a number of rows (or “none”).
cli-role-nothing = Say what to change: an entity and actions, --export-cap, or --field.
cli-user-status-active = active
cli-user-status-disabled = disabled
cli-yes = yes
cli-no = no
cli-hidden = (hidden)
cli-col-when = When
cli-col-who = Who
cli-col-desktop = Desktop
cli-col-record = Record
cli-col-field = Field
cli-col-change = Change
cli-this-desktop = this desktop
cli-entity-customer = customer
cli-entity-contact = contact
cli-entity-activity = activity
cli-entity-order = order
cli-entity-order-line = order line
cli-history-count =
    { $count ->
        [one] 1 change
       *[other] { $count } changes
    }
cli-col-change-id = Change (for revert)
cli-sync-invite = Pairing code: { $code }. On the new desktop run: banyan sync pair { $code } { $address } (valid for 5 minutes).
cli-sync-admitted = { $desktop } joined the book.
cli-join-preparing = The other desktop is copying the book
cli-join-receiving = Receiving the book
cli-join-checking = Checking the book
cli-sync-joined = This desktop joined the book: { $path }
cli-sync-round = With { $desktop }: sent { $sent } · received { $received } · { $conflicts } need a decision
cli-sync-listening = Serving sync on { $address }
cli-sync-served = { $desktop }: sent { $sent }, received { $received }
cli-sync-revoked = { $desktop } ({ $device }) was removed from the book.
cli-sync-peer-this = this desktop
cli-sync-peer-member = member
cli-sync-peer-revoked = removed
cli-col-code = Code
cli-col-fingerprint = Fingerprint
cli-sync-status = This desktop: { $device } (code { $code }). Decisions waiting: { $conflicts }. Changes held, not applied: { $held }.
cli-sync-no-conflicts = No sync conflicts.
cli-sync-shown = shown
cli-sync-resolved = Conflict { $id } settled; the kept value goes to every desktop with the next sync.
cli-col-changes = Changes held
cli-col-conflict = Conflict
cli-col-value = Value
cli-audit-chain-changes = changes
cli-audit-chain-events = audit events
cli-audit-chain-intact = { $desktop }, { $chain }: { $entries } entries up to no. { $last }, { $checkpoints } signed checkpoints in the book: intact
cli-audit-chain-altered = { $desktop }, { $chain }: { $entries } entries up to no. { $last }, { $checkpoints } signed checkpoints in the book: NOT intact
cli-audit-altered = altered at no. { $seq }: the entry is not what was recorded
cli-audit-missing = entries no. { $from } to { $to } are missing
cli-audit-truncated = truncated after no. { $after }: a checkpoint vouches for entries up to no. { $checkpoint }
cli-audit-rewritten = rewritten: the book's checkpoint at no. { $seq } does not match the history before it, which was re-hashed
cli-audit-rewritten-held = rewritten since the checkpoint held elsewhere at no. { $seq }: the history up to there was changed and re-hashed
cli-audit-bad-signature = the checkpoint at no. { $seq } is not signed with this desktop's key
cli-audit-key-replaced = the checkpoint held elsewhere at no. { $seq } is signed with another key than the one the book now names for this desktop
cli-audit-held-through = entries after no. { $seq } are vouched for by the book alone: a rewrite of those would not show
cli-audit-held-none = no checkpoint held elsewhere covers this history
cli-audit-intact = History intact: no entry was altered, removed or reordered.
cli-audit-not-intact = History was altered (see above).
cli-audit-no-held = Checked against the book's own checkpoints only: a rewrite that re-hashed and re-signed the whole history would not show. Keep the file of `banyan audit checkpoints --out FILE` away from this computer and give it to --checkpoints.
cli-audit-checkpoints-written = { $count } checkpoints written to { $path }. Keep the file away from this computer.
cli-col-event = Event
cli-col-detail = Detail
cli-consent-given = Consent recorded: given for { $purpose } ({ $channel }).
cli-consent-withdrawn = Consent recorded: withdrawn for { $purpose } ({ $channel }).
cli-col-purpose = Purpose
cli-col-consent = Consent
cli-col-channel = How
cli-col-notice = Notice
cli-col-recorded-by = Recorded by
cli-privacy-exported = { $count } files written:
cli-erased = Erased: { $rows } rows overwritten, { $entries } history entries and { $events } audit events emptied of their values; gone from search in { $visible } ms, purged from every page of the book in { $purged } ms.
cli-erased-snapshot = snapshot from before the erasure deleted: { $path }
cli-service-added = Service account { $login } added. Its token, shown this once (give it to the script as BANYAN_TOKEN; it works until a new one is made or the account is disabled):
cli-service-token = New token for { $login }, shown this once (the old one no longer works):
cli-mfa-service = token
cli-erased-wal-pending = Another program has the book open: the last pages with the person's data leave the book's journal (the -wal file) when it closes the book.

## Backups and restores
cli-backup-counts = { $customers } customers, { $contacts } contacts, { $activities } activities, { $orders } orders, { $products } products, { $users } users, { $changes } history entries
cli-backup-done = Backed up to { $file } ({ $mb } MB, { $seconds } s), read back and verified.
cli-backup-wraps = Its key opens with: { $wraps }
cli-backup-same-disk = Warning: the backup folder is on the same disk as the book. It protects from mistakes, not from the disk failing; choose a second disk, a USB drive or a share (`banyan backup folder DIR`).
cli-backup-folder = Backup folder: { $folder }
cli-backup-passphrase-set = Backup passphrase: set.
cli-backup-passphrase-unset = Backup passphrase: not set.
cli-backup-recovery-set = Company recovery key: { $key }
cli-backup-recovery-unset = Company recovery key: none.
cli-backup-last = Last backup: { $when }
cli-backup-never = Last backup: never.
cli-backup-none-here = No backups in this folder.
cli-backup-other-book = another book
cli-backup-snapshot = the book before an update, version { $version }; restored like a backup
cli-backup-verified-quick = { $file } ({ $when }): the manifest is signed and the file matches it.
cli-backup-verified-full = { $file } ({ $when }): opened and checked in full: every page, the search index, and its contents match the manifest.
cli-backup-verify-failed = { $file } ({ $when }) has problems:
cli-backup-recovery-made = The recovery key's secret half is in { $path }: keep it offline (a safe, a sealed USB drive), it opens every backup. Public key: { $key }
cli-restore-preview = Backup { $file }, made { $when } on desktop { $desktop }.
cli-restore-migrates = It was made by an older version (schema { $version }) and will be brought up to date after its own snapshot.
cli-restore-then = In the backup
cli-restore-now = In the book now
cli-restore-loses-nothing = Nothing made since the backup would be lost.
cli-restore-loses = { $count } changes made since the backup would be lost (by day and user):
cli-restore-ask = Restore this backup in place of the book? [y/N]
cli-restore-done = Restored from { $file } in { $seconds } s.
cli-restore-snapshot = The book as it was is kept at { $path } (`banyan restore --undo` brings it back).
cli-restore-erased-again = { $count } customers erased since the backup were erased again.
cli-restore-undone = The restore was taken back; the restored book is kept at { $path }.
cli-backup-removed = { $count } older backups the retention rules no longer keep were removed.
cli-backup-keep = Keeps the newest backup of each of the last { $daily } days, { $weekly } weeks and { $monthly } months.
cli-health-book = Book: { $path } ({ $mb } MB, write-ahead log { $wal } MB)
cli-health-contents = { $customers } customers, { $entries } history entries, { $free } MB on free pages
cli-health-backup = Last backup: { $when } (folder { $folder })
cli-health-check = Last full check: { $when } { $result }
cli-health-check-ok = (sound)
cli-health-check-bad = (problems found)
cli-health-sync = Last sync: { $when }
cli-health-disks = Free space: { $book } MB on the book's disk, { $backup } MB on the backup folder's
cli-rewind-preview = A rewind to { $when } ({ $user }) would take back { $changes } changes of { $records } records:
cli-rewind-done = Rewound to { $when } ({ $user }): { $changes } changes of { $records } records taken back.
cli-rewind-batch = Batch { $batch }: `banyan revert --batch { $batch }` takes this rewind back.
cli-rewind-everyone = everyone's changes
cli-rewind-remove = removed (made since)
cli-rewind-bring-back = brought back (removed since)
cli-rewind-remove-again = removed again (brought back since)
cli-rewind-more = … and { $count } more (--json lists them all).
cli-rewind-kept = Kept { $name } › { $field }: changed since by someone else.
cli-rewind-kept-other = Kept { $count } changes of { $entity } records (a rewind takes back customers, contacts and activities).
cli-sync-new-identity = This book is desktop { $device } from now on; its former identity vouches for it, so its peers admit it at the next sync.
cli-policy-none = No policy file: every setting is the user's or the default.
cli-policy-file = Policies from { $file }:
cli-policy-mandatory = mandatory
cli-policy-recommended = recommended
cli-health-log = Log: { $mb } MB in { $folder }
cli-health-never = never
cli-health-ok = Healthy.
cli-backup-schedule = Daily backup at { $at } (one missed while this PC was off is made at its next start).
cli-backup-last-error = The last scheduled backup failed: { $error } (it is tried again within the hour).
cli-diagnostics-done = Diagnostics written to { $path } ({ $files }). It holds no customer data and no secret.
