//! Where a run's time goes, stage by stage, for `cargo xtask bench --stages`: each stage of the
//! pipeline is wrapped in [`stage`], which costs one relaxed atomic load unless a bench turned
//! recording on. Threads of a run show under their names (`models`, `from-spec`, `main`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

static RECORDING: AtomicBool = AtomicBool::new(false);
static SPANS: Mutex<Vec<Span>> = Mutex::new(Vec::new());

/// One stage as it ran: on which thread, when it started (from the first recorded start), and
/// for how long.
#[derive(Debug, Clone)]
pub struct Span {
    pub thread: String,
    pub stage: &'static str,
    pub start: Instant,
    pub took: Duration,
}

/// Runs `f`, recording its wall time under `name` when recording is on.
pub fn stage<T>(name: &'static str, f: impl FnOnce() -> T) -> T {
    if !RECORDING.load(Ordering::Relaxed) {
        return f();
    }
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    let thread = std::thread::current().name().unwrap_or("main").to_string();
    SPANS.lock().unwrap_or_else(|e| e.into_inner()).push(Span { thread, stage: name, start, took });
    out
}

/// The spans `f` recorded, in the order they started.
pub fn recorded<T>(f: impl FnOnce() -> T) -> (T, Vec<Span>) {
    SPANS.lock().unwrap_or_else(|e| e.into_inner()).clear();
    RECORDING.store(true, Ordering::Relaxed);
    let out = f();
    RECORDING.store(false, Ordering::Relaxed);
    let mut spans = std::mem::take(&mut *SPANS.lock().unwrap_or_else(|e| e.into_inner()));
    spans.sort_by_key(|s| s.start);
    (out, spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_recorded_only_when_asked_and_by_thread() {
        stage("unrecorded", || ());
        let (value, spans) = recorded(|| {
            let outer = stage("outer", || stage("inner", || 7));
            std::thread::scope(|scope| {
                std::thread::Builder::new().name("worker".into()).spawn_scoped(scope, || stage("on a thread", || ())).unwrap();
            });
            outer
        });
        assert_eq!(value, 7);
        let names: Vec<(&str, &str)> = spans.iter().map(|s| (s.thread.as_str(), s.stage)).collect();
        // (another test's run may record while this one does: only these stages are asserted)
        assert!(names.contains(&("worker", "on a thread")), "{names:?}");
        let outer = spans.iter().find(|s| s.stage == "outer").unwrap();
        let inner = spans.iter().find(|s| s.stage == "inner").unwrap();
        assert!(outer.start <= inner.start && outer.took >= inner.took);
        assert!(!names.iter().any(|(_, stage)| *stage == "unrecorded"));
    }
}
