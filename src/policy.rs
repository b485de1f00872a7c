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

/// The keys read, with what each takes.
pub const KEYS: &[&str] = &[
    "BackupDirectory",
    "BackupSchedule",
    "BackupKeep",
    "BackupMaxAgeHours",
    "LogLevel",
    "ImportEnabled",
    "ExportEnabled",
    "DemoDataEnabled",
    "IdleLockMinutes",
    "Locale",
];

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

/// The policies of this process, read at first use.
pub fn current() -> &'static Policies {
    CURRENT.get_or_init(|| read(&location()))
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
    for (section, level) in [("policies", true), ("recommended", false)] {
        let Some(values) = doc.get(section) else { continue };
        let Some(values) = values.as_object() else {
            p.problems.push(format!("\"{section}\" must be an object; ignored"));
            continue;
        };
        for (key, value) in values {
            if !KEYS.contains(&key.as_str()) {
                let nearest = KEYS.iter().max_by(|a, b| {
                    strsim::jaro_winkler(&a.to_lowercase(), &key.to_lowercase())
                        .total_cmp(&strsim::jaro_winkler(&b.to_lowercase(), &key.to_lowercase()))
                });
                p.problems.push(match nearest {
                    Some(n) if strsim::jaro_winkler(&n.to_lowercase(), &key.to_lowercase()) > 0.8 => {
                        format!("{key}: unknown policy; did you mean {n}?")
                    }
                    _ => format!("{key}: unknown policy"),
                });
                continue;
            }
            if let Err(expected) = check(key, value) {
                p.problems.push(format!("{key}: {value} is not {expected}; ignored"));
                continue;
            }
            let into = if level { &mut p.mandatory } else { &mut p.recommended };
            into.insert(key.clone(), value.clone());
        }
    }
    p
}

/// Whether `value` is what `key` takes; if not, what it takes.
fn check(key: &str, value: &Value) -> Result<(), &'static str> {
    match key {
        "BackupDirectory" => match value.as_str() {
            Some(s) if Path::new(s).is_absolute() => Ok(()),
            _ => Err("an absolute folder path"),
        },
        "BackupSchedule" => match value.as_str().and_then(crate::backup::parse_schedule) {
            Some(_) => Ok(()),
            None => Err("a time of day as HH:MM"),
        },
        "BackupKeep" => {
            let n = |k: &str| value.get(k).and_then(Value::as_u64).filter(|n| *n <= 1000);
            let keys_ok = value
                .as_object()
                .is_some_and(|o| o.keys().all(|k| ["daily", "weekly", "monthly"].contains(&k.as_str())));
            match (keys_ok, n("daily"), n("weekly"), n("monthly")) {
                (true, Some(d), Some(w), Some(m)) if d + w + m > 0 => Ok(()),
                _ => Err("{\"daily\": N, \"weekly\": N, \"monthly\": N} with N from 0 to 1000, not all 0"),
            }
        }
        "BackupMaxAgeHours" => match value.as_u64() {
            Some(1..=8760) => Ok(()),
            _ => Err("a whole number of hours from 1 to 8760"),
        },
        "LogLevel" => match value.as_str() {
            Some("off" | "error" | "warn" | "info" | "debug" | "trace") => Ok(()),
            _ => Err("one of off, error, warn, info, debug, trace"),
        },
        "ImportEnabled" | "ExportEnabled" | "DemoDataEnabled" => match value {
            Value::Bool(_) => Ok(()),
            _ => Err("true or false"),
        },
        "Locale" => match value.as_str().and_then(crate::i18n::Lang::parse) {
            Some(l) if value.as_str() == Some(l.tag()) => Ok(()),
            _ => Err("\"en-US\" or \"zh-CN\""),
        },
        "IdleLockMinutes" => match value.as_u64() {
            Some(1..=1440) => Ok(()),
            _ => Err("a whole number of minutes from 1 to 1440"),
        },
        _ => Err("a known policy"),
    }
}

impl Policies {
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

    /// The longest a desktop may sit unused before it locks, in minutes, if a policy sets it
    /// (a maximum: the user may choose less).
    pub fn idle_lock_max_minutes(&self) -> Option<u32> {
        self.pick("IdleLockMinutes", None, |v| v.as_u64().map(|n| n as u32)).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
