//! Request bodies that are forms: `application/x-www-form-urlencoded` and
//! `multipart/form-data`. The mock reads them into a JSON object typed as the body's schema
//! says (repeated keys for arrays, numbers and booleans parsed, a file part as its file name),
//! validates that as it does a JSON body, and makes them up for the contract test.

use serde_json::{Map, Value};

use super::{Spec, coerce, mix, synthesize, text};

/// Which form a media type is, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    UrlEncoded,
    Multipart,
}

impl Form {
    /// The form a media type names (parameters ignored, any case).
    pub fn of(media_type: &str) -> Option<Form> {
        match media_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase().as_str() {
            "application/x-www-form-urlencoded" => Some(Form::UrlEncoded),
            "multipart/form-data" => Some(Form::Multipart),
            _ => None,
        }
    }
}

/// The fields of a form body as `(name, value)` pairs: a file part's value is its file name.
/// `None` when the body is not such a form (a multipart body without its boundary, say).
pub fn fields(form: Form, content_type: &str, body: &[u8]) -> Option<Vec<(String, String)>> {
    match form {
        Form::UrlEncoded => Some(url::form_urlencoded::parse(body).into_owned().collect()),
        Form::Multipart => {
            let boundary = content_type.split(';').find_map(|p| p.trim().strip_prefix("boundary="))?.trim_matches('"');
            multipart_fields(body, boundary)
        }
    }
}

fn multipart_fields(body: &[u8], boundary: &str) -> Option<Vec<(String, String)>> {
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    let mut out = Vec::new();
    for part in text.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let (head, value) = part.split_once("\r\n\r\n")?;
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        let disposition = head.lines().find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
        let parameter = |key: &str| {
            disposition.split(';').find_map(|p| p.trim().strip_prefix(&format!("{key}=")).map(|v| v.trim_matches('"').to_string()))
        };
        let name = parameter("name")?;
        out.push((name, parameter("filename").unwrap_or_else(|| value.to_string())));
    }
    Some(out)
}

/// The fields as the JSON object `schema` describes: each property's values typed by its
/// schema (an array from repeated keys), other fields as text.
pub fn to_object(spec: &Spec, schema: &Value, fields: &[(String, String)]) -> Value {
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

/// A form body of `schema`, made from the seed: its content type and bytes.
pub fn example(spec: &Spec, form: Form, schema: &Value, seed: u64) -> (String, Vec<u8>) {
    let value = synthesize(spec.resolve(schema), seed);
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (name, v) in value.as_object().into_iter().flatten() {
        match v {
            Value::Array(items) => pairs.extend(items.iter().map(|i| (name.clone(), text(i)))),
            Value::Null => {}
            other => pairs.push((name.clone(), text(other))),
        }
    }
    match form {
        Form::UrlEncoded => {
            let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
            ("application/x-www-form-urlencoded".into(), body.into_bytes())
        }
        Form::Multipart => {
            let boundary = format!("mock-{:016x}", mix(seed, 7));
            let mut body = String::new();
            for (name, value) in &pairs {
                body.push_str(&format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
            }
            body.push_str(&format!("--{boundary}--\r\n"));
            (format!("multipart/form-data; boundary={boundary}"), body.into_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_fields_are_read_with_file_parts_as_their_names() {
        let body = "--b\r\ncontent-disposition: form-data; name=\"content\"\r\n\r\nhi\r\n--b\r\nContent-Disposition: form-data; name=\"files[0]\"; filename=\"a.png\"\r\ncontent-type: image/png\r\n\r\n\u{1}PNG\r\n--b--\r\n";
        let fields = fields(Form::Multipart, "multipart/form-data; boundary=b", body.as_bytes()).unwrap();
        assert_eq!(fields, [("content".to_string(), "hi".to_string()), ("files[0]".to_string(), "a.png".to_string())]);
        assert_eq!(super::fields(Form::Multipart, "multipart/form-data", body.as_bytes()), None, "no boundary");
    }

    #[test]
    fn form_fields_are_typed_by_the_schema() {
        let spec = super::super::spec();
        let schema = serde_json::json!({"type": "object", "properties": {
            "n": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}, "ok": {"type": "boolean"}}});
        let fields: Vec<(String, String)> = [("n", "5"), ("tags", "a"), ("tags", "b"), ("ok", "true"), ("other", "x")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .to_vec();
        assert_eq!(to_object(spec, &schema, &fields), serde_json::json!({"n": 5, "tags": ["a", "b"], "ok": true, "other": "x"}));
    }
}
