//! A retry budget shared by a client and its clones (a token bucket, as in the AWS SDKs'
//! standard retry mode).
//!
//! Retries multiply load exactly when a server can least take it: a prefetching stream that
//! meets 429s or 5xx would otherwise retry every page in flight. Each such retry takes tokens;
//! a success puts some back. When the bucket is empty, requests fail with the server's answer
//! instead of retrying, until successes refill it.
//!
//! What costs: a retry after 408/429/5xx ([`RETRY_COST`]) or after a timeout ([`TIMEOUT_COST`]),
//! the signals of an overloaded server. A refused, reset or cut connection costs nothing: it
//! put no load on the server, and a new connection usually cures it.
//!
//! ```
//! use zaia_ext::retry_budget::{RETRY_COST, RetryBudget};
//! let budget = RetryBudget::default();
//! assert!(budget.try_acquire(RETRY_COST));
//! budget.release(RETRY_COST); // the retry succeeded: its tokens come back
//! assert_eq!(budget.available(), zaia_ext::retry_budget::DEFAULT_CAPACITY);
//! ```

use std::sync::Mutex;

/// Tokens a retry after a 408, 429 or 5xx takes.
///
/// ```
/// assert!(zaia_ext::retry_budget::RETRY_COST < zaia_ext::retry_budget::TIMEOUT_COST);
/// ```
pub const RETRY_COST: u32 = 5;
/// Tokens a retry after a timeout takes (a timed-out request may still be running there).
///
/// ```
/// assert_eq!(zaia_ext::retry_budget::TIMEOUT_COST, 10);
/// ```
pub const TIMEOUT_COST: u32 = 10;
/// Tokens a success without retries puts back.
///
/// ```
/// assert_eq!(zaia_ext::retry_budget::SUCCESS_REFUND, 1);
/// ```
pub const SUCCESS_REFUND: u32 = 1;
/// The bucket's size (100 retries of a 5xx in a row before retries stop).
///
/// ```
/// assert_eq!(zaia_ext::retry_budget::RetryBudget::default().available(), zaia_ext::retry_budget::DEFAULT_CAPACITY);
/// ```
pub const DEFAULT_CAPACITY: u32 = 500;

/// The bucket. One per client, shared by its clones.
///
/// ```
/// use zaia_ext::retry_budget::{RETRY_COST, RetryBudget};
/// let budget = RetryBudget::new(10);
/// assert!(budget.try_acquire(RETRY_COST) && budget.try_acquire(RETRY_COST));
/// assert!(!budget.try_acquire(RETRY_COST), "spent");
/// budget.release(RETRY_COST);
/// assert_eq!(budget.available(), 5);
/// ```
#[derive(Debug)]
pub struct RetryBudget {
    capacity: u32,
    tokens: Mutex<u32>,
}

impl RetryBudget {
    /// A full bucket of `capacity` tokens.
    ///
    /// ```
    /// assert_eq!(zaia_ext::retry_budget::RetryBudget::new(20).available(), 20);
    /// ```
    pub fn new(capacity: u32) -> Self {
        RetryBudget { capacity, tokens: Mutex::new(capacity) }
    }

    /// Takes `cost` tokens if there are that many.
    ///
    /// ```
    /// let budget = zaia_ext::retry_budget::RetryBudget::new(3);
    /// assert!(!budget.try_acquire(5));
    /// ```
    pub fn try_acquire(&self, cost: u32) -> bool {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if *tokens >= cost {
            *tokens -= cost;
            true
        } else {
            false
        }
    }

    /// Puts `amount` tokens back, up to the capacity.
    ///
    /// ```
    /// let budget = zaia_ext::retry_budget::RetryBudget::new(3);
    /// budget.release(10);
    /// assert_eq!(budget.available(), 3, "never above capacity");
    /// ```
    pub fn release(&self, amount: u32) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        *tokens = (*tokens + amount).min(self.capacity);
    }

    /// Tokens left.
    ///
    /// ```
    /// assert_eq!(zaia_ext::retry_budget::RetryBudget::new(7).available(), 7);
    /// ```
    pub fn available(&self) -> u32 {
        *self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget::new(DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_drain_the_bucket_and_successes_refill_it() {
        let budget = RetryBudget::new(12);
        assert!(budget.try_acquire(RETRY_COST) && budget.try_acquire(RETRY_COST));
        assert!(!budget.try_acquire(RETRY_COST), "2 tokens left");
        assert_eq!(budget.available(), 2);
        budget.release(RETRY_COST);
        assert!(!budget.try_acquire(TIMEOUT_COST) && budget.try_acquire(RETRY_COST));
        budget.release(100);
        assert_eq!(budget.available(), 12, "never above capacity");
    }
}
