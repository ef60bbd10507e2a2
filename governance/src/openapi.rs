//! Schemas of the agent API's types that a derive cannot say on its own (feature `openapi`):
//! text Tenure stores holds no U+0000 (neither database may be asked to keep it), any JSON
//! value is described recursively, and string fields checked by the engine list their words.
//! The types themselves derive `utoipa::ToSchema`; their fields point here.

use std::borrow::Cow;
use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// Text without U+0000.
pub const NO_NUL: &str = "^[^\\u0000]*$";
/// Text without U+0000 with at least one character that is not white space.
pub const NAMED: &str = "^[^\\u0000]*\\S[^\\u0000]*$";
/// Longest string inside a JSON value (the body limit bounds it anyway).
const LONGEST_JSON_STRING: usize = 1 << 21;

fn text(max: usize) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String).max_length(Some(max)).pattern(Some(NO_NUL))
}

fn named(max: usize) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(max)).pattern(Some(NAMED))
}

fn words(words: &[&str]) -> Schema {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(words.iter().copied())).into()
}

/// Free text such as reasoning: at most 20 000 characters.
pub fn long_text() -> Schema {
    text(20_000).into()
}

/// A short reference such as a task reference: at most 200 characters.
pub fn short_text() -> Schema {
    text(200).into()
}

/// A capability's name: not blank, at most 100 characters.
pub fn capability_name() -> Schema {
    named(100).description(Some("e.g. finance.refund.issue")).into()
}

/// An idempotency key: null, or not blank and at most 200 characters.
pub fn idempotency_key() -> Schema {
    OneOfBuilder::new().item(ObjectBuilder::new().schema_type(Type::Null)).item(named(200)).into()
}

/// An evidence record's hash: SHA-256 in lower-case hex.
pub fn sha256_hex() -> Schema {
    ObjectBuilder::new().schema_type(Type::String).pattern(Some("^[0-9a-f]{64}$")).into()
}

/// How an execution went.
pub fn execution_status() -> Schema {
    words(&["succeeded", "failed"])
}

/// How a rollback went.
pub fn rollback_status() -> Schema {
    words(&["rolled_back", "failed"])
}

/// A peer's verdict.
pub fn peer_decision() -> Schema {
    words(&["proceed", "decline"])
}

/// Any JSON value whose strings and keys hold no U+0000.
pub struct Json;

impl PartialSchema for Json {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .description(Some("Any JSON value whose strings and keys hold no U+0000"))
            .item(ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::Null, Type::Boolean, Type::Number])))
            .item(text(LONGEST_JSON_STRING))
            .item(ArrayBuilder::new().items(Ref::from_schema_name("Json")))
            .item(Ref::from_schema_name("JsonObject"))
            .into()
    }
}

impl ToSchema for Json {
    fn name() -> Cow<'static, str> {
        "Json".into()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((JsonObject::name().into(), JsonObject::schema()));
    }
}

/// A JSON object whose keys and values hold no U+0000.
pub struct JsonObject;

impl PartialSchema for JsonObject {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property_names(Some(text(usize::MAX).max_length(None)))
            .additional_properties(Some(Ref::from_schema_name("Json")))
            .into()
    }
}

impl ToSchema for JsonObject {
    fn name() -> Cow<'static, str> {
        "JsonObject".into()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((Json::name().into(), Json::schema()));
    }
}
