//! JSON read with every object's keys unique. `{"amount": 5, "amount": 5000}` is refused rather
//! than read as its last value: a reviewer is shown one reading of a body and an executor may
//! use another parser, so a body two parsers can disagree about is never accepted.

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Parses `body` as one JSON value whose objects have unique keys; the error names the first
/// duplicate with its path (`params.amount`).
pub fn parse(body: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = Unique { path: String::new() }.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Reads one value at `path`.
struct Unique {
    path: String,
}

impl<'de> DeserializeSeed<'de> for Unique {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(Unique { path: format!("{}[{}]", self.path, items.len()) })? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() { key.clone() } else { format!("{}.{key}", self.path) };
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate key `{path}`")));
            }
            let value = map.next_value_seed(Unique { path })?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn a_duplicate_key_anywhere_is_refused_with_its_path() {
        assert!(parse(br#"{"a": 1, "b": {"a": 2}, "c": [{"a": 1}, {"a": 2}]}"#).is_ok());
        let top = parse(br#"{"amount": 5, "amount": 5000}"#).unwrap_err().to_string();
        assert!(top.contains("duplicate key `amount`"), "{top}");
        let deep = parse(br#"{"params": {"lines": [{"x": 1, "x": 1}]}}"#).unwrap_err().to_string();
        assert!(deep.contains("duplicate key `params.lines[0].x`"), "{deep}");
    }

    #[test]
    fn numbers_and_text_read_as_serde_json_reads_them() {
        let body = br#"{"i": -5, "u": 18446744073709551615, "f": 40.0, "s": "\u00e9\u0000", "n": null}"#;
        let ours = parse(body).unwrap();
        let theirs: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(ours, theirs);
    }
}
