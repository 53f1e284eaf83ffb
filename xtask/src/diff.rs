//! `cargo xtask diff`: what changed between two merged specs, for a program using the SDK, and
//! the version bumps it implies.
//!
//! Every change is one of the [`RULES`]: each says how severe the change is *for Rust code*
//! built against the generated crates, which crate it touches, and why:
//! - **breaking**: code that compiled and worked may not any more (an item it uses is gone or
//!   retyped, `T::new` takes other arguments, a request needs something new, a call that passed
//!   the client-side checks is refused);
//! - **additive**: new things to use, nothing taken away (optional fields and parameters: the
//!   models are `#[non_exhaustive]`; enum values: the enums are open);
//! - **documentation**: nothing a program can observe changes.
//!
//! `cargo xtask semver` checks these verdicts against cargo-semver-checks and a compiled
//! consumer of the old crates, on the fixtures in `xtask/tests/fixtures/compat/` (one or more
//! per rule).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use crate::document::operations;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Documentation,
    Additive,
    Breaking,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Documentation => "documentation only",
            Severity::Additive => "additive",
            Severity::Breaking => "breaking",
        })
    }
}

/// Which generated code a change touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Operations, parameters, statuses, security: the client crate.
    Operations,
    /// Schemas: the models crate (and through it everything else).
    Schemas,
    /// Limits zaia-ext checks before sending (and the mock enforces); the generated crates only
    /// document them.
    Checks,
}

/// One kind of change: its id (what fixtures name), severity, scope, and why.
#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub scope: Scope,
    pub why: &'static str,
}

macro_rules! rules {
    ($($name:ident: $id:literal, $severity:ident, $scope:ident, $why:literal;)*) => {
        $(pub const $name: &Rule = &Rule { id: $id, severity: Severity::$severity, scope: Scope::$scope, why: $why };)*
        /// Every rule, in the order the report explains them.
        pub const RULES: &[&Rule] = &[$($name),*];
    };
}

