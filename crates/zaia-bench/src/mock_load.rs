//! The mock under load, as a soak or load test runs it: through the SDK against the in-process
//! mock, with its default configuration (the journal bounded at its default capacity). Peak and
//! current RSS come from `/proc/self/status`, each run in a process of its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use zaia_ext::{RetryPolicy, ZaiaClient};
use zaia_mock::{MockConfig, MockServer, Seed};

/// `VmHWM` (peak) or `VmRSS` (now) of this process, in MiB.
fn rss_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: f64 = status.lines().find(|l| l.starts_with(field)).unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    kib / 1024.0
}

fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap()
}

async fn mock_and_client() -> (MockServer, ZaiaClient) {
    let mock = MockServer::start(MockConfig::default().seed(Seed::default())).await.unwrap();
    let client = ZaiaClient::builder().api_key(mock.api_key()).base_url(mock.base_url()).retry_policy(RetryPolicy::none()).build().unwrap();
    (mock, client)
}

/// `tasks` tasks calling `list_chats` for `secs` seconds; prints `calls errors peak_mib`.
pub fn load_child(tasks: usize, secs: u64) {
    let rt = multi_thread();
    let (calls, errors) = rt.block_on(async {
        let (mock, client) = mock_and_client().await;
        let (calls, errors) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let until = Instant::now() + Duration::from_secs(secs);
        let workers: Vec<_> = (0..tasks)
            .map(|_| {
                let (client, calls, errors) = (client.clone(), calls.clone(), errors.clone());
                tokio::spawn(async move {
                    while Instant::now() < until {
                        match client.list_chats().await {
                            Ok(_) => calls.fetch_add(1, Ordering::Relaxed),
                            Err(_) => errors.fetch_add(1, Ordering::Relaxed),
                        };
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.await.unwrap();
        }
        drop(mock);
        (calls.load(Ordering::Relaxed), errors.load(Ordering::Relaxed))
    });
    println!("{calls} {errors} {:.1}", rss_mib("VmHWM"));
}

/// `total` requests, 64 at a time; prints `requests rss_mib peak_mib` at 100k and at `total`.
pub fn soak_child(total: u64) {
    let rt = multi_thread();
    rt.block_on(async {
        let (mock, client) = mock_and_client().await;
        let sent = Arc::new(AtomicU64::new(0));
        let mut mark = 100_000u64.min(total);
        let concurrency = 64;
        loop {
            let next_mark = mark;
            let workers: Vec<_> = (0..concurrency)
                .map(|_| {
                    let (client, sent) = (client.clone(), sent.clone());
                    tokio::spawn(async move {
                        while sent.fetch_add(1, Ordering::Relaxed) < next_mark {
                            client.list_chats().await.expect("the mock answers");
                        }
                    })
                })
                .collect();
            for worker in workers {
                worker.await.unwrap();
            }
            sent.store(next_mark, Ordering::Relaxed);
            assert_eq!(mock.requests(), next_mark);
            println!("{next_mark} {:.1} {:.1}", rss_mib("VmRSS"), rss_mib("VmHWM"));
            if next_mark >= total {
                break;
            }
            mark = total;
        }
        drop(mock);
    });
}

fn child(args: &[&str]) -> String {
    let out = std::process::Command::new(std::env::current_exe().unwrap()).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The load of issue 26: 200 tasks for 15 s (and 1,000); baseline: the mock and client started,
/// no load.
pub fn load(secs: u64) {
    let run = |tasks: usize, secs: u64| -> (u64, u64, f64) {
        let out = child(&["mock-load-child", &tasks.to_string(), &secs.to_string()]);
        let parts: Vec<&str> = out.split_whitespace().collect();
        (parts[0].parse().unwrap(), parts[1].parse().unwrap(), parts[2].parse().unwrap())
    };
    let (_, _, baseline) = run(1, 0);
    println!(
        "the mock under load through the SDK (list_chats, default config: journal of {} exchanges); peak RSS (VmHWM)",
        zaia_mock::journal::DEFAULT_CAPACITY
    );
    println!("  baseline (started, no load)        {baseline:>7.1} MiB");
    for tasks in [200, 1000] {
        let (calls, errors, peak) = run(tasks, secs);
        println!(
            "  {tasks:>4} tasks × {secs} s: {calls:>8} calls, {errors} errors, peak {peak:>7.1} MiB ({:.2}× baseline)",
            peak / baseline
        );
    }
}

/// A million requests (or `total`): RSS at 100k and at the end.
pub fn soak(total: u64) {
    let out = child(&["mock-soak-child", &total.to_string()]);
    println!("the mock soaked through the SDK (list_chats, 64 at a time, default config): RSS (VmRSS) and peak (VmHWM)");
    let mut marks = Vec::new();
    for line in out.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let (n, rss, peak): (u64, f64, f64) = (parts[0].parse().unwrap(), parts[1].parse().unwrap(), parts[2].parse().unwrap());
        println!("  after {n:>8} requests: RSS {rss:>7.1} MiB, peak {peak:>7.1} MiB");
        marks.push((rss, peak));
    }
    if let [(rss_100k, peak_100k), .., (rss_end, peak_end)] = marks.as_slice() {
        println!("  end / 100k: RSS {:.3}×, peak {:.3}×", rss_end / rss_100k, peak_end / peak_100k);
    }
}
