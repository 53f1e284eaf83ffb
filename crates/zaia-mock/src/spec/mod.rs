//! The merged spec, embedded: which operations exist, what a valid request to each is, and what
//! a schema-valid answer looks like.
//!
//! The stateful handlers serve the operations they know; every other operation of the spec is
//! served from here (`example`s where the spec has them, otherwise values synthesised
//! deterministically from the seed). Every request, to either, is validated against the spec
//! first, as a validating mock does: a malformed request fails in a consumer's tests rather than
//! in production.
//!
//! `src/spec/generated.json` is a copy of `openapi/zaia.json` written by `cargo xtask generate`
//! (a published crate cannot read outside itself).
//!
//! ```
//! let spec = zaia_mock::spec::spec();
//! let (op, params) = spec.find("GET", "/api/v1/chats/abc").unwrap();
//! let (status, answer) = op.example_response(7, &params);
//! assert_eq!((op.id.as_str(), status, answer["id"].as_str()), ("get_chat", 200, Some("abc")));
//! ```

mod forms;
pub mod media;
mod pattern;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::{Map, Value, json};

use crate::errors::ApiError;

const SPEC_TEXT: &str = include_str!("generated.json");

/// The HTTP methods an OpenAPI path item can hold.
const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The spec and what is derived from it once.
///
/// ```
/// let spec = zaia_mock::spec::spec();
/// assert!(spec.operations().iter().any(|op| op.id == "list_chats"));
/// ```
pub struct Spec {
    doc: Value,
    operations: Vec<Operation>,
    /// `components`, as JSON Schema (for the validators' `$ref`s).
    components: Value,
    validators: Mutex<HashMap<String, &'static jsonschema::Validator>>,
}

/// One operation of the spec.
///
/// ```
/// let (op, params) = zaia_mock::spec::spec().find("GET", "/api/v1/chats/abc").unwrap();
/// assert_eq!((op.id.as_str(), params[0].1.as_str()), ("get_chat", "abc"));
/// ```
#[derive(Debug, Clone)]
pub struct Operation {
    /// The operation id (`list_chats`).
    pub id: String,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path template (`/api/v1/chats/{id}`).
    pub path: String,
    segments: Vec<Segment>,
    op: Value,
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    Param(String),
}

/// The spec the mock was built with.
///
/// ```
/// assert_eq!(zaia_mock::spec::spec().document()["openapi"], "3.0.3");
/// ```
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::new(serde_json::from_str(SPEC_TEXT).expect("the generated spec is JSON")))
}

impl Spec {
    fn new(doc: Value) -> Spec {
        let mut operations = Vec::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                if !METHODS.contains(&method.as_str()) {
                    continue;
                }
                let segments = path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Segment::Param(name.to_string()),
                        None => Segment::Literal(s.to_string()),
                    })
                    .collect();
                let id = op["operationId"].as_str().unwrap_or_default().to_string();
                operations.push(Operation { id, method: method.to_uppercase(), path: path.clone(), segments, op: op.clone() });
            }
        }
        // literal segments win over parameters (`/chats/details` before `/chats/{id}`)
        operations.sort_by_key(|o| o.segments.iter().map(|s| matches!(s, Segment::Param(_))).collect::<Vec<_>>());
        let components = to_json_schema(&doc["components"]);
        Spec { doc, operations, components, validators: Mutex::default() }
    }

    /// The spec itself.
    ///
    /// ```
    /// assert!(zaia_mock::spec::spec().document()["paths"].is_object());
    /// ```
    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// Every operation.
    ///
    /// ```
    /// assert!(!zaia_mock::spec::spec().operations().is_empty());
    /// ```
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation that `method path` calls, with its path parameters.
    ///
    /// ```
    /// assert!(zaia_mock::spec::spec().find("DELETE", "/api/v1/nothing").is_none());
    /// ```
    pub fn find(&self, method: &str, path: &str) -> Option<(&Operation, Vec<(String, String)>)> {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.operations.iter().filter(|o| o.method.eq_ignore_ascii_case(method)).find_map(|o| {
            if o.segments.len() != parts.len() {
                return None;
            }
            let mut params = Vec::new();
            for (segment, part) in o.segments.iter().zip(&parts) {
                match segment {
                    Segment::Literal(l) if l == part => {}
                    Segment::Literal(_) => return None,
                    Segment::Param(name) => params.push((name.clone(), (*part).to_string())),
                }
            }
            Some((o, params))
        })
    }

    /// A validator for `schema` (an OpenAPI schema of this spec), built once.
    ///
    /// ```
    /// let v = zaia_mock::spec::spec().validator(&serde_json::json!({"$ref": "#/components/schemas/Chat"}));
    /// assert!(!v.is_valid(&serde_json::json!({"id": 1})));
    /// ```
    pub fn validator(&self, schema: &Value) -> &'static jsonschema::Validator {
        let key = schema.to_string();
        let mut cache = self.validators.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = cache.get(&key) {
            return v;
        }
        let mut root = to_json_schema(schema);
        if let Some(object) = root.as_object_mut() {
            object.insert("components".into(), self.components.clone());
        }
        let validator = jsonschema::options().should_validate_formats(true).build(&root).expect("the spec's schemas compile");
        // one per distinct schema of the spec, for the life of the process
        let validator: &'static jsonschema::Validator = Box::leak(Box::new(validator));
        cache.insert(key, validator);
        validator
    }

    /// `schema`, its `$ref`s followed.
    pub(crate) fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => self.doc.pointer(r.trim_start_matches('#')).map(|s| self.resolve(s)).unwrap_or(&Value::Null),
            None => schema,
        }
    }
}