rules! {
    OPERATION_ADDED: "operation-added", Additive, Operations, "a new method on the client";
    OPERATION_REMOVED: "operation-removed", Breaking, Operations, "its method is gone";
    OPERATION_RENAMED: "operation-renamed", Breaking, Operations, "its method (the operation id) has another name: calls to the old one no longer compile";
    OPERATION_DEPRECATED: "operation-deprecated", Additive, Operations, "it still works; deprecations are announced in minor releases";
    OPERATION_UNDEPRECATED: "operation-undeprecated", Documentation, Operations, "nothing a program sees changes";
    PARAMETER_ADDED_REQUIRED: "parameter-added-required", Breaking, Operations, "a call that does not set it fails when sent (the builder checks it then)";
    PARAMETER_ADDED_OPTIONAL: "parameter-added-optional", Additive, Operations, "a new builder setter";
    PARAMETER_REMOVED: "parameter-removed", Breaking, Operations, "its builder setter is gone";
    PARAMETER_MADE_REQUIRED: "parameter-made-required", Breaking, Operations, "a call that does not set it fails when sent";
    PARAMETER_MADE_OPTIONAL: "parameter-made-optional", Additive, Operations, "the setter is the same; leaving it out now works";
    PARAMETER_DEPRECATED: "parameter-deprecated", Additive, Operations, "it still works";
    REQUEST_BODY_ADDED: "request-body-added", Breaking, Operations, "calls without a body fail";
    REQUEST_BODY_REMOVED: "request-body-removed", Breaking, Operations, "the `body` setter is gone";
    REQUEST_MEDIA_TYPE_ADDED: "request-media-type-added", Documentation, Operations, "the SDK sends JSON, accepted as before (JSON itself coming or going is a body change)";
    REQUEST_MEDIA_TYPE_REMOVED: "request-media-type-removed", Documentation, Operations, "the SDK never sent it; JSON is still accepted";
    RESPONSE_MEDIA_TYPE_ADDED: "response-media-type-added", Documentation, Operations, "the client asks for JSON (`Accept`), still answered";
    RESPONSE_MEDIA_TYPE_REMOVED: "response-media-type-removed", Documentation, Operations, "the client never asked for it; JSON is still answered";
    SUCCESS_STATUS_ADDED: "success-status-added", Additive, Operations, "it decodes as the same type (progenitor refuses a second success type: generation stops)";
    SUCCESS_STATUS_REMOVED: "success-status-removed", Documentation, Operations, "another success status remains, with the same type";
    FIRST_SUCCESS_STATUS_ADDED: "first-success-status-added", Breaking, Operations, "the method's response type changes from none to the body's";
    LAST_SUCCESS_STATUS_REMOVED: "last-success-status-removed", Breaking, Operations, "the method's response type changes to none";
    ERROR_STATUS_ADDED: "error-status-added", Additive, Operations, "errors decode as before (one KnownException)";
    ERROR_STATUS_REMOVED: "error-status-removed", Additive, Operations, "an undocumented status is still an error";
    RESPONSE_HEADER_ADDED: "response-header-added", Additive, Operations, "a new header to read";
    RESPONSE_HEADER_REMOVED: "response-header-removed", Breaking, Operations, "code reading it finds nothing";
    SECURITY_REQUIREMENT_ADDED: "security-requirement-added", Breaking, Operations, "requests authenticated as before are refused";
    SECURITY_REQUIREMENT_RELAXED: "security-requirement-relaxed", Additive, Operations, "requests authenticated as before still pass";
    SECURITY_SCHEME_ADDED: "security-scheme-added", Documentation, Operations, "the SDK signs with the one `apiKey` header scheme, as before (a second one stops generation)";
    SECURITY_SCHEME_REMOVED: "security-scheme-removed", Documentation, Operations, "the SDK never used it (removing the `apiKey` scheme it uses stops generation)";
    SECURITY_SCHEME_CHANGED: "security-scheme-changed", Additive, Operations, "the client puts the key where the scheme says (`API_KEY_HEADER`, generated); a scheme the runtime cannot send stops generation";
    TYPE_ADDED: "type-added", Additive, Schemas, "a new type in the models";
    TYPE_REMOVED: "type-removed", Breaking, Schemas, "the type is gone";
    TYPE_DEPRECATED: "type-deprecated", Additive, Schemas, "it still works";
    RETYPED: "retyped", Breaking, Schemas, "the Rust type of the value changes";
    REQUEST_FIELD_ADDED_REQUIRED: "request-field-added-required", Breaking, Schemas, "`new` takes it: every construction must supply it";
    REQUEST_FIELD_ADDED_OPTIONAL: "request-field-added-optional", Additive, Schemas, "a new field and `with_*` setter; structs are non-exhaustive";
    RESPONSE_FIELD_ADDED_REQUIRED: "response-field-added-required", Breaking, Schemas, "`new` takes it: code building the type (mocks, tests) must supply it";
    RESPONSE_FIELD_ADDED_OPTIONAL: "response-field-added-optional", Additive, Schemas, "a new field and `with_*` setter; structs are non-exhaustive";
    FIELD_REMOVED: "field-removed", Breaking, Schemas, "the field is gone";
    FIELD_MADE_REQUIRED: "field-made-required", Breaking, Schemas, "`Option<T>` becomes `T` and joins `new`'s arguments";
    NULLABLE_RESPONSE_FIELD_MADE_REQUIRED: "nullable-response-field-made-required", Documentation, Schemas, "the Rust type stays `Option<T>`: absent and `null` both decode to `None`";
    NULLABLE_REQUEST_FIELD_MADE_REQUIRED: "nullable-request-field-made-required", Breaking, Schemas, "`Patch<T>` becomes `Option<T>`: the field is always sent, `null` or a value";
    UNION_ALTERNATIVE_ADDED: "union-alternative-added", Additive, Schemas, "a new variant of a `#[non_exhaustive]` union (values of it decoded to `Unknown` before)";
    UNION_ALTERNATIVE_REMOVED: "union-alternative-removed", Breaking, Schemas, "its variant is gone";
    FIELD_MADE_OPTIONAL: "field-made-optional", Breaking, Schemas, "`T` becomes `Option<T>` and leaves `new`'s arguments";
    FIELD_DEPRECATED: "field-deprecated", Additive, Schemas, "it still works";
    REQUIRED_MADE_NULLABLE: "required-value-made-nullable", Breaking, Schemas, "`T` becomes `Option<T>`";
    REQUIRED_NO_LONGER_NULLABLE: "required-value-no-longer-nullable", Breaking, Schemas, "`Option<T>` becomes `T`";
    OPTIONAL_REQUEST_MADE_NULLABLE: "optional-request-field-made-nullable", Breaking, Schemas, "`Option<T>` becomes `Patch<T>` (absent, null or a value)";
    OPTIONAL_REQUEST_NO_LONGER_NULLABLE: "optional-request-field-no-longer-nullable", Breaking, Schemas, "`Patch<T>` becomes `Option<T>`";
    OPTIONAL_RESPONSE_MADE_NULLABLE: "optional-response-field-made-nullable", Additive, Schemas, "still an `Option<T>`: `null` decodes as `None`";
    OPTIONAL_RESPONSE_NO_LONGER_NULLABLE: "optional-response-field-no-longer-nullable", Documentation, Schemas, "still an `Option<T>`";
    ENUM_VALUE_ADDED: "enum-value-added", Additive, Schemas, "the enums are open and non-exhaustive";
    ENUM_VALUE_REMOVED: "enum-value-removed", Breaking, Schemas, "its variant is gone";
    REQUEST_LIMIT_TIGHTENED: "request-limit-tightened", Breaking, Checks, "a value that passed the client-side checks is refused before sending";
    REQUEST_LIMIT_LOOSENED: "request-limit-loosened", Additive, Checks, "more values pass the client-side checks";
    RESPONSE_LIMIT_CHANGED: "response-limit-changed", Documentation, Schemas, "responses are read tolerantly, never checked against limits";
    PATCH_FIELD_CHANGED: "patch-field-changed", Breaking, Schemas, "an optional nullable field is `Patch<T>` in a request body type and `Option<T>` elsewhere: the type became or stopped being a body";
}

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub severity: Severity,
    pub scope: Scope,
    /// The rule's id.
    pub rule: &'static str,
    pub what: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Request,
    Response,
}

/// Every change from `old` to `new`, breaking first; empty when they are equal but for text
/// (see [`verdict`]).
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut d = Differ { old, new, changes: BTreeSet::new() };
    let key = |(path, method, op): (String, String, &Value)| {
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or("?").to_string();
        (format!("{} {path}", method.to_uppercase()), (id, op.clone()))
    };
    let old_ops: BTreeMap<_, _> = operations(old).into_iter().map(key).collect();
    let new_ops: BTreeMap<_, _> = operations(new).into_iter().map(key).collect();
    for (route, (id, _)) in &old_ops {
        if !new_ops.contains_key(route) {
            d.add(OPERATION_REMOVED, format!("operation removed: {route} ({id})"));
        }
    }
    for (route, (id, op)) in &new_ops {
        match old_ops.get(route) {
            None => d.add(OPERATION_ADDED, format!("operation added: {route} ({id})")),
            Some((old_id, old_op)) => {
                if old_id != id {
                    d.add(OPERATION_RENAMED, format!("operation renamed: {route} ({old_id} → {id})"));
                }
                d.operation(id, old_op, op)
            }
        }
    }
    d.security_schemes();
    d.patch_fields();
    // types come and go with the models crate, whichever operation brought them
    let schemas = |spec: &Value| spec.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    let (old_schemas, new_schemas) = (schemas(old), schemas(new));
    for name in old_schemas.keys().filter(|n| !new_schemas.contains_key(*n)) {
        d.add(TYPE_REMOVED, format!("type removed: {name}"));
    }
    for (name, schema) in &new_schemas {
        match old_schemas.get(name) {
            None => d.add(TYPE_ADDED, format!("type added: {name}")),
            Some(old_schema) if deprecated(schema) && !deprecated(old_schema) => d.add(TYPE_DEPRECATED, format!("type deprecated: {name}")),
            Some(_) => {}
        }
    }
    let mut changes: Vec<Change> = d.changes.into_iter().collect();
    changes.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.what.cmp(&b.what)));
    changes
}

