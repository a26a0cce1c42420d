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

struct State<R, T> {
    request: R,
    offset: i64,
    buffer: VecDeque<T>,
    /// The first item of the last page, to tell a page that makes no progress.
    first: Option<T>,
    done: bool,
}

impl<R, T: PartialEq + Clone> State<R, T> {
    /// Takes in a fetched page, unless it starts with the item the last page started with:
    /// a server that ignores `offset` answers the same page again and again, and the walk
    /// would never end (or, with a total, yield duplicates until it is reached).
    fn take(&mut self, page: Page<T>, page_size: i64) {
        if page.items.first().is_some_and(|first| self.first.as_ref() == Some(first)) {
            self.done = true;
            return;
        }
        let count = i64::try_from(page.items.len()).unwrap_or(i64::MAX);
        self.offset = self.offset.saturating_add(count);
        self.done = count == 0 || count < page_size || page.total.is_some_and(|total| self.offset >= total);
        self.first = page.items.first().cloned();
        self.buffer.extend(page.items);
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
    let state = State { request, offset: start, buffer: VecDeque::new(), first: None, done: false };
    futures_util::stream::unfold((state, fetch), move |(mut state, fetch)| async move {
        loop {
            if let Some(item) = state.buffer.pop_front() {
                return Some((Ok(item), (state, fetch)));
            }
            if state.done {
                return None;
            }
            match fetch(state.request.clone(), state.offset).await {
                Ok(page) => state.take(page, page_size),
                Err(e) => {
                    state.done = true;
                    return Some((Err(e), (state, fetch)));
                }
            }
        }
    })
}

/// Where a cursor walk is.
struct Cursor<R, T> {
    request: R,
    /// The cursor of the last item seen; `None` before the first page.
    after: Option<String>,
    seen: i64,
    buffer: VecDeque<T>,
    done: bool,
}

impl<R, T> Cursor<R, T> {
    /// Takes in a fetched page, unless it ends with the item the last page ended with: a
    /// server that ignores the cursor answers the same page again and again.
    fn take(&mut self, page: Page<T>, page_size: i64, cursor: fn(&T) -> String) {
        let last = page.items.last().map(cursor);
        if last.is_some() && last == self.after {
            self.done = true;
            return;
        }
        let count = i64::try_from(page.items.len()).unwrap_or(i64::MAX);
        self.seen = self.seen.saturating_add(count);
        self.done = count == 0 || count < page_size || page.total.is_some_and(|total| self.seen >= total);
        self.after = last;
        self.buffer.extend(page.items);
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
    let state = Cursor { request, after: None, seen: 0, buffer: VecDeque::new(), done: false };
    futures_util::stream::unfold((state, fetch), move |(mut state, fetch)| async move {
        loop {
            if let Some(item) = state.buffer.pop_front() {
                return Some((Ok(item), (state, fetch)));
            }
            if state.done {
                return None;
            }
            match fetch(state.request.clone(), state.after.clone()).await {
                Ok(page) => state.take(page, page_size, cursor),
                Err(e) => {
                    state.done = true;
                    return Some((Err(e), (state, fetch)));
                }
            }
        }
    })
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
