//! Field rules (issue 13): support sees what was ordered, never for how much. Order values and
//! product prices are absent (not zero) from every DTO support gets (get, list, the record, the
//! summary, products), listed in `redacted`; a write setting a field one may not write is refused
//! whole, naming the field.

use crate::common::*;
use banyan::api::{Banyan, Caller, Channel, ErrorCode};
use banyan::model::*;
use banyan::security::grants::{Action, Entity, Grant, RoleChange, Scope};

const PW: &str = "Willow-parchment-93";
/// The price (minor units) and the amounts of the test order: none may reach support.
const PRICE: &str = "87.53";
const NEEDLES: [&str; 4] = ["8753", "26259", "24421", "87.53"];

struct Book {
    b: Banyan,
    _dir: tempfile::TempDir,
    admin: Caller,
    customer: String,
    number: String,
}

fn book() -> Book {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let admin = admin(&b);
    let tea = ProductInput {
        sku: Some("TEA".into()),
        name: Some("Dragon Well".into()),
        price: Some(PRICE.into()),
        tax_rate: Some("0".into()),
        ..Default::default()
    };
    b.add_product(&admin, &tea).unwrap();
    let c = b.add_customer(&admin, &person("Quillfeather Tea House")).unwrap();
    // 3 × 87.53 = 262.59, −7 % = 18.38 → 244.21.
    let line = LineInput { sku: "TEA".into(), quantity: "3".into(), discount: Some("7".into()) };
    let o =
        b.create_order(&admin, &OrderInput { customer_id: c.id.to_string(), lines: vec![line], notes: None }).unwrap();
    assert_eq!(o.totals.as_ref().unwrap().total, 24421);
    let input = UserInput {
        login: Some("desk".into()),
        name: Some("Front Desk".into()),
        roles: vec!["support".into()],
        team: None,
    };
    b.add_user(&admin, &input, PW).unwrap();
    Book { b, _dir: dir, admin, customer: c.id.to_string(), number: o.number }
}

fn assert_no_values(what: &str, v: &impl serde::Serialize) {
    let json = serde_json::to_string(v).unwrap();
    for n in NEEDLES {
        assert!(!json.contains(n), "{what} shows {n}: {json}");
    }
}

fn assert_hidden(o: &Order) {
    assert!(o.totals.is_none(), "{}: totals", o.number);
    for l in &o.lines {
        assert_eq!((l.unit_price, l.discount_bp, &l.amounts), (None, None, &None), "{}: line", o.number);
        assert_eq!(l.sku, "TEA", "what was ordered is still shown");
        assert!(l.quantity > 0);
    }
    assert_eq!(o.redacted, ["order.total", "order.lines.price", "order.lines.discount"]);
}

#[test]
fn support_gets_no_order_value_or_price_from_any_read() {
    let x = book();
    let b = &x.b;
    for channel in [Channel::Desktop, Channel::Cli, Channel::Rest, Channel::Sync] {
        let desk = b.sign_in("desk", PW, None, channel).unwrap();
        let o = b.order(&desk, &x.number).unwrap();
        assert_hidden(&o);
        assert_no_values("order", &o);
        let list = b.orders(&desk, &Default::default()).unwrap();
        list.iter().for_each(assert_hidden);
        assert_no_values("orders", &list);
        let record = b.customer_record(&desk, &x.customer).unwrap();
        assert_eq!(record.orders.len(), 1);
        record.orders.iter().for_each(assert_hidden);
        assert_eq!(record.orders[0].lines[0].quantity, 3);
        assert_no_values("record", &record);
        let summary = b.order_summary(&desk, &Default::default()).unwrap();
        assert_eq!((summary.orders, summary.totals.len()), (1, 0));
        assert_eq!(summary.redacted, ["order.total"]);
        assert_no_values("summary", &summary);
        let products = b.products(&desk, true).unwrap();
        assert_eq!(
            (products[0].unit_price, products[0].redacted.as_slice()),
            (None, &["product.price".to_string()][..])
        );
        assert_no_values("products", &products);
        // Nothing searchable by an amount either.
        for n in NEEDLES {
            assert!(b.search_customers(&desk, n, &Default::default(), 10).unwrap().is_empty());
        }
    }
    // The admin sees them all.
    let o = b.order(&x.admin, &x.number).unwrap();
    assert!(o.redacted.is_empty() && o.totals.is_some() && o.lines[0].unit_price == Some(8753));
    assert_eq!(b.products(&x.admin, true).unwrap()[0].unit_price, Some(8753));
}

