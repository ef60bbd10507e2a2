//! What text Tenure stores: the one rule both databases can keep. PostgreSQL cannot store
//! U+0000 (NUL) in text or JSON, while SQLite can; so that the two answer the same, NUL is
//! refused everywhere before anything is queued, naming the field (and, inside JSON, the
//! path to the value: `params.note`, `inputs.lines[2]`).

use serde_json::Value;

/// Why a text is refused.
pub const NUL_MESSAGE: &str = "contains the character U+0000 (NUL), which Tenure does not store";

/// Refuses `text` if it holds a NUL; `field` names it in the error.
pub fn storable(field: &'static str, text: &str) -> Result<(), (&'static str, String)> {
    if text.contains('\0') { Err((field, format!("{field} {NUL_MESSAGE}"))) } else { Ok(()) }
}

/// Refuses a JSON value any of whose strings or keys holds a NUL, naming the path to it.
pub fn storable_json(field: &'static str, value: &Value) -> Result<(), (&'static str, String)> {
    match nul_path(value) {
        Some(path) => Err((field, format!("{field}{path} {NUL_MESSAGE}"))),
        None => Ok(()),
    }
}

/// The path (`.a.b[3]`) to the first string or key in `value` that holds a NUL.
pub fn nul_path(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => s.contains('\0').then(String::new),
        Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, v)| nul_path(v).map(|rest| format!("[{i}]{rest}")))
        }
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                Some(format!(".{}", k.replace('\0', "\\u0000")))
            } else {
                nul_path(v).map(|rest| format!(".{k}{rest}"))
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_nul_anywhere_is_refused_with_its_path() {
        assert!(storable("reasoning", "fine, with ünïcode and \u{1F600}").is_ok());
        assert_eq!(storable("reasoning", "a\0b").unwrap_err().0, "reasoning");
        assert!(storable_json("params", &json!({"a": [1, "x", {"b": null}]})).is_ok());
        let (field, message) = storable_json("params", &json!({"a": [1, "x", {"b": "c\u{0}"}]})).unwrap_err();
        assert_eq!(field, "params");
        assert!(message.starts_with("params.a[2].b contains"), "{message}");
        let (_, message) = storable_json("inputs", &json!({"k\u{0}": 1})).unwrap_err();
        assert!(message.starts_with("inputs.k\\u0000 contains"), "{message}");
    }
}
