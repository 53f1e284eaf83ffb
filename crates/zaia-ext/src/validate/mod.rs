//! Client-side checks of documented limits, run before anything is sent.
//!
//! A request that breaks a limit the vendor documents would cost a round trip (and, with
//! retries, several) to learn what can be said here at once, naming the field. Every generated
//! operation goes through [`check`] (from the client's `prepare` hook), so the rules hold whether
//! a caller uses zaia-ext's helpers or the generated builders directly.
//!
//! Two sources, and nothing written twice:
//! - **the spec's schemas**: `minLength`/`maxLength`, `minimum`/`maximum` (and exclusive forms),
//!   `minItems`/`maxItems`, `pattern`, `enum`, `format: uri`, `nullable` and required fields of
//!   query parameters and request bodies, nested fields included. `cargo xtask generate` reads
//!   them from the merged spec into `src/validate/generated.rs`; nothing here names a field.
//! - **the vendor's prose**: the few rules a description states but no schema keyword can
//!   ([`DESCRIBED`]), each with the words it comes from; a test checks those words are still in
//!   the spec.
//!
//! ```
//! use serde_json::json;
//! let body = json!({"chatId": uuid::Uuid::nil(), "chatThreadId": null, "content": "x".repeat(4001),
//!                   "externalId": null, "senderId": uuid::Uuid::nil(), "role": "user"});
//! let invalid = zaia_ext::validate::check_body("create_chat_message", &body).unwrap_err();
//! assert_eq!(invalid.to_string(), "content: must be at most 4000 characters, got 4001");
//! ```

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use chrono::{DateTime, Utc};
use serde_json::Value;

mod fields;
#[allow(clippy::all)]
#[rustfmt::skip]
mod generated;

pub use fields::{Bound, Field, Limits, Step};

/// A broken limit: the field and what is wrong with it.
///
/// ```
/// let url = "https://x/api/v1/chats?pageSize=0".parse().unwrap();
/// let invalid = zaia_ext::validate::check(&reqwest::Request::new(reqwest::Method::GET, url), "list_chats").unwrap_err();
/// assert_eq!(invalid.field, "pageSize");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// The field's wire name.
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

impl Invalid {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Invalid { field, message: message.into() }
    }
}

/// The validation tunnel: a refusal found in the client's `prepare` hook can only leave
/// through progenitor's `InvalidRequest(String)`. It is written and read here, nowhere else.
impl Invalid {
    /// The refusal as progenitor carries it.
    pub(crate) fn into_tunnel(self) -> String {
        format!("{}: {}", self.field, self.message)
    }

    /// A message that came out of the tunnel: `(field, what is wrong)` when it is one of ours
    /// (`field: what is wrong`), else `None` (another reason progenitor refused the request).
    pub(crate) fn from_tunnel(message: &str) -> Option<(&str, &str)> {
        message.split_once(": ").filter(|(field, _)| !field.is_empty() && !field.contains(' '))
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// The documented limits of an operation (by id), if it has any.
///
/// ```
/// let limits = zaia_ext::validate::limits("list_chats").unwrap();
/// let page_size = limits.query.iter().find(|f| f.name == "pageSize").unwrap();
/// assert_eq!(page_size.maximum.as_ref().map(|b| b.value), Some(100.0));
/// ```
pub fn limits(operation: &str) -> Option<&'static Limits> {
    // every operation's table, read from the generated JSON once, the first time one is asked
    // for; every request looks its operation up here, without a lock
    static TABLE: OnceLock<HashMap<&'static str, &'static Limits>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        zaia_client::OPERATIONS
            .iter()
            .filter_map(|op| {
                let json = generated::limits_json(op.id)?;
                Some((op.id, Limits::leaked_from_json(json).expect("the generated limits are JSON of the form Limits reads")))
            })
            .collect()
    });
    table.get(operation).copied()
}

