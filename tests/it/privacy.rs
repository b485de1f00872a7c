//! Privacy (PIPL): consents, a person's data for an access request, and erasure — proven on the
//! decrypted pages of the book, its WAL and a backup, not just on what queries return.

use crate::common::*;
use banyan::api::{Banyan, Channel, ConsentInput, ErrorCode};
use banyan::model::*;
use banyan::security::keys::{DbKey, KeyStore};
use std::path::Path;

const NAME: &str = "Quackenbush Trading";
const CONTACT: &str = "Bartholomew Quackenbush";
const PHONE: &str = "+8613912345678";
const EMAIL: &str = "secret.person@example.org";
const NOTE: &str = "Prefers WeChat, contract value 机密合同";
const ORDER_NOTE: &str = "Deliver to the Zhongshan warehouse gate 7";

fn needles() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for s in [NAME, CONTACT, "Quackenbush", "quackenbush", PHONE, "13912345678", EMAIL, NOTE, "机密合同", ORDER_NOTE]
    {
        out.push((format!("utf8 {s}"), s.as_bytes().to_vec()));
        out.push((format!("utf16le {s}"), s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()));
    }
    out
}

/// A test-only decryptor of SQLCipher 4 pages (AES-256-CBC per 4096-byte page under the raw key,
/// the page's IV in its last 80 reserved bytes, the file's salt in the first 16 bytes of page 1),
/// so a scan reads every page as SQLite would: live ones, free ones, and every frame of the WAL.
fn decrypted_pages(path: &Path, key: &DbKey) -> Vec<Vec<u8>> {
    use aes::cipher::{BlockDecryptMut, KeyIvInit, block_padding::NoPadding};
    type Dec = cbc::Decryptor<aes::Aes256>;
    let Ok(bytes) = std::fs::read(path) else { return Vec::new() };
    let key: [u8; 32] = hex::decode(key.to_hex().as_str()).unwrap().try_into().unwrap();
    const PAGE: usize = 4096;
    let decrypt = |page: &[u8], first: bool| -> Vec<u8> {
        let start = if first { 16 } else { 0 };
        let iv = &page[PAGE - 80..PAGE - 64];
        let mut data = page[start..PAGE - 80].to_vec();
        Dec::new(&key.into(), iv.into()).decrypt_padded_mut::<NoPadding>(&mut data).unwrap();
        data
    };
    let name = path.file_name().unwrap().to_string_lossy();
    if name.ends_with("-wal") {
        // A 32-byte header, then frames of a 24-byte header (page number first) and a page.
        let mut out = Vec::new();
        let mut at = 32;
        while at + 24 + PAGE <= bytes.len() {
            let page_no = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
            out.push(decrypt(&bytes[at + 24..at + 24 + PAGE], page_no == 1));
            at += 24 + PAGE;
        }
        return out;
    }
    bytes.chunks_exact(PAGE).enumerate().map(|(i, p)| decrypt(p, i == 0)).collect()
}

/// The needles found in the decrypted pages of the book files in `dir` (book, WAL, backups).
fn found(dir: &Path, key: &DbKey) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".json") || name.ends_with("-shm") || path.is_dir() {
            continue;
        }
        for page in decrypted_pages(&path, key) {
            for (what, n) in needles() {
                if page.windows(n.len()).any(|w| w == n.as_slice()) && !hits.contains(&format!("{what} in {name}")) {
                    hits.push(format!("{what} in {name}"));
                }
            }
        }
    }
    hits
}

struct Person {
    id: String,
    other: String,
}

