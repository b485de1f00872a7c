//! Where Windows and macOS keep IT's policies for Banyan, read as raw values (the core's
//! `policy::from_raw` turns them into the policy file's JSON and checks them against the schema):
//!
//! - Windows: the registry, `HKLM` then `HKCU`, each `Software\Policies\BanyanCRM\Banyan`
//!   (mandatory) and its `Recommended` subkey, as Group Policy writes them with Banyan's ADMX
//!   templates (DWORD, QWORD, REG_SZ, REG_EXPAND_SZ; other types are skipped);
//! - macOS: the preferences of the domain `com.banyancrm.desktop`, a configuration profile's
//!   forced values mandatory and the others recommended (booleans, integers, strings,
//!   dictionaries);
//! - elsewhere nothing (Linux reads `/etc/banyan/policies.json`).

/// A value as the OS holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    Bool(bool),
    Int(i64),
    Text(String),
    Dict(Vec<(String, Raw)>),
}

/// One source: its name (for the problems Banyan reports), its mandatory values, its recommended
/// values.
pub type Source = (String, Vec<(String, Raw)>, Vec<(String, Raw)>);

/// The registry key Group Policy writes Banyan's policies to (the ADMX templates name it too).
pub const REGISTRY_KEY: &str = r"Software\Policies\BanyanCRM\Banyan";
/// The app's identifier (Tauri's `identifier`), which is its macOS preference domain; defined here,
/// the crate every other one reaches, and named `banyan::home::APP_ID` elsewhere.
pub const DOMAIN: &str = "com.banyancrm.desktop";

/// The policies this OS holds for Banyan, strongest source first (`keys`: every policy's name,
/// for the sources that are asked key by key). Empty where the OS keeps none.
pub fn sources(keys: &[&str]) -> Vec<Source> {
    let _ = keys;
    #[cfg(windows)]
    return windows::sources();
    #[cfg(target_os = "macos")]
    return macos::sources(keys);
    #[cfg(not(any(windows, target_os = "macos")))]
    Vec::new()
}

#[cfg(windows)]
mod windows {
    use super::{REGISTRY_KEY, Raw, Source};
    use windows_registry::{CURRENT_USER, Key, LOCAL_MACHINE, Type};

    fn values(root: &Key, path: &str) -> Vec<(String, Raw)> {
        let Ok(key) = root.open(path) else { return Vec::new() };
        let Ok(values) = key.values() else { return Vec::new() };
        values
            .filter_map(|(name, value)| {
                let raw = match value.ty() {
                    Type::U32 => Raw::Int(i64::from(u32::try_from(value).ok()?)),
                    Type::U64 => Raw::Int(i64::try_from(u64::try_from(value).ok()?).ok()?),
                    Type::String | Type::ExpandString => Raw::Text(String::try_from(value).ok()?),
                    _ => return None,
                };
                Some((name, raw))
            })
            .collect()
    }

    pub fn sources() -> Vec<Source> {
        [(LOCAL_MACHINE, "HKLM"), (CURRENT_USER, "HKCU")]
            .into_iter()
            .map(|(root, hive)| {
                (
                    format!(r"{hive}\{REGISTRY_KEY}"),
                    values(root, REGISTRY_KEY),
                    values(root, &format!(r"{REGISTRY_KEY}\Recommended")),
                )
            })
            .collect()
    }
}

#[cfg(target_os = "macos")]
mod macos {
    use super::{DOMAIN, Raw, Source};
    use core_foundation::base::{CFType, TCFType};
    use core_foundation::boolean::CFBoolean;
    use core_foundation::dictionary::CFDictionary;
    use core_foundation::number::CFNumber;
    use core_foundation::string::CFString;
    use core_foundation_sys::preferences::{CFPreferencesAppValueIsForced, CFPreferencesCopyAppValue};

    fn raw(v: &CFType) -> Option<Raw> {
        if let Some(b) = v.downcast::<CFBoolean>() {
            return Some(Raw::Bool(b.into()));
        }
        if let Some(n) = v.downcast::<CFNumber>() {
            return n.to_i64().map(Raw::Int);
        }
        if let Some(s) = v.downcast::<CFString>() {
            return Some(Raw::Text(s.to_string()));
        }
        let d = v.downcast::<CFDictionary>()?;
        let (keys, values) = d.get_keys_and_values();
        let mut out = Vec::new();
        for (k, v) in keys.into_iter().zip(values) {
            // SAFETY: the dictionary is alive and holds CF objects; the get rule retains each.
            let (k, v) = unsafe { (CFType::wrap_under_get_rule(k as _), CFType::wrap_under_get_rule(v as _)) };
            out.push((k.downcast::<CFString>()?.to_string(), raw(&v)?));
        }
        Some(Raw::Dict(out))
    }

    /// `key`'s value in the domain and whether a profile forces it.
    fn value(key: &str, domain: &CFString) -> Option<(Raw, bool)> {
        let k = CFString::new(key);
        // SAFETY: both strings outlive the calls; a non-null result is ours to release (the
        // create rule).
        let ptr = unsafe { CFPreferencesCopyAppValue(k.as_concrete_TypeRef(), domain.as_concrete_TypeRef()) };
        if ptr.is_null() {
            return None;
        }
        let v = unsafe { CFType::wrap_under_create_rule(ptr) };
        let forced =
            unsafe { CFPreferencesAppValueIsForced(k.as_concrete_TypeRef(), domain.as_concrete_TypeRef()) } != 0;
        Some((raw(&v)?, forced))
    }

    pub fn sources(keys: &[&str]) -> Vec<Source> {
        let domain = CFString::new(DOMAIN);
        let (mut mandatory, mut recommended) = (Vec::new(), Vec::new());
        for key in keys {
            if let Some((v, forced)) = value(key, &domain) {
                if forced { &mut mandatory } else { &mut recommended }.push((key.to_string(), v));
            }
        }
        vec![(DOMAIN.to_string(), mandatory, recommended)]
    }
}
