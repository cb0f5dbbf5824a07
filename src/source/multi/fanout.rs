//! The fan-out plumbing of `MultiSource`: awaiting one future per place
//! at once, and merging the places' lists. Separate from the parent
//! because it is generic glue with no knowledge of places or the source
//! traits, while the parent routes and places.

use crate::source::SourceError;

/// Awaits futures concurrently (no extra dependency for one join).
pub(crate) async fn join_all<F: std::future::Future>(
    futs: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

/// Merges per-place results: the successes, or the first error when every
/// place failed.
pub(super) fn merge<K, T>(
    results: Vec<(&K, Result<Vec<T>, SourceError>)>,
    mut map: impl FnMut(&K, T) -> T,
) -> Result<Vec<T>, SourceError> {
    let mut out = Vec::new();
    let mut first_err = None;
    let mut any_ok = false;
    for (region, r) in results {
        match r {
            Ok(v) => {
                any_ok = true;
                out.extend(v.into_iter().map(|x| map(region, x)));
            }
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    match (any_ok, first_err) {
        (false, Some(e)) => Err(e),
        _ => Ok(out),
    }
}
