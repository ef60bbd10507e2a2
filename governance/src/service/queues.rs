//! Reviewer groups and routing rules: managers form groups of reviewers and send a
//! capability's escalations (all, or those matching a Cedar condition) to a group; the
//! decision routes each new escalation by the first rule that matches ([`crate::queue::route`]).

use crate::capability::CapabilityName;
use crate::condition::{CedarCondition, ConditionContext};
use crate::error::GovError;
use crate::evidence::Draft;
use crate::principal::{AsManager, AsMember};
use crate::queue::{Route, group_name};
use crate::roles::Role;
use crate::store::{Store, evidence, queues};
use serde_json::json;

/// A group with its members' (id, name), by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub members: Vec<(i64, String)>,
}

/// A routing rule as the page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteView {
    pub id: i64,
    pub capability: String,
    /// Empty: every escalation of the capability.
    pub condition: String,
    pub group: String,
}

/// What a manager typed to add a routing rule.
#[derive(Clone, Debug, Default)]
pub struct RouteForm {
    pub capability: String,
    pub condition: String,
    pub group_id: i64,
}

/// The groups and routing use cases.
#[derive(Clone, Debug)]
pub struct Queues {
    store: Store,
}

impl Queues {
    /// Over `store`.
    pub fn new(store: Store) -> Queues {
        Queues { store }
    }