/// The overall verdict: the worst change, documentation when only text differs, `None` when
/// the specs are the same.
pub fn verdict(old: &Value, new: &Value, changes: &[Change]) -> Option<Severity> {
    changes.iter().map(|c| c.severity).max().or_else(|| (strip_provenance(old) != strip_provenance(new)).then_some(Severity::Documentation))
}

/// The spec without what records where it came from: each operation's fragment, and the crate
/// versions a release baseline (`openapi/released.json`) carries.
fn strip_provenance(spec: &Value) -> Value {
    let mut spec = spec.clone();
    if let Some(root) = spec.as_object_mut() {
        root.remove(crate::baseline::VERSIONS_KEY);
        root.remove(crate::baseline::COMMIT_KEY);
    }
    crate::document::for_each_operation_mut(&mut spec, |_, _, op| {
        if let Some(op) = op.as_object_mut() {
            op.remove(crate::document::SOURCE_KEY);
        }
    });
    spec
}

/// The media types of the old and new `content` at `pointer`, when both offer JSON (else none):
/// JSON itself coming or going is the body's change, not a media type's.
fn media_beside_json(old: &Value, new: &Value, pointer: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let media = |v: &Value| -> BTreeSet<String> {
        v.pointer(pointer).and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default()
    };
    let (o, n) = (media(old), media(new));
    if o.contains("application/json") && n.contains("application/json") { (o, n) } else { Default::default() }
}

fn deprecated(v: &Value) -> bool {
    v.get("deprecated") == Some(&Value::Bool(true))
}

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    changes: BTreeSet<Change>,
}

