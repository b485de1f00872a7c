//! Import and export: every fixture file gives the expected customers or row errors, hostile files
//! fail cleanly without writing, duplicates are not doubled, undo takes an import back, cancel
//! leaves nothing, and every export format comes back as the same book.

use crate::common::*;
use banyan::api::{ApiError, Banyan, ErrorCode, ImportReport, ImportRequest, MergeRequest};
use banyan::io::export::ExportFormat;
use banyan::io::import::{ImportMode, OnDuplicate};
use banyan::io::mapping::{ColumnMap, Mapping, Target};
use banyan::model::*;
use banyan::store::{CustomerFilter, CustomerSort};
use std::cell::Cell;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name)
}

fn import(b: &Banyan, path: &Path, req: &ImportRequest, rejects: &Path) -> Result<ImportReport, ApiError> {
    b.import_file(&admin(b), path, req, Some(rejects), &mut |_, _| {}, &|| false)
}

fn all(b: &Banyan) -> Vec<Customer> {
    b.customers(&admin(b), &CustomerFilter { sort: CustomerSort::Name, limit: Some(100_000), ..Default::default() })
        .unwrap()
}

fn by_name(b: &Banyan, name: &str) -> Customer {
    all(b).into_iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name} was not imported"))
}

fn book_with_birthday(dir: &Path) -> Banyan {
    let (b, _) = new_book(dir);
    b.add_custom_field(&admin(&b), "birthday", "生日", "date", &[]).unwrap();
    b
}