    async fn record(&self, draft: Draft) -> Result<(), GovError> {
        let txn = self.store.begin_write().await?;
        evidence::lock(&txn).await?;
        evidence::append(&txn, &draft).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Every group with its members.
    pub async fn groups(&self, _who: &AsMember) -> Result<Vec<Group>, GovError> {
        let users: std::collections::HashMap<i64, String> =
            self.store.list_users().await?.into_iter().map(|u| (u.id, u.username)).collect();
        let memberships = self.store.memberships().await?;
        Ok(self
            .store
            .groups()
            .await?
            .into_iter()
            .map(|g| {
                let mut members: Vec<(i64, String)> = memberships
                    .iter()
                    .filter(|(group, _)| *group == g.id)
                    .filter_map(|(_, u)| users.get(u).map(|n| (*u, n.clone())))
                    .collect();
                members.sort_by(|a, b| a.1.cmp(&b.1));
                Group { id: g.id, name: g.name, members }
            })
            .collect())
    }

    /// Creates a group; 409 when the name is taken.
    pub async fn create_group(&self, who: &AsManager, name: &str) -> Result<i64, GovError> {
        let name = group_name(name).map_err(|m| GovError::invalid("name", m))?;
        crate::text::storable("name", &name).map_err(GovError::field)?;
        let txn = self.store.begin_write().await?;
        evidence::lock(&txn).await?;
        let Some(id) = queues::create_group(&txn, &name, crate::clock::now()).await? else {
            txn.rollback().await?;
            return Err(GovError::Conflict { field: "name", message: format!("a group named {name} exists already") });
        };
        let draft = Draft {
            actor: who.actor().clone(),
            kind: "group.created",
            subject_kind: "group",
            subject_id: id.to_string(),
            summary: format!("{} created the reviewer group {name}", who.actor().name),
            details: json!({"name": name}),
        };
        evidence::append(&txn, &draft).await?;
        txn.commit().await?;
        Ok(id)
    }

    async fn group(&self, id: i64) -> Result<crate::store::queues::GroupRecord, GovError> {
        self.store.group(id).await?.ok_or_else(|| GovError::NotFound(format!("group {id}")))
    }

    /// Adds a reviewer (by user name) to a group.
    pub async fn add_member(&self, who: &AsManager, group_id: i64, username: &str) -> Result<(), GovError> {
        let group = self.group(group_id).await?;
        let name = username.trim();
        let user = self.store.user_by_name(name).await?.filter(|u| u.active);
        let user = user.ok_or_else(|| GovError::invalid("username", format!("there is no active user '{name}'")))?;
        if !user.roles.contains(Role::Reviewer) {
            return Err(GovError::invalid("username", format!("{} is not a reviewer", user.username)));
        }
        if !queues::add_member(self.store.db(), group_id, user.id).await? {
            return Err(GovError::Conflict {
                field: "username",
                message: format!("{} is in {} already", user.username, group.name),
            });
        }
        self.record(Draft {
            actor: who.actor().clone(),
            kind: "group.member_added",
            subject_kind: "group",
            subject_id: group_id.to_string(),
            summary: format!("{} added {} to the reviewer group {}", who.actor().name, user.username, group.name),
            details: json!({"user_id": user.id, "username": user.username}),
        })
        .await
    }

    /// Takes a person out of a group.
    pub async fn remove_member(&self, who: &AsManager, group_id: i64, user_id: i64) -> Result<(), GovError> {
        let group = self.group(group_id).await?;
        if !queues::remove_member(self.store.db(), group_id, user_id).await? {
            return Err(GovError::NotFound(format!("member {user_id} of {}", group.name)));
        }
        let username = self.store.user_by_id(user_id).await?.map(|u| u.username).unwrap_or_default();
        self.record(Draft {
            actor: who.actor().clone(),
            kind: "group.member_removed",
            subject_kind: "group",
            subject_id: group_id.to_string(),
            summary: format!("{} took {username} out of the reviewer group {}", who.actor().name, group.name),
            details: json!({"user_id": user_id, "username": username}),
        })
        .await
    }

    /// Every routing rule, in the order they are tried.
    pub async fn routes(&self, _who: &AsMember) -> Result<Vec<RouteView>, GovError> {
        let groups: std::collections::HashMap<i64, String> =
            self.store.groups().await?.into_iter().map(|g| (g.id, g.name)).collect();
        Ok(self
            .store
            .routes()
            .await?
            .into_iter()
            .map(|r| RouteView {
                id: r.id,
                group: groups.get(&r.group_id).cloned().unwrap_or_default(),
                capability: r.capability,
                condition: r.condition,
            })
            .collect())
    }

    /// Adds a routing rule: the capability must be in the catalogue, the condition valid Cedar.
    pub async fn add_route(&self, who: &AsManager, form: RouteForm) -> Result<i64, GovError> {
        let capability = CapabilityName::parse(&form.capability).map_err(|m| GovError::invalid("capability", m))?;
        if self.store.capability_by_name(capability.as_str()).await?.is_none() {
            return Err(GovError::invalid("capability", format!("{} is not in the catalogue", capability.as_str())));
        }
        let condition = form.condition.trim();
        crate::text::storable("condition", condition).map_err(GovError::field)?;
        CedarCondition::parse(condition).map_err(|m| GovError::invalid("condition", m))?;
        let group = self
            .store
            .group(form.group_id)
            .await?
            .ok_or_else(|| GovError::invalid("group_id", "choose a group to send these items to"))?;
        let txn = self.store.begin_write().await?;
        evidence::lock(&txn).await?;
        let id = queues::add_route(&txn, capability.as_str(), condition, group.id, crate::clock::now()).await?;
        let when = if condition.is_empty() { String::new() } else { format!(" when {condition}") };
        let draft = Draft {
            actor: who.actor().clone(),
            kind: "routing.added",
            subject_kind: "routing_rule",
            subject_id: id.to_string(),
            summary: format!(
                "{} routed escalations of {}{when} to {}",
                who.actor().name,
                capability.as_str(),
                group.name
            ),
            details: json!({"capability": capability.as_str(), "condition": condition, "group": group.name}),
        };
        evidence::append(&txn, &draft).await?;
        txn.commit().await?;
        Ok(id)
    }

    /// Removes a routing rule (items it routed stay where they are).
    pub async fn remove_route(&self, who: &AsManager, id: i64) -> Result<(), GovError> {
        let txn = self.store.begin_write().await?;
        evidence::lock(&txn).await?;
        let Some(rule) = queues::remove_route(&txn, id).await? else {
            txn.rollback().await?;
            return Err(GovError::NotFound(format!("routing rule {id}")));
        };
        let draft = Draft {
            actor: who.actor().clone(),
            kind: "routing.removed",
            subject_kind: "routing_rule",
            subject_id: id.to_string(),
            summary: format!("{} removed a routing rule of {}", who.actor().name, rule.capability),
            details: json!({"capability": rule.capability, "condition": rule.condition, "group_id": rule.group_id}),
        };
        evidence::append(&txn, &draft).await?;
        txn.commit().await?;
        Ok(())
    }
}

/// Whom an item (or a copilot) can be assigned to: every active reviewer, then every group,
/// as (`user:<id>` or `group:<id>`, how it reads).
pub(crate) async fn assignees(store: &Store) -> Result<Vec<(String, String)>, GovError> {
    Ok(assignees_of(&store.list_users().await?, &store.groups().await?))
}

/// [`assignees`] from users and groups already read.
pub(crate) fn assignees_of(
    users: &[crate::store::users::UserRecord],
    groups: &[crate::store::queues::GroupRecord],
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = users
        .iter()
        .filter(|u| u.active && u.roles.contains(Role::Reviewer))
        .map(|u| (format!("user:{}", u.id), u.username.clone()))
        .collect();
    out.extend(groups.iter().map(|g| (format!("group:{}", g.id), format!("group {}", g.name))));
    out
}

impl Queues {
    /// Whom an item or a copilot can be assigned to (see [`assignees`]).
    pub async fn assignees(&self, _who: &AsMember) -> Result<Vec<(String, String)>, GovError> {
        assignees(&self.store).await
    }
}

/// The group a new escalation goes to, by the capability's routing rules (none: the shared
/// inbox). Rules whose stored condition no longer parses are skipped.
pub(crate) async fn route_escalation(store: &Store, ctx: &ConditionContext<'_>) -> Result<Option<i64>, GovError> {
    let rules = store.routes_of(ctx.capability).await?;
    if rules.is_empty() {
        return Ok(None);
    }
    let routes: Vec<Route> = rules
        .into_iter()
        .filter_map(|r| {
            let condition = CedarCondition::parse(&r.condition).ok()?;
            Some(Route { id: r.id, capability: r.capability, condition, group_id: r.group_id })
        })
        .collect();
    Ok(crate::queue::route(&routes, ctx))
}
