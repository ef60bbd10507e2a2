//! The four console roles and a set of them (a user may hold several).

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a person may do in the console.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages users and roles; sees everything.
    Admin,
    /// Registers agents, defines capabilities and templates, grants tiers.
    Manager,
    /// Works the approval inbox.
    Reviewer,
    /// Searches and exports the evidence trail.
    Auditor,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Manager, Role::Reviewer, Role::Auditor];

    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Reviewer => "reviewer",
            Role::Auditor => "auditor",
        }
    }

    /// Parses a role name as typed by a person (case-insensitive, surrounding space ignored).
    pub fn parse(s: &str) -> Result<Role, String> {
        let lower = s.trim().to_ascii_lowercase();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == lower)
            .ok_or_else(|| format!("unknown role '{}': expected one of admin, manager, reviewer, auditor", s.trim()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The roles one user holds; never empty for an account that can sign in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSet(Vec<Role>);

impl RoleSet {
    /// Builds a set from any roles, dropping duplicates and keeping display order.
    pub fn from_roles(roles: impl IntoIterator<Item = Role>) -> RoleSet {
        let mut v: Vec<Role> = roles.into_iter().collect();
        v.sort();
        v.dedup();
        RoleSet(v)
    }

    /// Parses role names; an empty list is an error because such a user could do nothing.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<RoleSet, String> {
        let set = RoleSet::from_roles(names.into_iter().map(Role::parse).collect::<Result<Vec<_>, _>>()?);
        if set.is_empty() {
            return Err("choose at least one role".into());
        }
        Ok(set)
    }

    /// Whether the set holds `role`.
    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    /// Whether no role is held.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The roles, in display order.
    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }
}

impl fmt::Display for RoleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Role::as_str).collect();
        f.write_str(&names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_role_names_case_insensitively() {
        assert_eq!(Role::parse(" Reviewer "), Ok(Role::Reviewer));
        assert_eq!(Role::parse("AUDITOR"), Ok(Role::Auditor));
    }

    #[test]
    fn rejects_unknown_role_naming_it() {
        let err = Role::parse("superuser").unwrap_err();
        assert!(err.contains("superuser"), "{err}");
    }

    #[test]
    fn role_set_dedups_and_orders() {
        let set = RoleSet::parse(["reviewer", "admin", "reviewer"]).unwrap();
        assert_eq!(set.to_string(), "admin, reviewer");
        assert!(set.contains(Role::Admin) && !set.contains(Role::Manager));
    }

    #[test]
    fn empty_role_set_is_refused() {
        assert!(RoleSet::parse([]).is_err());
    }
}