/// name, phones, emails, city, company.
type Expected =
    (&'static str, &'static [&'static str], &'static [&'static str], Option<&'static str>, Option<&'static str>);

/// What one fixture must give: customers (name, phones, emails, city, company) and row errors
/// (row, column, message id fragment of the localized text).
struct Case {
    file: &'static str,
    sheet: Option<&'static str>,
    customers: &'static [Expected],
    errors: &'static [(u64, &'static str, &'static str)],
}

#[test]
fn every_fixture_imports_as_expected() {
    let cases = [
        Case {
            file: "utf8.csv",
            sheet: None,
            customers: &[
                ("John Smith", &["+49301234567"], &["john@example.com"], Some("Berlin"), Some("Acme, Inc.")),
                // Imported without the number it cannot read (importing valid rows leaves a bad
                // value out, not the customer).
                ("Zoë Müller", &[], &["zoe@example.de"], Some("München"), Some("Müller GmbH")),
            ],
            // A German local number read with the book's default region (CN) is not valid. Rows
            // are counted as a spreadsheet shows them: the quoted line break does not count.
            errors: &[(3, "Phone", "not a valid phone number")],
        },
        Case {
            file: "utf8-bom.csv",
            sheet: None,
            customers: &[
                ("张三丰", &["+8613800138000"], &["zsf@example.cn"], Some("十堰"), Some("武当科技有限公司")),
                ("李四", &["+8613800138001"], &[], Some("北京"), None),
            ],
            errors: &[],
        },
        Case {
            file: "gbk.csv",
            sheet: None,
            customers: &[
                ("王小明", &["+8613912345678", "+861062345678"], &[], None, Some("北京某某科技有限公司")),
                ("赵六", &["+8615001234567"], &[], None, Some("上海浦东某某贸易有限公司")),
            ],
            errors: &[],
        },
        Case {
            file: "utf16le.csv",
            sheet: None,
            customers: &[
                ("陈静", &["+8613612345678"], &[], Some("广州"), None),
                ("Ana López", &["+34612345678"], &[], Some("Madrid"), None),
            ],
            errors: &[],
        },
        Case {
            file: "utf16be.csv",
            sheet: None,
            customers: &[("周杰", &["+8613712345678"], &[], None, None)],
            errors: &[],
        },
        Case {
            file: "latin1.csv",
            sheet: None,
            customers: &[
                ("François Dupont", &["+33142685300"], &[], Some("Paris"), None),
                ("Jürgen Groß", &["+49891234567"], &[], Some("München"), None),
            ],
            errors: &[],
        },
        Case {
            file: "pipe.csv",
            sheet: None,
            customers: &[
                ("Mary Major", &[], &["mary@example.org"], None, None),
                ("Kim Lee", &[], &["kim@example.org"], None, None),
            ],
            errors: &[],
        },
        Case {
            file: "tabs.tsv",
            sheet: None,
            customers: &[("孙悟空", &["+8613312345678"], &[], Some("花果山"), None)],
            errors: &[],
        },
        Case {
            file: "quirks.csv",
            sheet: None,
            customers: &[
                ("Alice Wong", &["+85291234567"], &[], Some("Hong Kong"), None),
                ("Bob Stone", &[], &[], None, None),
                ("Chen, Wei", &["+8613512345678"], &[], Some("Shen\"zhen"), None),
            ],
            errors: &[],
        },
        Case {
            file: "bad-rows.csv",
            sheet: None,
            customers: &[
                ("好人", &["+8613800138002"], &["good@example.cn"], None, None),
                ("好人二", &["+8613800138005"], &[], None, None),
                // A bad phone or email is left out; the row without a name is refused.
                ("坏电话", &[], &[], None, None),
                ("坏邮箱", &["+8613800138004"], &[], None, None),
            ],
            errors: &[
                (3, "姓名", "required"),
                (4, "手机", "“12345” is not a valid phone number"),
                (5, "邮箱", "“not-an-email” is not a valid email"),
            ],
        },
        Case {
            file: "book.xlsx",
            sheet: None,
            customers: &[
                ("刘备", &["+8613800138010"], &[], Some("成都"), None),
                ("关羽", &["+8613800138011"], &[], Some("荆州"), None),
                ("张飞", &["+8613800138012"], &[], Some("阆中"), None),
            ],
            errors: &[],
        },
        Case {
            file: "book.xlsx",
            sheet: Some("Companies"),
            customers: &[("Globex Ltd.", &["+442079460958"], &["info@globex.example"], None, None)],
            errors: &[],
        },
        Case {
            file: "book.xls",
            sheet: None,
            customers: &[
                ("曹操", &["+8613800138020"], &[], None, None),
                ("孙权", &["+8613800138021"], &[], None, None),
            ],
            errors: &[],
        },
        Case {
            file: "book.ods",
            sheet: None,
            customers: &[("诸葛亮", &["+8613800138030"], &[], Some("隆中"), None)],
            errors: &[],
        },
        Case {
            file: "customers.json",
            sheet: None,
            customers: &[
                ("黄忠", &["+8613800138040", "+861062345679"], &["hz@example.cn"], Some("长沙"), None),
                ("Jane Roe", &["+12125550182"], &[], None, Some("Initech LLC")),
            ],
            errors: &[],
        },
        Case {
            file: "wrapped.json",
            sheet: None,
            customers: &[("马超", &["+8613800138050"], &[], None, None)],
            errors: &[],
        },
        Case {
            file: "customers.xml",
            sheet: None,
            customers: &[
                ("魏延", &["+8613800138060", "+8613800138061"], &["wy@example.cn"], Some("汉中 & 南郑"), None),
                ("O'Brien & Sons", &[], &[], None, None),
            ],
            errors: &[],
        },
        Case {
            file: "v21.vcf",
            sheet: None,
            customers: &[("姜维", &["+8613800138070", "+869311234567"], &[], None, None)],
            errors: &[],
        },
        Case {
            file: "v30.vcf",
            sheet: None,
            customers: &[(
                "John Doe",
                &["+14155550100", "+14155550199"],
                &["john.doe@example.com"],
                Some("San Francisco"),
                Some("Example, Inc. Sales"),
            )],
            errors: &[],
        },
        Case {
            file: "v40.vcf",
            sheet: None,
            customers: &[("Umbrella Corp", &["+442079460000"], &["contact@umbrella.example"], None, None)],
            errors: &[],
        },
    ];
    for case in &cases {
        let dir = tempfile::tempdir().unwrap();
        let b = book_with_birthday(dir.path());
        let req = ImportRequest { sheet: case.sheet.map(str::to_string), ..Default::default() };
        let rejects = dir.path().join("rejects.csv");
        let r =
            import(&b, &fixture(case.file), &req, &rejects).unwrap_or_else(|e| panic!("{}: {}", case.file, e.message));
        let got = all(&b);
        assert_eq!(
            got.len(),
            case.customers.len(),
            "{}: {:?}",
            case.file,
            got.iter().map(|c| &c.name).collect::<Vec<_>>()
        );
        for (name, phones, emails, city, company) in case.customers {
            let c = by_name(&b, name);
            assert_eq!(c.phones, *phones, "{} {name} phones", case.file);
            assert_eq!(c.emails, *emails, "{} {name} emails", case.file);
            assert_eq!(c.city.as_deref(), *city, "{} {name} city", case.file);
            assert_eq!(c.company.as_deref(), *company, "{} {name} company", case.file);
        }
        // Every problem is reported; the rows refused whole are those whose customers are missing.
        assert_eq!(r.issues.len(), case.errors.len(), "{}: {:?}", case.file, r.issues);
        for (row, column, text) in case.errors {
            assert!(
                r.issues
                    .iter()
                    .any(|i| i.row == *row && i.column.as_deref() == Some(column) && i.message.contains(text)),
                "{}: expected row {row} column {column} “{text}” in {:?}",
                case.file,
                r.issues
            );
        }
        // Rejected rows come back as a file with the original columns and a problem column.
        if r.counts.failed == 0 {
            assert!(r.rejects_file.is_none(), "{}", case.file);
        } else {
            let text = std::fs::read_to_string(&rejects).unwrap();
            let mut rdr = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
            assert_eq!(rdr.headers().unwrap().iter().next_back(), Some("Problem"));
            assert_eq!(rdr.records().count() as u64, r.counts.failed, "{}", case.file);
        }
    }
}

#[test]
fn spreadsheet_types_survive() {
    let dir = tempfile::tempdir().unwrap();
    let b = book_with_birthday(dir.path());
    import(&b, &fixture("book.xlsx"), &ImportRequest::default(), &dir.path().join("r.csv")).unwrap();
    // A date cell is a date, a phone stored as a number keeps every digit (no 1.38E+10).
    let liu = by_name(&b, "刘备");
    assert_eq!(liu.custom.get("birthday"), Some(&CustomValue::Date("1990-03-07".into())));
    assert_eq!(liu.phones, vec!["+8613800138010"]);
    let guan = by_name(&b, "关羽");
    assert_eq!(guan.custom.get("birthday"), Some(&CustomValue::Date("1988-12-31".into())));
    // The title row above the header was skipped, and the preview says where the header is.
    let p = b.import_preview(&admin(&b), &fixture("book.xlsx"), &ImportRequest::default()).unwrap();
    assert_eq!(p.info.header_row, 2);
    assert_eq!(p.info.sheets, vec!["客户", "Companies"]);
    let xls = tempfile::tempdir().unwrap();
    let b2 = book_with_birthday(xls.path());
    import(&b2, &fixture("book.xls"), &ImportRequest::default(), &xls.path().join("r.csv")).unwrap();
    assert_eq!(by_name(&b2, "曹操").custom.get("birthday"), Some(&CustomValue::Date("1980-01-02".into())));
}

#[test]
fn vcards_decode_quoted_printable_and_charsets() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    import(&b, &fixture("v21.vcf"), &ImportRequest::default(), &dir.path().join("r.csv")).unwrap();
    let c = by_name(&b, "姜维");
    assert_eq!(c.notes.as_deref(), Some("天水人"));
    import(&b, &fixture("v30.vcf"), &ImportRequest::default(), &dir.path().join("r.csv")).unwrap();
    let j = by_name(&b, "John Doe");
    assert_eq!(j.tags, vec!["prospect", "west"]);
    assert_eq!(j.notes.as_deref(), Some("Met at the fair, booth 12"));
    assert_eq!(j.address.as_deref(), Some("100 Main St"));
    import(&b, &fixture("v40.vcf"), &ImportRequest::default(), &dir.path().join("r.csv")).unwrap();
    assert_eq!(by_name(&b, "Umbrella Corp").kind, CustomerKind::Company);
}

fn expect_bad_file(b: &Banyan, path: &Path, fragment: &str) {
    let before = b.customer_count(&admin(b)).unwrap();
    let changes = b.store().change_count().unwrap();
    let e = import(b, path, &ImportRequest::default(), &path.with_extension("rejects.csv"))
        .expect_err(&format!("{} must be refused", path.display()));
    assert_eq!(e.code, ErrorCode::BadFile, "{}: {}", path.display(), e.message);
    assert!(e.message.contains(fragment), "{}: {}", path.display(), e.message);
    assert_eq!(b.customer_count(&admin(b)).unwrap(), before, "{}", path.display());
    assert_eq!(b.store().change_count().unwrap(), changes, "{}", path.display());
}

#[test]
fn hostile_and_broken_files_fail_cleanly_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    b.add_customer(&admin(&b), &person("Existing")).unwrap();
    expect_bad_file(&b, &fixture("bomb.xlsx"), "unpacks to far more data");
    expect_bad_file(&b, &fixture("truncated.xlsx"), "not a workbook");
    expect_bad_file(&b, &fixture("laughs.xml"), "entities");
    expect_bad_file(&b, &fixture("truncated.json"), "Line 1 of the JSON file");
    expect_bad_file(&b, &fixture("not-a-list.json"), "list of records");

    // A 100 MB single field: refused by row and column, not read into the book.
    let huge = dir.path().join("huge.csv");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&huge).unwrap());
        f.write_all(b"name,notes\nSmall,ok\nBig,\"").unwrap();
        let chunk = vec![b'x'; 1024 * 1024];
        for _ in 0..100 {
            f.write_all(&chunk).unwrap();
        }
        f.write_all(b"\"\n").unwrap();
    }
    expect_bad_file(&b, &huge, "Row 3, column 2");

    // Invalid UTF-8 after the part the encoding is guessed from: those rows are reported, by row
    // and column, and the good rows import.
    let mixed = dir.path().join("mixed.csv");
    let mut bytes = b"name,city\n".to_vec();
    for i in 0..3000 {
        bytes.extend_from_slice(format!("Person {i},Springfield\n").as_bytes());
    }
    bytes.extend_from_slice(b"Bad \xff\xfe Bytes,Nowhere\n");
    std::fs::write(&mixed, &bytes).unwrap();
    let r = import(&b, &mixed, &ImportRequest::default(), &dir.path().join("m.csv")).unwrap();
    assert_eq!(r.counts.created, 3000);
    assert_eq!(r.counts.failed, 1);
    assert_eq!(r.issues[0].row, 3002);
    assert_eq!(r.issues[0].column.as_deref(), Some("name"));
}

