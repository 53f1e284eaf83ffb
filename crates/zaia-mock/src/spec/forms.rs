//! Request bodies that are forms: `application/x-www-form-urlencoded` and
//! `multipart/form-data`, read into `(name, value)` fields and written from them. A leaf: the
//! spec module types the fields by the body's schema and validates them as a JSON body.

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

/// A form body of these fields: its content type and bytes (`seed` picks the boundary).
pub fn encode(form: Form, pairs: &[(String, String)], seed: u64) -> (String, Vec<u8>) {
    match form {
        Form::UrlEncoded => {
            let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
            ("application/x-www-form-urlencoded".into(), body.into_bytes())
        }
        Form::Multipart => {
            let boundary = format!("mock-{seed:016x}");
            let mut body = String::new();
            for (name, value) in pairs {
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
    fn encoded_fields_read_back_the_same() {
        let pairs: Vec<(String, String)> =
            [("n", "5"), ("tags", "a b&c"), ("tags", "d")].map(|(k, v)| (k.to_string(), v.to_string())).to_vec();
        for form in [Form::UrlEncoded, Form::Multipart] {
            let (content_type, body) = encode(form, &pairs, 7);
            assert_eq!(Form::of(&content_type), Some(form));
            assert_eq!(fields(form, &content_type, &body).unwrap(), pairs, "{form:?}");
        }
    }
}
