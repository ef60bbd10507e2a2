//! Scheduled trust reviews: `/reviews` lists the grants overdue and due in the next two weeks
//! (most overdue first), those further ahead (paged) and the reviews recorded lately;
//! `/reviews/:grant` opens one grant's record and records keep, promote, demote or
//! revoke with a comment, which sets its next due date.

use crate::api::auth::kept_form;
use crate::api::reviews::{RecordReview, review_page, reviews_overview};
use crate::components::action::TierBadge;
use crate::components::form::{FieldError, FormError, action_error};
use crate::components::layout::Unavailable;
use crate::components::pager::{BY_DATE, pager};
use crate::model::{RecordedRow, ReviewPageView, ReviewRow, ReviewsView, UPCOMING_PAGE};
use crate::pages::agent_track_record::Scorecard;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/reviews` (managers and admins).
#[component]
pub fn ReviewsPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || query.read().get("page").and_then(|v| v.parse::<usize>().ok());
    let data = Resource::new(page, reviews_overview);
    view! {
        <Title text="Trust reviews" />
        <h1>"Trust reviews"</h1>
        <p class="muted">"Every grant is reviewed again at the cadence its template sets for its tier. A review looks at the grant's record and keeps, promotes, demotes or revokes it."</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <Overview v /> }.into_any(),
                    Err(e) => view! { <div class="alert alert-error">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Overview(v: ReviewsView) -> impl IntoView {
    let counts = format!(
        "{} overdue · {} due in the next two weeks · {} later · {} recorded lately",
        v.overdue.len(),
        v.due_soon.len(),
        v.upcoming.total,
        v.recent.len()
    );
    let nav = pager(v.upcoming.page, v.upcoming.total, UPCOMING_PAGE, BY_DATE, |n| {
        format!("/reviews?page={n}#reviews-upcoming")
    });
    view! {
        <p class="small" data-testid="due-counts">{counts}</p>
        <section class="panel" id="reviews-late">
            <h2>"Overdue"</h2>
            {if v.overdue.is_empty() {
                view! { <p class="muted" data-testid="none-overdue">"No review is overdue."</p> }.into_any()
            } else {
                view! { <DueTable rows=v.overdue id="overdue-table" /> }.into_any()
            }}
        </section>
        <section class="panel" id="reviews-due">
            <h2>"Due in the next two weeks"</h2>
            {if v.due_soon.is_empty() {
                view! { <p class="muted" data-testid="none-due">"No review is due in the next two weeks."</p> }.into_any()
            } else {
                view! { <DueTable rows=v.due_soon id="reviews-table" /> }.into_any()
            }}
        </section>
        <section class="panel" id="reviews-upcoming">
            <h2>"Later"</h2>
            {if v.upcoming.rows.is_empty() {
                view! { <p class="muted">"No other grant to review."</p> }.into_any()
            } else {
                view! { <DueTable rows=v.upcoming.rows id="upcoming-table" />{nav} }.into_any()
            }}
        </section>
        <section class="panel" id="reviews-recent">
            <h2>"Recorded lately"</h2>
            {if v.recent.is_empty() {
                view! { <p class="muted">"No review has been recorded yet."</p> }.into_any()
            } else {
                view! { <RecentTable rows=v.recent /> }.into_any()
            }}
        </section>
    }
}

#[component]
fn RecentTable(rows: Vec<RecordedRow>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table stack" id="recent-reviews">
                <thead><tr><th>"When"</th><th>"Agent"</th><th>"Capability"</th><th>"Decision"</th><th>"By"</th><th>"Comment"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr data-recorded=r.seq.to_string()>
                            <td class="nowrap card-inline" data-label="When"><a href=format!("/audit/records/{}", r.seq)>{r.when}</a></td>
                            <td class="card-title"><a href=format!("/agents/{}", r.agent_id)><strong>{r.agent}</strong></a></td>
                            <td data-label="Capability"><a href=format!("/reviews/{}", r.grant_id)><code>{r.capability}</code></a></td>
                            <td data-label="Decision"><strong>{r.decision}</strong><div class="muted small">{r.tier}</div></td>
                            <td class="card-inline" data-label="By">{r.reviewer}</td>
                            <td class="small clip-wrap" data-label="Comment">{r.comment}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn DueTable(rows: Vec<ReviewRow>, id: &'static str) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table stack" id=id>
                <thead><tr><th>"Agent"</th><th>"Capability"</th><th>"Tier"</th><th>"Due"</th><th>"Cadence"</th><th></th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr data-review=format!("{}:{}", r.agent, r.capability)>
                            <td class="card-title"><a href=format!("/agents/{}", r.agent_id)><strong>{r.agent.clone()}</strong></a></td>
                            <td data-label="Capability"><code>{r.capability.clone()}</code></td>
                            <td class="card-inline" data-label="Tier"><TierBadge tier=r.tier /></td>
                            <td class="nowrap card-inline" data-label="Due">{r.due.clone()}<div><span class=r.state.class()>{r.state.words()}</span></div></td>
                            <td class="small" data-label="Cadence">{r.cadence.clone()}</td>
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
