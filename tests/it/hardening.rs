//! Defects a user could hit with what they type, import or export (issue 11): each test here
//! failed on the code before its fix.

use crate::common::*;
use banyan::api::{Banyan, ImportRequest};
use banyan::io::export::ExportFormat;
use banyan::model::*;
use banyan::store::{CustomerFilter, CustomerSort};
use std::path::Path;

fn all(b: &Banyan) -> Vec<Customer> {
    b.customers(&admin(b), &CustomerFilter { sort: CustomerSort::Name, limit: Some(1_000_000), ..Default::default() })
        .unwrap()
}

fn quiet_export(b: &Banyan, out: &Path, format: ExportFormat, query: Option<&str>) -> u64 {
    b.export(&admin(b), out, format, query, &mut |_, _| {}, &|| false).unwrap().written
}

/// Every cell of a CSV file as a spreadsheet would see it (after the decoding of its encoding).
fn csv_cells(path: &Path, gbk: bool) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let text = if gbk {
        encoding_rs::GBK.decode(&bytes).0.into_owned()
    } else {
        String::from_utf8(bytes).unwrap().trim_start_matches('\u{feff}').to_string()
    };
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

const FORMULAS: [&str; 5] = ["=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1", "-2+3", "'=HYPERLINK(\"http://x\")"];