/// Checks one request of `operation` (an operation id) before it is sent.
///
/// ```
/// let url = "https://api.endless.zaia.app/api/v1/chats?pageSize=500".parse().unwrap();
/// let request = reqwest::Request::new(reqwest::Method::GET, url);
/// let invalid = zaia_ext::validate::check(&request, "list_chats").unwrap_err();
/// assert_eq!(invalid.to_string(), "pageSize: must be 1..=100, got 500");
/// ```
pub fn check(request: &reqwest::Request, operation: &str) -> Result<(), Invalid> {
    let Some(limits) = limits(operation) else { return Ok(()) };
    if !limits.query.is_empty() {
        check_query(request.url(), limits.query)?;
    }
    if !limits.header.is_empty() {
        check_headers(request.headers(), limits.header)?;
    }
    let Some(bytes) = request.body().and_then(|b| b.as_bytes()) else { return Ok(()) };
    if limits.body.is_empty() && described(limits.body_schema).next().is_none() {
        return Ok(());
    }
    // not JSON: not ours to judge (the server will say)
    let Ok(body) = serde_json::from_slice::<Value>(bytes) else { return Ok(()) };
    check_limits(limits, &body)
}

/// The body rules of `operation` (by id): the spec's limits and the described rules.
///
/// ```
/// use serde_json::json;
/// let body = json!({"callbackUrl": "ftp://x", "rangeStart": "2026-01-01T00:00:00Z"});
/// assert_eq!(zaia_ext::validate::check_body("export_chat_messages", &body).unwrap_err().field, "callbackUrl");
/// ```
pub fn check_body(operation: &str, body: &Value) -> Result<(), Invalid> {
    match limits(operation) {
        Some(limits) => check_limits(limits, body),
        None => Ok(()),
    }
}

fn check_limits(limits: &Limits, body: &Value) -> Result<(), Invalid> {
    for field in limits.body {
        visit(body, field.steps, field, true)?;
    }
    for rule in described(limits.body_schema) {
        (rule.check)(body)?;
    }
    Ok(())
}

fn check_query(url: &reqwest::Url, fields: &'static [Field]) -> Result<(), Invalid> {
    // counted on the stack: an operation has a handful of query parameters (every request
    // passes here, so no allocation for the common case)
    let mut on_stack = [0u64; 16];
    let mut on_heap = Vec::new();
    let counts: &mut [u64] = if fields.len() <= on_stack.len() {
        &mut on_stack[..fields.len()]
    } else {
        on_heap.resize(fields.len(), 0);
        &mut on_heap
    };
    for (name, value) in query_pairs(url.query().unwrap_or("")) {
        if let Some((i, field)) = fields.iter().enumerate().find(|(_, f)| f.name == name) {
            counts[i] += 1;
            check_text(field, &value)?;
            check_number_text(field, &value)?;
        }
    }
    for (field, &count) in fields.iter().zip(counts.iter()) {
        match count {
            0 if field.required => return Err(Invalid::new(field.name, "is required")),
            0 => {}
            n => check_count(field, n)?,
        }
    }
    Ok(())
}

/// The query's name/value pairs, decoded as `application/x-www-form-urlencoded`; a pair with
/// nothing to decode (no `%`, no `+`) is borrowed as it is, which is most of them.
fn query_pairs(query: &str) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    query.split('&').filter(|pair| !pair.is_empty()).map(|pair| {
        if pair.contains(['%', '+']) {
            let (name, value) = url::form_urlencoded::parse(pair.as_bytes()).next().unwrap_or_default();
            (name, value)
        } else {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (Cow::Borrowed(name), Cow::Borrowed(value))
        }
    })
}

fn check_headers(headers: &reqwest::header::HeaderMap, fields: &'static [Field]) -> Result<(), Invalid> {
    for field in fields {
        let values = headers.get_all(field.name);
        let mut count = 0;
        for value in values {
            count += 1;
            // a header that is not text cannot meet a text limit
            let text = value.to_str().map_err(|_| Invalid::new(field.name, "is not visible ASCII text"))?;
            check_text(field, text)?;
            check_number_text(field, text)?;
        }
        if count == 0 && field.required {
            return Err(Invalid::new(field.name, "is required"));
        }
    }
    Ok(())
}

/// Walks `steps` from `value` and checks what is there. `present`: whether the object holding
/// the field exists (a missing required member of a missing object is not an error).
fn visit(value: &Value, steps: &[Step], field: &'static Field, present: bool) -> Result<(), Invalid> {
    match steps.split_first() {
        None => check_value(field, value),
        Some((Step::Key(key), rest)) => match value.as_object().and_then(|o| o.get(*key)) {
            Some(member) => visit(member, rest, field, true),
            None if rest.is_empty() && present && field.required && value.is_object() => Err(Invalid::new(field.name, "is required")),
            None => Ok(()),
        },
        Some((Step::Each, rest)) => {
            for item in value.as_array().into_iter().flatten() {
                visit(item, rest, field, true)?;
            }
            Ok(())
        }
    }
}

