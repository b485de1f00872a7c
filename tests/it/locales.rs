//! Every message id the code uses exists in every locale, and translations use the same variables
//! as their en-US original.

use banyan::i18n::{Lang, Localizer, SOURCES};
use banyan::model::{ActivityKind, CustomFieldKind, CustomerKind, OrderStatus, UserStatus};
use banyan::security::grants::{Action, Entity};
use fluent_syntax::ast;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every .ftl file of a language on disk (the UI's too, which Rust does not embed).
fn files(lang: Lang) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang.tag());
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn the_binary_embeds_every_file_the_rust_side_formats() {
    for lang in Lang::ALL {
        let embedded: BTreeSet<&str> = SOURCES.iter().filter(|(l, _, _)| *l == lang).map(|(_, n, _)| *n).collect();
        for (name, text) in files(lang) {
            if name == "ui.ftl" {
                continue; // formatted by the UI, which bundles it itself
            }
            assert!(embedded.contains(name.as_str()), "{}/{name} is not embedded", lang.tag());
            let (_, _, src) = SOURCES.iter().find(|(l, n, _)| *l == lang && *n == name).unwrap();
            assert_eq!(*src, text, "{}/{name} embedded copy differs", lang.tag());
        }
    }
}

/// id → variables used, per language.
fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for (name, text) in files(lang) {
        let res = fluent_syntax::parser::parse(text.to_string())
            .unwrap_or_else(|(_, e)| panic!("{}/{name}: {e:?}", lang.tag()));
        for entry in res.body {
            if let ast::Entry::Message(m) = entry {
                let mut vars = BTreeSet::new();
                if let Some(p) = &m.value {
                    collect_vars(p, &mut vars);
                }
                assert!(
                    out.insert(m.id.name.to_string(), vars).is_none(),
                    "{}: {} defined twice",
                    lang.tag(),
                    m.id.name
                );
            }
        }
    }
    out
}

fn collect_vars(p: &ast::Pattern<String>, vars: &mut BTreeSet<String>) {
    for el in &p.elements {
        if let ast::PatternElement::Placeable { expression } = el {
            collect_expr(expression, vars);
        }
    }
}

fn collect_expr(e: &ast::Expression<String>, vars: &mut BTreeSet<String>) {
    match e {
        ast::Expression::Inline(i) => collect_inline(i, vars),
        ast::Expression::Select { selector, variants } => {
            collect_inline(selector, vars);
            for v in variants {
                collect_vars(&v.value, vars);
            }
        }
    }
}

fn collect_inline(i: &ast::InlineExpression<String>, vars: &mut BTreeSet<String>) {
    match i {
        ast::InlineExpression::VariableReference { id } => {
            vars.insert(id.name.clone());
        }
        ast::InlineExpression::Placeable { expression } => collect_expr(expression, vars),
        _ => {}
    }
}

/// String literals in Rust sources that look like message ids.
fn ids_in_code() -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let prefixes = ["error-", "cli-", "field-", "status-", "kind-", "entity-", "forbidden-"];
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for lit in text.split('"').skip(1).step_by(2) {
                    let is_id = prefixes.iter().any(|pre| lit.starts_with(pre))
                        && lit.len() > 4
                        && lit.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                        && !lit.ends_with('-');
                    if is_id {
                        ids.insert(lit.to_string());
                    }
                }
            }
        }
    }
    ids
}

#[test]
fn every_id_used_in_code_exists_in_every_locale() {
    let mut used = ids_in_code();
    assert!(used.len() > 60, "the scan found too few ids ({}) to be working", used.len());
    // Ids built at run time from enums.
    for s in OrderStatus::ALL {
        used.insert(format!("status-{}", s.as_str()));
    }
    for k in [CustomerKind::Person, CustomerKind::Company] {
        used.insert(format!("kind-{}", k.as_str()));
    }
    for s in [UserStatus::Active, UserStatus::Disabled] {
        used.insert(format!("cli-user-status-{}", s.as_str()));
    }
    for e in
        ["customer", "contact", "activity", "product", "order", "order-line", "custom-field", "record", "user", "role"]
    {
        used.insert(format!("entity-{e}"));
    }
    for e in Entity::ALL {
        used.insert(format!("grant-entity-{}", e.name()));
    }
    for a in Action::ALL {
        used.insert(format!("grant-action-{}", a.name()));
    }
    let _ = (ActivityKind::Call, CustomFieldKind::Text);
    for lang in Lang::ALL {
        let have = messages(lang);
        let missing: Vec<&String> = used.iter().filter(|id| !have.contains_key(*id)).collect();
        assert!(missing.is_empty(), "{} lacks {missing:?}", lang.tag());
    }
}

#[test]
fn locales_have_the_same_ids_and_variables_as_en_us() {
    let en = messages(Lang::EnUs);
    for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::EnUs) {
        let other = messages(lang);
        let only_en: Vec<&String> = en.keys().filter(|k| !other.contains_key(*k)).collect();
        let only_other: Vec<&String> = other.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(only_en.is_empty(), "{} is missing {only_en:?}", lang.tag());
        assert!(only_other.is_empty(), "{} has ids en-US lacks: {only_other:?}", lang.tag());
        for (id, vars) in &other {
            assert!(vars.is_subset(&en[id]), "{}: {id} uses {vars:?}, en-US has {:?}", lang.tag(), en[id]);
        }
    }
}

#[test]
fn field_labels_exist_for_every_validated_field() {
    // Every field name a validation error can carry is shown with a localized label.
    for lang in Lang::ALL {
        let l = Localizer::new(lang);
        for field in [
            "kind",
            "name",
            "company",
            "phones",
            "emails",
            "address",
            "city",
            "country",
            "tags",
            "owner",
            "source",
            "notes",
            "title",
            "text",
            "occurredAt",
            "sku",
            "price",
            "currency",
            "taxRate",
            "lines",
            "quantity",
            "discount",
            "customerId",
            "status",
            "key",
            "label",
            "choices",
            "id",
            "phoneRegion",
            "login",
            "roles",
            "team",
            "password",
            "code",
        ] {
            let label = banyan::api::field_label(&l, field);
            assert_ne!(label, field, "{}: no label for {field}", lang.tag());
        }
    }
}

#[test]
fn every_duplicate_reason_has_words_in_every_language() {
    use banyan::quality::dedupe::Reason;
    let all = [
        Reason::SamePhone,
        Reason::SameEmail,
        Reason::SameName,
        Reason::SimilarName,
        Reason::SameCompany,
        Reason::SameAddress,
        Reason::SameCity,
    ];
    for lang in Lang::ALL {
        let l = Localizer::new(lang);
        for r in all {
            let kebab = serde_json::to_value(r).unwrap().as_str().unwrap().to_string();
            let id = format!("duplicate-reason-{kebab}");
            assert!(l.has(&id), "{} has no {id}", lang.tag());
        }
    }
}
