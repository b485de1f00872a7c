//! Duplicate detection on a labelled book: groups that are one customer written differently
//! (typos, swapped name order, pinyin vs hanzi, Traditional vs Simplified, +86 vs local phone
//! formats, legal suffixes) and look-alikes that are different customers (the same common name,
//! a shared switchboard or family email). Prints precision and recall; fails below 0.9 / 0.9.

use crate::common::*;
use banyan::model::CustomerInput;
use std::collections::HashSet;

struct P<'a> {
    name: &'a str,
    company: bool,
    org: Option<&'a str>,
    phones: &'a [&'a str],
    emails: &'a [&'a str],
}

const fn p<'a>(name: &'a str, phones: &'a [&'a str], emails: &'a [&'a str]) -> P<'a> {
    P { name, company: false, org: None, phones, emails }
}

const fn at<'a>(name: &'a str, org: &'a str, phones: &'a [&'a str], emails: &'a [&'a str]) -> P<'a> {
    P { name, company: false, org: Some(org), phones, emails }
}

const fn co<'a>(name: &'a str, phones: &'a [&'a str]) -> P<'a> {
    P { name, company: true, org: None, phones, emails: &[] }
}

/// The pairs the book-wide search finds, and its precision and recall against `truth`, printed.
fn measure(
    b: &banyan::api::Banyan,
    truth: &HashSet<(String, String)>,
    what: &str,
) -> (HashSet<(String, String)>, f64, f64) {
    let found: HashSet<(String, String)> = b
        .duplicates(&admin(b), 100_000)
        .unwrap()
        .iter()
        .map(|d| {
            let (a, z) = (d.a.id.to_string(), d.b.id.to_string());
            if a < z { (a, z) } else { (z, a) }
        })
        .collect();
    let hits = found.intersection(truth).count() as f64;
    let precision = if found.is_empty() { 0.0 } else { hits / found.len() as f64 };
    let recall = hits / truth.len() as f64;
    println!(
        "duplicate detection on {} {what}: precision {precision:.3}, recall {recall:.3} ({} found)",
        truth.len(),
        found.len()
    );
    (found, precision, recall)
}

