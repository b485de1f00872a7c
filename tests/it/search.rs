//! Search: a table of queries → expected customers (and customers that must not match), the
//! ranking rules, filters, and a property test that what was just written is found.

use crate::common::*;
use banyan::api::Banyan;
use banyan::model::*;
use banyan::search::MatchTier;
use banyan::store::SearchFilter;
use proptest::prelude::*;
use std::collections::HashMap;

struct Book {
    b: Banyan,
    ids: HashMap<&'static str, String>,
    _dir: tempfile::TempDir,
}

fn add(b: &Banyan, ids: &mut HashMap<&'static str, String>, key: &'static str, f: impl FnOnce(&mut CustomerInput)) {
    let mut c = CustomerInput { kind: Some("person".into()), name: Some(key.into()), ..Default::default() };
    f(&mut c);
    ids.insert(key, b.add_customer(&admin(b), &c).unwrap().id.to_string());
}

fn book() -> Book {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let mut ids = HashMap::new();
    add(&b, &mut ids, "张三丰", |c| {
        c.phones = vec!["13812345678".into()];
        c.emails = vec!["zsf@wudang.cn".into()];
        c.city = Some("十堰".into());
    });
    add(&b, &mut ids, "张三", |_| {});
    add(&b, &mut ids, "重庆火锅餐饮有限公司", |c| {
        c.kind = Some("company".into());
        c.city = Some("重庆".into());
    });
    add(&b, &mut ids, "曾国藩", |_| {});
    add(&b, &mut ids, "Jürgen Müller", |c| c.city = Some("Hamburg".into()));
    add(&b, &mut ids, "Zoë Martin", |_| {});
    add(&b, &mut ids, "John Smith", |c| c.phones = vec!["+44 20 7946 0958".into()]);
    add(&b, &mut ids, "Jon Smithers", |_| {});
    add(&b, &mut ids, "李娜", |c| c.company = Some("上海鼎盛贸易有限公司".into()));
    add(&b, &mut ids, "Northwind Trading Ltd", |c| c.kind = Some("company".into()));
    b.add_contact(
        &admin(&b),
        &ids["Northwind Trading Ltd"],
        &ContactInput { name: Some("王小明".into()), ..Default::default() },
    )
    .unwrap();
    add(&b, &mut ids, "刘备", |c| {
        c.tags = vec!["经销商".into()];
        c.city = Some("深圳".into());
    });
    add(&b, &mut ids, "陈晓东", |_| {});
    b.add_activity(
        &admin(&b),
        &ids["陈晓东"],
        &ActivityInput {
            kind: Some("call".into()),
            occurred_at: Some("2026-11-01".into()),
            text: Some("电话回访：客户要求报价\n细节……".into()),
        },
    )
    .unwrap();
    add(&b, &mut ids, "欧阳娜娜", |_| {});
    add(&b, &mut ids, "O'Brien Consulting", |c| c.kind = Some("company".into()));
    Book { b, ids, _dir: dir }
}

fn names(bk: &Book, q: &str) -> Vec<String> {
    bk.b.search_customers(&admin(&bk.b), q, &SearchFilter::default(), 20)
        .unwrap()
        .into_iter()
        .map(|h| h.customer.name)
        .collect()
}