impl Differ<'_> {
    fn add(&mut self, rule: &'static Rule, what: String) {
        self.add_in(rule, rule.scope, what);
    }

    /// A schema rule where the schema is not a model type (a parameter's inline schema is
    /// the client's), or a limit (always what zaia-ext checks).
    fn add_in(&mut self, rule: &'static Rule, scope: Scope, what: String) {
        let scope = if rule.scope == Scope::Schemas { scope } else { rule.scope };
        self.changes.insert(Change { severity: rule.severity, scope, rule: rule.id, what });
    }

    /// `{what} added: x` and `{what} removed: x` for the members of one set and not the other.
    fn added_removed(
        &mut self,
        old: &BTreeSet<String>,
        new: &BTreeSet<String>,
        (added, removed): (&'static Rule, &'static Rule),
        what: &str,
    ) {
        for x in new.difference(old) {
            self.add(added, format!("{what} added: {x}"));
        }
        for x in old.difference(new) {
            self.add(removed, format!("{what} removed: {x}"));
        }
    }

    fn operation(&mut self, id: &str, old: &Value, new: &Value) {
        match (deprecated(old), deprecated(new)) {
            (false, true) => self.add(OPERATION_DEPRECATED, format!("{id}: operation deprecated")),
            (true, false) => self.add(OPERATION_UNDEPRECATED, format!("{id}: operation no longer deprecated")),
            _ => {}
        }
        self.parameters(id, old, new);
        self.security(id, old, new);
        let body = |op: &Value| op.pointer("/requestBody/content/application~1json/schema").cloned();
        match (body(old), body(new)) {
            (Some(o), Some(n)) => {
                self.schema(&o, &n, Direction::Request, true, &format!("{id}: request"), Scope::Schemas, &mut BTreeSet::new())
            }
            (None, Some(_)) => self.add(REQUEST_BODY_ADDED, format!("{id}: request body added")),
            (Some(_), None) => self.add(REQUEST_BODY_REMOVED, format!("{id}: request body removed")),
            (None, None) => {}
        }
        let (old_media, new_media) = media_beside_json(old, new, "/requestBody/content");
        let what = format!("{id}: request media type");
        self.added_removed(&old_media, &new_media, (REQUEST_MEDIA_TYPE_ADDED, REQUEST_MEDIA_TYPE_REMOVED), &what);
        let responses = |op: &Value| op.get("responses").and_then(Value::as_object).cloned().unwrap_or_default();
        let (old_r, new_r) = (responses(old), responses(new));
        let any_success = |r: &serde_json::Map<String, Value>| r.keys().any(|s| s.starts_with('2'));
        let (old_success, new_success) = (any_success(&old_r), any_success(&new_r));
        for (status, response) in &new_r {
            let success = status.starts_with('2');
            match old_r.get(status) {
                None if success && !old_success => self.add(FIRST_SUCCESS_STATUS_ADDED, format!("{id}: success status {status} added")),
                None if success => self.add(SUCCESS_STATUS_ADDED, format!("{id}: success status {status} added")),
                None => self.add(ERROR_STATUS_ADDED, format!("{id}: error status {status} documented")),
                Some(old_response) => {
                    let schema = |r: &Value| r.pointer("/content/application~1json/schema").cloned().unwrap_or(Value::Null);
                    let at = format!("{id}: {status} response");
                    let (old_schema, new_schema) = (schema(old_response), schema(response));
                    self.schema(&old_schema, &new_schema, Direction::Response, true, &at, Scope::Schemas, &mut BTreeSet::new());
                    let (om, nm) = media_beside_json(old_response, response, "/content");
                    self.added_removed(&om, &nm, (RESPONSE_MEDIA_TYPE_ADDED, RESPONSE_MEDIA_TYPE_REMOVED), &format!("{at}: media type"));
                    // header names are case-insensitive
                    let headers = |r: &Value| -> BTreeSet<String> {
                        r.get("headers")
                            .and_then(Value::as_object)
                            .map(|m| m.keys().map(|k| k.to_ascii_lowercase()).collect())
                            .unwrap_or_default()
                    };
                    let (oh, nh) = (headers(old_response), headers(response));
                    self.added_removed(&oh, &nh, (RESPONSE_HEADER_ADDED, RESPONSE_HEADER_REMOVED), &format!("{at}: header"));
                }
            }
        }
        for status in old_r.keys().filter(|s| !new_r.contains_key(*s)) {
            let rule = match (status.starts_with('2'), new_success) {
                (true, true) => SUCCESS_STATUS_REMOVED,
                (true, false) => LAST_SUCCESS_STATUS_REMOVED,
                (false, _) => ERROR_STATUS_REMOVED,
            };
            self.add(rule, format!("{id}: status {status} no longer documented"));
        }
    }

    fn parameters(&mut self, id: &str, old: &Value, new: &Value) {
        let params = |op: &Value| -> Vec<(String, Value)> {
            op.get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| (format!("{} `{}`", p["in"].as_str().unwrap_or("?"), p["name"].as_str().unwrap_or("?")), p.clone()))
                .collect()
        };
        let (old_params, new_params) = (params(old), params(new));
        let required = |p: &Value| p.get("required") == Some(&Value::Bool(true));
        for (name, _) in &old_params {
            if !new_params.iter().any(|(n, _)| n == name) {
                self.add(PARAMETER_REMOVED, format!("{id}: parameter removed: {name}"));
            }
        }
        for (name, p) in &new_params {
            match old_params.iter().find(|(n, _)| n == name) {
                None if required(p) => self.add(PARAMETER_ADDED_REQUIRED, format!("{id}: parameter added (required): {name}")),
                None => self.add(PARAMETER_ADDED_OPTIONAL, format!("{id}: parameter added (optional): {name}")),
                Some((_, old_p)) => {
                    match (required(old_p), required(p)) {
                        (false, true) => self.add(PARAMETER_MADE_REQUIRED, format!("{id}: parameter made required: {name}")),
                        (true, false) => self.add(PARAMETER_MADE_OPTIONAL, format!("{id}: parameter made optional: {name}")),
                        _ => {}
                    }
                    if deprecated(p) && !deprecated(old_p) {
                        self.add(PARAMETER_DEPRECATED, format!("{id}: parameter deprecated: {name}"));
                    }
                    let at = format!("{id}: parameter {name}");
                    // an inline parameter schema is the client's; a referenced one a model's
                    self.schema(
                        &old_p["schema"],
                        &p["schema"],
                        Direction::Request,
                        required(p),
                        &at,
                        Scope::Operations,
                        &mut BTreeSet::new(),
                    );
                }
            }
        }
    }

    /// The ways an operation accepts to be called (its `security`, else the document's): a
    /// way that worked and is gone breaks; new ways are additive.
    fn security(&mut self, id: &str, old: &Value, new: &Value) {
        let ways = |root: &Value, op: &Value| -> BTreeSet<BTreeSet<String>> {
            let requirements = op.get("security").or_else(|| root.get("security"));
            match requirements.and_then(Value::as_array) {
                // none, or `security: []`: anyone may call
                None => BTreeSet::from([BTreeSet::new()]),
                Some(list) if list.is_empty() => BTreeSet::from([BTreeSet::new()]),
                Some(list) => list.iter().map(|r| r.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default()).collect(),
            }
        };
        let (o, n) = (ways(self.old, old), ways(self.new, new));
        let show =
            |way: &BTreeSet<String>| if way.is_empty() { "none".to_string() } else { way.iter().cloned().collect::<Vec<_>>().join(" + ") };
        // a way still works when the new spec accepts it or a part of it
        for way in &o {
            if !n.iter().any(|w| w.is_subset(way)) {
                self.add(SECURITY_REQUIREMENT_ADDED, format!("{id}: security `{}` no longer enough", show(way)));
            }
        }
        // a new way that asks no more than some old way did
        for way in n.difference(&o) {
            if !o.iter().any(|w| w.is_subset(way)) {
                self.add(SECURITY_REQUIREMENT_RELAXED, format!("{id}: security `{}` accepted", show(way)));
            }
        }
    }

    /// Optional nullable fields of request body types are `Patch<T>` (see
    /// `codegen/patch_fields.rs`): a type that becomes or stops being a body changes them,
    /// though no field of it changed.
    fn patch_fields(&mut self) {
        let fields = |spec: &Value| -> BTreeSet<(String, String)> {
            crate::codegen::patch_fields::targets(spec)
                .into_iter()
                .flat_map(|(t, fs)| fs.into_iter().map(move |f| (t.clone(), f)))
                .collect()
        };
        let (o, n) = (fields(self.old), fields(self.new));
        for (schema, field) in o.symmetric_difference(&n) {
            let property = |spec: &Value| {
                let s = spec.pointer(&format!("/components/schemas/{schema}"))?;
                let required = s.get("required").and_then(Value::as_array).is_some_and(|r| r.iter().any(|v| v == field.as_str()));
                Some((required, s.pointer(&format!("/properties/{field}/nullable")).cloned()))
            };
            // a change of the field itself is reported where it happened
            if property(self.old).is_some() && property(self.old) == property(self.new) {
                let now =
                    if n.contains(&(schema.clone(), field.clone())) { "`Option<T>` → `Patch<T>`" } else { "`Patch<T>` → `Option<T>`" };
                self.add(PATCH_FIELD_CHANGED, format!("{schema}.{field}: {now}"));
            }
        }
    }

    fn security_schemes(&mut self) {
        let schemes = |spec: &Value| spec.pointer("/components/securitySchemes").and_then(Value::as_object).cloned().unwrap_or_default();
        let (o, n) = (schemes(self.old), schemes(self.new));
        // what decides where and how the credential is sent; descriptions do not
        let wire = |s: &Value| ["type", "in", "name", "scheme", "bearerFormat"].map(|k| s.get(k).cloned());
        for (name, scheme) in &n {
            match o.get(name) {
                None => self.add(SECURITY_SCHEME_ADDED, format!("security scheme added: {name}")),
                Some(old) if wire(old) != wire(scheme) => self.add(SECURITY_SCHEME_CHANGED, format!("security scheme changed: {name}")),
                Some(_) => {}
            }
        }
        for name in o.keys().filter(|k| !n.contains_key(*k)) {
            self.add(SECURITY_SCHEME_REMOVED, format!("security scheme removed: {name}"));
        }
    }

    /// Resolves `$ref` and the `{nullable, allOf: [$ref]}` wrapper: (schema, nullable, name).
    fn resolve<'s>(&self, root: &'s Value, schema: &'s Value) -> (&'s Value, bool, Option<String>) {
        let nullable = schema.get("nullable") == Some(&Value::Bool(true));
        let inner = match schema.get("allOf").and_then(Value::as_array) {
            Some(all) if all.len() == 1 => &all[0],
            _ => schema,
        };
        match inner.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.rsplit('/').next().map(String::from);
                let target = r.strip_prefix('#').and_then(|p| root.pointer(p)).unwrap_or(&Value::Null);
                (target, nullable || target.get("nullable") == Some(&Value::Bool(true)), name)
            }
            None => (inner, nullable, None),
        }
    }

    /// `required`: whether the value must be present where it is (a required property, a
    /// body, an array item): its nullability then decides between `T` and `Option<T>`.
    fn schema(
        &mut self,
        old: &Value,
        new: &Value,
        dir: Direction,
        required: bool,
        at: &str,
        scope: Scope,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let (o, o_null, o_name) = self.resolve(self.old, old);
        let (n, n_null, n_name) = self.resolve(self.new, new);
        let scope = if o_name.is_some() || n_name.is_some() { Scope::Schemas } else { scope };
        if let (Some(a), Some(b)) = (&o_name, &n_name)
            && !seen.insert((a.clone(), b.clone()))
        {
            return;
        }
        let (o_sig, n_sig) = (signature(o), signature(n));
        if o_sig != n_sig {
            self.add_in(RETYPED, scope, format!("{at}: retyped from {o_sig} to {n_sig}"));
            return;
        }
        if o_null != n_null {
            let rule = match (required, dir, n_null) {
                (true, _, true) => REQUIRED_MADE_NULLABLE,
                (true, _, false) => REQUIRED_NO_LONGER_NULLABLE,
                (false, Direction::Request, true) => OPTIONAL_REQUEST_MADE_NULLABLE,
                (false, Direction::Request, false) => OPTIONAL_REQUEST_NO_LONGER_NULLABLE,
                (false, Direction::Response, true) => OPTIONAL_RESPONSE_MADE_NULLABLE,
                (false, Direction::Response, false) => OPTIONAL_RESPONSE_NO_LONGER_NULLABLE,
            };
            self.add_in(rule, scope, format!("{at}: {}", if n_null { "made nullable" } else { "no longer nullable" }));
        }
        self.limits(o, n, dir, at);
        let values = |s: &Value| -> BTreeSet<String> {
            s.get("enum").and_then(Value::as_array).into_iter().flatten().filter(|v| !v.is_null()).map(|v| v.to_string()).collect()
        };
        let (ov, nv) = (values(o), values(n));
        for added in nv.difference(&ov) {
            self.add_in(ENUM_VALUE_ADDED, scope, format!("{at}: enum value added: {added}"));
        }
        for removed in ov.difference(&nv) {
            self.add_in(ENUM_VALUE_REMOVED, scope, format!("{at}: enum value removed: {removed}"));
        }
        if let (Some(oi), Some(ni)) = (o.get("items"), n.get("items")) {
            self.schema(oi, ni, dir, true, &format!("{at}[]"), scope, seen);
        }
        if let (Some(oa), Some(na)) = (o.get("additionalProperties"), n.get("additionalProperties"))
            && oa.is_object()
            && na.is_object()
        {
            self.schema(oa, na, dir, true, &format!("{at}{{*}}"), scope, seen);
        }
        // the alternatives of a union, by their type's name (else their place), at any depth
        for keyword in ["oneOf", "anyOf", "allOf"] {
            let alternatives = |s: &Value| -> Vec<(String, Value)> {
                s.get(keyword)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .map(|(i, a)| {
                        let key =
                            a.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()).map_or(i.to_string(), String::from);
                        (key, a.clone())
                    })
                    .collect()
            };
            let (oa, na) = (alternatives(o), alternatives(n));
            if keyword == "allOf" && oa.len() < 2 && na.len() < 2 {
                continue; // a nullable reference's wrapper, resolved above
            }
            for (key, alternative) in &na {
                match oa.iter().find(|(k, _)| k == key) {
                    Some((_, old_alternative)) => self.schema(old_alternative, alternative, dir, true, &format!("{at}|{key}"), scope, seen),
                    None if keyword == "allOf" => self.add_in(RETYPED, scope, format!("{at}: allOf member {key} added")),
                    None => self.add_in(UNION_ALTERNATIVE_ADDED, scope, format!("{at}: {keyword} alternative added: {key}")),
                }
            }
            for (key, _) in oa.iter().filter(|(k, _)| !na.iter().any(|(n, _)| n == k)) {
                let rule = if keyword == "allOf" { RETYPED } else { UNION_ALTERNATIVE_REMOVED };
                self.add_in(rule, scope, format!("{at}: {keyword} alternative removed: {key}"));
            }
        }
        let props = |s: &Value| s.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
        let required_set = |s: &Value| -> BTreeSet<String> {
            s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect()
        };
        let (op, np, or, nr) = (props(o), props(n), required_set(o), required_set(n));
        for (name, schema) in &np {
            let field = format!("{at}.{name}");
            match op.get(name) {
                None => {
                    let rule = match (dir, nr.contains(name)) {
                        (Direction::Request, true) => REQUEST_FIELD_ADDED_REQUIRED,
                        (Direction::Request, false) => REQUEST_FIELD_ADDED_OPTIONAL,
                        (Direction::Response, true) => RESPONSE_FIELD_ADDED_REQUIRED,
                        (Direction::Response, false) => RESPONSE_FIELD_ADDED_OPTIONAL,
                    };
                    self.add_in(rule, scope, format!("{field}: field added ({})", if nr.contains(name) { "required" } else { "optional" }));
                }
                Some(old_schema) => {
                    match (or.contains(name), nr.contains(name)) {
                        // a nullable field stays `Option<T>` when required: only a request's
                        // `Patch<T>` (optional and nullable) changes type
                        (false, true) if self.resolve(self.new, schema).1 => {
                            let rule = match dir {
                                Direction::Response => NULLABLE_RESPONSE_FIELD_MADE_REQUIRED,
                                Direction::Request => NULLABLE_REQUEST_FIELD_MADE_REQUIRED,
                            };
                            self.add_in(rule, scope, format!("{field}: made required (nullable)"))
                        }
                        (false, true) => self.add_in(FIELD_MADE_REQUIRED, scope, format!("{field}: made required")),
                        (true, false) => self.add_in(FIELD_MADE_OPTIONAL, scope, format!("{field}: made optional")),
                        _ => {}
                    }
                    if deprecated(schema) && !deprecated(old_schema) {
                        self.add_in(FIELD_DEPRECATED, scope, format!("{field}: deprecated"));
                    }
                    self.schema(old_schema, schema, dir, nr.contains(name), &field, scope, seen);
                }
            }
        }
        for name in op.keys().filter(|k| !np.contains_key(*k)) {
            self.add_in(FIELD_REMOVED, scope, format!("{at}.{name}: field removed"));
        }
    }

    /// Length, range, item count, pattern and format (those that do not change the Rust type):
    /// on a request they are checked before sending, so tighter is breaking.
    fn limits(&mut self, o: &Value, n: &Value, dir: Direction, at: &str) {
        for (key, tighter) in LIMITS {
            let (a, b) = (limit(o, key), limit(n, key));
            if a == b {
                continue;
            }
            let tightened = match (a, b, tighter) {
                (None, Some(_), _) => true,
                (Some(_), None, _) => false,
                (Some(a), Some(b), Tighter::Lower) => cmp(b, a),
                (Some(a), Some(b), Tighter::Higher) => cmp(a, b),
                (Some(_), Some(_), Tighter::Other) => true,
                (None, None, _) => continue,
            };
            let show = |v: Option<&Value>| v.map_or("none".to_string(), Value::to_string);
            let what = format!("{at}: {key} {} → {}", show(a), show(b));
            let rule = match (dir, tightened) {
                (Direction::Response, _) => RESPONSE_LIMIT_CHANGED,
                (Direction::Request, true) => REQUEST_LIMIT_TIGHTENED,
                (Direction::Request, false) => REQUEST_LIMIT_LOOSENED,
            };
            self.add(rule, what);
        }
    }
}

