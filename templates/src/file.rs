//! [`FilePart`]: a file sent in a `multipart/form-data` body.

use std::fmt;

/// A file to upload: its bytes, and optionally a file name and a content type.
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

    /// Sets the file name sent with the part.
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

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("len", &self.bytes.len())
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}
