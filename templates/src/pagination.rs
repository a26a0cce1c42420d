//! Streams of items across limit/offset pages.

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
    done: bool,
}

/// Lazily fetches pages with `fetch(request, offset)` and yields their items. It stops
/// after an empty page, a page shorter than `page_size`, or once `total` items were seen.
/// The stream borrows nothing: it lives as long as `request` and `fetch` do.
pub(crate) fn items<R, T, F, Fut>(
    request: R,
    start: i64,
    page_size: i64,
    fetch: F,
) -> impl Stream<Item = Result<T, Error>>
where
    R: Clone,
    F: Fn(R, i64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    let state = State { request, offset: start, buffer: VecDeque::new(), done: false };
    futures_util::stream::unfold((state, fetch), move |(mut state, fetch)| async move {
        loop {
            if let Some(item) = state.buffer.pop_front() {
                return Some((Ok(item), (state, fetch)));
            }
            if state.done {
                return None;
            }
            match fetch(state.request.clone(), state.offset).await {
                Ok(page) => {
                    let count = page.items.len() as i64;
                    state.offset += count;
                    state.done =
                        count == 0 || count < page_size || page.total.is_some_and(|total| state.offset >= total);
                    state.buffer.extend(page.items);
                }
                Err(e) => {
                    state.done = true;
                    return Some((Err(e), (state, fetch)));
                }
            }
        }
    })
}
