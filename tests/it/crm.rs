//! Files from the CRMs people leave (issue 11): every column lands somewhere, phones are read in
//! each row's own country, split addresses are composed, "company + contact person" rows become a
//! company with its contact. Each fixture (tests/fixtures/import/make.py) → its records, field by
//! field.

use crate::common::*;
use banyan::api::{Banyan, ImportReport, ImportRequest};
use banyan::store::{CustomerFilter, CustomerSort};
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name)
}

fn import(b: &Banyan, name: &str) -> ImportReport {
    let rej = tempfile::tempdir().unwrap();
    b.import_file(
        &admin(b),
        &fixture(name),
        &ImportRequest::default(),
        Some(&rej.path().join("r.csv")),
        &mut |_, _| {},
        &|| false,
    )
    .unwrap()
}

fn dump(b: &Banyan) -> String {
    let all = b
        .customers(&admin(b), &CustomerFilter { sort: CustomerSort::Name, limit: Some(1000), ..Default::default() })
        .unwrap();
    let mut out = String::new();
    for c in all {
        out.push_str(&format!(
            "{} [{}] company={:?} phones={:?} emails={:?}\n  address={:?} city={:?} country={:?}\n  tags={:?} owner={:?} source={:?}\n  notes={:?}\n",
            c.name, c.kind.as_str(), c.company, c.phones, c.emails, c.address, c.city, c.country, c.tags, c.owner, c.source, c.notes
        ));
        for k in b.customer_record(&admin(b), &c.id.to_string()).unwrap().contacts {
            out.push_str(&format!(
                "  contact {} title={:?} phones={:?} emails={:?}\n",
                k.name, k.title, k.phones, k.emails
            ));
        }
    }
    out
}

/// One expected customer: the fields a user sees, and its contacts (name, title, phones).
struct Want {
    name: &'static str,
    kind: &'static str,
    company: Option<&'static str>,
    phones: &'static [&'static str],
    emails: &'static [&'static str],
    address: Option<&'static str>,
    city: Option<&'static str>,
    country: Option<&'static str>,
    tags: &'static [&'static str],
    owner: Option<&'static str>,
    source: Option<&'static str>,
    notes: Option<&'static str>,
    contacts: &'static [(&'static str, Option<&'static str>, &'static [&'static str])],
}

const NONE: Want = Want {
    name: "",
    kind: "person",
    company: None,
    phones: &[],
    emails: &[],
    address: None,
    city: None,
    country: None,
    tags: &[],
    owner: None,
    source: None,
    notes: None,
    contacts: &[],
};

