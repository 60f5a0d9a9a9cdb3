//! Lists the service pages (`offset`, `limit`): a [`Listing`] fetches the pages as it
//! is read, never the whole list at once, and drops an entry it has already yielded.
//!
//! Offset paging reads a list that may change between pages: an entry added before
//! the current offset pushes one already read into the next page (dropped here as a
//! repeat), and an entry removed before it pulls an unread one into the page already
//! fetched, so that one is missed. A listing is exact only while the list does not
//! change; read it again to catch what moved.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use futures_core::Stream;
use futures_util::StreamExt;
use futures_util::stream::{self, BoxStream};

use crate::error::Error;

/// The service's largest page.
pub const MAX_PAGE_SIZE: u32 = 500;
/// The page size a listing asks for unless told otherwise.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// One page as the service answered it: the entries and, when it says, how many there
/// are over every page.
pub struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) total: Option<usize>,
}

impl<T> Page<T> {
    /// A page and the `count` its answer gives (none when it gives none, or a negative
    /// one).
    pub(crate) fn new(items: Vec<T>, count: Option<i32>) -> Self {
        Page {
            items,
            total: count.and_then(|c| usize::try_from(c).ok()),
        }
    }
}

/// Entries of a list the service pages, fetched as they are read (see the module's
/// docs for what a list that changes while it is read does). A [`Stream`]; or
/// [`Listing::collect_all`].
#[must_use = "a listing fetches nothing until it is read"]
pub struct Listing<T> {
    inner: BoxStream<'static, Result<T, Error>>,
}

impl<T> std::fmt::Debug for Listing<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listing").finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Listing<T> {
    /// Pages of `page_size` from `fetch(with, offset, limit)` (`with`, what a page
    /// needs, cloned for each), at most `max` entries, each once by `key`.
    pub(crate) fn new<W, K, F, Fut>(
        page_size: u32,
        max: Option<usize>,
        key: fn(&T) -> K,
        with: W,
        fetch: F,
    ) -> Self
    where
        W: Clone + Send + 'static,
        K: Eq + Hash + Send + 'static,
        F: Fn(W, u32, u32) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
    {
        let fetch = move |offset, size| fetch(with.clone(), offset, size);
        struct State<T, K, F> {
            fetch: F,
            offset: u32,
            done: bool,
            seen: HashSet<K>,
            ready: VecDeque<T>,
        }
        let state = State {
            fetch,
            offset: 0,
            done: false,
            seen: HashSet::new(),
            ready: VecDeque::new(),
        };
        let entries = stream::unfold(state, move |mut s| async move {
            loop {
                if let Some(item) = s.ready.pop_front() {
                    return Some((Ok(item), s));
                }
                if s.done {
                    return None;
                }
                match (s.fetch)(s.offset, page_size).await {
                    Err(e) => {
                        s.done = true;
                        return Some((Err(e), s));
                    }
                    Ok(page) => {
                        let fetched = u32::try_from(page.items.len()).unwrap_or(u32::MAX);
                        s.offset = s.offset.saturating_add(fetched);
                        // The last page: short, empty, or reaching the total.
                        s.done = fetched < page_size
                            || page.total.is_some_and(|total| s.offset as usize >= total);
                        for item in page.items {
                            if s.seen.insert(key(&item)) {
                                s.ready.push_back(item);
                            }
                        }
                    }
                }
            }
        });
        let inner = match max {
            Some(max) => entries.take(max).boxed(),
            None => entries.boxed(),
        };
        Listing { inner }
    }

    /// Every entry, page after page, or the first error.
    pub async fn collect_all(mut self) -> Result<Vec<T>, Error> {
        let mut all = Vec::new();
        while let Some(item) = self.inner.next().await {
            all.push(item?);
        }
        Ok(all)
    }
}

impl<T> Stream for Listing<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// `Err` with the problem for a page size the service does not take.
pub(crate) fn page_size_problem(size: u32) -> Option<String> {
    (!(1..=MAX_PAGE_SIZE).contains(&size))
        .then(|| format!("a page holds 1 to {MAX_PAGE_SIZE} entries, not {size}"))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A list of `n` whose entries `shift` moves by one at the given fetch.
    fn listing(
        list: Arc<Mutex<Vec<u32>>>,
        fetches: Arc<Mutex<u32>>,
        max: Option<usize>,
    ) -> Listing<u32> {
        Listing::new(
            10,
            max,
            |n| *n,
            (list, fetches),
            |(list, fetches), offset, limit| async move {
                *fetches.lock().expect("lock") += 1;
                let list = list.lock().expect("lock");
                let items = list
                    .iter()
                    .skip(offset as usize)
                    .take(limit as usize)
                    .copied()
                    .collect();
                Ok(Page {
                    items,
                    total: Some(list.len()),
                })
            },
        )
    }

    #[tokio::test]
    async fn every_entry_once_and_pages_only_as_read() {
        let list = Arc::new(Mutex::new((0..25).collect::<Vec<_>>()));
        let fetches = Arc::new(Mutex::new(0));
        let all = listing(list.clone(), fetches.clone(), None)
            .collect_all()
            .await
            .expect("listed");
        assert_eq!(all, (0..25).collect::<Vec<_>>());
        assert_eq!(
            *fetches.lock().expect("lock"),
            3,
            "the short third page ends it"
        );

        *fetches.lock().expect("lock") = 0;
        let first: Vec<_> = listing(list, fetches.clone(), Some(5))
            .collect_all()
            .await
            .expect("listed");
        assert_eq!(first.len(), 5);
        assert_eq!(
            *fetches.lock().expect("lock"),
            1,
            "one page for five entries"
        );
    }

    #[tokio::test]
    async fn an_entry_pushed_back_into_the_next_page_comes_once() {
        let list = Arc::new(Mutex::new((0..20).collect::<Vec<_>>()));
        let fetches = Arc::new(Mutex::new(0));
        let mut entries = listing(list.clone(), fetches, None);
        let mut seen = Vec::new();
        for _ in 0..10 {
            seen.push(entries.next().await.expect("an entry").expect("ok"));
        }
        // An entry added at the front: entry 9 moves into the second page.
        list.lock().expect("lock").insert(0, 100);
        while let Some(entry) = entries.next().await {
            seen.push(entry.expect("ok"));
        }
        assert_eq!(seen, (0..20).collect::<Vec<_>>());
    }
}
