//! Scheduled trust reviews: `/reviews` lists the grants due in the next two weeks, most overdue
//! first; `/reviews/:grant` opens one grant's record and records keep, promote, demote or
//! revoke with a comment, which sets its next due date.

use crate::api::auth::kept_form;
use crate::api::reviews::{RecordReview, review_page, reviews_due};
use crate::components::action::TierBadge;
use crate::components::form::{FieldError, FormError, action_error};
use crate::components::layout::Unavailable;
use crate::model::{DueState, ReviewPageView, ReviewRow};
use crate::pages::agent_track_record::Scorecard;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/reviews` (managers and admins).
#[component]
pub fn ReviewsPage() -> impl IntoView {
    let due = Resource::new(|| (), |_| reviews_due());
    view! {
        <Title text="Trust reviews" />
        <h1>"Trust reviews"</h1>
        <p class="muted">"Every grant is reviewed again at the cadence its template sets for its tier. A review looks at the grant's record and keeps, promotes, demotes or revokes it."</p>
        <section class="panel" id="reviews-due">
            <h2>"Due in the next two weeks"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match due.await {
                        Ok(rows) if rows.is_empty() => view! {
                            <p class="muted" data-testid="none-due">"No review is due in the next two weeks."</p>
                        }.into_any(),
                        Ok(rows) => view! { <DueTable rows /> }.into_any(),
                        Err(e) => view! { <div class="alert alert-error">{e.to_string()}</div> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn DueTable(rows: Vec<ReviewRow>) -> impl IntoView {
    let overdue = rows.iter().filter(|r| !matches!(r.state, DueState::Upcoming(_))).count();
    view! {
        <p class="small" data-testid="due-counts">
            {format!("{} due, {overdue} of them overdue.", rows.len())}
        </p>
        <div class="table-wrap">
            <table class="table" id="reviews-table">
                <thead><tr><th>"Agent"</th><th>"Capability"</th><th>"Tier"</th><th>"Due"</th><th>"Cadence"</th><th></th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr data-review=format!("{}:{}", r.agent, r.capability)>
                            <td><a href=format!("/agents/{}", r.agent_id)><strong>{r.agent.clone()}</strong></a></td>
                            <td><code>{r.capability.clone()}</code></td>
                            <td><TierBadge tier=r.tier /></td>
                            <td class="nowrap">{r.due.clone()}<div><span class=r.state.class()>{r.state.words()}</span></div></td>
                            <td class="small">{r.cadence.clone()}</td>
                            <td><a class="btn btn-small" href=format!("/reviews/{}", r.grant_id)>"Review"</a></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// `/reviews/:grant` (managers and admins).
#[component]
pub fn ReviewPage() -> impl IntoView {
    let id = super::number_param("grant");
    let record = ServerAction::<RecordReview>::new();
    let page = Resource::new(
        move || (id(), record.version().get()),
        |(id, _)| async move { review_page(id.map_err(|raw| super::not_a_number("grant", &raw))?).await },
    );
    let kept = Resource::new(move || id().unwrap_or_default(), |id| kept_form(format!("reviews/{id}")));
    let error = action_error(record);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let k = kept.await.unwrap_or_default();
                match page.await {
                    Ok(p) => view! { <Review p record error kept=(k.get("decision"), k.get("comment")) /> }.into_any(),
                    Err(error) => view! {
                        <Unavailable error what="Review" back_href="/reviews" back_label="Back to trust reviews" />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Review(
    p: ReviewPageView,
    record: ServerAction<RecordReview>,
    error: Signal<Option<crate::error::AppError>>,
    kept: (String, String),
) -> impl IntoView {
    let r = p.row;
    let (kept_decision, kept_comment) = kept;
    let title = format!("Review {} of {}", r.capability, r.agent);
    let choice = move |value: &'static str, label: String, on: bool| {
        on.then(|| {
            let checked = kept_decision == value || (kept_decision.is_empty() && value == "keep");
            view! {
                <label>
                    <input type="radio" name="decision" value=value checked=checked />
                    {label}
                </label>
            }
        })
    };
    let promote = r.tier.promoted();
    let demote = r.tier.demoted();
    view! {
        <Title text=title.clone() />
        <p class="small"><a href="/reviews">"← Trust reviews"</a></p>
        <h1>{title}</h1>
        <section class="panel">
            <p class="review-due">
                <TierBadge tier=r.tier />" "
                {format!("Review due {} — ", r.due)}
                <span class=r.state.class() data-testid="due-state">{r.state.words()}</span>
            </p>
            <p class="muted small">{format!("Cadence: {}.", r.cadence)}</p>
        </section>
        <section class="panel" id="track-record">
            <h2>"Track record"</h2>
            <Scorecard card=p.card />
        </section>
        <section class="panel narrow" id="review-form">
            <h2>"Your review"</h2>
            {if r.revoked {
                view! { <p class="muted">"This grant is revoked: there is nothing to review."</p> }.into_any()
            } else {
                view! {
                    <FormError error />
                    <FieldError error field="grant" />
                    <FieldError error field="tier" />
                    <ActionForm action=record>
                        <input type="hidden" name="grant_id" value=r.grant_id.to_string() />
                        <input type="hidden" name="due_at" value=r.due_at.clone() />
                        <fieldset class="decisions">
                            <legend>"Decision"</legend>
                            {choice("keep", format!("Keep at {}", r.tier.as_str()), true)}
                            {choice("promote", format!("Promote to {}", promote.map(|t| t.as_str()).unwrap_or("")), promote.is_some())}
                            {choice("demote", format!("Demote to {}", demote.map(|t| t.as_str()).unwrap_or("")), demote.is_some())}
                            {choice("revoke", "Revoke the grant".to_owned(), true)}
                        </fieldset>
                        <FieldError error field="decision" />
                        <label for="review-comment">"Comment"</label>
                        <textarea id="review-comment" name="comment" rows="3" required placeholder="What you looked at and why you decided so">{crate::components::form::area_text(kept_comment)}</textarea>
                        <p class="hint">"Promoting a grant that does not meet its criteria needs a comment of at least 20 characters explaining why; it is recorded as an override."</p>
                        <FieldError error field="comment" />
                        <FieldError error field="due_at" />
                        <button type="submit" class="btn btn-primary">"Record review"</button>
                    </ActionForm>
                }.into_any()
            }}
        </section>
    }
}
