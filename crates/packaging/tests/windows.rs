//! The Windows and macOS packages as far as they can be checked on Linux: the platform
//! configurations load with Tauri's own config types (merged over tauri.conf.json the way the
//! bundler merges them) and hold what IT relies on, and the MSI template, rendered the way Tauri's
//! bundler renders it, installs per machine with no HKCU key path, nothing downloaded, no reboot
//! and a launch condition naming the WebView2 runtime. (`.github/workflows/release.yml` builds
//! and installs them on Windows and macOS.)

use quick_xml::events::Event;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tauri_utils::config::{Config, NSISInstallerMode, WebviewInstallMode};
use tauri_utils::platform::Target;

fn src_tauri() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src-tauri")
}

fn config(target: Target) -> Config {
    let (value, files) = tauri_utils::config::parse::read_from(target, &src_tauri()).expect("the configuration reads");
    assert_eq!(files.len(), 2, "no platform file merged for {target:?}: {files:?}");
    serde_json::from_value(value).unwrap_or_else(|e| panic!("Tauri refuses the {target:?} configuration: {e}"))
}

#[test]
fn the_windows_configuration_pins_the_upgrade_code_and_installs_without_downloads() {
    let c = config(Target::Windows);
    let w = &c.bundle.windows;
    let wix = w.wix.as_ref().expect("a WiX section");
    // Pinned to the value Tauri derived before it was written down (`tauri inspect
    // wix-upgrade-code`: a v5 UUID of "<productName>.exe.app.x64"), so installed copies upgrade.
    let derived = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_DNS, b"Banyan.exe.app.x64");
    assert_eq!(wix.upgrade_code, Some(derived));
    assert_eq!(c.product_name.as_deref(), Some("Banyan"), "the product name the upgrade code was derived from");
    assert!(matches!(w.webview_install_mode, WebviewInstallMode::Skip), "{:?}", w.webview_install_mode);
    assert!(!w.allow_downgrades);
    let template = src_tauri().join(wix.template.as_ref().expect("Banyan's own MSI template"));
    assert!(template.is_file(), "{}", template.display());
    let nsis = w.nsis.as_ref().expect("an NSIS section");
    assert!(matches!(nsis.install_mode, NSISInstallerMode::CurrentUser), "the setup.exe is per user");
    // Banyan's strings (tests/nsis.rs), whose "delete app data" box names the customer book.
    let strings = nsis.custom_language_files.as_ref().expect("Banyan's NSIS strings");
    for lang in ["English", "SimpChinese"] {
        let file = src_tauri().join(strings.get(lang).unwrap_or_else(|| panic!("no {lang} strings")));
        assert!(file.is_file(), "{}", file.display());
    }
    // MSI versions: major and minor at most 255, build at most 65535.
    let v: Vec<u32> = c.version.as_deref().unwrap().split('.').map(|p| p.parse().unwrap()).collect();
    assert!(v.len() == 3 && v[0] <= 255 && v[1] <= 255 && v[2] <= 65535, "{v:?}");
    let targets = serde_json::to_string(&c.bundle.targets).unwrap();
    assert!(targets.contains("msi") && targets.contains("nsis"), "{targets}");
    // The CLI goes beside the app.
    let resources = serde_json::to_string(&c.bundle.resources).unwrap();
    assert!(resources.contains("banyan.exe"), "{resources}");
}

#[test]
fn the_macos_configuration_loads() {
    let c = config(Target::MacOS);
    let targets = serde_json::to_string(&c.bundle.targets).unwrap();
    assert!(targets.contains("app") && targets.contains("dmg"), "{targets}");
    assert_eq!(c.identifier, banyan_packaging::linux::APP_ID);
    assert!(c.bundle.macos.minimum_system_version.is_some());
}

/// The template rendered with the fields Tauri's bundler passes (strict: a field it does not pass
/// fails), with one extra binary and one resource.
fn rendered() -> String {
    let text = std::fs::read_to_string(src_tauri().join("../packaging/windows/banyan.wxs")).unwrap();
    let mut h = handlebars::Handlebars::new();
    h.set_strict_mode(true);
    h.register_escape_fn(handlebars::no_escape);
    let data = serde_json::json!({
        "product_name": "Banyan",
        "manufacturer": "Banyan CRM",
        "version": "0.1.0",
        "upgrade_code": "bdf8fd52-668f-5465-ab56-907187aa65a7",
        "icon_path": "C:\\build\\icon.ico",
        "main_binary_path": "C:\\build\\banyan-desktop.exe",
        "path_component_guid": "3C5A1D7E-0F55-4D2E-9B7F-2E1E9C7D6A10",
        "homepage": "https://banyancrm.com",
        "binaries": [{"id": "Helper", "guid": "0E1F2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B", "path": "C:\\build\\helper.exe"}],
        "resources": "<Component Id=\"I0a1b2c\" Guid=\"A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF\" Win64=\"yes\"><File Id=\"PathFile_I0a1b2c\" Source=\"C:\\build\\banyan.exe\" KeyPath=\"yes\" /></Component>",
        "resource_file_ids": ["I0a1b2c"],
        "component_group_refs": [],
        "component_refs": [],
        "feature_group_refs": [],
        "feature_refs": [],
        "merge_refs": [],
    });
    h.render_template(&text, &data).expect("the template renders with Tauri's fields")
}