/// Which way a limit tightens.
enum Tighter {
    /// A lower maximum.
    Lower,
    /// A higher minimum.
    Higher,
    /// Any change (a pattern, a format, a multiple).
    Other,
}

const LIMITS: &[(&str, Tighter)] = &[
    ("maxLength", Tighter::Lower),
    ("maximum", Tighter::Lower),
    ("maxItems", Tighter::Lower),
    ("minLength", Tighter::Higher),
    ("minimum", Tighter::Higher),
    ("minItems", Tighter::Higher),
    // 3.0's boolean forms: `true` is the tighter one
    ("exclusiveMaximum", Tighter::Higher),
    ("exclusiveMinimum", Tighter::Higher),
    ("uniqueItems", Tighter::Higher),
    ("pattern", Tighter::Other),
    ("multipleOf", Tighter::Other),
    ("format", Tighter::Other),
];

/// The limit `key` of a schema; `format` only where it does not pick the Rust type.
fn limit<'s>(schema: &'s Value, key: &str) -> Option<&'s Value> {
    let value = schema.get(key)?;
    if key == "format"
        && (schema.get("type").and_then(Value::as_str) != Some("string") || value.as_str().is_some_and(|f| TYPED_FORMATS.contains(&f)))
    {
        return None;
    }
    Some(value)
}