#[test]
fn csv_exports_and_the_rejects_file_run_no_formula_and_import_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    for (i, name) in FORMULAS.iter().enumerate() {
        let mut c = person(name);
        c.notes = Some(format!("=1+{i}"));
        c.city = Some("\t=2+2".into());
        b.add_customer(&admin(&b), &c).unwrap();
    }
    b.add_customer(&admin(&b), &CustomerInput { phones: vec!["+86 138 0013 8000".into()], ..person("Safe Name") })
        .unwrap();
    let before: Vec<_> = all(&b).into_iter().map(|c| (c.name, c.notes, c.city, c.phones)).collect();
    for format in [ExportFormat::Csv, ExportFormat::CsvExcel, ExportFormat::CsvGbk] {
        let out = dir.path().join(format!("{format:?}.csv"));
        assert_eq!(quiet_export(&b, &out, format, None), 6);
        for row in csv_cells(&out, format == ExportFormat::CsvGbk) {
            for cell in row {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{format:?}: a spreadsheet would run {cell:?}"
                );
            }
        }
        let target = tempfile::tempdir().unwrap();
        let (empty, _) = new_book(target.path());
        let r = empty
            .import_file(
                &admin(&empty),
                &out,
                &ImportRequest::default(),
                Some(&target.path().join("r.csv")),
                &mut |_, _| {},
                &|| false,
            )
            .unwrap();
        assert_eq!(r.counts.created, 6, "{format:?}: {:?}", r.issues);
        let back: Vec<_> = all(&empty).into_iter().map(|c| (c.name, c.notes, c.city, c.phones)).collect();
        assert_eq!(back, before, "{format:?}");
    }

    // The rows an import rejects go to a CSV with their cells as they came: made safe too, and
    // the fixed file imports exactly what the user typed.
    let src = dir.path().join("bad.csv");
    // "robot" is not a kind of customer: the row is refused whole.
    std::fs::write(&src, "姓名,类型,备注\n\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",robot,@cmd\n").unwrap();
    let rej = dir.path().join("bad.errors.csv");
    let r = b.import_file(&admin(&b), &src, &ImportRequest::default(), Some(&rej), &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(r.counts.failed, 1);
    let rows = csv_cells(&rej, false);
    assert_eq!(rows[1][0], "'=HYPERLINK(\"http://evil\",\"x\")");
    assert_eq!(rows[1][2], "'@cmd");
    // The user fixes the phone in the rejects file and imports it.
    let fixed = dir.path().join("fixed.csv");
    let mut w = csv::Writer::from_path(&fixed).unwrap();
    w.write_record(&rows[0][..3]).unwrap();
    w.write_record([rows[1][0].as_str(), "person", rows[1][2].as_str()]).unwrap();
    w.flush().unwrap();
    let r =
        b.import_file(&admin(&b), &fixed, &ImportRequest::default(), Some(&rej), &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(r.counts.created, 1, "{:?}", r.issues);
    let c = all(&b).into_iter().find(|c| c.notes.as_deref() == Some("@cmd")).unwrap();
    assert_eq!(c.name, "=HYPERLINK(\"http://evil\",\"x\")");
    assert_eq!(c.notes.as_deref(), Some("@cmd"));
}

#[test]
fn exporting_a_search_writes_every_match_not_a_page_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let src = dir.path().join("many.csv");
    let mut text = String::from("姓名,城市\n");
    for i in 0..1813 {
        text.push_str(&format!("Tester Number{i},杭州\n"));
    }
    for i in 0..300 {
        text.push_str(&format!("Other Person{i},上海\n"));
    }
    std::fs::write(&src, text).unwrap();
    let r = b.import_file(&admin(&b), &src, &ImportRequest::default(), None, &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(r.counts.created, 2113);
    for format in [ExportFormat::Csv, ExportFormat::Json] {
        let out = dir.path().join(format!("found.{}", format.extension()));
        assert_eq!(quiet_export(&b, &out, format, Some("tester")), 1813, "{format:?}");
        let written = std::fs::read_to_string(&out).unwrap();
        assert_eq!(written.matches("Tester Number").count(), 1813, "{format:?}");
        assert!(!written.contains("Other Person"), "{format:?}");
    }
    // The search list itself still shows a page.
    assert_eq!(b.search_customers(&admin(&b), "tester", &Default::default(), 50).unwrap().len(), 50);
}

fn names_csv(path: &Path, prefix: &str, n: usize) {
    let mut text = String::with_capacity(n * 24);
    text.push_str("姓名\n");
    for i in 0..n {
        text.push_str(&format!("{prefix} {i:06}\n"));
    }
    std::fs::write(path, text).unwrap();
}

fn status_of(b: &Banyan, batch: &str) -> String {
    b.imports(&admin(b)).unwrap().into_iter().find(|i| i.id == batch).unwrap().status
}

#[test]
fn undo_of_a_hundred_thousand_row_import_runs_in_chunks_can_be_cancelled_and_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    b.add_customer(&admin(&b), &person("Was Here Before")).unwrap();
    let src = dir.path().join("big.csv");
    names_csv(&src, "Bulk Person", 100_000);
    let r = b.import_file(&admin(&b), &src, &ImportRequest::default(), None, &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(r.counts.created, 100_000);
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 100_001);

    // Cancelled after the second chunk: what is undone so far stays undone, the journal says so
    // (not "done"), and the book is whole (every customer there or removed, none half).
    let reports = std::cell::Cell::new(0u32);
    let e = b
        .undo_import(&admin(&b), &r.batch_id, &mut |_, _| reports.set(reports.get() + 1), &|| reports.get() >= 2)
        .unwrap_err();
    assert_eq!(e.code, banyan::api::ErrorCode::Cancelled);
    let left = b.customer_count(&admin(&b)).unwrap();
    assert!(left > 1 && left < 100_001, "part of the import is undone: {left}");
    assert_eq!(status_of(&b, &r.batch_id), "undoing");

    // Undoing again finishes it, with progress up to every row of the batch.
    let mut last = (0, 0);
    let u = b.undo_import(&admin(&b), &r.batch_id, &mut |d, t| last = (d, t), &|| false).unwrap();
    assert_eq!(last, (100_000, 100_000));
    assert_eq!(u.removed as i64, left - 1, "the second run removes only what the first left");
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 1);
    assert_eq!(all(&b)[0].name, "Was Here Before");
    assert!(b.search_customers(&admin(&b), "Bulk Person", &Default::default(), 10).unwrap().is_empty());
    assert_eq!(status_of(&b, &r.batch_id), "undone");
    let again = b.undo_import(&admin(&b), &r.batch_id, &mut |_, _| {}, &|| false).unwrap_err();
    assert_eq!(again.code, banyan::api::ErrorCode::Invalid, "{}", again.message);
}

