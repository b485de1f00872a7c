//! Orders through the façade: totals computed by the core, the status flow, numbering.

use crate::common::*;
use banyan::model::*;
use banyan::store::OrderFilter;

fn product(b: &banyan::api::Banyan, sku: &str, price: &str, tax: &str) {
    b.add_product(
        &admin(b),
        &ProductInput {
            sku: Some(sku.into()),
            name: Some(format!("{sku} 商品")),
            price: Some(price.into()),
            tax_rate: Some(tax.into()),
            ..Default::default()
        },
    )
    .unwrap();
}

#[test]
fn totals_are_computed_by_the_core_and_follow_the_rounding_rule() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    product(&b, "TEA-LJ", "19.99", "13");
    product(&b, "SVC", "300", "6");
    let c = b.add_customer(&admin(&b), &person("张三丰")).unwrap();
    let o = b
        .create_order(
            &admin(&b),
            &OrderInput {
                customer_id: c.id.to_string(),
                lines: vec![
                    LineInput { sku: "TEA-LJ".into(), quantity: "3".into(), discount: Some("10".into()) },
                    LineInput { sku: "SVC".into(), quantity: "1".into(), discount: None },
                ],
                notes: Some("rush".into()),
            },
        )
        .unwrap();
    // 3 × 19.99 = 59.97, −10 % = 5.997 → 6.00, net 53.97, VAT 13 % = 7.0161 → 7.02 → 60.99
    // 300.00 + 6 % = 18.00 → 318.00; order 378.99, tax 7.02 + 18.00 = 25.02
    assert_eq!(o.lines[0].amounts.unwrap().total, 6099);
    assert_eq!(o.lines[1].amounts.unwrap().total, 31800);
    assert_eq!(o.totals, Some(Totals { gross: 35997, discount: 600, net: 35397, tax: 2502, total: 37899 }));
    assert!(o.redacted.is_empty());
    assert_eq!(o.currency, "CNY");
    assert_eq!(o.status, OrderStatus::Draft);
    assert_eq!(o.customer_name, "张三丰");
    // A later price change does not rewrite an existing order.
    b.update_product(&admin(&b), "TEA-LJ", &ProductInput { price: Some("25".into()), ..Default::default() }).unwrap();
    assert_eq!(b.order(&admin(&b), &o.number).unwrap().totals.unwrap().total, 37899);
}

#[test]
fn an_order_moves_through_its_statuses_and_no_further() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    product(&b, "A", "1", "0");
    let c = b.add_customer(&admin(&b), &person("Kevin Lee")).unwrap();
    let new_order = || {
        b.create_order(
            &admin(&b),
            &OrderInput {
                customer_id: c.id.to_string(),
                lines: vec![LineInput { sku: "A".into(), quantity: "1".into(), discount: None }],
                notes: None,
            },
        )
        .unwrap()
    };
    let o = new_order();
    for s in ["confirmed", "fulfilled", "paid"] {
        assert_eq!(b.set_order_status(&admin(&b), &o.number, s).unwrap().status.as_str(), s);
    }
    assert!(b.set_order_status(&admin(&b), &o.number, "cancelled").is_err());
    let o2 = new_order();
    b.set_order_status(&admin(&b), &o2.id.to_string(), "confirmed").unwrap();
    assert_eq!(b.set_order_status(&admin(&b), &o2.id.to_string(), "cancelled").unwrap().status, OrderStatus::Cancelled);
    assert!(b.set_order_status(&admin(&b), &o2.id.to_string(), "confirmed").is_err());
    let paid = b.orders(&admin(&b), &OrderFilter { status: Some(OrderStatus::Paid), ..Default::default() }).unwrap();
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0].number, o.number);
    let record = b.customer_record(&admin(&b), &c.id.to_string()).unwrap();
    assert_eq!(record.orders.len(), 2);
}

