//! A step's criteria as a person writes them in the template editor, one item per `;` or
//! line: `samples >= 200; lower_bound >= 0.95; reviewers >= 2; patterns >= 20; days >= 14;
//! rollback_rate <= 0.05; failure_rate <= 0.05; failed_rollbacks <= 0; no_open_alert`.
//! An item left out does not count (a minimum of 0, no maximum); an empty text means the
//! shipped default for the step.

use crate::reliability::criteria::StepCriteria;
use vocab::Tier;

/// Names the text accepts, with the comparison each takes.
const ITEMS: [(&str, &str); 8] = [
    ("samples", ">="),
    ("lower_bound", ">="),
    ("reviewers", ">="),
    ("patterns", ">="),
    ("days", ">="),
    ("rollback_rate", "<="),
    ("failure_rate", "<="),
    ("failed_rollbacks", "<="),
];

fn whole(name: &str, v: f64) -> Result<u64, String> {
    if v.fract() == 0.0 && (0.0..=1e12).contains(&v) {
        Ok(v as u64)
    } else {
        Err(format!("{name} needs a whole number, not {v}"))
    }
}

/// Reads the criteria of the step to `to`; an error says which item is wrong and why.
pub fn parse_step(text: &str, to: Tier) -> Result<StepCriteria, String> {
    if text.trim().is_empty() {
        return StepCriteria::default_for(to).ok_or_else(|| "there is no step to observer".to_owned());
    }
    let mut c = StepCriteria {
        min_samples: 0,
        min_lower_bound: 0.0,
        min_reviewers: 0,
        min_patterns: 0,
        min_days: 0,
        max_rollback_rate: None,
        max_failure_rate: None,
        max_failed_rollbacks: None,
        no_open_alert: false,
    };
    let mut seen = Vec::new();
    for item in text.split([';', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
        if item == "no_open_alert" {
            c.no_open_alert = true;
            continue;
        }
        let Some((name, op)) =
            ITEMS.iter().find(|(n, op)| item.strip_prefix(n).is_some_and(|rest| rest.trim_start().starts_with(op)))
        else {
            let known: Vec<String> = ITEMS.iter().map(|(n, op)| format!("{n} {op} …")).collect();
            return Err(format!("'{item}' is not one of {}, no_open_alert", known.join(", ")));
        };
        if seen.contains(name) {
            return Err(format!("{name} is given twice"));
        }
        seen.push(*name);
        let raw = item[name.len()..].trim_start()[op.len()..].trim();
        let v: f64 = raw.parse().map_err(|_| format!("'{raw}' is not a number in '{item}'"))?;
        if !v.is_finite() {
            return Err(format!("'{item}' needs a finite number"));
        }
        match *name {
            "samples" => c.min_samples = whole(name, v)?,
            "lower_bound" => c.min_lower_bound = v,
            "reviewers" => c.min_reviewers = whole(name, v)?,
            "patterns" => c.min_patterns = whole(name, v)?,
            "days" => c.min_days = whole(name, v)?,
            "rollback_rate" => c.max_rollback_rate = Some(v),
            "failure_rate" => c.max_failure_rate = Some(v),
            _ => c.max_failed_rollbacks = Some(whole(name, v)?),
        }
    }
    c.validate().map_err(|(field, message)| format!("{field} {message}"))?;
    Ok(c)
}

/// Shows criteria the way [`parse_step`] reads them.
pub fn show_step(c: &StepCriteria) -> String {
    let mut out = vec![
        format!("samples >= {}", c.min_samples),
        format!("lower_bound >= {}", c.min_lower_bound),
        format!("reviewers >= {}", c.min_reviewers),
        format!("patterns >= {}", c.min_patterns),
        format!("days >= {}", c.min_days),
    ];
    if let Some(v) = c.max_rollback_rate {
        out.push(format!("rollback_rate <= {v}"));
    }
    if let Some(v) = c.max_failure_rate {
        out.push(format!("failure_rate <= {v}"));
    }
    if let Some(v) = c.max_failed_rollbacks {
        out.push(format!("failed_rollbacks <= {v}"));
    }
    if c.no_open_alert {
        out.push("no_open_alert".into());
    }
    out.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_defaults_read_back_as_they_show() {
        for to in [Tier::Contributor, Tier::Executor] {
            let d = StepCriteria::default_for(to).unwrap();
            assert_eq!(parse_step(&show_step(&d), to), Ok(d.clone()));
            assert_eq!(parse_step("  ", to), Ok(d), "empty means the default");
        }
    }

    #[test]
    fn items_left_out_do_not_count() {
        let c = parse_step("samples >= 30\nlower_bound>=0.8", Tier::Contributor).unwrap();
        assert_eq!((c.min_samples, c.min_lower_bound, c.min_reviewers, c.min_days), (30, 0.8, 0, 0));
        assert_eq!((c.max_rollback_rate, c.no_open_alert), (None, false));
    }

    #[test]
    fn mistakes_say_which_item_and_why() {
        let err = |t: &str| parse_step(t, Tier::Executor).unwrap_err();
        assert!(err("samples >= many").contains("'many' is not a number"), "{}", err("samples >= many"));
        assert!(err("samples <= 5").contains("is not one of"));
        assert!(err("speed >= 5").contains("'speed >= 5' is not one of"));
        assert!(err("days >= 1.5").contains("days needs a whole number"));
        assert!(err("lower_bound >= 1.5").contains("min_lower_bound must be between 0 and 1"));
        assert!(err("days >= 3; days >= 4").contains("days is given twice"));
        assert!(err("lower_bound >= 0.9").contains("needs at least one case"));
        assert!(err("samples >= NaN").contains("finite"));
    }
}