#[test]
fn an_import_still_running_cannot_be_undone_and_one_whose_process_died_is_taken_back_at_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path) = new_book(dir.path());
    b.add_customer(&admin(&b), &person("Was Here Before")).unwrap();
    let src = dir.path().join("rows.csv");
    names_csv(&src, "Crash Person", 25_000);

    // A running import, seen from a second handle on the book (another window, a CLI script):
    // the journal says running, undo is refused, and the second open does not take it back.
    std::thread::scope(|s| {
        let (go_on, wait) = std::sync::mpsc::channel::<()>();
        let (started, seen) = std::sync::mpsc::channel::<()>();
        let (book, file) = (&b, &src);
        let worker = s.spawn(move || {
            let b = book;
            let mut first = true;
            b.import_file(
                &admin(b),
                file,
                &ImportRequest::default(),
                None,
                &mut |_, _| {
                    // Held right after the first chunk commits, between two transactions.
                    if first && b.customer_count(&admin(b)).unwrap() > 1 {
                        first = false;
                        started.send(()).unwrap();
                        wait.recv().unwrap();
                    }
                },
                &|| false,
            )
            .unwrap()
        });
        seen.recv().unwrap();
        let other = Banyan::open(&opts(&path), &banyan::security::Unlock::passphrase(PASS)).unwrap();
        let running =
            other.imports(&admin(&other)).unwrap().into_iter().find(|i| i.status == "running").expect("journal");
        let e = other.undo_import(&admin(&other), &running.id, &mut |_, _| {}, &|| false).unwrap_err();
        assert!(e.message.contains("still running"), "{}", e.message);
        drop(other);
        go_on.send(()).unwrap();
        let done = worker.join().unwrap();
        assert_eq!(done.counts.created, 25_000);
        assert_eq!(status_of(&b, &done.batch_id), "done");
        b.undo_import(&admin(&b), &done.batch_id, &mut |_, _| {}, &|| false).unwrap();
    });

    // An import that dies part-way (here: a panic after its first committed chunk, as a crash in
    // the middle would leave it) stays "running" with its chunks in the book until the next
    // open, which takes them back.
    let died = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let b = &b;
        b.import_file(
            &admin(b),
            &src,
            &ImportRequest::default(),
            None,
            &mut |_, _| {
                if b.customer_count(&admin(b)).unwrap() > 1 {
                    panic!("the process dies here");
                }
            },
            &|| false,
        )
    }));
    assert!(died.is_err());
    assert!(b.customer_count(&admin(&b)).unwrap() > 1, "a chunk was committed before the crash");
    let batch = b.imports(&admin(&b)).unwrap().into_iter().find(|i| i.status == "running").expect("left running").id;
    drop(b);
    let b = Banyan::open(&opts(&path), &banyan::security::Unlock::passphrase(PASS)).unwrap();
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 1);
    assert_eq!(status_of(&b, &batch), "interrupted");
    let lock_files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".lock"))
        .collect();
    assert!(lock_files.is_empty(), "{lock_files:?}");
}

#[test]
fn a_new_passphrase_is_held_to_the_rule_by_the_core_and_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let short = Banyan::create(
        &opts(&dir.path().join("short.db")),
        banyan::store::NewKey::Passphrase("1234567".into()),
        &Default::default(),
    );
    let e = short.err().expect("a 7-character passphrase was accepted");
    assert_eq!(e.code, banyan::api::ErrorCode::Invalid);
    assert_eq!(e.field.as_deref(), Some("passphrase"));
    assert!(e.message.contains("at least 8 characters"), "{}", e.message);
    assert!(!dir.path().join("short.db").exists(), "nothing is left behind");
    // Counted in characters: eight Chinese characters are enough.
    let (mut b, path) = (
        Banyan::create(
            &opts(&dir.path().join("ok.db")),
            banyan::store::NewKey::Passphrase("八个汉字的密码呀".into()),
            &Default::default(),
        )
        .unwrap(),
        dir.path().join("ok.db"),
    );
    let kdf = banyan::security::keys::KdfParams { m_kib: 1024, t: 1, p: 1 };
    let e = b.rekey(&admin(&b), banyan::security::KeyMode::Passphrase, Some("x"), false, kdf).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("passphrase"));
    let e = b.rekey(&admin(&b), banyan::security::KeyMode::Passphrase, Some("         "), true, kdf).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("passphrase"));
    drop(b);
    assert!(Banyan::open(&opts(&path), &banyan::security::Unlock::passphrase("八个汉字的密码呀")).is_ok());

    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_banyan"))
        .args(["--db", dir.path().join("cli.db").to_str().unwrap(), "init", "--key-mode", "passphrase"])
        .env("BANYAN_PASSPHRASE", "short")
        .output()
        .unwrap();
    assert_eq!(cli.status.code(), Some(2), "{}", String::from_utf8_lossy(&cli.stderr));
    assert!(String::from_utf8_lossy(&cli.stderr).contains("at least 8 characters"));
}

#[cfg(unix)]
#[test]
fn the_book_its_key_snapshots_and_exports_are_the_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("new folder");
    let (b, path) = new_book(&folder);
    b.add_customer(&admin(&b), &person("张三")).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&folder), 0o700, "the folder Banyan made");
    assert_eq!(mode(&path), 0o600, "the book");
    let wal = path.with_file_name("book.db-wal");
    assert!(wal.exists());
    assert_eq!(mode(&wal), 0o600, "its WAL");
    let key = banyan::security::KeyStore::for_db(&path);
    assert_eq!(mode(key.path()), 0o600, "the key file");
    for format in [ExportFormat::Csv, ExportFormat::Xlsx, ExportFormat::Json, ExportFormat::Xml, ExportFormat::Vcard] {
        let out = dir.path().join(format!("out.{}", format.extension()));
        quiet_export(&b, &out, format, None);
        assert_eq!(mode(&out), 0o600, "{format:?} export");
    }
    let src = dir.path().join("bad.csv");
    std::fs::write(&src, "姓名,类型\n李四,robot\n").unwrap();
    b.import_file(&admin(&b), &src, &ImportRequest::default(), None, &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(mode(&dir.path().join("bad.errors.csv")), 0o600, "the rejected rows");
    let snapshot = dir.path().join("snap.db");
    b.store().backup_to(&snapshot).unwrap();
    assert_eq!(mode(&snapshot), 0o600, "a snapshot");
}

