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
    let input = UserInput {
        login: Some("desk2".into()),
        name: Some("Front Desk 2".into()),
        roles: vec!["desk-orders".into()],
        team: None,
    };
    b.add_user(&x.admin, &input, PW).unwrap();
    let desk = b.sign_in("desk2", PW, None, Channel::Desktop).unwrap();
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