#[test]
fn a_write_setting_a_field_one_may_not_write_is_refused_whole_naming_the_field() {
    let x = book();
    let b = &x.b;
    // A front desk that may take orders, but still sees no prices.
    b.add_role(&x.admin, "desk-orders", "support").unwrap();
    let grant = Grant { entity: Entity::Order, actions: vec![Action::Create, Action::Update], scope: Scope::All };
    b.change_role(&x.admin, "desk-orders", &RoleChange { grant: Some(grant), ..Default::default() }).unwrap();
    let desk = user_with_role(b, &x.admin, "desk2", "desk-orders", Channel::Desktop);
    let before = b.store().change_count().unwrap();
    let discounted = vec![
        LineInput { sku: "TEA".into(), quantity: "1".into(), discount: None },
        LineInput { sku: "TEA".into(), quantity: "2".into(), discount: Some("5".into()) },
    ];
    let e = b
        .create_order(&desk, &OrderInput { customer_id: x.customer.clone(), lines: discounted.clone(), notes: None })
        .unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Forbidden, Some("lines[1].discount")), "{e:?}");
    assert!(e.message.contains("Line 2") && e.message.contains("nothing was saved"), "{}", e.message);
    let e = b.update_order_lines(&desk, &x.number, &discounted, None).unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    // A live preview is prices and totals: refused too.
    assert_eq!(b.preview_order(&desk, &discounted[..1]).unwrap_err().code, ErrorCode::Forbidden);
    assert_eq!(b.store().change_count().unwrap(), before, "nothing was written");
    // Without a discount the order is taken, and comes back without its values.
    let plain = OrderInput { customer_id: x.customer.clone(), lines: discounted[..1].to_vec(), notes: None };
    let o = b.create_order(&desk, &plain).unwrap();
    assert_hidden(&o);
    assert_no_values("new order", &o);
    // A product's price is the same: support may not set one (nor change products at all).
    let pot = ProductInput {
        sku: Some("POT".into()),
        name: Some("Pot".into()),
        price: Some("1".into()),
        ..Default::default()
    };
    assert_eq!(b.add_product(&desk, &pot).unwrap_err().code, ErrorCode::Forbidden);
}