#[test]
fn an_export_never_fails_on_a_long_text_and_says_what_it_cut() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    // A contract pasted into the notes: 40,000 characters, with Chinese and emoji (two UTF-16
    // units each, as Excel counts).
    let contract: String = "合同条款 clause 😀 ".repeat(2_500).trim().to_string();
    let n = contract.chars().count();
    b.add_customer(&admin(&b), &CustomerInput { notes: Some(contract.clone()), ..person("Long Notes Ltd") }).unwrap();
    b.add_customer(&admin(&b), &person("Short Notes")).unwrap();
    let out = dir.path().join("book.xlsx");
    let r = b.export(&admin(&b), &out, ExportFormat::Xlsx, None, &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(r.written, 2);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(r.warnings[0].contains("Long Notes Ltd") && r.warnings[0].contains("notes"), "{}", r.warnings[0]);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let sheet = book.worksheet_range("Customers").unwrap();
    let notes_col = sheet.rows().next().unwrap().iter().position(|c| *c == "notes").unwrap();
    let cell = sheet.rows().find(|r| r[2] == "Long Notes Ltd").unwrap()[notes_col].to_string();
    assert!(cell.encode_utf16().count() <= 32_767, "fits a cell");
    let trimmed = cell.trim_trailing_marker();
    assert!(contract.starts_with(trimmed), "the kept part is the beginning of the text");
    let missing = n - trimmed.chars().count();
    let tail: String = cell.chars().rev().take(80).collect::<Vec<_>>().into_iter().rev().collect();
    assert!(cell.contains(&missing.to_string()), "the marker says how much is missing ({missing}): {tail}");
    // The CSV and JSON exports keep the whole text.
    let json = dir.path().join("book.json");
    assert!(
        b.export(&admin(&b), &json, ExportFormat::Json, None, &mut |_, _| {}, &|| false).unwrap().warnings.is_empty()
    );
    let text = std::fs::read_to_string(&json).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(v.as_array().unwrap().iter().any(|c| c["notes"] == contract.as_str()));
}

trait Marker {
    fn trim_trailing_marker(&self) -> &str;
}

impl Marker for String {
    /// The cell without the "…[N more characters cut…]" marker at its end.
    fn trim_trailing_marker(&self) -> &str {
        self.rfind('…').map(|i| &self[..i]).unwrap_or(self)
    }
}

#[test]
fn a_gbk_export_names_the_rows_gbk_cannot_hold_and_gb18030_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    b.add_customer(&admin(&b), &person("王小明")).unwrap();
    // 𠀾 (U+2003E, a rare name character) and an emoji are not in GBK.
    b.add_customer(&admin(&b), &CustomerInput { city: Some("深圳 😀".into()), ..person("陈𠀾") }).unwrap();
    let gbk = dir.path().join("gbk.csv");
    let r = b.export(&admin(&b), &gbk, ExportFormat::CsvGbk, None, &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(r.written, 2);
    assert_eq!(r.warning_count, 2, "{:?}", r.warnings);
    assert!(r.warnings.iter().all(|w| w.contains("陈𠀾") && w.contains("GB18030")), "{:?}", r.warnings);
    assert!(r.warnings.iter().any(|w| w.contains("name")) && r.warnings.iter().any(|w| w.contains("city")));

    let gb = dir.path().join("gb18030.csv");
    let r = b.export(&admin(&b), &gb, ExportFormat::CsvGb18030, None, &mut |_, _| {}, &|| false).unwrap();
    assert!(r.warnings.is_empty());
    let bytes = std::fs::read(&gb).unwrap();
    let (text, _, bad) = encoding_rs::GB18030.decode(&bytes);
    assert!(!bad && text.contains("陈𠀾") && text.contains("深圳 😀"));
    let target = tempfile::tempdir().unwrap();
    let (empty, _) = new_book(target.path());
    empty.import_file(&admin(&empty), &gb, &ImportRequest::default(), None, &mut |_, _| {}, &|| false).unwrap();
    let back: Vec<_> = all(&empty).into_iter().map(|c| (c.name, c.city)).collect();
    let before: Vec<_> = all(&b).into_iter().map(|c| (c.name, c.city)).collect();
    assert_eq!(back, before);
}

