//! `multipart/form-data` request bodies (RFC 7578): text fields, JSON fields and file parts.
//!
//! The body is encoded whole in memory, so the runtime can send it again on a retry (a
//! streamed form could not be). Every operation whose request body the vendor documents as
//! `multipart/form-data` takes a [`Multipart`].
//!
//! ```
//! use zaia_client::Multipart;
//!
//! let form = Multipart::new()
//!     .text("content", "hello")
//!     .bytes("files[0]", "cat.png", "image/png", vec![0x89, b'P', b'N', b'G']);
//! let (content_type, body) = form.encode();
//! assert!(content_type.starts_with("multipart/form-data; boundary="));
//! assert!(body.windows(5).any(|w| w == b"hello"));
//! ```

use std::path::Path;

use bytes::Bytes;

/// One part of a form: a name, its bytes, and for a file its file name and content type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    data: Bytes,
}

impl Part {
    /// A text field.
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> Part {
        Part { name: name.into(), file_name: None, content_type: None, data: Bytes::from(value.into()) }
    }

    /// A file from bytes, with the file name and content type the server is told.
    pub fn bytes(name: impl Into<String>, file_name: impl Into<String>, content_type: impl Into<String>, data: impl Into<Bytes>) -> Part {
        Part { name: name.into(), file_name: Some(file_name.into()), content_type: Some(content_type.into()), data: data.into() }
    }

    /// The part's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The part's file name, for a file.
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The part's content type, if it states one.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The part's bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }
}

/// A `multipart/form-data` body, built field by field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Multipart {
    parts: Vec<Part>,
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Multipart {
        Multipart::default()
    }

    /// Adds a part.
    pub fn part(mut self, part: Part) -> Multipart {
        self.parts.push(part);
        self
    }

    /// Adds a text field.
    pub fn text(self, name: impl Into<String>, value: impl Into<String>) -> Multipart {
        self.part(Part::text(name, value))
    }

    /// Adds a field holding `value` as JSON (`content-type: application/json`), as APIs that
    /// take a JSON payload beside files expect (`payload_json`).
    pub fn json<T: serde::Serialize>(self, name: impl Into<String>, value: &T) -> Result<Multipart, serde_json::Error> {
        let data = serde_json::to_vec(value)?;
        Ok(self.part(Part { name: name.into(), file_name: None, content_type: Some("application/json".into()), data: data.into() }))
    }

    /// Adds a file from bytes.
    pub fn bytes(
        self,
        name: impl Into<String>,
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> Multipart {
        self.part(Part::bytes(name, file_name, content_type, data))
    }

    /// Adds a file read from `path`: its file name is the path's last component, its content
    /// type guessed from the extension (`application/octet-stream` when unknown).
    pub fn file(self, name: impl Into<String>, path: impl AsRef<Path>) -> std::io::Result<Multipart> {
        let path = path.as_ref();
        let data = std::fs::read(path)?;
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
        let content_type = content_type_of(path);
        Ok(self.bytes(name, file_name, content_type, data))
    }

    /// The parts, in order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The `content-type` header (with its boundary) and the encoded body. The boundary is
    /// random and appears in no part.
    pub fn encode(&self) -> (String, Bytes) {
        let mut boundary = new_boundary();
        while self.parts.iter().any(|p| contains(&p.data, boundary.as_bytes())) {
            boundary = new_boundary();
        }
        let mut out = Vec::with_capacity(self.parts.iter().map(|p| p.data.len() + 128).sum::<usize>() + 64);
        for part in &self.parts {
            out.extend_from_slice(format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{}\"", quoted(&part.name)).as_bytes());
            if let Some(file_name) = &part.file_name {
                out.extend_from_slice(format!("; filename=\"{}\"", quoted(file_name)).as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            if let Some(content_type) = &part.content_type {
                out.extend_from_slice(format!("content-type: {}\r\n", single_line(content_type)).as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&part.data);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), out.into())
    }
}

fn new_boundary() -> String {
    format!("zaia-{}", uuid::Uuid::new_v4().simple())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A name inside a quoted header parameter, escaped as browsers do (WHATWG HTML).
fn quoted(s: &str) -> String {
    s.replace('\r', "%0D").replace('\n', "%0A").replace('"', "%22")
}

fn single_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

fn content_type_of(path: &Path) -> &'static str {
    let extension = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_framed_by_the_boundary_with_their_names_and_types() {
        let form = Multipart::new().text("content", "hi").bytes("files[0]", "a \"b\".png", "image/png", &b"\x89PNG"[..]);
        let (content_type, body) = form.encode();
        let boundary = content_type.strip_prefix("multipart/form-data; boundary=").unwrap();
        let expected = format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"content\"\r\n\r\nhi\r\n\
             --{boundary}\r\ncontent-disposition: form-data; name=\"files[0]\"; filename=\"a %22b%22.png\"\r\ncontent-type: image/png\r\n\r\n\x7fPNG\r\n\
             --{boundary}--\r\n"
        );
        let mut expected = expected.into_bytes();
        let at = expected.iter().position(|b| *b == 0x7f).unwrap();
        expected[at] = 0x89;
        assert_eq!(&body[..], &expected[..]);
    }

    #[test]
    fn a_file_takes_its_name_and_type_from_the_path() {
        let dir = std::env::temp_dir().join(format!("zaia-multipart-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("notes.csv");
        std::fs::write(&path, "a,b\n").unwrap();
        let form = Multipart::new().file("file", &path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let part = &form.parts()[0];
        assert_eq!((part.file_name(), part.content_type(), part.data()), (Some("notes.csv"), Some("text/csv"), &b"a,b\n"[..]));
    }
}
