//! Which customers a caller reaches with one action: the scope of a grant as the store's SQL
//! sees it. Contacts, activities and orders follow their customer.

use rusqlite::types::Value;

/// The customers one action may touch: all of them, or those owned by some users (the caller
/// alone for scope own; the caller's team for scope team). A customer whose owner is no user (none
/// set, or text kept from before users) is reached only by `All`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    All,
    /// User ids, sorted.
    Owners(Vec<String>),
}

impl Reach {
    pub fn owners(mut ids: Vec<String>) -> Reach {
        ids.sort();
        ids.dedup();
        Reach::Owners(ids)
    }

    /// Whether a customer owned by `owner` is within reach.
    pub fn contains(&self, owner: Option<&str>) -> bool {
        match self {
            Reach::All => true,
            Reach::Owners(ids) => owner.is_some_and(|o| ids.binary_search_by(|x| x.as_str().cmp(o)).is_ok()),
        }
    }

    /// The condition on the owner column `col` ("c.owner"), with its one parameter written `?`,
    /// or `None` when every customer is reached. The ids travel as one JSON array: a team's
    /// dozens of ids are one bound value, and SQLite looks each up in the owner index.
    pub(crate) fn condition(&self, col: &str) -> Option<(String, Value)> {
        match self {
            Reach::All => None,
            Reach::Owners(ids) => Some((
                format!("{col} IN (SELECT value FROM json_each(?))"),
                Value::Text(serde_json::to_string(ids).expect("strings serialize")),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_listed_owners_are_reached_and_nobody_s_customers_only_by_all() {
        let r = Reach::owners(vec!["u2".into(), "u1".into(), "u2".into()]);
        assert_eq!(r, Reach::Owners(vec!["u1".into(), "u2".into()]));
        assert!(r.contains(Some("u1")) && r.contains(Some("u2")));
        assert!(!r.contains(Some("u3")) && !r.contains(Some("Li Wei")) && !r.contains(None));
        assert!(Reach::All.contains(None) && Reach::All.contains(Some("anything")));
        assert!(Reach::All.condition("c.owner").is_none());
        let (sql, v) = r.condition("c.owner").unwrap();
        assert_eq!(sql, "c.owner IN (SELECT value FROM json_each(?))");
        assert_eq!(v, Value::Text(r#"["u1","u2"]"#.into()));
    }
}
