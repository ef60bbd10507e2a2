//! The chart on an alert's page (SVG, no JavaScript): the detector's series day by day over
//! the baseline and the recent window, the baseline as a dashed line, the recent window
//! shaded, each day's dot sized by its cases and the recent days — the ones that fired — in the
//! alert colour.

use crate::model::{SeriesPoint, SeriesView};
use leptos::prelude::*;

const W: f64 = 560.0;
const H: f64 = 160.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 548.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 128.0;

/// A day's value: its rate (none without cases) or its count.
fn value(p: &SeriesPoint, is_rate: bool) -> Option<f64> {
    if is_rate { (p.n > 0).then(|| p.k as f64 / p.n as f64) } else { Some(p.n as f64) }
}

/// The top of the y axis: a round figure above the largest value and the baseline.
fn ceiling(s: &SeriesView) -> f64 {
    let top = s.points.iter().filter_map(|p| value(p, s.is_rate)).fold(s.baseline, f64::max);
    if s.is_rate {
        [0.05, 0.1, 0.25, 0.5, 1.0].into_iter().find(|c| top <= *c).unwrap_or(1.0)
    } else {
        let mut c = 5.0;
        while c < top {
            c *= 2.0;
        }
        c
    }
}

fn x(i: usize, count: usize) -> f64 {
    if count < 2 { (LEFT + RIGHT) / 2.0 } else { LEFT + (RIGHT - LEFT) * i as f64 / (count - 1) as f64 }
}

fn y(v: f64, top: f64) -> f64 {
    BOTTOM - (BOTTOM - TOP) * (v / top).clamp(0.0, 1.0)
}

/// A dot's radius: larger for more cases (2 for one, 6 for a hundred or more).
fn radius(n: u64) -> f64 {
    (2.0 + (n as f64).log10().max(0.0) * 2.0).min(6.0)
}

fn axis_label(v: f64, is_rate: bool) -> String {
    if is_rate { format!("{:.0}%", v * 100.0) } else { format!("{v:.0}") }
}

/// A detector's series with the days that fired marked.
#[component]
pub fn AlertChart(series: SeriesView) -> impl IntoView {
    let count = series.points.len();
    let top = ceiling(&series);
    let title = format!(
        "{} per day over {count} days; dashed: {} ({}); shaded: the recent window that was judged",
        series.metric,
        series.line,
        axis_label(series.baseline, series.is_rate)
    );
    let first_recent = series.points.iter().position(|p| p.recent).unwrap_or(count);
    let shade_from = if first_recent < count { x(first_recent, count) - 6.0 } else { RIGHT };
    let base_y = format!("{:.1}", y(series.baseline, top));
    let dots = series
        .points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.n > 0)
        .filter_map(|(i, p)| value(p, series.is_rate).map(|v| (i, p, v)))
        .map(|(i, p, v)| {
            let tip = if series.is_rate {
                format!("{}: {} of {} ({:.0}%)", p.label, p.k, p.n, v * 100.0)
            } else {
                format!("{}: {} proposals", p.label, p.n)
            };
            let class = if p.recent { "chart-dot fired" } else { "chart-dot" };
            view! {
                <circle class=class cx=format!("{:.1}", x(i, count)) cy=format!("{:.1}", y(v, top)) r=format!("{:.1}", radius(p.n))>
                    <title>{tip}</title>
                </circle>
            }
        })
        .collect_view();
    let labels = series
        .points
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 5 == 0 || *i + 1 == count)
        .map(|(i, p)| {
            // The last label ends at its day, so it stays inside the picture.
            let anchor = if i + 1 == count { "end" } else { "middle" };
            view! { <text class="chart-axis" x=format!("{:.1}", x(i, count)) y=(BOTTOM + 16.0).to_string() text-anchor=anchor>{p.label.clone()}</text> }
        })
        .collect_view();
    let grid = [0.0, 0.5, 1.0]
        .into_iter()
        .map(|f| {
            let at = y(f * top, top);
            view! {
                <line class="chart-grid" x1=LEFT.to_string() x2=RIGHT.to_string() y1=format!("{at:.1}") y2=format!("{at:.1}") />
                <text class="chart-axis" x=(LEFT - 6.0).to_string() y=format!("{:.1}", at + 4.0) text-anchor="end">{axis_label(f * top, series.is_rate)}</text>
            }
        })
        .collect_view();
    let label = title.clone();
    let what = if series.is_rate { "a day's rate; the larger the dot, the more cases" } else { "a day's proposals" };
    let baseline = format!("{} ({})", series.line, axis_label(series.baseline, series.is_rate));
    view! {
        <figure class="alert-chart">
        <svg class="chart" viewBox=format!("0 0 {W} {H}") role="img" aria-label=label data-testid="alert-chart">
            <title>{title}</title>
            <rect class="chart-recent" x=format!("{shade_from:.1}") y=TOP.to_string() width=format!("{:.1}", (RIGHT + 6.0 - shade_from).max(0.0)) height=(BOTTOM - TOP).to_string() />
            {grid}
            <line class="chart-baseline" x1=LEFT.to_string() x2=RIGHT.to_string() y1=base_y.clone() y2=base_y />
            {dots}
            {labels}
        </svg>
        <ul class="chart-legend" data-testid="chart-legend">
            <li><svg viewBox="0 0 14 14" aria-hidden="true"><circle class="chart-dot" cx="7" cy="7" r="4" /></svg>{what}</li>
            <li><svg viewBox="0 0 14 14" aria-hidden="true"><circle class="chart-dot fired" cx="7" cy="7" r="4" /></svg>"the recent days that were judged"</li>
            <li><svg viewBox="0 0 14 14" aria-hidden="true"><rect class="chart-recent" x="0" y="1" width="14" height="12" /></svg>"the recent window"</li>
            <li><svg viewBox="0 0 22 14" class="wide" aria-hidden="true"><line class="chart-baseline" x1="0" x2="22" y1="7" y2="7" /></svg>{baseline}</li>
        </ul>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(points: Vec<(u64, u64)>, is_rate: bool, baseline: f64) -> SeriesView {
        let count = points.len();
        SeriesView {
            points: points
                .into_iter()
                .enumerate()
                .map(|(i, (k, n))| SeriesPoint { label: format!("d{i}"), k, n, recent: i + 2 >= count })
                .collect(),
            is_rate,
            baseline,
            line: "the baseline".into(),
            metric: "rejected of decided".into(),
        }
    }

    #[test]
    fn the_axis_rises_to_a_round_figure_above_the_highest_day() {
        assert_eq!(ceiling(&view(vec![(1, 40), (2, 40), (14, 20)], true, 0.05)), 1.0, "0.70 needs the full scale");
        assert_eq!(ceiling(&view(vec![(1, 40), (3, 40)], true, 0.03)), 0.1);
        assert_eq!(ceiling(&view(vec![(0, 3), (0, 4)], false, 3.5)), 5.0);
        assert_eq!(ceiling(&view(vec![(0, 3), (0, 90)], false, 3.5)), 160.0);
    }

    #[test]
    fn days_without_cases_have_no_rate_and_dots_grow_with_cases() {
        let s = view(vec![(0, 0), (2, 10)], true, 0.1);
        assert_eq!(value(&s.points[0], true), None);
        assert_eq!(value(&s.points[1], true), Some(0.2));
        assert!(radius(1) < radius(10) && radius(10) < radius(100));
        assert_eq!(radius(10_000), 6.0);
        assert!(y(0.0, 1.0) > y(1.0, 1.0), "higher values are drawn higher");
    }
}
