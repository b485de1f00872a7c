//! Email addresses: validated by RFC 5322 rules (`email_address` crate) plus the practical rule that
//! a customer's domain has a dot; stored lowercased so one address is one value.

/// Returns the canonical (trimmed, lowercased) address, or `None` when it is not an address.
pub fn normalize(input: &str) -> Option<String> {
    let s = input.trim();
    if !email_address::EmailAddress::is_valid(s) {
        return None;
    }
    let (_, domain) = s.rsplit_once('@')?;
    if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') || s.contains(' ') {
        return None;
    }
    Some(s.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn emails_normalize_or_reject() {
        let checks: &[(&str, Option<&str>)] = &[
            ("Li.Wei@Example.COM", Some("li.wei@example.com")),
            ("  sales@banyan.cn ", Some("sales@banyan.cn")),
            ("张三@例子.中国", Some("张三@例子.中国")),
            ("no-at-sign.com", None),
            ("two@@example.com", None),
            ("user@localhost", None),
            ("user@example.", None),
            ("a b@example.com", None),
            ("", None),
        ];
        for (input, want) in checks {
            assert_eq!(normalize(input).as_deref(), *want, "{input}");
        }
    }
}