#[test]
fn a_custom_role_gets_its_own_field_rules_and_nobody_hands_out_a_field_wider_than_held() {
    use banyan::security::grants::{FieldAccess, FieldRule};
    let x = book();
    let b = &x.b;
    let rule = |field: &str, access| RoleChange {
        field: Some(FieldRule { field: field.into(), access }),
        ..Default::default()
    };
    // Sales who may see what an order is worth but neither line prices nor discounts.
    b.add_role(&x.admin, "sales-totals", "sales").unwrap();
    b.change_role(&x.admin, "sales-totals", &rule("order.lines.price", FieldAccess::Hidden)).unwrap();
    let view = b.change_role(&x.admin, "sales-totals", &rule("order.lines.discount", FieldAccess::Hidden)).unwrap();
    assert_eq!(view.fields.get("order.lines.price"), Some(&FieldAccess::Hidden));
    let events = b.audit_events(&x.admin, 20).unwrap();
    assert!(
        events.iter().any(|e| e.kind == "grant-changed" && e.detail.contains("order.lines.discount")),
        "{events:?}"
    );
    let unknown = b.change_role(&x.admin, "sales-totals", &rule("customer.name", FieldAccess::Hidden)).unwrap_err();
    assert_eq!((unknown.code, unknown.field.as_deref()), (ErrorCode::Invalid, Some("field")));
    assert!(unknown.message.contains("order.total"), "{}", unknown.message);
    let rep = user_with_role(b, &x.admin, "rep", "sales-totals", Channel::Cli);
    // An order of the rep's: the total shows, a line's price, discount and amounts do not.
    let mine = CustomerInput { owner: Some("rep".into()), ..person("Quillfeather Rep Customer") };
    let c = b.add_customer(&x.admin, &mine).unwrap();
    let line = LineInput { sku: "TEA".into(), quantity: "3".into(), discount: Some("7".into()) };
    let o = b
        .create_order(&x.admin, &OrderInput { customer_id: c.id.to_string(), lines: vec![line], notes: None })
        .unwrap();
    let seen = b.order(&rep, &o.number).unwrap();
    assert_eq!(seen.totals.as_ref().map(|t| t.total), Some(24421));
    assert_eq!((seen.lines[0].unit_price, seen.lines[0].discount_bp, &seen.lines[0].amounts), (None, None, &None));
    assert_eq!(seen.redacted, ["order.lines.price", "order.lines.discount"]);
    // A discount is a hidden field to them: setting one is refused whole, naming it.
    let discounted = LineInput { sku: "TEA".into(), quantity: "1".into(), discount: Some("5".into()) };
    let refused = b
        .create_order(&rep, &OrderInput { customer_id: c.id.to_string(), lines: vec![discounted], notes: None })
        .unwrap_err();
    assert_eq!((refused.code, refused.field.as_deref()), (ErrorCode::Forbidden, Some("lines[0].discount")));
    // Back to write: the rule goes, the rep sees the lines again at the next sign-in.
    let view = b.change_role(&x.admin, "sales-totals", &rule("order.lines.discount", FieldAccess::Write)).unwrap();
    assert!(!view.fields.contains_key("order.lines.discount"));
    let rep = b.sign_in("rep", ADMIN_PASSWORD, None, Channel::Cli).unwrap();
    assert_eq!(b.order(&rep, &o.number).unwrap().lines[0].discount_bp, Some(700));

    // A manager-like lead who may manage roles but not see prices cannot give prices out.
    b.add_role(&x.admin, "lead", "manager").unwrap();
    let users = Grant { entity: Entity::Users, actions: vec![Action::Read, Action::Update], scope: Scope::All };
    b.change_role(&x.admin, "lead", &RoleChange { grant: Some(users), ..Default::default() }).unwrap();
    b.change_role(&x.admin, "lead", &rule("product.price", FieldAccess::Hidden)).unwrap();
    let lead = user_with_role(b, &x.admin, "lead", "lead", Channel::Cli);
    b.add_role(&x.admin, "copy-of-support", "support").unwrap();
    let wider = b.change_role(&lead, "copy-of-support", &rule("product.price", FieldAccess::Read)).unwrap_err();
    assert_eq!((wider.code, wider.field.as_deref()), (ErrorCode::Invalid, Some("roles")), "{}", wider.message);
    b.change_role(&lead, "copy-of-support", &rule("order.total", FieldAccess::Read)).unwrap();
}

// ---- customer fields --------------------------------------------------------------------------

/// What the analyst may not see: a phone, a word only in the notes, a custom value.
const PHONE: &str = "+8613912345678";
const NOTE_WORD: &str = "zephyrinequartz";
const CREDIT: &str = "7654321";

/// A book with a customer holding a phone, an email, notes and a custom value, and an analyst
/// (a manager's copy) whose role hides phones, notes and the custom field "credit" and lets them
/// read emails without changing them.
fn analyst_book() -> (Book, Caller, String) {
    use banyan::security::grants::{FieldAccess, FieldRule};
    let x = book();
    let b = &x.b;
    b.add_custom_field(&x.admin, "credit", "Credit line", "number", &[]).unwrap();
    let input = CustomerInput {
        phones: vec![PHONE.into()],
        emails: vec!["ruth@quillfeather.example".into()],
        notes: Some(format!("Prefers calls after lunch; {NOTE_WORD} account")),
        custom: [("credit".to_string(), CREDIT.to_string())].into(),
        ..person("Ruth Quillfeather")
    };
    let c = b.add_customer(&x.admin, &input).unwrap();
    b.add_role(&x.admin, "analyst", "manager").unwrap();
    for (field, access) in [
        ("customer.phones", FieldAccess::Hidden),
        ("customer.notes", FieldAccess::Hidden),
        ("customer.custom.credit", FieldAccess::Hidden),
        ("customer.emails", FieldAccess::Read),
    ] {
        let change = RoleChange { field: Some(FieldRule { field: field.into(), access }), ..Default::default() };
        b.change_role(&x.admin, "analyst", &change).unwrap();
    }
    let analyst = user_with_role(b, &x.admin, "analyst", "analyst", Channel::Desktop);
    (x, analyst, c.id.to_string())
}

