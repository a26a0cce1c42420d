//! Retries: exponential backoff with jitter, `Retry-After`, bounded attempts and time.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// When and how often to retry a failed call.
///
/// The default follows the API's own `x-speakeasy-retries` policy (backoff from 500 ms,
/// ×1.5, at most 60 s apart) and adds 429, with bounds: at most 4 attempts and 2 minutes
/// of waiting. Idempotent calls (`GET`, `PUT`, `DELETE`) are retried on 429, 5xx,
/// connection errors and responses cut short; others only on 429 and on connection errors
/// where the request never reached the server.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Total attempts, the first included; 1 disables retries.
    pub max_attempts: u32,
    /// The first backoff.
    pub initial_backoff: Duration,
    /// The longest backoff between two attempts.
    pub max_backoff: Duration,
    /// Each backoff is the previous one times this.
    pub multiplier: f64,
    /// No retry starts after this much time since the first attempt.
    pub max_elapsed: Duration,
    /// Honour `Retry-After`: wait as long as the server asks. A wait longer than
    /// `max_backoff`, or one that would pass `max_elapsed` or the call's total timeout,
    /// is not shortened: the call ends at once with the 429, whose
    /// [`ApiError::retry_after`](crate::ApiError::retry_after) says when to try again.
    pub respect_retry_after: bool,
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..Self::default() }
    }

    /// The backoff before attempt `attempt + 1` (`attempt` starts at 1), with "equal
    /// jitter": half fixed, half random, so that clients do not retry in lockstep.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(64) as i32;
        let base = self.initial_backoff.as_secs_f64() * self.multiplier.max(1.0).powi(exponent);
        let base = base.min(self.max_backoff.as_secs_f64());
        // A policy of huge or odd durations saturates rather than panics.
        Duration::try_from_secs_f64(base / 2.0 + base / 2.0 * jitter()).unwrap_or(self.max_backoff)
    }

    /// How long to wait before the attempt after `attempt`, or `None` to give up and return
    /// the last outcome: no attempts left, a `Retry-After` the policy cannot honour, or a
    /// wait that would pass `max_elapsed` (counted from the first attempt, `elapsed` ago)
    /// or the `remaining` time of the call's total timeout.
    pub(crate) fn next_wait(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        elapsed: Duration,
        remaining: Option<Duration>,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let wait = match retry_after.filter(|_| self.respect_retry_after) {
            Some(asked) if asked > self.max_backoff => return None,
            Some(asked) => asked,
            None => self.backoff(attempt),
        };
        let in_time = elapsed.saturating_add(wait) <= self.max_elapsed && remaining.is_none_or(|left| wait < left);
        in_time.then_some(wait)
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        let spec = crate::DEFAULT_RETRY;
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: spec.initial_backoff,
            max_backoff: spec.max_backoff,
            multiplier: spec.multiplier,
            max_elapsed: spec.max_elapsed.min(Duration::from_secs(120)),
            respect_retry_after: true,
        }
    }
}

/// The backoff parameters the spec declares (`x-speakeasy-retries`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpecRetry {
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    pub multiplier: f64,
    pub max_elapsed: Duration,
}

/// A number in `[0, 1)` that differs between calls; good enough for jitter.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos());
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// `Retry-After` as a delay: delta-seconds or an HTTP date (relative to `now`).
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = http_date(value)?;
    Some(at.duration_since(now).unwrap_or_default())
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form HTTP servers send.
fn http_date(value: &str) -> Option<SystemTime> {
    let mut parts = value.split_whitespace();
    let _weekday = parts.next()?;
    let day: u64 = parts.next()?.parse().ok()?;
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| Some(*m) == parts.clone().next())? as u64
        + 1;
    parts.next();
    // Four digits, as the format has: the arithmetic below then cannot overflow.
    let year: i64 = parts.next()?.parse().ok().filter(|year| (1..=9999).contains(year))?;
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let (y, mo) = if month <= 2 { (year - 1, month + 9) } else { (year, month - 3) };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400) as u64;
    let doy = (153 * mo + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe as i64 - 719_468;
    let secs = u64::try_from(days).ok()? * 86_400 + h * 3600 + m * 60 + s;
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers, SystemTime::now()), Some(Duration::from_secs(7)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"));
        let now = UNIX_EPOCH + Duration::from_secs(784_111_767);
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(10)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, now), None);
    }

    #[test]
    fn extreme_retry_after_values_are_read_or_refused_without_overflow() {
        let mut headers = HeaderMap::new();
        let now = UNIX_EPOCH + Duration::from_secs(784_111_767);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("18446744073709551615"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(u64::MAX)));
        for date in [
            "Sun, 06 Nov 9223372036854775807 08:49:37 GMT",
            "Sun, 06 Nov -9223372036854775808 08:49:37 GMT",
            "Sun, 06 Nov 0 08:49:37 GMT",
            "Sun, 31 Feb 1969 08:49:37 GMT",
        ] {
            headers.insert(RETRY_AFTER, HeaderValue::from_str(date).unwrap());
            assert!(retry_after(&headers, now).is_none_or(|wait| wait == Duration::ZERO), "{date}");
        }
    }

    #[test]
    fn backoff_of_an_extreme_policy_saturates() {
        let policy = RetryPolicy {
            initial_backoff: Duration::MAX,
            max_backoff: Duration::MAX,
            multiplier: f64::INFINITY,
            ..RetryPolicy::default()
        };
        assert!(policy.backoff(u32::MAX) > Duration::from_secs(1 << 40));
        let odd = RetryPolicy { multiplier: f64::NAN, ..RetryPolicy::default() };
        assert!(odd.backoff(3) <= odd.max_backoff);
    }

    #[test]
    fn a_retry_after_the_policy_cannot_honour_ends_the_call() {
        let policy = RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(60),
            multiplier: 1.0,
            max_elapsed: Duration::from_secs(120),
            respect_retry_after: true,
        };
        let secs = Duration::from_secs;
        let zero = Duration::ZERO;
        assert_eq!(policy.next_wait(1, Some(secs(7)), zero, None), Some(secs(7)));
        assert_eq!(policy.next_wait(1, Some(secs(60)), zero, None), Some(secs(60)));
        assert_eq!(policy.next_wait(1, Some(secs(3600)), zero, None), None, "longer than max_backoff");
        assert_eq!(policy.next_wait(1, Some(secs(30)), secs(100), None), None, "past max_elapsed");
        assert_eq!(policy.next_wait(1, Some(secs(30)), zero, Some(secs(10))), None, "past the total timeout");
        assert_eq!(policy.next_wait(1, Some(secs(5)), zero, Some(secs(10))), Some(secs(5)));
        assert_eq!(policy.next_wait(3, Some(secs(1)), zero, None), None, "no attempts left");
        let backoff = policy.next_wait(1, None, zero, None).unwrap();
        assert!(backoff <= Duration::from_millis(100), "{backoff:?}");
        let ignoring = RetryPolicy { respect_retry_after: false, ..policy };
        let backoff = ignoring.next_wait(1, Some(secs(3600)), zero, None).unwrap();
        assert!(backoff <= Duration::from_millis(100), "{backoff:?}");
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
            multiplier: 2.0,
            ..RetryPolicy::default()
        };
        for attempt in 1..10 {
            let cap = [100, 200, 300][(attempt as usize - 1).min(2)];
            let backoff = policy.backoff(attempt).as_millis();
            assert!(backoff >= cap / 2 && backoff <= cap, "attempt {attempt}: {backoff} ms");
        }
    }
}
