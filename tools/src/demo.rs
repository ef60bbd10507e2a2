//! `tenure-tools demo`: seeds a small organisation modelled on the built-in use cases — support,
//! finance, operations — and runs simulated agents against the API while the console serves,
//! so a newcomer sees decisions arrive within a minute. The simulated agents also wait for
//! approvals, report what they executed, and honour rollbacks.

use crate::seed;
use app::server::state::AppState;
use governance::action::ActionRequest;
use governance::service::agents::NewAgent;
use governance::service::execution::ResultReport;
use governance::shadow::Verdict;
use governance::template::RuleForm;
use governance::{GovError, Principal};
use rand::Rng;
use serde_json::{Value, json};
use std::future::Future;
use std::time::Duration;
use tokio::sync::watch;

mod drift;
mod trust;

/// A simulated agent: its key, what it asks for, and — for the observers on trial — how often
/// the simulated reviewers decide as it recommended.
struct Sim {
    name: &'static str,
    key: String,
    asks: fn(&mut rand::rngs::ThreadRng) -> Value,
    judged: Option<f64>,
}

const PEOPLE: [(&str, &str); 4] =
    [("mona", "manager"), ("rita", "reviewer"), ("ravi", "reviewer"), ("aldo", "auditor")];

/// Languages support-bot has answered in before the demo starts, each reply approved once by
/// rita: only a language it never used (Portuguese) is escalated as new.
const KNOWN_LANGUAGES: [&str; 3] = ["en", "de", "fr"];

fn password(name: &str) -> String {
    format!("{name} demo password")
}

/// The agent's key, and whether the agent was registered just now (a demo run again on the
/// same data gives the existing agent a new key).
async fn agent_key(
    state: &AppState,
    by: &Principal,
    new: NewAgent,
    grants: &[(&str, i64, &str)],
) -> Result<(String, bool), GovError> {
    let token = by.as_manager()?;
    if let Some(a) = state.agents.list(&token).await?.into_iter().find(|a| a.name == new.name) {
        return Ok((state.agents.issue_key(&token, a.id).await?.1, false));
    }
    Ok((seed::agent(state, by, new, grants).await?.1, true))
}

/// support-bot's history: one reply in each known language, escalated as a new value,
/// approved by rita and reported sent — through the same API services an agent uses.
async fn support_history(state: &AppState, key: &str, rita: &Principal) -> Result<(), GovError> {
    let who = state.agents.authenticate(key).await?;
    let reviewer = rita.as_reviewer()?;
    for (i, language) in KNOWN_LANGUAGES.into_iter().enumerate() {
        let ticket = format!("T-{}", 100 + i);
        let reasoning = "Standard password-reset question; the help-centre answer applies.";
        let req: ActionRequest = serde_json::from_value(reply(&ticket, language, reasoning, 0.95))
            .map_err(|e| GovError::Internal(format!("demo history: {e}")))?;
        let asked = state.decisions.request(&who, req).await?;
        let action = state.lifecycle.action_page(&rita.as_member()?, asked.id).await?.action;
        let comment = format!("Checked the reply in '{language}'; fine to send.");
        state.lifecycle.review(&reviewer, asked.id, Verdict::Approve, &action.action_hash, &comment).await?;
        let sent = ResultReport {
            status: "succeeded".into(),
            output: json!({"sent": ticket}),
            undo: Value::Null,
            params: None,
        };
        state.lifecycle.report_result(&who, asked.id, sent).await?;
    }
    Ok(())
}

fn pick<'a>(rng: &mut rand::rngs::ThreadRng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn support(rng: &mut rand::rngs::ThreadRng) -> Value {
    let ticket = format!("T-{}", rng.random_range(1000..9999));
    if rng.random_bool(0.3) {
        return json!({"capability": "support.ticket.close", "params": {"ticket_id": ticket, "resolution": "answered"},
            "reasoning": "The customer confirmed the answer solved the problem.", "confidence": rng.random_range(0.6..0.99), "task_ref": ticket});
    }
    let language = pick(rng, &["en", "en", "en", "de", "fr", "pt"]);
    let reasoning = pick(
        rng,
        &[
            "Standard password-reset question; the help-centre answer applies.",
            "Shipping-status question; tracking number is in the order.",
            "Invoice copy requested; sending the download link.",
        ],
    );
    reply(&ticket, language, reasoning, rng.random_range(0.62..0.99))
}

