//! `zaia-mock`: the mock as a server other programs run (a CI service, another language's
//! tests). `zaia-mock --help` lists the options and the admin API.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use zaia_mock::{Fault, MockConfig, MockServer, Seed};

/// A stateful fake of the Zaia Public API.
///
/// Prints the address it serves on as the first line of standard output (`http://host:port`),
/// and writes the port to `--port-file` once it is ready. Logs go to standard error. Stops
/// gracefully on SIGTERM or Ctrl-C: requests in flight finish, then it exits 0.
#[derive(Debug, Parser)]
#[command(
    name = "zaia-mock",
    version,
    after_help = "ADMIN API (no key, never journaled or faulted):
  GET    /__zaia-mock/health     200 {\"status\": \"ok\", \"requests\": n} once ready
  GET    /__zaia-mock/journal    the last exchanges, oldest first (header x-zaia-mock-dropped: how many it no longer holds)
  DELETE /__zaia-mock/journal    empties it
  GET    /__zaia-mock/counters   requests by operation and status
  DELETE /__zaia-mock/counters   zeroes them
  POST   /__zaia-mock/faults     arms a fault: {\"kind\": \"status\", \"status\": 404, \"operation\": \"get_chat\", \"times\": 1}
  GET    /__zaia-mock/faults     the faults still armed
  DELETE /__zaia-mock/faults     disarms them all

A fault's kind is status (a status the operation documents), undocumented (any status), rate-limited
(retryAfterSeconds), server-error (status, 5xx), delay (delayMs), cut-body or reset; operation
(an operation id) is optional but for status; times (omitted: every request) limits it."
)]
struct Args {
    /// The address to listen on (0.0.0.0: every interface, as a container or CI service needs).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// The port; 0 picks a free one (the first line of output says which).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Writes the port here once the mock is ready (written whole, then renamed into place).
    #[arg(long, value_name = "PATH")]
    port_file: Option<PathBuf>,
    /// An accepted API key (repeat for several; default: test-key).
    #[arg(long = "key", value_name = "KEY")]
    keys: Vec<String>,
    /// Makes the dataset's ids; the same value gives the same data.
    #[arg(long, default_value_t = Seed::default().seed)]
    seed: u64,
    /// Chats in the dataset.
    #[arg(long, default_value_t = Seed::default().chats)]
    chats: usize,
    /// Exchanges the journal keeps, the last ones (0: none; the counters still count).
    #[arg(long, default_value_t = zaia_mock::journal::DEFAULT_CAPACITY)]
    journal_capacity: usize,
    /// Bytes of each body the journal keeps (a longer one is cut and marked).
    #[arg(long, default_value_t = zaia_mock::journal::DEFAULT_BODY_LIMIT)]
    journal_body_limit: usize,
    /// A fault to arm at start, as the admin API takes it (repeat for several), e.g.
    /// '{"kind": "server-error", "status": 503, "times": 2}'.
    #[arg(long = "fault", value_name = "JSON")]
    faults: Vec<String>,
    /// The least important log lines shown: each request is one `info` line.
    #[arg(long, value_enum, default_value_t = LogLevel::Info)]
    log_level: LogLevel,
    /// Log lines as text or as JSON objects (one per line).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    init_logs(args.log_level, args.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return fail(format!("cannot start a runtime: {e}")),
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => fail(message),
    }
}

fn fail(message: String) -> std::process::ExitCode {
    eprintln!("zaia-mock: {message}");
    std::process::ExitCode::FAILURE
}

fn init_logs(level: LogLevel, format: LogFormat) {
    use tracing_subscriber::filter::LevelFilter;
    let level = match level {
        LogLevel::Off => LevelFilter::OFF,
        LogLevel::Error => LevelFilter::ERROR,
        LogLevel::Warn => LevelFilter::WARN,
        LogLevel::Info => LevelFilter::INFO,
        LogLevel::Debug => LevelFilter::DEBUG,
        LogLevel::Trace => LevelFilter::TRACE,
    };
    let logs = tracing_subscriber::fmt().with_max_level(level).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
}

async fn serve(args: Args) -> Result<(), String> {
    let faults: Vec<Fault> =
        args.faults.iter().map(|text| Fault::from_json(text).map_err(|e| format!("--fault {text}: {e}"))).collect::<Result<_, _>>()?;
    let mut config = MockConfig::default()
        .seed(Seed::default().seed(args.seed).chats(args.chats))
        .journal_capacity(args.journal_capacity)
        .journal_body_limit(args.journal_body_limit);
    if !args.keys.is_empty() {
        config = config.api_keys(args.keys);
    }
    let address = SocketAddr::new(args.host, args.port);
    let mock = MockServer::bind(address, config).await.map_err(|e| format!("cannot listen on {address}: {e}"))?;
    for fault in faults {
        mock.arm(fault);
    }
    if let Some(path) = &args.port_file {
        write_whole(path, &format!("{}\n", mock.address().port())).map_err(|e| format!("--port-file {}: {e}", path.display()))?;
    }
    // the one line a script reads; everything else goes to standard error
    println!("{}", mock.base_url());
    tracing::info!(address = %mock.address(), key = "(not logged)", chats = args.chats, "zaia-mock ready; SIGTERM or Ctrl-C stops it");
    stopped().await?;
    tracing::info!("stopping: requests in flight finish");
    mock.shutdown(Duration::from_secs(10)).await;
    Ok(())
}

/// Writes `text` to `path` so that a reader never sees half of it: a sibling file, renamed.
fn write_whole(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, path)
}

/// Resolves on the first SIGTERM (what CI runners and container engines send) or Ctrl-C.
async fn stopped() -> Result<(), String> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).map_err(|e| format!("cannot watch SIGTERM: {e}"))?;
        tokio::select! {
            _ = term.recv() => {}
            result = tokio::signal::ctrl_c() => result.map_err(|e| format!("cannot watch Ctrl-C: {e}"))?,
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await.map_err(|e| format!("cannot watch Ctrl-C: {e}"))?;
    Ok(())
}