#[test]
fn importing_twice_does_not_double_the_book_and_duplicate_policies_apply() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let rej = dir.path().join("r.csv");
    let first = import(&b, &fixture("gbk.csv"), &ImportRequest::default(), &rej).unwrap();
    assert_eq!(first.counts.created, 2);
    let again = import(&b, &fixture("gbk.csv"), &ImportRequest::default(), &rej).unwrap();
    assert_eq!((again.counts.created, again.counts.skipped), (0, 2));
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 2);
    assert!(again.duplicates.iter().all(|d| d.reasons.contains(&banyan::quality::dedupe::Reason::SamePhone)));

    // The same people in another file, in Traditional script and with a city: "update" fills
    // the empty city, "overwrite" replaces what differs, "create" adds new records.
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "姓名,手机,城市,公司\n王小明,+86 139 1234 5678,北京,新公司\n").unwrap();
    let u =
        import(&b, &other, &ImportRequest { on_duplicate: OnDuplicate::Update, ..Default::default() }, &rej).unwrap();
    assert_eq!(u.counts.updated, 1);
    let w = by_name(&b, "王小明");
    assert_eq!(w.city.as_deref(), Some("北京"));
    assert_eq!(w.company.as_deref(), Some("北京某某科技有限公司"), "update keeps values already there");
    let o = import(&b, &other, &ImportRequest { on_duplicate: OnDuplicate::Overwrite, ..Default::default() }, &rej)
        .unwrap();
    assert_eq!(o.counts.updated, 1);
    assert_eq!(by_name(&b, "王小明").company.as_deref(), Some("新公司"));
    let c =
        import(&b, &other, &ImportRequest { on_duplicate: OnDuplicate::Create, ..Default::default() }, &rej).unwrap();
    assert_eq!(c.counts.created, 1);
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 3);

    // Rows of one file that are the same customer are one customer.
    let twice = dir.path().join("twice.csv");
    std::fs::write(&twice, "name,email\nMei Lin,mei@example.com\nMEI LIN,Mei@Example.com\n").unwrap();
    let t = import(&b, &twice, &ImportRequest::default(), &rej).unwrap();
    assert_eq!((t.counts.created, t.counts.skipped), (1, 1));
}