/// A company with a contact, an activity, an order with notes, renamed once (so the log holds
/// the old name), exported by a search for its name (an audit event naming it), with a consent;
/// and another customer who stays.
fn person(b: &Banyan) -> Person {
    let a = admin(b);
    let input = CustomerInput {
        kind: Some("company".into()),
        name: Some("Quackenbush Trade Co".into()),
        phones: vec![PHONE.into()],
        emails: vec![EMAIL.into()],
        notes: Some(NOTE.into()),
        city: Some("Zhongshan".into()),
        ..Default::default()
    };
    let c = b.add_customer(&a, &input).unwrap();
    let id = c.id.to_string();
    b.update_customer(&a, &id, &CustomerPatch { name: Some(NAME.into()), ..Default::default() }).unwrap();
    let contact = ContactInput {
        name: Some(CONTACT.into()),
        phones: vec!["+4930901820".into()],
        emails: vec!["bart@quackenbush.example".into()],
        ..Default::default()
    };
    b.add_contact(&a, &id, &contact).unwrap();
    let note = ActivityInput {
        kind: Some("call".into()),
        occurred_at: Some("2026-11-30 10:00".into()),
        text: Some(NOTE.into()),
    };
    b.add_activity(&a, &id, &note).unwrap();
    let tea = ProductInput {
        sku: Some("TEA".into()),
        name: Some("Tea".into()),
        price: Some("12.00".into()),
        tax_rate: Some("0".into()),
        ..Default::default()
    };
    b.add_product(&a, &tea).unwrap();
    let order = OrderInput {
        customer_id: id.clone(),
        lines: vec![LineInput { sku: "TEA".into(), quantity: "2".into(), ..Default::default() }],
        notes: Some(ORDER_NOTE.into()),
    };
    b.create_order(&a, &order).unwrap();
    let given = ConsentInput {
        purpose: Some("marketing".into()),
        given: true,
        channel: Some("phone".into()),
        ..Default::default()
    };
    b.record_consent(&a, &id, &given).unwrap();
    let out = b.path().parent().unwrap().join("export-dir");
    std::fs::create_dir_all(&out).unwrap();
    let file = out.join("found.csv");
    let r = b.export(&a, &file, banyan::io::export::ExportFormat::Csv, Some("Quackenbush"), &mut |_, _| {}, &|| false);
    assert_eq!(r.unwrap().written, 1);
    std::fs::remove_dir_all(&out).unwrap();
    let other = b.add_customer(&a, &person_named("Zoë Müller")).unwrap().id.to_string();
    b.add_customer(&a, &person_named("王芳")).unwrap();
    Person { id, other }
}

fn person_named(name: &str) -> CustomerInput {
    CustomerInput {
        kind: Some("person".into()),
        name: Some(name.into()),
        city: Some("Zhongshan".into()),
        ..Default::default()
    }
}