fn assert_no_customer_secrets(what: &str, v: &impl serde::Serialize) {
    let json = serde_json::to_string(v).unwrap();
    for n in ["13912345678", NOTE_WORD, CREDIT] {
        assert!(!json.contains(n), "{what} shows {n}: {json}");
    }
}

fn assert_redacted(c: &Customer) {
    assert!(c.phones.is_empty() && c.notes.is_none() && !c.custom.contains_key("credit"), "{c:?}");
    assert_eq!(c.redacted, ["customer.custom.credit", "customer.notes", "customer.phones"]);
    assert_eq!(c.emails, ["ruth@quillfeather.example"], "a read-only field is still shown");
}

#[test]
fn a_role_that_hides_customer_fields_gets_them_from_no_read_search_history_or_export() {
    let (x, analyst, id) = analyst_book();
    let b = &x.b;
    assert_redacted(&b.customer(&analyst, &id).unwrap());
    let list = b.customers(&analyst, &Default::default()).unwrap();
    assert_eq!(list.len(), 2);
    list.iter().filter(|c| c.name == "Ruth Quillfeather").for_each(assert_redacted);
    assert!(list.iter().all(|c| c.redacted.len() == 3), "every customer lists the hidden rules");
    assert_no_customer_secrets("list", &list);
    let record = b.customer_record(&analyst, &id).unwrap();
    assert_redacted(&record.customer);
    assert_no_customer_secrets("record", &record);
    // The caller says which fields a form must show as hidden or locked.
    let caller = serde_json::to_value(&analyst).unwrap();
    assert_eq!(caller["hiddenFields"], serde_json::json!(["custom.credit", "notes", "phones"]));
    assert_eq!(caller["lockedFields"], serde_json::json!(["custom.credit", "emails", "notes", "phones"]));

    // Search: a word only in a hidden field finds nothing; the same words find the customer for
    // the admin (so the index holds them), and a hit by name names no hidden field.
    for q in [NOTE_WORD, "zephyr", "13912345678", "912345", "quillfeather zephyr"] {
        assert!(!b.search_customers(&x.admin, q, &Default::default(), 10).unwrap().is_empty(), "admin: {q}");
        let hits = b.search_customers(&analyst, q, &Default::default(), 10).unwrap();
        assert!(
            hits.is_empty(),
            "{q} found {:?} for the analyst",
            hits.iter().map(|h| &h.customer.name).collect::<Vec<_>>()
        );
    }
    let hits = b.search_customers(&analyst, "Ruth", &Default::default(), 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_redacted(&hits[0].customer);
    let both = b.search_customers(&analyst, "quillfeather.example", &Default::default(), 10).unwrap();
    assert_eq!(both.len(), 1, "a readable field still finds: the email");
    assert!(
        both[0]
            .matched
            .iter()
            .all(|m| !matches!(m, banyan::search::MatchField::Phones | banyan::search::MatchField::Notes))
    );
    // "May already exist" does not tell whose a typed number is.
    let typed = CustomerInput { phones: vec![PHONE.into()], ..person("Someone") };
    assert!(!b.likely_duplicates(&x.admin, &typed, None).unwrap().is_empty());
    assert!(b.likely_duplicates(&analyst, &typed, None).unwrap().is_empty());

    // History: the change of a hidden field is listed, without its values; custom values lose
    // the hidden key.
    let history = b.history(&analyst, &id).unwrap();
    let phones = history.iter().find(|e| e.field == "phones").expect("the phones change is listed");
    assert!(phones.hidden && phones.new_value.is_none());
    let custom = history.iter().find(|e| e.field == "custom").expect("the custom change is listed");
    assert!(!custom.hidden);
    assert_no_customer_secrets("history", &history);
    let admin_history = b.history(&x.admin, &id).unwrap();
    assert!(serde_json::to_string(&admin_history).unwrap().contains(CREDIT));

    // Export: the hidden columns are not in the file at all.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("all.csv");
    let fmt = banyan::io::export::ExportFormat::Csv;
    b.export(&analyst, &out, fmt, None, &mut |_, _| {}, &|| false).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    let header = text.lines().next().unwrap();
    assert!(!header.contains("phones") && !header.contains("notes") && !header.contains("custom.credit"), "{header}");
    assert!(header.contains("emails") && text.contains("ruth@quillfeather.example"), "{text}");
    for n in ["13912345678", NOTE_WORD, CREDIT] {
        assert!(!text.contains(n), "the export holds {n}: {text}");
    }
    // Exporting a search by a hidden word writes no one.
    let searched = dir.path().join("searched.csv");
    let r = b.export(&analyst, &searched, fmt, Some(NOTE_WORD), &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(r.written, 0);
    let admin_out = dir.path().join("admin.csv");
    b.export(&x.admin, &admin_out, fmt, None, &mut |_, _| {}, &|| false).unwrap();
    assert!(std::fs::read_to_string(&admin_out).unwrap().contains(CREDIT));

    // Duplicates: the pair is listed, but not that they share the hidden phone.
    let twin = CustomerInput { phones: vec![PHONE.into()], ..person("Ruth Quillfeather") };
    b.add_customer(&x.admin, &twin).unwrap();
    let pairs = b.duplicates(&analyst, 10).unwrap();
    assert_eq!(pairs.len(), 1);
    assert!(!pairs[0].reasons.contains(&banyan::quality::dedupe::Reason::SamePhone), "{:?}", pairs[0].reasons);
    assert_no_customer_secrets("pairs", &pairs);
    let admin_pairs = b.duplicates(&x.admin, 10).unwrap();
    assert!(admin_pairs[0].reasons.contains(&banyan::quality::dedupe::Reason::SamePhone));
}

#[test]
fn a_field_one_may_read_but_not_change_is_refused_by_every_write_and_nothing_is_written() {
    let (x, analyst, id) = analyst_book();
    let b = &x.b;
    let before = b.store().change_count().unwrap();
    let forbidden = |e: banyan::api::ApiError, field: &str| {
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Forbidden, Some(field)), "{e:?}");
    };
    // Form edits: a locked field (emails) and a hidden one (phones, custom.credit).
    let patch = CustomerPatch { emails: Some(vec!["new@quillfeather.example".into()]), ..Default::default() };
    forbidden(b.update_customer(&analyst, &id, &patch).unwrap_err(), "emails");
    let patch = CustomerPatch { phones: Some(vec![]), ..Default::default() };
    forbidden(b.update_customer(&analyst, &id, &patch).unwrap_err(), "phones");
    let patch = CustomerPatch { custom: [("credit".to_string(), "1".to_string())].into(), ..Default::default() };
    forbidden(b.update_customer(&analyst, &id, &patch).unwrap_err(), "custom.credit");
    let new = CustomerInput { emails: vec!["x@quillfeather.example".into()], ..person("Nell Quillfeather") };
    forbidden(b.add_customer(&analyst, &new).unwrap_err(), "emails");
    assert_eq!(b.store().change_count().unwrap(), before, "nothing was written");
    // What the role may write still saves, and comes back redacted.
    let ok = CustomerPatch { city: Some("杭州".into()), ..Default::default() };
    let saved = b.update_customer(&analyst, &id, &ok).unwrap();
    assert_eq!(saved.city.as_deref(), Some("杭州"));
    assert_redacted(&saved);
    let stored = b.customer(&x.admin, &id).unwrap();
    assert_eq!((stored.phones.as_slice(), stored.custom.len()), ([PHONE.to_string()].as_slice(), 1));

    // A merge that would bring the other customer's email (locked) or phone (hidden) in is
    // refused, naming the field; one that changes neither goes through.
    let other = b
        .add_customer(&x.admin, &CustomerInput { emails: vec!["ruth.q@elsewhere.example".into()], ..person("Ruth Q.") })
        .unwrap();
    let req =
        banyan::api::MergeRequest { survivor_id: id.clone(), other_id: other.id.to_string(), take: Default::default() };
    let before = b.store().change_count().unwrap();
    forbidden(b.merge(&analyst, &req).unwrap_err(), "emails");
    assert_eq!(b.store().change_count().unwrap(), before);
    let plain = b.add_customer(&x.admin, &person("Ruth Quill")).unwrap();
    let req =
        banyan::api::MergeRequest { survivor_id: id.clone(), other_id: plain.id.to_string(), take: Default::default() };
    let merged = b.merge(&analyst, &req).unwrap();
    assert_redacted(&merged);
    assert_eq!(b.customer(&x.admin, &id).unwrap().phones, [PHONE], "the hidden phone stays with the survivor");

    // Reverting the admin's change of a hidden field writes it: refused.
    let admin_patch = CustomerPatch { phones: Some(vec!["+8613712345678".into()]), ..Default::default() };
    b.update_customer(&x.admin, &id, &admin_patch).unwrap();
    let change = b.history(&x.admin, &id).unwrap().into_iter().find(|e| e.field == "phones").unwrap().change;
    let what = banyan::api::Revert::Change(format!("{}:{}", change.origin, change.seq));
    forbidden(b.revert(&analyst, &what).unwrap_err(), "phones");

    // Import: a mapping the analyst gives that fills a locked field is refused before anything is
    // read; a suggested one leaves those columns out and imports the rest.
    use banyan::io::mapping::{ColumnMap, Mapping, Target};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("people.csv");
    std::fs::write(&file, "Name,Email,Phone,City\nAda Quillfeather,ada@quillfeather.example,+8613612345678,上海\n")
        .unwrap();
    let given = Mapping {
        columns: vec![
            ColumnMap { column: "Name".into(), target: Target::Name },
            ColumnMap { column: "Email".into(), target: Target::Email },
        ],
    };
    let req = banyan::api::ImportRequest { mapping: Some(given), ..Default::default() };
    let before = b.store().change_count().unwrap();
    forbidden(b.import_file(&analyst, &file, &req, None, &mut |_, _| {}, &|| false).unwrap_err(), "emails");
    assert_eq!(b.store().change_count().unwrap(), before);
    let report = b.import_file(&analyst, &file, &Default::default(), None, &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(report.counts.created, 1, "{:?}", report.issues);
    let ada = b.search_customers(&x.admin, "Ada Quillfeather", &Default::default(), 5).unwrap();
    let ada = &ada[0].customer;
    assert!(ada.emails.is_empty() && ada.phones.is_empty(), "{ada:?}");
    assert_eq!(ada.city.as_deref(), Some("上海"));

    // Undoing an import writes back the old values of the customers it changed: refused when one
    // is a field the caller may not write; an import that only created customers is taken back.
    let update = dir.path().join("update.csv");
    std::fs::write(&update, "Name,Phone,Email\nRuth Quillfeather,+8613712345678,ruth.new@quillfeather.example\n")
        .unwrap();
    let req =
        banyan::api::ImportRequest { on_duplicate: banyan::io::import::OnDuplicate::Overwrite, ..Default::default() };
    let changed = b.import_file(&x.admin, &update, &req, None, &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(changed.counts.updated, 1, "{:?}", changed.issues);
    let before = b.store().change_count().unwrap();
    forbidden(b.undo_import(&analyst, &changed.batch_id, &mut |_, _| {}, &|| false).unwrap_err(), "emails");
    let by_revert = banyan::api::Revert::Batch(changed.batch_id.clone());
    forbidden(b.revert(&analyst, &by_revert).unwrap_err(), "emails");
    assert_eq!(b.store().change_count().unwrap(), before);
    assert_eq!(b.customer(&x.admin, &id).unwrap().emails, ["ruth.new@quillfeather.example"]);
    b.undo_import(&analyst, &report.batch_id, &mut |_, _| {}, &|| false).unwrap();
    assert!(b.search_customers(&x.admin, "Ada Quillfeather", &Default::default(), 5).unwrap().is_empty());
    b.undo_import(&x.admin, &changed.batch_id, &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(b.customer(&x.admin, &id).unwrap().emails, ["ruth@quillfeather.example"]);
}

#[test]
fn a_role_can_carry_a_rule_for_each_custom_field_of_the_book_and_no_other() {
    use banyan::security::grants::{FieldAccess, FieldRule};
    let x = book();
    let b = &x.b;
    let rule = |field: &str| RoleChange {
        field: Some(FieldRule { field: field.into(), access: FieldAccess::Hidden }),
        ..Default::default()
    };
    b.add_role(&x.admin, "temp", "support").unwrap();
    let e = b.change_role(&x.admin, "temp", &rule("customer.custom.credit")).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Invalid, Some("field")));
    b.add_custom_field(&x.admin, "credit", "Credit line", "number", &[]).unwrap();
    let fields = b.rule_fields(&x.admin).unwrap();
    assert!(fields.contains(&"customer.custom.credit".to_string()) && fields.contains(&"customer.phones".to_string()));
    let view = b.change_role(&x.admin, "temp", &rule("customer.custom.credit")).unwrap();
    assert_eq!(view.fields.get("customer.custom.credit"), Some(&FieldAccess::Hidden));
}