/// A customer that one file names twice, under "update", gets what both rows add: the second row
/// is matched against the customer as the first row left it, not as it was first read.
#[test]
fn a_customer_updated_twice_by_one_file_keeps_both_rows_values() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let rej = dir.path().join("r.csv");
    let first = dir.path().join("first.csv");
    std::fs::write(
        &first,
        "name,phone
Gao Yuan,+86 139 8765 4321
",
    )
    .unwrap();
    assert_eq!(import(&b, &first, &ImportRequest::default(), &rej).unwrap().counts.created, 1);
    let twice = dir.path().join("twice.csv");
    std::fs::write(
        &twice,
        "name,phone,city,company
Gao Yuan,+86 139 8765 4321,Chengdu,
Gao Yuan,+86 139 8765 4321,,Tianfu Tea
",
    )
    .unwrap();
    let u =
        import(&b, &twice, &ImportRequest { on_duplicate: OnDuplicate::Update, ..Default::default() }, &rej).unwrap();
    assert_eq!((u.counts.created, u.counts.updated), (0, 2));
    let g = by_name(&b, "Gao Yuan");
    assert_eq!(g.city.as_deref(), Some("Chengdu"), "the second row kept what the first added");
    assert_eq!(g.company.as_deref(), Some("Tianfu Tea"));
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 1);
}

#[test]
fn undo_takes_an_import_back_except_what_was_edited_since() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let rej = dir.path().join("r.csv");
    let kept = b.add_customer(&admin(&b), &person("Kept Before")).unwrap();
    let first = import(&b, &fixture("utf8-bom.csv"), &ImportRequest::default(), &rej).unwrap();
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 3);

    // A second import overwrites a field; a user then edits another imported customer.
    let over = dir.path().join("over.csv");
    std::fs::write(&over, "姓名,手机,城市\n张三丰,13800138000,武当山\n").unwrap();
    let second =
        import(&b, &over, &ImportRequest { on_duplicate: OnDuplicate::Overwrite, ..Default::default() }, &rej).unwrap();
    assert_eq!(by_name(&b, "张三丰").city.as_deref(), Some("武当山"));
    let li = by_name(&b, "李四");
    b.update_customer(
        &admin(&b),
        &li.id.to_string(),
        &CustomerPatch { notes: Some("called back".into()), ..Default::default() },
    )
    .unwrap();

    let u2 = b.undo_import(&admin(&b), &second.batch_id, &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(u2.restored, 1);
    assert!(u2.conflicts.is_empty());
    assert_eq!(by_name(&b, "张三丰").city.as_deref(), Some("十堰"));

    let u1 = b.undo_import(&admin(&b), &first.batch_id, &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(u1.removed, 1, "张三丰 removed");
    assert_eq!(u1.conflicts.len(), 1, "李四 was edited after the import: kept and reported");
    assert_eq!(u1.conflicts[0].name, "李四");
    let names: Vec<String> = all(&b).into_iter().map(|c| c.name).collect();
    assert_eq!(names, vec![kept.name.clone(), "李四".to_string()]);
    let journal = b.imports(&admin(&b)).unwrap();
    assert!(journal.iter().all(|i| i.status == "undone"));
    assert!(b.undo_import(&admin(&b), "not-a-batch", &mut |_, _| {}, &|| false).is_err());
}

#[test]
fn all_or_nothing_dry_run_and_cancel_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let rej = dir.path().join("r.csv");
    admin(&b); // the first admin is written before the count
    let changes = b.store().change_count().unwrap();
    let strict = ImportRequest { mode: ImportMode::AllOrNothing, ..Default::default() };
    let r = import(&b, &fixture("bad-rows.csv"), &strict, &rej).unwrap();
    assert!(r.rolled_back);
    assert_eq!(r.counts.failed, 3);
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 0);

    let dry = ImportRequest { dry_run: true, ..Default::default() };
    let r = import(&b, &fixture("gbk.csv"), &dry, &rej).unwrap();
    assert!(r.rolled_back);
    assert_eq!(r.counts.created, 2);
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 0);
    assert_eq!(b.store().change_count().unwrap(), changes);

    // Cancel once a chunk has been committed (another connection sees its customers): the
    // import is taken back entirely.
    let big = dir.path().join("big.csv");
    let mut text = String::from("name,phone\n");
    for i in 0..2500 {
        text.push_str(&format!("Customer {i},+86 138 {:04} {:04}\n", i / 10_000, i % 10_000));
    }
    std::fs::write(&big, text).unwrap();
    // Cancel at the first progress report, which comes inside the first 10,000-row chunk: that
    // transaction is rolled back and nothing was committed.
    let reports = Cell::new(0u32);
    let logged = b.store().change_count().unwrap();
    let e = b
        .import_file(
            &admin(&b),
            &big,
            &ImportRequest::default(),
            Some(&rej),
            &mut |_, _| reports.set(reports.get() + 1),
            &|| reports.get() > 0,
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Cancelled);
    assert_eq!(reports.get(), 1, "cancelled at the first report, inside the chunk");
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 0);
    // Rolled back, not written and undone: the change log has not grown.
    assert_eq!(b.store().change_count().unwrap(), logged);
    assert_eq!(b.imports(&admin(&b)).unwrap()[0].status, "cancelled");
    let seen_committed = Cell::new(false);
    let e = b
        .import_file(&admin(&b), &big, &ImportRequest::default(), Some(&rej), &mut |_, _| {}, &|| {
            seen_committed.set(seen_committed.get() || b.customer_count(&admin(&b)).unwrap() > 0);
            seen_committed.get()
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Cancelled);
    assert!(seen_committed.get(), "cancelled after a committed chunk");
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 0);
    let journal = b.imports(&admin(&b)).unwrap();
    assert_eq!(journal[0].status, "cancelled");
}