#[test]
fn an_erased_person_is_gone_from_every_page_and_the_audit_trail_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path) = new_book(dir.path());
    let p = person(&b);
    let a = admin(&b);
    let key = KeyStore::for_db(&path).unlock(Some(PASS)).unwrap().0;
    // The scan sees the person before (so it is a scan that can find them).
    let before = found(dir.path(), &key);
    assert!(before.iter().any(|h| h.contains(CONTACT)) && before.iter().any(|h| h.contains(NOTE)), "{before:?}");
    // A snapshot from before, as a migration leaves beside the book.
    let snapshot = dir.path().join("book.db.v12-before-v13-20261201T000000.snapshot");
    b.store().backup_to(&snapshot).unwrap();

    let report = b.erase_person(&a, &p.id, "access and erasure request of 2026-12-04").unwrap();
    assert_eq!(report.counts.rows, 4, "{report:?}"); // customer, contact, activity, order notes
    assert!(report.counts.log_entries >= 5, "{report:?}");
    assert!(report.counts.events >= 1, "the export's search named the person: {report:?}");
    assert!(report.counts.search_terms >= 2, "quackenbush, bartholomew: {report:?}");
    assert_eq!(report.snapshots_removed, vec![snapshot.display().to_string()]);
    assert!(!snapshot.exists());
    assert!(report.wal_purged);
    // With the book still open: neither the file nor its WAL has a page with any of it.
    assert!(path.with_file_name("book.db-wal").exists());
    let hits = found(dir.path(), &key);
    assert!(hits.is_empty(), "on disk right after the erasure: {hits:?}");

    // Gone for every reader: the record is a tombstone without values, its history says what
    // changed when and by whom, without any value.
    let gone = b.customer(&a, &p.id).unwrap();
    assert!(gone.deleted && gone.name.is_empty() && gone.phones.is_empty() && gone.notes.is_none(), "{gone:?}");
    let history = b.history(&a, &p.id).unwrap();
    assert!(history.len() >= 10, "{history:?}");
    for h in &history {
        for v in [&h.old_value, &h.new_value].into_iter().flatten() {
            for n in ["Quackenbush", "Bartholomew", "13912345678", "4930901820", "secret.person", "WeChat", "Zhongshan"]
            {
                assert!(!v.contains(n), "{h:?}");
            }
        }
    }
    for q in ["Quackenbush", "Bartholomew", "13912345678", "secret.person", "机密合同"] {
        assert!(b.search_customers(&a, q, &Default::default(), 10).unwrap().is_empty(), "{q}");
    }
    assert_eq!(
        b.search_customers(&a, "Zoë Müller", &Default::default(), 10).unwrap()[0].customer.id.to_string(),
        p.other
    );
    let orders = b.orders(&a, &Default::default()).unwrap();
    assert_eq!(orders.len(), 1, "the order stays for the books");
    assert_eq!(orders[0].notes, None);
    assert!(orders[0].totals.is_some());
    assert_eq!(b.erase_person(&a, &p.id, "again").unwrap_err().code, ErrorCode::NotFound);
    // Its history cannot be reverted back into the book: every change is kept and reported.
    let rename = history.iter().find(|h| h.field == "name" && h.op == "update" && h.tx < history[0].tx).unwrap();
    let spec = format!("{}:{}", rename.change.origin, rename.change.seq);
    let kept = b.revert(&a, &banyan::api::Revert::Change(spec)).unwrap();
    assert_eq!(kept.conflicts.len(), 1, "{kept:?}");
    assert_eq!(kept.conflicts[0].field, "erased");
    assert!(b.customer(&a, &p.id).unwrap().name.is_empty());
    // The chain verifies: the commitments of the dropped values stayed.
    let verified = b.audit_verify(&a, &[], &mut |_, _| {}).unwrap();
    assert!(verified.intact, "{verified:?}");
    let events = b.audit_events(&a, 100).unwrap();
    assert!(events.iter().any(|e| e.kind == "erasure"));
    assert!(events.iter().all(|e| !e.detail.contains("Quackenbush")), "{events:?}");
    // A backup made now holds nothing of them either.
    b.store().backup_to(&dir.path().join("after.backup")).unwrap();
    drop(b);

    let hits = found(dir.path(), &key);
    assert!(hits.is_empty(), "still on disk after the erasure: {hits:?}");
    // The full-text vocabulary lists none of their words, and the typo vocabulary neither.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str())).unwrap();
    for t in ["customer_fts", "name_fts", "pinyin_fts"] {
        conn.execute_batch(&format!("CREATE VIRTUAL TABLE temp.v_{t} USING fts5vocab(main, {t}, row);")).unwrap();
        let terms: Vec<String> = conn
            .prepare(&format!("SELECT term FROM temp.v_{t}"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        // It lists the others' words (so it is a list that would show theirs).
        assert!(terms.iter().any(|w| w.contains("muller") || w.contains("wang") || w.contains("王")), "{t}: {terms:?}");
        for gone in ["quackenbush", "bartholomew", "13912345678", "secret", "wechat"] {
            assert!(!terms.iter().any(|w| w.contains(gone)), "{t} still lists {gone}");
        }
    }
    let typo: i64 = conn
        .query_row("SELECT count(*) FROM search_terms WHERE term IN ('quackenbush', 'bartholomew')", [], |r| r.get(0))
        .unwrap();
    assert_eq!(typo, 0);
}

#[test]
fn consents_are_recorded_given_and_withdrawn_with_who_how_and_when() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let a = admin(&b);
    let id = b.add_customer(&a, &person_named("王芳")).unwrap().id.to_string();
    let give = |purpose: &str, given: bool, channel: &str, at: Option<&str>| ConsentInput {
        purpose: Some(purpose.into()),
        given,
        channel: Some(channel.into()),
        notice_version: None,
        at: at.map(str::to_string),
    };
    b.record_consent(&a, &id, &give("marketing", true, "paper", Some("2026-11-02 09:30"))).unwrap();
    b.record_consent(&a, &id, &give("transfer", true, "web", Some("2026-11-03"))).unwrap();
    b.record_consent(&a, &id, &give("marketing", false, "phone", None)).unwrap();
    let list = b.consents(&a, &id).unwrap();
    let seen: Vec<(&str, &str, &str)> =
        list.iter().map(|c| (c.purpose.as_str(), c.status.as_str(), c.channel.as_str())).collect();
    assert_eq!(
        seen,
        vec![("marketing", "given", "paper"), ("transfer", "given", "web"), ("marketing", "withdrawn", "phone")]
    );
    assert!(list.iter().all(|c| c.recorded_by_name == "Test Admin" && c.notice_version == banyan::api::NOTICE_VERSION));
    // Bad input names its field, and nothing is recorded.
    let e = b.record_consent(&a, &id, &give("Marketing!", true, "fax", Some("2999-01-01"))).unwrap_err();
    let fields: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, vec!["purpose", "channel", "at"], "{e:?}");
    assert_eq!(b.consents(&a, &id).unwrap().len(), 3);
    // Consents are in the history and in the processing log.
    let kinds: Vec<String> = b.audit_events(&a, 50).unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "consent-given").count(), 2);
    assert_eq!(kinds.iter().filter(|k| *k == "consent-withdrawn").count(), 1);
    // A sales rep records none (privacy is the privacy officer's, here the admin's).
    let rep =
        UserInput { login: Some("rep".into()), name: Some("Rep".into()), roles: vec!["sales".into()], team: None };
    b.add_user(&a, &rep, "Lantern-orchid-58").unwrap();
    let rep = b.sign_in("rep", "Lantern-orchid-58", None, Channel::Cli).unwrap();
    assert_eq!(
        b.record_consent(&rep, &id, &give("service", true, "form", None)).unwrap_err().code,
        ErrorCode::Forbidden
    );
    // The notice is there in both languages.
    assert!(b.privacy_notice(&a).unwrap().text.contains(banyan::api::NOTICE_VERSION));
}