impl Operation {
    /// The statuses the spec documents for it.
    ///
    /// ```
    /// let (op, _) = zaia_mock::spec::spec().find("GET", "/api/v1/chats").unwrap();
    /// assert!(op.documented_statuses().contains(&200));
    /// ```
    pub fn documented_statuses(&self) -> Vec<u16> {
        self.op["responses"].as_object().into_iter().flatten().filter_map(|(s, _)| s.parse().ok()).collect()
    }

    /// Whether it documents `status`.
    ///
    /// ```
    /// let (op, _) = zaia_mock::spec::spec().find("GET", "/api/v1/chats").unwrap();
    /// assert!(op.documents(401));
    /// ```
    pub fn documents(&self, status: u16) -> bool {
        self.response(status).is_some()
    }

    /// The response the spec documents for `status`: its own entry, else its class's (`4XX`),
    /// else `default` (for an error status), as OpenAPI matches them.
    ///
    /// ```
    /// let (op, _) = zaia_mock::spec::spec().find("GET", "/api/v1/chats").unwrap();
    /// assert!(op.response(401).is_some() && op.response(418).is_none());
    /// ```
    pub fn response(&self, status: u16) -> Option<&Value> {
        let responses = self.op["responses"].as_object()?;
        let class = format!("{}XX", status / 100);
        responses
            .get(&status.to_string())
            .or_else(|| responses.iter().find(|(k, _)| k.eq_ignore_ascii_case(&class)).map(|(_, v)| v))
            .or_else(|| if status >= 400 { responses.get("default") } else { None })
    }

    /// The success status and its body schema.
    ///
    /// ```
    /// let (op, _) = zaia_mock::spec::spec().find("GET", "/api/v1/chats").unwrap();
    /// assert_eq!(op.success().0, 200);
    /// ```
    pub fn success(&self) -> (u16, Option<&Value>) {
        let responses = self.op["responses"].as_object();
        let found = responses.into_iter().flatten().find(|(s, _)| s.starts_with('2'));
        match found {
            Some((status, response)) => (status.parse().unwrap_or(200), response.pointer("/content/application~1json/schema")),
            None => (200, None),
        }
    }

    /// The media type of the success answer to a request that accepts `accept`, with its
    /// schema: JSON when the request accepts it (or says nothing), another media type the
    /// success offers when the request asks for it (`text/csv`). `None` for a success without
    /// content, or one whose media types the request accepts none of.
    ///
    /// ```
    /// let (op, _) = zaia_mock::spec::spec().find("GET", "/api/v1/chats").unwrap();
    /// assert_eq!(op.success_media(Some("application/json")).unwrap().0, "application/json");
    /// assert!(op.success_media(Some("image/png")).is_none());
    /// ```
    pub fn success_media(&self, accept: Option<&str>) -> Option<(&str, &Value)> {
        let responses = self.op["responses"].as_object()?;
        let (_, success) = responses.iter().find(|(s, _)| s.starts_with('2'))?;
        let content = success.get("content")?.as_object()?;
        let offered: Vec<&str> = content.keys().map(String::as_str).collect();
        let chosen = media::negotiate(&offered, accept)?;
        Some((chosen, &content[chosen]))
    }