/// support-bot's request to send a reply.
fn reply(ticket: &str, language: &str, reasoning: &str, confidence: f64) -> Value {
    json!({"capability": "support.reply.send",
        "params": {"ticket_id": ticket, "body": "Thanks for reaching out — here is how to reset your password…", "language": language},
        "reasoning": reasoning, "confidence": confidence, "inputs": {"ticket": ticket},
        "alternatives": ["escalate to a human"], "task_ref": ticket})
}

fn finance(rng: &mut rand::rngs::ThreadRng) -> Value {
    let order = format!("A-{}", rng.random_range(10000..99999));
    if rng.random_bool(0.2) {
        return json!({"capability": "finance.report.generate", "params": {"period": "2026-10"},
            "reasoning": "Monthly refund report requested by the controller.", "confidence": 0.9, "task_ref": "report-2026-10"});
    }
    let amount = (rng.random_range(5.0..400.0f64) * 100.0).round() / 100.0;
    json!({"capability": "finance.refund.issue",
        "params": {"order_id": order, "amount": amount, "currency": pick(rng, &["EUR", "EUR", "EUR", "USD", "JPY"]), "reason": "duplicate charge"},
        "reasoning": format!("Order {order} was charged twice; refunding the duplicate payment."),
        "confidence": rng.random_range(0.8..0.995), "inputs": {"payments": 2}, "alternatives": ["store credit"], "task_ref": order})
}

fn operations(rng: &mut rand::rngs::ThreadRng) -> Value {
    let service = pick(rng, &["checkout", "search", "billing-api"]);
    if rng.random_bool(0.3) {
        return json!({"capability": "ops.change.apply", "params": {"service": service, "change_id": format!("CHG-{}", rng.random_range(100..999)), "replicas": rng.random_range(2..30)},
            "reasoning": "Latency p99 above target for 20 minutes; scaling out.", "confidence": rng.random_range(0.7..0.99), "task_ref": "incident-42"});
    }
    json!({"capability": "ops.change.propose", "params": {"service": service, "summary": "Raise connection pool size", "plan": "Rolling restart"},
        "reasoning": "Connection pool exhaustion seen in the last hour.", "confidence": rng.random_range(0.7..0.95), "task_ref": "incident-42"})
}

fn stray(rng: &mut rand::rngs::ThreadRng) -> Value {
    // A sandbox agent trying something it was never granted.
    if rng.random_bool(0.5) {
        return json!({"capability": "finance.refund.issue", "params": {"order_id": "A-1", "amount": 20, "currency": "EUR"},
            "reasoning": "Trying a refund from the sandbox.", "confidence": 0.7});
    }
    support(rng)
}

