//! Canonical JSON: the same value always gives the same text, whatever order its keys came
//! in (and whether or not serde_json keeps insertion order). Hashes are taken over this text.

use serde_json::Value;

/// RFC 8785 (the JSON Canonicalization Scheme): keys sorted by UTF-16 code units, numbers as
/// ECMAScript writes them (`40.0` and `40` are one number, `4e1` too), minimal string escapes.
/// What approvals and idempotency keys bind to, so that the same action reported with `40.0`
/// is the action approved with `40`.
pub fn jcs(v: &Value) -> String {
    // A serde_json value holds no NaN or infinity, the only values JCS refuses.
    serde_json_canonicalizer::to_string(v).unwrap_or_else(|_| canonical_json(v))
}

/// JSON with object keys sorted at every level, compact: equal values give equal text.
///
/// Written straight from the value (keys sorted by reference, nothing cloned); the text is
/// what serde_json's compact output of the key-sorted value would be.
pub fn canonical_json(v: &Value) -> String {
    let mut out = Vec::with_capacity(128);
    write(v, &mut out);
    // serde_json writes UTF-8 and the punctuation added here is ASCII.
    String::from_utf8(out).unwrap_or_default()
}

fn write(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                compact(k, out);
                out.push(b':');
                write(v, out);
            }
            out.push(b'}');
        }
        Value::Array(a) => {
            out.push(b'[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(v, out);
            }
            out.push(b']');
        }
        other => compact(other, out),
    }
}

/// A string or scalar in serde_json's compact form (writing into a Vec cannot fail).
fn compact<T: serde::Serialize + ?Sized>(v: &T, out: &mut Vec<u8>) {
    let _ = serde_json::to_writer(out, v);
}

#[cfg(test)]
mod tests {
    use super::canonical_json;
    use proptest::prelude::*;
    use serde_json::{Value, json};
    use std::collections::BTreeMap;

    /// The definition: sort every object's keys, then serde_json's compact text.
    fn reference(v: &Value) -> String {
        fn sorted(v: &Value) -> Value {
            match v {
                Value::Object(m) => {
                    let ordered: BTreeMap<&String, Value> = m.iter().map(|(k, v)| (k, sorted(v))).collect();
                    Value::Object(ordered.into_iter().map(|(k, v)| (k.clone(), v)).collect())
                }
                Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
                other => other.clone(),
            }
        }
        sorted(v).to_string()
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
            "\\PC{0,12}".prop_map(Value::String),
            "[\"\\\\\n\t\u{1}é😀a-z]{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(("[a-zA-Z_\"é]{0,5}", inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    #[test]
    fn keys_are_sorted_at_every_level_and_the_text_is_compact() {
        let v = json!({"b": [{"z": 1, "a": "x\"y"}], "a": null, "c": {"y": 1.5, "x": true}});
        assert_eq!(canonical_json(&v), r#"{"a":null,"b":[{"a":"x\"y","z":1}],"c":{"x":true,"y":1.5}}"#);
    }

    proptest! {
        #[test]
        fn the_text_is_the_key_sorted_compact_json(v in value()) {
            prop_assert_eq!(canonical_json(&v), reference(&v));
        }
    }
}
