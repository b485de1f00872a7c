//! Policies: settings IT sets for every desktop. On Linux they are read from
//! `/etc/banyan/policies.json` (`{"policies": {...}, "recommended": {...}}`): a mandatory value
//! wins over what the user set, a recommended one over the built-in default only. (The Windows
//! registry and macOS configuration profiles come with the installers' issue, under the same
//! names.) Read once per process. A value that is not what its key takes is ignored, never
//! clamped or guessed; an unknown key is ignored with the nearest known name offered; a file that
//! is malformed, larger than 1 MB or writable by anyone but root is ignored whole (debug builds,
//! the tests', take a file of the user's). Each problem is logged once per start (`logging::init`)
//! and listed where the policies are shown (diagnostics).

use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where a setting's value comes from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Policy,
    User,
    Recommended,
    Default,
}

/// The policies' schema (`packaging/policy/policies.schema.json`): every value is checked against
/// it, and `cargo xtask policy` generates the Group Policy templates, the sample profile and file
/// and the reference page from it, so what IT can set and what the app takes never differ.
pub const SCHEMA: &str = include_str!("../packaging/policy/policies.schema.json");

/// One key of the schema: its name, the part of the schema its value must meet, and what a
/// problem message says it takes.
pub struct KeySpec {
    pub name: String,
    /// Its schema (`$defs.keys.properties.<name>`), with Banyan's `x-*` annotations.
    pub schema: Value,
    pub expected: String,
    validator: jsonschema::Validator,
}

impl KeySpec {
    /// Whether `value` is what the key takes.
    pub fn accepts(&self, value: &Value) -> bool {
        self.validator.is_valid(value)
    }

    /// The JSON type its value has (`boolean`, `integer`, `string`, `object`).
    pub fn kind(&self) -> &str {
        self.schema.get("type").and_then(Value::as_str).unwrap_or("string")
    }
}

/// The keys of the schema, in its order. The schema is part of the binary, and a test reads it,
/// so a broken one never ships.
pub fn keys() -> &'static [KeySpec] {
    static KEYS: OnceLock<Vec<KeySpec>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let schema: Value = serde_json::from_str(SCHEMA).expect("the policy schema is JSON");
        let props = schema["$defs"]["keys"]["properties"].as_object().expect("the schema lists its keys");
        props
            .iter()
            .map(|(name, schema)| KeySpec {
                name: name.clone(),
                expected: schema["x-expected"].as_str().unwrap_or("what the schema says").to_string(),
                validator: jsonschema::validator_for(schema).expect("each key's schema compiles"),
                schema: schema.clone(),
            })
            .collect()
    })
}

/// The key named `name`, if the schema has it.
pub fn key(name: &str) -> Option<&'static KeySpec> {
    keys().iter().find(|k| k.name == name)
}

/// A feature a policy can turn off (`…Enabled: false`): the façade refuses it whoever asks, and
/// the window greys it out naming the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    Import,
    Export,
    DemoData,
}

impl Feature {
    pub const ALL: [Feature; 3] = [Feature::Import, Feature::Export, Feature::DemoData];

    /// The policy that turns it off.
    pub fn policy(self) -> &'static str {
        match self {
            Feature::Import => "ImportEnabled",
            Feature::Export => "ExportEnabled",
            Feature::DemoData => "DemoDataEnabled",
        }
    }
}

/// The policies in force, and what was wrong with the file.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Policies {
    /// Where they were read from (none when there is no file).
    pub file: Option<PathBuf>,
    pub mandatory: BTreeMap<String, Value>,
    pub recommended: BTreeMap<String, Value>,
    /// Each problem, in English for IT's logs and diagnostics (key, value and the expected form).
    pub problems: Vec<String>,
}

static CURRENT: OnceLock<Policies> = OnceLock::new();

/// The policies of this process, read at first use: on Windows the registry, on macOS the
/// managed preferences (`banyan_policy_os`), else the file at [`location`]. A debug build given
/// `BANYAN_POLICY_FILE` (tests) reads that file on every system.
pub fn current() -> &'static Policies {
    CURRENT.get_or_init(|| {
        let file_for_tests = cfg!(debug_assertions) && std::env::var_os("BANYAN_POLICY_FILE").is_some();
        let names: Vec<&str> = keys().iter().map(|k| k.name.as_str()).collect();
        let os = if file_for_tests { Vec::new() } else { banyan_policy_os::sources(&names) };
        if os.is_empty() {
            return read(&location());
        }
        from_os(os)
    })
}

