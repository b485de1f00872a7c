//! Bad input is rejected with the right field and a localized message, and nothing is written:
//! no row and no change-log entry.

use crate::common::*;
use banyan::api::{ApiError, Banyan, ErrorCode};
use banyan::i18n::Lang;
use banyan::model::*;

struct Fixture {
    b: Banyan,
    customer: String,
    paid_order: String,
    draft_order: String,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    b.add_custom_field(&admin(&b), "since", "Customer since", "date", &[]).unwrap();
    b.add_custom_field(&admin(&b), "tier", "Tier", "choice", &["A".into(), "B".into()]).unwrap();
    let customer = b.add_customer(&admin(&b), &person("赵六")).unwrap().id.to_string();
    for (sku, price) in [("TEA", "10.00"), ("CUP", "3.50")] {
        b.add_product(
            &admin(&b),
            &ProductInput {
                sku: Some(sku.into()),
                name: Some(sku.into()),
                price: Some(price.into()),
                tax_rate: Some("13".into()),
                ..Default::default()
            },
        )
        .unwrap();
    }
    b.add_product(
        &admin(&b),
        &ProductInput {
            sku: Some("USD-ITEM".into()),
            name: Some("Imported".into()),
            price: Some("5".into()),
            currency: Some("USD".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let o = b.create_order(&admin(&b), &order(&customer, &[("TEA", "1", None)])).unwrap();
    for s in ["confirmed", "fulfilled", "paid"] {
        b.set_order_status(&admin(&b), &o.id.to_string(), s).unwrap();
    }
    let draft = b.create_order(&admin(&b), &order(&customer, &[("CUP", "2", None)])).unwrap();
    Fixture { b, customer, paid_order: o.id.to_string(), draft_order: draft.id.to_string(), _dir: dir }
}

fn order(customer: &str, lines: &[(&str, &str, Option<&str>)]) -> OrderInput {
    OrderInput {
        customer_id: customer.into(),
        lines: lines
            .iter()
            .map(|(s, q, d)| LineInput { sku: s.to_string(), quantity: q.to_string(), discount: d.map(str::to_string) })
            .collect(),
        notes: None,
    }
}

fn customer(f: impl FnOnce(&mut CustomerInput)) -> CustomerInput {
    let mut c = person("Valid Name");
    f(&mut c);
    c
}

type Case = (&'static str, Box<dyn Fn(&Fixture) -> Result<(), ApiError>>, &'static str, &'static str);

fn cases() -> Vec<Case> {
    vec![
        (
            "bad email",
            Box::new(|x: &Fixture| {
                x.b.add_customer(&admin(&x.b), &customer(|c| c.emails = vec!["a@b.com".into(), "li wei@@x".into()]))
                    .map(drop)
            }),
            "emails[1]",
            "not a valid email",
        ),
        (
            "bad phone",
            Box::new(|x: &Fixture| {
                x.b.add_customer(&admin(&x.b), &customer(|c| c.phones = vec!["1381234".into()])).map(drop)
            }),
            "phones[0]",
            "not a valid phone",
        ),
        (
            "missing name",
            Box::new(|x: &Fixture| x.b.add_customer(&admin(&x.b), &customer(|c| c.name = None)).map(drop)),
            "name",
            "required",
        ),
        (
            "missing kind",
            Box::new(|x: &Fixture| x.b.add_customer(&admin(&x.b), &customer(|c| c.kind = None)).map(drop)),
            "kind",
            "required",
        ),
        (
            "bad kind",
            Box::new(|x: &Fixture| {
                x.b.add_customer(&admin(&x.b), &customer(|c| c.kind = Some("alien".into()))).map(drop)
            }),
            "kind",
            "not a customer type",
        ),
        (
            "bad date",
            Box::new(|x: &Fixture| {
                x.b.add_customer(
                    &admin(&x.b),
                    &customer(|c| {
                        c.custom.insert("since".into(), "2025-02-30".into());
                    }),
                )
                .map(drop)
            }),
            "custom.since",
            "not a valid date",
        ),
        (
            "bad choice",
            Box::new(|x: &Fixture| {
                x.b.add_customer(
                    &admin(&x.b),
                    &customer(|c| {
                        c.custom.insert("tier".into(), "Z".into());
                    }),
                )
                .map(drop)
            }),
            "custom.tier",
            "not one of the choices",
        ),
        (
            "unknown custom field",
            Box::new(|x: &Fixture| {
                x.b.add_customer(
                    &admin(&x.b),
                    &customer(|c| {
                        c.custom.insert("shoe_size".into(), "42".into());
                    }),
                )
                .map(drop)
            }),
            "custom.shoe_size",
            "no custom field",
        ),
        (
            "bad activity date",
            Box::new(|x: &Fixture| {
                x.b.add_activity(
                    &admin(&x.b),
                    &x.customer,
                    &ActivityInput {
                        kind: Some("call".into()),
                        occurred_at: Some("31/12/2025".into()),
                        text: Some("hi".into()),
                    },
                )
                .map(drop)
            }),
            "occurredAt",
            "not a valid date",
        ),
        (
            "contact on a person",
            Box::new(|x: &Fixture| {
                x.b.add_contact(
                    &admin(&x.b),
                    &x.customer,
                    &ContactInput { name: Some("X".into()), ..Default::default() },
                )
                .map(drop)
            }),
            "customerId",
            "only be added to a company",
        ),
        (
            "negative quantity",
            Box::new(|x: &Fixture| {
                x.b.create_order(&admin(&x.b), &order(&x.customer, &[("TEA", "-2", None)])).map(drop)
            }),
            "lines[0].quantity",
            "not a quantity",
        ),
        (
            "zero quantity",
            Box::new(|x: &Fixture| {
                x.b.create_order(&admin(&x.b), &order(&x.customer, &[("TEA", "1", None), ("CUP", "0", None)])).map(drop)
            }),
            "lines[1].quantity",
            "not a quantity",
        ),
        (
            "fractional quantity",
            Box::new(|x: &Fixture| {
                x.b.create_order(&admin(&x.b), &order(&x.customer, &[("TEA", "1.5", None)])).map(drop)
            }),
            "lines[0].quantity",
            "whole number",
        ),
        (
            "unknown SKU",
            Box::new(|x: &Fixture| {
                x.b.create_order(&admin(&x.b), &order(&x.customer, &[("TEA", "1", None), ("NOPE", "1", None)]))
                    .map(drop)
            }),
            "lines[1].sku",
            "no product with SKU “NOPE”",
        ),
        (
            "discount over 100",
            Box::new(|x: &Fixture| {
                x.b.create_order(&admin(&x.b), &order(&x.customer, &[("TEA", "1", Some("120"))])).map(drop)
            }),
            "lines[0].discount",
            "between 0 and 100",
        ),
        (
            "mixed currencies",
            Box::new(|x: &Fixture| {
                x.b.create_order(&admin(&x.b), &order(&x.customer, &[("TEA", "1", None), ("USD-ITEM", "1", None)]))
                    .map(drop)
            }),
            "lines[1].sku",
            "priced in USD",
        ),
        (
            "no lines",
            Box::new(|x: &Fixture| x.b.create_order(&admin(&x.b), &order(&x.customer, &[])).map(drop)),
            "lines",
            "at least one line",
        ),
        (
            "unknown customer",
            Box::new(|x: &Fixture| {
                x.b.create_order(&admin(&x.b), &order("01a200dd-9d02-756e-a5e4-48474f49c56d", &[("TEA", "1", None)]))
                    .map(drop)
            }),
            "customerId",
            "no customer",
        ),
        (
            "malformed customer id",
            Box::new(|x: &Fixture| x.b.create_order(&admin(&x.b), &order("42", &[("TEA", "1", None)])).map(drop)),
            "customerId",
            "not a valid ID",
        ),
        (
            "illegal transition draft→paid",
            Box::new(|x: &Fixture| x.b.set_order_status(&admin(&x.b), &x.draft_order, "paid").map(drop)),
            "status",
            "cannot go from draft to paid",
        ),
        (
            "paid cannot be cancelled",
            Box::new(|x: &Fixture| x.b.set_order_status(&admin(&x.b), &x.paid_order, "cancelled").map(drop)),
            "status",
            "cannot go from paid to cancelled",
        ),
        (
            "unknown status",
            Box::new(|x: &Fixture| x.b.set_order_status(&admin(&x.b), &x.paid_order, "shipped").map(drop)),
            "status",
            "not an order status",
        ),
        (
            "negative price",
            Box::new(|x: &Fixture| {
                x.b.add_product(
                    &admin(&x.b),
                    &ProductInput {
                        sku: Some("NEG".into()),
                        name: Some("n".into()),
                        price: Some("-1".into()),
                        ..Default::default()
                    },
                )
                .map(drop)
            }),
            "price",
            "negative",
        ),
        (
            "too many decimals",
            Box::new(|x: &Fixture| {
                x.b.add_product(
                    &admin(&x.b),
                    &ProductInput {
                        sku: Some("DEC".into()),
                        name: Some("n".into()),
                        price: Some("1.999".into()),
                        ..Default::default()
                    },
                )
                .map(drop)
            }),
            "price",
            "too many decimals",
        ),
        (
            "bad currency",
            Box::new(|x: &Fixture| {
                x.b.add_product(
                    &admin(&x.b),
                    &ProductInput {
                        sku: Some("CUR".into()),
                        name: Some("n".into()),
                        price: Some("1".into()),
                        currency: Some("RMB".into()),
                        ..Default::default()
                    },
                )
                .map(drop)
            }),
            "currency",
            "not an ISO 4217",
        ),
        (
            "duplicate SKU",
            Box::new(|x: &Fixture| {
                x.b.add_product(
                    &admin(&x.b),
                    &ProductInput {
                        sku: Some("TEA".into()),
                        name: Some("again".into()),
                        price: Some("1".into()),
                        ..Default::default()
                    },
                )
                .map(drop)
            }),
            "sku",
            "already has SKU",
        ),
        (
            "SKU with spaces",
            Box::new(|x: &Fixture| {
                x.b.add_product(
                    &admin(&x.b),
                    &ProductInput {
                        sku: Some("A B".into()),
                        name: Some("n".into()),
                        price: Some("1".into()),
                        ..Default::default()
                    },
                )
                .map(drop)
            }),
            "sku",
            "no spaces",
        ),
        (
            "tax over 100",
            Box::new(|x: &Fixture| {
                x.b.add_product(
                    &admin(&x.b),
                    &ProductInput {
                        sku: Some("TAX".into()),
                        name: Some("n".into()),
                        price: Some("1".into()),
                        tax_rate: Some("130".into()),
                        ..Default::default()
                    },
                )
                .map(drop)
            }),
            "taxRate",
            "between 0 and 100",
        ),
        (
            "bad custom field key",
            Box::new(|x: &Fixture| x.b.add_custom_field(&admin(&x.b), "Bad Key", "L", "text", &[]).map(drop)),
            "key",
            "not a valid key",
        ),
    ]
}

#[test]
fn every_bad_input_is_rejected_with_its_field_and_nothing_is_written() {
    let x = fixture();
    for (name, run, field, words) in cases() {
        let customers =
            x.b.customers(&admin(&x.b), &banyan::store::CustomerFilter { include_deleted: true, ..Default::default() })
                .unwrap()
                .len();
        let orders = x.b.orders(&admin(&x.b), &Default::default()).unwrap().len();
        let log = x.b.store().change_count().unwrap();
        let statuses: Vec<_> =
            x.b.orders(&admin(&x.b), &Default::default()).unwrap().into_iter().map(|o| o.status).collect();
        let e = run(&x).expect_err(name);
        assert_eq!(e.code, ErrorCode::Invalid, "{name}: {e:?}");
        assert_eq!(e.field.as_deref(), Some(field), "{name}: {e:?}");
        assert!(e.message.contains(words), "{name}: message {:?} lacks {words:?}", e.message);
        assert_eq!(x.b.store().change_count().unwrap(), log, "{name}: the change log grew");
        assert_eq!(
            x.b.customers(&admin(&x.b), &banyan::store::CustomerFilter { include_deleted: true, ..Default::default() })
                .unwrap()
                .len(),
            customers,
            "{name}"
        );
        assert_eq!(x.b.orders(&admin(&x.b), &Default::default()).unwrap().len(), orders, "{name}");
        let after: Vec<_> =
            x.b.orders(&admin(&x.b), &Default::default()).unwrap().into_iter().map(|o| o.status).collect();
        assert_eq!(after, statuses, "{name}: an order changed status");
    }
}

#[test]
fn errors_speak_the_users_language_and_name_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    b.set_lang(Lang::ZhCn);
    let e =
        b.add_customer(&admin(&b), &customer(|c| c.emails = vec!["ok@example.com".into(), "bad@".into()])).unwrap_err();
    assert_eq!(e.message, "邮箱 2：“bad@”不是有效的邮箱地址。");
    b.set_lang(Lang::EnUs);
    let e =
        b.add_customer(&admin(&b), &customer(|c| c.emails = vec!["ok@example.com".into(), "bad@".into()])).unwrap_err();
    assert_eq!(e.message, "Email 2: “bad@” is not a valid email address.");
}
