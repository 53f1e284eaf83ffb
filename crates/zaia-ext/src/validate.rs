//! Client-side checks of documented limits, run before anything is sent.
//!
//! A request that breaks a limit the vendor documents would cost a round trip (and, with
//! retries, several) to learn what can be said here at once, naming the field. Every generated
//! operation goes through [`check`] (from the client's `prepare` hook), so the rules hold whether
//! a caller uses zaia-ext's helpers or the generated builders directly.
//!
//! The limits are those of `openapi/zaia.json`; a test reads the spec to keep them in step.

use std::ops::RangeInclusive;

use chrono::{DateTime, Utc};
use serde_json::Value;

/// `content` of a new chat message: at most this many characters.
pub const MESSAGE_CONTENT_MAX: usize = 4000;
/// `externalId` of a new chat message: this many characters.
pub const EXTERNAL_ID_LENGTH: RangeInclusive<usize> = 3..=250;
/// `pageSize` of the page-number lists.
pub const PAGE_SIZE: RangeInclusive<u64> = 1..=100;
/// `limit` of the chat messages list.
pub const MESSAGE_LIMIT: RangeInclusive<u64> = 1..=1000;

/// A broken limit: the field and what is wrong with it.
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

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
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
    for (name, value) in request.url().query_pairs() {
        match &*name {
            "pageSize" => in_range("pageSize", &value, PAGE_SIZE)?,
            "limit" => in_range("limit", &value, MESSAGE_LIMIT)?,
            _ => {}
        }
    }
    let Some(bytes) = request.body().and_then(|b| b.as_bytes()) else { return Ok(()) };
    let Ok(body) = serde_json::from_slice::<Value>(bytes) else { return Ok(()) };
    check_body(operation, &body)
}

/// The body rules, by operation id.
///
/// ```
/// use serde_json::json;
/// let body = json!({"callbackUrl": "ftp://x", "rangeStart": "2026-01-01T00:00:00Z"});
/// assert_eq!(zaia_ext::validate::check_body("export_chat_messages", &body).unwrap_err().field, "callbackUrl");
/// ```
pub fn check_body(operation: &str, body: &Value) -> Result<(), Invalid> {
    let text = |field: &str| body.get(field).and_then(Value::as_str);
    match operation {
        "create_chat_message" => {
            if let Some(content) = text("content") {
                let n = content.chars().count();
                if n > MESSAGE_CONTENT_MAX {
                    return Err(Invalid::new("content", format!("must be at most {MESSAGE_CONTENT_MAX} characters, got {n}")));
                }
            }
            if let Some(id) = text("externalId") {
                let n = id.chars().count();
                if !EXTERNAL_ID_LENGTH.contains(&n) {
                    let (lo, hi) = (EXTERNAL_ID_LENGTH.start(), EXTERNAL_ID_LENGTH.end());
                    return Err(Invalid::new("externalId", format!("must be {lo}..={hi} characters, got {n}")));
                }
            }
        }
        "create_chat_message_follow_up" | "update_chat_message_follow_up"
            if text("message").is_some_and(str::is_empty) => {
                return Err(Invalid::new("message", "must not be empty"));
            }
        "export_chat_messages" => {
            if let Some(url) = text("callbackUrl") {
                check_https_url("callbackUrl", url)?;
            }
            let time = |field| text(field).and_then(|t| t.parse::<DateTime<Utc>>().ok());
            if let (Some(start), Some(end)) = (time("rangeStart"), time("rangeEnd"))
                && start >= end {
                    return Err(Invalid::new("rangeStart", format!("must be before rangeEnd ({start} is not before {end})")));
                }
        }
        _ => {}
    }
    Ok(())
}

/// An https URL as it is sent: the raw text is checked, not a parser's normalised reading of it
/// (`" https://x"` and `"https:x"` parse as https URLs but are not what a server expects).
fn check_https_url(field: &'static str, raw: &str) -> Result<(), Invalid> {
    if raw.trim() != raw {
        return Err(Invalid::new(field, "must not start or end with white space"));
    }
    let Some(scheme_end) = raw.find("://") else {
        return Err(Invalid::new(field, format!("must be an absolute https URL (`https://host/...`), got {raw:?}")));
    };
    if !raw[..scheme_end].eq_ignore_ascii_case("https") {
        return Err(Invalid::new(field, format!("must be an https URL, got scheme `{}`", &raw[..scheme_end])));
    }
    match reqwest::Url::parse(raw) {
        Ok(url) if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
        Ok(_) => Err(Invalid::new(field, "must name a host")),
        Err(e) => Err(Invalid::new(field, format!("is not a URL: {e}"))),
    }
}