/// The policies the OS's sources hold (see [`from_sources`]); `file` names the first source that
/// holds any, for `policy show` and Settings.
fn from_os(os: Vec<banyan_policy_os::Source>) -> Policies {
    let holding = os.iter().find(|(_, m, r)| !m.is_empty() || !r.is_empty()).map(|(n, _, _)| PathBuf::from(n));
    let mut p = from_sources(os.into_iter().map(|(n, m, r)| (n, from_raw(m), from_raw(r))).collect());
    p.file = holding;
    p
}

/// The policy file: `/etc/banyan/policies.json`; debug builds (tests) may point elsewhere with
/// `BANYAN_POLICY_FILE`, release builds never.
pub fn location() -> PathBuf {
    if cfg!(debug_assertions)
        && let Some(p) = std::env::var_os("BANYAN_POLICY_FILE").filter(|p| !p.is_empty())
    {
        return PathBuf::from(p);
    }
    PathBuf::from("/etc/banyan/policies.json")
}

/// Reads and checks a policy file (`banyan`'s own, or one IT checks before rollout).
pub fn read(path: &Path) -> Policies {
    let mut p = Policies::default();
    let Ok(meta) = std::fs::metadata(path) else { return p };
    p.file = Some(path.to_path_buf());
    if meta.len() > 1024 * 1024 {
        p.problems.push(format!("{}: larger than 1 MB; ignored", path.display()));
        return p;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let by_others = meta.mode() & 0o022 != 0 || meta.uid() != 0;
        if by_others && !cfg!(debug_assertions) {
            p.problems.push(format!("{}: writable by others than root; ignored", path.display()));
            return p;
        }
    }
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            p.problems.push(format!("{}: {e}; ignored", path.display()));
            return p;
        }
    };
    let doc: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            p.problems.push(format!(
                "{}: not JSON at line {}, column {}; ignored",
                path.display(),
                e.line(),
                e.column()
            ));
            return p;
        }
    };
    for (section, mandatory) in [("policies", true), ("recommended", false)] {
        let Some(values) = doc.get(section) else { continue };
        let Some(values) = values.as_object() else {
            p.problems.push(format!("\"{section}\" must be an object; ignored"));
            continue;
        };
        p.take(values.iter().map(|(k, v)| (k.clone(), v.clone())), mandatory);
    }
    p
}

/// Whether `value` is what `key` takes; if not, what it takes. The schema decides, then what it
/// cannot say: a folder absolute on this system, a region or currency that exists.
fn check(key: &KeySpec, value: &Value) -> Result<(), String> {
    let fits = key.accepts(value)
        && match key.name.as_str() {
            "BackupDirectory" | "DatabaseDirectory" => value.as_str().is_some_and(|s| Path::new(s).is_absolute()),
            "BackupSchedule" => value.as_str().and_then(crate::backup::parse_schedule).is_some(),
            "PhoneRegion" => value.as_str().and_then(crate::quality::phone::Region::parse).is_some(),
            "Currency" => value.as_str().is_some_and(|c| crate::model::Currency::parse(c, "currency").is_ok()),
            _ => true,
        };
    if fits { Ok(()) } else { Err(key.expected.clone()) }
}

/// The network filesystem `path` is on, if it is on one: a UNC path (`\\\\server\\share`), or
/// on Linux the mount holding it (`/proc/self/mountinfo`) when it is NFS, SMB/CIFS or the like.
/// A book there could be damaged: SQLite's locks and its WAL need a local disk.
pub fn network_filesystem(path: &Path) -> Option<String> {
    let text = path.to_string_lossy();
    if text.starts_with("\\\\") || text.starts_with("//") {
        return Some("UNC".into());
    }
    // The nearest folder that exists says which mount it is on.
    let mut at = path.to_path_buf();
    while !at.exists() {
        at = at.parent()?.to_path_buf();
    }
    let at = std::fs::canonicalize(&at).ok()?;
    network_mount(&std::fs::read_to_string("/proc/self/mountinfo").ok()?, &at)
}

/// Of `mountinfo` (its format: proc(5)), the network filesystem type of the mount holding `at`.
fn network_mount(mountinfo: &str, at: &Path) -> Option<String> {
    const NETWORK: &[&str] =
        &["nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "ceph", "glusterfs", "fuse.sshfs", "davfs"];
    let mut best: Option<(usize, String)> = None;
    for line in mountinfo.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        let Some(dash) = fields.iter().position(|f| *f == "-") else { continue };
        let (Some(point), Some(kind)) = (fields.get(4), fields.get(dash + 1)) else { continue };
        // Octal escapes for spaces and the like (`\040`).
        let point = point.replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\");
        if at.starts_with(&point) && best.as_ref().is_none_or(|(len, _)| point.len() > *len) {
            best = Some((point.len(), kind.to_string()));
        }
    }
    best.map(|(_, kind)| kind).filter(|k| NETWORK.contains(&k.as_str()))
}

