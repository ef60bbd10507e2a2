//! Who is acting, and the capability tokens that prove a role check was made.
//!
//! Service methods that need a role take the matching token; the only way to get one is
//! through [`Principal`], so a missing check does not compile.

use crate::error::GovError;
use crate::evidence::Actor;
use crate::roles::{Role, RoleSet};
use serde::{Deserialize, Serialize};

/// A signed-in person, as loaded for the current request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The user's id.
    pub user_id: i64,
    /// The user's name.
    pub username: String,
    /// What the user may do.
    pub roles: RoleSet,
    /// Set for a fresh or reset account: nothing but a password change is allowed until done.
    pub must_change_password: bool,
}

/// Proof that the caller is an admin who may manage users.
#[derive(Debug)]
pub struct AsAdmin(Actor);

impl AsAdmin {
    /// The admin, for the evidence trail.
    pub fn actor(&self) -> &Actor {
        &self.0
    }
}

/// Proof that the caller may manage agents (a manager or an admin).
#[derive(Debug)]
pub struct AsManager(Actor);

impl AsManager {
    /// The manager, for the evidence trail.
    pub fn actor(&self) -> &Actor {
        &self.0
    }
}

/// Proof that the caller is a reviewer: may approve, reject, confirm and compare actions.
#[derive(Debug)]
pub struct AsReviewer {
    actor: Actor,
    user_id: i64,
}

impl AsReviewer {
    /// The reviewer, for the evidence trail.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The reviewer's user id (separation of duties compares it with the agent's owner).
    pub fn user_id(&self) -> i64 {
        self.user_id
    }
}

/// Proof that the caller may correct what went wrong — roll actions back, acknowledge and
/// resolve alerts (a reviewer, a manager or an admin).
#[derive(Debug)]
pub struct AsCorrector(Actor);

impl AsCorrector {
    /// The person asking for the rollback, for the evidence trail.
    pub fn actor(&self) -> &Actor {
        &self.0
    }
}

/// Proof that the caller may read and export the evidence trail (an auditor or an admin).
#[derive(Debug)]
pub struct AsAuditor(Actor);

impl AsAuditor {
    /// The auditor, for the evidence trail (exports are recorded).
    pub fn actor(&self) -> &Actor {
        &self.0
    }
}

/// Proof that the caller may read console-wide figures (any signed-in role).
#[derive(Debug)]
pub struct AsMember(Actor);

impl AsMember {
    /// The member, for the evidence trail.
    pub fn actor(&self) -> &Actor {
        &self.0
    }
}

impl Principal {
    /// Whether the principal holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(role)
    }

    /// Whether the principal holds any of `roles`.
    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    /// The principal as an evidence actor.
    pub fn actor(&self) -> Actor {
        Actor::user(self.user_id, &self.username)
    }

    fn ready(&self) -> Result<(), GovError> {
        if self.must_change_password {
            return Err(GovError::Forbidden("change your password before doing anything else".into()));
        }
        Ok(())
    }

    /// The admin token, if the principal is an admin with a settled password.
    pub fn as_admin(&self) -> Result<AsAdmin, GovError> {
        self.ready()?;
        if !self.has(Role::Admin) {
            return Err(GovError::Forbidden("only an admin may manage users".into()));
        }
        Ok(AsAdmin(self.actor()))
    }

    /// The manager token: managers and admins may register and control agents.
    pub fn as_manager(&self) -> Result<AsManager, GovError> {
        self.ready()?;
        if !self.has_any(&[Role::Manager, Role::Admin]) {
            return Err(GovError::Forbidden("only a manager or an admin may manage agents".into()));
        }
        Ok(AsManager(self.actor()))
    }

    /// The reviewer token: only reviewers decide on agents' actions.
    pub fn as_reviewer(&self) -> Result<AsReviewer, GovError> {
        self.ready()?;
        if !self.has(Role::Reviewer) {
            return Err(GovError::Forbidden("only a reviewer may decide on agents' actions".into()));
        }
        Ok(AsReviewer { actor: self.actor(), user_id: self.user_id })
    }

    /// The corrector token: reviewers, managers and admins may roll actions back.
    pub fn as_corrector(&self) -> Result<AsCorrector, GovError> {
        self.ready()?;
        if !self.has_any(&[Role::Reviewer, Role::Manager, Role::Admin]) {
            return Err(GovError::Forbidden(
                "only a reviewer or a manager may roll actions back or work alerts".into(),
            ));
        }
        Ok(AsCorrector(self.actor()))
    }

    /// The auditor token: auditors and admins search and export the trail.
    pub fn as_auditor(&self) -> Result<AsAuditor, GovError> {
        self.ready()?;
        if !self.has_any(&[Role::Auditor, Role::Admin]) {
            return Err(GovError::Forbidden("only an auditor or an admin may read the audit trail".into()));
        }
        Ok(AsAuditor(self.actor()))
    }

    /// The member token, for any signed-in principal with a settled password.
    pub fn as_member(&self) -> Result<AsMember, GovError> {
        self.ready()?;
        if self.roles.is_empty() {
            return Err(GovError::Forbidden("this account holds no role".into()));
        }
        Ok(AsMember(self.actor()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(roles: &[Role], must_change: bool) -> Principal {
        Principal {
            user_id: 7,
            username: "pat".into(),
            roles: RoleSet::from_roles(roles.iter().copied()),
            must_change_password: must_change,
        }
    }

    #[test]
    fn only_admins_get_the_admin_token() {
        assert!(principal(&[Role::Admin], false).as_admin().is_ok());
        for r in [Role::Manager, Role::Reviewer, Role::Auditor] {
            assert!(matches!(principal(&[r], false).as_admin(), Err(GovError::Forbidden(_))));
        }
    }

    #[test]
    fn managers_and_admins_get_the_manager_token() {
        assert!(principal(&[Role::Manager], false).as_manager().is_ok());
        assert!(principal(&[Role::Admin], false).as_manager().is_ok());
        assert!(principal(&[Role::Reviewer, Role::Auditor], false).as_manager().is_err());
    }

    #[test]
    fn only_reviewers_review_and_auditors_cannot_roll_back() {
        assert!(principal(&[Role::Reviewer], false).as_reviewer().is_ok());
        for r in [Role::Admin, Role::Manager, Role::Auditor] {
            assert!(matches!(principal(&[r], false).as_reviewer(), Err(GovError::Forbidden(_))));
        }
        for r in [Role::Reviewer, Role::Manager, Role::Admin] {
            assert!(principal(&[r], false).as_corrector().is_ok());
        }
        assert!(principal(&[Role::Auditor], false).as_corrector().is_err());
        assert!(principal(&[Role::Auditor], false).as_auditor().is_ok());
        assert!(principal(&[Role::Admin], false).as_auditor().is_ok());
        assert!(principal(&[Role::Manager, Role::Reviewer], false).as_auditor().is_err());
        assert!(principal(&[Role::Reviewer], true).as_reviewer().is_err());
    }

    #[test]
    fn a_pending_password_change_blocks_every_token() {
        let p = principal(&[Role::Admin], true);
        assert!(p.as_admin().is_err());
        assert!(p.as_member().is_err());
    }

    #[test]
    fn tokens_carry_the_actor() {
        let t = principal(&[Role::Reviewer], false).as_member().unwrap();
        assert_eq!(t.actor().name, "pat");
        assert_eq!(t.actor().id, Some(7));
    }
}