fn check_value(field: &'static Field, value: &Value) -> Result<(), Invalid> {
    match value {
        Value::Null if field.nullable => Ok(()),
        Value::Null => Err(Invalid::new(field.name, "must not be null")),
        Value::String(text) => check_text(field, text),
        Value::Number(n) => {
            if let Some(x) = n.as_f64() {
                check_number(field, x, &n.to_string())?;
            }
            check_allowed(field, &n.to_string())
        }
        Value::Bool(b) => check_allowed(field, &b.to_string()),
        Value::Array(items) => check_count(field, items.len() as u64),
        Value::Object(_) => Ok(()),
    }
}

fn check_text(field: &'static Field, text: &str) -> Result<(), Invalid> {
    if field.min_length.is_some() || field.max_length.is_some() {
        let n = text.chars().count() as u64;
        let too_short = field.min_length.is_some_and(|min| n < min);
        let too_long = field.max_length.is_some_and(|max| n > max);
        if too_short || too_long {
            let message = match (field.min_length, field.max_length) {
                (Some(1), None) => "must not be empty".to_string(),
                (None | Some(0), Some(max)) => format!("must be at most {max} characters, got {n}"),
                (Some(min), None) => format!("must be at least {min} characters, got {n}"),
                (Some(min), Some(max)) => format!("must be {min}..={max} characters, got {n}"),
                (None, None) => unreachable!("checked above"),
            };
            return Err(Invalid::new(field.name, message));
        }
    }
    if let Some(pattern) = field.pattern
        && !matches_pattern(pattern, text)
    {
        return Err(Invalid::new(field.name, format!("must match the pattern {pattern:?}")));
    }
    if field.uri {
        check_absolute_url(field.name, text)?;
    }
    check_allowed(field, text)
}

/// A query value against numeric bounds (a query carries numbers as text).
fn check_number_text(field: &'static Field, text: &str) -> Result<(), Invalid> {
    if field.minimum.is_none() && field.maximum.is_none() {
        return Ok(());
    }
    match text.parse::<f64>() {
        Ok(x) => check_number(field, x, text),
        Err(_) => Err(Invalid::new(field.name, format!("must be a number, got {text:?}"))),
    }
}

fn check_number(field: &'static Field, x: f64, shown: &str) -> Result<(), Invalid> {
    let below = field.minimum.as_ref().is_some_and(|b| if b.exclusive { x <= b.value } else { x < b.value });
    let above = field.maximum.as_ref().is_some_and(|b| if b.exclusive { x >= b.value } else { x > b.value });
    if !(below || above) {
        return Ok(());
    }
    let message = match (&field.minimum, &field.maximum) {
        (Some(lo), Some(hi)) if !lo.exclusive && !hi.exclusive => {
            format!("must be {}..={}, got {shown}", number(lo.value), number(hi.value))
        }
        _ => {
            let mut parts = Vec::new();
            if let Some(lo) = &field.minimum {
                parts.push(format!("{} {}", if lo.exclusive { ">" } else { ">=" }, number(lo.value)));
            }
            if let Some(hi) = &field.maximum {
                parts.push(format!("{} {}", if hi.exclusive { "<" } else { "<=" }, number(hi.value)));
            }
            format!("must be {}, got {shown}", parts.join(" and "))
        }
    };
    Err(Invalid::new(field.name, message))
}

fn check_count(field: &'static Field, n: u64) -> Result<(), Invalid> {
    match (field.min_items, field.max_items) {
        (Some(min), _) if n < min => Err(Invalid::new(field.name, format!("must have at least {min} items, got {n}"))),
        (_, Some(max)) if n > max => Err(Invalid::new(field.name, format!("must have at most {max} items, got {n}"))),
        _ => Ok(()),
    }
}

fn check_allowed(field: &'static Field, text: &str) -> Result<(), Invalid> {
    if field.allowed.is_empty() || field.allowed.contains(&text) {
        Ok(())
    } else {
        Err(Invalid::new(field.name, format!("must be one of {}; got {text:?}", field.allowed.join(", "))))
    }
}

/// `1` for 1.0, `0.5` for 0.5.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{}", x as i64) } else { x.to_string() }
}

fn matches_pattern(pattern: &'static str, text: &str) -> bool {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, regex_lite::Regex>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Mutex::default).lock().unwrap_or_else(|e| e.into_inner());
    // the generator compiled every pattern with this engine: it compiles here too
    let regex = cache.entry(pattern).or_insert_with(|| regex_lite::Regex::new(pattern).expect("checked by cargo xtask generate"));
    regex.is_match(text)
}