fn in_range(field: &'static str, value: &str, range: RangeInclusive<u64>) -> Result<(), Invalid> {
    match value.parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(()),
        _ => Err(Invalid::new(field, format!("must be {}..={}, got {value}", range.start(), range.end()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn message_limits() {
        let ok = json!({"content": "é".repeat(4000), "externalId": "abc"});
        assert_eq!(check_body("create_chat_message", &ok), Ok(()));
        let long = json!({"content": "x".repeat(4001)});
        assert_eq!(check_body("create_chat_message", &long).unwrap_err().to_string(), "content: must be at most 4000 characters, got 4001");
        let short_id = json!({"content": "x", "externalId": "ab"});
        assert_eq!(check_body("create_chat_message", &short_id).unwrap_err().field, "externalId");
        assert_eq!(check_body("create_chat_message", &json!({"content": "x", "externalId": null})), Ok(()));
    }

    #[test]
    fn follow_up_message_and_export_rules() {
        assert_eq!(check_body("update_chat_message_follow_up", &json!({"message": ""})).unwrap_err().field, "message");
        assert_eq!(check_body("update_chat_message_follow_up", &json!({"reason": null})), Ok(()));
        let http = json!({"callbackUrl": "http://example.com/x", "rangeStart": "2026-01-01T00:00:00Z"});
        assert_eq!(check_body("export_chat_messages", &http).unwrap_err().to_string(), "callbackUrl: must be an https URL, got scheme `http`");
        for bad in [" https://e.com/x", "https://e.com/x ", "https:e.com", "https:/e.com", "https://", "HTTP://e.com"] {
            let body = json!({"callbackUrl": bad, "rangeStart": "2026-01-01T00:00:00Z"});
            assert_eq!(check_body("export_chat_messages", &body).unwrap_err().field, "callbackUrl", "{bad:?}");
        }
        assert_eq!(check_body("export_chat_messages", &json!({"callbackUrl": "HTTPS://e.com/hook?x=1"})), Ok(()));
        let backwards = json!({"callbackUrl": "https://e.com", "rangeStart": "2026-02-01T00:00:00Z", "rangeEnd": "2026-01-01T00:00:00Z"});
        assert_eq!(check_body("export_chat_messages", &backwards).unwrap_err().field, "rangeStart");
    }

    #[test]
    fn query_limits() {
        let request = |q: &str| reqwest::Request::new(reqwest::Method::GET, format!("https://x/api?{q}").parse().unwrap());
        assert_eq!(check(&request("pageSize=100&pageNumber=7"), "list_chats"), Ok(()));
        assert_eq!(check(&request("pageSize=101"), "list_chats").unwrap_err().to_string(), "pageSize: must be 1..=100, got 101");
        assert_eq!(check(&request("limit=1001"), "list_chat_messages").unwrap_err().field, "limit");
    }

    /// The limits above are the spec's: a regenerated spec that moves one fails here.
    #[test]
    fn limits_match_the_merged_spec() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/zaia.json")).unwrap();
        let spec: Value = serde_json::from_str(&text).unwrap();
        let schema = |name: &str| spec["components"]["schemas"][name].clone();
        assert_eq!(schema("CreateChatMessageRequest")["properties"]["content"]["maxLength"], json!(MESSAGE_CONTENT_MAX));
        let external = &schema("CreateChatMessageRequest")["properties"]["externalId"];
        assert_eq!((external["minLength"].clone(), external["maxLength"].clone()), (json!(3), json!(250)));
        assert_eq!(schema("CreateChatMessageFollowUpRequest")["properties"]["message"]["minLength"], json!(1));
        assert_eq!(schema("ChatMessagePagination")["properties"]["limit"]["maximum"], json!(MESSAGE_LIMIT.end()));
        let page_size = spec["paths"]["/api/v1/chats"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "pageSize")
            .unwrap()["schema"]["maximum"]
            .clone();
        assert_eq!(page_size, json!(PAGE_SIZE.end()));
    }
}