/// `a < b`, for numbers and booleans (`false < true`).
fn cmp(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Bool(a), Value::Bool(b)) => a < b,
        _ => a.as_f64().zip(b.as_f64()).is_some_and(|(a, b)| a < b),
    }
}

/// String formats that pick the Rust type (typify); any other format is a limit.
const TYPED_FORMATS: &[&str] = &["uuid", "date-time", "date", "ipv4", "ipv6", "ip"];

/// A schema's type as Rust sees it: `string(uuid)`, `integer(int64)`, `array`, `object`, ...
fn signature(schema: &Value) -> String {
    let kind = if let Some(t) = schema.get("type").and_then(Value::as_str) {
        t.to_string()
    } else if schema.get("oneOf").is_some() || schema.get("anyOf").is_some() {
        "union".into()
    } else if schema.get("properties").is_some() {
        "object".into()
    } else {
        "any".into()
    };
    let format = schema.get("format").and_then(Value::as_str);
    match (kind.as_str(), format) {
        // typify's integer and number types: what the format picks, `i64` and `f64` when it
        // picks nothing (no format, `int64`, `double`, a vendor's own such as `timestamp`)
        ("integer", Some(f @ ("int8" | "int16" | "int32" | "uint8" | "uint16" | "uint32" | "uint64" | "uint"))) => format!("integer({f})"),
        ("integer", _) => "integer(int64)".into(),
        ("number", Some("float")) => "number(float)".into(),
        ("number", _) => "number(double)".into(),
        (_, Some(f)) if kind != "string" || TYPED_FORMATS.contains(&f) => format!("{kind}({f})"),
        _ => kind,
    }
}

