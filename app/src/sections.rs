//! The console's sections and who may see them: one table for navigation and page guards.

use serde::{Deserialize, Serialize};

/// A part of the console reachable from the navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Section {
    Dashboard,
    Agents,
    Reviews,
    Capabilities,
    Templates,
    Inbox,
    Alerts,
    Corrections,
    Audit,
    Notifications,
    Users,
}

impl Section {
    /// Every section that exists, in navigation order.
    pub const ALL: [Section; 11] = [
        Section::Dashboard,
        Section::Agents,
        Section::Reviews,
        Section::Capabilities,
        Section::Templates,
        Section::Inbox,
        Section::Alerts,
        Section::Corrections,
        Section::Audit,
        Section::Notifications,
        Section::Users,
    ];

    /// The link text.
    pub fn label(self) -> &'static str {
        match self {
            Section::Dashboard => "Dashboard",
            Section::Agents => "Agents",
            Section::Reviews => "Reviews",
            Section::Capabilities => "Capabilities",
            Section::Templates => "Templates",
            Section::Inbox => "Inbox",
            Section::Alerts => "Alerts",
            Section::Corrections => "Corrections",
            Section::Audit => "Audit",
            Section::Notifications => "Notifications",
            Section::Users => "Users",
        }
    }

    /// Where it lives.
    pub fn href(self) -> &'static str {
        match self {
            Section::Dashboard => "/",
            Section::Agents => "/agents",
            Section::Reviews => "/reviews",
            Section::Capabilities => "/capabilities",
            Section::Templates => "/templates",
            Section::Inbox => "/inbox",
            Section::Alerts => "/alerts",
            Section::Corrections => "/corrections",
            Section::Audit => "/audit",
            Section::Notifications => "/notifications",
            Section::Users => "/users",
        }
    }

    /// The roles that may open it (any one suffices); empty means every signed-in user.
    pub fn roles(self) -> &'static [&'static str] {
        match self {
            Section::Dashboard | Section::Alerts => &[],
            Section::Agents | Section::Reviews | Section::Capabilities | Section::Templates => &["manager", "admin"],
            Section::Inbox => &["reviewer"],
            Section::Corrections => &["reviewer", "manager", "admin"],
            Section::Audit => &["auditor", "admin"],
            Section::Users | Section::Notifications => &["admin"],
        }
    }

    /// Where someone holding `roles` lands after signing in: the dashboard for managers and
    /// admins (it is their overview), the inbox for a reviewer, the audit trail for an auditor.
    pub fn home(roles: &[String]) -> &'static str {
        let has = |r: &str| roles.iter().any(|x| x == r);
        if has("manager") || has("admin") {
            Section::Dashboard.href()
        } else if has("reviewer") {
            Section::Inbox.href()
        } else if has("auditor") {
            Section::Audit.href()
        } else {
            Section::Dashboard.href()
        }
    }

    /// Whether someone holding `roles` may open it.
    pub fn allows(self, roles: &[String]) -> bool {
        let need = self.roles();
        need.is_empty() || roles.iter().any(|r| need.contains(&r.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::Section;

    #[test]
    fn only_admins_see_users() {
        assert!(Section::Users.allows(&["admin".into()]));
        assert!(!Section::Users.allows(&["reviewer".into(), "auditor".into()]));
        assert!(Section::Notifications.allows(&["admin".into()]));
        assert!(!Section::Notifications.allows(&["manager".into(), "reviewer".into(), "auditor".into()]));
        assert!(Section::Dashboard.allows(&["auditor".into()]));
        assert!(Section::Agents.allows(&["manager".into()]) && !Section::Agents.allows(&["reviewer".into()]));
        assert!(Section::Inbox.allows(&["reviewer".into()]) && !Section::Inbox.allows(&["admin".into()]));
        assert!(Section::Reviews.allows(&["admin".into()]) && !Section::Reviews.allows(&["reviewer".into()]));
        assert!(Section::Corrections.allows(&["manager".into()]) && !Section::Corrections.allows(&["auditor".into()]));
    }

    #[test]
    fn each_role_lands_where_its_work_is() {
        let home = |roles: &[&str]| Section::home(&roles.iter().map(|r| (*r).to_owned()).collect::<Vec<_>>());
        assert_eq!(home(&["reviewer"]), "/inbox");
        assert_eq!(home(&["auditor"]), "/audit");
        assert_eq!(home(&["reviewer", "auditor"]), "/inbox");
        assert_eq!(home(&["manager", "reviewer"]), "/");
        assert_eq!(home(&["admin"]), "/");
        for roles in [&["reviewer"][..], &["auditor"], &["manager"], &["admin"]] {
            let to = home(roles);
            let section =
                [Section::Dashboard, Section::Inbox, Section::Audit].into_iter().find(|s| s.href() == to).unwrap();
            assert!(
                section.allows(&roles.iter().map(|r| (*r).to_owned()).collect::<Vec<_>>()),
                "{roles:?} may open {to}"
            );
        }
    }
}
