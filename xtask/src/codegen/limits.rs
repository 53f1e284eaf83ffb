//! `zaia-ext/src/validate/generated.rs`: every documented limit of what a client sends (query
//! parameters and request bodies, nested fields included), as data that zaia-ext's
//! `validate` module checks before a request leaves.
//!
//! The limits are read from the merged spec, where they are documented; the generators never
//! see them (see [`super::codegen_spec`]). A valid constraint the checker cannot express (a
//! vendor's own format, `multipleOf`, a limit inside a union) is left to the server and named
//! in a `note:` (fragment, JSON pointer, reason), never skipped silently; a malformed one (a
//! length that is not a number) is an error.

use quote::quote;
use serde_json::{Value, json};

use super::format_file;
use crate::document::{operations, source_of};
use crate::error::{Error, Result, escape_pointer_token};

/// One checked field, as the generator sees it.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FieldLimits {
    /// The field as messages name it: `content`, `items[].name`, `pageSize`.
    pub name: String,
    /// Where it is in a body (empty for a query parameter).
    pub steps: Vec<Step>,
    pub required: bool,
    pub nullable: bool,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<(f64, bool)>,
    pub maximum: Option<(f64, bool)>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub pattern: Option<String>,
    pub allowed: Vec<String>,
    pub uri: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Key(String),
    Each,
}

impl FieldLimits {
    /// Whether there is anything to check: required, or any limit (a field that is only named,
    /// placed and perhaps nullable checks nothing).
    fn checks_something(&self) -> bool {
        let bare = FieldLimits { name: self.name.clone(), steps: self.steps.clone(), nullable: self.nullable, ..FieldLimits::default() };
        *self != bare
    }
}

/// The limits of one operation.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct OperationLimits {
    pub id: String,
    pub query: Vec<FieldLimits>,
    /// Header parameters (the key's header is not one: normalise made it a security scheme).
    pub header: Vec<FieldLimits>,
    pub body: Vec<FieldLimits>,
    /// The component the JSON body is (`CreateChatMessageRequest`), if it is one.
    pub body_schema: Option<String>,
}

/// Formats whose values the generated types already guarantee (a `Uuid` always prints as a
/// UUID): nothing to check at run time.
const TYPED_FORMATS: &[&str] = &["uuid", "date-time", "date", "int32", "int64", "float", "double", "byte", "binary", "password"];

/// Keywords that say nothing a client must check (documentation, defaults, types the
/// generated code already enforces).
const NOT_LIMITS: &[&str] = &[
    "type",
    "description",
    "title",
    "default",
    "example",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "properties",
    "items",
    "required",
    "nullable",
    "$ref",
    "allOf",
    "oneOf",
    "anyOf",
    "additionalProperties",
    "externalDocs",
    "xml",
    "discriminator",
];

/// Every operation's limits, in the spec's order.
/// `spec` is the merged spec (operation ids, the body's component); `per_operation` the same
/// before hoisting, where each operation has its own copies of its schemas: its limits are read
/// there, so that a type two operations share does not loosen either one's checks.
#[cfg(test)]
pub fn collect(spec: &Value, per_operation: &Value) -> Result<Vec<OperationLimits>> {
    Ok(collect_noting(spec, per_operation)?.0)
}

/// [`collect`], and the notes on what is left to the server (one per place in the spec).
pub fn collect_noting(spec: &Value, per_operation: &Value) -> Result<(Vec<OperationLimits>, Vec<String>)> {
    let unchecked = std::cell::RefCell::new(Vec::new());
    let mut all = Vec::new();
    for (path, method, merged_op) in operations(spec) {
        let id = merged_op["operationId"].as_str().unwrap_or_default().to_string();
        let op_pointer = format!("/paths/{}/{method}", escape_pointer_token(&path));
        let (op, own) = match per_operation.pointer(&op_pointer) {
            Some(own_op) => (own_op, per_operation),
            None => (merged_op, spec),
        };
        let walker = Walker { spec: own, file: source_of(op), unchecked: &unchecked };
        let mut limits = OperationLimits { id, ..Default::default() };
        for (i, param) in op.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let out = match param.get("in").and_then(Value::as_str) {
                Some("query") => &mut limits.query,
                Some("header") => &mut limits.header,
                _ => continue,
            };
            let name = param.get("name").and_then(Value::as_str).unwrap_or_default();
            let pointer = format!("{op_pointer}/parameters/{i}/schema");
            let Some(schema) = param.get("schema") else { continue };
            let required = param.get("required").and_then(Value::as_bool).unwrap_or(false);
            walker.query_parameter(name, schema, &pointer, required, out)?;
        }
        if let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") {
            let pointer = format!("{op_pointer}/requestBody/content/application~1json/schema");
            limits.body_schema = merged_op
                .pointer("/requestBody/content/application~1json/schema/$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .map(String::from);
            walker.body(schema, &pointer, Vec::new(), String::new(), true, &mut Vec::new(), &mut limits.body)?;
        }
        all.push(limits);
    }
    // a component's limit is met once per operation that reaches it: noted once
    let mut seen = std::collections::BTreeSet::new();
    let notes = unchecked.into_inner().into_iter().filter(|(at, _)| seen.insert(at.clone())).map(|(_, note)| note).collect();
    Ok((all, notes))
}

