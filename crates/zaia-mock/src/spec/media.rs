//! Answers in media types other than JSON: which one a request gets (its `Accept`, as HTTP
//! negotiates), and a body of that type made from the seed.

use serde_json::Value;

/// Whether a media type is JSON (`application/json`, `application/problem+json`, with parameters).
pub fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Of the media types a response offers (in the spec's order), the one to answer a request
/// that accepts `accept` (none: JSON if offered, else the first). A type the request names
/// wins, then a range (`text/*`), then `*/*`; quality values of 0 exclude. `None` when the
/// request accepts none of them.
///
/// ```
/// let offered = ["application/json", "text/csv"];
/// assert_eq!(zaia_mock::spec::media::negotiate(&offered, Some("text/csv")), Some("text/csv"));
/// assert_eq!(zaia_mock::spec::media::negotiate(&offered, Some("application/json")), Some("application/json"));
/// assert_eq!(zaia_mock::spec::media::negotiate(&offered, None), Some("application/json"));
/// assert_eq!(zaia_mock::spec::media::negotiate(&offered, Some("image/png")), None);
/// assert_eq!(zaia_mock::spec::media::negotiate(&offered, Some("text/*, */*;q=0.1")), Some("text/csv"));
/// assert_eq!(zaia_mock::spec::media::negotiate(&offered, Some("*/*")), Some("application/json"));
/// assert_eq!(zaia_mock::spec::media::negotiate(&offered, Some("text/csv;q=0, */*")), Some("application/json"));
/// ```
pub fn negotiate<'a>(offered: &[&'a str], accept: Option<&str>) -> Option<&'a str> {
    let default = offered.iter().find(|m| is_json(m)).or(offered.first()).copied();
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else { return default };
    // (range, refused: `q=0`)
    let ranges: Vec<(String, bool)> = accept
        .split(',')
        .map(|part| {
            let mut pieces = part.split(';');
            let range = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = pieces.any(|p| p.trim().strip_prefix("q=").is_some_and(|q| q.trim().parse::<f32>() == Ok(0.0)));
            (range, refused)
        })
        .collect();
    let accepted = |range: &str| ranges.iter().any(|(r, refused)| r == range && !refused);
    let essence = |m: &str| m.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let named = offered.iter().copied().find(|m| accepted(&essence(m)));
    let in_range = || offered.iter().copied().find(|m| accepted(&format!("{}/*", essence(m).split('/').next().unwrap_or(""))));
    named.or_else(in_range).or_else(|| if accepted("*/*") { default } else { None })
}

/// A body of `media` for a schema the mock has no JSON for: a string the schema makes (`text/*`,
/// CSV), or bytes from the seed (`image/png` starts as a PNG does; anything else is opaque).
///
/// ```
/// let csv = zaia_mock::spec::media::body("text/csv", None, 3);
/// assert!(String::from_utf8(csv).unwrap().starts_with("id,"));
/// assert!(zaia_mock::spec::media::body("image/png", None, 3).starts_with(b"\x89PNG"));
/// ```
pub fn body(media: &str, example: Option<&Value>, seed: u64) -> Vec<u8> {
    if let Some(Value::String(text)) = example {
        return text.clone().into_bytes();
    }
    let essence = media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let noise: Vec<u8> = (0..16u64).map(|i| (seed.wrapping_mul(31).wrapping_add(i * 7) % 251) as u8).collect();
    match essence.as_str() {
        "text/csv" => format!("id,value\n{seed},mock-{seed}\n").into_bytes(),
        "image/png" => [b"\x89PNG\r\n\x1a\n".as_slice(), &noise].concat(),
        m if m.starts_with("text/") => format!("mock answer {seed}\n").into_bytes(),
        _ => noise,
    }
}
