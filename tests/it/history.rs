//! A customer's history: every change of the customer and of its contacts, activities and orders,
//! newest first, with who made it and where, within the viewer's rights.

use crate::common::*;
use banyan::api::{Channel, ErrorCode, Revert};
use banyan::model::*;

const PW: &str = "Willow-parchment-93";

#[test]
fn history_says_what_changed_who_changed_it_and_where_within_the_viewers_rights() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let admin = admin(&b);
    for (login, name, role, team) in [
        ("wang", "Wang Fang", "sales", "East"),
        ("zhao", "Zhao Lei", "sales", "West"),
        ("desk", "Front Desk", "support", "East"),
    ] {
        let input = UserInput {
            login: Some(login.into()),
            name: Some(name.into()),
            roles: vec![role.into()],
            team: Some(team.into()),
        };
        b.add_user(&admin, &input, PW).unwrap();
    }
    let tea = ProductInput {
        sku: Some("TEA".into()),
        name: Some("Tea".into()),
        price: Some("87.53".into()),
        tax_rate: Some("0".into()),
        ..Default::default()
    };
    b.add_product(&admin, &tea).unwrap();
    let input = CustomerInput {
        kind: Some("company".into()),
        name: Some("鼎盛贸易".into()),
        city: Some("上海".into()),
        owner: Some("wang".into()),
        phones: vec!["13812345678".into()],
        ..Default::default()
    };
    let c = b.add_customer(&admin, &input).unwrap();
    let id = c.id.to_string();
    b.update_customer(&admin, &id, &CustomerPatch { city: Some("苏州".into()), ..Default::default() }).unwrap();
    let wang = b.sign_in("wang", PW, None, Channel::Desktop).unwrap();
    b.add_contact(&wang, &id, &ContactInput { name: Some("刘经理".into()), ..Default::default() }).unwrap();
    let line = LineInput { sku: "TEA".into(), quantity: "3".into(), discount: Some("7".into()) };
    b.create_order(&wang, &OrderInput { customer_id: id.clone(), lines: vec![line], notes: None }).unwrap();

    let h = b.history(&admin, &id).unwrap();
    // Newest first: the order (by the rep), then the contact, then the city change, then the insert.
    assert!(h.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    let city: Vec<_> = h.iter().filter(|e| e.entity == "customer" && e.field == "city").collect();
    assert_eq!(city.len(), 2, "the insert's city and the change");
    assert_eq!(
        (city[0].op.as_str(), city[0].old_value.as_deref(), city[0].new_value.as_deref()),
        ("update", Some("\"上海\""), Some("\"苏州\""))
    );
    assert_eq!(
        (city[0].who.as_str(), city[0].login.as_deref(), city[0].this_device),
        ("Test Admin", Some("admin"), true)
    );
    assert_eq!(city[1].op, "insert");
    // An owner reads as the user's name, a list as the list it holds.
    let owner = h.iter().find(|e| e.field == "owner").unwrap();
    assert_eq!(owner.new_value.as_deref(), Some("\"Wang Fang\""));
    let phones = h.iter().find(|e| e.entity == "customer" && e.field == "phones").unwrap();
    assert_eq!(phones.new_value.as_deref(), Some("[\"+8613812345678\"]"));
    let contact = h.iter().find(|e| e.entity == "contact" && e.field == "name").unwrap();
    assert_eq!((contact.who.as_str(), contact.new_value.as_deref()), ("Wang Fang", Some("\"刘经理\"")));
    assert!(h.iter().any(|e| e.entity == "order" && e.field == "total" && e.new_value.as_deref() == Some("24421")));
    assert!(h.iter().any(|e| e.entity == "order line" && e.field == "unit_price" && !e.hidden));
    // Every entry names its change, for a revert.
    assert!(h.iter().all(|e| !e.change.origin.is_empty() && e.change.seq > 0));

    // Support sees that the order's amounts changed, not what they are.
    let desk = b.sign_in("desk", PW, None, Channel::Cli).unwrap();
    let seen = b.history(&desk, &id).unwrap();
    assert_eq!(seen.len(), h.len(), "the same changes");
    let total = seen.iter().find(|e| e.entity == "order" && e.field == "total").unwrap();
    assert!(total.hidden && total.new_value.is_none() && total.old_value.is_none());
    let json = serde_json::to_string(&seen).unwrap();
    for n in ["24421", "8753", "26259"] {
        assert!(!json.contains(n), "support's history shows {n}");
    }
    // A rep of another team: the customer is not theirs to know.
    let zhao = b.sign_in("zhao", PW, None, Channel::Cli).unwrap();
    assert_eq!(b.history(&zhao, &id).unwrap_err().code, ErrorCode::NotFound);
}