#[test]
fn query_table() {
    let bk = book();
    // (query, must be found, must not be found)
    let table: &[(&str, &[&str], &[&str])] = &[
        ("张三丰", &["张三丰"], &["张三", "曾国藩"]),
        ("三丰", &["张三丰"], &["张三"]),
        ("zhangsanfeng", &["张三丰"], &["张三"]),
        ("zhang san feng", &["张三丰"], &["张三"]),
        ("ZhangSanFeng", &["张三丰"], &[]),
        ("zsf", &["张三丰"], &["张三"]),
        ("zhang sf", &["张三丰"], &["张三"]),
        ("zhang", &["张三丰", "张三"], &["曾国藩"]),
        ("張三丰", &["张三丰"], &[]),
        ("張三", &["张三", "张三丰"], &[]),
        ("cq", &["重庆火锅餐饮有限公司"], &["张三丰"]),
        ("chongqing", &["重庆火锅餐饮有限公司"], &[]),
        ("zhongqing", &["重庆火锅餐饮有限公司"], &[]),
        ("火锅", &["重庆火锅餐饮有限公司"], &[]),
        ("zeng", &["曾国藩"], &[]),
        ("ceng guo fan", &["曾国藩"], &[]),
        ("zgf", &["曾国藩"], &[]),
        ("ouyang", &["欧阳娜娜"], &[]),
        ("oynn", &["欧阳娜娜"], &[]),
        ("1234", &["张三丰"], &["John Smith"]),
        ("138 1234", &["张三丰"], &[]),
        ("5678", &["张三丰"], &[]),
        ("+86 138-1234-5678", &["张三丰"], &[]),
        ("0958", &["John Smith"], &["张三丰"]),
        ("muller", &["Jürgen Müller"], &[]),
        ("MÜLLER", &["Jürgen Müller"], &[]),
        ("jurgen", &["Jürgen Müller"], &[]),
        ("zoe", &["Zoë Martin"], &[]),
        ("Jonh Smtih", &["John Smith"], &["张三丰"]),
        ("smith", &["John Smith", "Jon Smithers"], &["Zoë Martin"]),
        ("obrien", &["O'Brien Consulting"], &[]),
        ("o'brien", &["O'Brien Consulting"], &[]),
        ("wudang", &["张三丰"], &[]),
        ("zsf@wudang", &["张三丰"], &[]),
        ("鼎盛", &["李娜"], &[]),
        ("王小明", &["Northwind Trading Ltd"], &[]),
        ("小明", &["Northwind Trading Ltd"], &[]),
        ("经销商", &["刘备"], &[]),
        ("深圳", &["刘备"], &[]),
        ("hamburg", &["Jürgen Müller"], &[]),
        ("报价", &["陈晓东"], &[]),
        ("northwind trad", &["Northwind Trading Ltd"], &[]),
        ("zzzz", &[], &["张三丰"]),
        ("9999", &[], &["张三丰", "John Smith"]),
    ];
    for (q, want, not) in table {
        let got = names(&bk, q);
        for w in *want {
            assert!(got.iter().any(|g| g == w), "{q:?} should find {w:?}, got {got:?}");
        }
        for n in *not {
            assert!(!got.iter().any(|g| g == n), "{q:?} must not find {n:?}, got {got:?}");
        }
        if want.is_empty() {
            assert!(got.is_empty(), "{q:?} should find nothing, got {got:?}");
        }
    }
}

#[test]
fn ranking_and_matched_fields() {
    let bk = book();
    let hits = bk.b.search_customers(&admin(&bk.b), "張三", &SearchFilter::default(), 10).unwrap();
    assert_eq!(hits[0].customer.name, "张三");
    assert_eq!(hits[0].tier, MatchTier::Exact);
    assert_eq!(hits[1].customer.name, "张三丰");
    assert_eq!(hits[1].tier, MatchTier::Prefix);

    let hits = bk.b.search_customers(&admin(&bk.b), "Jonh Smtih", &SearchFilter::default(), 10).unwrap();
    assert_eq!(hits[0].customer.name, "John Smith");
    assert_eq!(hits[0].tier, MatchTier::Fuzzy);

    // Tiers are in order whatever the query.
    for q in ["zhang", "smith", "三", "z"] {
        let tiers: Vec<MatchTier> =
            bk.b.search_customers(&admin(&bk.b), q, &SearchFilter::default(), 50)
                .unwrap()
                .iter()
                .map(|h| h.tier)
                .collect();
        assert!(tiers.windows(2).all(|w| w[0] <= w[1]), "{q}: {tiers:?}");
    }

    let hits = bk.b.search_customers(&admin(&bk.b), "zsf", &SearchFilter::default(), 10).unwrap();
    let zsf = hits.iter().find(|h| h.customer.name == "张三丰").unwrap();
    assert_eq!(zsf.tier, MatchTier::Pinyin);
    let hits = bk.b.search_customers(&admin(&bk.b), "wudang", &SearchFilter::default(), 10).unwrap();
    assert_eq!(hits[0].matched, vec![banyan::search::MatchField::Emails]);
    let hits = bk.b.search_customers(&admin(&bk.b), "1234", &SearchFilter::default(), 10).unwrap();
    assert_eq!(hits[0].matched, vec![banyan::search::MatchField::Phones]);
    let hits = bk.b.search_customers(&admin(&bk.b), "王小明", &SearchFilter::default(), 10).unwrap();
    assert_eq!(hits[0].matched, vec![banyan::search::MatchField::Contacts]);

    // The most recently active customer comes first within a tier.
    bk.b.add_activity(
        &admin(&bk.b),
        &bk.ids["张三"],
        &ActivityInput { kind: Some("note".into()), occurred_at: Some("2026-11-21".into()), text: Some("x".into()) },
    )
    .unwrap();
    let prefix: Vec<String> =
        bk.b.search_customers(&admin(&bk.b), "zhang", &SearchFilter::default(), 10)
            .unwrap()
            .into_iter()
            .map(|h| h.customer.name)
            .collect();
    assert_eq!(prefix[0], "张三", "{prefix:?}");
}