    /// The JSON body schema of a response with `status`.
    ///
    /// ```
    /// let (op, _) = zaia_mock::spec::spec().find("GET", "/api/v1/chats").unwrap();
    /// assert!(op.response_schema(200).is_some());
    /// ```
    pub fn response_schema(&self, status: u16) -> Option<&Value> {
        self.response(status)?.pointer("/content/application~1json/schema")
    }

    fn parameters(&self) -> impl Iterator<Item = &Value> {
        self.op["parameters"].as_array().into_iter().flatten()
    }

    /// Checks a request against the spec: path and query parameters, then the body. The error
    /// names the field, as the vendor's 400s do.
    ///
    /// ```
    /// let (op, _) = zaia_mock::spec::spec().find("GET", "/api/v1/chats").unwrap();
    /// assert!(op.validate(&[], &[("pageSize".into(), "500".into())], b"").is_err());
    /// ```
    pub fn validate(&self, path_params: &[(String, String)], query: &[(String, String)], body: &[u8]) -> Result<(), ApiError> {
        self.validate_parameters(path_params, query)?;
        self.validate_json_body(body)
    }

    /// [`Operation::validate`] for a request sent with `content_type`: a form the operation
    /// documents (`application/x-www-form-urlencoded`, `multipart/form-data`) is read into the
    /// object its schema describes and validated as a JSON body is; anything else is JSON.
    ///
    /// ```
    /// let (op, _) = zaia_mock::spec::spec().find("GET", "/api/v1/chats").unwrap();
    /// assert!(op.validate_as(&[], &[], Some("application/json"), b"").is_ok());
    /// ```
    pub fn validate_as(
        &self,
        path_params: &[(String, String)],
        query: &[(String, String)],
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), ApiError> {
        let form = content_type.and_then(|ct| self.form_body(ct).map(|(form, schema)| (ct, form, schema)));
        let Some((content_type, form, schema)) = form else { return self.validate(path_params, query, body) };
        self.validate_parameters(path_params, query)?;
        if body.is_empty() {
            return self.body_required();
        }
        let fields = forms::fields(form, content_type, body)
            .ok_or_else(|| ApiError::invalid("Invalid data provided: the body is not the form its content type says."))?;
        let value = form_object(spec(), schema, &fields);
        check_body(schema, &value)
    }