/// No rejects file: the rows' problems are in the outcome.
struct NoRejects;

impl banyan::io::import::Rejects for NoRejects {
    fn reject(&mut self, _: &banyan::io::read::Row, _: &[banyan::io::import::RowProblem]) -> banyan::Result<()> {
        Ok(())
    }
}

#[test]
fn a_file_imported_in_many_chunks_keeps_its_order_and_finds_its_own_earlier_rows() {
    // Rows are read and validated on one thread and written on another, in chunks: later rows
    // must still find earlier ones (here across chunks), and every row lands once, in order.
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let path = dir.path().join("many.csv");
    let mut text = String::from("姓名,手机,城市\n");
    for i in 0..1500 {
        text.push_str(&format!("客户{i},138{:08},杭州\n", i));
    }
    // No name: refused whole (a bad phone alone would be left out and the row imported).
    text.push_str(",12345,杭州\n");
    for i in 0..700 {
        // The same people again, phone written another way: duplicates of rows in earlier chunks.
        text.push_str(&format!("客户{i},+86 138 {:04} {:04},Hangzhou\n", i / 10_000, i % 10_000));
    }
    std::fs::write(&path, text).unwrap();
    let opts = banyan::io::import::ImportOptions { chunk_rows: 128, ..Default::default() };
    let ctx = ValidationContext::default();
    let mut ticks = 0u32;
    let mut report = |_: u64, _: u64| ticks += 1;
    let mut progress = banyan::io::Progress { report: &mut report, cancelled: &|| false };
    let out = banyan::io::import::run(b.store(), &path, &opts, &ctx, "tester", &mut NoRejects, &mut progress).unwrap();
    assert_eq!(out.counts.rows_read, 2201);
    assert_eq!((out.counts.created, out.counts.skipped, out.counts.failed), (1500, 700, 1));
    assert_eq!(out.problems[0].row, 1502, "the bad row is named by its place in the file");
    assert!(ticks >= 10, "progress was reported as the chunks went ({ticks})");
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 1500);
    // The duplicates were skipped, not merged into or created: every city is still 杭州.
    let every = b
        .customers(&admin(&b), &CustomerFilter { sort: CustomerSort::Name, limit: Some(5000), ..Default::default() })
        .unwrap();
    assert!(every.iter().all(|c| c.city.as_deref() == Some("杭州")));
    // Every created customer is findable at once (indexed in the same transaction).
    assert_eq!(
        b.search_customers(&admin(&b), "客户1499", &Default::default(), 5).unwrap()[0].customer.name,
        "客户1499"
    );
    assert_eq!(
        b.search_customers(&admin(&b), "13800001234", &Default::default(), 5).unwrap()[0].customer.name,
        "客户1234"
    );
}

