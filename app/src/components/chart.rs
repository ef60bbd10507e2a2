//! Server-rendered charts (SVG, no JavaScript): a rate week by week with its 95 % interval
//! shaded, each week's dot sized by its cases, and the week the current tier began marked.

use crate::model::{RateCell, WeekPoint};
use leptos::prelude::*;

const W: f64 = 560.0;
const H: f64 = 150.0;
const LEFT: f64 = 36.0;
const RIGHT: f64 = 524.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 122.0;

fn x(i: usize, count: usize) -> f64 {
    if count < 2 { (LEFT + RIGHT) / 2.0 } else { LEFT + (RIGHT - LEFT) * i as f64 / (count - 1) as f64 }
}

fn y(v: f64) -> f64 {
    BOTTOM - (BOTTOM - TOP) * v.clamp(0.0, 1.0)
}

/// Runs of consecutive weeks that have cases, as (index, rate) lists.
fn runs(points: &[WeekPoint]) -> Vec<Vec<(usize, RateCell)>> {
    let mut out: Vec<Vec<(usize, RateCell)>> = Vec::new();
    let mut current = Vec::new();
    for (i, p) in points.iter().enumerate() {
        if p.rate.rate.is_some() {
            current.push((i, p.rate));
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The shaded interval of one run: along the upper bounds, back along the lower ones.
fn band(run: &[(usize, RateCell)], count: usize) -> String {
    let upper = run.iter().map(|(i, r)| format!("{:.1},{:.1}", x(*i, count), y(r.upper.unwrap_or(1.0))));
    let lower = run.iter().rev().map(|(i, r)| format!("{:.1},{:.1}", x(*i, count), y(r.lower.unwrap_or(0.0))));
    upper.chain(lower).collect::<Vec<_>>().join(" ")
}

fn line(run: &[(usize, RateCell)], count: usize) -> String {
    run.iter()
        .map(|(i, r)| format!("{:.1},{:.1}", x(*i, count), y(r.rate.unwrap_or(0.0))))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A dot's radius: larger for more cases (2.5 for one, 6 for a hundred or more).
fn radius(n: u64) -> f64 {
    (2.5 + (n as f64).log10().max(0.0) * 1.75).min(6.0)
}

/// A rate week by week.
#[component]
pub fn TrendChart(points: Vec<WeekPoint>, #[prop(into)] metric: String) -> impl IntoView {
    let count = points.len();
    let empty = points.iter().all(|p| p.rate.n == 0);
    let title = format!("Weekly {metric} rate over the last {count} weeks, with its 95% interval");
    let label = title.clone();
    let runs = runs(&points);
    // A run of two weeks or more is a shaded band; every week with cases also has its interval
    // as a bar (all a single week can show).
    let bands = runs
        .iter()
        .filter(|r| r.len() > 1)
        .map(|r| view! { <polygon class="chart-band" points=band(r, count) /> })
        .collect_view();
    let intervals = runs
        .iter()
        .flatten()
        .map(|(i, r)| {
            let at = format!("{:.1}", x(*i, count));
            view! {
                <line class="chart-interval" x1=at.clone() x2=at y1=format!("{:.1}", y(r.upper.unwrap_or(1.0))) y2=format!("{:.1}", y(r.lower.unwrap_or(0.0))) />
            }
        })
        .collect_view();
    let lines = runs.iter().map(|r| view! { <polyline class="chart-line" points=line(r, count) /> }).collect_view();
    let marks = points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.tier_changed)
        .map(|(i, _)| {
            let at = x(i, count);
            view! {
                <line class="chart-tier" x1=format!("{at:.1}") x2=format!("{at:.1}") y1=TOP.to_string() y2=BOTTOM.to_string() />
                <text class="chart-note" x=format!("{:.1}", at - 4.0) y=(BOTTOM - 4.0).to_string() text-anchor="end">"tier began"</text>
            }
        })
        .collect_view();
    let dots = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.rate.rate.map(|r| (i, p, r)))
        .map(|(i, p, r)| {
            let tip = format!("week of {}: {}", p.label, p.rate.words());
            view! {
                <circle class="chart-dot" cx=format!("{:.1}", x(i, count)) cy=format!("{:.1}", y(r)) r=format!("{:.1}", radius(p.rate.n))>
                    <title>{tip}</title>
                </circle>
            }
        })
        .collect_view();
    let labels = points
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 1 || count < 6)
        .map(|(i, p)| view! { <text class="chart-axis" x=format!("{:.1}", x(i, count)) y=(BOTTOM + 16.0).to_string() text-anchor="middle">{p.label.clone()}</text> })
        .collect_view();
    let grid = [0.0, 0.5, 1.0]
        .into_iter()
        .map(|v| {
            let at = y(v);
            view! {
                <line class="chart-grid" x1=LEFT.to_string() x2=RIGHT.to_string() y1=format!("{at:.1}") y2=format!("{at:.1}") />
                <text class="chart-axis" x=(LEFT - 6.0).to_string() y=format!("{:.1}", at + 4.0) text-anchor="end">{format!("{:.0}%", v * 100.0)}</text>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {W} {H}") role="img" aria-label=label data-testid="trend-chart">
            <title>{title}</title>
            {grid}
            {bands}
            {intervals}
            {lines}
            {marks}
            {dots}
            {labels}
            {empty.then(|| view! { <text class="chart-empty" x=((LEFT + RIGHT) / 2.0).to_string() y=((TOP + BOTTOM) / 2.0).to_string() text-anchor="middle">"No cases in these weeks"</text> })}
        </svg>
    }
}

/// A sparkline's size: small enough for a table cell.
const SPARK_W: f64 = 96.0;
const SPARK_H: f64 = 24.0;
const SPARK_PAD: f64 = 3.0;

/// Where week `i` of `count` sits on a sparkline, and where rate `v` does.
fn spark_xy(i: usize, count: usize, v: f64) -> (f64, f64) {
    let x =
        if count < 2 { SPARK_W / 2.0 } else { SPARK_PAD + (SPARK_W - 2.0 * SPARK_PAD) * i as f64 / (count - 1) as f64 };
    (x, SPARK_H - SPARK_PAD - (SPARK_H - 2.0 * SPARK_PAD) * v.clamp(0.0, 1.0))
}

/// A sparkline dot's radius: a week of one case is a small dot, a week of a hundred a full one.
fn spark_radius(n: u64) -> f64 {
    (1.3 + (n as f64).log10().max(0.0) * 0.6).min(2.5)
}

/// A rate week by week, drawn small: a line through the weeks that had cases, each week's dot
/// sized by its cases, so a few cases never look like many.
#[component]
pub fn Sparkline(weeks: Vec<RateCell>, #[prop(into)] label: String) -> impl IntoView {
    let count = weeks.len();
    let points: Vec<WeekPoint> = weeks
        .iter()
        .map(|r| WeekPoint { label: String::new(), proposals: r.n, rate: *r, tier_changed: false })
        .collect();
    let lines = runs(&points)
        .into_iter()
        .filter(|r| r.len() > 1)
        .map(|r| {
            let at = r
                .iter()
                .map(|(i, c)| {
                    let (x, y) = spark_xy(*i, count, c.rate.unwrap_or(0.0));
                    format!("{x:.1},{y:.1}")
                })
                .collect::<Vec<_>>()
                .join(" ");
            view! { <polyline class="spark-line" points=at /> }
        })
        .collect_view();
    let dots = weeks
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.rate.map(|v| (spark_xy(i, count, v), c.n)))
        .map(|((x, y), n)| {
            view! { <circle class="spark-dot" cx=format!("{x:.1}") cy=format!("{y:.1}") r=format!("{:.1}", spark_radius(n)) /> }
        })
        .collect_view();
    let (_, base) = spark_xy(0, count, 0.0);
    let (_, top) = spark_xy(0, count, 1.0);
    let aria = label.clone();
    view! {
        <svg class="sparkline" viewBox=format!("0 0 {SPARK_W} {SPARK_H}") role="img" aria-label=aria data-testid="sparkline">
            <title>{label}</title>
            <line class="spark-axis" x1="0" x2=SPARK_W.to_string() y1=format!("{base:.1}") y2=format!("{base:.1}") />
            <line class="spark-top" x1="0" x2=SPARK_W.to_string() y1=format!("{top:.1}") y2=format!("{top:.1}") />
            {lines}
            {dots}
        </svg>
    }
}

/// A share as a bar, its lower bound marked: for tables of rates.
#[component]
pub fn RateBar(rate: RateCell) -> impl IntoView {
    let width = rate.rate.unwrap_or(0.0) * 100.0;
    let lower = rate.lower.map(|l| l * 100.0);
    view! {
        <svg class="rate-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
            <rect class="rate-bar-track" x="0" y="0" width="100" height="8" />
            <rect class="rate-bar-fill" x="0" y="0" width=format!("{width:.1}") height="8" />
            {lower.map(|l| view! { <rect class="rate-bar-lower" x=format!("{:.1}", (l - 0.75).max(0.0)) y="0" width="1.5" height="8" /> })}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(rate: Option<f64>, n: u64) -> WeekPoint {
        let cell = RateCell { hits: 0, n, rate, lower: rate.map(|r| r - 0.1), upper: rate.map(|r| r + 0.1) };
        WeekPoint { label: "11-24".into(), proposals: n, rate: cell, tier_changed: false }
    }

    #[test]
    fn empty_weeks_split_the_band() {
        let points = vec![week(Some(0.5), 3), week(None, 0), week(Some(0.9), 10), week(Some(0.8), 10)];
        let r = runs(&points);
        assert_eq!(r.iter().map(Vec::len).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(band(&r[1], 4).split(' ').count(), 4, "up along two upper bounds, back along two lower");
    }

    #[test]
    fn a_sparkline_spans_its_box_and_its_dots_grow_with_cases() {
        assert_eq!(spark_xy(0, 12, 0.0), (SPARK_PAD, SPARK_H - SPARK_PAD));
        assert_eq!(spark_xy(11, 12, 1.0), (SPARK_W - SPARK_PAD, SPARK_PAD));
        assert_eq!(spark_xy(0, 1, 2.0).0, SPARK_W / 2.0, "one week sits in the middle; rates stay inside");
        assert!(spark_radius(1) < spark_radius(20) && spark_radius(20) < spark_radius(1000));
        assert_eq!(spark_radius(100_000), 2.5);
    }

    #[test]
    fn more_cases_draw_a_larger_dot_and_rates_stay_inside_the_plot() {
        assert!(radius(1) < radius(10) && radius(10) < radius(100) && radius(10_000) == 6.0);
        assert_eq!((y(0.0), y(1.0), y(1.7)), (BOTTOM, TOP, TOP));
    }
}
