//! Scope (issue 13): a rep sees their team's customers, an own-scope role only their own, an
//! admin everyone's; list, count, search, export, duplicates and orders each equal a brute-force
//! filter over what the import file said about each customer's owner. 10,000 customers, 20
//! owners in 4 teams, plus customers whose owner is no user (text from before users) and ones
//! imported with no owner (the importer's).

use crate::common::*;
use banyan::api::{Banyan, Caller, Channel, ErrorCode, ImportRequest, MergeRequest};
use banyan::io::export::ExportFormat;
use banyan::io::import::OnDuplicate;
use banyan::model::*;
use banyan::security::grants::{Action, Entity, Grant, Revoke, RoleChange, Scope};
use banyan::store::{CustomerFilter, CustomerSort, SearchFilter};
use std::collections::{BTreeMap, BTreeSet};

const PW: &str = "Willow-parchment-93";
const N: usize = 10_000;
const WORDS: [&str; 10] = ["amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "heath", "inlet", "jetty"];

fn rep(j: usize) -> String {
    format!("rep{j:02}")
}

/// The owner column of row `i` as the file has it, and the login of the user it names (`None`:
/// nobody's; `Some(ADMIN)`: empty, so the importer's).
fn owner_cell(i: usize) -> (String, Option<String>) {
    match i % 23 {
        20 => ("Old Rep".into(), None),
        21 => (String::new(), Some(ADMIN.into())),
        22 => (rep((i / 23) % 20).to_uppercase(), Some(rep((i / 23) % 20))),
        // By login for even rows, by name (any case) for odd ones.
        k if i.is_multiple_of(2) => (rep(k), Some(rep(k))),
        k => (format!("rep NUMBER {k:02}"), Some(rep(k))),
    }
}

fn name(i: usize) -> String {
    format!("Client {i:05} {}", WORDS[i % WORDS.len()])
}

struct Book {
    b: Banyan,
    _dir: tempfile::TempDir,
    admin: Caller,
    /// Customer id → the login owning it (None: nobody's).
    owner_of: BTreeMap<String, Option<String>>,
    /// Customer id → name.
    name_of: BTreeMap<String, String>,
    team_of: BTreeMap<String, String>,
}

impl Book {
    fn visible(&self, logins: &BTreeSet<String>) -> BTreeSet<String> {
        self.owner_of
            .iter()
            .filter(|(_, o)| o.as_ref().is_some_and(|o| logins.contains(o)))
            .map(|(id, _)| id.clone())
            .collect()
    }

    fn team(&self, t: &str) -> BTreeSet<String> {
        self.team_of.iter().filter(|(_, x)| *x == t).map(|(l, _)| l.clone()).collect()
    }
}

fn book() -> Book {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let admin = admin(&b);
    let mut team_of = BTreeMap::new();
    for j in 0..20 {
        let team = format!("t{}", j / 5);
        let input = UserInput {
            login: Some(rep(j)),
            name: Some(format!("Rep Number {j:02}")),
            roles: vec![if j == 10 { "solo".into() } else { "sales".into() }],
            team: Some(team.clone()),
        };
        if j == 10 {
            // A role that reads only its own customers.
            b.add_role(&admin, "solo", "sales").unwrap();
            let own = RoleChange {
                revoke: Some(Revoke { entity: Entity::Customer, actions: vec![Action::Read, Action::Export] }),
                ..Default::default()
            };
            b.change_role(&admin, "solo", &own).unwrap();
            let grant =
                Grant { entity: Entity::Customer, actions: vec![Action::Read, Action::Export], scope: Scope::Own };
            b.change_role(&admin, "solo", &RoleChange { grant: Some(grant), ..Default::default() }).unwrap();
        }
        b.add_user(&admin, &input, PW).unwrap();
        team_of.insert(rep(j), team);
    }
    let mut csv = String::from("Name,Phone,Owner\n");
    let mut want_owner = BTreeMap::new();
    for i in 0..N {
        let (cell, login) = owner_cell(i);
        // The 20 rows from 9,960 are the row 20 before them again (name in capitals, same
        // phone): duplicate pairs across owners and teams.
        let (name, phone) = if (N - 40..N - 20).contains(&i) {
            (name(i - 20).to_uppercase(), 13_800_000_000u64 + (i - 20) as u64)
        } else {
            (name(i), 13_800_000_000u64 + i as u64)
        };
        csv.push_str(&format!("{name},{phone},{cell}\n"));
        want_owner.insert(name, login);
    }
    let file = dir.path().join("book.csv");
    std::fs::write(&file, csv).unwrap();
    let req = ImportRequest { on_duplicate: OnDuplicate::Create, ..Default::default() };
    let report = b.import_file(&admin, &file, &req, None, &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(report.counts.created, N as u64, "{:?}", report.issues);
    // Where each customer landed, as the admin (scope all) sees it: the owner the file named.
    let all = b.customers(&admin, &CustomerFilter::default()).unwrap();
    assert_eq!(all.len(), N);
    let mut owner_of = BTreeMap::new();
    let mut name_of = BTreeMap::new();
    let logins: BTreeMap<String, String> =
        b.users(&admin).unwrap().into_iter().map(|u| (u.id.to_string(), u.login)).collect();
    for c in &all {
        let got = c.owner.as_ref().map(|o| logins.get(o).cloned().unwrap_or_else(|| format!("text:{o}")));
        let want = want_owner[&c.name].clone().or_else(|| Some("text:Old Rep".into()));
        assert_eq!(got, want, "{}: owner", c.name);
        if want_owner[&c.name].is_some() {
            assert!(c.owner_name.is_some(), "{}: the owner's name is shown", c.name);
        }
        owner_of.insert(c.id.to_string(), want_owner[&c.name].clone());
        name_of.insert(c.id.to_string(), c.name.clone());
    }
    Book { b, _dir: dir, admin, owner_of, name_of, team_of }
}

fn ids(list: &[Customer]) -> BTreeSet<String> {
    list.iter().map(|c| c.id.to_string()).collect()
}

#[test]
fn list_count_search_export_duplicates_and_orders_show_exactly_the_callers_scope() {
    let x = book();
    let b = &x.b;
    let rep05 = b.sign_in("rep05", PW, None, Channel::Desktop).unwrap();
    let solo = b.sign_in("rep10", PW, None, Channel::Desktop).unwrap();
    let cases: Vec<(&str, &Caller, BTreeSet<String>)> = vec![
        ("admin", &x.admin, x.owner_of.keys().cloned().collect()),
        ("rep05 (team t1)", &rep05, x.visible(&x.team("t1"))),
        ("rep10 (own)", &solo, x.visible(&[rep(10)].into())),
    ];
    for (who, caller, want) in &cases {
        // The whole list, then page by page in name order: every page full, nothing outside.
        let all = b.customers(caller, &CustomerFilter::default()).unwrap();
        assert_eq!(ids(&all), *want, "{who}: list");
        assert_eq!(b.count_customers(caller, &CustomerFilter::default()).unwrap(), want.len() as i64, "{who}: count");
        assert_eq!(b.customer_count(caller).unwrap(), want.len() as i64, "{who}: customer count");
        let mut paged = Vec::new();
        for p in 0.. {
            let f = CustomerFilter { sort: CustomerSort::Name, limit: Some(97), offset: p * 97, ..Default::default() };
            let page = b.customers(caller, &f).unwrap();
            if page.is_empty() {
                break;
            }
            paged.extend(page);
        }
        let names: Vec<&String> = paged.iter().map(|c| &c.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "{who}: pages in name order");
        assert_eq!(ids(&paged), *want, "{who}: pages");
        // Search: a word a tenth of the book has; and a limit below what is in scope still fills.
        for word in ["cedar", "jetty"] {
            let hits = b.search_customers(caller, word, &SearchFilter::default(), 1000).unwrap();
            let got: BTreeSet<String> = hits.iter().map(|h| h.customer.id.to_string()).collect();
            let expect: BTreeSet<String> =
                want.iter().filter(|id| x.name_of[*id].to_lowercase().ends_with(word)).cloned().collect();
            assert_eq!(got, expect, "{who}: search {word}");
            let ten = b.search_customers(caller, word, &SearchFilter::default(), 10).unwrap();
            assert_eq!(ten.len(), expect.len().min(10), "{who}: ten hits of {word}, all in scope");
            assert!(ten.iter().all(|h| want.contains(&h.customer.id.to_string())));
        }
        // A customer out of scope: not found by id, by name or by phone.
        if let Some(out) = x.owner_of.keys().find(|id| !want.contains(*id)) {
            let e = b.customer(caller, out).unwrap_err();
            assert_eq!(e.code, ErrorCode::NotFound, "{who}: {}", e.message);
            let n = &x.name_of[out];
            // (Other customers in scope may come up for the words and digits its name shares with
            // theirs; the one out of scope never does.)
            let hits = b.search_customers(caller, n, &SearchFilter::default(), 50).unwrap();
            let ids: Vec<String> = hits.iter().map(|h| h.customer.id.to_string()).collect();
            assert!(ids.iter().all(|id| want.contains(id) && id != out), "{who}: {n} found {ids:?}");
        }
    }
    // Export: the rep's team has more than the sales role's cap of 1,000, and the refusal counts
    // the team's customers, not the book's.
    let out = x._dir.path().join("team.csv");
    let e = b.export(&rep05, &out, ExportFormat::Csv, None, &mut |_, _| {}, &|| false).unwrap_err();
    let team_count = cases[1].2.len();
    assert!(e.message.contains(&format!("has {team_count} customers")), "{}", e.message);
    assert!(!out.exists());
    // The own-scope role exports its own, every one and nothing else.
    let out = x._dir.path().join("own.csv");
    let r = b.export(&solo, &out, ExportFormat::Csv, None, &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(r.written, cases[2].2.len() as u64);
    let text = std::fs::read_to_string(&out).unwrap();
    let exported: BTreeSet<String> =
        text.lines().skip(1).filter_map(|l| l.split(',').next()).map(|s| s.trim_matches('"').to_string()).collect();
    assert_eq!(exported, cases[2].2, "own export");
    // Duplicates come in pairs across owners, and one pair is both rep05's; sales merges only
    // its own, so a rep sees a pair only when both customers are theirs.
    let twin = |n: &str| CustomerInput { phones: vec!["13912345678".into()], owner: Some("rep05".into()), ..person(n) };
    b.add_customer(&x.admin, &twin("Zhou Twin")).unwrap();
    b.add_customer(&x.admin, &twin("ZHOU TWIN")).unwrap();
    let pair_ids = |pairs: &[banyan::store::DuplicatePair]| -> BTreeSet<(String, String)> {
        pairs.iter().map(|p| (p.a.id.to_string(), p.b.id.to_string())).collect()
    };
    let admin_pairs = b.duplicates(&x.admin, 100).unwrap();
    assert_eq!(admin_pairs.len(), 21, "admin: every pair");
    for who in [&rep05, &solo] {
        let me = who.user().to_string();
        let theirs: Vec<_> = admin_pairs
            .iter()
            .filter(|p| p.a.owner.as_deref() == Some(me.as_str()) && p.b.owner.as_deref() == Some(me.as_str()))
            .cloned()
            .collect();
        let pairs = b.duplicates(who, 100).unwrap();
        assert_eq!(pair_ids(&pairs), pair_ids(&theirs), "{}: pairs", who.login());
        // And a merge of a pair that is not wholly theirs is refused as not found.
        let p = admin_pairs.iter().find(|p| p.a.owner.as_deref() != Some(me.as_str())).unwrap();
        let req =
            MergeRequest { survivor_id: p.a.id.to_string(), other_id: p.b.id.to_string(), take: Default::default() };
        assert_eq!(b.merge(who, &req).unwrap_err().code, ErrorCode::NotFound);
    }
    assert_eq!(b.duplicates(&rep05, 100).unwrap().len(), 1, "rep05's own pair");
    // Orders follow their customer.
    let tea = ProductInput {
        sku: Some("TEA-1".into()),
        name: Some("Tea".into()),
        price: Some("30.00".into()),
        ..Default::default()
    };
    b.add_product(&x.admin, &tea).unwrap();
    let line = LineInput { sku: "TEA-1".into(), quantity: "1".into(), discount: None };
    let mut order_of = BTreeMap::new();
    for id in x.owner_of.keys().step_by(250) {
        let input = OrderInput { customer_id: id.clone(), lines: vec![line.clone()], notes: None };
        order_of.insert(b.create_order(&x.admin, &input).unwrap().id.to_string(), id.clone());
    }
    let team = &cases[1].2;
    let seen: BTreeSet<String> =
        b.orders(&rep05, &Default::default()).unwrap().into_iter().map(|o| o.id.to_string()).collect();
    let expect: BTreeSet<String> = order_of.iter().filter(|(_, c)| team.contains(*c)).map(|(o, _)| o.clone()).collect();
    assert_eq!(seen, expect, "rep05: orders");
    assert_eq!(b.order_summary(&rep05, &Default::default()).unwrap().orders, expect.len() as u64);
    let (other_order, _) = order_of.iter().find(|(_, c)| !team.contains(*c)).unwrap();
    assert_eq!(b.order(&rep05, other_order).unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(b.set_order_status(&rep05, other_order, "confirmed").unwrap_err().code, ErrorCode::NotFound);
}

#[test]
fn a_rep_creates_for_themselves_or_their_team_and_cannot_change_or_hand_out_what_is_not_theirs() {
    let x = book();
    let b = &x.b;
    let rep05 = b.sign_in("rep05", PW, None, Channel::Cli).unwrap();
    let me = b.users(&x.admin).unwrap().into_iter().find(|u| u.login == "rep05").unwrap();
    // No owner typed: the rep's own.
    let c = b.add_customer(&rep05, &person("Walk-in 1")).unwrap();
    assert_eq!(
        (c.owner.as_deref(), c.owner_name.as_deref()),
        (Some(me.id.to_string().as_str()), Some("Rep Number 05"))
    );
    // A teammate by name: fine. Someone of another team, or nobody: refused, naming the field.
    let mate =
        b.add_customer(&rep05, &CustomerInput { owner: Some("Rep Number 07".into()), ..person("Walk-in 2") }).unwrap();
    assert_eq!(mate.owner_name.as_deref(), Some("Rep Number 07"));
    let before = b.store().change_count().unwrap();
    for (owner, key) in [("rep12", "outside your customers"), ("Nobody Atall", "No user of this book")] {
        let e =
            b.add_customer(&rep05, &CustomerInput { owner: Some(owner.into()), ..person("Walk-in 3") }).unwrap_err();
        assert_eq!(e.code, ErrorCode::Invalid);
        assert_eq!(e.fields.first().map(|f| f.field.as_str()), Some("owner"), "{owner}");
        assert!(e.message.contains(key), "{owner}: {}", e.message);
    }
    // Handing the rep's customer to another team, or changing and deleting one of another team:
    // refused, and nothing written.
    let patch = CustomerPatch { owner: Some("rep15".into()), ..Default::default() };
    assert_eq!(b.update_customer(&rep05, &c.id.to_string(), &patch).unwrap_err().fields[0].field, "owner");
    let theirs = x.owner_of.iter().find(|(_, o)| o.as_deref() == Some("rep15")).unwrap().0;
    let city = CustomerPatch { city: Some("杭州".into()), ..Default::default() };
    assert_eq!(b.update_customer(&rep05, theirs, &city).unwrap_err().code, ErrorCode::NotFound);
    let legacy = x.owner_of.iter().find(|(_, o)| o.is_none()).unwrap().0;
    assert_eq!(b.update_customer(&rep05, legacy, &city).unwrap_err().code, ErrorCode::NotFound, "nobody's");
    let input = ContactInput { name: Some("Front desk".into()), ..Default::default() };
    assert_eq!(b.add_contact(&rep05, theirs, &input).unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(b.store().change_count().unwrap(), before, "refusals wrote nothing");
    // Giving a customer to a teammate works, and then it is still in the team.
    let to_mate = CustomerPatch { owner: Some("rep08".into()), ..Default::default() };
    let moved = b.update_customer(&rep05, &c.id.to_string(), &to_mate).unwrap();
    assert_eq!(moved.owner_name.as_deref(), Some("Rep Number 08"));
    assert!(b.customer(&rep05, &c.id.to_string()).is_ok());
    // Delete is own scope for sales: the teammate's customer is not the rep's to delete.
    assert_eq!(b.delete_customer(&rep05, &c.id.to_string()).unwrap_err().code, ErrorCode::NotFound);
    // "May already exist": a customer out of scope with the same phone says only whose it is.
    let phone = b.customer(&x.admin, theirs).unwrap().phones[0].clone();
    let dup = b.likely_duplicates(&rep05, &CustomerInput { phones: vec![phone], ..person("Again") }, None).unwrap();
    assert_eq!(dup.len(), 1);
    assert!(dup[0].customer.is_none(), "no values of a customer out of scope");
    assert_eq!(dup[0].owner.as_deref(), Some("Rep Number 15"));
    // The owner choices the form offers: the rep's team, by name.
    let choices: Vec<String> = b.owner_choices(&rep05).unwrap().into_iter().map(|o| o.login).collect();
    assert_eq!(choices, (5..10).map(rep).collect::<Vec<_>>());
    // The list's owner filter takes a login or a name.
    let f = CustomerFilter { owner: Some("rep06".into()), ..Default::default() };
    assert_eq!(b.count_customers(&rep05, &f).unwrap(), x.visible(&[rep(6)].into()).len() as i64);
    let f = CustomerFilter { owner: Some("Old Rep".into()), ..Default::default() };
    assert_eq!(b.count_customers(&rep05, &f).unwrap(), 0);
    assert_eq!(b.count_customers(&x.admin, &f).unwrap(), x.owner_of.values().filter(|o| o.is_none()).count() as i64);
}

#[test]
fn an_import_by_a_team_scoped_role_takes_only_rows_within_its_team() {
    let x = book();
    let b = &x.b;
    // A team lead: sales that may also import, for its team only.
    b.add_role(&x.admin, "lead", "sales").unwrap();
    let grant = Grant { entity: Entity::Customer, actions: vec![Action::Import], scope: Scope::Team };
    b.change_role(&x.admin, "lead", &RoleChange { grant: Some(grant), ..Default::default() }).unwrap();
    let input = UserInput {
        login: Some("lead1".into()),
        name: Some("Lead One".into()),
        roles: vec!["lead".into()],
        team: Some("t1".into()),
    };
    b.add_user(&x.admin, &input, PW).unwrap();
    let lead = b.sign_in("lead1", PW, None, Channel::Cli).unwrap();
    let file = x._dir.path().join("lead.csv");
    // Row 2: no owner (the lead's); 3: a teammate; 4: another team; 5: nobody; 6: a customer of
    // another team again (same name and phone: an update of it is refused).
    let theirs = x.owner_of.iter().find(|(_, o)| o.as_deref() == Some("rep15")).unwrap().0;
    let existing = b.customer(&x.admin, theirs).unwrap();
    let (phone, their_name) = (existing.phones[0].clone(), existing.name.clone());
    // 7: a customer of the lead's own team again, handed to another team's rep: refused too.
    let ours = x.owner_of.iter().find(|(_, o)| o.as_deref() == Some("rep06")).unwrap().0;
    let mine = b.customer(&x.admin, ours).unwrap();
    let (our_phone, our_name) = (mine.phones[0].clone(), mine.name.clone());
    std::fs::write(
        &file,
        format!(
            "Name,Phone,Owner\nNew A,13900000001,\nNew B,13900000002,rep06\nNew C,13900000003,rep15\n\
             New D,13900000004,Old Rep\n{their_name},{phone},rep06\n{our_name},{our_phone},rep15\n"
        ),
    )
    .unwrap();
    let req = ImportRequest { on_duplicate: OnDuplicate::Overwrite, ..Default::default() };
    let report = b.import_file(&lead, &file, &req, None, &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(report.counts.created, 2, "{:?}", report.issues);
    let rejected: Vec<u64> = report.issues.iter().map(|p| p.row).collect();
    assert_eq!(rejected, vec![4, 5, 6, 7], "{:?}", report.issues);
    assert_eq!(b.customer(&x.admin, ours).unwrap().owner, mine.owner, "still the team's");
    assert!(
        report.issues[0].text.contains("rep15") && report.issues[1].text.contains("Old Rep"),
        "{:?}",
        report.issues
    );
    assert!(report.issues[2].text.contains("not yours to change"), "{:?}", report.issues[2]);
    let columns: Vec<Option<&str>> = report.issues.iter().map(|p| p.column.as_deref()).collect();
    assert_eq!(columns, vec![Some("Owner"), Some("Owner"), None, Some("Owner")]);
    assert_eq!(b.customer(&x.admin, theirs).unwrap().phones[0], phone, "the other team's customer is untouched");
    let mine = b.customers(&lead, &CustomerFilter { owner: Some("lead1".into()), ..Default::default() }).unwrap();
    assert_eq!(mine.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["New A"]);
}