fn check(file: &str, want: &[Want], unmapped: &[&str], issues: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let r = import(&b, file);
    assert_eq!(r.counts.failed, 0, "{file}: {:?}", r.issues);
    let got = b
        .customers(&admin(&b), &CustomerFilter { sort: CustomerSort::Name, limit: Some(1000), ..Default::default() })
        .unwrap();
    assert_eq!(got.len(), want.len(), "{file}:\n{}", dump(&b));
    for (c, w) in got.iter().zip(want) {
        let ctx = format!("{file}, {}", w.name);
        assert_eq!(c.name, w.name, "{ctx}");
        assert_eq!(c.kind.as_str(), w.kind, "{ctx}: kind");
        assert_eq!(c.company.as_deref(), w.company, "{ctx}: company");
        assert_eq!(c.phones, w.phones, "{ctx}: phones");
        assert_eq!(c.emails, w.emails, "{ctx}: emails");
        assert_eq!(c.address.as_deref(), w.address, "{ctx}: address");
        assert_eq!(c.city.as_deref(), w.city, "{ctx}: city");
        assert_eq!(c.country.as_deref(), w.country, "{ctx}: country");
        assert_eq!(c.tags, w.tags, "{ctx}: tags");
        // A row naming no owner is the importer's; one naming somebody who is no user keeps the text.
        let importer = admin(&b).user().to_string();
        assert_eq!(c.owner.as_deref(), w.owner.or(Some(importer.as_str())), "{ctx}: owner");
        assert_eq!(c.source.as_deref(), w.source, "{ctx}: source");
        assert_eq!(c.notes.as_deref(), w.notes, "{ctx}: notes");
        let contacts: Vec<_> = b
            .customer_record(&admin(&b), &c.id.to_string())
            .unwrap()
            .contacts
            .into_iter()
            .map(|k| (k.name, k.title, k.phones))
            .collect();
        let expected: Vec<_> = w
            .contacts
            .iter()
            .map(|(n, t, p)| {
                (n.to_string(), t.map(str::to_string), p.iter().map(|x| x.to_string()).collect::<Vec<_>>())
            })
            .collect();
        assert_eq!(contacts, expected, "{ctx}: contacts");
    }
    for (u, column) in r.unmapped.iter().zip(unmapped) {
        assert!(u.contains(&format!("“{column}”")) && u.contains("kept in the notes"), "{file}: {u}");
    }
    assert_eq!(r.unmapped.len(), unmapped.len(), "{file}: {:?}", r.unmapped);
    let texts: Vec<&str> = r.issues.iter().map(|i| i.text.as_str()).collect();
    assert_eq!(texts.len(), issues.len(), "{file}: {texts:?}");
    for (t, fragment) in texts.iter().zip(issues) {
        assert!(t.contains(fragment), "{file}: {t}");
    }
}

#[test]
fn a_salesforce_contact_export_keeps_every_column_and_reads_phones_in_each_rows_country() {
    check(
        "crm-salesforce.csv",
        &[
            Want {
                name: "Erika Mustermann",
                company: Some("Beispiel GmbH"),
                phones: &["+4930901820", "+4915123456789"],
                emails: &["erika@beispiel.example"],
                address: Some("Unter den Linden 5, Berlin, 10117, Germany"),
                city: Some("Berlin"),
                country: Some("Germany"),
                notes: Some("Salutation: Ms.\nTitle: Einkauf"),
                ..NONE
            },
            Want {
                name: "John Doe",
                company: Some("Acme Corp"),
                phones: &["+14155552671", "+14155550132"],
                emails: &["john.doe@acme.example"],
                address: Some("1 Market St, San Francisco, CA 94105, United States"),
                city: Some("San Francisco"),
                country: Some("United States"),
                notes: Some("Salutation: Mr.\nTitle: VP Sales"),
                ..NONE
            },
            Want {
                name: "Taro Yamada",
                company: Some("Yamada Shoji"),
                phones: &["+81312345678", "+819012345678"],
                emails: &["taro@yamada.example"],
                address: Some("1-1 Marunouchi, Chiyoda-ku, Tokyo 100-0005, Japan"),
                city: Some("Chiyoda-ku"),
                country: Some("Japan"),
                notes: Some("Salutation: Mr.\nTitle: 部長"),
                ..NONE
            },
        ],
        &["Salutation", "Title"],
        &[],
    );
}