/// Each inner list is one real customer; lists of one are customers with no duplicate.
fn labelled() -> Vec<Vec<P<'static>>> {
    vec![
        // Phone formats: +86, spaces, dashes, 0086.
        vec![
            p("李明", &["13800138000"], &[]),
            p("李明", &["+86 138 0013 8000"], &[]),
            p("李 明", &["0086-138-0013-8000"], &[]),
        ],
        // Pinyin and hanzi, both orders.
        vec![
            p("张伟", &["13900139001"], &["zw@example.cn"]),
            p("Zhang Wei", &["139 0013 9001"], &["ZW@example.cn"]),
            p("Wei Zhang", &[], &["zw@example.cn"]),
        ],
        // Traditional and Simplified.
        vec![p("張三豐", &[], &["zsf@wudang.cn"]), p("张三丰", &[], &["ZSF@wudang.cn"])],
        // Typos, with a shared email or company.
        vec![p("John Smith", &[], &["john.smith@acme.com"]), p("Jonh Smtih", &[], &["John.Smith@acme.com"])],
        vec![at("Katherine Miller", "Initech", &[], &[]), at("Katharine Miller", "Initech Inc.", &[], &[])],
        vec![
            at("Michael O'Brien", "Globex", &["+1 212 555 0101"], &[]),
            at("Micheal OBrien", "Globex Corporation", &[], &[]),
        ],
        // Swapped order.
        vec![p("Smith Anna", &["+44 20 7946 0011"], &[]), p("Anna Smith", &[], &[])],
        vec![p("Müller Jürgen", &[], &["jm@example.de"]), p("Jürgen Müller", &["+49 89 1234567"], &["jm@example.de"])],
        // Homophone typo in hanzi (峰/丰 are both feng).
        vec![p("王小峰", &["13700137002"], &[]), p("王小丰", &["137-0013-7002"], &[])],
        // Companies with and without legal forms.
        vec![co("北京某某科技有限公司", &["010-62345678"]), co("北京某某科技", &[])],
        vec![co("Acme Ltd.", &[]), co("ACME Limited", &["+44 20 7946 0000"])],
        vec![co("深圳华南实业股份有限公司", &[]), co("深圳华南实业有限公司", &["0755-81234567"])],
        vec![co("Globex GmbH", &["+49 30 1234567"]), co("Globex", &["+49 30 1234567"])],
        // Same email, name written fully vs initial.
        vec![p("Chen Jing", &["13612345670"], &["chenjing@example.cn"]), p("陈静", &["13612345670"], &[])],
        vec![p("赵敏", &[], &["zhaomin@example.cn"]), p("Zhao Min", &["15001234560"], &["zhaomin@example.cn"])],
        vec![p("刘洋", &["18612345678"], &[]), p("Liu Yang", &["+86 186 1234 5678"], &["ly@example.cn"])],
        vec![p("Ana López", &["+34 612 345 678"], &[]), p("Ana Lopez", &["0034 612 34 56 78"], &[])],
        // Different people that look alike: the same common name with other phones or emails.
        vec![p("王芳", &["13800000001"], &[])],
        vec![p("王芳", &["13800000002"], &[])],
        vec![p("John Brown", &[], &["jb1@example.com"])],
        vec![p("John Brown", &[], &["jb2@example.com"])],
        // Colleagues behind one switchboard number.
        vec![at("Peter Parker", "Daily Bugle", &["+1 212 555 0000"], &[])],
        vec![at("Mary Jane Watson", "Daily Bugle", &["+1 212 555 0000"], &[])],
        // A family sharing one mailbox.
        vec![p("李强", &[], &["family.li@example.cn"])],
        vec![p("王丽", &[], &["family.li@example.cn"])],
        // Near names, nothing else in common.
        vec![p("Zhang Wen", &[], &[])],
        vec![p("Zhang Wei", &["13500135000"], &[])],
        vec![co("Globex Logistics", &[])],
        vec![co("Initech", &["+1 415 555 0123"])],
        vec![p("Li Ming", &["13100131000"], &[])],
        vec![p("Ming Li", &["13200132000"], &[])],
    ]
}

#[test]
fn duplicate_detection_precision_and_recall() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let groups = labelled();
    let mut truth: HashSet<(String, String)> = HashSet::new();
    let key = |a: &str, z: &str| if a < z { (a.to_string(), z.to_string()) } else { (z.to_string(), a.to_string()) };
    for g in &groups {
        let mut ids = Vec::new();
        for x in g {
            let input = CustomerInput {
                kind: Some(if x.company { "company" } else { "person" }.into()),
                name: Some(x.name.into()),
                company: x.org.map(str::to_string),
                phones: x.phones.iter().map(|s| s.to_string()).collect(),
                emails: x.emails.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            };
            ids.push(
                b.add_customer(&admin(&b), &input)
                    .unwrap_or_else(|e| panic!("{}: {}", x.name, e.message))
                    .id
                    .to_string(),
            );
        }
        for i in 0..ids.len() {
            for j in i + 1..ids.len() {
                truth.insert(key(&ids[i], &ids[j]));
            }
        }
    }
    let (found, precision, recall) = measure(&b, &truth, "labelled pairs");
    let names = |pair: &(String, String)| {
        let n = |id: &str| b.customer(&admin(&b), id).unwrap().name;
        format!("{} / {}", n(&pair.0), n(&pair.1))
    };
    let missed: Vec<String> = truth.difference(&found).map(names).collect();
    let wrong: Vec<String> = found.difference(&truth).map(names).collect();
    println!("wrongly paired: {wrong:?}; missed: {missed:?}");
    assert!(precision >= 0.9, "precision {precision:.3}; wrongly paired: {wrong:?}");
    assert!(recall >= 0.9, "recall {recall:.3}; missed: {missed:?}");
}