/// `0.4.2` → the next version after a change of `severity` (Cargo semver: before 1.0 the minor
/// number is the breaking one).
pub fn bump(version: &str, severity: Severity) -> String {
    let core = version.split(['+', '-']).next().unwrap_or(version);
    let mut parts: Vec<u64> = core.split('.').map(|p| p.parse().unwrap_or(0)).collect();
    parts.resize(3, 0);
    let (major, minor, patch) = (parts[0], parts[1], parts[2]);
    match (major, severity) {
        (0, Severity::Breaking) => format!("0.{}.0", minor + 1),
        (0, _) => format!("0.{minor}.{}", patch + 1),
        (_, Severity::Breaking) => format!("{}.0.0", major + 1),
        (_, Severity::Additive) => format!("{major}.{}.0", minor + 1),
        (_, Severity::Documentation) => format!("{major}.{minor}.{}", patch + 1),
    }
}

/// What each crate needs. The models follow schema changes; the client follows operation and
/// schema changes (it exposes the models' types); limits change only what zaia-ext checks and
/// the mock enforces, and the generated crates' documentation. zaia-ext and zaia-mock expose
/// both generated crates, so they follow every change.
pub fn crate_bumps(changes: &[Change], verdict: Option<Severity>) -> Vec<(&'static str, Option<Severity>)> {
    let worst = |scopes: &[Scope]| changes.iter().filter(|c| scopes.contains(&c.scope)).map(|c| c.severity).max();
    let docs = (verdict == Some(Severity::Documentation)).then_some(Severity::Documentation);
    let documented = worst(&[Scope::Checks]).map(|_| Severity::Documentation).or(docs);
    let models = worst(&[Scope::Schemas]).or(documented);
    let client = worst(&[Scope::Operations, Scope::Schemas]).or(documented);
    let all = worst(&[Scope::Operations, Scope::Schemas, Scope::Checks]);
    vec![("zaia-models", models), ("zaia-client", client), ("zaia-ext", all), ("zaia-mock", all)]
}