type Element = (String, BTreeMap<String, String>, String);

/// Every element of `xml` with its attributes and text, in document order.
fn elements(xml: &str) -> Vec<Element> {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut out: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    loop {
        match r.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                out.push(element(&e));
                open.push(out.len() - 1);
            }
            Event::Empty(e) => out.push(element(&e)),
            Event::End(_) => {
                open.pop();
            }
            Event::Text(t) => {
                if let Some(&i) = open.last() {
                    out[i].2.push_str(&t.xml10_content());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn element(e: &quick_xml::events::BytesStart<'_>) -> Element {
    let attrs = e
        .attributes()
        .map(|a| {
            let a = a.unwrap();
            (a.key.as_ref().to_string(), quick_xml::escape::unescape(&a.value).unwrap().to_string())
        })
        .collect();
    (e.local_name().as_ref().to_string(), attrs, String::new())
}

fn find<'a>(all: &'a [Element], name: &'a str) -> impl Iterator<Item = &'a Element> {
    all.iter().filter(move |(n, _, _)| n == name)
}

#[test]
fn the_msi_installs_per_machine_with_no_hkcu_key_path_no_download_and_no_reboot() {
    let xml = rendered();
    let all = elements(&xml);
    let attr = |a: &BTreeMap<String, String>, k: &str| a.get(k).cloned().unwrap_or_default();
    let package = find(&all, "Package").next().expect("a Package");
    assert_eq!(attr(&package.1, "InstallScope"), "perMachine");
    let product = find(&all, "Product").next().expect("a Product");
    assert_eq!(attr(&product.1, "UpgradeCode"), "bdf8fd52-668f-5465-ab56-907187aa65a7");
    assert!(find(&all, "MajorUpgrade").next().is_some(), "an upgrade must replace the version before it");
    // Nothing in HKCU: SYSTEM's hive is not the user's.
    for kind in ["RegistryValue", "RegistryKey", "RegistrySearch"] {
        for (_, a, _) in find(&all, kind) {
            assert_ne!(attr(a, "Root"), "HKCU", "{kind} in HKCU: {a:?}");
        }
    }
    // No custom action: nothing is downloaded or run during the install.
    assert!(find(&all, "CustomAction").next().is_none() && find(&all, "Binary").next().is_none());
    assert!(find(&all, "Property").any(|(_, a, _)| attr(a, "Id") == "REBOOT" && attr(a, "Value") == "ReallySuppress"));
    // The launch condition names WebView2's Evergreen runtime, found in the machine's registry.
    const EVERGREEN: &str = "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}";
    assert!(
        find(&all, "RegistrySearch").any(|(_, a, _)| attr(a, "Key").contains(EVERGREEN) && attr(a, "Root") == "HKLM")
    );
    let condition = find(&all, "Condition").next().expect("a launch condition");
    assert!(
        condition.2.contains("WEBVIEW2_VERSION") && attr(&condition.1, "Message").contains("WebView2"),
        "{condition:?}"
    );
    // Each component's key path is a file or an HKLM value, and each is in the feature.
    let mut components = BTreeSet::new();
    let mut current: Option<String> = None;
    let mut keyed = BTreeSet::new();
    for (n, a, _) in &all {
        match n.as_str() {
            "Component" => {
                current = Some(attr(a, "Id"));
                components.insert(attr(a, "Id"));
            }
            "File" | "RegistryValue" if attr(a, "KeyPath") == "yes" => {
                let c = current.clone().expect("a key path outside a component");
                assert!(n == "File" || attr(a, "Root") == "HKLM", "{c}: key path {n} {a:?}");
                keyed.insert(c);
            }
            _ => {}
        }
    }
    assert_eq!(keyed, components, "components without a key path");
    let referenced: BTreeSet<String> = find(&all, "ComponentRef").map(|(_, a, _)| attr(a, "Id")).collect();
    assert_eq!(referenced, components, "components outside the feature, or references to none");
    for wanted in ["Path", "Helper", "I0a1b2c", "MachinePath"] {
        assert!(components.contains(wanted), "{wanted}: {components:?}");
    }
}
