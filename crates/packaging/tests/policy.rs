//! The generated templates are what the schema makes (no drift), are well-formed and complete
//! (every string and presentation the ADMX names is in both ADMLs), and what IT sets with them
//! reaches the app's own parser as valid values.

use banyan::policy::{Raw, from_raw, from_sources, keys, read};
use banyan_packaging::policy::{DOMAIN, generate};
use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn committed(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_committed_templates_are_what_the_schema_and_the_locales_make() {
    for (path, text) in generate().unwrap() {
        let on_disk = std::fs::read_to_string(root().join(&path)).unwrap_or_default();
        assert!(on_disk == text, "{} is stale: run `cargo xtask policy` and commit it", path.display());
    }
}

/// An element: its name, attributes and children (text is kept when it is all there is).
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Node>,
    text: String,
}

impl Node {
    fn all<'a>(&'a self, name: &str, out: &mut Vec<&'a Node>) {
        if self.name == name {
            out.push(self);
        }
        for c in &self.children {
            c.all(name, out);
        }
    }

    fn find(&self, name: &str) -> Vec<&Node> {
        let mut out = Vec::new();
        self.all(name, &mut out);
        out
    }

    fn attr(&self, a: &str) -> &str {
        self.attrs.get(a).map(String::as_str).unwrap_or("")
    }
}

fn parse(text: &str) -> Node {
    let mut reader = Reader::from_str(text);
    let mut stack = vec![Node::default()];
    let node = |e: &quick_xml::events::BytesStart| Node {
        name: e.local_name().as_ref().to_string(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (a.key.as_ref().to_string(), quick_xml::escape::unescape(&a.value).unwrap().to_string())
            })
            .collect(),
        ..Node::default()
    };
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => stack.push(node(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(node(&e)),
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let text = quick_xml::escape::unescape(&format!("&{};", r.as_ref() as &str)).unwrap().to_string();
                stack.last_mut().unwrap().text.push_str(&text);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    stack.pop().unwrap().children.pop().expect("a root element")
}

/// `$(string.X)` / `$(presentation.X)` references in an attribute.
fn reference<'a>(value: &'a str, kind: &str) -> Option<&'a str> {
    value.strip_prefix(&format!("$({kind}.")).and_then(|v| v.strip_suffix(')'))
}

#[test]
fn the_admx_and_both_admls_are_well_formed_and_name_the_same_strings_and_presentations() {
    let files = [
        "packaging/policy/windows/banyan.admx",
        "packaging/policy/windows/en-US/banyan.adml",
        "packaging/policy/windows/zh-CN/banyan.adml",
    ];
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .args(files.iter().map(|f| root().join(f)))
        .output()
        .expect("xmllint (libxml2-utils, which `cargo xtask test` installs)");
    assert!(out.status.success(), "xmllint: {}", String::from_utf8_lossy(&out.stderr));

    let admx = parse(&committed(files[0]));
    assert_eq!(admx.name, "policyDefinitions");
    let categories: BTreeSet<&str> = admx.find("category").iter().map(|c| c.attr("name")).collect();
    for p in admx.find("parentCategory") {
        assert!(categories.contains(p.attr("ref")), "category {} is not defined", p.attr("ref"));
    }
    let supported: BTreeSet<&str> = admx.find("definition").iter().map(|d| d.attr("name")).collect();
    let mut strings = BTreeSet::new();
    let mut presentations: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let policies = admx.find("policy");
    let names: BTreeSet<&str> = policies.iter().map(|p| p.attr("name")).collect();
    assert_eq!(names.len(), policies.len(), "policy names are unique");
    for k in keys() {
        assert!(names.contains(k.name.as_str()), "{} has no mandatory policy", k.name);
        assert!(names.contains(format!("{}_recommended", k.name).as_str()), "{} has no recommended policy", k.name);
    }
    for node in admx.find("category").into_iter().chain(admx.find("definition")).chain(admx.find("item")) {
        strings.insert(reference(node.attr("displayName"), "string").unwrap().to_string());
    }
    for p in &policies {
        strings.insert(reference(p.attr("displayName"), "string").unwrap().to_string());
        strings.insert(reference(p.attr("explainText"), "string").unwrap().to_string());
        let key = p.attr("key");
        let recommended = p.attr("name").ends_with("_recommended");
        assert_eq!(key.ends_with(r"\Recommended"), recommended, "{}: {key}", p.attr("name"));
        assert!(key.starts_with(r"Software\Policies\BanyanCRM\Banyan"), "{key}");
        for s in p.find("supportedOn") {
            assert!(supported.contains(s.attr("ref")), "{}", s.attr("ref"));
        }
        let ids: BTreeSet<String> =
            p.find("elements").iter().flat_map(|e| e.children.iter().map(|c| c.attr("id").to_string())).collect();
        match reference(p.attr("presentation"), "presentation") {
            Some(id) => {
                assert!(!ids.is_empty(), "{} has a presentation and no elements", p.attr("name"));
                let had = presentations.insert(id.to_string(), ids.clone());
                assert!(had.is_none_or(|h| h == ids), "{id}: two policies with other elements");
            }
            None => assert!(
                ids.is_empty()
                    && !p.find("enabledValue").is_empty()
                    && p.attr("valueName") == p.attr("name").trim_end_matches("_recommended"),
                "{} takes no value but is not an on/off policy",
                p.attr("name")
            ),
        }
    }
    let mut seen: Option<(BTreeSet<String>, BTreeSet<String>)> = None;
    for file in &files[1..] {
        let adml = parse(&committed(file));
        assert_eq!(adml.name, "policyDefinitionResources");
        let ids: BTreeSet<String> = adml.find("string").iter().map(|s| s.attr("id").to_string()).collect();
        for s in adml.find("string") {
            assert!(!s.text.trim().is_empty(), "{file}: string {} is empty", s.attr("id"));
        }
        let missing: Vec<&String> = strings.difference(&ids).collect();
        assert!(missing.is_empty(), "{file} lacks strings {missing:?}");
        let mut shown = BTreeSet::new();
        for p in adml.find("presentation") {
            let id = p.attr("id").to_string();
            let refs: BTreeSet<String> = p.children.iter().map(|c| c.attr("refId").to_string()).collect();
            assert_eq!(presentations.get(&id), Some(&refs), "{file}: presentation {id} and its policy's elements");
            for c in &p.children {
                let label = if c.name == "textBox" { c.find("label")[0].text.clone() } else { c.text.clone() };
                assert!(!label.trim().is_empty(), "{file}: {id}/{} has no label", c.attr("refId"));
            }
            shown.insert(id);
        }
        assert_eq!(shown, presentations.keys().cloned().collect(), "{file}: presentations");
        if let Some((s, p)) = &seen {
            assert_eq!((s, p), (&ids, &shown), "both ADMLs hold the same ids");
        }
        seen = Some((ids, shown));
    }
    assert!(
        committed(files[2]).contains("<string id=\"ExportEnabled\">允许导出</string>"),
        "the Chinese ADML is Chinese"
    );
}