/// An absolute URL as it is sent: the raw text is checked, not a parser's normalised reading of
/// it (`" https://x"` and `"https:x"` parse, but are not what a server expects).
fn check_absolute_url(field: &'static str, raw: &str) -> Result<(), Invalid> {
    if raw.trim() != raw {
        return Err(Invalid::new(field, "must not start or end with white space"));
    }
    let Some(scheme_end) = raw.find("://") else {
        return Err(Invalid::new(field, format!("must be an absolute URL (`https://host/...`), got {raw:?}")));
    };
    let scheme = &raw[..scheme_end];
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
        return Err(Invalid::new(field, format!("must be an absolute URL, got {raw:?}")));
    }
    match reqwest::Url::parse(raw) {
        Ok(url) if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
        Ok(_) => Err(Invalid::new(field, "must name a host")),
        Err(e) => Err(Invalid::new(field, format!("is not a URL: {e}"))),
    }
}

/// A rule the vendor states in a description rather than a schema keyword.
///
/// ```
/// let rule = &zaia_ext::validate::DESCRIBED[0];
/// assert_eq!((rule.schema, rule.field), ("ExportChatMessagesRequest", "callbackUrl"));
/// ```
pub struct Described {
    /// The request body component it is about.
    pub schema: &'static str,
    /// The field whose description states it.
    pub field: &'static str,
    /// The description's words the rule comes from (a test keeps them in step with the spec).
    pub says: &'static str,
    /// The check, on the whole body.
    pub check: fn(&Value) -> Result<(), Invalid>,
}

impl std::fmt::Debug for Described {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}: {:?}", self.schema, self.field, self.says)
    }
}

/// Every described rule, in one place.
///
/// ```
/// assert!(zaia_ext::validate::DESCRIBED.iter().all(|rule| !rule.says.is_empty()));
/// ```
pub const DESCRIBED: &[Described] = &[
    Described {
        schema: "ExportChatMessagesRequest",
        field: "callbackUrl",
        says: "A safe callback URL that must be HTTPS",
        check: callback_is_https,
    },
    Described {
        schema: "ExportChatMessagesRequest",
        field: "rangeStart",
        says: "The start date of the export period.",
        check: range_start_before_end,
    },
];