    /// A request body made from the seed, in the operation's first documented media type (JSON
    /// before forms): its content type and bytes; `None` without a body.
    ///
    /// ```
    /// let (op, _) = zaia_mock::spec::spec().find("POST", "/api/v1/chats").unwrap();
    /// assert_eq!(op.example_body(1).unwrap().0, "application/json");
    /// ```
    pub fn example_body(&self, seed: u64) -> Option<(String, Vec<u8>)> {
        if let Some(schema) = self.json_body() {
            return Some(("application/json".into(), serde_json::to_vec(&synthesize(schema, seed)).unwrap_or_default()));
        }
        let content = self.op.pointer("/requestBody/content")?.as_object()?;
        let (form, schema) = content.iter().find_map(|(m, media)| Some((forms::Form::of(m)?, media.get("schema")?)))?;
        let value = synthesize(spec().resolve(schema), seed);
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, v) in value.as_object().into_iter().flatten() {
            match v {
                Value::Array(items) => pairs.extend(items.iter().map(|i| (name.clone(), text(i)))),
                Value::Null => {}
                other => pairs.push((name.clone(), text(other))),
            }
        }
        Some(forms::encode(form, &pairs, mix(seed, 7)))
    }

    fn validate_parameters(&self, path_params: &[(String, String)], query: &[(String, String)]) -> Result<(), ApiError> {
        let spec = spec();
        for param in self.parameters() {
            let name = param["name"].as_str().unwrap_or_default();
            let schema = &param["schema"];
            let required = param["required"] == true;
            let value = match param["in"].as_str() {
                Some("path") => path_params.iter().find(|(n, _)| n == name).map(|(_, v)| coerce(spec.resolve(schema), v)),
                Some("query") => query_value(spec, name, schema, query),
                _ => continue,
            };
            match value {
                None if required => return Err(ApiError::invalid(format!("{name} is required."))),
                None => {}
                Some(value) => {
                    if let Some(error) = spec.validator(schema).iter_errors(&value).next() {
                        let at = error.instance_path().to_string();
                        let field = if at.is_empty() { name.to_string() } else { format!("{name}{}", at.replace('/', ".")) };
                        return Err(ApiError::invalid(format!("{field}: {error}")));
                    }
                }
            }
        }
        Ok(())
    }

    fn json_body(&self) -> Option<&Value> {
        self.op.pointer("/requestBody/content/application~1json/schema")
    }

    /// The form and its schema, when the operation documents `content_type` as a form body.
    fn form_body(&self, content_type: &str) -> Option<(forms::Form, &Value)> {
        let form = forms::Form::of(content_type)?;
        let content = self.op.pointer("/requestBody/content")?.as_object()?;
        content.iter().find(|(m, _)| forms::Form::of(m) == Some(form)).and_then(|(_, media)| Some((form, media.get("schema")?)))
    }

    fn body_required(&self) -> Result<(), ApiError> {
        match self.op.pointer("/requestBody/required") == Some(&Value::Bool(true)) {
            true => Err(ApiError::invalid("A request body is required.")),
            false => Ok(()),
        }
    }

    fn validate_json_body(&self, body: &[u8]) -> Result<(), ApiError> {
        let Some(schema) = self.json_body() else {
            // a form-only operation: a request without a body must still send the required one
            return match self.op.pointer("/requestBody/content").and_then(Value::as_object) {
                Some(content) if body.is_empty() && content.keys().any(|m| forms::Form::of(m).is_some()) => self.body_required(),
                _ => Ok(()),
            };
        };
        if body.is_empty() {
            return match self.op.pointer("/requestBody/required") == Some(&Value::Bool(true)) {
                true => Err(ApiError::invalid("A request body is required.")),
                false => Ok(()),
            };
        }
        let value: Value =
            serde_json::from_slice(body).map_err(|e| ApiError::invalid(format!("Invalid data provided: the body is not JSON: {e}")))?;
        check_body(schema, &value)
    }

    /// Checks a request's header parameters against the spec (the key's header is the security
    /// scheme's, not a parameter): a required one missing, or a value its schema refuses, is
    /// the vendor's 400 naming the header. Names match in any case, as HTTP's do.
    ///
    /// ```
    /// let (op, _) = zaia_mock::spec::spec().find("GET", "/api/v1/chats").unwrap();
    /// assert!(op.validate_headers(&[]).is_ok());
    /// ```
    pub fn validate_headers(&self, headers: &[(String, String)]) -> Result<(), ApiError> {
        let spec = spec();
        for param in self.parameters().filter(|p| p["in"] == "header") {
            let name = param["name"].as_str().unwrap_or_default();
            let schema = &param["schema"];
            match headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                None if param["required"] == true => return Err(ApiError::invalid(format!("{name} is required."))),
                None => {}
                Some((_, value)) => {
                    let value = coerce(spec.resolve(schema), value);
                    if let Some(error) = spec.validator(schema).iter_errors(&value).next() {
                        return Err(ApiError::invalid(format!("{name}: {error}")));
                    }
                }
            }
        }
        Ok(())
    }

    /// Valid values for this operation's required header parameters, made from the spec.
    ///
    /// ```
    /// let (op, _) = zaia_mock::spec::spec().find("GET", "/api/v1/chats").unwrap();
    /// assert!(op.example_headers(1).is_empty());
    /// ```
    pub fn example_headers(&self, seed: u64) -> Vec<(String, String)> {
        let spec = spec();
        self.parameters()
            .enumerate()
            .filter(|(_, p)| p["in"] == "header" && p["required"] == true)
            .map(|(i, p)| {
                (p["name"].as_str().unwrap_or_default().to_string(), text(&synthesize(spec.resolve(&p["schema"]), mix(seed, i as u64))))
            })
            .collect()
    }

    /// A valid request to this operation, made from the spec: `(path and query, body)`.
    ///
    /// ```
    /// let (op, _) = zaia_mock::spec::spec().find("GET", "/api/v1/chat-messages").unwrap();
    /// let (path, body) = op.example_request(1);
    /// assert!(path.starts_with("/api/v1/chat-messages?chatId=") && body.is_none());
    /// ```
    pub fn example_request(&self, seed: u64) -> (String, Option<Value>) {
        let spec = spec();
        let mut path = self.path.clone();
        let mut query = Vec::new();
        for (i, param) in self.parameters().enumerate() {
            let name = param["name"].as_str().unwrap_or_default();
            let schema = spec.resolve(&param["schema"]);
            match param["in"].as_str() {
                Some("path") => {
                    let value = synthesize(schema, mix(seed, i as u64));
                    path = path.replace(&format!("{{{name}}}"), &text(&value));
                }
                Some("query") if param["required"] == true => {
                    let value = synthesize(schema, mix(seed, i as u64));
                    match value {
                        Value::Array(items) => query.extend(items.iter().map(|v| (name.to_string(), text(v)))),
                        Value::Object(members) => query.extend(members.iter().map(|(k, v)| (k.clone(), text(v)))),
                        other => query.push((name.to_string(), text(&other))),
                    }
                }
                _ => {}
            }
        }
        if !query.is_empty() {
            let encoded: Vec<String> = query
                .iter()
                .map(|(k, v)| format!("{k}={}", url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()))
                .collect();
            path = format!("{path}?{}", encoded.join("&"));
        }
        let body = self.op.pointer("/requestBody/content/application~1json/schema").map(|s| synthesize(s, seed));
        (path, body)
    }

    /// The answer of an operation served from the spec: its success status and a schema-valid
    /// body (the spec's example if it has one), the same for the same seed. An object answer
    /// echoes the path's parameters where it has members of those names (`GET /things/{id}`
    /// answers the thing with that `id`).
    ///
    /// ```
    /// let (op, params) = zaia_mock::spec::spec().find("GET", "/api/v1/chats/abc").unwrap();
    /// let (status, body) = op.example_response(1, &params);
    /// assert_eq!((status, body["id"].as_str()), (200, Some("abc")));
    /// ```
    pub fn example_response(&self, seed: u64, path_params: &[(String, String)]) -> (u16, Value) {
        let (status, schema) = self.success();
        let example = self.op["responses"][status.to_string()].pointer("/content/application~1json/example").cloned();
        let mut body = example.or_else(|| schema.map(|s| synthesize(s, mix(seed, hash(&self.id))))).unwrap_or(Value::Null);
        if let Value::Object(members) = &mut body {
            for (name, value) in path_params {
                if let Some(member) = members.get_mut(name)
                    && member.is_string()
                {
                    *member = Value::String(value.clone());
                }
            }
        }
        (status, body)
    }
}

