//! The earned-autonomy part of a template rule: its promotion criteria and trust-review cadence,
//! read-only on a rule card and as fields of the rule form.

use crate::components::form::FieldError;
use crate::error::AppError;
use crate::model::RuleView;
use leptos::prelude::*;

/// A rule's promotion criteria and review cadence, read-only.
#[component]
pub fn Criteria(r: RuleView) -> impl IntoView {
    view! {
        <dl class="criteria">
            <dt>"To contributor"</dt>
            <dd class="mono">{r.to_contributor}</dd>
            <dt>"To executor"</dt>
            <dd class="mono">{r.to_executor}</dd>
            <dt>"New grants start at"</dt>
            <dd>{start_words(&r.start_tier)}</dd>
            <dt>"Trust reviews"</dt>
            <dd>{r.reviews_summary}</dd>
        </dl>
    }
}

/// Where a new grant may start, in words.
fn start_words(tier: &str) -> String {
    match tier {
        "" | "observer" => "observer; higher only with the record for it, or a justification".to_owned(),
        t => format!("up to {t} without a justification"),
    }
}

/// The criteria and trust-review part of a rule form, prefilled from `r`.
#[component]
pub fn PromotionFields(
    r: RuleView,
    error: Signal<Option<AppError>>,
    #[prop(into)] prefix: String,
    #[prop(into)] scope: String,
) -> impl IntoView {
    let id = move |f: &str| format!("{prefix}-{f}");
    let at = move |f: &str| format!("{scope}/{f}");
    view! {
        <fieldset class="peer">
            <legend>"Earned autonomy: what the agent must show before its next tier"</legend>
            <label for=id("start-tier")>"A new grant may start at, without a justification"</label>
            <select id=id("start-tier") name="start_tier">
                <option value="observer" selected=r.start_tier != "contributor" && r.start_tier != "executor">"observer (the default)"</option>
                <option value="contributor" selected=r.start_tier == "contributor">"contributor"</option>
                <option value="executor" selected=r.start_tier == "executor">"executor"</option>
            </select>
            <p class="hint">"Above it a grant skips promotions: it is judged by their criteria on the agent's record with the capability, and without that record it is an override that needs a written justification."</p>
            <FieldError error field=at("start_tier") />
            <label for=id("to-contributor")>"Observer → contributor"</label>
            <textarea id=id("to-contributor") name="to_contributor" rows="2" class="mono" placeholder="the shipped default">{crate::components::form::area_text(r.to_contributor)}</textarea>
            <FieldError error field=at("to_contributor") />
            <label for=id("to-executor")>"Contributor → executor"</label>
            <textarea id=id("to-executor") name="to_executor" rows="3" class="mono" placeholder="the shipped default">{crate::components::form::area_text(r.to_executor)}</textarea>
            <FieldError error field=at("to_executor") />
            <p class="hint">"Items: samples >= n (shadow comparisons to contributor, decided proposals to executor), lower_bound >= x (Wilson 95 % lower bound of agreement or approval), reviewers >= n, patterns >= n (distinct parameter sets), days >= n (never enough alone), rollback_rate <= x and failure_rate <= x (upper bounds), failed_rollbacks <= n, no_open_alert. Left empty: the shipped default."</p>
            <div class="grid2">
                <div>
                    <label for=id("rev-exec")>"Review executors every (days)"</label>
                    <input id=id("rev-exec") name="review_executor_days" value=r.review_executor_days placeholder="90" />
                    <FieldError error field=at("review_executor_days") />
                </div>
                <div>
                    <label for=id("rev-contrib")>"Review contributors every (days)"</label>
                    <input id=id("rev-contrib") name="review_contributor_days" value=r.review_contributor_days placeholder="180" />
                    <FieldError error field=at("review_contributor_days") />
                </div>
                <div>
                    <label for=id("rev-obs")>"Review observers every (days)"</label>
                    <input id=id("rev-obs") name="review_observer_days" value=r.review_observer_days placeholder="365" />
                    <FieldError error field=at("review_observer_days") />
                </div>
                <div>
                    <label for=id("rev-grace")>"Grace period when overdue (days)"</label>
                    <input id=id("rev-grace") name="review_grace_days" value=r.review_grace_days placeholder="14" />
                    <FieldError error field=at("review_grace_days") />
                </div>
                <div>
                    <label for=id("rev-overdue")>"Past the grace period"</label>
                    <select id=id("rev-overdue") name="review_when_overdue">
                        <option value="flag" selected=r.review_when_overdue != "demote">"Flag it in the reviews list"</option>
                        <option value="demote" selected=r.review_when_overdue == "demote">"Demote the grant one tier"</option>
                    </select>
                    <FieldError error field=at("review_when_overdue") />
                </div>
            </div>
        </fieldset>
    }
}