fn described(schema: Option<&'static str>) -> impl Iterator<Item = &'static Described> {
    DESCRIBED.iter().filter(move |rule| Some(rule.schema) == schema)
}

fn callback_is_https(body: &Value) -> Result<(), Invalid> {
    let Some(url) = body.get("callbackUrl").and_then(Value::as_str) else { return Ok(()) };
    check_absolute_url("callbackUrl", url)?;
    let scheme = &url[..url.find("://").unwrap_or(0)];
    if scheme.eq_ignore_ascii_case("https") {
        Ok(())
    } else {
        Err(Invalid::new("callbackUrl", format!("must be an https URL, got scheme `{scheme}`")))
    }
}

fn range_start_before_end(body: &Value) -> Result<(), Invalid> {
    let time = |field: &str| body.get(field).and_then(Value::as_str).and_then(|t| t.parse::<DateTime<Utc>>().ok());
    match (time("rangeStart"), time("rangeEnd")) {
        (Some(start), Some(end)) if start >= end => {
            Err(Invalid::new("rangeStart", format!("must be before rangeEnd ({start} is not before {end})")))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operations_limits_read_from_their_json_and_a_second_read_is_the_same_table() {
        let mut read = 0;
        for operation in zaia_client::OPERATIONS {
            if let Some(first) = limits(operation.id) {
                read += 1;
                assert!(std::ptr::eq(first, limits(operation.id).unwrap()), "{} read twice", operation.id);
            }
        }
        assert!(read > 0);
        let create = limits("create_chat_message").unwrap();
        let content = create.body.iter().find(|f| f.name == "content").unwrap();
        assert!(content.required && matches!(content.steps, [Step::Key("content")]));
        assert!(limits("no_such_operation").is_none());
    }

    #[test]
    fn query_pairs_decode_as_the_url_crate_does() {
        for query in ["", "a=1", "a=1&b=two", "a", "a=&=b", "&&a=1&", "q=caf%C3%A9+au+lait", "k%20ey=v+1&x=%zz", "a=1=2"] {
            let ours: Vec<(String, String)> = query_pairs(query).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            let theirs: Vec<(String, String)> =
                url::form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            assert_eq!(ours, theirs, "{query:?}");
        }
    }

    #[test]
    fn an_operation_with_more_query_fields_than_fit_on_the_stack_is_checked_too() {
        let leak = |f: Vec<Field>| -> &'static [Field] { Box::leak(f.into_boxed_slice()) };
        let names: Vec<&'static str> = (0..40).map(|i| &*Box::leak(format!("p{i}").into_boxed_str())).collect();
        let field = |name: &'static str| Field {
            name,
            steps: &[],
            required: name == "p39",
            nullable: false,
            min_length: None,
            max_length: None,
            minimum: Some(Bound { value: 1.0, exclusive: false }),
            maximum: Some(Bound { value: 100.0, exclusive: false }),
            min_items: None,
            max_items: None,
            pattern: None,
            allowed: &[],
            uri: false,
        };
        let fields = leak(names.iter().map(|&name| field(name)).collect());
        let url: reqwest::Url = "https://x/y?p3=5&p39=7".parse().unwrap();
        assert_eq!(check_query(&url, fields), Ok(()));
        let url: reqwest::Url = "https://x/y?p3=5".parse().unwrap();
        assert_eq!(check_query(&url, fields).unwrap_err().field, "p39");
        let url: reqwest::Url = "https://x/y?p39=7&p20=500".parse().unwrap();
        assert_eq!(check_query(&url, fields).unwrap_err().to_string(), "p20: must be 1..=100, got 500");
    }

    #[test]
    fn the_tunnel_keeps_the_field_and_tells_other_messages_apart() {
        let refused = Invalid { field: "externalId", message: "must be 3..=250 characters, got 2".into() };
        let carried = refused.into_tunnel();
        assert_eq!(Invalid::from_tunnel(&carried), Some(("externalId", "must be 3..=250 characters, got 2")));
        assert_eq!(Invalid::from_tunnel("conversion to `Uuid` for id failed"), None);
    }
    use serde_json::json;

    #[test]
    fn message_limits() {
        let message = |content: String, external_id: Value| json!({"chatId": uuid::Uuid::nil(), "chatThreadId": null, "content": content, "externalId": external_id, "senderId": uuid::Uuid::nil(), "role": "user"});
        assert_eq!(check_body("create_chat_message", &message("é".repeat(4000), json!("abc"))), Ok(()));
        assert_eq!(check_body("create_chat_message", &message("x".into(), json!(null))), Ok(()), "externalId is nullable");
        let long = message("x".repeat(4001), json!(null));
        assert_eq!(check_body("create_chat_message", &long).unwrap_err().to_string(), "content: must be at most 4000 characters, got 4001");
        let short_id = message("x".into(), json!("ab"));
        assert_eq!(check_body("create_chat_message", &short_id).unwrap_err().to_string(), "externalId: must be 3..=250 characters, got 2");
        let mut missing = message("x".into(), json!(null));
        missing.as_object_mut().unwrap().remove("chatId");
        assert_eq!(check_body("create_chat_message", &missing).unwrap_err().to_string(), "chatId: is required");
        missing["chatId"] = json!(null);
        assert_eq!(check_body("create_chat_message", &missing).unwrap_err().to_string(), "chatId: must not be null");
    }

    #[test]
    fn follow_up_message_and_export_rules() {
        assert_eq!(
            check_body("update_chat_message_follow_up", &json!({"message": ""})).unwrap_err().to_string(),
            "message: must not be empty"
        );
        assert_eq!(check_body("update_chat_message_follow_up", &json!({"reason": null})), Ok(()));
        assert_eq!(
            check_body("update_chat_message_follow_up", &json!({"status": "sent"})).unwrap_err().to_string(),
            "status: must be one of cancelled; got \"sent\""
        );
        let http = json!({"callbackUrl": "http://example.com/x", "rangeStart": "2026-01-01T00:00:00Z"});
        assert_eq!(
            check_body("export_chat_messages", &http).unwrap_err().to_string(),
            "callbackUrl: must be an https URL, got scheme `http`"
        );
        for bad in [" https://e.com/x", "https://e.com/x ", "https:e.com", "https:/e.com", "https://", "HTTP://e.com"] {
            let body = json!({"callbackUrl": bad, "rangeStart": "2026-01-01T00:00:00Z"});
            assert_eq!(check_body("export_chat_messages", &body).unwrap_err().field, "callbackUrl", "{bad:?}");
        }
        assert_eq!(check_body("export_chat_messages", &json!({"callbackUrl": "HTTPS://e.com/hook?x=1", "rangeStart": null})), Ok(()));
        let backwards = json!({"callbackUrl": "https://e.com", "rangeStart": "2026-02-01T00:00:00Z", "rangeEnd": "2026-01-01T00:00:00Z"});
        assert_eq!(check_body("export_chat_messages", &backwards).unwrap_err().field, "rangeStart");
    }

    #[test]
    fn query_limits() {
        let request = |q: &str| reqwest::Request::new(reqwest::Method::GET, format!("https://x/api?{q}").parse().unwrap());
        assert_eq!(check(&request("pageSize=100&pageNumber=7"), "list_chats"), Ok(()));
        assert_eq!(check(&request("pageSize=101"), "list_chats").unwrap_err().to_string(), "pageSize: must be 1..=100, got 101");
        assert_eq!(check(&request("pageNumber=0"), "list_chats").unwrap_err().to_string(), "pageNumber: must be >= 1, got 0");
        assert_eq!(check(&request("chatId=x&limit=1001"), "list_chat_messages").unwrap_err().field, "limit");
        assert_eq!(check(&request("limit=10"), "list_chat_messages").unwrap_err().to_string(), "chatId: is required");
        assert_eq!(check(&request("channelTypes=whatsapp&channelTypes=telegram"), "list_chats").unwrap_err().field, "channelTypes");
    }

    /// Every described rule is about a field the spec has, whose description still says what
    /// the rule quotes: a renamed field or a reworded description fails here, not in silence.
    #[test]
    fn described_rules_quote_the_spec() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/zaia.json")).unwrap();
        let spec: Value = serde_json::from_str(&text).unwrap();
        for rule in DESCRIBED {
            let description = spec["components"]["schemas"][rule.schema]["properties"][rule.field]["description"].as_str();
            assert!(description.is_some_and(|d| d.contains(rule.says)), "{rule:?}: the spec says {description:?}");
            let used = zaia_client::OPERATIONS.iter().any(|op| limits(op.id).is_some_and(|l| l.body_schema == Some(rule.schema)));
            assert!(used, "{rule:?}: no operation sends {}", rule.schema);
        }
    }

    #[test]
    fn every_query_field_is_counted_on_its_own_however_many() {
        let field = |i: usize| Field {
            name: Box::leak(format!("p{i}").into_boxed_str()),
            steps: &[],
            required: i == 40,
            nullable: false,
            min_length: None,
            max_length: None,
            minimum: None,
            maximum: None,
            min_items: None,
            max_items: None,
            pattern: None,
            allowed: &[],
            uri: false,
        };
        let fields: &'static [Field] = Box::leak((0..41).map(field).collect::<Vec<_>>().into_boxed_slice());
        let url = |q: &str| reqwest::Url::parse(&format!("https://x/?{q}")).unwrap();
        assert_eq!(check_query(&url("p31=a&p39=b"), fields).unwrap_err().to_string(), "p40: is required");
        assert_eq!(check_query(&url("p40=a"), fields), Ok(()));
    }

    #[test]
    fn generic_checks() {
        static FIELD: Field = Field {
            name: "n",
            steps: &[],
            required: false,
            nullable: false,
            min_length: None,
            max_length: None,
            minimum: Some(Bound { value: 0.0, exclusive: true }),
            maximum: Some(Bound { value: 2.5, exclusive: false }),
            min_items: None,
            max_items: Some(2),
            pattern: Some("^[a-z]+$"),
            allowed: &[],
            uri: false,
        };
        assert_eq!(check_value(&FIELD, &json!(0)).unwrap_err().message, "must be > 0 and <= 2.5, got 0");
        assert_eq!(check_value(&FIELD, &json!(2.5)), Ok(()));
        assert_eq!(check_value(&FIELD, &json!("abc")), Ok(()));
        assert_eq!(check_value(&FIELD, &json!("ab1")).unwrap_err().message, "must match the pattern \"^[a-z]+$\"");
        assert_eq!(check_value(&FIELD, &json!([1, 2, 3])).unwrap_err().message, "must have at most 2 items, got 3");
        assert_eq!(check_value(&FIELD, &json!(null)).unwrap_err().message, "must not be null");
    }
}