#[test]
fn rows_after_another_write_between_two_chunks_see_what_it_changed() {
    // The import's matching keeps the candidates it has read from one transaction to the next
    // while no one else writes; a customer changed between two of its chunks (here from the
    // progress report, as the desktop may save a form while an import runs) must be read again.
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let input = CustomerInput {
        kind: Some("person".into()),
        name: Some("Li Lei".into()),
        phones: vec!["+86 138 0013 8000".into()],
        emails: vec!["li.lei@example.com".into()],
        city: Some("北京".into()),
        ..Default::default()
    };
    let lei = b.add_customer(&admin(&b), &input).unwrap();
    let path = dir.path().join("again.csv");
    std::fs::write(
        &path,
        "name,phone,email,city\n\
         Li Lei,+86 138 0013 8000,li.lei@example.com,北京\n\
         Li Lei,+86 139 0013 9000,lei.li@example.org,北京\n",
    )
    .unwrap();
    let opts = banyan::io::import::ImportOptions { chunk_rows: 1, ..Default::default() };
    let ctx = ValidationContext::default();
    let changed = Cell::new(false);
    let mut report = |_: u64, _: u64| {
        // Reported after the first row's transaction: Li Lei gets the second row's phone and email.
        if !changed.replace(true) {
            let patch = CustomerPatch {
                phones: Some(vec!["+86 139 0013 9000".into()]),
                emails: Some(vec!["lei.li@example.org".into()]),
                ..Default::default()
            };
            b.update_customer(&admin(&b), &lei.id.to_string(), &patch).unwrap();
        }
    };
    let mut progress = banyan::io::Progress { report: &mut report, cancelled: &|| false };
    let out = banyan::io::import::run(b.store(), &path, &opts, &ctx, "tester", &mut NoRejects, &mut progress).unwrap();
    assert!(changed.get());
    // Both rows are Li Lei: the first as he was, the second as he is after the change (read as
    // he was, the second row's phone and email disagree with his and it became a new customer).
    assert_eq!((out.counts.created, out.counts.skipped), (0, 2), "{:?}", out.duplicates);
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 1);
}

#[test]
fn a_company_whose_name_many_share_is_still_found_at_its_own_address() {
    // 60 companies called Acme Trading: too many for the name alone to point at one (an import
    // no longer reads such a block). The one at 7 Harbour Road, made last, shares its address
    // with six people too, more than the address alone may bring. A row for Acme Trading at 7
    // Harbour Road, with another phone and email, is still that company.
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let company = |address: String, phone: String, email: String| CustomerInput {
        kind: Some("company".into()),
        name: Some("Acme Trading Ltd".into()),
        phones: vec![phone],
        emails: vec![email],
        address: Some(address),
        city: Some("Sydney".into()),
        ..Default::default()
    };
    for i in 0..59 {
        let c = company(
            format!("{} Main Street", i + 1),
            format!("+61 2 9{:03} 1{:03}", i, i),
            format!("office{i}@acme.example"),
        );
        b.add_customer(&admin(&b), &c).unwrap();
    }
    for name in ["Ann Lee", "Bob Stone", "Cara Wong", "Dan Price", "Eve Ross", "Finn Hall"] {
        let person = CustomerInput {
            kind: Some("person".into()),
            name: Some(name.into()),
            address: Some("7 Harbour Road".into()),
            city: Some("Sydney".into()),
            ..Default::default()
        };
        b.add_customer(&admin(&b), &person).unwrap();
    }
    let harbour = b
        .add_customer(
            &admin(&b),
            &company("7 Harbour Road".into(), "+61 2 9555 0100".into(), "harbour@acme.example".into()),
        )
        .unwrap();
    let path = dir.path().join("acme.csv");
    std::fs::write(
        &path,
        "kind,name,phone,email,address,city\ncompany,Acme Trading Ltd,+61 2 9555 0199,sales@acme.example,7 Harbour Rd,Sydney\n",
    )
    .unwrap();
    let opts = banyan::io::import::ImportOptions::default();
    let ctx = ValidationContext::default();
    let mut progress = banyan::io::Progress { report: &mut |_, _| {}, cancelled: &|| false };
    let out = banyan::io::import::run(b.store(), &path, &opts, &ctx, "tester", &mut NoRejects, &mut progress).unwrap();
    assert_eq!((out.counts.created, out.counts.skipped), (0, 1), "{:?}", out.duplicates);
    assert_eq!(out.duplicates[0].existing_id, harbour.id.to_string());
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 66);
}

fn book_for_round_trip(dir: &Path) -> Banyan {
    let b = book_with_birthday(dir);
    b.add_custom_field(&admin(&b), "budget", "Budget", "number", &[]).unwrap();
    b.demo(&admin(&b), 150, 7).unwrap();
    add_manager(&b);
    // Values that trip formats up: separators, quotes, markup, newlines, custom values.
    let tricky = CustomerInput {
        kind: Some("company".into()),
        name: Some("“Quotes”, Commas; <Markup> & Co".into()),
        company: None,
        phones: vec!["+86 10 6234 5678".into(), "+1 212 555 0100".into()],
        emails: vec!["a@example.com".into()],
        address: Some("1 \"Main\" St, Floor 2".into()),
        city: Some("北京".into()),
        country: Some("中国".into()),
        tags: vec!["vip".into(), "重点客户".into()],
        owner: Some("李经理".into()),
        source: Some("展会".into()),
        notes: Some("Line one\nLine two, with “quotes”".into()),
        custom: [("birthday".to_string(), "1999-09-09".to_string()), ("budget".to_string(), "12500.5".to_string())]
            .into_iter()
            .collect(),
    };
    b.add_customer(&admin(&b), &tricky).unwrap();
    b
}

/// A customer without its timestamps, and with its owner as people read it (a user's id is
/// the book's own; their name is what travels), for comparing books.
fn essence(c: &Customer) -> Customer {
    let owner = c.owner_label().map(str::to_string);
    Customer { created_at: 0, updated_at: 0, owner, owner_name: None, ..c.clone() }
}

