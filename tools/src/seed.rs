//! Seeding a database with people, agents and grants, for `tenure-tools demo` and `tenure-tools bench`.

use app::server::state::AppState;
use governance::service::agents::NewAgent;
use governance::service::grants::GrantForm;
use governance::template::RuleForm;
use governance::{GovError, Principal};

/// A user with `roles` whose password is `password` (already changed, so ready to work);
/// an existing user of that name is returned as is.
pub async fn person(state: &AppState, name: &str, roles: &[&str], password: &str) -> Result<Principal, GovError> {
    if let Some(p) = state.accounts.principal_cli(name).await? {
        return Ok(p);
    }
    let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
    let (_, temp) = state.accounts.add_user_cli(name, &roles).await?;
    let p = state.accounts.login(name, &temp, "seed").await?;
    state.accounts.change_own_password(&p, &temp, password, password).await?;
    state.accounts.principal(p.user_id).await?.ok_or_else(|| GovError::NotFound(format!("user {name}")))
}

/// A copy of a built-in template with one rule replaced; reused if it exists.
pub async fn template_copy(
    state: &AppState,
    by: &Principal,
    builtin: &str,
    name: &str,
    rule: RuleForm,
) -> Result<i64, GovError> {
    let token = by.as_manager()?;
    let templates = state.templates.list(&token).await?;
    if let Some(t) = templates.iter().find(|t| t.name == name) {
        return Ok(t.id);
    }
    let source = templates.iter().find(|t| t.name == builtin).ok_or_else(|| GovError::NotFound(builtin.into()))?;
    let copy = state.templates.copy(&token, source.id, name).await?;
    state.templates.save_rule(&token, copy.id, 1, rule).await?;
    Ok(copy.id)
}

/// An agent with a fresh API key and grants `(capability, template id, tier)`; returns (id, key).
pub async fn agent(
    state: &AppState,
    by: &Principal,
    new: NewAgent,
    grants: &[(&str, i64, &str)],
) -> Result<(i64, String), GovError> {
    let token = by.as_manager()?;
    let agent = state.agents.register(&token, new).await?;
    let (_, key) = state.agents.issue_key(&token, agent.id).await?;
    for (capability, template_id, tier) in grants {
        let form = GrantForm {
            agent_id: agent.id,
            capability: (*capability).into(),
            template_id: *template_id,
            tier: (*tier).into(),
            justification: "demo organisation: an agent seeded at its working tier".into(),
        };
        state.grants.grant(&token, form).await?;
    }
    Ok((agent.id, key))
}

/// A rule form with only the given fields set.
pub fn rule(capability: &str, min_confidence: &str, limits: &str, supervised: bool) -> RuleForm {
    RuleForm {
        capability: capability.into(),
        min_confidence: min_confidence.into(),
        limits: limits.into(),
        supervised,
        approval_expiry_minutes: "240".into(),
        ..RuleForm::default()
    }
}

/// Makes `agent` the copilot of the person `person` (a user id), forms the group "finance reviewers"
/// of all of them and routes escalated refunds over 150 to it; once (reused when it exists).
pub async fn copilot_and_group(
    state: &AppState,
    by: &Principal,
    agent: &str,
    person: i64,
    reviewers: &[&str],
) -> Result<(), GovError> {
    use governance::service::claims::AssignTo;
    use governance::service::queues::RouteForm;
    let token = by.as_manager()?;
    let member = by.as_member()?;
    if state.queues.groups(&member).await?.iter().any(|g| g.name == "finance reviewers") {
        return Ok(());
    }
    let group = state.queues.create_group(&token, "finance reviewers").await?;
    for name in reviewers {
        state.queues.add_member(&token, group, name).await?;
    }
    let route = RouteForm {
        capability: "finance.refund.issue".into(),
        condition: "context.params.amount > 150".into(),
        group_id: group,
    };
    state.queues.add_route(&token, route).await?;
    let agents = state.agents.list(&token).await?;
    let copilot = agents.iter().find(|a| a.name == agent).ok_or_else(|| GovError::NotFound(agent.into()))?;
    state.agents.set_copilot(&token, copilot.id, AssignTo::User(person), "60").await
}
