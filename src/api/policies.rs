//! The policies in force on this computer as the window shows them (Settings' list, the locks and
//! greyed-out features): policies are the computer's, not the book's, so reading them needs no
//! book and no sign-in (like `banyan policy show`).

use crate::policy::{self, Policies};
use serde::Serialize;

/// One policy value IT set.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PolicyEntry {
    /// The key (`ExportEnabled`); its name and explanation are `policy-name-KEY` and
    /// `policy-explain-KEY` of policy.ftl.
    pub key: String,
    /// Mandatory (the user cannot change it), else recommended.
    pub mandatory: bool,
    /// The value as JSON text (`false`, `"zh-CN"`, `{"daily":7,…}`).
    pub value: String,
    /// False for a recommended value a mandatory one of the same key overrides.
    pub applies: bool,
}

/// What IT set, and what was ignored.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PolicyView {
    /// Where they were read from (none without a policy file).
    pub file: Option<String>,
    /// Mandatory ones first, each in the schema's order.
    pub entries: Vec<PolicyEntry>,
    /// What was ignored and why (key, value and the expected form; in English, for IT).
    pub problems: Vec<String>,
    /// The keys a mandatory policy sets (their controls are locked).
    pub managed: Vec<String>,
    /// The `…Enabled` policies that turn a feature off.
    pub turned_off: Vec<String>,
}

impl PolicyView {
    pub fn of(p: &Policies) -> PolicyView {
        let mut entries = Vec::new();
        for mandatory in [true, false] {
            let level = if mandatory { &p.mandatory } else { &p.recommended };
            for k in policy::keys() {
                if let Some(v) = level.get(&k.name) {
                    entries.push(PolicyEntry {
                        key: k.name.clone(),
                        mandatory,
                        value: v.to_string(),
                        applies: mandatory || !p.mandatory.contains_key(&k.name),
                    });
                }
            }
        }
        PolicyView {
            file: p.file.as_ref().map(|f| f.display().to_string()),
            entries,
            problems: p.problems.clone(),
            managed: p.mandatory.keys().cloned().collect(),
            turned_off: p.turned_off().into_iter().map(|f| f.policy().to_string()).collect(),
        }
    }
}

/// The policies of this process (read once, at its start).
pub fn policies() -> PolicyView {
    PolicyView::of(policy::current())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_lists_mandatory_values_first_and_marks_a_recommended_one_a_mandatory_one_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policies.json");
        std::fs::write(
            &path,
            r#"{"policies": {"ExportEnabled": false, "Locale": "zh-CN"},
                "recommended": {"Locale": "en-US", "IdleLockMinutes": 15, "LogLevel": "loud"}}"#,
        )
        .unwrap();
        let v = PolicyView::of(&policy::read(&path));
        let row = |k: &str, m: bool| v.entries.iter().find(|e| e.key == k && e.mandatory == m).cloned();
        assert!(v.entries.iter().take(2).all(|e| e.mandatory), "{:?}", v.entries);
        assert_eq!(row("ExportEnabled", true).map(|e| (e.value, e.applies)), Some(("false".into(), true)));
        assert_eq!(row("Locale", false).map(|e| (e.value, e.applies)), Some(("\"en-US\"".into(), false)));
        assert_eq!(row("IdleLockMinutes", false).map(|e| e.applies), Some(true));
        assert!(row("LogLevel", false).is_none() && v.problems[0].starts_with("LogLevel: \"loud\""), "{v:?}");
        assert_eq!(v.turned_off, vec!["ExportEnabled".to_string()]);
        assert_eq!(v.managed, vec!["ExportEnabled".to_string(), "Locale".to_string()]);
    }
}