/// What the Group Policy editor writes for a policy set to `value`: the values an enabled policy
/// of the ADMX puts in the registry, read back as the registry reader hands them over.
fn registry_values(policy: &Node, value: &Value) -> Vec<(String, Raw)> {
    if !policy.find("enabledValue").is_empty() {
        let on = value.as_bool().unwrap();
        return vec![(policy.attr("valueName").to_string(), Raw::Int(on as i64))];
    }
    let mut out = Vec::new();
    for e in policy.find("elements")[0].children.iter() {
        let name = e.attr("valueName").to_string();
        let v = match name.split_once('.') {
            Some((_, field)) => &value[field],
            None => value,
        };
        out.push(match e.name.as_str() {
            "decimal" => {
                let n = v.as_u64().unwrap();
                assert!(n >= e.attr("minValue").parse().unwrap() && n <= e.attr("maxValue").parse().unwrap());
                (name, Raw::Int(n as i64))
            }
            "enum" => {
                let offered: Vec<&str> = e.find("string").iter().map(|s| s.text.as_str()).collect();
                assert!(offered.contains(&v.as_str().unwrap()), "{name}: {v} is not offered");
                (name, Raw::Text(v.as_str().unwrap().to_string()))
            }
            "text" => (name, Raw::Text(v.as_str().unwrap().to_string())),
            other => panic!("{other}: an element the registry reader was not written for"),
        });
    }
    out
}

#[test]
fn what_the_templates_set_reaches_the_apps_parser_as_valid_values() {
    // Group Policy: every policy set to its example, mandatory and recommended.
    let admx = parse(&committed("packaging/policy/windows/banyan.admx"));
    let (mut mandatory, mut recommended) = (Vec::new(), Vec::new());
    for p in admx.find("policy") {
        let name = p.attr("name");
        let key = name.trim_end_matches("_recommended");
        let example = &keys().iter().find(|k| k.name == key).unwrap().schema["x-example"];
        let values = registry_values(p, example);
        if name.ends_with("_recommended") { &mut recommended } else { &mut mandatory }.extend(values);
    }
    let p = from_sources(vec![("HKLM".into(), from_raw(mandatory), from_raw(recommended))]);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    for k in keys() {
        assert_eq!(p.mandatory.get(&k.name), Some(&k.schema["x-example"]), "{} (mandatory)", k.name);
        assert_eq!(p.recommended.get(&k.name), Some(&k.schema["x-example"]), "{} (recommended)", k.name);
    }

    // The sample profile: it parses, its UUIDs are unique, and its keys pass as forced values.
    let profile: plist::Value =
        plist::from_bytes(committed(&format!("packaging/policy/macos/{DOMAIN}.mobileconfig")).as_bytes()).unwrap();
    let top = profile.as_dictionary().unwrap();
    assert_eq!(top["PayloadType"].as_string(), Some("Configuration"));
    let content = top["PayloadContent"].as_array().unwrap();
    let mut uuids = vec![top["PayloadUUID"].as_string().unwrap()];
    let settings = content[0].as_dictionary().unwrap();
    assert_eq!(settings["PayloadType"].as_string(), Some(DOMAIN));
    uuids.push(settings["PayloadUUID"].as_string().unwrap());
    for u in &uuids {
        uuid::Uuid::parse_str(u).unwrap();
    }
    assert_eq!(uuids.iter().collect::<BTreeSet<_>>().len(), uuids.len(), "PayloadUUIDs are unique");
    fn raw(v: &plist::Value) -> Raw {
        match v {
            plist::Value::Boolean(b) => Raw::Bool(*b),
            plist::Value::Integer(i) => Raw::Int(i.as_signed().unwrap()),
            plist::Value::String(s) => Raw::Text(s.clone()),
            plist::Value::Dictionary(d) => Raw::Dict(d.iter().map(|(k, v)| (k.clone(), raw(v))).collect()),
            other => panic!("{other:?}"),
        }
    }
    let forced = from_raw(settings.iter().filter(|(k, _)| !k.starts_with("Payload")).map(|(k, v)| (k.clone(), raw(v))));
    let p = from_sources(vec![(DOMAIN.into(), forced, Vec::new())]);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.mandatory.len(), keys().len());

    // The sample policies.json, read as the app reads /etc/banyan/policies.json.
    let p = read(&root().join("packaging/policy/policies.sample.json"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.mandatory.len() + p.recommended.len(), keys().len());
}