#[test]
fn single_line_fields_hold_one_line_of_visible_text_and_bidi_overrides_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    // U+202E would show "Acme\u{202E}cod.exe" as "Acmeexe.doc".
    for (field, input) in [
        ("name", CustomerInput { name: Some("Acme\u{202E}cod.exe".into()), ..person("") }),
        ("company", CustomerInput { company: Some("\u{2066}Evil\u{2069}".into()), ..person("A") }),
        ("notes", CustomerInput { notes: Some("see \u{202D}here".into()), ..person("B") }),
    ] {
        let e = b.add_customer(&admin(&b), &input).unwrap_err();
        assert_eq!(e.fields[0].field, field, "{}", e.message);
        assert!(e.message.contains("reorder"), "{}", e.message);
    }
    let c = b
        .add_customer(
            &admin(&b),
            &CustomerInput {
                name: Some("Zhang\u{200B}San\u{FEFF}".into()),
                address: Some("1 Main St\nFloor 2\r\nBerlin".into()),
                city: Some("Ber\u{00AD}lin".into()),
                notes: Some("line one\nline two".into()),
                ..person("")
            },
        )
        .unwrap();
    assert_eq!(c.name, "ZhangSan");
    assert_eq!(c.address.as_deref(), Some("1 Main St Floor 2 Berlin"));
    assert_eq!(c.city.as_deref(), Some("Berlin"));
    assert_eq!(c.notes.as_deref(), Some("line one\nline two"), "free text keeps its lines");
    // Emoji sequences keep their joiners.
    let family = b.add_customer(&admin(&b), &person("Family 👨\u{200D}👩\u{200D}👧")).unwrap();
    assert_eq!(family.name, "Family 👨\u{200D}👩\u{200D}👧");

    // Order notes go through the same rules.
    b.add_product(
        &admin(&b),
        &ProductInput {
            sku: Some("TEA".into()),
            name: Some("Tea".into()),
            price: Some("1".into()),
            currency: Some("CNY".into()),
            tax_rate: None,
            active: None,
        },
    )
    .unwrap();
    let order = |notes: &str| OrderInput {
        customer_id: c.id.to_string(),
        lines: vec![LineInput { sku: "TEA".into(), quantity: "1".into(), discount: None }],
        notes: Some(notes.into()),
    };
    let e = b.create_order(&admin(&b), &order("pay to \u{202E}1234")).unwrap_err();
    assert_eq!(e.fields[0].field, "notes");
    let e = b.create_order(&admin(&b), &order(&"x".repeat(100_001))).unwrap_err();
    assert_eq!(e.fields[0].field, "notes");
    assert_eq!(
        b.create_order(&admin(&b), &order("deliver\nMonday")).unwrap().notes.as_deref(),
        Some("deliver\nMonday")
    );
}

#[test]
fn the_book_and_its_files_are_refused_as_import_sources_and_export_targets() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path) = new_book(dir.path());
    b.add_customer(&admin(&b), &person("张三")).unwrap();
    let before = std::fs::read(&path).unwrap();
    let key = banyan::security::KeyStore::for_db(&path).path().to_path_buf();
    let wal = path.with_file_name("book.db-wal");
    let relative_book = dir.path().join(".").join("book.db");
    for target in [&path, &key, &wal, &relative_book, &path.with_file_name("book.db.v4-before-v5-1.snapshot")] {
        let e = b.export(&admin(&b), target, ExportFormat::Csv, None, &mut |_, _| {}, &|| false).unwrap_err();
        assert_eq!(e.code, banyan::api::ErrorCode::Invalid, "{target:?}");
        assert!(e.message.contains("customer book itself"), "{}", e.message);
    }
    for source in [&path, &key, &wal] {
        let e =
            b.import_file(&admin(&b), source, &ImportRequest::default(), None, &mut |_, _| {}, &|| false).unwrap_err();
        assert!(e.message.contains("customer book itself"), "{source:?}: {}", e.message);
        let e = b.import_preview(&admin(&b), source, &ImportRequest::default()).unwrap_err();
        assert!(e.message.contains("customer book itself"), "{}", e.message);
    }
    let src = dir.path().join("ok.csv");
    std::fs::write(&src, "姓名,手机\n李四,123\n").unwrap();
    let e =
        b.import_file(&admin(&b), &src, &ImportRequest::default(), Some(&path), &mut |_, _| {}, &|| false).unwrap_err();
    assert!(e.message.contains("customer book itself"), "{}", e.message);
    drop(b);
    assert_eq!(std::fs::read(&path).unwrap().len(), before.len(), "the book is untouched");
    assert!(Banyan::open(&opts(&path), &banyan::security::Unlock::passphrase(PASS)).is_ok());
    // A file merely named like the book, elsewhere, is fine.
    let other = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path().join("x").as_path());
    assert!(
        b.export(&admin(&b), &other.path().join("book.db.csv"), ExportFormat::Csv, None, &mut |_, _| {}, &|| false)
            .is_ok()
    );
}

