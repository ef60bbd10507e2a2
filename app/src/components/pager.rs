//! Links between the pages of a long list, with where the reader is ("51–100 of 1,134").

use crate::model::pages;
use leptos::prelude::*;

/// Words on the two links: `("← Newer", "Older →")` for lists newest first.
pub type PagerWords = (&'static str, &'static str);

/// Names in order (agents, people).
pub const BY_NAME: PagerWords = ("← Previous", "Next →");

/// Soonest first (reviews due).
pub const BY_DATE: PagerWords = ("← Sooner", "Later →");

/// Newest first (actions).
pub const BY_TIME: PagerWords = ("← Newer", "Older →");

/// The pager of a list of `total` rows shown `per_page` at a time, or nothing when one page
/// holds them all. `href` gives the address of page n.
pub fn pager(
    page: usize,
    total: usize,
    per_page: usize,
    words: PagerWords,
    href: impl Fn(usize) -> String,
) -> Option<impl IntoView> {
    let last = pages(total, per_page);
    (last > 1).then(|| {
        let prev = (page > 1).then(|| href(page - 1));
        let next = (page < last).then(|| href(page + 1));
        let first = (page - 1) * per_page + 1;
        let shown = format!("{first}–{} of {total} · page {page} of {last}", (page * per_page).min(total));
        view! {
            <nav class="pager" aria-label="Pages">
                {prev.map(|h| view! { <a class="btn btn-small" href=h rel="prev">{words.0}</a> })}
                <span class="muted">{shown}</span>
                {next.map(|h| view! { <a class="btn btn-small" href=h rel="next">{words.1}</a> })}
            </nav>
        }
    })
}
