//! Audit search words, as pure rules: several words match records containing all of them, in
//! any order; text in double quotes matches as a phrase. The one parse feeds both databases'
//! full-text syntax, each term quoted, so they cannot read the same search differently (an
//! unquoted `or` or `-x` is an operator to PostgreSQL's web search, a word here).

/// The terms of `text`: each a word, or a quoted phrase of several words; empty when there
/// is nothing to search for. An unclosed quote runs to the end.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, part) in text.split('"').enumerate() {
        if i % 2 == 1 {
            // Inside quotes: one phrase of its words.
            let phrase = part.split_whitespace().collect::<Vec<_>>().join(" ");
            if !phrase.is_empty() {
                out.push(phrase);
            }
        } else {
            out.extend(part.split_whitespace().map(str::to_owned));
        }
    }
    out
}

/// The terms as an SQLite FTS5 query: every term a quoted string (all must match).
pub fn fts5_query(terms: &[String]) -> String {
    terms.iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect::<Vec<_>>().join(" ")
}

/// The terms as a PostgreSQL `websearch_to_tsquery` text: every term quoted (all must match,
/// each quoted one as a phrase, none read as an operator).
pub fn websearch_query(terms: &[String]) -> String {
    terms.iter().map(|t| format!("\"{}\"", t.replace('"', " "))).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_all_required_and_quotes_make_a_phrase() {
        assert_eq!(terms("refund  charged"), ["refund", "charged"]);
        assert_eq!(terms(r#"refund "charged twice" EUR"#), ["refund", "charged twice", "EUR"]);
        assert_eq!(terms(r#""unclosed phrase"#), ["unclosed phrase"]);
        assert_eq!(terms(r#" "" "#), Vec::<String>::new());
        assert_eq!(terms("cats or -dogs"), ["cats", "or", "-dogs"], "operators are words");
        let t = terms(r#"refund "charged twice""#);
        assert_eq!(fts5_query(&t), r#""refund" "charged twice""#);
        assert_eq!(websearch_query(&t), r#""refund" "charged twice""#);
    }
}