#[test]
fn a_privacy_export_holds_everything_about_the_person_as_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let p = person(&b);
    let a = admin(&b);
    let out = dir.path().join("request-42");
    let files = b.privacy_export(&a, &p.id, &out).unwrap().files;
    assert_eq!(files.len(), 7, "{files:?}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join(format!("{}.json", p.id))).unwrap()).unwrap();
    assert_eq!(json["customer"]["name"], NAME);
    assert_eq!(json["contacts"][0]["name"], CONTACT);
    assert_eq!(json["activities"][0]["text"], NOTE);
    assert_eq!(json["orders"][0]["notes"], ORDER_NOTE);
    assert_eq!(json["consents"][0]["purpose"], "marketing");
    assert!(json["history"].as_array().unwrap().iter().any(|h| h["field"] == "name"));
    let contacts = std::fs::read_to_string(out.join(format!("{}-contacts.csv", p.id))).unwrap();
    assert!(contacts.starts_with('\u{feff}') && contacts.contains(CONTACT), "{contacts}");
    let history = std::fs::read_to_string(out.join(format!("{}-history.csv", p.id))).unwrap();
    assert!(history.contains("Quackenbush Trade Co"), "the old name is in the history: {history}");
    // Exported again into the same folder: refused, the first files are kept.
    assert!(b.privacy_export(&a, &p.id, &out).is_err());
    assert!(b.audit_events(&a, 20).unwrap().iter().any(|e| e.kind == "privacy-export"));
}
