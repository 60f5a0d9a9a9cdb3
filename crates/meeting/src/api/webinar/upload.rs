//! UploadFile: an image for webinar rooms, streamed as the multipart part `file` from a
//! file or a byte stream, never read into memory whole.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures_core::Stream;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use meeting_api::operations::UPLOAD_FILE;
use meeting_api::types::UploadFileResult;
use tokio::io::AsyncReadExt as _;
use tokio_util::bytes::Bytes;

use crate::Client;
use crate::error::{Context, Error};
use crate::printable;

/// Called with the bytes sent so far.
type Progress = Arc<dyn Fn(u64) + Send + Sync>;

/// Where the image comes from.
enum Source {
    Path(PathBuf),
    /// Taken by the one attempt (UploadFile is never repeated).
    Stream(Mutex<Option<BoxStream<'static, std::io::Result<Bytes>>>>),
}

/// An image to upload (see [`Client::upload_webinar_image`]): PNG, JPEG, GIF or BMP,
/// named by its file name's extension.
pub struct WebinarImage {
    name: String,
    source: Source,
    length: Option<u64>,
    progress: Option<Progress>,
}

impl std::fmt::Debug for WebinarImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebinarImage")
            .field("name", &self.name)
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

impl WebinarImage {
    /// The image file at `path`, read as it is sent.
    pub fn path(path: impl AsRef<Path>) -> Self {
        let path = path.as_ref().to_owned();
        Self {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            source: Source::Path(path),
            length: None,
            progress: None,
        }
    }

    /// An image of `length` bytes named `name` (`cover.png`), from `stream`.
    pub fn stream(
        name: impl Into<String>,
        length: u64,
        stream: impl Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            source: Source::Stream(Mutex::new(Some(stream.boxed()))),
            length: Some(length),
            progress: None,
        }
    }

    /// Calls `progress` with the bytes sent so far, as they go.
    pub fn on_progress(mut self, progress: impl Fn(u64) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// The media type its name says, the length, and (a file) that it starts as an
    /// image of that type: what is known before anything is sent. The file is read
    /// through tokio's blocking pool, not on the caller's worker thread.
    async fn checked(&mut self) -> Result<(&'static str, u64), String> {
        let extension = Path::new(&self.name)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let media = match extension.as_deref() {
            Some("png") => "image/png",
            Some("jpg" | "jpeg") => "image/jpeg",
            Some("gif") => "image/gif",
            Some("bmp") => "image/bmp",
            _ => {
                return Err(format!(
                    "{} is not named as an image (.png, .jpg, .gif, .bmp)",
                    printable(&self.name)
                ));
            }
        };
        if let Source::Path(path) = &self.source {
            let shown = || printable(&path.display().to_string());
            let unreadable = |e: std::io::Error| format!("cannot read {}: {e}", shown());
            let file = tokio::fs::File::open(path).await.map_err(unreadable)?;
            let meta = file.metadata().await.map_err(unreadable)?;
            if !meta.is_file() {
                return Err(format!("{} is not a file", shown()));
            }
            // Up to 8 bytes, however many reads the file system takes.
            let mut head = Vec::with_capacity(8);
            file.take(8)
                .read_to_end(&mut head)
                .await
                .map_err(unreadable)?;
            if !starts_as(media, &head) {
                return Err(format!("{} is not a {media} image", shown()));
            }
            self.length = Some(meta.len());
        }
        match self.length {
            Some(0) | None => Err("the image is empty".to_owned()),
            Some(length) => Ok((media, length)),
        }
    }

    /// The form of one attempt: the part `file`, streamed.
    async fn form(&self, media: &str, length: u64) -> Result<reqwest::multipart::Form, String> {
        let stream: BoxStream<'static, std::io::Result<Bytes>> = match &self.source {
            Source::Path(path) => {
                let file = tokio::fs::File::open(path).await.map_err(|e| {
                    format!(
                        "cannot read {}: {e}",
                        printable(&path.display().to_string())
                    )
                })?;
                tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024).boxed()
            }
            Source::Stream(stream) => stream
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take()
                .ok_or("the image's stream was sent already")?,
        };
        let stream = match self.progress.clone() {
            None => stream,
            Some(progress) => {
                let mut sent = 0u64;
                stream
                    .inspect_ok(move |chunk| {
                        sent = sent.saturating_add(chunk.len() as u64);
                        progress(sent);
                    })
                    .boxed()
            }
        };
        let part = reqwest::multipart::Part::stream_with_length(
            reqwest::Body::wrap_stream(stream),
            length,
        )
        .file_name(self.name.clone())
        .mime_str(media)
        .map_err(|e| e.to_string())?;
        Ok(reqwest::multipart::Form::new().part("file", part))
    }
}

/// Whether `head` (a file's first bytes) starts an image of type `media`.
fn starts_as(media: &str, head: &[u8]) -> bool {
    match media {
        "image/png" => head.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => head.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/gif" => head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a"),
        "image/bmp" => head.starts_with(b"BM"),
        _ => false,
    }
}

/// An image uploaded (see [`Client::upload_webinar_image`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadedImage {
    /// Its file ID: what [`crate::RoomSettings::logo`] and `cover` take.
    pub file_id: String,
    /// The image moderation's verdict (`pass`, `review`, `block`), when given.
    pub verdict: Option<String>,
}

impl Client {
    /// Uploads an image for webinar rooms (feature `uploads`), streamed: a file is read
    /// as it is sent, never whole. Its name, type and (a file) first bytes are checked
    /// before sending; the service checks its size. Never repeated (each upload is a
    /// new file).
    pub async fn upload_webinar_image(
        &self,
        mut image: WebinarImage,
    ) -> Result<UploadedImage, Error> {
        let checked = image.checked().await;
        let image = &image;
        let answer: UploadFileResult = self
            .run(&UPLOAD_FILE, checked, |api, (media, length)| async move {
                let form = image
                    .form(media, length)
                    .await
                    .map_err(meeting_api::Error::InvalidRequest)?;
                api.upload_file(form).await
            })
            .await?;
        let context = Context::new(UPLOAD_FILE.id, None);
        let file_id = answer
            .file_id
            .as_deref()
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| Error::unexpected(&context, "the answer holds no file ID"))?;
        Ok(UploadedImage {
            file_id: printable(file_id),
            verdict: answer
                .image_moderation
                .and_then(|m| m.suggestion)
                .as_deref()
                .map(printable),
        })
    }
}