struct Walker<'a> {
    spec: &'a Value,
    file: &'a str,
    /// `(pointer, note)` for each constraint left to the server
    unchecked: &'a std::cell::RefCell<Vec<(String, String)>>,
}

impl Walker<'_> {
    fn unchecked(&self, pointer: &str, what: String) {
        let note = format!("{}: {pointer}: not checked before sending (the server checks it): {what}", self.file);
        self.unchecked.borrow_mut().push((pointer.to_string(), note));
    }

    fn error(&self, pointer: &str, what: String) -> Error {
        Error(format!("{}: {pointer}: {what}", self.file))
    }

    /// Follows a `$ref` to a component: `(schema, its pointer)`.
    fn resolve<'s>(&'s self, schema: &'s Value, pointer: &str) -> Result<(&'s Value, String)> {
        match schema.get("$ref").and_then(Value::as_str) {
            None => Ok((schema, pointer.to_string())),
            Some(reference) => {
                let target = reference.strip_prefix('#').unwrap_or(reference);
                match self.spec.pointer(target) {
                    Some(resolved) => Ok((resolved, target.to_string())),
                    None => Err(self.error(pointer, format!("`$ref` {reference} points nowhere"))),
                }
            }
        }
    }

    /// A query parameter: its own limits, or, for an object sent as its members (form,
    /// exploded), the limits of each member under its own name.
    fn query_parameter(&self, name: &str, schema: &Value, pointer: &str, required: bool, out: &mut Vec<FieldLimits>) -> Result<()> {
        let (schema, pointer) = self.resolve(schema, pointer)?;
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            let members_required = required_list(schema);
            for (member, member_schema) in properties {
                let at = format!("{pointer}/properties/{}", escape_pointer_token(member));
                let (member_schema, at) = self.resolve(member_schema, &at)?;
                let mut field = self.limits_of(member_schema, &at)?;
                field.name = member.clone();
                field.required = required && members_required.contains(&member.as_str());
                push(out, field);
            }
            return Ok(());
        }
        let mut field = self.limits_of(schema, &pointer)?;
        if let Some(items) = schema.get("items") {
            // repeated keys: each value is checked against the items' limits
            let (items, at) = self.resolve(items, &format!("{pointer}/items"))?;
            let each = self.limits_of(items, &at)?;
            field = FieldLimits { min_items: field.min_items, max_items: field.max_items, ..each };
        }
        field.name = name.to_string();
        field.required = required;
        push(out, field);
        Ok(())
    }

    /// A body schema and everything below it.
    fn body(
        &self,
        schema: &Value,
        pointer: &str,
        steps: Vec<Step>,
        name: String,
        required: bool,
        refs: &mut Vec<String>,
        out: &mut Vec<FieldLimits>,
    ) -> Result<()> {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            if refs.iter().any(|r| r == reference) {
                return Ok(()); // a recursive type: its limits are already being collected
            }
            refs.push(reference.to_string());
            let (target, at) = self.resolve(schema, pointer)?;
            let result = self.body(target, &at, steps, name, required, refs, out);
            refs.pop();
            return result;
        }
        if !steps.is_empty() {
            let mut field = self.limits_of(schema, pointer)?;
            field.name = name.clone();
            field.steps = steps.clone();
            field.required = required;
            push(out, field);
        }
        for (i, part) in schema.get("allOf").and_then(Value::as_array).into_iter().flatten().enumerate() {
            self.body(part, &format!("{pointer}/allOf/{i}"), steps.clone(), name.clone(), required, refs, out)?;
        }
        for keyword in ["oneOf", "anyOf"] {
            for (i, alternative) in schema.get(keyword).and_then(Value::as_array).into_iter().flatten().enumerate() {
                let at = format!("{pointer}/{keyword}/{i}");
                let mut inside = Vec::new();
                self.body(alternative, &at, vec![Step::Each], "x".into(), false, refs, &mut inside)?;
                // required members and enum values are the alternative's Rust type itself (a
                // variant's struct has its required fields; its tag is its variant): only
                // value limits would need knowing which alternative applies
                inside.retain(|f| FieldLimits { required: false, allowed: Vec::new(), ..f.clone() }.checks_something());
                if !inside.is_empty() {
                    self.unchecked(&at, format!("limits inside `{keyword}` (which alternative applies is not known)"));
                }
            }
        }
        let required_members = required_list(schema);
        for (member, member_schema) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            let mut member_steps = steps.clone();
            member_steps.push(Step::Key(member.clone()));
            let member_name = if name.is_empty() { member.clone() } else { format!("{name}.{member}") };
            let at = format!("{pointer}/properties/{}", escape_pointer_token(member));
            self.body(member_schema, &at, member_steps, member_name, required_members.contains(&member.as_str()), refs, out)?;
        }
        if let Some(items) = schema.get("items") {
            let mut item_steps = steps.clone();
            item_steps.push(Step::Each);
            self.body(items, &format!("{pointer}/items"), item_steps, format!("{name}[]"), false, refs, out)?;
        }
        Ok(())
    }

    /// The limits a schema itself states (not those of its members).
    fn limits_of(&self, schema: &Value, pointer: &str) -> Result<FieldLimits> {
        let mut field = FieldLimits { nullable: schema.get("nullable").and_then(Value::as_bool).unwrap_or(false), ..Default::default() };
        let Some(map) = schema.as_object() else { return Ok(field) };
        let mut exclusive_min = false;
        let mut exclusive_max = false;
        for (keyword, value) in map {
            let at = format!("{pointer}/{}", escape_pointer_token(keyword));
            let count = || value.as_u64().ok_or_else(|| self.error(&at, format!("`{keyword}` must be a whole number, got {value}")));
            let number = || value.as_f64().ok_or_else(|| self.error(&at, format!("`{keyword}` must be a number, got {value}")));
            match keyword.as_str() {
                "minLength" => field.min_length = Some(count()?),
                "maxLength" => field.max_length = Some(count()?),
                "minItems" => field.min_items = Some(count()?),
                "maxItems" => field.max_items = Some(count()?),
                "minimum" => field.minimum = Some((number()?, false)),
                "maximum" => field.maximum = Some((number()?, false)),
                // OpenAPI 3.0: a flag on minimum/maximum; 3.1: the bound itself
                "exclusiveMinimum" if value.is_boolean() => exclusive_min = value == &Value::Bool(true),
                "exclusiveMaximum" if value.is_boolean() => exclusive_max = value == &Value::Bool(true),
                "exclusiveMinimum" => field.minimum = Some((number()?, true)),
                "exclusiveMaximum" => field.maximum = Some((number()?, true)),
                "pattern" => {
                    let Some(pattern) = value.as_str() else {
                        return Err(self.error(&at, format!("`pattern` must be a string, got {value}")));
                    };
                    match regex_lite::Regex::new(pattern) {
                        Ok(_) => field.pattern = Some(pattern.to_string()),
                        Err(e) => self.unchecked(&at, format!("pattern {pattern:?}: {e}")),
                    }
                }
                "enum" => {
                    let values = value.as_array().ok_or_else(|| self.error(&at, "`enum` must be an array".into()))?;
                    for v in values {
                        match v {
                            Value::String(s) => field.allowed.push(s.clone()),
                            Value::Number(n) => field.allowed.push(n.to_string()),
                            Value::Bool(b) => field.allowed.push(b.to_string()),
                            Value::Null => field.nullable = true,
                            other => self.unchecked(&at, format!("enum value {other}")),
                        }
                    }
                }
                "format" => match value.as_str() {
                    Some("uri" | "url") => field.uri = true,
                    Some(f) if TYPED_FORMATS.contains(&f) => {}
                    // a format of the vendor's own (`snowflake`, `timestamp`): the base type
                    // only, the format documented
                    _ => self.unchecked(
                        &at,
                        format!("format {value} (the value is its base type; known formats: uri and {})", TYPED_FORMATS.join(", ")),
                    ),
                },
                k if NOT_LIMITS.contains(&k) || k.starts_with("x-") => {}
                other => {
                    self.unchecked(&at, format!("`{other}` (xtask/src/codegen/limits.rs and zaia-ext's validate module do not know it)"))
                }
            }
        }
        if exclusive_min {
            field.minimum = field.minimum.map(|(v, _)| (v, true));
        }
        if exclusive_max {
            field.maximum = field.maximum.map(|(v, _)| (v, true));
        }
        Ok(field)
    }
}

