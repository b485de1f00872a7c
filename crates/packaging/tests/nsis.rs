//! The NSIS installer's strings (packaging/windows/nsis, `customLanguageFiles`): every string
//! Tauri's installer template uses is there in English and Chinese, they compile with makensis,
//! and the uninstaller's "delete app data" box says it deletes the customer book.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn names(text: &str, lang: &str) -> BTreeSet<String> {
    let marker = format!(" ${{{lang}}} ");
    text.lines()
        .filter_map(|l| l.strip_prefix("LangString "))
        .filter(|l| l.contains(&marker))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

fn file(name: &str) -> String {
    std::fs::read_to_string(root().join("packaging/windows/nsis").join(name)).unwrap()
}

#[test]
fn both_languages_hold_every_string_tauris_installer_uses() {
    let (en, zh) = (names(&file("English.nsh"), "LANG_ENGLISH"), names(&file("SimpChinese.nsh"), "LANG_SIMPCHINESE"));
    assert_eq!(en, zh);
    // The names Tauri's own English file defines, read from the bundler inside the installed
    // CLI: an upgrade that adds one fails here.
    let dir = root().join("ui/node_modules/@tauri-apps/cli-linux-x64-gnu");
    let binary = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (npm ci in ui)", dir.display()))
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "node"))
        .expect("Tauri's CLI binary");
    let text = String::from_utf8_lossy(&std::fs::read(binary).unwrap()).to_string();
    let tauri = names(&text.replace('\0', "\n"), "LANG_ENGLISH");
    assert!(tauri.len() >= 20, "{tauri:?}");
    assert_eq!(en, tauri, "Banyan's strings and Tauri's differ");
    assert!(file("English.nsh").contains("deleteAppData ${LANG_ENGLISH} \"Also delete this user's customer book"));
    assert!(file("SimpChinese.nsh").contains("deleteAppData ${LANG_SIMPCHINESE} \"同时删除此用户的客户库"));
}

#[test]
fn the_strings_compile_with_makensis() {
    let dir = tempfile::tempdir().unwrap();
    let en = names(&file("English.nsh"), "LANG_ENGLISH");
    let nsis = root().join("packaging/windows/nsis");
    let uses: String = en.iter().map(|n| format!("  DetailPrint \"$({n})\"\n")).collect();
    let script = format!(
        "Unicode true\n!define PRODUCTNAME \"Banyan\"\n!define VERSION \"0.1.0\"\n!include MUI2.nsh\n!insertmacro MUI_PAGE_INSTFILES\n\
         !insertmacro MUI_LANGUAGE \"English\"\n!insertmacro MUI_LANGUAGE \"SimpChinese\"\n\
         !include \"{en}\"\n!include \"{zh}\"\nName \"Banyan\"\nOutFile \"{out}\"\nRequestExecutionLevel user\n\
         Section\n{uses}SectionEnd\n",
        en = nsis.join("English.nsh").display(),
        zh = nsis.join("SimpChinese.nsh").display(),
        out = dir.path().join("strings.exe").display(),
    );
    let nsi = dir.path().join("strings.nsi");
    std::fs::write(&nsi, script).unwrap();
    // Warnings are errors: a string missing in one language would only warn.
    let out = std::process::Command::new("makensis")
        .args(["-WX", "-V2"])
        .arg(&nsi)
        .output()
        .expect("makensis is installed by `cargo xtask test` (nsis)");
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}
