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
    let unknown = b.change_role(&x.admin, "sales-totals", &rule("customer.notes", FieldAccess::Hidden)).unwrap_err();
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