#[test]
fn filters_combine_with_text_and_deletes_vanish() {
    let bk = book();
    let only = |f: SearchFilter| -> Vec<String> {
        bk.b.search_customers(&admin(&bk.b), "zhang", &f, 20).unwrap().into_iter().map(|h| h.customer.name).collect()
    };
    assert_eq!(only(SearchFilter { city: Some("十堰".into()), ..Default::default() }), vec!["张三丰"]);
    assert_eq!(only(SearchFilter { kind: Some(CustomerKind::Company), ..Default::default() }), Vec::<String>::new());
    bk.b.add_product(
        &admin(&bk.b),
        &ProductInput { sku: Some("A".into()), name: Some("A".into()), price: Some("1".into()), ..Default::default() },
    )
    .unwrap();
    bk.b.create_order(
        &admin(&bk.b),
        &OrderInput {
            customer_id: bk.ids["张三"].clone(),
            lines: vec![LineInput { sku: "A".into(), quantity: "1".into(), discount: None }],
            notes: None,
        },
    )
    .unwrap();
    assert_eq!(only(SearchFilter { has_open_orders: Some(true), ..Default::default() }), vec!["张三"]);
    assert_eq!(only(SearchFilter { has_open_orders: Some(false), ..Default::default() }), vec!["张三丰"]);

    bk.b.delete_customer(&admin(&bk.b), &bk.ids["张三"]).unwrap();
    assert!(!names(&bk, "张三").contains(&"张三".to_string()));
    // An edit re-indexes: the new name is found, the old one is not.
    bk.b.update_customer(
        &admin(&bk.b),
        &bk.ids["曾国藩"],
        &CustomerPatch { name: Some("曾纪泽".into()), ..Default::default() },
    )
    .unwrap();
    assert!(names(&bk, "zjz").contains(&"曾纪泽".to_string()));
    assert!(!names(&bk, "曾国藩").contains(&"曾国藩".to_string()));
}

#[test]
fn reindex_rebuilds_the_same_results() {
    let bk = book();
    let before = names(&bk, "zhang");
    let n = bk.b.reindex(&admin(&bk.b), &mut |_, _| {}).unwrap();
    assert_eq!(n as usize, bk.ids.len());
    let mut after = names(&bk, "zhang");
    let mut b2 = before.clone();
    after.sort();
    b2.sort();
    assert_eq!(after, b2);
}

#[test]
fn warming_up_writes_nothing_and_changes_no_answer() {
    // The desktop warms the search when it opens a book: an empty book, and a full one whose
    // answers must stay the same.
    let dir = tempfile::tempdir().unwrap();
    let (empty, _) = new_book(dir.path());
    empty.warm_up();
    assert_eq!(empty.customer_count(&admin(&empty)).unwrap(), 0);
    let bk = book();
    let (changes, before) = (bk.b.store().change_count().unwrap(), names(&bk, "zhang"));
    bk.b.warm_up();
    assert_eq!(bk.b.store().change_count().unwrap(), changes);
    assert_eq!(names(&bk, "zhang"), before);
}