#[test]
fn hubspot_dynamics_and_odoo_exports_land_in_their_fields() {
    check(
        "crm-hubspot.csv",
        &[
            Want {
                name: "Amelia Watson",
                company: Some("Watson & Co"),
                phones: &["+441214960000"],
                emails: &["amelia@example.co.uk"],
                address: Some("10 High St, Birmingham, West Midlands B1 1AA, United Kingdom"),
                city: Some("Birmingham"),
                country: Some("United Kingdom"),
                tags: &["customer"],
                owner: Some("Sam Rep"),
                source: Some("Organic search"),
                notes: Some("Job Title: Director"),
                ..NONE
            },
            Want {
                name: "Siti Rahman",
                company: Some("Rahman Trading"),
                phones: &["+60123456789"],
                emails: &["siti@example.my"],
                address: Some("Jalan Ampang 1, Kuala Lumpur, 50450, Malaysia"),
                city: Some("Kuala Lumpur"),
                country: Some("Malaysia"),
                tags: &["lead"],
                owner: Some("Sam Rep"),
                source: Some("Referrals"),
                notes: Some("Job Title: Owner"),
                ..NONE
            },
        ],
        &["Job Title"],
        &[],
    );
    check(
        "crm-dynamics.csv",
        &[Want {
            name: "Pierre Martin",
            company: Some("Martin SARL"),
            phones: &["+33123456789", "+33612345678"],
            emails: &["pierre@martin.example"],
            address: Some("12 rue de Rivoli, Paris, Île-de-France 75001, France"),
            city: Some("Paris"),
            country: Some("France"),
            notes: Some("Job Title: Acheteur"),
            ..NONE
        }],
        &["Job Title"],
        &[],
    );
    check(
        "crm-odoo.csv",
        &[Want {
            name: "Maria Rossi",
            company: Some("Rossi Srl"),
            phones: &["+390212345678", "+393123456789"],
            emails: &["maria@rossi.example"],
            address: Some("Via Roma 1, Scala B, Milano, MI 20121, Italy"),
            city: Some("Milano"),
            country: Some("Italy"),
            tags: &["VIP", "Wholesale"],
            owner: Some("Giulia"),
            notes: Some("Job Position: CEO"),
            ..NONE
        }],
        &["Job Position"],
        &[],
    );
}

#[test]
fn a_chinese_crm_export_gives_companies_with_their_contact_persons() {
    check(
        "crm-chinese.csv",
        &[
            Want {
                name: "杭州某某科技有限公司",
                kind: "company",
                phones: &["+8657187654321"],
                emails: &["zhangwei@example.cn"],
                address: Some("浙江省杭州市西湖区文三路90号"),
                city: Some("杭州市"),
                tags: &["A类"],
                owner: Some("李经理"),
                notes: Some("行业: 软件"),
                // The company is listed once per contact person: one customer, both contacts.
                contacts: &[
                    ("张伟", Some("采购经理"), &["+8613812345678"]),
                    ("王芳", Some("财务"), &["+8613987654321"]),
                ],
                ..NONE
            },
            Want {
                name: "深圳某某贸易有限公司",
                kind: "company",
                phones: &["+8675512345678"],
                emails: &["chenjing@example.cn"],
                address: Some("广东省深圳市南山区科技园路1号"),
                city: Some("深圳市"),
                tags: &["B类"],
                owner: Some("赵经理"),
                notes: Some("行业: 贸易"),
                contacts: &[("陈静", Some("总经理"), &["+8613612345678"])],
                ..NONE
            },
        ],
        &["行业"],
        &[],
    );
    check(
        "crm-wecom.csv",
        &[Want {
            name: "刘洋",
            phones: &["+8615012345678", "+861062345678"],
            emails: &["liuyang@corp.example"],
            address: Some("北京市海淀区中关村大街1号"),
            notes: Some("账号: liuyang\n职务: 工程师\n部门: 研发部"),
            ..NONE
        }],
        &["账号", "职务", "部门"],
        &[],
    );
}

#[test]
fn a_bad_value_rejects_that_value_not_the_customer() {
    check(
        "crm-bad-phone.csv",
        &[Want {
            name: "Good Row",
            phones: &["+4930901820"],
            emails: &["good@example.de"],
            country: Some("Germany"),
            ..NONE
        }],
        &[],
        &["Row 2, Mobile: “not a number” is not a valid phone number"],
    );
    // All or nothing still refuses the whole file.
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let req = ImportRequest { mode: banyan::io::import::ImportMode::AllOrNothing, ..Default::default() };
    let r = b
        .import_file(
            &admin(&b),
            &fixture("crm-bad-phone.csv"),
            &req,
            Some(&dir.path().join("r.csv")),
            &mut |_, _| {},
            &|| false,
        )
        .unwrap();
    assert!(r.rolled_back);
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 0);
}