#[test]
fn order_numbers_carry_the_device_prefix_and_never_repeat() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let (b2, _) = new_book(&dir.path().join("other"));
    for x in [&b, &b2] {
        product(x, "A", "1", "0");
    }
    let c = b.add_customer(&admin(&b), &person("A")).unwrap();
    let c2 = b2.add_customer(&admin(&b2), &person("B")).unwrap();
    let mk = |x: &banyan::api::Banyan, cid: &CustomerId| {
        x.create_order(
            &admin(x),
            &OrderInput {
                customer_id: cid.to_string(),
                lines: vec![LineInput { sku: "A".into(), quantity: "1".into(), discount: None }],
                notes: None,
            },
        )
        .unwrap()
        .number
    };
    let ours: Vec<String> = (0..3).map(|_| mk(&b, &c.id)).collect();
    let theirs = mk(&b2, &c2.id);
    assert!(ours[0].ends_with("-000001") && ours[2].ends_with("-000003"), "{ours:?}");
    let prefix = |n: &str| n.split('-').next().unwrap().to_string();
    assert_eq!(prefix(&ours[0]), prefix(&ours[2]));
    assert_ne!(prefix(&ours[0]), prefix(&theirs), "two desktops must not share a number range");
}

#[test]
fn the_core_tells_the_ui_each_currencys_digits_by_iso_4217() {
    // The UI shows and reads amounts by this table (the browser's own says 0 for IQD).
    let t = banyan::model::currency_digits();
    let digits = |code: &str| t.iter().find(|c| c.code == code).map(|c| c.digits);
    assert_eq!(digits("CNY"), Some(2));
    assert_eq!(digits("JPY"), Some(0));
    assert_eq!(digits("IQD"), Some(3));
    assert_eq!(digits("KWD"), Some(3));
    assert!(t.len() > 150);
    // Every currency the table lists is one a product can be priced in, with those digits.
    for c in &t {
        let cur = banyan::model::Currency::parse(&c.code, "currency").unwrap();
        assert_eq!(cur.exponent(), c.digits, "{}", c.code);
    }
}

#[test]
fn the_orders_summary_counts_the_whole_filter_and_totals_each_currency_apart() {
    // The orders screen added up the 500 orders it listed, whatever their currency, drafts
    // included: ¥ and $ amounts became one number, and order 501 on was missing from it.
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    product(&b, "TEA", "10", "0");
    b.add_product(
        &admin(&b),
        &ProductInput {
            sku: Some("USB".into()),
            name: Some("USB cable".into()),
            price: Some("5".into()),
            currency: Some("USD".into()),
            tax_rate: Some("0".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let c = b.add_customer(&admin(&b), &person("Kevin Lee")).unwrap();
    let order = |sku: &str, status: Option<&str>| {
        let o = b
            .create_order(
                &admin(&b),
                &OrderInput {
                    customer_id: c.id.to_string(),
                    lines: vec![LineInput { sku: sku.into(), quantity: "1".into(), discount: None }],
                    notes: None,
                },
            )
            .unwrap();
        if let Some(s) = status {
            b.set_order_status(&admin(&b), &o.number, s).unwrap();
        }
    };
    for _ in 0..520 {
        order("TEA", Some("confirmed"));
    }
    for _ in 0..3 {
        order("USB", Some("confirmed"));
    }
    order("TEA", None);
    order("TEA", None);
    order("USB", Some("cancelled"));
    let all = OrderFilter { limit: Some(500), ..Default::default() };
    assert_eq!(b.orders(&admin(&b), &all).unwrap().len(), 500);
    let s = b.order_summary(&admin(&b), &all).unwrap();
    assert_eq!(s.orders, 526);
    assert_eq!(s.not_counted, 3);
    let totals: Vec<(&str, u64, i64)> = s.totals.iter().map(|t| (t.currency.as_str(), t.orders, t.total)).collect();
    assert_eq!(totals, [("CNY", 520, 520_000), ("USD", 3, 1_500)]);
    // A filter narrows the summary too.
    let drafts = OrderFilter { status: Some(OrderStatus::Draft), ..Default::default() };
    let s = b.order_summary(&admin(&b), &drafts).unwrap();
    assert_eq!((s.orders, s.not_counted, s.totals.len()), (2, 2, 0));
}
