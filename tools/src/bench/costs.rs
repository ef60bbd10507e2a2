//! The bench's account of what keeping the scorecard counts and running the monitoring job
//! cost a decision: paired differences per round, the writer's time per decision, and where
//! the monitoring passes spent their time.

use super::{ROUNDS, Row, Variant};

/// The median of `values` (none when empty).
pub(super) fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(|a, b| a.total_cmp(b));
    values.get(values.len() / 2).copied()
}

/// What the scorecard counts and the monitoring job cost a decision, per database and clients:
/// the median over the rounds of each variant's rate against the as-Tenure-runs rate of the
/// same round (paired, so a machine that speeds up or slows down between rounds cancels out);
/// the decision writer's transaction time per decision with counting against without (paired
/// the same way); and the share of the monitored run's time the monitoring job spent in passes.
pub(super) fn costs(runs: &[Row], postgres: bool) -> String {
    let mut out = String::from(
        "| database | clients | as Tenure runs /s | no scorecard counts | monitor every 1 s | writer time per decision, counting | monitoring passes, of the time |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    let databases: &[&str] = if postgres { &["SQLite", "PostgreSQL"] } else { &["SQLite"] };
    let percent = |d: Option<f64>, signed: bool| match d {
        Some(d) if signed => format!("{:+.1} %", d * 100.0),
        Some(d) => format!("{:.1} %", d * 100.0),
        None => "–".to_owned(),
    };
    for db in databases {
        for clients in [1, 16, 64] {
            let of = |variant: Variant, round: usize| {
                let target = format!("decisions, {db}{}", variant.suffix());
                runs.iter().find(|r| r.target == target && r.clients == clients && r.round == round)
            };
            let paired = |variant: Variant, measure: fn(&Row) -> Option<f64>| {
                median(
                    (0..ROUNDS)
                        .filter_map(|round| {
                            Some(measure(of(variant, round)?)? / measure(of(Variant::AsRuns, round)?)? - 1.0)
                        })
                        .collect(),
                )
            };
            let rate = |r: &Row| Some(r.per_sec);
            let writer_per_decision =
                |r: &Row| (r.requests > 0 && r.writer_ms > 0.0).then(|| r.writer_ms / r.requests as f64);
            let base = median((0..ROUNDS).filter_map(|r| of(Variant::AsRuns, r).map(|x| x.per_sec)).collect());
            // Without counts against with, turned round: what counting adds to the writer's time.
            let counting = paired(Variant::NoCounts, writer_per_decision).map(|d| 1.0 / (1.0 + d) - 1.0);
            let monitoring = median(
                (0..ROUNDS)
                    .filter_map(|r| of(Variant::Monitored, r))
                    .filter(|r| r.elapsed_ms > 0.0)
                    .map(|r| r.monitor_ms / r.elapsed_ms)
                    .collect(),
            );
            out.push_str(&format!(
                "| {db} | {clients} | {} | {} | {} | {} | {} |\n",
                base.map_or("–".to_owned(), |b| format!("{b:.0}")),
                percent(paired(Variant::NoCounts, rate), true),
                percent(paired(Variant::Monitored, rate), true),
                percent(counting, true),
                percent(monitoring, false),
            ));
        }
    }
    out
}

/// Where the monitoring job's passes spent their time in the monitored runs: each phase's share
/// of the measured time, the median over the rounds.
pub(super) fn phases(runs: &[Row], postgres: bool) -> String {
    use governance::service::busy::PHASES;
    let mut out =
        format!("| database | clients | {} |\n| --- | ---: |{}\n", PHASES.join(" | "), " ---: |".repeat(PHASES.len()));
    let databases: &[&str] = if postgres { &["SQLite", "PostgreSQL"] } else { &["SQLite"] };
    for db in databases {
        for clients in [1, 16, 64] {
            let target = format!("decisions, {db}{}", Variant::Monitored.suffix());
            let mine: Vec<&Row> =
                runs.iter().filter(|r| r.target == target && r.clients == clients && r.elapsed_ms > 0.0).collect();
            let shares: Vec<String> = (0..PHASES.len())
                .map(|i| {
                    median(mine.iter().map(|r| r.phases_ms[i] / r.elapsed_ms).collect())
                        .map_or("–".to_owned(), |s| format!("{:.1} %", s * 100.0))
                })
                .collect();
            out.push_str(&format!("| {db} | {clients} | {} |\n", shares.join(" | ")));
        }
    }
    out
}
