//! Waiting between attempts, behind a trait so that tests can record the delays the client
//! chooses instead of spending them (the smithy-rs runtime's `AsyncSleep`, in miniature).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// Something that can wait. The client waits only between retries, through this.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
/// use zaia_ext::Sleep;
///
/// /// Waits for nothing and remembers what it was asked: delays become assertable.
/// #[derive(Clone, Default)]
/// struct Recorder(Arc<Mutex<Vec<Duration>>>);
///
/// impl Sleep for Recorder {
///     fn sleep(&self, duration: Duration) -> zaia_ext::SleepFuture {
///         self.0.lock().unwrap().push(duration);
///         Box::pin(async {})
///     }
/// }
///
/// let recorder = Recorder::default();
/// let client = zaia_ext::ClientBuilder::new().api_key("k").sleeper(recorder.clone()).build().unwrap();
/// # let _ = client;
/// ```
pub trait Sleep: Send + Sync + 'static {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> SleepFuture;
}

/// What [`Sleep::sleep`] returns.
///
/// ```
/// let wait: zaia_ext::SleepFuture = Box::pin(async {});
/// # let _ = wait;
/// ```
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The default: `tokio::time::sleep`.
///
/// ```
/// use zaia_ext::Sleep;
/// # async fn demo() {
/// zaia_ext::TokioSleep.sleep(std::time::Duration::from_millis(1)).await;
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        Box::pin(tokio::time::sleep(duration))
    }
}
