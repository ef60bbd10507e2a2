//! A validated user name.

use std::fmt;

/// A user name: 3–64 characters, lowercase letters, digits, `.`, `_` or `-`, starting with a letter.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// Checks a user name as typed (surrounding space ignored, folded to lowercase).
    pub fn parse(raw: &str) -> Result<Username, String> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err("enter a name".into());
        }
        if s.chars().count() < 3 || s.chars().count() > 64 {
            return Err("must be 3 to 64 characters long".into());
        }
        if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err("must start with a letter".into());
        }
        if let Some(bad) =
            s.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')))
        {
            return Err(format!("'{bad}' is not allowed: use letters, digits, '.', '_' or '-'"));
        }
        Ok(Username(s))
    }

    /// The name as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Username;

    #[test]
    fn accepts_and_normalises_a_plain_name() {
        assert_eq!(Username::parse("  Alice.Ops ").unwrap().as_str(), "alice.ops");
    }

    #[test]
    fn rejects_bad_names_with_a_reason() {
        assert!(Username::parse("").unwrap_err().contains("enter"));
        assert!(Username::parse("ab").unwrap_err().contains("3 to 64"));
        assert!(Username::parse("9lives").unwrap_err().contains("start with a letter"));
        assert!(Username::parse("bob smith").unwrap_err().contains("' '"));
        assert!(Username::parse("<script>").unwrap_err().contains("start with a letter"));
        assert!(Username::parse(&"a".repeat(65)).is_err());
    }
}
