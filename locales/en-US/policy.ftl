# Policies: the names and explanations IT reads in Group Policy (the ADML templates), in the
# reference page and in the app's list of active policies. `cargo xtask policy` generates the
# templates from these and packaging/policy/policies.schema.json; each key of the schema has
# policy-name-KEY, policy-explain-KEY and, when it takes a value, policy-label-KEY; each enum value
# policy-value-KEY-VALUE.

policy-templates-title = Banyan CRM
policy-templates-description = Policies for Banyan CRM desktops: mandatory ones the user cannot change, recommended ones that apply until the user sets their own.
#   $version (String) - the first version that reads the policies
policy-templates-supported = Banyan CRM { $version } and later
policy-category-Banyan = Banyan CRM
policy-category-Recommended = Banyan CRM - recommended (users can change these)
policy-category-General = General
policy-category-Data = Data
policy-category-Security = Security
policy-category-Updates = Updates
policy-category-Backups = Backups

policy-name-Locale = Language
policy-explain-Locale = The language of Banyan's windows and of its command-line tool's messages. As a mandatory policy the language switch is locked; as a recommended one it applies until the user picks another language. Not set: the system's language.
policy-label-Locale = Language:
policy-value-Locale-en-US = English (United States)
policy-value-Locale-zh-CN = Chinese (Simplified)

policy-name-LogLevel = Log level
policy-explain-LogLevel = How much Banyan writes to its log (never customer data or secrets): off, errors only, warnings, events (the default), or the detail support may ask for.
policy-label-LogLevel = Level:
policy-value-LogLevel-off = Off
policy-value-LogLevel-error = Errors
policy-value-LogLevel-warn = Warnings
policy-value-LogLevel-info = Events (default)
policy-value-LogLevel-debug = Debug
policy-value-LogLevel-trace = Trace

policy-name-PhoneRegion = Phone region
policy-explain-PhoneRegion = The region phone numbers typed without a country code belong to, as a two-letter code (CN, US, DE…). Mandatory: this computer reads and checks phone numbers with it whatever the book's setting says, and nobody can change it here. Recommended: new books start with it. Not set: the book's own setting.
policy-label-PhoneRegion = Region code:

policy-name-Currency = Currency
policy-explain-Currency = The currency new products are priced in, as a three-letter code (CNY, USD, EUR…). Mandatory: this computer uses it whatever the book's setting says, and nobody can change it here. Recommended: new books start with it. Not set: the book's own setting.
policy-label-Currency = Currency code:

policy-name-DatabaseDirectory = Customer book folder
policy-explain-DatabaseDirectory = The folder the customer book is kept in on this computer, as an absolute path on a local disk (never a network drive: SQLite's locking is not safe there). Mandatory: Banyan opens only the book in this folder, and a folder that is relative, on a network drive or not writable stops it with a message naming the policy, with no fallback elsewhere. Recommended: where a new book goes unless the user names another. Not set: the user's local application data folder.
policy-label-DatabaseDirectory = Folder:

policy-name-KeyMode = Where the book's key is kept
policy-explain-KeyMode = How the key that encrypts the customer book is kept on this computer: in the operating system's keyring (the book opens when the user signs in to the computer) or behind a passphrase the user types at each start. Mandatory "passphrase": new books are made with a passphrase, and a book whose key is in the keyring asks its user to choose a passphrase before it opens. Mandatory "keyring": new books keep their key in the keyring; a book already behind a passphrase keeps it (a policy never weakens a book's protection). Recommended: what a new book offers first. Not set: the keyring. A portable Banyan always uses a passphrase. This policy configures; it does not protect a book from someone who already holds its key.
policy-label-KeyMode = Key kept:
policy-value-KeyMode-keyring = In the keyring
policy-value-KeyMode-passphrase = Behind a passphrase

policy-name-PortableModeEnabled = Allow portable mode
policy-explain-PortableModeEnabled = Portable mode: a folder named "data" beside Banyan's program file holds the book, its key file, settings, logs and browser data, and Banyan writes nothing elsewhere on the computer (its key always behind a passphrase, no updates). Disabled: a Banyan started with such a folder refuses to start, naming this policy. Enabled or not configured: allowed.

policy-name-ImportEnabled = Allow imports
policy-explain-ImportEnabled = Disabled: nobody can import files into the customer book, in the window or with `banyan import`; the window shows import greyed out with the policy's name. Enabled or not configured: roles decide who may import.

policy-name-ExportEnabled = Allow exports
policy-explain-ExportEnabled = Disabled: nobody can export customers, in the window or with `banyan export`; the window shows export greyed out with the policy's name. Enabled or not configured: roles decide who may export, and how many rows.

policy-name-DemoDataEnabled = Allow demo data
policy-explain-DemoDataEnabled = Disabled: the first start does not offer to fill a new book with demo customers, and `banyan demo` refuses.

policy-name-IdleLockMinutes = Lock after minutes unused
policy-explain-IdleLockMinutes = The longest Banyan may sit unused before it locks and asks for the password again, from 1 to 1440 minutes. Users may choose a shorter time, not a longer one. Not set: 10 minutes, which users may change.
policy-label-IdleLockMinutes = Minutes:

policy-name-UpdateMode = Updates
policy-explain-UpdateMode = Whether Banyan looks for a newer version on the server of the "Update server" policy, and what it does with one. Off (the default): it never looks. Notify: at each start and once a day it reads the server's manifest and shows a newer version in its window; a per-user install (setup.exe, the macOS app) offers to install it, the MSI, .deb and .rpm leave installing to IT's own tools. Automatic: a per-user install downloads the new version in the background, checks it, and offers "Install and restart"; the MSI, .deb and .rpm only notify. Every package is checked against the signing key built into Banyan before it is installed, and refused if it does not match. A portable Banyan never updates. Recommended: users may choose a lower setting in Settings.
policy-label-UpdateMode = Updates:
policy-value-UpdateMode-off = Off
policy-value-UpdateMode-notify = Notify
policy-value-UpdateMode-auto = Automatic

policy-name-UpdateUrl = Update server
policy-explain-UpdateUrl = The https:// address of the update manifest (latest.json) on your own server, as `cargo xtask dist --mirror URL` writes it. Banyan connects to no update server unless this is set and the "Updates" policy turns updates on. The server's certificate must be trusted by the computer (your company's certificate authority in the system's store).
policy-label-UpdateUrl = Address:

policy-name-BackupDirectory = Backup folder
policy-explain-BackupDirectory = The folder daily backups are written to, as an absolute path (a local folder or a mounted share). Not set: the backups folder beside the book.
policy-label-BackupDirectory = Folder:

policy-name-BackupSchedule = Backup time
policy-explain-BackupSchedule = The time of day of the daily backup, as HH:MM (24 hours). A backup missed while the PC was off is made at the next start. Not set: 12:30.
policy-label-BackupSchedule = Time (HH:MM):

policy-name-BackupKeep = Backups to keep
policy-explain-BackupKeep = How many daily, weekly and monthly backups are kept (each from 0 to 1000, not all 0); older ones are deleted after each backup. Not set: 7 daily, 4 weekly, 12 monthly.
policy-label-BackupKeep-daily = Daily backups:
policy-label-BackupKeep-weekly = Weekly backups:
policy-label-BackupKeep-monthly = Monthly backups:

policy-name-BackupMaxAgeHours = Warn when the last backup is older than
policy-explain-BackupMaxAgeHours = Hours after the last good backup at which Banyan warns on its main screen and in its health report, from 1 to 8760. Not set: 48 hours.
policy-label-BackupMaxAgeHours = Hours:
