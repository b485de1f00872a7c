//! The policy templates: what IT deploys policies with, generated from the one source the app
//! itself checks values against (`packaging/policy/policies.schema.json`, embedded in the core as `policy::SCHEMA`) and
//! the policies' names and explanations in `locales/*/policy.ftl`:
//!
//! - `packaging/policy/windows/banyan.admx` and `…/{en-US,zh-CN}/banyan.adml`: Group Policy
//!   templates, each key as a mandatory policy (`Software\Policies\BanyanCRM\Banyan`) and a
//!   recommended one (`…\Recommended`);
//! - `packaging/policy/macos/com.banyancrm.desktop.mobileconfig`: a sample configuration profile
//!   (its keys are forced, so mandatory);
//! - `packaging/policy/policies.sample.json`: a sample `/etc/banyan/policies.json`;
//! - `packaging/policy/reference.md`: the reference page.
//!
//! The files are committed; a test fails when they differ from what this generates (drift), so a
//! key added to the schema reaches every template in the same change.

use crate::nest;
use banyan::i18n::{Lang, Localizer};
use banyan::policy::{KeySpec, keys};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use serde_json::Value;
use std::io;
use std::path::PathBuf;

/// The registry key of mandatory policies (HKLM, then HKCU); recommended ones are under
/// `Recommended` beneath it.
pub const REGISTRY_KEY: &str = banyan::policy::REGISTRY_KEY;
/// The macOS preference domain: the app's bundle identifier.
pub const DOMAIN: &str = crate::linux::APP_ID;
/// The ADMX namespace.
const NAMESPACE: &str = "BanyanCRM.Policies.Banyan";
const PD: &str = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions";
/// The root element's attributes, the same in the ADMX and the ADMLs.
const ROOT_ATTRIBUTES: [(&str, &str); 5] = [
    ("xmlns:xsd", "http://www.w3.org/2001/XMLSchema"),
    ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
    ("revision", "1.0"),
    ("schemaVersion", "1.0"),
    ("xmlns", PD),
];
/// The Group Policy categories, in the order the editor shows them.
pub const CATEGORIES: [&str; 5] = ["General", "Data", "Security", "Updates", "Backups"];

/// Every generated file: its path under the repository and its text.
pub fn generate() -> Result<Vec<(PathBuf, String)>, String> {
    let mut out = vec![(PathBuf::from("packaging/policy/windows/banyan.admx"), admx().map_err(|e| e.to_string())?)];
    for lang in Lang::ALL {
        let path = format!("packaging/policy/windows/{}/banyan.adml", lang.tag());
        out.push((PathBuf::from(path), adml(lang)?));
    }
    out.push((PathBuf::from(format!("packaging/policy/macos/{DOMAIN}.mobileconfig")), mobileconfig()?));
    out.push((PathBuf::from("packaging/policy/policies.sample.json"), sample_json()));
    out.push((PathBuf::from("packaging/policy/reference.md"), reference()?));
    Ok(out)
}

fn category(k: &KeySpec) -> &str {
    k.schema["x-category"].as_str().unwrap_or("General")
}

fn since(k: &KeySpec) -> &str {
    k.schema["x-since"].as_str().unwrap_or("0.1.0")
}

/// An id Group Policy takes (letters, digits, underscores).
fn gp_id(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

fn supported_id(version: &str) -> String {
    format!("SUPPORTED_v{}", gp_id(version))
}

/// The enum values a key takes, if it takes a fixed set of strings.
fn choices(k: &KeySpec) -> Option<Vec<&str>> {
    k.schema["enum"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect())
}

/// An object key's fields, with their schemas, in the schema's order.
fn fields(k: &KeySpec) -> Vec<(&str, &Value)> {
    k.schema["properties"].as_object().map(|o| o.iter().map(|(n, s)| (n.as_str(), s)).collect()).unwrap_or_default()
}

fn versions() -> Vec<&'static str> {
    let mut v: Vec<&str> = keys().iter().map(since).collect();
    v.sort();
    v.dedup();
    v
}

fn start(w: &mut Writer<Vec<u8>>) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
}

fn finish(w: Writer<Vec<u8>>) -> String {
    let mut text = String::from_utf8(w.into_inner()).expect("written from strings");
    text.push('\n');
    text
}

/// The ADMX: categories, the versions that read the keys, and each key twice (mandatory and
/// recommended). True/false keys are enabled/disabled (a DWORD of 1 or 0); numbers are DWORDs
/// within the schema's range; fixed choices are a drop-down of REG_SZ values; text is REG_SZ; an
/// object's fields are one DWORD each, named `Key.field` (what `policy::from_raw` reads back).
pub fn admx() -> io::Result<String> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    start(&mut w)?;
    w.create_element("policyDefinitions").with_attributes(ROOT_ATTRIBUTES).write_inner_content(|w| {
        nest(w, "policyNamespaces", |w| {
            w.create_element("target")
                .with_attributes([("prefix", "banyan"), ("namespace", NAMESPACE)])
                .write_empty()?;
            w.create_element("using")
                .with_attributes([("prefix", "windows"), ("namespace", "Microsoft.Policies.Windows")])
                .write_empty()?;
            Ok(())
        })?;
        w.create_element("resources").with_attribute(("minRequiredRevision", "1.0")).write_empty()?;
        nest(w, "supportedOn", |w| {
            nest(w, "definitions", |w| {
                for v in versions() {
                    let id = supported_id(v);
                    w.create_element("definition")
                        .with_attributes([("name", id.as_str()), ("displayName", &format!("$(string.{id})"))])
                        .write_empty()?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
        nest(w, "categories", |w| {
            for (top, prefix) in [("Banyan", ""), ("Recommended", "Recommended_")] {
                w.create_element("category")
                    .with_attributes([("name", top), ("displayName", &format!("$(string.Cat_{top})"))])
                    .write_empty()?;
                for c in CATEGORIES {
                    let name = format!("{prefix}{c}");
                    w.create_element("category")
                        .with_attributes([("name", name.as_str()), ("displayName", &format!("$(string.Cat_{c})"))])
                        .write_inner_content(|w| {
                            w.create_element("parentCategory").with_attribute(("ref", top)).write_empty()?;
                            Ok(())
                        })?;
                }
            }
            Ok(())
        })?;
        nest(w, "policies", |w| {
            for recommended in [false, true] {
                for k in keys() {
                    policy(w, k, recommended)?;
                }
            }
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(finish(w))
}

fn policy(w: &mut Writer<Vec<u8>>, k: &KeySpec, recommended: bool) -> io::Result<()> {
    let name = if recommended { format!("{}_recommended", k.name) } else { k.name.clone() };
    let key = if recommended { format!(r"{REGISTRY_KEY}\Recommended") } else { REGISTRY_KEY.to_string() };
    let category = if recommended { format!("Recommended_{}", category(k)) } else { category(k).to_string() };
    let display = format!("$(string.{})", k.name);
    let explain = format!("$(string.{}_Explain)", k.name);
    let presentation = format!("$(presentation.{})", k.name);
    let boolean = k.kind() == "boolean";
    let mut el = w.create_element("policy").with_attributes([
        ("name", name.as_str()),
        ("class", "Both"),
        ("displayName", &display),
        ("explainText", &explain),
    ]);
    if !boolean {
        el = el.with_attribute(("presentation", presentation.as_str()));
    }
    el = el.with_attribute(("key", key.as_str()));
    if boolean {
        el = el.with_attribute(("valueName", k.name.as_str()));
    }
    el.write_inner_content(|w| {
        w.create_element("parentCategory").with_attribute(("ref", category.as_str())).write_empty()?;
        w.create_element("supportedOn").with_attribute(("ref", supported_id(since(k)).as_str())).write_empty()?;
        let decimal = |w: &mut Writer<Vec<u8>>, value: &str| -> io::Result<()> {
            w.create_element("decimal").with_attribute(("value", value)).write_empty()?;
            Ok(())
        };
        if boolean {
            w.create_element("enabledValue").write_inner_content(|w| decimal(w, "1"))?;
            w.create_element("disabledValue").write_inner_content(|w| decimal(w, "0"))?;
            return Ok(());
        }
        nest(w, "elements", |w| {
            let number = |w: &mut Writer<Vec<u8>>, id: &str, value_name: &str, schema: &Value| -> io::Result<()> {
                let min = schema["minimum"].as_u64().unwrap_or(0).to_string();
                let max = schema["maximum"].as_u64().unwrap_or(u32::MAX as u64).to_string();
                w.create_element("decimal")
                    .with_attributes([
                        ("id", id),
                        ("valueName", value_name),
                        ("required", "true"),
                        ("minValue", &min),
                        ("maxValue", &max),
                    ])
                    .write_empty()?;
                Ok(())
            };
            match (k.kind(), choices(k)) {
                ("integer", _) => number(w, &k.name, &k.name, &k.schema)?,
                ("object", _) => {
                    for (field, schema) in fields(k) {
                        number(w, &format!("{}_{field}", k.name), &format!("{}.{field}", k.name), schema)?;
                    }
                }
                (_, Some(values)) => {
                    w.create_element("enum")
                        .with_attributes([("id", k.name.as_str()), ("valueName", &k.name), ("required", "true")])
                        .write_inner_content(|w| {
                            for v in values {
                                w.create_element("item")
                                    .with_attribute((
                                        "displayName",
                                        format!("$(string.{}_{})", k.name, gp_id(v)).as_str(),
                                    ))
                                    .write_inner_content(|w| {
                                        nest(w, "value", |w| {
                                            w.create_element("string").write_text_content(BytesText::new(v))?;
                                            Ok(())
                                        })?;
                                        Ok(())
                                    })?;
                            }
                            Ok(())
                        })?;
                }
                _ => {
                    w.create_element("text")
                        .with_attributes([
                            ("id", k.name.as_str()),
                            ("valueName", &k.name),
                            ("required", "true"),
                            ("maxLength", "1024"),
                        ])
                        .write_empty()?;
                }
            }
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

/// A message of policy.ftl in `lang`, which must have it (no silent English in a Chinese ADML).
fn msg(l: &Localizer, id: &str, args: &[(&str, String)]) -> Result<String, String> {
    if !l.has(id) {
        return Err(format!("locales/{}/policy.ftl has no {id}", l.lang().tag()));
    }
    Ok(l.format(id, args))
}

/// One box of a presentation: its element (`decimalTextBox`, `dropdownList`, `textBox`), the
/// ADMX element it fills, its label and its default (a number, or a drop-down's item index).
type PresentationBox = (&'static str, String, String, Option<String>);

/// The ADML of one language: every string and presentation the ADMX names.
pub fn adml(lang: Lang) -> Result<String, String> {
    let l = Localizer::new(lang);
    let mut strings: Vec<(String, String)> = vec![
        ("Cat_Banyan".into(), msg(&l, "policy-category-Banyan", &[])?),
        ("Cat_Recommended".into(), msg(&l, "policy-category-Recommended", &[])?),
    ];
    for c in CATEGORIES {
        strings.push((format!("Cat_{c}"), msg(&l, &format!("policy-category-{c}"), &[])?));
    }
    for v in versions() {
        strings.push((supported_id(v), msg(&l, "policy-templates-supported", &[("version", v.to_string())])?));
    }
    for k in keys() {
        let n = &k.name;
        strings.push((n.clone(), msg(&l, &format!("policy-name-{n}"), &[])?));
        strings.push((format!("{n}_Explain"), msg(&l, &format!("policy-explain-{n}"), &[])?));
        for v in choices(k).unwrap_or_default() {
            strings.push((format!("{n}_{}", gp_id(v)), msg(&l, &format!("policy-value-{n}-{v}"), &[])?));
        }
    }
    // The presentations: what the editor shows for a key that takes a value.
    let mut presentations: Vec<(String, Vec<PresentationBox>)> = Vec::new();
    for k in keys() {
        let n = &k.name;
        let default = k.schema["x-default"].clone();
        let boxes = match (k.kind(), choices(k)) {
            ("boolean", _) => continue,
            ("integer", _) => {
                vec![(
                    "decimalTextBox",
                    n.clone(),
                    msg(&l, &format!("policy-label-{n}"), &[])?,
                    default.as_u64().map(|d| d.to_string()),
                )]
            }
            ("object", _) => fields(k)
                .into_iter()
                .map(|(f, _)| {
                    let label = msg(&l, &format!("policy-label-{n}-{f}"), &[])?;
                    Ok(("decimalTextBox", format!("{n}_{f}"), label, default[f].as_u64().map(|d| d.to_string())))
                })
                .collect::<Result<_, String>>()?,
            (_, Some(values)) => {
                let item = default.as_str().and_then(|d| values.iter().position(|v| *v == d)).map(|i| i.to_string());
                vec![("dropdownList", n.clone(), msg(&l, &format!("policy-label-{n}"), &[])?, item)]
            }
            _ => vec![("textBox", n.clone(), msg(&l, &format!("policy-label-{n}"), &[])?, None)],
        };
        presentations.push((n.clone(), boxes));
    }
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let title = msg(&l, "policy-templates-title", &[])?;
    let description = msg(&l, "policy-templates-description", &[])?;
    let written = (|| -> io::Result<()> {
        start(&mut w)?;
        w.create_element("policyDefinitionResources").with_attributes(ROOT_ATTRIBUTES).write_inner_content(|w| {
            w.create_element("displayName").write_text_content(BytesText::new(&title))?;
            w.create_element("description").write_text_content(BytesText::new(&description))?;
            nest(w, "resources", |w| {
                nest(w, "stringTable", |w| {
                    for (id, text) in &strings {
                        w.create_element("string")
                            .with_attribute(("id", id.as_str()))
                            .write_text_content(BytesText::new(text))?;
                    }
                    Ok(())
                })?;
                nest(w, "presentationTable", |w| {
                    for (id, boxes) in &presentations {
                        w.create_element("presentation").with_attribute(("id", id.as_str())).write_inner_content(
                            |w| {
                                for (kind, ref_id, label, default) in boxes {
                                    let mut el = w.create_element(*kind).with_attribute(("refId", ref_id.as_str()));
                                    match (*kind, default) {
                                        ("decimalTextBox", Some(d)) => {
                                            el = el.with_attribute(("defaultValue", d.as_str()));
                                        }
                                        ("dropdownList", d) => {
                                            el = el.with_attribute(("noSort", "true"));
                                            if let Some(d) = d {
                                                el = el.with_attribute(("defaultItem", d.as_str()));
                                            }
                                        }
                                        _ => {}
                                    }
                                    if *kind == "textBox" {
                                        el.write_inner_content(|w| {
                                            w.create_element("label").write_text_content(BytesText::new(label))?;
                                            Ok(())
                                        })?;
                                    } else {
                                        el.write_text_content(BytesText::new(label))?;
                                    }
                                }
                                Ok(())
                            },
                        )?;
                    }
                    Ok(())
                })?;
                Ok(())
            })?;
            Ok(())
        })?;
        Ok(())
    })();
    written.map_err(|e| e.to_string())?;
    Ok(finish(w))
}

/// A profile's UUID, the same at every generation (drift would flag a random one).
fn payload_uuid(what: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("https://banyancrm.com/policy/{what}").as_bytes())
        .to_string()
        .to_uppercase()
}

/// A value of the schema's examples as a property list value.
fn plist_value(v: &Value) -> plist::Value {
    match v {
        Value::Bool(b) => plist::Value::Boolean(*b),
        Value::Number(n) => plist::Value::Integer(n.as_i64().unwrap_or_default().into()),
        Value::String(s) => plist::Value::String(s.clone()),
        Value::Object(o) => plist::Value::Dictionary(o.iter().map(|(k, v)| (k.clone(), plist_value(v))).collect()),
        Value::Array(a) => plist::Value::Array(a.iter().map(plist_value).collect()),
        Value::Null => plist::Value::String(String::new()),
    }
}

/// The sample configuration profile: one payload of the app's domain holding each key's example
/// (a profile's keys are forced: mandatory).
pub fn mobileconfig() -> Result<String, String> {
    let l = Localizer::new(Lang::EnUs);
    let mut settings = plist::Dictionary::new();
    settings.insert("PayloadType".into(), DOMAIN.into());
    settings.insert("PayloadIdentifier".into(), format!("{DOMAIN}.policies.settings").into());
    settings.insert("PayloadUUID".into(), payload_uuid("profile/settings").into());
    settings.insert("PayloadVersion".into(), 1.into());
    settings.insert("PayloadDisplayName".into(), msg(&l, "policy-templates-title", &[])?.into());
    for k in keys() {
        settings.insert(k.name.clone(), plist_value(&k.schema["x-example"]));
    }
    let mut profile = plist::Dictionary::new();
    profile.insert("PayloadContent".into(), plist::Value::Array(vec![plist::Value::Dictionary(settings)]));
    profile.insert("PayloadDescription".into(), msg(&l, "policy-templates-description", &[])?.into());
    profile.insert("PayloadDisplayName".into(), "Banyan CRM policies (sample)".into());
    profile.insert("PayloadIdentifier".into(), format!("{DOMAIN}.policies").into());
    profile.insert("PayloadOrganization".into(), "Banyan CRM".into());
    profile.insert("PayloadScope".into(), "System".into());
    profile.insert("PayloadType".into(), "Configuration".into());
    profile.insert("PayloadUUID".into(), payload_uuid("profile").into());
    profile.insert("PayloadVersion".into(), 1.into());
    let mut out = Vec::new();
    plist::Value::Dictionary(profile).to_writer_xml(&mut out).map_err(|e| e.to_string())?;
    let mut text = String::from_utf8(out).map_err(|e| e.to_string())?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// A sample `/etc/banyan/policies.json`: the general keys recommended, the others mandatory,
/// each with its example.
pub fn sample_json() -> String {
    let mut policies = serde_json::Map::new();
    let mut recommended = serde_json::Map::new();
    for k in keys() {
        let into = if category(k) == "General" { &mut recommended } else { &mut policies };
        into.insert(k.name.clone(), k.schema["x-example"].clone());
    }
    let doc = serde_json::json!({ "policies": policies, "recommended": recommended });
    serde_json::to_string_pretty(&doc).expect("JSON serializes") + "\n"
}

/// What a key takes, for the reference page.
fn takes(k: &KeySpec) -> String {
    match (k.kind(), choices(k)) {
        ("boolean", _) => "`true` / `false` (registry: DWORD 1 / 0)".into(),
        ("integer", _) => format!(
            "whole number {}–{} (registry: DWORD)",
            k.schema["minimum"].as_u64().unwrap_or(0),
            k.schema["maximum"].as_u64().unwrap_or(u32::MAX as u64)
        ),
        ("object", _) => {
            let names: Vec<String> = fields(k).iter().map(|(f, _)| format!("`{f}`")).collect();
            format!(
                "object with {} (registry: one DWORD each, named `{}.<field>`); {}",
                names.join(", "),
                k.name,
                k.expected
            )
        }
        (_, Some(values)) => {
            let v: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
            format!("one of {} (registry: REG_SZ)", v.join(", "))
        }
        _ => format!("{} (registry: REG_SZ)", k.expected),
    }
}

/// The reference page: where policies are read, which wins, and every key.
pub fn reference() -> Result<String, String> {
    let en = Localizer::new(Lang::EnUs);
    let zh = Localizer::new(Lang::ZhCn);
    let mut md = String::from(
        "<!-- Generated by `cargo xtask policy` from packaging/policy/policies.schema.json and \
         locales/*/policy.ftl; edit those, not this page. -->\n\n# Banyan CRM policies\n\n",
    );
    md.push_str(&format!(
        "Policies are settings IT sets for every desktop. The same names work on every system:\n\n\
         - **Windows**: registry values under `HKLM\\{REGISTRY_KEY}` (mandatory) and \
         `HKLM\\{REGISTRY_KEY}\\Recommended`, then the same under `HKCU`; Group Policy templates in \
         `packaging/policy/windows` (copy `banyan.admx` and the language folders into \
         `PolicyDefinitions`).\n\
         - **macOS**: the preference domain `{DOMAIN}` from a configuration profile (forced keys are \
         mandatory, others recommended); a sample profile in `packaging/policy/macos`.\n\
         - **Linux**: `/etc/banyan/policies.json` with a `policies` object (mandatory) and a \
         `recommended` one, owned by root and not writable by others, at most 1 MB; a sample in \
         `packaging/policy/policies.sample.json`.\n\n\
         Which wins: a mandatory policy, then the command line or environment, then the user's own \
         setting, then a recommended policy, then the built-in default. A value that is not what its \
         key takes is ignored (never clamped or guessed) and named in `banyan policy show`, in Settings \
         and in the log; `banyan policy check FILE` checks a file before rollout. An unknown key is \
         ignored with the nearest known name offered.\n\n\
         Policies configure Banyan; they do not guard against a user who holds the book's key.\n\n"
    ));
    for c in CATEGORIES {
        md.push_str(&format!("## {}\n\n", msg(&en, &format!("policy-category-{c}"), &[])?));
        md.push_str("| Key | 中文 | Takes | Default | Since | What it does |\n|---|---|---|---|---|---|\n");
        for k in keys().iter().filter(|k| category(k) == c) {
            let default = match &k.schema["x-default"] {
                Value::String(s) if !s.contains(' ') => format!("`{s}`"),
                Value::String(s) => s.clone(),
                v => format!("`{v}`"),
            };
            md.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} |\n",
                k.name,
                msg(&zh, &format!("policy-name-{}", k.name), &[])?,
                takes(k).replace('|', "\\|"),
                default.replace('|', "\\|"),
                since(k),
                msg(&en, &format!("policy-explain-{}", k.name), &[])?.replace('|', "\\|")
            ));
        }
        md.push('\n');
    }
    Ok(md)
}