/// Form fields as the JSON object `schema` describes: each property's values typed by its
/// schema (an array from repeated keys), other fields as text.
fn form_object(spec: &Spec, schema: &Value, fields: &[(String, String)]) -> Value {
    let schema = spec.resolve(schema);
    let properties = schema.get("properties").and_then(Value::as_object);
    let mut out = Map::new();
    for (name, value) in fields {
        let property = properties.and_then(|p| p.get(name)).map(|s| spec.resolve(s));
        let typed = match property {
            Some(p) if p.get("type") == Some(&Value::String("array".into())) => {
                let item = coerce(spec.resolve(&p["items"]), value);
                match out.remove(name) {
                    Some(Value::Array(mut items)) => {
                        items.push(item);
                        Value::Array(items)
                    }
                    _ => Value::Array(vec![item]),
                }
            }
            Some(p) => coerce(p, value),
            None => Value::String(value.clone()),
        };
        out.insert(name.clone(), typed);
    }
    Value::Object(out)
}

/// A body against its schema: the first error names the field.
fn check_body(schema: &Value, value: &Value) -> Result<(), ApiError> {
    if let Some(error) = spec().validator(schema).iter_errors(value).next() {
        let at = error.instance_path().to_string();
        let field = at.trim_start_matches('/').replace('/', ".");
        let field = if field.is_empty() { "body".to_string() } else { field };
        return Err(ApiError::invalid(format!("{field}: {error}")));
    }
    Ok(())
}