/// The same measure on a generated book of 300 people: each one entered twice the way offices
/// really do it (hanzi once and pinyin later, "+86 139 …" once and "139…" later, a typo in a
/// Latin name with the same email, swapped name order), among namesakes with their own numbers.
#[test]
fn duplicate_detection_on_a_generated_book() {
    use rand::{Rng, SeedableRng};
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let mut g = banyan::demo::DemoGen::new(99);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let cap = |s: &str| {
        let mut c = s.chars();
        c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
    };
    const FIRST: &[&str] =
        &["Oliver", "Emma", "Lucas", "Sophie", "Daniel", "Hannah", "Thomas", "Laura", "Martin", "Julia"];
    const LAST: &[&str] =
        &["Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Schulz", "Koch", "Richter", "Klein", "Wolf"];
    let mut truth: HashSet<(String, String)> = HashSet::new();
    let key = |a: &str, z: &str| if a < z { (a.to_string(), z.to_string()) } else { (z.to_string(), a.to_string()) };
    let add = |name: String, phones: Vec<String>, emails: Vec<String>| -> String {
        let input = CustomerInput {
            kind: Some("person".into()),
            name: Some(name.clone()),
            phones,
            emails,
            ..Default::default()
        };
        b.add_customer(&admin(&b), &input).unwrap_or_else(|e| panic!("{name}: {}", e.message)).id.to_string()
    };
    for i in 0..300u32 {
        let phone = format!("139{:08}", 10_000_000 + i * 7919);
        let spaced = format!("+86 {} {} {}", &phone[..3], &phone[3..7], &phone[7..]);
        let (a, z) = if i % 3 == 2 {
            // A Latin name, then the same person with a typo and the same email.
            let (f, l) = (FIRST[rng.random_range(0..FIRST.len())], LAST[rng.random_range(0..LAST.len())]);
            let email = format!("{}.{}{i}@example.de", f.to_lowercase(), l.to_lowercase());
            let mut typo: Vec<char> = l.chars().collect();
            typo.swap(2, 3);
            let a = add(format!("{f} {l}"), vec![], vec![email.clone()]);
            let z = add(format!("{f} {}", typo.into_iter().collect::<String>()), vec![], vec![email.to_uppercase()]);
            (a, z)
        } else {
            let (name, py) = g.chinese_name();
            let (s, given) = py.split_once('.').unwrap();
            let a = add(name.clone(), vec![phone.clone()], vec![]);
            // Later typed in pinyin (sometimes given name first) with the number spaced out.
            let latin =
                if i % 2 == 0 { format!("{} {}", cap(s), cap(given)) } else { format!("{} {}", cap(given), cap(s)) };
            let z = add(latin, vec![spaced], vec![]);
            // A namesake: the same hanzi name, a different person with a number of their own.
            if i % 4 == 0 {
                add(name, vec![format!("137{:08}", 20_000_000 + i * 104_729)], vec![]);
            }
            (a, z)
        };
        truth.insert(key(&a, &z));
    }
    let (_, precision, recall) = measure(&b, &truth, "true pairs of a generated book");
    assert!(precision >= 0.9 && recall >= 0.9, "precision {precision:.3}, recall {recall:.3}");
}