#[test]
fn saving_a_form_writes_only_what_the_user_changed_and_keeps_what_others_changed_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path) = new_book(dir.path());
    let c = b.add_customer(&admin(&b), &CustomerInput { city: Some("杭州".into()), ..person("王小明") }).unwrap();
    let a = b.add_customer(&admin(&b), &person("Other Side")).unwrap();
    let id = c.id.to_string();
    // Another handle on the book (a CLI script, an import) keeps changing the city while the
    // form keeps saving notes. No save may put back a city it read earlier.
    let script = UserInput {
        login: Some("script".into()),
        name: Some("Nightly script".into()),
        roles: vec!["manager".into()],
        team: None,
    };
    b.add_user(&admin(&b), &script, ADMIN_PASSWORD).unwrap();
    let other = Banyan::open(&opts(&path), &banyan::security::Unlock::passphrase(PASS)).unwrap();
    let script = other.sign_in("script", ADMIN_PASSWORD, None, banyan::api::Channel::Cli).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..150 {
                let city = CustomerPatch { city: Some(format!("城市{i}")), ..Default::default() };
                other.update_customer(&script, &id, &city).unwrap();
            }
        });
        for i in 0..150 {
            let notes = CustomerPatch { notes: Some(format!("call {i}")), ..Default::default() };
            b.update_customer(&admin(&b), &id, &notes).unwrap();
        }
    });
    let log = b.store().changes(Some(&id), Default::default(), 10_000).unwrap();
    let form_user = admin(&b).user().to_string();
    assert!(log.iter().any(|e| e.user == script.user().to_string()), "the script's saves are logged under it");
    let form_cities: Vec<_> =
        log.iter().filter(|e| e.user == form_user && e.field == "city" && e.op == "update").collect();
    assert!(form_cities.is_empty(), "the form's saves changed the city {} times", form_cities.len());
    let now = b.customer(&admin(&b), &id).unwrap();
    assert_eq!(now.city.as_deref(), Some("城市149"));
    assert_eq!(now.notes.as_deref(), Some("call 149"));

    // A merge reads both customers in its own transaction too.
    let merged = b
        .merge(
            &admin(&b),
            &banyan::api::MergeRequest {
                survivor_id: id.clone(),
                other_id: a.id.to_string(),
                take: Default::default(),
            },
        )
        .unwrap();
    assert_eq!(merged.city.as_deref(), Some("城市149"));
}

#[test]
fn phone_extensions_are_kept_and_the_line_is_still_one_phone() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let c = b
        .add_customer(
            &admin(&b),
            &CustomerInput {
                phones: vec!["021 6234 5678 ext. 801".into(), "+1 (415) 555-2671 ext. 123".into()],
                ..person("Extension Corp")
            },
        )
        .unwrap();
    assert_eq!(c.phones, ["+862162345678;ext=801", "+14155552671;ext=123"]);
    // The same line typed without the extension is the same phone to the duplicate check.
    let dup = b.likely_duplicates(
        &admin(&b),
        &CustomerInput { phones: vec!["+1 415 555 2671".into()], ..person("Other") },
        None,
    );
    assert!(dup.unwrap().iter().any(|d| d.customer.as_ref().is_some_and(|x| x.id == c.id)));
}

#[test]
fn a_file_with_a_repeated_header_previews_and_imports_both_columns() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let src = dir.path().join("twice.csv");
    std::fs::write(&src, "姓名,电话,电话\n王五,010-62345678,13800138000\n").unwrap();
    let p = b.import_preview(&admin(&b), &src, &ImportRequest::default()).unwrap();
    assert_eq!(p.headers, ["姓名", "电话", "电话 (2)"]);
    assert_eq!(p.rows[0].cells, ["王五", "010-62345678", "13800138000"]);
    b.import_file(&admin(&b), &src, &ImportRequest::default(), None, &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(all(&b)[0].phones, ["+861062345678", "+8613800138000"]);
}

#[test]
fn demo_data_is_one_entry_of_the_import_history_and_undoing_it_removes_all_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let mine = b.add_customer(&admin(&b), &person("My Real Customer")).unwrap();
    let s = b.demo(&admin(&b), 60, 3).unwrap();
    assert_eq!(s.customers, 60);
    assert!(s.orders > 0 && s.products > 0);
    let journal = b.imports(&admin(&b)).unwrap();
    assert_eq!(journal.len(), 1);
    assert_eq!((journal[0].file_name.as_str(), journal[0].format.as_str()), ("Demo data", "demo"));
    b.undo_import(&admin(&b), &journal[0].id, &mut |_, _| {}, &|| false).unwrap();
    let left = all(&b);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, mine.id);
    assert!(b.orders(&admin(&b), &Default::default()).unwrap().is_empty(), "the demo orders went with it");
    assert!(b.products(&admin(&b), false).unwrap().is_empty(), "and the demo products");
}