/// The sales manager the tricky customer belongs to, a user of `b`.
fn add_manager(b: &Banyan) {
    let input = UserInput {
        login: Some("li.jingli".into()),
        name: Some("李经理".into()),
        roles: vec!["manager".into()],
        team: None,
    };
    b.add_user(&admin(b), &input, "Willow-parchment-93").unwrap();
}

#[test]
fn every_export_format_round_trips_into_an_empty_book() {
    let dir = tempfile::tempdir().unwrap();
    let b = book_for_round_trip(dir.path());
    let mut original: Vec<Customer> = all(&b).iter().map(essence).collect();
    original.sort_by_key(|c| c.id);
    for (i, format) in [
        ExportFormat::Csv,
        ExportFormat::CsvExcel,
        ExportFormat::CsvGbk,
        ExportFormat::CsvGb18030,
        ExportFormat::Xlsx,
        ExportFormat::Json,
        ExportFormat::Xml,
        ExportFormat::Vcard,
    ]
    .into_iter()
    .enumerate()
    {
        let out = dir.path().join(format!("export-{i}.{}", format.extension()));
        let n = b.export(&admin(&b), &out, format, None, &mut |_, _| {}, &|| false).unwrap().written;
        assert_eq!(n as usize, original.len(), "{format:?}: {:?}", {
            let text = std::fs::read_to_string(&out).unwrap_or_default();
            original.iter().filter(|c| !text.contains(&c.id.to_string())).map(|c| c.name.clone()).collect::<Vec<_>>()
        });
        let target = tempfile::tempdir().unwrap();
        let empty = book_with_birthday(target.path());
        empty.add_custom_field(&admin(&empty), "budget", "Budget", "number", &[]).unwrap();
        add_manager(&empty);
        let r = import(&empty, &out, &ImportRequest::default(), &target.path().join("r.csv")).unwrap();
        assert_eq!(r.counts.failed, 0, "{format:?}: {:?}", r.issues.first());
        let mut back: Vec<Customer> = all(&empty).iter().map(essence).collect();
        back.sort_by_key(|c| c.id);
        assert_eq!(back.len(), original.len(), "{format:?}");
        for (a, z) in original.iter().zip(&back) {
            assert_eq!(a, z, "{format:?}");
        }
        // And importing the export again into the same book changes nothing.
        let again = import(&empty, &out, &ImportRequest::default(), &target.path().join("r.csv")).unwrap();
        assert_eq!((again.counts.created, again.counts.updated), (0, 0), "{format:?}");
    }
}

#[test]
fn export_of_a_search_and_cancelled_export_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    b.add_customer(&admin(&b), &person("张三丰")).unwrap();
    b.add_customer(&admin(&b), &person("John Smith")).unwrap();
    let out = dir.path().join("some.csv");
    assert_eq!(
        b.export(&admin(&b), &out, ExportFormat::Csv, Some("zsf"), &mut |_, _| {}, &|| false).unwrap().written,
        1
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("张三丰") && !text.contains("John"));
    b.demo(&admin(&b), 1500, 1).unwrap();
    let gone = dir.path().join("cancelled.xlsx");
    let e = b.export(&admin(&b), &gone, ExportFormat::Xlsx, None, &mut |_, _| {}, &|| true).unwrap_err();
    assert_eq!(e.code, ErrorCode::Cancelled);
    assert!(!gone.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_saved_mapping_is_reused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let file = dir.path().join("odd.csv");
    std::fs::write(&file, "Kundenname,Handy,Ort\nHans Meier,+49 171 1234567,Köln\n").unwrap();
    // Unknown German headers: nothing is suggested; the preview shows the columns and says why it
    // cannot import yet, so the user maps them and saves the mapping.
    let p = b.import_preview(&admin(&b), &file, &ImportRequest::default()).unwrap();
    assert_eq!(p.headers, vec!["Kundenname", "Handy", "Ort"]);
    assert_eq!(p.rows[0].cells[0], "Hans Meier");
    assert!(p.mapping_problem.unwrap().contains("name or the company"));
    let m = Mapping {
        columns: vec![
            ColumnMap { column: "Kundenname".into(), target: Target::Name },
            ColumnMap { column: "Handy".into(), target: Target::Phone },
            ColumnMap { column: "Ort".into(), target: Target::City },
        ],
    };
    b.save_mapping(&admin(&b), "German shop", &m).unwrap();
    assert_eq!(b.mappings(&admin(&b)).unwrap()[0].name, "German shop");
    let req = ImportRequest { mapping_name: Some("German shop".into()), ..Default::default() };
    let r = import(&b, &file, &req, &dir.path().join("r.csv")).unwrap();
    assert_eq!(r.counts.created, 1);
    assert_eq!(by_name(&b, "Hans Meier").city.as_deref(), Some("Köln"));
}

