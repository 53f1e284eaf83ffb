//! The binary as a CI service runs it: every interface, a port it picks, ready when `health`
//! answers, a fault armed from the command line, the journal bounded, logs on standard error,
//! and a graceful stop on SIGTERM.

#![cfg(unix)]

use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

/// Starts the binary with `args`; its first line of output (the address) and the child.
async fn start(args: &[&str]) -> (String, Child) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zaia-mock"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await.unwrap().unwrap().unwrap();
    (first, child)
}

fn sigterm(child: &Child) {
    let pid = child.id().unwrap().to_string();
    let sent = std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(sent.success());
}

#[tokio::test]
async fn on_every_interface_at_a_port_it_picks_ready_and_stopped_by_sigterm_after_the_request_in_flight() {
    let dir = std::env::temp_dir().join(format!("zaia-mock-service-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port_file = dir.join("port");
    let (first, mut child) = start(&[
        "--host",
        "0.0.0.0",
        "--port",
        "0",
        "--port-file",
        port_file.to_str().unwrap(),
        "--fault",
        r#"{"kind": "delay", "delayMs": 600, "operation": "list_chats", "times": 1}"#,
        "--log-format",
        "json",
    ])
    .await;
    // the one line: the address, every interface, the port it picked, as the port file says
    let port: u16 = std::fs::read_to_string(&port_file).unwrap().trim().parse().unwrap();
    assert_ne!(port, 0);
    assert_eq!(first, format!("http://0.0.0.0:{port}"));
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let health: serde_json::Value = http.get(format!("{base}/__zaia-mock/health")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");

    // a request in flight (the fault delays it 600 ms) when SIGTERM comes: it is answered, then
    // the mock exits 0, within a second of the signal
    let in_flight = tokio::spawn({
        let (http, url) = (http.clone(), format!("{base}/api/v1/chats"));
        async move { http.get(url).header("authorization", "test-key").send().await.map(|r| r.status().as_u16()) }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let signalled = Instant::now();
    sigterm(&child);
    assert_eq!(in_flight.await.unwrap().unwrap(), 200, "the request in flight completes");
    let status = tokio::time::timeout(Duration::from_secs(5), child.wait()).await.unwrap().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(signalled.elapsed() < Duration::from_secs(1), "stopped {:?} after SIGTERM", signalled.elapsed());
    // and its one log line for the request, as JSON on standard error
    let mut logs = String::new();
    child.stderr.take().unwrap().read_to_string(&mut logs).await.unwrap();
    let line = logs.lines().find(|l| l.contains("\"request\"")).unwrap_or_else(|| panic!("{logs}"));
    let line: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(
        (line["operation"].as_str(), line["status"].as_u64(), line["level"].as_str()),
        (Some("list_chats"), Some(200), Some("INFO"))
    );
    assert!(!logs.contains("test-key"), "the key is never logged");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_journal_keeps_its_capacity_and_the_counters_count_everything() {
    let (base, mut child) = start(&["--port", "0", "--journal-capacity", "2", "--chats", "1", "--log-level", "off"]).await;
    let http = reqwest::Client::new();
    for _ in 0..5 {
        let answer = http.get(format!("{base}/api/v1/chats")).header("authorization", "test-key").send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 200);
    }
    let _ = http.get(format!("{base}/api/v1/chats")).send().await.unwrap(); // no key: 401
    let journal = http.get(format!("{base}/__zaia-mock/journal")).send().await.unwrap();
    assert_eq!(journal.headers()[zaia_mock::DROPPED_HEADER], "4");
    let journal: serde_json::Value = journal.json().await.unwrap();
    let statuses: Vec<u64> = journal.as_array().unwrap().iter().map(|e| e["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [200, 401], "the last two");
    let counters: serde_json::Value = http.get(format!("{base}/__zaia-mock/counters")).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        counters,
        serde_json::json!([{"operation": "list_chats", "status": 200, "count": 5}, {"operation": "list_chats", "status": 401, "count": 1}])
    );
    sigterm(&child);
    assert!(tokio::time::timeout(Duration::from_secs(5), child.wait()).await.unwrap().unwrap().success());
}

#[tokio::test]
async fn bad_options_are_refused_with_the_option_named() {
    let output = Command::new(env!("CARGO_BIN_EXE_zaia-mock"))
        .args(["--port", "0", "--fault", r#"{"kind": "server-error", "status": 404}"#])
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--fault") && stderr.contains("status: 404 is not a server error (5xx)"), "{stderr}");
    let help = Command::new(env!("CARGO_BIN_EXE_zaia-mock")).arg("--help").output().await.unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for documented in ["--host", "--port-file", "--journal-capacity", "--fault", "/__zaia-mock/health", "/__zaia-mock/counters"] {
        assert!(help.contains(documented), "--help lacks {documented}");
    }
}