#[test]
fn a_date_with_a_short_or_signed_year_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    b.add_custom_field(&admin(&b), "since", "Customer since", "date", &[]).unwrap();
    for bad in ["24-05-01", "5/1/2024", "-2024-05-01"] {
        let input = CustomerInput { custom: [("since".to_string(), bad.to_string())].into(), ..person("Date Person") };
        let e = b.add_customer(&admin(&b), &input).unwrap_err();
        assert_eq!(e.fields[0].field, "custom.since", "{bad}");
        assert!(e.message.contains("YYYY-MM-DD"), "{}", e.message);
    }
    let ok = CustomerInput { custom: [("since".to_string(), "2024/5/1".to_string())].into(), ..person("Date Person") };
    let c = b.add_customer(&admin(&b), &ok).unwrap();
    assert_eq!(c.custom.get("since").map(|v| v.to_input()).as_deref(), Some("2024-05-01"));
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name)
}

/// The file is refused with a message naming what is wrong, and the book is as it was.
fn refused(b: &Banyan, name: &str, fragment: &str) {
    let before = b.customer_count(&admin(b)).unwrap();
    let changes = b.store().change_count().unwrap();
    let e = b
        .import_file(&admin(b), &fixture(name), &ImportRequest::default(), None, &mut |_, _| {}, &|| false)
        .expect_err(&format!("{name} must be refused"));
    assert_eq!(e.code, banyan::api::ErrorCode::BadFile, "{name}: {}", e.message);
    assert!(e.message.contains(fragment), "{name}: {}", e.message);
    let preview = b.import_preview(&admin(b), &fixture(name), &ImportRequest::default());
    assert!(preview.is_err(), "{name}: the preview must refuse it too");
    assert_eq!(b.customer_count(&admin(b)).unwrap(), before, "{name}");
    assert_eq!(b.store().change_count().unwrap(), changes, "{name}");
}

#[test]
fn a_few_hundred_bytes_cannot_make_a_reader_lay_out_billions_of_cells() {
    // Each of these took all memory (the process was killed) before the readers measured them.
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    b.add_customer(&admin(&b), &person("Existing")).unwrap();
    // XLSX: A1 and XFD1048576 (calamine laid out 17 billion cells between them).
    refused(&b, "far-corner.xlsx", "Row 1048576 has more than 4096 columns");
    // XLSX: a text table that claims two billion texts (calamine reserved room for them).
    refused(&b, "many-strings.xlsx", "damaged or crafted");
    // ODS: a row of 1,000 values repeated a million times.
    refused(&b, "repeated.ods", "more than 50000000 cells");
    // XLS: a value at column 65,535, and a sheet declaring four billion rows.
    refused(&b, "far-column.xls", "more than 50000000 cells");
    refused(&b, "huge-dimensions.xls", "more than 50000000 cells");
    // JSON and XML records that each bring 50 keys of their own (10,001 columns).
    refused(&b, "wide.json", "Row 82 has more than 4096 columns");
    refused(&b, "wide.xml", "Row 82 has more than 4096 columns");
    refused(&b, "wide.csv", "Row 1 has more than 4096 columns");
    // Found by fuzz/read_xlsx: calamine indexes past a damaged XLS record's end and panics; the
    // user reads that the workbook cannot be read.
    let damaged = dir.path().join("damaged.xls");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/xls-merge-cells-index-panic.bin"),
        &damaged,
    )
    .unwrap();
    let e =
        b.import_file(&admin(&b), &damaged, &ImportRequest::default(), None, &mut |_, _| {}, &|| false).unwrap_err();
    assert!(e.message.contains("not a workbook Banyan can read"), "{}", e.message);

    // What is far apart but small is read as what it holds: a sheet's first and last rows.
    let r = b
        .import_file(&admin(&b), &fixture("far-rows.xlsx"), &ImportRequest::default(), None, &mut |_, _| {}, &|| false)
        .unwrap();
    assert_eq!(r.counts.created, 2);
    let names: Vec<String> = all(&b).into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["Acme Ltd", "Existing", "Zenith GmbH"]);
    // 1,000 records, each with one key of its own: 1,001 columns, every record imported.
    let p = b.import_preview(&admin(&b), &fixture("sparse.json"), &ImportRequest::default()).unwrap();
    assert_eq!(p.headers.len(), 1001);
    assert_eq!(p.rows[0].cells.len(), 1001);
    let r = b
        .import_file(&admin(&b), &fixture("sparse.json"), &ImportRequest::default(), None, &mut |_, _| {}, &|| false)
        .unwrap();
    assert_eq!(r.counts.created, 1000);
}

