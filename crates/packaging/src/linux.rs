//! The Linux packages' metadata, generated at `cargo xtask dist` time: the AppStream metainfo
//! (name, summary and description in en-US and zh-CN from `locales/*/desktop.ftl`, releases from
//! `CHANGELOG.md`), the Debian changelog, the desktop entry, banyan-desktop(1) and the bundler's
//! configuration. Only the copyright file is static (`packaging/linux/copyright`).

use crate::nest;
use banyan::i18n::{Lang, Localizer};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io;

/// The app's id: its AppStream id, bundle identifier and macOS preference domain.
pub const APP_ID: &str = banyan::home::APP_ID;
/// Who answers for the packages (the Debian `Maintainer`, the changelog's signer).
pub const MAINTAINER: &str = "Banyan CRM Packaging <packages@banyancrm.com>";
pub const HOMEPAGE: &str = "https://banyancrm.com";
/// The CJK fonts the packages recommend (Debian/Ubuntu, Fedora/EL).
pub const CJK_FONT_DEB: &str = "fonts-noto-cjk | fonts-wqy-microhei";
pub const CJK_FONT_RPM: &str = "google-noto-sans-cjk-fonts";

/// One release of CHANGELOG.md.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub version: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub items: Vec<String>,
}

/// The releases of a changelog in its `## VERSION (YYYY-MM-DD)` form, newest first; an error
/// names the line that does not follow it.
pub fn releases(changelog: &str) -> Result<Vec<Release>, String> {
    let mut out: Vec<Release> = Vec::new();
    for (n, line) in changelog.lines().enumerate() {
        if let Some(head) = line.strip_prefix("## ") {
            let parsed = head.split_once(" (").and_then(|(v, d)| Some((v.trim(), d.strip_suffix(')')?)));
            let Some((version, date)) =
                parsed.filter(|(v, d)| !v.is_empty() && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
            else {
                return Err(format!("CHANGELOG.md line {}: not `## VERSION (YYYY-MM-DD)`: {line}", n + 1));
            };
            out.push(Release { version: version.into(), date: date.into(), items: Vec::new() });
        } else if let Some(item) = line.strip_prefix("- ") {
            match out.last_mut() {
                Some(r) => r.items.push(item.trim().to_string()),
                None => return Err(format!("CHANGELOG.md line {}: an item before any release", n + 1)),
            }
        }
    }
    if out.is_empty() {
        return Err("CHANGELOG.md has no release".into());
    }
    Ok(out)
}

fn text(w: &mut Writer<Vec<u8>>, tag: &str, lang: Option<&str>, body: &str) -> io::Result<()> {
    let mut el = w.create_element(tag);
    if let Some(l) = lang {
        el = el.with_attribute(("xml:lang", l));
    }
    el.write_text_content(BytesText::new(body))?;
    Ok(())
}

/// The AppStream metainfo (`/usr/share/metainfo/com.banyancrm.desktop.metainfo.xml`) for a
/// package whose desktop entry is `desktop_file`.
pub fn metainfo(desktop_file: &str, releases: &[Release]) -> Result<String, String> {
    let l10n: Vec<(Option<&str>, Localizer)> =
        vec![(None, Localizer::new(Lang::EnUs)), (Some(Lang::ZhCn.tag()), Localizer::new(Lang::ZhCn))];
    for (_, l) in &l10n {
        for id in ["app-name", "app-summary", "app-description-1", "app-description-2"] {
            if !l.has(id) {
                return Err(format!("locales/{}/desktop.ftl has no {id}", l.lang().tag()));
            }
        }
    }
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let written = (|| -> io::Result<()> {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element("component").with_attribute(("type", "desktop-application")).write_inner_content(|w| {
            text(w, "id", None, APP_ID)?;
            text(w, "metadata_license", None, "CC0-1.0")?;
            text(w, "project_license", None, "LicenseRef-proprietary")?;
            for (lang, l) in &l10n {
                text(w, "name", *lang, &l.t("app-name"))?;
            }
            for (lang, l) in &l10n {
                text(w, "summary", *lang, &l.t("app-summary"))?;
            }
            nest(w, "description", |w| {
                for (lang, l) in &l10n {
                    for id in ["app-description-1", "app-description-2"] {
                        text(w, "p", *lang, &l.t(id))?;
                    }
                }
                Ok(())
            })?;
            w.create_element("launchable")
                .with_attribute(("type", "desktop-id"))
                .write_text_content(BytesText::new(desktop_file))?;
            w.create_element("url")
                .with_attribute(("type", "homepage"))
                .write_text_content(BytesText::new(HOMEPAGE))?;
            text(w, "developer_name", None, "Banyan CRM")?;
            w.create_element("content_rating").with_attribute(("type", "oars-1.1")).write_empty()?;
            nest(w, "provides", |w| {
                text(w, "binary", None, "banyan")?;
                text(w, "binary", None, "banyan-desktop")?;
                Ok(())
            })?;
            nest(w, "releases", |w| {
                for r in releases {
                    w.create_element("release")
                        .with_attributes([("version", r.version.as_str()), ("date", r.date.as_str())])
                        .write_inner_content(|w| {
                            nest(w, "description", |w| {
                                nest(w, "ul", |w| {
                                    for item in &r.items {
                                        text(w, "li", None, item)?;
                                    }
                                    Ok(())
                                })?;
                                Ok(())
                            })?;
                            Ok(())
                        })?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
        Ok(())
    })();
    written.map_err(|e| e.to_string())?;
    let mut out = String::from_utf8(w.into_inner()).map_err(|e| e.to_string())?;
    out.push('\n');
    Ok(out)
}

/// The Debian changelog of `package` (`/usr/share/doc/PACKAGE/changelog.gz`), one entry per
/// release, signed by [`MAINTAINER`] at noon UTC of the release's day.
pub fn debian_changelog(package: &str, releases: &[Release]) -> String {
    let mut out = String::new();
    for r in releases {
        let day = chrono::NaiveDate::parse_from_str(&r.date, "%Y-%m-%d").expect("checked by releases()");
        let when = day.and_hms_opt(12, 0, 0).expect("noon exists").and_utc().to_rfc2822();
        out.push_str(&format!("{package} ({}) unstable; urgency=medium\n\n", r.version));
        for item in &r.items {
            // Lines of at most 80 columns, continued under the item's first word.
            let mut line = String::from("  *");
            for word in item.split_whitespace() {
                // Columns, not bytes: an item may be written in Chinese.
                if line.chars().count() + 1 + word.chars().count() > 80 && line.len() > 4 {
                    out.push_str(&line);
                    out.push('\n');
                    line = String::from("   ");
                }
                line.push(' ');
                line.push_str(word);
            }
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str(&format!("\n -- {MAINTAINER}  {when}\n\n"));
    }
    out
}

/// The desktop entry as Tauri's bundler takes it (`bundle.linux.{deb,rpm}.desktopTemplate`: it
/// fills `{{exec}}` and `{{icon}}`), its texts in both languages from desktop.ftl.
pub fn desktop_entry() -> String {
    let en = Localizer::new(Lang::EnUs);
    let zh = Localizer::new(Lang::ZhCn);
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name={}\n\
         Name[zh_CN]={}\n\
         GenericName={}\n\
         GenericName[zh_CN]={}\n\
         Comment={}\n\
         Comment[zh_CN]={}\n\
         Exec={{{{exec}}}}\n\
         Icon={{{{icon}}}}\n\
         StartupWMClass={{{{exec}}}}\n\
         Terminal=false\n\
         Categories=Office;ContactManagement;\n\
         Keywords={}\n\
         Keywords[zh_CN]={}\n",
        en.t("app-name"),
        zh.t("app-name"),
        en.t("app-generic-name"),
        zh.t("app-generic-name"),
        en.t("app-summary"),
        zh.t("app-summary"),
        en.t("app-keywords"),
        zh.t("app-keywords")
    )
}

/// What goes into the .deb and .rpm beside the app.
pub struct Bundle<'a> {
    pub package: &'a str,
    /// Where the metainfo, changelog, desktop entry and man page were written.
    pub dir: &'a std::path::Path,
    /// The `banyan` CLI binary.
    pub cli: &'a std::path::Path,
    pub copyright: &'a std::path::Path,
    pub deb_depends: Vec<String>,
    pub rpm_requires: Vec<String>,
}

/// The configuration `tauri bundle --config` merges into the app's for the Linux packages: who
/// publishes it, the computed dependencies, the desktop entry and the files beside the app (the
/// CLI in /usr/bin, its man page, the metainfo, the copyright file; the .deb's Debian changelog,
/// which `cargo xtask dist` compresses to DIR/changelog.gz).
pub fn tauri_config(b: &Bundle) -> serde_json::Value {
    let at = |name: &str| b.dir.join(name).display().to_string();
    let files = |doc: String| {
        serde_json::json!({
            "/usr/bin/banyan": b.cli.display().to_string(),
            "/usr/share/man/man1/banyan.1.gz": at("banyan.1.gz"),
            "/usr/share/man/man1/banyan-desktop.1.gz": at("banyan-desktop.1.gz"),
            format!("/usr/share/metainfo/{APP_ID}.metainfo.xml"): at(&format!("{APP_ID}.metainfo.xml")),
            format!("{doc}/copyright"): b.copyright.display().to_string(),
        })
    };
    // The Debian changelog beside the copyright file, in /usr/share/doc/PACKAGE (Tauri's own
    // `changelog` option puts it under the product's name).
    let mut deb_files = files(format!("/usr/share/doc/{}", b.package));
    deb_files[format!("/usr/share/doc/{}/changelog.gz", b.package)] = at("changelog.gz").into();
    serde_json::json!({
        "bundle": {
            "publisher": "Banyan CRM",
            "homepage": HOMEPAGE,
            "copyright": "Copyright 2026 Banyan CRM",
            "license": "LicenseRef-Proprietary",
            // Wrapped: Debian's control file and rpm's %description take lines of at most 79
            // characters (lintian and rpmlint flag longer ones); the bundler keeps the breaks.
            "longDescription": wrap(&Localizer::new(Lang::EnUs).t("app-description-1"), 79),
            "linux": {
                "deb": {
                    "depends": b.deb_depends,
                    // Chinese names are drawn with a CJK font; a minimal system has none (the
                    // clean-root install test's window showed that).
                    "recommends": [CJK_FONT_DEB],
                    "section": "misc",
                    "priority": "optional",
                    "desktopTemplate": at("banyan.desktop"),
                    "files": deb_files,
                },
                "rpm": {
                    "depends": b.rpm_requires,
                    "recommends": [CJK_FONT_RPM],
                    "release": "1",
                    // xz at its highest level: ≈ a third smaller than the default gzip 6 for the
                    // two binaries (the packages' size target is 20 MB).
                    "compression": {"type": "xz", "level": 9},
                    "desktopTemplate": at("banyan.desktop"),
                    "files": files(format!("/usr/share/licenses/{}", b.package)),
                }
            }
        }
    })
}

/// `text` with its words put on lines of at most `width` characters (a word longer than that on
/// its own line). Written here: eight lines for the one description, no crate needed.
pub fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines.join("\n")
}

/// The desktop app's manual page, banyan-desktop(1): what it is, its options and environment, and
/// where it keeps things (the CLI's page, banyan(1), is clap's, from `banyan man`).
pub fn desktop_man_page(version: &str) -> String {
    use roff::{Roff, bold, italic, roman};
    let en = Localizer::new(Lang::EnUs);
    let mut page = Roff::new();
    page.control("TH", ["BANYAN-DESKTOP", "1", "", &format!("banyan-desktop {version}"), "Banyan CRM"])
        .control("SH", ["NAME"])
        .text([roman(format!("banyan-desktop - {}", en.t("app-summary")))])
        .control("SH", ["SYNOPSIS"])
        .text([bold("banyan-desktop"), roman(" ["), bold("--db"), roman(" "), italic("PATH"), roman("]")])
        .control("SH", ["DESCRIPTION"])
        .text([roman(en.t("app-description-1"))])
        .control("PP", [])
        .text([roman(en.t("app-description-2"))])
        .control("SH", ["OPTIONS"])
        .control("TP", [])
        .text([bold("--db"), roman(" "), italic("PATH")])
        .text([roman("Open the customer book at PATH instead of the default one (refused when a mandatory DatabaseDirectory policy keeps books elsewhere).")])
        .control("SH", ["ENVIRONMENT"])
        .control("TP", [])
        .text([bold("BANYAN_DB")])
        .text([roman("The customer book, as --db.")])
        .control("TP", [])
        .text([bold("BANYAN_LOG_DIR")])
        .text([roman("Where the log goes instead of the default folder.")])
        .control("SH", ["FILES"])
        .control("TP", [])
        .text([italic(format!("~/.local/share/{}/{}", banyan::home::APP_ID, banyan::home::BOOK_FILE))])
        .text([roman(format!(
            "The customer book (encrypted), with {}.key.json beside it, which says whether its key is in the keyring or wrapped by a passphrase. A book at ~/.local/share/banyan, where earlier versions kept it, is moved here at the first start.",
            banyan::home::BOOK_FILE
        ))])
        .control("TP", [])
        .text([italic(format!("~/.local/share/{}/prefs.json", banyan::home::APP_ID))])
        .text([roman("The window's preferences (language, idle lock).")])
        .control("TP", [])
        .text([italic(format!("~/.local/share/{}/logs", banyan::home::APP_ID))])
        .text([roman("The log: one file a day, 30 days, at most 64 MB, never customer data or secrets.")])
        .control("TP", [])
        .text([italic(banyan::home::PORTABLE_DIR), roman("/ beside the program")])
        .text([roman("Portable mode: when this folder exists, it holds all of the above and the web view's data instead, and the key is always behind a passphrase (refused when the PortableModeEnabled policy is false).")])
        .control("TP", [])
        .text([italic("/etc/banyan/policies.json")])
        .text([roman("IT's policies (see banyan policy show).")])
        .control("SH", ["SEE ALSO"])
        .text([bold("banyan"), roman("(1)")]);
    page.render()
}