/// A value as a policy source other than the file holds it: the Windows registry (DWORD, QWORD,
/// REG_SZ) or a macOS configuration profile (a property list's boolean, integer, string or
/// dictionary), as `banyan_policy_os` reads them.
pub use banyan_policy_os::{REGISTRY_KEY, Raw};

/// Turns the values one source holds (registry values of `Software\Policies\BanyanCRM\Banyan`
/// or its `Recommended` subkey, or one profile's keys) into the file's JSON, by what each key
/// takes: a DWORD of 0 or 1 for a true/false key (the ADMX writes those; any other number stays
/// a number, which the check then refuses rather than guess), an object's fields as
/// `Key.field` values (the ADMX writes one DWORD each), everything else as it is. What comes out
/// is checked like the file's values.
pub fn from_raw(values: impl IntoIterator<Item = (String, Raw)>) -> Vec<(String, Value)> {
    fn json(kind: &str, raw: Raw) -> Value {
        match (kind, raw) {
            ("boolean", Raw::Int(n @ (0 | 1))) => Value::Bool(n == 1),
            (_, Raw::Bool(b)) => Value::Bool(b),
            (_, Raw::Int(n)) => Value::from(n),
            (_, Raw::Text(t)) => Value::String(t),
            (_, Raw::Dict(d)) => Value::Object(d.into_iter().map(|(k, v)| (k, json("", v))).collect()),
        }
    }
    let mut out: Vec<(String, Value)> = Vec::new();
    for (name, raw) in values {
        if let Some((parent, field)) = name.split_once('.')
            && key(parent).is_some_and(|k| k.kind() == "object")
        {
            let v = json("", raw);
            match out.iter_mut().find(|(n, _)| n == parent) {
                Some((_, Value::Object(o))) => {
                    o.insert(field.to_string(), v);
                }
                _ => out.push((parent.to_string(), Value::Object([(field.to_string(), v)].into_iter().collect()))),
            }
            continue;
        }
        let kind = key(&name).map(KeySpec::kind).unwrap_or("");
        out.push((name, json(kind, raw)));
    }
    out
}

/// One source's values as [`from_raw`] makes them: its name (for problems), mandatory ones and
/// recommended ones.
pub type SourceValues = (String, Vec<(String, Value)>, Vec<(String, Value)>);

/// Policies from sources other than the file: each source's mandatory and recommended values
/// (as [`from_raw`] makes them), strongest first. The first source that sets a key decides it at
/// its level (HKLM before HKCU).
/// Each problem names the source (`HKLM\…\Banyan`, a profile's domain).
pub fn from_sources(sources: Vec<SourceValues>) -> Policies {
    let mut p = Policies::default();
    for (name, mandatory, recommended) in sources {
        for (values, level) in [(mandatory, true), (recommended, false)] {
            let have = if level { &p.mandatory } else { &p.recommended };
            let fresh: Vec<(String, Value)> = values.into_iter().filter(|(k, _)| !have.contains_key(k)).collect();
            let before = p.problems.len();
            p.take(fresh, level);
            for problem in &mut p.problems[before..] {
                *problem = format!("{name}: {problem}");
            }
        }
    }
    p
}

impl Policies {
    /// Takes `values` at one level: an unknown key is named with the nearest known one, a value
    /// that is not what its key takes is named with what it takes; both are ignored.
    fn take(&mut self, values: impl IntoIterator<Item = (String, Value)>, mandatory: bool) {
        for (name, value) in values {
            let Some(spec) = key(&name) else {
                let score = |k: &KeySpec| strsim::jaro_winkler(&k.name.to_lowercase(), &name.to_lowercase());
                let nearest = keys().iter().max_by(|a, b| score(a).total_cmp(&score(b)));
                self.problems.push(match nearest {
                    Some(n) if score(n) > 0.8 => format!("{name}: unknown policy; did you mean {}?", n.name),
                    _ => format!("{name}: unknown policy"),
                });
                continue;
            };
            if let Err(expected) = check(spec, &value) {
                if name == "DatabaseDirectory" {
                    // No silent fallback for where the book lives: kept, so opening refuses it
                    // naming the policy (`api::book_path`).
                    self.problems
                        .push(format!("{name}: {value} is not {expected}; the book will not open until it is"));
                } else {
                    self.problems.push(format!("{name}: {value} is not {expected}; ignored"));
                    continue;
                }
            }
            let into = if mandatory { &mut self.mandatory } else { &mut self.recommended };
            into.insert(name, value);
        }
    }

