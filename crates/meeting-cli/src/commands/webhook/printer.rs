//! The listener's output: printing is the handling, so a push is answered 200 only once
//! its line is written and flushed. One thread writes stdout, behind a bounded queue, and
//! says of each line whether it was; a consumer that stops reading stops that thread,
//! never a runtime worker.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};

use tokio::sync::oneshot;

/// Lines waiting for stdout at most: past them, a push is answered 503 (the service
/// retries) rather than queued.
pub const QUEUE: usize = 1024;

struct Line {
    text: String,
    written: oneshot::Sender<bool>,
}

/// Writes lines to stdout from a thread of its own.
pub struct Printer {
    queue: SyncSender<Line>,
    /// Whether the last line found the queue full (or the thread gone): the health
    /// check's answer.
    full: Arc<AtomicBool>,
}

impl Printer {
    /// A printer to stdout with a queue of `capacity` lines.
    pub fn stdout(capacity: usize) -> std::io::Result<Self> {
        Self::new(std::io::stdout(), capacity)
    }

    /// A printer to `out` with a queue of `capacity` lines.
    fn new(mut out: impl Write + Send + 'static, capacity: usize) -> std::io::Result<Self> {
        let (queue, lines) = std::sync::mpsc::sync_channel::<Line>(capacity);
        std::thread::Builder::new()
            .name("stdout".into())
            .spawn(move || {
                for line in lines {
                    let ok = writeln!(out, "{}", line.text)
                        .and_then(|()| out.flush())
                        .is_ok();
                    let _ = line.written.send(ok);
                }
            })?;
        Ok(Self {
            queue,
            full: Arc::default(),
        })
    }

    /// Queues `text`: whether it was written and flushed, when it is; `None` when the
    /// queue is full.
    pub fn print(&self, text: String) -> Option<oneshot::Receiver<bool>> {
        let (written, done) = oneshot::channel();
        let queued = match self.queue.try_send(Line { text, written }) {
            Ok(()) => Some(done),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => None,
        };
        self.full.store(queued.is_none(), Ordering::Relaxed);
        queued
    }

    /// Whether the last line found the queue full: the output does not keep up, and
    /// pushes are answered 503 until it does.
    pub fn backed_up(&self) -> Arc<AtomicBool> {
        self.full.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// An output nobody reads backs the printer up (the health check fails); read
    /// again, it writes each line and the check passes.
    #[tokio::test]
    async fn an_unread_output_backs_up_until_it_is_read() {
        let (mut reader, writer) = std::io::pipe().expect("a pipe");
        let printer = Printer::new(writer, 2).expect("a printer");
        let backed_up = printer.backed_up();
        // Lines longer than the pipe's buffer: the first the thread takes blocks it, and
        // at most two more queue.
        let line = "x".repeat(1 << 20);
        let mut pending = Vec::new();
        while let Some(written) = printer.print(line.clone()) {
            pending.push(written);
            assert!(pending.len() <= 3, "the queue never filled");
        }
        assert!(backed_up.load(Ordering::Relaxed));
        // Every line the printer took is written whole: read exactly those bytes (how
        // many it took depends on how soon its thread picked up the first).
        let expected = pending.len() * (line.len() + 1);
        let drain = std::thread::spawn(move || {
            let mut sink = vec![0; 1 << 16];
            let mut read = 0;
            while read < expected {
                read += reader.read(&mut sink).expect("read");
            }
            reader
        });
        for written in pending {
            assert_eq!(written.await, Ok(true));
        }
        let _reader = drain.join().expect("drained");
        assert!(printer.print("y".to_owned()).is_some());
        assert!(!backed_up.load(Ordering::Relaxed));
    }
}
