//! Fluent bundles over locales/: every user-visible string the core, the CLI and (later) the UI show.
//! The .ftl files are embedded at build time so a binary can never ship without its messages.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Lang {
    #[serde(rename = "en-US")]
    EnUs,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::EnUs, Lang::ZhCn];

    pub fn tag(&self) -> &'static str {
        match self {
            Lang::EnUs => "en-US",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// Accepts `en-US`, `en`, `zh-CN`, `zh_CN.UTF-8`, `zh-Hans`…; `None` for unsupported languages.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.split('.').next().unwrap_or_default().replace('_', "-").to_ascii_lowercase();
        if s.starts_with("zh") && !s.contains("tw") && !s.contains("hk") && !s.contains("hant") {
            Some(Lang::ZhCn)
        } else if s.starts_with("en") {
            Some(Lang::EnUs)
        } else {
            None
        }
    }

    /// The language from the environment (LC_ALL, LC_MESSAGES, LANG), else English.
    pub fn from_env() -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty())
            .and_then(|v| Lang::parse(&v))
            .unwrap_or(Lang::EnUs)
    }
}

/// The .ftl sources per language: (language, file name, text).
pub const SOURCES: &[(Lang, &str, &str)] = &[
    (Lang::EnUs, "core.ftl", include_str!("../../locales/en-US/core.ftl")),
    (Lang::EnUs, "cli.ftl", include_str!("../../locales/en-US/cli.ftl")),
    (Lang::EnUs, "desktop.ftl", include_str!("../../locales/en-US/desktop.ftl")),
    (Lang::EnUs, "policy.ftl", include_str!("../../locales/en-US/policy.ftl")),
    (Lang::ZhCn, "core.ftl", include_str!("../../locales/zh-CN/core.ftl")),
    (Lang::ZhCn, "cli.ftl", include_str!("../../locales/zh-CN/cli.ftl")),
    (Lang::ZhCn, "desktop.ftl", include_str!("../../locales/zh-CN/desktop.ftl")),
    (Lang::ZhCn, "policy.ftl", include_str!("../../locales/zh-CN/policy.ftl")),
];

pub struct Localizer {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
    fallback: FluentBundle<FluentResource>,
}

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = lang.tag().parse().expect("static language tags parse");
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // Plain text for terminals and error messages: no Unicode isolation marks around variables.
    b.set_use_isolating(false);
    for (l, name, text) in SOURCES {
        if *l == lang {
            let res = FluentResource::try_new(text.to_string())
                .unwrap_or_else(|(_, e)| panic!("{}/{name}: {e:?}", lang.tag()));
            b.add_resource(res).unwrap_or_else(|e| panic!("{}/{name}: {e:?}", lang.tag()));
        }
    }
    b
}

impl Localizer {
    pub fn new(lang: Lang) -> Self {
        Self { lang, bundle: bundle(lang), fallback: bundle(Lang::EnUs) }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Formats message `id`; a value that reads as an integer is passed as a number so plural
    /// selectors work. Falls back to English, then to the id itself.
    pub fn format(&self, id: &str, args: &[(&str, String)]) -> String {
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            match v.parse::<i64>() {
                Ok(n) => fargs.set(*k, FluentValue::from(n)),
                Err(_) => fargs.set(*k, FluentValue::from(v.clone())),
            }
        }
        for b in [&self.bundle, &self.fallback] {
            if let Some(pattern) = b.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return b.format_pattern(pattern, Some(&fargs), &mut errors).into_owned();
            }
        }
        id.to_string()
    }

    pub fn t(&self, id: &str) -> String {
        self.format(id, &[])
    }

    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse() {
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("en-GB"), Some(Lang::EnUs));
        assert_eq!(Lang::parse("fr-FR"), None);
    }

    #[test]
    fn formats_with_variables_in_both_languages() {
        let args = [("value", "bob@".to_string())];
        let en = Localizer::new(Lang::EnUs).format("error-email", &args);
        let zh = Localizer::new(Lang::ZhCn).format("error-email", &args);
        assert_eq!(en, "“bob@” is not a valid email address.");
        assert_eq!(zh, "“bob@”不是有效的邮箱地址。");
        // Plural selection gets a number, not a string.
        assert_eq!(Localizer::new(Lang::EnUs).format("cli-customer-count", &[("count", "1".into())]), "1 customer");
        assert_eq!(Localizer::new(Lang::EnUs).format("cli-customer-count", &[("count", "3".into())]), "3 customers");
        // A missing message falls back to its id rather than an empty string.
        assert_eq!(Localizer::new(Lang::ZhCn).t("no-such-id"), "no-such-id");
    }
}
