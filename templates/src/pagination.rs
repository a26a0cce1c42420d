//! Streams of items across pages: by limit and offset, or by cursor.

use std::collections::VecDeque;
use std::future::Future;

use futures_util::Stream;

use crate::Error;

/// One page: its items and, for `{data, total_count}` responses, the total.
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub total: Option<i64>,
}

/// Where a walk is between pages: what the next fetch starts at, and how each page moves it.
trait Position<T> {
    /// What `fetch` takes besides the request: an offset, or a cursor.
    type At;

    /// Where the next page starts.
    fn at(&self) -> Self::At;

    /// Takes in a fetched page: the items to yield, and whether the walk ends after them.
    fn take(&mut self, page: Page<T>) -> (Vec<T>, bool);
}

/// Lazily fetches pages with `fetch(request, position.at())` and yields their items, until
/// `position` says the walk is over or a fetch fails (its error is the last item). The
/// stream borrows nothing: it lives as long as `request` and `fetch` do.
fn walk<R, T, P, F, Fut>(request: R, position: P, fetch: F) -> impl Stream<Item = Result<T, Error>>
where
    R: Clone,
    P: Position<T>,
    F: Fn(R, P::At) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    let state = (request, position, VecDeque::new(), false);
    futures_util::stream::unfold((state, fetch), |((request, mut position, mut buffer, mut done), fetch)| async move {
        loop {
            if let Some(item) = buffer.pop_front() {
                return Some((Ok(item), ((request, position, buffer, done), fetch)));
            }
            if done {
                return None;
            }
            match fetch(request.clone(), position.at()).await {
                Ok(page) => {
                    let (items, last) = position.take(page);
                    buffer.extend(items);
                    done = last;
                }
                Err(e) => return Some((Err(e), ((request, position, buffer, true), fetch))),
            }
        }
    })
}

/// A walk by limit and offset.
struct Offset<T> {
    offset: i64,
    page_size: i64,
    /// The first item of the last page, to tell a page that makes no progress.
    first: Option<T>,
}

impl<T: PartialEq + Clone> Position<T> for Offset<T> {
    type At = i64;

    fn at(&self) -> i64 {
        self.offset
    }

    /// A page that starts with the item the last page started with ends the walk, its items
    /// unseen: a server that ignores `offset` answers the same page again and again, and the
    /// walk would never end (or, with a total, yield duplicates until it is reached).
    fn take(&mut self, page: Page<T>) -> (Vec<T>, bool) {
        if page.items.first().is_some_and(|first| self.first.as_ref() == Some(first)) {
            return (Vec::new(), true);
        }
        let count = i64::try_from(page.items.len()).unwrap_or(i64::MAX);
        self.offset = self.offset.saturating_add(count);
        let done = count == 0 || count < self.page_size || page.total.is_some_and(|total| self.offset >= total);
        self.first = page.items.first().cloned();
        (page.items, done)
    }
}

/// Lazily fetches pages with `fetch(request, offset)` and yields their items. It stops
/// after an empty page, a page shorter than `page_size`, once `total` items were seen, or
/// at a page that makes no progress (it starts like the one before). The stream borrows
/// nothing: it lives as long as `request` and `fetch` do.
#[allow(dead_code, reason = "only lists walked by offset use it")]
pub(crate) fn items<R, T, F, Fut>(
    request: R,
    start: i64,
    page_size: i64,
    fetch: F,
) -> impl Stream<Item = Result<T, Error>>
where
    R: Clone,
    T: PartialEq + Clone,
    F: Fn(R, i64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    walk(request, Offset { offset: start, page_size, first: None }, fetch)
}

/// A walk by cursor.
struct Cursor<T> {
    /// The cursor of the last item seen; `None` before the first page.
    after: Option<String>,
    seen: i64,
    page_size: i64,
    cursor: fn(&T) -> String,
}

impl<T> Position<T> for Cursor<T> {
    type At = Option<String>;

    fn at(&self) -> Option<String> {
        self.after.clone()
    }

