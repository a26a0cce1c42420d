//! [`FilePart`]: a file sent in a `multipart/form-data` body, or as the whole body of an
//! upload of raw bytes.

use std::fmt;

/// A file to upload: its bytes, and optionally a file name and a content type.
///
/// An operation whose body is raw bytes (`application/octet-stream`, `image/*`, …) takes
/// anything that converts into one (`Vec<u8>`, `bytes::Bytes`, `&[u8]`, or a file read with
/// [`FilePart::from_path`]) and sends its content type, if set, instead of the declared one.
///
/// ```
/// use clerk_sdk::FilePart;
///
/// let logo = FilePart::new(vec![0x89, b'P', b'N', b'G']).file_name("logo.png").content_type("image/png");
/// assert_eq!(logo.bytes().len(), 4);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    bytes: Vec<u8>,
    file_name: Option<String>,
    content_type: Option<String>,
}

impl FilePart {
    /// A file from its contents.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self { bytes: bytes.into(), file_name: None, content_type: None }
    }

    /// Reads a file from disk (blocking); its name is sent with the part and its content
    /// type is guessed from the extension for common image types.
    pub fn from_path(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let mut part = FilePart::new(std::fs::read(path)?);
        if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            part = part.file_name(name);
        }
        let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let mime = match extension.as_deref() {
            Some("png") => Some("image/png"),
            Some("jpg" | "jpeg") => Some("image/jpeg"),
            Some("gif") => Some("image/gif"),
            Some("webp") => Some("image/webp"),
            Some("svg") => Some("image/svg+xml"),
            _ => None,
        };
        Ok(match mime {
            Some(mime) => part.content_type(mime),
            None => part,
        })
    }

    /// Sets the file name sent with the part (default `file`: a part is always sent with a
    /// file name, without which multipart parsers take it for a text field).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Sets the part's content type (e.g. `image/png`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The contents.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The file name, if set.
    pub fn name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The content type, if set.
    pub fn mime(&self) -> Option<&str> {
        self.content_type.as_deref()
    }
}

impl From<Vec<u8>> for FilePart {
    fn from(bytes: Vec<u8>) -> Self {
        FilePart::new(bytes)
    }
}

impl From<&[u8]> for FilePart {
    fn from(bytes: &[u8]) -> Self {
        FilePart::new(bytes)
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("len", &self.bytes.len())
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::FilePart;

    #[test]
    fn from_path_reads_the_file_and_names_it() {
        let dir = std::env::temp_dir().join(format!("file-part-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("Logo.PNG");
        std::fs::write(&path, b"png bytes").unwrap();
        let part = FilePart::from_path(&path).unwrap();
        assert_eq!((part.bytes(), part.name(), part.mime()), (&b"png bytes"[..], Some("Logo.PNG"), Some("image/png")));
        assert!(FilePart::from_path(dir.join("missing.png")).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
