//! When to retry and how long to wait.
//!
//! Written here rather than taken from a crate: the policy is a dozen lines, and the crates that
//! offer backoff (backon, backoff) do not take a server's `Retry-After` into account, which is
//! the part that matters most for 429s.

use std::time::{Duration, SystemTime};

use reqwest::{Method, StatusCode};

/// How failed requests are retried.
///
/// Delays grow as `base · 2ⁿ` up to `max_delay`, with "equal jitter" (half fixed, half random)
/// so that many clients do not retry in step. A `Retry-After` header replaces the computed
/// delay; one longer than `max_retry_after` ends the retries (see [`delay_for`](Self::delay_for)).
/// Retries also stop when the call's deadline would pass before the next attempt, and when the
/// client's [retry budget](crate::retry_budget) is spent.
///
/// ```
/// use std::time::Duration;
/// use zaia_ext::RetryPolicy;
///
/// let policy = RetryPolicy::default().max_retries(4).retry_non_idempotent(true);
/// assert_eq!(policy.base_delay, Duration::from_millis(500));
/// assert!(policy.delay(3) <= Duration::from_secs(4));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 2).
    pub max_retries: u32,
    /// The first delay (default 0.5 s).
    pub base_delay: Duration,
    /// The longest computed delay (default 8 s).
    pub max_delay: Duration,
    /// The longest `Retry-After` the client waits for (default 30 s); a longer one ends the
    /// retries.
    pub max_retry_after: Duration,
    /// Also retry POST and PATCH (default false: they may not be idempotent).
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    ///
    /// ```
    /// assert_eq!(zaia_ext::RetryPolicy::none().max_retries, 0);
    /// ```
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..Self::default() }
    }

    /// Sets the number of retries.
    ///
    /// ```
    /// assert_eq!(zaia_ext::RetryPolicy::default().max_retries(5).max_retries, 5);
    /// ```
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets the first delay and the cap of computed delays.
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = zaia_ext::RetryPolicy::default().delays(Duration::from_millis(100), Duration::from_secs(2));
    /// assert!(policy.delay(10) <= Duration::from_secs(2));
    /// ```
    pub fn delays(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max;
        self
    }

    /// Whether POST and PATCH are retried too.
    ///
    /// ```
    /// assert!(zaia_ext::RetryPolicy::default().retry_non_idempotent(true).allows(&reqwest::Method::POST));
    /// ```
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.retry_non_idempotent = yes;
        self
    }

    /// Whether requests with this method may be retried.
    ///
    /// ```
    /// let policy = zaia_ext::RetryPolicy::default();
    /// assert!(policy.allows(&reqwest::Method::GET) && !policy.allows(&reqwest::Method::POST));
    /// ```
    pub fn allows(&self, method: &Method) -> bool {
        let idempotent = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::DELETE | Method::PUT);
        idempotent || self.retry_non_idempotent
    }

    /// The delay before retry number `retry` (0 for the first retry), jittered.
    ///
    /// ```
    /// use std::time::Duration;
    /// let first = zaia_ext::RetryPolicy::default().delay(0);
    /// assert!(first >= Duration::from_millis(250) && first <= Duration::from_millis(500));
    /// ```
    pub fn delay(&self, retry: u32) -> Duration {
        let full = self.base_delay.saturating_mul(2u32.saturating_pow(retry.min(30))).min(self.max_delay);
        let half = full / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// The delay before the next retry: the server's `Retry-After` if it sent one, otherwise
    /// the computed one. `None` when the server asks for longer than `max_retry_after`:
    /// retrying sooner would only be refused again, so the call ends with the server's answer
    /// (and its wait in [`Error::retry_after`](crate::Error::retry_after)).
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = zaia_ext::RetryPolicy::default();
    /// assert_eq!(policy.delay_for(0, Some(Duration::from_secs(3))), Some(Duration::from_secs(3)));
    /// assert_eq!(policy.delay_for(0, Some(Duration::from_secs(3600))), None, "longer than max_retry_after");
    /// ```
    pub fn delay_for(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        match retry_after {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.delay(retry)),
        }
    }
}

/// Statuses worth another try: timeouts, rate limits and server errors.
pub fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// Failures worth another try: the connection failed, broke, or timed out.
pub fn is_retryable_error(error: &reqwest::Error) -> bool {
    !error.is_builder() && (error.is_connect() || error.is_timeout() || error.is_request() || error.is_body())
}

/// A response's `Retry-After`, as a wait from now.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, SystemTime::now())
}

/// Parses `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_exponentially_with_jitter_and_a_cap() {
        let policy = RetryPolicy::default();
        for retry in 0..8 {
            let full = Duration::from_millis(500 * 2u64.pow(retry)).min(Duration::from_secs(8));
            for _ in 0..50 {
                let d = policy.delay(retry);
                assert!(d >= full / 2 && d <= full, "retry {retry}: {d:?} outside {:?}..={full:?}", full / 2);
            }
        }
    }

    #[test]
    fn only_idempotent_methods_retry_by_default() {
        let policy = RetryPolicy::default();
        assert!(policy.allows(&Method::GET) && policy.allows(&Method::DELETE));
        assert!(!policy.allows(&Method::POST) && !policy.allows(&Method::PATCH));
        assert!(policy.retry_non_idempotent(true).allows(&Method::POST));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_and_is_capped() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(7)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay_for(0, Some(Duration::from_secs(3600))), None);
        assert_eq!(policy.delay_for(0, Some(Duration::from_secs(30))), Some(Duration::from_secs(30)));
        assert!(policy.delay_for(1, None).unwrap() <= Duration::from_secs(1));
    }

    #[test]
    fn retryable_statuses() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        for s in [200, 400, 401, 404, 412] {
            assert!(!is_retryable_status(StatusCode::from_u16(s).unwrap()), "{s}");
        }
    }
}