fn spec(e: &banyan::api::HistoryEntry) -> Revert {
    Revert::Change(format!("{}:{}", &e.change.origin[..8], e.change.seq))
}

#[test]
fn a_change_a_transaction_or_a_delete_is_reverted_by_new_changes_and_later_edits_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let admin = admin(&b);
    let input = CustomerInput {
        kind: Some("company".into()),
        name: Some("鼎盛贸易".into()),
        city: Some("上海".into()),
        ..Default::default()
    };
    let c = b.add_customer(&admin, &input).unwrap();
    let id = c.id.to_string();
    let set = |p: CustomerPatch| b.update_customer(&admin, &id, &p).unwrap();
    set(CustomerPatch { city: Some("苏州".into()), ..Default::default() });
    set(CustomerPatch { name: Some("鼎盛贸易有限公司".into()), ..Default::default() });
    set(CustomerPatch { name: Some("鼎盛集团".into()), ..Default::default() });
    let h = b.history(&admin, &id).unwrap();
    let city = h.iter().find(|e| e.field == "city" && e.op == "update").unwrap();
    let r = b.revert(&admin, &spec(city)).unwrap();
    assert_eq!((r.restored, r.removed, r.conflicts.len()), (1, 0, 0));
    assert_eq!(b.customer(&admin, &id).unwrap().city.as_deref(), Some("上海"));
    // The revert is history too: the city's newest entry is 苏州 → 上海.
    let newest = b.history(&admin, &id).unwrap().into_iter().find(|e| e.field == "city").unwrap();
    assert_eq!((newest.old_value.as_deref(), newest.new_value.as_deref()), (Some("\"苏州\""), Some("\"上海\"")));
    // The first rename was renamed again since: kept, and said so.
    let first = h.iter().rfind(|e| e.field == "name" && e.op == "update").unwrap();
    let r = b.revert(&admin, &spec(first)).unwrap();
    assert_eq!((r.restored, r.conflicts.len()), (0, 1));
    assert_eq!((r.conflicts[0].field.as_str(), r.conflicts[0].name.as_str()), ("name", "鼎盛集团"));
    assert_eq!(b.customer(&admin, &id).unwrap().name, "鼎盛集团");
    // A whole transaction: the contact added in it goes.
    b.add_contact(&admin, &id, &ContactInput { name: Some("刘经理".into()), ..Default::default() }).unwrap();
    let tx = b.history(&admin, &id).unwrap().into_iter().find(|e| e.entity == "contact").unwrap().tx;
    let r = b.revert(&admin, &Revert::Tx { tx, desktop: None }).unwrap();
    assert_eq!(r.removed, 1);
    assert!(b.customer_record(&admin, &id).unwrap().contacts.is_empty());
    // A deleted customer comes back, findable again.
    b.delete_customer(&admin, &id).unwrap();
    assert!(b.search_customers(&admin, "鼎盛集团", &Default::default(), 5).unwrap().is_empty());
    let del = b.history(&admin, &id).unwrap().into_iter().find(|e| e.op == "delete").unwrap();
    b.revert(&admin, &spec(&del)).unwrap();
    assert!(!b.customer(&admin, &id).unwrap().deleted);
    assert_eq!(b.search_customers(&admin, "鼎盛集团", &Default::default(), 5).unwrap().len(), 1);
    // A transaction that made a product is not a customer's to take back: kept, and said so.
    let pot = ProductInput {
        sku: Some("POT".into()),
        name: Some("Pot".into()),
        price: Some("9".into()),
        ..Default::default()
    };
    b.add_product(&admin, &pot).unwrap();
    let last = b.store().changes(None, banyan::sync::Hlc::ZERO, u32::MAX).unwrap().pop().unwrap();
    let r = b.revert(&admin, &Revert::Tx { tx: last.tx, desktop: None }).unwrap();
    assert_eq!((r.removed, r.conflicts.len()), (0, 1));
    assert_eq!(b.products(&admin, true).unwrap().len(), 1);
    // Bad names are refused on their field; nobody reverts what is not theirs.
    let e = b.revert(&admin, &Revert::Change("nonsense".into())).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Invalid, Some("change")));
    assert_eq!(b.revert(&admin, &Revert::Change("zz:1".into())).unwrap_err().field.as_deref(), Some("desktop"));
    let input = UserInput {
        login: Some("zhao".into()),
        name: Some("Zhao Lei".into()),
        roles: vec!["sales".into()],
        team: Some("West".into()),
    };
    b.add_user(&admin, &input, PW).unwrap();
    let zhao = b.sign_in("zhao", PW, None, Channel::Cli).unwrap();
    let before = b.store().change_count().unwrap();
    assert_eq!(b.revert(&zhao, &spec(city)).unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(b.store().change_count().unwrap(), before);
}