fn required_list(schema: &Value) -> Vec<&str> {
    schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect()
}

fn push(out: &mut Vec<FieldLimits>, field: FieldLimits) {
    if field.checks_something() {
        out.push(field);
    }
}

/// The Rust file: `pub(crate) fn limits_json(operation) -> Option<&'static str>`.
pub fn generate(spec: &Value, per_operation: &Value, resources: &super::features::Resources) -> Result<(String, Vec<String>)> {
    let (all, notes) = collect_noting(spec, per_operation)?;
    let arms = all.iter().map(|op| {
        let id = &op.id;
        let json = operation_json(op).to_string();
        let cfg = resources.cfg_of(id);
        quote! {
            #cfg
            #id => Some(#json),
        }
    });
    let tokens = quote! {
        /// The documented limits of `operation`'s query, headers and body, by operation id, as
        /// JSON (`Limits::leaked_from_json` reads each operation's once): a string costs the
        /// compiler next to nothing, where a table of structs cost every consumer's build about
        /// 1.6 s of rustc at 130 operations.
        pub(crate) fn limits_json(operation: &str) -> Option<&'static str> {
            match operation {
                #(#arms)*
                _ => None,
            }
        }
    };
    Ok((format_file(tokens, "limits")?, notes))
}

/// One operation's limits as `Limits::from_json` reads them: absent keys are `None`, `false`
/// or empty; a step is a member's name, or `null` for every item of an array.
fn operation_json(op: &OperationLimits) -> Value {
    let fields = |fields: &[FieldLimits]| -> Value { Value::Array(fields.iter().map(field_json).collect()) };
    let mut out = serde_json::Map::new();
    if let Some(schema) = &op.body_schema {
        out.insert("body_schema".into(), json!(schema));
    }
    for (key, list) in [("query", &op.query), ("header", &op.header), ("body", &op.body)] {
        if !list.is_empty() {
            out.insert(key.into(), fields(list));
        }
    }
    Value::Object(out)
}

