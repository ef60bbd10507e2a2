//! What the audit search offers to choose from — the kinds and the decisions or states that
//! the trail holds — and how many records a filter matches, each cheap on a million records.

use crate::error::GovError;
use crate::export::ExportFilter;
use crate::store::Store;
use sea_orm::{FromQueryResult, PaginatorTrait, QuerySelect, Statement};

/// A column of `evidence` whose values the search offers as choices.
#[derive(Clone, Copy, Debug)]
pub enum Facet {
    Kind,
    Outcome,
}

impl Facet {
    fn column(self) -> &'static str {
        match self {
            Facet::Kind => "kind",
            Facet::Outcome => "outcome",
        }
    }
}

/// How many records a count goes up to before it says "more than".
pub const COUNT_UP_TO: u64 = 10_000;

/// A count of matching records, exact up to [`COUNT_UP_TO`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Matches {
    pub count: u64,
    /// There are more than `count`.
    pub more: bool,
}

impl Store {
    /// The distinct values of `facet` in the trail, in order: one index step per value (a loose
    /// index scan written as a recursive query), not a scan of every record.
    pub async fn evidence_values(&self, facet: Facet) -> Result<Vec<String>, GovError> {
        #[derive(FromQueryResult)]
        struct Row {
            v: Option<String>,
        }
        let c = facet.column();
        let sql = format!(
            "WITH RECURSIVE vals(v) AS (SELECT MIN({c}) FROM evidence \
             UNION ALL SELECT (SELECT MIN({c}) FROM evidence WHERE {c} > vals.v) FROM vals WHERE vals.v IS NOT NULL) \
             SELECT v FROM vals WHERE v IS NOT NULL"
        );
        let rows = Row::find_by_statement(Statement::from_string(self.backend(), sql)).all(self.db()).await?;
        Ok(rows.into_iter().filter_map(|r| r.v).filter(|v| !v.is_empty()).collect())
    }

    /// How many records `filter` matches, counting no further than [`COUNT_UP_TO`] + 1.
    pub async fn count_evidence(&self, filter: &ExportFilter) -> Result<Matches, GovError> {
        let q = super::evidence::filtered_for_count(filter, self.backend()).limit(COUNT_UP_TO + 1);
        let n = q.count(self.db()).await?;
        Ok(Matches { count: n.min(COUNT_UP_TO), more: n > COUNT_UP_TO })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_facet_columns_are_the_indexed_ones() {
        assert_eq!(super::Facet::Kind.column(), "kind");
        assert_eq!(super::Facet::Outcome.column(), "outcome");
    }
}