/// The query value of parameter `name`: repeated keys for an array, the members (each under its
/// own name) for an object, else the first value; typed as the schema says so that `"5"` is
/// checked as the number 5.
fn query_value(spec: &Spec, name: &str, schema: &Value, query: &[(String, String)]) -> Option<Value> {
    let schema = spec.resolve(schema);
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        let members: Map<String, Value> = properties
            .iter()
            .filter_map(|(member, s)| query.iter().find(|(k, _)| k == member).map(|(_, v)| (member.clone(), coerce(spec.resolve(s), v))))
            .collect();
        return (!members.is_empty()).then_some(Value::Object(members));
    }
    let values: Vec<&String> = query.iter().filter(|(k, _)| k == name).map(|(_, v)| v).collect();
    if values.is_empty() {
        return None;
    }
    if schema.get("type") == Some(&json!("array")) {
        let items = spec.resolve(&schema["items"]);
        return Some(Value::Array(values.iter().map(|v| coerce(items, v)).collect()));
    }
    Some(coerce(schema, values[0]))
}

/// A text value typed as `schema` says (left as text when it does not parse, so that the
/// validator names the mismatch).
fn coerce(schema: &Value, text: &str) -> Value {
    let parsed = match schema.get("type").and_then(Value::as_str) {
        Some("integer") => text.parse::<i64>().ok().map(Value::from),
        Some("number") => text.parse::<f64>().ok().map(Value::from),
        Some("boolean") => text.parse::<bool>().ok().map(Value::from),
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(text.to_string()))
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A value that satisfies `schema` (an OpenAPI 3.0 schema of the spec), the same for the same
/// seed: examples first, then the schema's own description of what is allowed.
///
/// ```
/// let value = zaia_mock::spec::synthesize(&serde_json::json!({"type": "string", "format": "uuid"}), 3);
/// assert!(value.as_str().unwrap().parse::<uuid::Uuid>().is_ok());
/// ```
pub fn synthesize(schema: &Value, seed: u64) -> Value {
    synthesize_at(spec(), schema, seed, 0)
}

fn synthesize_at(spec: &Spec, schema: &Value, seed: u64, depth: usize) -> Value {
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = spec.doc.pointer(reference.trim_start_matches('#')).unwrap_or(&Value::Null);
        // deep in a recursive type only what must be there is made (see objects below); a
        // type that requires itself ends here (only reached through nullable links in practice)
        if depth > 16 {
            return Value::Null;
        }
        return synthesize_at(spec, target, seed, depth + 1);
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array).filter(|v| !v.is_empty()) {
        return values[(seed % values.len() as u64) as usize].clone();
    }
    for keyword in ["oneOf", "anyOf"] {
        // the seed picks the alternative, so that every one is served
        if let Some(alternatives) = schema.get(keyword).and_then(Value::as_array).filter(|a| !a.is_empty()) {
            let chosen = &alternatives[(seed % alternatives.len() as u64) as usize];
            return synthesize_at(spec, chosen, seed, depth + 1);
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        // objects merge; anything else (`allOf: [{$ref: SomeEnum}]`) is the value itself
        let mut merged = Map::new();
        for (i, part) in parts.iter().enumerate() {
            match synthesize_at(spec, part, mix(seed, i as u64), depth + 1) {
                Value::Object(members) => merged.extend(members),
                other => return other,
            }
        }
        return Value::Object(merged);
    }
    let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
    match schema.get("type").and_then(Value::as_str) {
        Some("object") | None if schema.get("properties").is_some() => {
            // deep in a recursive type, only what must be there: the recursion ends
            let required: Vec<&str> =
                schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
            let members =
                schema["properties"].as_object().into_iter().flatten().filter(|(name, _)| depth < 4 || required.contains(&name.as_str()));
            Value::Object(members.map(|(name, s)| (name.clone(), synthesize_at(spec, s, mix(seed, hash(name)), depth + 1))).collect())
        }
        Some("object") => {
            // a map: as many entries as it must have
            let min = schema.get("minProperties").and_then(Value::as_u64).unwrap_or(0);
            let values = schema.get("additionalProperties").filter(|v| v.is_object()).cloned().unwrap_or(json!({}));
            Value::Object((0..min).map(|i| (format!("key{i}"), synthesize_at(spec, &values, mix(seed, i), depth + 1))).collect())
        }
        Some("array") => {
            let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            let max = schema.get("maxItems").and_then(Value::as_u64).unwrap_or(u64::MAX);
            let n = if depth < 4 { 2u64.clamp(min, max.max(min)) } else { min };
            if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
                // distinct items: other seeds until there are enough (an enum may have fewer)
                let mut items: Vec<Value> = Vec::new();
                for i in 0..n * 16 {
                    let item = synthesize_at(spec, &schema["items"], mix(seed, i), depth + 1);
                    if !items.contains(&item) {
                        items.push(item);
                    }
                    if items.len() as u64 == n {
                        break;
                    }
                }
                return Value::Array(items);
            }
            Value::Array((0..n).map(|i| synthesize_at(spec, &schema["items"], mix(seed, i), depth + 1)).collect())
        }
        Some("integer") | Some("number") => {
            let low = bound("minimum").map(|m| if schema["exclusiveMinimum"] == true { m + 1.0 } else { m }).unwrap_or(1.0);
            let high = bound("maximum").map(|m| if schema["exclusiveMaximum"] == true { m - 1.0 } else { m }).unwrap_or(low + 100.0);
            let span = (high - low).max(0.0) as u64;
            let n = low + (seed % (span.min(100) + 1)) as f64;
            if schema["type"] == "integer" { json!(n as i64) } else { json!(n) }
        }
        Some("boolean") => json!(seed.is_multiple_of(2)),
        _ => Value::String(string(schema, seed)),
    }
}