const SURNAMES: &[&str] = &["张", "王", "李", "曾", "欧阳", "重", "单", "陈"];
const GIVEN: &[&str] = &["三丰", "伟", "小明", "国藩", "娜", "晓东", "长", "行"];

#[test]
fn anything_just_written_is_found_and_gone_once_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    // Background noise so the new record has to win against others.
    for i in 0..300 {
        b.add_customer(
            &admin(&b),
            &CustomerInput {
                kind: Some("person".into()),
                name: Some(format!("{}{}", SURNAMES[i % SURNAMES.len()], GIVEN[(i / 3) % GIVEN.len()])),
                phones: vec![format!("139{:08}", i * 7)],
                ..Default::default()
            },
        )
        .unwrap();
    }
    let mut runner =
        proptest::test_runner::TestRunner::new(proptest::test_runner::Config { cases: 48, ..Default::default() });
    let strategy = (0..SURNAMES.len(), 0..GIVEN.len(), 0u32..100_000_000, any::<bool>());
    runner
        .run(&strategy, |(s, g, tail, latin)| {
            let name = if latin { format!("Zed{} Qux{}", s, g) } else { format!("{}{}", SURNAMES[s], GIVEN[g]) };
            let phone = format!("158{tail:08}");
            let c = b
                .add_customer(
                    &admin(&b),
                    &CustomerInput {
                        kind: Some("person".into()),
                        name: Some(name.clone()),
                        phones: vec![phone.clone()],
                        ..Default::default()
                    },
                )
                .unwrap();
            let id = c.id.to_string();
            let found = |q: &str| {
                b.search_customers(&admin(&b), q, &SearchFilter::default(), 20)
                    .unwrap()
                    .iter()
                    .any(|h| h.customer.id.to_string() == id)
            };
            prop_assert!(found(&name), "exact name {name}");
            prop_assert!(found(&phone[phone.len() - 4..]), "last 4 digits of {phone}");
            if !latin {
                // Initials under the first reading of each character.
                let initials: String =
                    banyan::search::text::readings(&name)[0].iter().filter_map(|s| s.chars().next()).collect();
                prop_assert!(found(&initials), "initials {initials} of {name}");
            }
            b.delete_customer(&admin(&b), &id).unwrap();
            prop_assert!(!found(&name), "{name} still found after delete");
            prop_assert!(!found(&phone[phone.len() - 4..]), "{phone} still found after delete");
            Ok(())
        })
        .unwrap();
}

/// A book whose index predates the name and pinyin tier tables (as migration 0004 leaves them:
/// empty, with the index version of before) is fully searchable after its first open.
#[test]
fn a_book_indexed_by_an_older_version_is_reindexed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path) = new_book(dir.path());
    let zhang = b.add_customer(&admin(&b), &person("张三丰")).unwrap();
    let smith = b.add_customer(&admin(&b), &person("Grace Smith")).unwrap();
    drop(b);
    {
        let key = banyan::security::KeyStore::for_db(&path).unlock(Some(PASS)).unwrap().0;
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA key = \"x'{}'\";
             INSERT INTO name_fts (name_fts) VALUES ('delete-all');
             INSERT INTO pinyin_fts (pinyin_fts) VALUES ('delete-all');
             UPDATE meta SET value = '3' WHERE key = 'search_built';",
            key.to_hex().as_str()
        ))
        .unwrap();
    }
    let b = Banyan::open(&opts(&path), &banyan::security::Unlock::passphrase(PASS)).unwrap();
    let none = SearchFilter::default();
    let first = |q: &str| b.search_customers(&admin(&b), q, &none, 10).unwrap().into_iter().next();
    let hit = first("zsf").expect("initials find 张三丰 again");
    assert_eq!((hit.customer.id, hit.tier), (zhang.id, MatchTier::Pinyin));
    let hit = first("zhangsan").expect("full pinyin finds 张三丰 again");
    assert_eq!((hit.customer.id, hit.tier), (zhang.id, MatchTier::Pinyin));
    let hit = first("smi").expect("a name prefix finds Grace Smith again");
    assert_eq!((hit.customer.id, hit.tier), (smith.id, MatchTier::Prefix));
}