/// Seeds people, templates, agents and grants; returns the simulated agents and the simulated
/// reviewers who judge the observers on trial.
#[allow(clippy::type_complexity)] // (simulated agents, judges, drift-bot's key) at its one caller
async fn seed_org(state: &AppState) -> Result<(Vec<Sim>, std::sync::Arc<trust::Judges>, String), GovError> {
    let mut people = Vec::new();
    for (name, role) in PEOPLE {
        people.push(seed::person(state, name, &[role], &password(name)).await?);
    }
    let mona = &people[0];
    let templates = state.templates.list(&mona.as_manager()?).await?;
    let builtin = |name: &'static str| {
        templates.iter().find(|t| t.name == name).map(|t| t.id).ok_or_else(|| GovError::NotFound(name.into()))
    };
    let support_tpl = builtin("Support replies")?;
    let ops_tpl = builtin("Operations change proposals")?;
    let finance_tpl = builtin("Finance analysis and refunds")?;
    // Refunds over 250 need two people's approval.
    let refund_rule = RuleForm {
        approvals_required: "2".into(),
        approvals_when: "context.params.amount > 250".into(),
        ..seed::rule("finance.refund.issue", "0.85", "amount <= 150", true)
    };
    let refunds =
        seed::template_copy(state, mona, "Finance analysis and refunds", "Refunds (demo)", refund_rule).await?;
    // The built-in support template allows 60 replies an hour; the simulated support-bot
    // answers about 1,500, so its demo copy allows more.
    let support_rule = RuleForm {
        max_per_hour: "3000".into(),
        new_value_params: "language".into(),
        ..seed::rule("support.reply.send", "0.8", "", false)
    };
    let support_demo =
        seed::template_copy(state, mona, "Support replies", "Support replies (demo)", support_rule).await?;
    let (trial_tpl, judges) = trust::seed(state, mona).await?;
    let new = |name: &str, purpose: &str, env: &str| NewAgent {
        name: name.into(),
        purpose: purpose.into(),
        owner: "mona".into(),
        environment: env.into(),
        model_note: "demo simulation".into(),
    };
    let mut sims = Vec::new();
    let (key, registered) = agent_key(
        state,
        mona,
        new("support-bot", "Answers customer e-mails", "production"),
        &[("support.reply.send", support_demo, "executor"), ("support.ticket.close", support_demo, "contributor")],
    )
    .await?;
    if registered {
        support_history(state, &key, &people[1]).await?;
    }
    sims.push(Sim { name: "support-bot", key, asks: support, judged: None });
    let (key, _) = agent_key(
        state,
        mona,
        new("refund-bot", "Refunds duplicate charges", "production"),
        &[("finance.refund.issue", refunds, "executor"), ("finance.report.generate", finance_tpl, "executor")],
    )
    .await?;
    sims.push(Sim { name: "refund-bot", key, asks: finance, judged: None });
    let (key, _) = agent_key(
        state,
        mona,
        new("ops-bot", "Proposes and applies infrastructure changes", "production"),
        &[("ops.change.propose", ops_tpl, "executor"), ("ops.change.apply", ops_tpl, "observer")],
    )
    .await?;
    sims.push(Sim { name: "ops-bot", key, asks: operations, judged: None });
    let (key, _) = agent_key(
        state,
        mona,
        new("trial-bot", "A new support agent on trial", "sandbox"),
        &[("support.reply.send", support_tpl, "observer")],
    )
    .await?;
    sims.push(Sim { name: "trial-bot", key, asks: stray, judged: None });
    for (name, purpose, agree) in trust::OBSERVERS {
        let grants = [("support.reply.send", trial_tpl, "observer")];
        let (key, _) = agent_key(state, mona, new(name, purpose, "production"), &grants).await?;
        sims.push(Sim { name, key, asks: support_reply, judged: Some(agree) });
    }
    // rita's copilot: its refunds come to her first; escalated refunds of refund-bot over 150
    // go to the finance reviewers (rita and ravi).
    let (key, _) = agent_key(
        state,
        mona,
        new("rita-copilot", "Drafts rita's refunds for her to accept, change or dismiss", "production"),
        &[("finance.refund.issue", refunds, "contributor")],
    )
    .await?;
    seed::copilot_and_group(state, mona, "rita-copilot", people[1].user_id, &["rita", "ravi"]).await?;
    sims.push(Sim { name: "rita-copilot", key, asks: finance, judged: None });
    let drift_key = drift::seed(state, mona, &judges.reviewers).await?;
    Ok((sims, judges, drift_key))
}

/// A support reply (the observers on trial only draft replies).
fn support_reply(rng: &mut rand::rngs::ThreadRng) -> Value {
    let ticket = format!("T-{}", rng.random_range(1000..9999));
    let language = pick(rng, &["en", "en", "de", "fr"]);
    reply(&ticket, language, "Password-reset question; the help-centre answer applies.", rng.random_range(0.8..0.99))
}

/// Runs `work` until `stop` turns true (or its sender is gone), then drops it: a simulated
/// agent's request in flight is abandoned and its connection closed, so a server shutting down
/// is not held up by a demo agent's long poll.
async fn until_stopped(mut stop: watch::Receiver<bool>, work: impl Future<Output = ()>) {
    tokio::select! {
        _ = stop.wait_for(|stopped| *stopped) => {}
        () = work => {}
    }
}