fn string(schema: &Value, seed: u64) -> String {
    if let Some(text) = schema.get("pattern").and_then(Value::as_str).and_then(|p| pattern::sample(p, seed)) {
        return text;
    }
    match schema.get("format").and_then(Value::as_str) {
        Some("uuid") => uuid::Uuid::from_u64_pair(seed, mix(seed, 1)).to_string(),
        Some("date-time") => {
            (crate::seed::epoch() + chrono::Duration::seconds((seed % 1_000_000) as i64)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        }
        Some("date") => (crate::seed::epoch() + chrono::Duration::days((seed % 1000) as i64)).format("%Y-%m-%d").to_string(),
        // loopback, so that a synthesised callback never leaves the machine
        Some("uri" | "url") => format!("https://127.0.0.1:9/example/{}", seed % 10_000),
        Some("email") => format!("user{}@example.com", seed % 10_000),
        _ => {
            let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
            let max = schema.get("maxLength").and_then(Value::as_u64).unwrap_or(64) as usize;
            let mut s = format!("text-{}", seed % 10_000);
            while s.chars().count() < min {
                s.push('x');
            }
            s.chars().take(max.max(min)).collect()
        }
    }
}

/// splitmix64 of `a` and `b`: a seed for a part from the seed of the whole.
fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a: a stable hash of a name (std's hasher is not stable across releases).
fn hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// OpenAPI 3.0 schema → JSON Schema: `nullable: true` becomes a `null` alternative.
///
/// ```
/// let schema = zaia_mock::spec::to_json_schema(&serde_json::json!({"type": "string", "nullable": true}));
/// assert_eq!(schema, serde_json::json!({"type": ["string", "null"]}));
/// ```
pub fn to_json_schema(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            // an empty `enum` beside a reference (`"enum": [], "allOf": [{"$ref": ...}]`) allows
            // nothing as written; vendors mean the reference's values
            let empty_enum = |k: &String, v: &Value| k == "enum" && v.as_array().is_some_and(Vec::is_empty);
            // `oneOf` as `anyOf`: vendors write `oneOf` for alternatives that overlap (objects
            // whose members are all optional, a string and a string with a format), and their
            // servers take the first that fits; JSON Schema's "exactly one" would refuse
            // values the vendor accepts
            let key = |k: &String| if k == "oneOf" && map.get(k).is_some_and(Value::is_array) { "anyOf".to_string() } else { k.clone() };
            let mut out: Map<String, Value> =
                map.iter().filter(|(k, v)| *k != "nullable" && !empty_enum(k, v)).map(|(k, v)| (key(k), to_json_schema(v))).collect();
            if map.get("nullable") == Some(&json!(true)) {
                if let Some(Value::String(t)) = out.get("type").cloned() {
                    out.insert("type".into(), json!([t, "null"]));
                    if let Some(Value::Array(values)) = out.get_mut("enum") {
                        values.push(Value::Null);
                    }
                } else {
                    return json!({"anyOf": [{"type": "null"}, Value::Object(out)]});
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_find_their_operation_literals_first() {
        let spec = spec();
        let (op, params) = spec.find("GET", "/api/v1/chats/details").unwrap();
        assert_eq!((op.id.as_str(), params.len()), ("list_chat_details", 0));
        let (op, params) = spec.find("GET", "/api/v1/chats/abc").unwrap();
        assert_eq!(op.id, "get_chat");
        assert_eq!(params, [("id".to_string(), "abc".to_string())]);
        assert!(spec.find("PUT", "/api/v1/chats/abc").is_none());
        assert!(spec.find("GET", "/api/v1/nothing").is_none());
    }

    #[test]
    fn synthesised_requests_and_answers_are_valid_and_deterministic() {
        let spec = spec();
        for op in spec.operations() {
            let (path, body) = op.example_request(7);
            let (route, query) = path.split_once('?').unwrap_or((&path, ""));
            let (_, params) = spec.find(&op.method, route).unwrap();
            let query: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
            let bytes = body.map(|b| serde_json::to_vec(&b).unwrap()).unwrap_or_default();
            assert!(op.validate(&params, &query, &bytes).is_ok(), "{}: {:?}", op.id, op.validate(&params, &query, &bytes).err());
            assert!(op.validate_headers(&op.example_headers(7)).is_ok(), "{}", op.id);
            let (status, answer) = op.example_response(7, &params);
            match op.response_schema(status) {
                Some(schema) => {
                    let errors: Vec<String> = spec.validator(schema).iter_errors(&answer).map(|e| e.to_string()).collect();
                    assert!(errors.is_empty(), "{}: {errors:?}", op.id);
                }
                // a status without content (204) answers no body
                None => assert_eq!(answer, Value::Null, "{}", op.id),
            }
            assert_eq!(op.example_response(7, &params), (status, answer));
        }
    }

    #[test]
    fn invalid_requests_name_the_field() {
        let spec = spec();
        let (op, _) = spec.find("GET", "/api/v1/chats").unwrap();
        let err = op.validate(&[], &[("pageSize".into(), "500".into())], b"").unwrap_err();
        assert!(err.message().starts_with("pageSize: 500 is greater than the maximum of 100"), "{}", err.message());
        let (op, _) = spec.find("GET", "/api/v1/chat-messages").unwrap();
        assert_eq!(op.validate(&[], &[], b"").unwrap_err().message(), "chatId is required.");
        let (op, _) = spec.find("POST", "/api/v1/chat-messages").unwrap();
        let err = op.validate(&[], &[], br#"{"chatId": "x"}"#).unwrap_err();
        assert!(err.message().contains("chatId") || err.message().starts_with("body: "), "{}", err.message());
    }

    #[test]
    fn the_converter_turns_nullable_into_a_null_alternative() {
        assert_eq!(to_json_schema(&json!({"type": "string", "nullable": true})), json!({"type": ["string", "null"]}));
        assert_eq!(
            to_json_schema(&json!({"type": "string", "enum": ["a"], "nullable": true})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        assert_eq!(
            to_json_schema(&json!({"nullable": true, "allOf": [{"$ref": "#/x"}]})),
            json!({"anyOf": [{"type": "null"}, {"allOf": [{"$ref": "#/x"}]}]})
        );
        let v = spec().validator(&json!({"$ref": "#/components/schemas/ChatMessageFollowUp"}));
        assert!(!v.is_valid(&json!({"id": "not-a-uuid"})));
    }

    #[test]
    fn form_fields_are_typed_by_the_schema() {
        let schema = json!({"type": "object", "properties": {
            "n": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}, "ok": {"type": "boolean"}}});
        let fields: Vec<(String, String)> = [("n", "5"), ("tags", "a"), ("tags", "b"), ("ok", "true"), ("other", "x")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .to_vec();
        assert_eq!(form_object(spec(), &schema, &fields), json!({"n": 5, "tags": ["a", "b"], "ok": true, "other": "x"}));
        assert!(
            check_body(
                &json!({"type": "object", "properties": {"n": {"type": "integer"}}}),
                &form_object(spec(), &schema, &[("n".into(), "five".into())])
            )
            .is_err()
        );
    }

    #[test]
    fn overlapping_one_of_alternatives_accept_what_fits_either() {
        let schema = json!({"oneOf": [{"type": "object", "properties": {"a": {"type": "string"}}}, {"type": "object", "properties": {"b": {"type": "integer"}}}]});
        let v = spec().validator(&schema);
        assert!(v.is_valid(&json!({})), "both fit: a server takes the first");
        assert!(!v.is_valid(&json!({"a": 1, "b": "x"})), "neither fits");
    }
}