#[test]
fn a_quote_never_closed_is_named_by_row_and_column_not_read_as_the_rest_of_the_file() {
    // The csv crate read row 3's stray quote as opening a value holding the rest of the file:
    // three customers silently became one.
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    refused(&b, "stray-quote.csv", "Row 3, column 1: a quotation mark opens a value that is never closed");
    // A quote opened early in a big file runs past the cell limit: named at the row it opened,
    // without the rest of the file being held in memory first.
    let big = dir.path().join("big.csv");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        f.write_all(b"name,city\nAcme,Berlin\n\"Bright,Paris\n").unwrap();
        for i in 0..200_000 {
            writeln!(f, "Customer {i},Springfield").unwrap();
        }
    }
    let e = b.import_file(&admin(&b), &big, &ImportRequest::default(), None, &mut |_, _| {}, &|| false).unwrap_err();
    assert!(e.message.contains("Row 3, column 1: a quotation mark"), "{}", e.message);
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 0);
}

#[test]
fn the_language_changes_while_an_import_runs_without_waiting_for_it() {
    // The desktop switched the language by taking the book exclusively, which waited for the
    // running import, and every command queued behind it: the window froze until the import
    // ended. The switch now needs only the shared book and applies to the next message.
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let src = dir.path().join("long.csv");
    let mut text = String::from("name,email\n");
    for i in 0..20_000 {
        text.push_str(&format!("Customer {i},c{i}@example.com\n"));
    }
    text.push_str("Last One,not-an-email\n");
    std::fs::write(&src, text).unwrap();
    let (switched_tx, switched_rx) = std::sync::mpsc::channel::<()>();
    let (asked_tx, asked_rx) = std::sync::mpsc::channel::<()>();
    let report = std::thread::scope(|s| {
        let b = &b;
        s.spawn(move || {
            asked_rx.recv().unwrap();
            b.set_lang(banyan::i18n::Lang::ZhCn);
            switched_tx.send(()).unwrap();
        });
        let mut asked = Some(asked_tx);
        b.import_file(
            &admin(b),
            &src,
            &ImportRequest::default(),
            None,
            &mut |_, _| {
                if let Some(tx) = asked.take() {
                    tx.send(()).unwrap();
                    // The switch finishes while the import is still running.
                    switched_rx
                        .recv_timeout(std::time::Duration::from_secs(30))
                        .expect("the switch waited for the import");
                }
            },
            &|| false,
        )
        .unwrap()
    });
    // Importing valid rows keeps the customer and leaves the bad address out, with the row's issue.
    assert_eq!(report.counts.created, 20_001, "{:?}", report.counts);
    assert!(report.issues[0].text.starts_with("第 20002 行"), "{}", report.issues[0].text);
}

#[test]
fn a_field_someone_changed_while_the_form_was_open_is_refused_not_overwritten() {
    // The form loaded the customer; meanwhile a script changed the city. Saving the form's own
    // city would have put its old idea of the field over the script's, unseen.
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let c = b.add_customer(&admin(&b), &CustomerInput { city: Some("杭州".into()), ..person("王小明") }).unwrap();
    let id = c.id.to_string();
    let loaded = Box::new(b.customer(&admin(&b), &id).unwrap());
    b.update_customer(&admin(&b), &id, &CustomerPatch { city: Some("上海".into()), ..Default::default() }).unwrap();
    // The form changes the city too: refused, naming the field and what it holds now.
    let e = b
        .update_customer(
            &admin(&b),
            &id,
            &CustomerPatch { city: Some("南京".into()), base: Some(loaded.clone()), ..Default::default() },
        )
        .unwrap_err();
    assert_eq!(e.code, banyan::api::ErrorCode::Invalid);
    let f = e.fields.iter().find(|f| f.field == "city").expect("the city is named");
    assert!(f.message.contains("上海"), "{}", f.message);
    assert_eq!(b.customer(&admin(&b), &id).unwrap().city.as_deref(), Some("上海"));
    // The form changes only the notes: saved, the script's city kept.
    b.update_customer(
        &admin(&b),
        &id,
        &CustomerPatch { notes: Some("call back".into()), base: Some(loaded), ..Default::default() },
    )
    .unwrap();
    let now = b.customer(&admin(&b), &id).unwrap();
    assert_eq!((now.city.as_deref(), now.notes.as_deref()), (Some("上海"), Some("call back")));
}