    /// The value in force for `key` over what the user set (`user`): the mandatory policy's,
    /// the user's, the recommended one, else none (the built-in default), with where it came from.
    pub fn pick<T: Clone>(
        &self,
        key: &str,
        user: Option<T>,
        from: impl Fn(&Value) -> Option<T>,
    ) -> (Option<T>, Source) {
        if let Some(v) = self.mandatory.get(key).and_then(&from) {
            return (Some(v), Source::Policy);
        }
        if let Some(u) = user {
            return (Some(u), Source::User);
        }
        match self.recommended.get(key).and_then(&from) {
            Some(v) => (Some(v), Source::Recommended),
            None => (None, Source::Default),
        }
    }

    /// A text value `key` takes over `user`'s ([`Policies::pick`] for text).
    pub fn text(&self, key: &str, user: Option<String>) -> (Option<String>, Source) {
        self.pick(key, user, |v| v.as_str().map(str::to_string))
    }

    /// The text a mandatory policy holds `key` at, if one does.
    pub fn held_text(&self, key: &str) -> Option<&str> {
        self.mandatory.get(key).and_then(Value::as_str)
    }

    /// Whether a mandatory policy sets `key` (the user cannot change it then).
    pub fn enforces(&self, key: &str) -> bool {
        self.mandatory.contains_key(key)
    }

    /// Whether a policy turns `feature` off. There is no user setting to weigh a recommended
    /// value against, so a recommended `false` turns it off as well (its default, in effect).
    pub fn turns_off(&self, feature: Feature) -> bool {
        self.pick(feature.policy(), None, Value::as_bool).0 == Some(false)
    }

    /// The features policies turn off.
    pub fn turned_off(&self) -> Vec<Feature> {
        Feature::ALL.into_iter().filter(|f| self.turns_off(*f)).collect()
    }

    /// The language in force over the one the user chose (`chosen`: the desktop's saved choice,
    /// the CLI's `--lang`): a mandatory `Locale`, the user's, a recommended `Locale`, else the
    /// system's (LC_ALL, LC_MESSAGES, LANG).
    pub fn language(&self, chosen: Option<crate::i18n::Lang>) -> (crate::i18n::Lang, Source) {
        let parse = |v: &Value| v.as_str().and_then(crate::i18n::Lang::parse);
        match self.pick("Locale", chosen, parse) {
            (Some(l), source) => (l, source),
            (None, source) => (crate::i18n::Lang::from_env(), source),
        }
    }

    /// The folder IT keeps the customer book in (`DatabaseDirectory`), and whether it is
    /// mandatory, as the policy names it (checked when the book is opened: `api::book_path`).
    pub fn book_folder(&self) -> Option<(PathBuf, bool)> {
        let folder = |v: &Value| v.as_str().map(PathBuf::from);
        match self.pick("DatabaseDirectory", None, folder) {
            (Some(f), Source::Policy) => Some((f, true)),
            (Some(f), _) => Some((f, false)),
            (None, _) => None,
        }
    }

    /// The longest a desktop may sit unused before it locks, in minutes, if a policy sets it
    /// (a maximum: the user may choose less).
    pub fn idle_lock_max_minutes(&self) -> Option<u32> {
        self.pick("IdleLockMinutes", None, |v| v.as_u64().map(|n| n as u32)).0
    }
}

/// How far Banyan updates itself on this desktop (`UpdateMode`), least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum UpdateMode {
    /// Never asks any server.
    Off,
    /// Reads the update server's manifest and shows a newer version.
    Notify,
    /// Also downloads it, checks its signature and makes it ready to install.
    Auto,
}

impl UpdateMode {
    fn parse(v: &Value) -> Option<UpdateMode> {
        serde_json::from_value(v.clone()).ok()
    }
}

/// How this copy of Banyan was installed, as far as updates go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Install {
    /// The user's own install (NSIS setup.exe, the macOS app, an AppImage): Banyan may replace it.
    PerUser,
    /// Installed for the machine by IT's tools (MSI, .deb, .rpm): they install updates, Banyan
    /// at most tells of one.
    Machine,
    /// Not from a package (a build run from the source tree): tells of updates, installs none.
    Unpackaged,
    /// Portable mode (`data/` beside the program): never updates.
    Portable,
}