/// The report `cargo xtask diff` prints.
pub fn report(old: &Value, new: &Value, versions: &[(String, String)]) -> String {
    let changes = diff(old, new);
    let verdict = verdict(old, new, &changes);
    let mut out = String::new();
    for c in &changes {
        out.push_str(&format!("{:<10} {}  [{}]\n", c.severity.to_string(), c.what, c.rule));
    }
    match verdict {
        None => out.push_str("verdict: no changes\n"),
        Some(v) => {
            out.push_str(&format!("verdict: {v}\nversion bumps (Cargo semver; before 1.0 a breaking change bumps the minor number):\n"));
            for (name, severity) in crate_bumps(&changes, Some(v)) {
                let current = versions.iter().find(|(n, _)| n == name).map_or("0.0.0", |(_, v)| v.as_str());
                match severity {
                    Some(s) => out.push_str(&format!("  {name:<12} {current} → {} ({s})\n", bump(current, s))),
                    None => out.push_str(&format!("  {name:<12} {current} (unchanged)\n")),
                }
            }
        }
    }
    let rules: BTreeSet<&str> = changes.iter().map(|c| c.rule).collect();
    if !rules.is_empty() {
        out.push_str("why:\n");
        for r in RULES.iter().filter(|r| rules.contains(r.id)) {
            out.push_str(&format!("  [{}] {}: {}\n", r.id, r.severity, r.why));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    //! One test per rule lives in the compat fixtures (`compat::tests`); these cover the
    //! verdict, the bumps and the report.
    use super::*;
    use Severity::*;
    use serde_json::json;

    fn spec(schemas: Value) -> Value {
        json!({"openapi": "3.0.3", "info": {"version": "1"}, "paths": {}, "components": {"schemas": schemas}})
    }

    #[test]
    fn every_rule_id_is_unique_and_explained() {
        let ids: BTreeSet<&str> = RULES.iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), RULES.len());
        assert!(RULES.iter().all(|r| !r.why.is_empty() && rule(r.id).is_some()));
    }

    #[test]
    fn documentation_only_and_no_change() {
        let old = spec(json!({"A": {"type": "object"}}));
        let new = spec(json!({"A": {"type": "object", "description": "An A."}}));
        let changes = diff(&old, &new);
        assert!(changes.is_empty());
        assert_eq!(verdict(&old, &new, &changes), Some(Documentation));
        assert_eq!(verdict(&old, &old, &[]), None);
        // a release baseline's recorded versions are not a change of the API
        let mut released = old.clone();
        released[crate::baseline::VERSIONS_KEY] = json!({"zaia-models": "0.1.0"});
        assert_eq!(verdict(&released, &old, &diff(&released, &old)), None);
        let report = report(&old, &new, &[("zaia-models".into(), "0.1.0+spec.1".into())]);
        assert!(report.contains("verdict: documentation only"), "{report}");
        assert!(report.contains("zaia-models  0.1.0+spec.1 → 0.1.1 (documentation only)"), "{report}");
        assert!(report.contains("zaia-ext     0.0.0 (unchanged)"), "{report}");
    }

    #[test]
    fn the_report_names_each_change_its_rule_and_why() {
        let old = spec(json!({"A": {"type": "object"}}));
        let new = spec(json!({}));
        let report = report(&old, &new, &[]);
        assert!(report.contains("breaking   type removed: A  [type-removed]"), "{report}");
        assert!(report.contains("  [type-removed] breaking: the type is gone"), "{report}");
    }

    #[test]
    fn bumps_follow_cargo_semver() {
        assert_eq!(bump("0.1.0", Breaking), "0.2.0");
        assert_eq!(bump("0.1.3+spec.1.0.0", Additive), "0.1.4");
        assert_eq!(bump("1.2.3", Breaking), "2.0.0");
        assert_eq!(bump("1.2.3", Additive), "1.3.0");
        assert_eq!(bump("1.2.3", Documentation), "1.2.4");
    }

    #[test]
    fn each_crate_follows_the_changes_it_exposes() {
        let change = |rule: &'static Rule| Change { severity: rule.severity, scope: rule.scope, rule: rule.id, what: String::new() };
        let bumps = |rule| crate_bumps(&[change(rule)], Some(rule.severity));
        // an operation: the client and what exposes it, not the models
        assert_eq!(
            bumps(OPERATION_REMOVED),
            [("zaia-models", None), ("zaia-client", Some(Breaking)), ("zaia-ext", Some(Breaking)), ("zaia-mock", Some(Breaking))]
        );
        // a model: every crate
        assert!(bumps(FIELD_REMOVED).iter().all(|(_, s)| *s == Some(Breaking)));
        // a limit: what checks it; the generated crates only document it
        assert_eq!(
            bumps(REQUEST_LIMIT_TIGHTENED),
            [
                ("zaia-models", Some(Documentation)),
                ("zaia-client", Some(Documentation)),
                ("zaia-ext", Some(Breaking)),
                ("zaia-mock", Some(Breaking))
            ]
        );
    }

    #[test]
    fn a_referenced_parameter_schema_is_a_model_and_an_inline_one_the_clients() {
        let op = |schema: Value| {
            json!({"openapi": "3.0.3", "info": {"version": "1"}, "paths": {"/x": {"get": {"operationId": "x",
                "parameters": [{"name": "s", "in": "query", "schema": schema}], "responses": {}}}},
                "components": {"schemas": {"S": {"type": "string", "enum": ["a", "b"]}}}})
        };
        let inline = diff(&op(json!({"type": "string", "enum": ["a", "b"]})), &op(json!({"type": "string", "enum": ["a"]})));
        assert_eq!((inline[0].rule, inline[0].scope), ("enum-value-removed", Scope::Operations));
        let mut old = op(json!({"$ref": "#/components/schemas/S"}));
        let new = old.clone();
        old["components"]["schemas"]["S"]["enum"] = json!(["a", "b", "c"]);
        let referenced = diff(&old, &new);
        assert_eq!((referenced[0].rule, referenced[0].scope), ("enum-value-removed", Scope::Schemas));
    }

    #[test]
    fn a_format_that_picks_the_same_rust_type_is_no_retyping() {
        assert_eq!(signature(&json!({"type": "integer"})), signature(&json!({"type": "integer", "format": "int64"})));
        assert_eq!(signature(&json!({"type": "integer", "format": "timestamp"})), "integer(int64)");
        assert_eq!(signature(&json!({"type": "number"})), signature(&json!({"type": "number", "format": "double"})));
        assert_ne!(signature(&json!({"type": "integer"})), signature(&json!({"type": "integer", "format": "int32"})));
        assert_eq!(signature(&json!({"type": "string", "format": "uuid"})), "string(uuid)");
        assert_eq!(signature(&json!({"type": "string", "format": "snowflake"})), "string");
    }

    #[test]
    fn every_operation_that_reaches_a_changed_type_is_listed_at_any_depth() {
        let reference = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
        let answer = |schema: Value| json!({"200": {"content": {"application/json": {"schema": schema}}}});
        let spec = |fields: Value| {
            json!({"openapi": "3.0.3", "info": {"version": "1"}, "paths": {
                "/a": {"get": {"operationId": "get_a", "responses": answer(reference("Thing"))}},
                "/b": {"get": {"operationId": "list_b", "responses": answer(json!({"type": "array", "items": reference("Thing")}))}},
                "/c": {"get": {"operationId": "get_c", "responses": answer(reference("Either"))}},
                "/d": {"get": {"operationId": "get_d", "responses": answer(reference("Holder"))}}},
                "components": {"schemas": {
                    "Thing": {"type": "object", "properties": fields},
                    "Other": {"type": "object", "properties": {"x": {"type": "string"}}},
                    "Either": {"oneOf": [reference("Other"), reference("Thing")], "discriminator": {"propertyName": "kind"}},
                    "Holder": {"type": "object", "properties": {"byName": {"type": "object", "additionalProperties": reference("Either")}}}}}})
        };
        let old = spec(json!({"id": {"type": "string"}, "note": {"type": "string"}}));
        let new = spec(json!({"id": {"type": "string"}}));
        let removed: Vec<String> = diff(&old, &new).into_iter().filter(|c| c.rule == "field-removed").map(|c| c.what).collect();
        assert_eq!(
            removed,
            [
                "get_a: 200 response.note: field removed",
                "get_c: 200 response|Thing.note: field removed",
                "get_d: 200 response.byName{*}|Thing.note: field removed",
                "list_b: 200 response[].note: field removed",
            ]
        );
    }
}