    /// A page that ends with the item the last page ended with ends the walk, its items
    /// unseen: a server that ignores the cursor answers the same page again and again.
    fn take(&mut self, page: Page<T>) -> (Vec<T>, bool) {
        let last = page.items.last().map(self.cursor);
        if last.is_some() && last == self.after {
            return (Vec::new(), true);
        }
        let count = i64::try_from(page.items.len()).unwrap_or(i64::MAX);
        self.seen = self.seen.saturating_add(count);
        let done = count == 0 || count < self.page_size || page.total.is_some_and(|total| self.seen >= total);
        self.after = last;
        (page.items, done)
    }
}

/// Lazily fetches pages with `fetch(request, after)` and yields their items: the first page
/// as `request` asks for it (`after` is `None`), each next one starting after the cursor
/// (`cursor(item)`, the item's id) of the last item before it. It stops after an empty
/// page, a page shorter than `page_size`, once `total` items were seen, or at a page that
/// makes no progress (it ends like the one before).
#[allow(dead_code, reason = "only lists walked by cursor use it")]
pub(crate) fn by_cursor<R, T, F, Fut>(
    request: R,
    page_size: i64,
    cursor: fn(&T) -> String,
    fetch: F,
) -> impl Stream<Item = Result<T, Error>>
where
    R: Clone,
    F: Fn(R, Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    walk(request, Cursor { after: None, seen: 0, page_size, cursor }, fetch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    /// Walks pages of `page_size` from a server that answers `answer(offset)`, at most 20.
    async fn walk(page_size: i64, answer: impl Fn(i64) -> Page<i64>) -> Vec<i64> {
        let answer = &answer;
        let stream = items((), 0, page_size, |(), offset| async move { Ok(answer(offset)) });
        stream.take(20).map(Result::unwrap).collect().await
    }

    /// Walks cursor pages of `page_size` from a server that answers `answer(after)`, at most 20.
    async fn walk_by_cursor(page_size: i64, answer: impl Fn(Option<String>) -> Page<i64>) -> Vec<i64> {
        let answer = &answer;
        let stream = by_cursor((), page_size, |n: &i64| n.to_string(), |(), after| async move { Ok(answer(after)) });
        stream.take(20).map(Result::unwrap).collect().await
    }

    #[tokio::test]
    async fn cursor_pages_start_after_the_last_item_and_stop_without_progress() {
        let after = |cursor: Option<String>| cursor.map_or(0, |c| c.parse::<i64>().unwrap() + 1);
        let honest = |cursor| {
            let start = after(cursor);
            Page { items: (start..(start + 2).min(5)).collect(), total: None }
        };
        assert_eq!(walk_by_cursor(2, honest).await, [0, 1, 2, 3, 4]);
        let ignores_cursor = |_| Page { items: vec![0, 1], total: None };
        assert_eq!(walk_by_cursor(2, ignores_cursor).await, [0, 1]);
        let counted = |cursor| {
            let start = after(cursor);
            Page { items: vec![start, start + 1], total: Some(4) }
        };
        assert_eq!(walk_by_cursor(2, counted).await, [0, 1, 2, 3]);
        let endless = |cursor| {
            let start = after(cursor);
            Page { items: vec![start, start + 1], total: None }
        };
        assert_eq!(walk_by_cursor(2, endless).await.len(), 20, "a walk that makes progress goes on");
    }

    #[tokio::test]
    async fn pages_stop_when_they_make_no_progress() {
        let honest = |offset: i64| Page { items: (offset..(offset + 2).min(5)).collect(), total: None };
        assert_eq!(walk(2, honest).await, [0, 1, 2, 3, 4]);
        let ignores_offset = |_| Page { items: vec![0, 1], total: None };
        assert_eq!(walk(2, ignores_offset).await, [0, 1]);
        let ignores_offset_with_total = |_| Page { items: vec![0, 1], total: Some(6) };
        assert_eq!(walk(2, ignores_offset_with_total).await, [0, 1]);
        let counted = |offset: i64| Page { items: vec![offset, offset + 1], total: Some(i64::MAX) };
        assert_eq!(walk(2, counted).await.len(), 20, "a walk that makes progress goes on");
    }
}