/// The harder labelled book of tests/fixtures/dedupe (made by its make.py): Latin names with
/// addresses and no phone or email (typos in every field, swapped order, initials, St/Street,
/// missing fields), Chinese names in hanzi and pinyin with addresses written with and without
/// province/city/district, companies with and without legal forms; among family members at one
/// address, namesakes in other cities and same-trade companies elsewhere.
#[test]
fn duplicate_detection_on_the_harder_labelled_book() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dedupe/labelled.tsv"),
    )
    .unwrap();
    let mut groups: std::collections::HashMap<String, Vec<String>> = Default::default();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let input = CustomerInput {
            kind: Some(f[1].into()),
            name: Some(f[2].into()),
            company: opt(f[3]),
            phones: opt(f[4]).into_iter().collect(),
            emails: opt(f[5]).into_iter().collect(),
            address: opt(f[6]),
            city: opt(f[7]),
            ..Default::default()
        };
        let id = b.add_customer(&admin(&b), &input).unwrap_or_else(|e| panic!("{line}: {}", e.message)).id.to_string();
        groups.entry(f[0].to_string()).or_default().push(id);
    }
    let mut truth: HashSet<(String, String)> = HashSet::new();
    for ids in groups.values() {
        for i in 0..ids.len() {
            for j in i + 1..ids.len() {
                let (a, z) = (&ids[i], &ids[j]);
                truth.insert(if a < z { (a.clone(), z.clone()) } else { (z.clone(), a.clone()) });
            }
        }
    }
    let (found, precision, recall) = measure(&b, &truth, "true pairs of the harder labelled book");
    let name = |id: &str| {
        b.customer(&admin(&b), id).map(|c| format!("{} | {}", c.name, c.address.unwrap_or_default())).unwrap()
    };
    let wrong: Vec<String> =
        found.difference(&truth).take(15).map(|(a, z)| format!("{} ~ {}", name(a), name(z))).collect();
    let missed: Vec<String> =
        truth.difference(&found).take(15).map(|(a, z)| format!("{} ~ {}", name(a), name(z))).collect();
    assert!(precision >= 0.95, "precision {precision:.3}; wrongly paired: {wrong:#?}");
    assert!(recall >= 0.95, "recall {recall:.3}; missed: {missed:#?}");

    // The list a user pages through: best first, each pair once (pairs sharing several blocks are
    // scored in each), and asking for the best 50 gives the head of the whole list, in order.
    let all = b.duplicates(&admin(&b), 100_000).unwrap();
    assert_eq!(all.len(), found.len(), "a pair listed twice");
    assert!(all.windows(2).all(|w| w[0].score >= w[1].score), "not best first");
    let key = |d: &banyan::store::DuplicatePair| (d.a.id, d.b.id, d.score);
    let head: Vec<_> = b.duplicates(&admin(&b), 50).unwrap().iter().map(key).collect();
    assert_eq!(head, all.iter().take(50).map(key).collect::<Vec<_>>());
}

/// An import checks each row with the same finder: a row that is an existing customer with a
/// typo and the address abbreviated is found through the address (no phone, no email, the name
/// key differs), while a family member at that address and a namesake elsewhere are imported.
#[test]
fn an_import_finds_what_the_book_wide_finder_finds() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let add = |name: &str, address: &str, city: &str| {
        b.add_customer(
            &admin(&b),
            &CustomerInput {
                kind: Some("person".into()),
                name: Some(name.into()),
                address: Some(address.into()),
                city: Some(city.into()),
                ..Default::default()
            },
        )
        .unwrap()
    };
    let cooper = add("Cooper Cook", "239 Mill Crescent Unley 3202", "Unley");
    add("Grace Ryan", "251 River Road Unley 3188", "Unley");
    let src = dir.path().join("rows.csv");
    std::fs::write(
        &src,
        "name,address,city\n\
         \"Cook, Coopeer\",239 Mill Cres Unley,Unley\n\
         Riley Cook,239 Mill Crescent Unley 3202,Unley\n\
         Grace Ryan,420 Swanston Road Hornsby,Hornsby\n",
    )
    .unwrap();
    let r = b
        .import_file(&admin(&b), &src, &banyan::api::ImportRequest::default(), None, &mut |_, _| {}, &|| false)
        .unwrap();
    assert_eq!(r.duplicates.len(), 1, "{:?}", r.duplicates);
    assert_eq!(r.duplicates[0].row, 2);
    assert_eq!(r.duplicates[0].existing_id, cooper.id.to_string());
    assert_eq!(r.counts.created, 2);
}