/// Seeds and starts the simulated agents against `base` (the running server); returns at once.
/// The agents stop asking when `stop` turns true (the server begins to shut down).
/// drift-bot degrades `drift_after` after the start.
pub async fn start(
    state: &AppState,
    base: String,
    stop: watch::Receiver<bool>,
    drift_after: Duration,
) -> Result<(), GovError> {
    let (sims, judges, drift_key) = seed_org(state).await?;
    println!("\n  Demo organisation ready. Sign in at {base} as:");
    for (name, role) in PEOPLE {
        println!("    {name:<5} ({role:<8}) password: {}", password(name));
    }
    println!("  Simulated agents: {}.", sims.iter().map(|s| s.name).collect::<Vec<_>>().join(", "));
    println!("  Simulated reviewers rosa and raj judge apprentice-bot and shaky-bot, observers on trial:");
    println!(
        "  within a few minutes apprentice-bot is ready to promote (Agents), shaky-bot is not. Stop with ctrl-c.\n"
    );
    println!(
        "  rita-copilot's refunds wait in rita's inbox (Mine); refunds over 250 need rita and ravi both; refund-bot's\n  escalations over 150 go to the finance reviewers group (Agents → Reviewer groups and routing).\n"
    );
    println!(
        "  drift-bot degrades after {} s: the rejection-rate detector demotes it and raises an alert (Alerts).\n",
        drift_after.as_secs()
    );
    let reviewers = judges.reviewers.clone();
    tokio::spawn(drift::run(state.clone(), drift_key, reviewers, drift_after, stop.clone()));
    let client = reqwest::Client::new();
    for sim in &sims {
        tokio::spawn(until_stopped(stop.clone(), honour_rollbacks(client.clone(), base.clone(), sim.key.clone())));
    }
    for sim in sims {
        let (client, url, base) = (client.clone(), format!("{base}/v1/actions"), base.clone());
        let waiters = std::sync::Arc::new(tokio::sync::Semaphore::new(4));
        let (stop, judges) = (stop.clone(), judges.clone());
        tokio::spawn(until_stopped(stop.clone(), async move {
            loop {
                let (body, pause) = {
                    let mut rng = rand::rng();
                    ((sim.asks)(&mut rng), rng.random_range(700..2500))
                };
                match client.post(&url).bearer_auth(&sim.key).json(&body).send().await {
                    Ok(res) => {
                        let status = res.status();
                        let answer: Value = res.json().await.unwrap_or_default();
                        let decision = answer["decision"].as_str().unwrap_or("error");
                        if let (Some(agree), Some(id), "shadow") = (sim.judged, answer["id"].as_i64(), decision) {
                            trust::judge(judges.clone(), id, agree, stop.clone());
                        }
                        tracing::info!(agent = sim.name, capability = %body["capability"], %status, decision, "demo request");
                        // A few waiting actions per agent at most: the rest wait in the inbox
                        // until they expire, as a real agent that gave up would leave them.
                        let permit = match decision {
                            "allowed" => None,
                            _ => waiters.clone().try_acquire_owned().ok(),
                        };
                        if let (Some(id), "allowed", _) | (Some(id), _, Some(_)) =
                            (answer["id"].as_i64(), decision, &permit)
                        {
                            let (client, base, key) = (client.clone(), base.clone(), sim.key.clone());
                            tokio::spawn(until_stopped(stop.clone(), async move {
                                execute(client, base, key, id).await;
                                drop(permit);
                            }));
                        }
                    }
                    Err(e) => tracing::warn!(agent = sim.name, error = %e, "demo request failed"),
                }
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
        }));
    }
    Ok(())
}

/// Waits (long-poll) until the action may run, "executes" it and reports the outcome.
async fn execute(client: reqwest::Client, base: String, key: String, id: i64) {
    let url = format!("{base}/v1/actions/{id}");
    let mut wait = 0;
    for _ in 0..30 {
        let Ok(res) = client.get(format!("{url}?wait={wait}")).bearer_auth(&key).send().await else { return };
        let answer: Value = res.json().await.unwrap_or_default();
        match answer["state"].as_str() {
            Some("allowed" | "approved") => break,
            Some("needs_approval" | "awaiting_peer") => wait = 60,
            _ => return,
        }
    }
    let failed = rand::rng().random_bool(0.05);
    let body = if failed {
        json!({"status": "failed", "output": {"error": "upstream timed out"}})
    } else {
        json!({"status": "succeeded", "output": {"reference": format!("R-{id}")}, "undo": {"revert": format!("R-{id}")}})
    };
    if let Err(e) = client.post(format!("{url}/result")).bearer_auth(&key).json(&body).send().await {
        tracing::warn!(error = %e, "demo report failed");
    }
}

/// Polls for rollbacks a person asked for and carries them out (rarely failing, which raises an alert).
async fn honour_rollbacks(client: reqwest::Client, base: String, key: String) {
    loop {
        let res = client.get(format!("{base}/v1/rollbacks?wait=30")).bearer_auth(&key).send().await;
        let Ok(res) = res else {
            tokio::time::sleep(Duration::from_secs(5)).await;
            continue;
        };
        let list: Value = res.json().await.unwrap_or_default();
        for item in list["rollbacks"].as_array().cloned().unwrap_or_default() {
            let Some(id) = item["action_id"].as_i64() else { continue };
            let ok = !rand::rng().random_bool(0.1);
            let body = if ok {
                json!({"status": "rolled_back", "output": {"reverted": item["undo"]}})
            } else {
                json!({"status": "failed", "output": {"error": "the refund was already paid out"}})
            };
            let url = format!("{base}/v1/actions/{id}/rollback-result");
            if let Err(e) = client.post(url).bearer_auth(&key).json(&body).send().await {
                tracing::warn!(error = %e, "demo rollback report failed");
            }
        }
    }
}