fn field_json(field: &FieldLimits) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("name".into(), json!(field.name));
    if !field.steps.is_empty() {
        let steps: Vec<Value> = field
            .steps
            .iter()
            .map(|s| match s {
                Step::Key(k) => json!(k),
                Step::Each => Value::Null,
            })
            .collect();
        out.insert("steps".into(), Value::Array(steps));
    }
    for (key, set) in [("required", field.required), ("nullable", field.nullable), ("uri", field.uri)] {
        if set {
            out.insert(key.into(), json!(true));
        }
    }
    for (key, value) in
        [("min_length", field.min_length), ("max_length", field.max_length), ("min_items", field.min_items), ("max_items", field.max_items)]
    {
        if let Some(value) = value {
            out.insert(key.into(), json!(value));
        }
    }
    for (key, bound) in [("minimum", field.minimum), ("maximum", field.maximum)] {
        if let Some((value, exclusive)) = bound {
            out.insert(key.into(), json!([value, exclusive]));
        }
    }
    if let Some(pattern) = &field.pattern {
        out.insert("pattern".into(), json!(pattern));
    }
    if !field.allowed.is_empty() {
        out.insert("allowed".into(), json!(field.allowed));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(body: Value, params: Value) -> Value {
        json!({
            "paths": {"/x": {"post": {"operationId": "create_x", "x-fragment": "openapi/x/post.json", "parameters": params,
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateX"}}}}}}},
            "components": {"schemas": {"CreateX": body, "Tag": {"type": "string", "enum": ["a", "b"]}}}
        })
    }

    #[test]
    fn body_limits_are_found_at_every_depth() {
        let body = json!({"type": "object", "required": ["name", "items"], "properties": {
            "name": {"type": "string", "minLength": 3, "maxLength": 250},
            "callback": {"type": "string", "format": "uri", "nullable": true},
            "items": {"type": "array", "maxItems": 5, "items": {"type": "object", "required": ["n"], "properties": {
                "n": {"type": "integer", "minimum": 0, "exclusiveMaximum": true, "maximum": 10},
                "tag": {"$ref": "#/components/schemas/Tag"}}}},
            "plain": {"type": "string"}}});
        let all = collect(&spec(body, json!([])), &json!({})).unwrap();
        let fields: Vec<(String, bool)> = all[0].body.iter().map(|f| (f.name.clone(), f.required)).collect();
        assert_eq!(
            fields,
            [
                ("name".into(), true),
                ("callback".into(), false),
                ("items".into(), true),
                ("items[].n".into(), true),
                ("items[].tag".into(), false)
            ]
        );
        let n = &all[0].body[3];
        assert_eq!((n.minimum, n.maximum), (Some((0.0, false)), Some((10.0, true))));
        assert_eq!(n.steps, [Step::Key("items".into()), Step::Each, Step::Key("n".into())]);
        assert_eq!(all[0].body[4].allowed, ["a", "b"]);
        assert!(all[0].body[1].uri && all[0].body[1].nullable);
        assert_eq!(all[0].body_schema.as_deref(), Some("CreateX"));
    }

    #[test]
    fn query_limits_include_the_members_of_object_parameters_and_array_items() {
        let params = json!([
            {"name": "pageSize", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
            {"name": "pagination", "in": "query", "schema": {"type": "object", "properties": {"limit": {"type": "integer", "exclusiveMinimum": 0, "maximum": 1000}}}},
            {"name": "tags", "in": "query", "required": true, "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}},
            {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}]);
        let all = collect(&spec(json!({"type": "object"}), params), &json!({})).unwrap();
        let query = &all[0].query;
        assert_eq!(query.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["pageSize", "limit", "tags"]);
        assert_eq!(query[1].minimum, Some((0.0, true)), "3.1's numeric exclusiveMinimum");
        assert!(query[2].required && query[2].allowed == ["a", "b"]);
    }

    #[test]
    fn what_the_client_cannot_check_is_left_to_the_server_and_noted_with_file_and_pointer() {
        let cases = [
            (
                json!({"type": "object", "properties": {"p": {"type": "string", "pattern": "(?<=a)b"}}}),
                "/components/schemas/CreateX/properties/p/pattern: not checked before sending (the server checks it): pattern",
            ),
            (
                json!({"type": "object", "properties": {"n": {"type": "number", "multipleOf": 5}}}),
                "/components/schemas/CreateX/properties/n/multipleOf: not checked before sending (the server checks it): `multipleOf`",
            ),
            (
                json!({"type": "object", "properties": {"e": {"type": "string", "format": "email"}}}),
                "/components/schemas/CreateX/properties/e/format: not checked before sending (the server checks it): format \"email\"",
            ),
            (
                json!({"anyOf": [{"type": "string", "maxLength": 3}, {"type": "integer"}]}),
                "/components/schemas/CreateX/anyOf/0: not checked before sending (the server checks it): limits inside `anyOf`",
            ),
        ];
        for (body, expected) in cases {
            let (_, notes) = collect_noting(&spec(body, json!([])), &json!({})).unwrap();
            assert_eq!(notes.len(), 1, "{notes:?}");
            assert!(notes[0].starts_with(&format!("openapi/x/post.json: {expected}")), "{}", notes[0]);
        }
    }

    #[test]
    fn recursive_schemas_end() {
        let body = json!({"type": "object", "properties": {"name": {"type": "string", "maxLength": 9}, "child": {"$ref": "#/components/schemas/CreateX"}}});
        let all = collect(&spec(body, json!([])), &json!({})).unwrap();
        assert_eq!(all[0].body.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["name"]);
    }
}