#[test]
fn merge_moves_contacts_activities_and_orders_to_the_survivor() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let company =
        |name: &str| CustomerInput { kind: Some("company".into()), name: Some(name.into()), ..Default::default() };
    let keep = b
        .add_customer(&admin(&b), &CustomerInput { phones: vec!["13800138000".into()], ..company("张三贸易有限公司") })
        .unwrap();
    let other = b
        .add_customer(
            &admin(&b),
            &CustomerInput {
                phones: vec!["13900139000".into()],
                emails: vec!["zs@example.cn".into()],
                city: Some("上海".into()),
                ..company("张三贸易")
            },
        )
        .unwrap();
    b.add_contact(
        &admin(&b),
        &other.id.to_string(),
        &ContactInput { name: Some("助理小王".into()), ..Default::default() },
    )
    .unwrap();
    b.add_activity(
        &admin(&b),
        &other.id.to_string(),
        &ActivityInput {
            kind: Some("call".into()),
            occurred_at: Some("2026-11-01 10:00".into()),
            text: Some("Asked for a quote".into()),
        },
    )
    .unwrap();
    b.add_product(
        &admin(&b),
        &ProductInput {
            sku: Some("P1".into()),
            name: Some("Tea".into()),
            price: Some("10".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let order = b
        .create_order(
            &admin(&b),
            &OrderInput {
                customer_id: other.id.to_string(),
                lines: vec![LineInput { sku: "P1".into(), quantity: "2".into(), discount: None }],
                notes: None,
            },
        )
        .unwrap();
    let changes = b.store().change_count().unwrap();
    let merged = b
        .merge(
            &admin(&b),
            &MergeRequest {
                survivor_id: keep.id.to_string(),
                other_id: other.id.to_string(),
                take: Default::default(),
            },
        )
        .unwrap();
    assert_eq!(merged.name, "张三贸易有限公司");
    assert_eq!(merged.phones, vec!["+8613800138000", "+8613900139000"]);
    assert_eq!(merged.emails, vec!["zs@example.cn"]);
    assert_eq!(merged.city.as_deref(), Some("上海"));
    let rec = b.customer_record(&admin(&b), &keep.id.to_string()).unwrap();
    assert_eq!(rec.contacts.len(), 1);
    assert_eq!(rec.activities.len(), 1);
    assert_eq!(rec.orders.len(), 1);
    assert_eq!(b.order(&admin(&b), &order.number).unwrap().customer_id, keep.id);
    assert!(b.customer(&admin(&b), &other.id.to_string()).unwrap().deleted);
    assert!(b.store().change_count().unwrap() > changes, "the merge is in the change log");
    // A merge with itself is refused.
    let e = b
        .merge(
            &admin(&b),
            &MergeRequest { survivor_id: keep.id.to_string(), other_id: keep.id.to_string(), take: Default::default() },
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
}

#[test]
fn every_reader_survives_every_fixture_and_fuzz_finding() {
    use banyan::io::Format;
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [fixture(""), Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions")] {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            if e.path().is_file() && e.path().extension().is_some_and(|x| x != "py") {
                files.push(e.path());
            }
        }
    }
    assert!(files.len() > 20);
    for f in &files {
        let data = std::fs::read(f).unwrap();
        // Every reader gets every file: a JSON reader fed a workbook must refuse it, not panic.
        for format in [Format::Csv, Format::Xlsx, Format::Xls, Format::Ods, Format::Json, Format::Xml, Format::Vcard] {
            banyan::io::read::fuzz_one(&data, format);
        }
    }
}

#[test]
fn a_workbook_with_a_looping_sector_chain_is_refused_not_read_forever() {
    // Found by fuzz/read_xlsx: calamine alone allocates without end on this 9 KB file.
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let f = dir.path().join("looping.xls");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/xlsx-cfb-sector-chain-oom.bin"), &f)
        .unwrap();
    expect_bad_file(&b, &f, "not a workbook");
}

#[test]
fn a_row_finds_a_duplicate_made_by_an_earlier_row_of_the_same_chunk() {
    // One chunk, one transaction: the first rows' match keys are not in the key table until the
    // transaction commits, and the later rows must find them all the same (by phone, by email,
    // by name and city), in both orders of the phone's spelling.
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let path = dir.path().join("one-chunk.csv");
    let text = "姓名,手机,邮箱,城市\n\
                王小明,13800138000,,杭州\n\
                Acme Trading,,sales@acme.example,Shanghai\n\
                王小明,+86 138 0013 8000,,Hangzhou\n\
                ACME TRADING,,Sales@Acme.example,上海\n\
                李雷,13900139000,,北京\n";
    std::fs::write(&path, text).unwrap();
    let ctx = ValidationContext::default();
    let mut progress = banyan::io::Progress { report: &mut |_, _| {}, cancelled: &|| false };
    let opts = banyan::io::import::ImportOptions::default();
    let out = banyan::io::import::run(b.store(), &path, &opts, &ctx, "tester", &mut NoRejects, &mut progress).unwrap();
    assert_eq!((out.counts.created, out.counts.skipped), (3, 2), "{:?}", out.counts);
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 3);
    // Once committed, the keys are in the table: the same file again only finds duplicates.
    let again =
        banyan::io::import::run(b.store(), &path, &opts, &ctx, "tester", &mut NoRejects, &mut progress).unwrap();
    assert_eq!((again.counts.created, again.counts.skipped), (0, 5), "{:?}", again.counts);
    assert_eq!(b.search_customers(&admin(&b), "13900139000", &Default::default(), 5).unwrap()[0].customer.name, "李雷");
}