/// Whether, where from and how far Banyan updates itself here, and why no further.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UpdatePlan {
    /// What is in force.
    pub mode: UpdateMode,
    /// The update manifest's address (`UpdateUrl`), if a policy gives one.
    pub url: Option<String>,
    /// A mandatory `UpdateMode` sets it: the user cannot change it.
    pub managed: bool,
    /// The most the user may choose in Settings: a recommended `UpdateMode` (users may choose
    /// less), the mandatory one, or off without either.
    pub highest: UpdateMode,
    /// Banyan may install an update itself here (a per-user install).
    pub can_install: bool,
    /// Why `mode` is less than what policy and user asked: "no-address" (no `UpdateUrl`),
    /// "portable", "installed-by-it" (automatic becomes notify on a machine-wide install),
    /// "unpackaged" (the same for a build run from source); the desktop adds "no-signing-key"
    /// (a build without the updater's public key installs nothing: automatic becomes notify).
    pub limited_by: Option<String>,
}

impl Policies {
    /// The update plan over what the user chose in Settings (`user`) for an install of `install`.
    /// Updates are off unless a policy turns them on and names the server: with a mandatory
    /// `UpdateMode` the user has no say, with a recommended one they may choose less, and without
    /// one they stay off. Portable mode never updates; a machine-wide install is never replaced
    /// by Banyan itself, so automatic becomes notify there.
    pub fn updates(&self, user: Option<UpdateMode>, install: Install) -> UpdatePlan {
        let url = self.pick("UpdateUrl", None, |v| v.as_str().map(str::to_string)).0;
        let (highest, managed) = match self.mandatory.get("UpdateMode").and_then(UpdateMode::parse) {
            Some(m) => (m, true),
            None => (self.recommended.get("UpdateMode").and_then(UpdateMode::parse).unwrap_or(UpdateMode::Off), false),
        };
        let asked = if managed { highest } else { user.map_or(highest, |u| u.min(highest)) };
        let can_install = install == Install::PerUser;
        let (mode, limited_by) = match install {
            _ if asked == UpdateMode::Off => (UpdateMode::Off, None),
            Install::Portable => (UpdateMode::Off, Some("portable")),
            _ if url.is_none() => (UpdateMode::Off, Some("no-address")),
            Install::Machine if asked == UpdateMode::Auto => (UpdateMode::Notify, Some("installed-by-it")),
            Install::Unpackaged if asked == UpdateMode::Auto => (UpdateMode::Notify, Some("unpackaged")),
            _ => (asked, None),
        };
        UpdatePlan { mode, url, managed, highest, can_install, limited_by: limited_by.map(str::to_string) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_stay_off_unless_a_policy_turns_them_on_and_names_the_server() {
        use Install::*;
        use UpdateMode::*;
        let with = |text: &str| {
            let (_d, path) = file(text);
            read(&path)
        };
        let url = "https://updates.example.com/banyan/latest.json";
        // No policy: off, whatever the user asks.
        let none = Policies::default();
        assert_eq!(none.updates(Some(Auto), PerUser).mode, Off);
        assert_eq!(none.updates(None, PerUser).highest, Off);
        // A mode without a server: off, and why.
        let p = with(r#"{"policies": {"UpdateMode": "auto"}}"#);
        let plan = p.updates(None, PerUser);
        assert_eq!((plan.mode, plan.limited_by.as_deref()), (Off, Some("no-address")));
        // Mandatory auto with a server: the user has no say; a machine-wide install only notifies.
        let p = with(&format!(r#"{{"policies": {{"UpdateMode": "auto", "UpdateUrl": "{url}"}}}}"#));
        let plan = p.updates(Some(Off), PerUser);
        assert_eq!((plan.mode, plan.managed, plan.can_install), (Auto, true, true));
        assert_eq!(plan.url.as_deref(), Some(url));
        let plan = p.updates(None, Machine);
        assert_eq!((plan.mode, plan.can_install, plan.limited_by.as_deref()), (Notify, false, Some("installed-by-it")));
        assert_eq!(p.updates(None, Unpackaged).limited_by.as_deref(), Some("unpackaged"));
        let plan = p.updates(None, Portable);
        assert_eq!((plan.mode, plan.limited_by.as_deref()), (Off, Some("portable")));
        // Recommended notify: the user may choose less, never more.
        let p = with(&format!(r#"{{"recommended": {{"UpdateMode": "notify", "UpdateUrl": "{url}"}}}}"#));
        assert_eq!(p.updates(None, PerUser).mode, Notify);
        assert_eq!(p.updates(Some(Off), PerUser).mode, Off);
        assert_eq!(p.updates(Some(Auto), PerUser).mode, Notify);
        assert!(!p.updates(None, PerUser).managed);
        // A server that is not https, or a mode it does not know: ignored and named.
        let p =
            with(r#"{"policies": {"UpdateMode": "always", "UpdateUrl": "http://updates.example.com/latest.json"}}"#);
        assert_eq!(p.updates(None, PerUser).mode, Off);
        let said = p.problems.join("\n");
        assert!(said.contains("UpdateMode: \"always\" is not one of off, notify, auto"), "{said}");
        assert!(said.contains("UpdateUrl: \"http://updates.example.com/latest.json\" is not an https://"), "{said}");
    }

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policies.json");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn good_values_apply_and_bad_ones_are_ignored_and_named() {
        let (_d, path) = file(
            r#"{"policies": {"BackupDirectory": "/srv/backups", "BackupMaxAgeHours": 0, "BackupSchedul": "01:00",
                              "BackupKeep": {"daily": 3, "weekly": 2, "monthly": 1}},
                "recommended": {"BackupSchedule": "25:00", "LogLevel": "debug"}}"#,
        );
        let p = read(&path);
        assert_eq!(p.mandatory.get("BackupDirectory"), Some(&Value::from("/srv/backups")));
        assert!(p.mandatory.contains_key("BackupKeep"));
        assert_eq!(p.recommended.get("LogLevel"), Some(&Value::from("debug")));
        assert!(!p.mandatory.contains_key("BackupMaxAgeHours") && !p.recommended.contains_key("BackupSchedule"));
        let said = p.problems.join("\n");
        assert!(said.contains("BackupMaxAgeHours: 0 is not a whole number of hours from 1 to 8760"), "{said}");
        assert!(said.contains("BackupSchedul: unknown policy; did you mean BackupSchedule?"), "{said}");
        assert!(said.contains("BackupSchedule: \"25:00\" is not a time of day"), "{said}");
    }

    #[test]
    fn a_malformed_file_is_ignored_with_where_it_broke_and_no_file_is_no_policy() {
        let (_d, path) = file("{\"policies\": {\"LogLevel\": \"info\",}\n}");
        let p = read(&path);
        assert!(p.mandatory.is_empty());
        assert!(p.problems[0].contains("not JSON at line 1"), "{:?}", p.problems);
        let none = read(Path::new("/nonexistent/banyan/policies.json"));
        assert!(none.file.is_none() && none.problems.is_empty() && none.mandatory.is_empty());
    }

    #[test]
    fn features_are_turned_off_by_false_only_and_a_wrong_type_is_ignored() {
        let (_d, path) = file(
            r#"{"policies": {"ExportEnabled": false, "ImportEnabled": "no", "IdleLockMinutes": 5},
                "recommended": {"DemoDataEnabled": false, "IdleLockMinutes": 0}}"#,
        );
        let p = read(&path);
        assert_eq!(p.turned_off(), vec![Feature::Export, Feature::DemoData]);
        assert!(!p.turns_off(Feature::Import), "\"no\" is not false: ignored, not guessed");
        assert_eq!(p.idle_lock_max_minutes(), Some(5));
        let said = p.problems.join("\n");
        assert!(said.contains("ImportEnabled: \"no\" is not true or false"), "{said}");
        assert!(said.contains("IdleLockMinutes: 0 is not a whole number of minutes from 1 to 1440"), "{said}");
        let (_d, path) = file(r#"{"policies": {"ExportEnabled": true}}"#);
        assert!(read(&path).turned_off().is_empty());
    }

    #[test]
    fn a_mandatory_locale_beats_the_users_choice_and_a_recommended_one_does_not() {
        use crate::i18n::Lang;
        let (_d, path) = file(r#"{"recommended": {"Locale": "zh-CN"}}"#);
        let p = read(&path);
        assert_eq!(p.language(None), (Lang::ZhCn, Source::Recommended));
        assert_eq!(p.language(Some(Lang::EnUs)), (Lang::EnUs, Source::User));
        let (_d, path) = file(r#"{"policies": {"Locale": "zh-CN"}}"#);
        assert_eq!(read(&path).language(Some(Lang::EnUs)), (Lang::ZhCn, Source::Policy));
        let (_d, path) = file(r#"{"policies": {"Locale": "fr-FR"}}"#);
        let p = read(&path);
        assert_eq!(p.language(Some(Lang::EnUs)), (Lang::EnUs, Source::User));
        assert!(p.problems[0].contains("Locale: \"fr-FR\" is not \"en-US\" or \"zh-CN\""), "{:?}", p.problems);
    }

    #[test]
    fn mandatory_beats_the_user_who_beats_recommended_which_beats_the_default() {
        let mut p = Policies::default();
        let n = |v: &Value| v.as_u64();
        assert_eq!(p.pick("BackupMaxAgeHours", None, n), (None, Source::Default));
        p.recommended.insert("BackupMaxAgeHours".into(), Value::from(24));
        assert_eq!(p.pick("BackupMaxAgeHours", None, n), (Some(24), Source::Recommended));
        assert_eq!(p.pick("BackupMaxAgeHours", Some(12), n), (Some(12), Source::User));
        p.mandatory.insert("BackupMaxAgeHours".into(), Value::from(72));
        assert_eq!(p.pick("BackupMaxAgeHours", Some(12), n), (Some(72), Source::Policy));
        assert!(p.enforces("BackupMaxAgeHours") && !p.enforces("BackupSchedule"));
    }

    #[test]
    fn the_schema_compiles_and_every_key_in_it_is_read_by_the_code() {
        let names: Vec<&str> = keys().iter().map(|k| k.name.as_str()).collect();
        assert!(names.len() >= 10, "{names:?}");
        // "No key without code reading it": each key's name appears in the code (this file's
        // tests aside).
        let mut code = String::new();
        let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = dirs.pop() {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    let end = if p.ends_with("policy.rs") { text.find("#[cfg(test)]").unwrap() } else { text.len() };
                    code.push_str(&text[..end]);
                }
            }
        }
        for k in keys() {
            assert!(code.contains(&format!("\"{}\"", k.name)), "{}: in the schema, but nothing reads it", k.name);
            assert!(k.schema.get("x-since").is_some() && k.schema.get("x-category").is_some(), "{}", k.name);
            assert!(k.accepts(&k.schema["x-example"]), "{}: its own example is refused", k.name);
        }
    }

    /// What the OS readers hand over becomes the policies, HKLM over HKCU, and `file` names the
    /// source that held them.
    #[test]
    fn the_os_sources_become_policies_with_the_first_holding_one_named() {
        let hklm = r"HKLM\Software\Policies\BanyanCRM\Banyan";
        let hkcu = r"HKCU\Software\Policies\BanyanCRM\Banyan";
        let p = from_os(vec![
            (
                hklm.into(),
                vec![("ExportEnabled".into(), Raw::Int(0))],
                vec![("Locale".into(), Raw::Text("zh-CN".into()))],
            ),
            (hkcu.into(), vec![("ExportEnabled".into(), Raw::Int(1)), ("ImportEnabled".into(), Raw::Int(0))], vec![]),
        ]);
        assert_eq!(p.file.as_deref(), Some(Path::new(hklm)));
        assert_eq!(p.mandatory.get("ExportEnabled"), Some(&Value::Bool(false)), "HKLM decides");
        assert_eq!(p.mandatory.get("ImportEnabled"), Some(&Value::Bool(false)));
        assert_eq!(p.recommended.get("Locale"), Some(&Value::from("zh-CN")));
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let none = from_os(vec![(hklm.into(), vec![], vec![]), (hkcu.into(), vec![], vec![])]);
        assert!(none.file.is_none() && none.mandatory.is_empty());
    }

    /// Registry values as the ADMX templates write them, through the parser every source shares:
    /// one row per case of the issue's "bad policy input".
    #[test]
    fn registry_values_are_read_by_what_each_key_takes_and_bad_ones_are_named() {
        let reg = |v: &[(&str, Raw)]| from_raw(v.iter().map(|(n, r)| (n.to_string(), r.clone())));
        let hklm = reg(&[
            ("ImportEnabled", Raw::Int(0)),
            ("ExportEnabled", Raw::Int(2)),
            ("Locale", Raw::Text("zh-CN".into())),
            ("IdleLockMinutes", Raw::Text("10".into())),
            ("BackupKeep.daily", Raw::Int(3)),
            ("BackupKeep.weekly", Raw::Int(0)),
            ("BackupKeep.monthly", Raw::Int(1)),
            ("LogLevel", Raw::Text("verbose".into())),
            ("DemoDataEnable", Raw::Int(0)),
        ]);
        let hkcu = reg(&[("Locale", Raw::Text("en-US".into())), ("IdleLockMinutes", Raw::Int(5))]);
        let hklm_rec = reg(&[("BackupMaxAgeHours", Raw::Int(24)), ("BackupSchedule", Raw::Text("1:30".into()))]);
        let p = from_sources(vec![
            ("HKLM".into(), hklm, hklm_rec),
            ("HKCU".into(), hkcu, reg(&[("BackupKeep.daily", Raw::Int(5))])),
        ]);
        assert_eq!(p.turned_off(), vec![Feature::Import], "DWORD 0 is false; 2 is neither and is ignored");
        assert_eq!(p.language(None), (crate::i18n::Lang::ZhCn, Source::Policy), "HKLM before HKCU");
        assert_eq!(p.idle_lock_max_minutes(), Some(5), "HKLM's text was ignored, HKCU's DWORD applies");
        assert_eq!(
            p.mandatory.get("BackupKeep"),
            Some(&serde_json::json!({"daily": 3, "weekly": 0, "monthly": 1})),
            "an object's fields, one value each"
        );
        assert_eq!(p.recommended.get("BackupMaxAgeHours"), Some(&Value::from(24)));
        assert_eq!(p.recommended.get("BackupSchedule"), Some(&Value::from("1:30")));
        assert!(!p.mandatory.contains_key("LogLevel") && !p.recommended.contains_key("BackupKeep"));
        let said = p.problems.join("\n");
        for expected in [
            "HKLM: ExportEnabled: 2 is not true or false; ignored",
            "HKLM: IdleLockMinutes: \"10\" is not a whole number of minutes from 1 to 1440",
            "HKLM: LogLevel: \"verbose\" is not one of off, error, warn, info, debug, trace",
            "HKLM: DemoDataEnable: unknown policy; did you mean DemoDataEnabled?",
            "HKCU: BackupKeep: {\"daily\":5} is not {\"daily\": N",
        ] {
            assert!(said.contains(expected), "missing {expected:?} in:\n{said}");
        }
        assert_eq!(p.problems.len(), 5, "{said}");
    }

    /// A macOS profile's keys (CFPreferences: forced ones are mandatory, the rest recommended)
    /// through the same parser.
    #[test]
    fn profile_values_are_read_like_the_file_and_forced_ones_are_mandatory() {
        let forced = from_raw([
            ("ExportEnabled".to_string(), Raw::Bool(false)),
            ("DemoDataEnabled".to_string(), Raw::Int(0)),
            (
                "BackupKeep".to_string(),
                Raw::Dict(vec![
                    ("daily".into(), Raw::Int(0)),
                    ("weekly".into(), Raw::Int(0)),
                    ("monthly".into(), Raw::Int(0)),
                ]),
            ),
        ]);
        let set = from_raw([
            ("Locale".to_string(), Raw::Text("zh-CN".into())),
            ("BackupDirectory".to_string(), Raw::Text("relative/folder".into())),
        ]);
        let p = from_sources(vec![("com.banyancrm.desktop".into(), forced, set)]);
        assert_eq!(p.turned_off(), vec![Feature::Export, Feature::DemoData]);
        assert_eq!(p.language(Some(crate::i18n::Lang::EnUs)).1, Source::User, "a recommended one yields");
        assert_eq!(p.language(None), (crate::i18n::Lang::ZhCn, Source::Recommended));
        let said = p.problems.join("\n");
        assert!(said.contains("com.banyancrm.desktop: BackupKeep: {"), "{said}");
        assert!(said.contains("not all 0"), "{said}");
        assert!(said.contains("BackupDirectory: \"relative/folder\" is not an absolute folder path"), "{said}");
    }

    #[test]
    fn the_mount_holding_a_folder_says_whether_it_is_a_network_drive() {
        let mountinfo = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n\
             40 22 0:35 / /srv rw shared:2 - ext4 /dev/sdb1 rw\n\
             41 40 0:36 / /srv/shared\\040drive rw shared:3 - nfs4 files:/crm rw\n\
             42 22 0:37 / /mnt/office rw shared:4 - cifs //office/crm rw\n";
        let on = |p: &str| network_mount(mountinfo, Path::new(p));
        assert_eq!(on("/srv/banyan"), None, "a local disk");
        assert_eq!(on("/srv/shared drive/banyan").as_deref(), Some("nfs4"), "the longest mount point wins");
        assert_eq!(on("/mnt/office/books").as_deref(), Some("cifs"));
        assert_eq!(on("/home/sam"), None);
        assert_eq!(network_filesystem(Path::new("\\\\office\\crm\\books")).as_deref(), Some("UNC"));
        assert_eq!(network_filesystem(Path::new("/tmp/not/made/yet")), None, "the nearest existing folder decides");
    }

    #[test]
    fn a_wrong_database_directory_is_kept_so_the_book_refuses_to_open_rather_than_move() {
        let (_d, path) =
            file(r#"{"policies": {"DatabaseDirectory": "books"}, "recommended": {"BackupDirectory": "books"}}"#);
        let p = read(&path);
        assert_eq!(p.book_folder(), Some((PathBuf::from("books"), true)));
        assert!(!p.recommended.contains_key("BackupDirectory"), "other folders are ignored as ever");
        let said = p.problems.join("\n");
        assert!(
            said.contains(
                "DatabaseDirectory: \"books\" is not an absolute folder path on a local disk; the book will not open"
            ),
            "{said}"
        );
    }
}
