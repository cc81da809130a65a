//! The `kbrowse` binary: the TUI, or a headless command.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kbrowse::cli::consume::{ConsumeOptions, run as consume};
use kbrowse::cli::format::Format;
use kbrowse::kafka::{ClientConfig, Cluster, Isolation, StartAt};

#[derive(Parser, Debug)]
#[command(
    name = "kbrowse",
    version,
    about = "A fast, safe terminal browser for Apache Kafka topics"
)]
struct Cli {
    /// Bootstrap brokers, comma-separated host:port.
    #[arg(
        short = 'b',
        long,
        env = "KBROWSE_BROKERS",
        default_value = "localhost:9092",
        global = true,
        value_parser = kbrowse::cli::parse_brokers
    )]
    brokers: String,
    /// Seconds a request may wait for its answer.
    #[arg(long, default_value_t = 10, global = true, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    /// Write a debug log to this file.
    #[arg(long, global = true)]
    log: Option<std::path::PathBuf>,
    /// Records the message pane holds at most.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..=10_000_000))]
    window: u64,
    /// Open this topic's partitions directly.
    topic: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List topics with partitions, leaders and watermarks.
    Topics,
    /// Print a topic's records to stdout.
    Consume {
        /// The topic to read.
        #[arg(short = 't', long)]
        topic: String,
        /// A partition to read (repeatable); all partitions when absent.
        #[arg(short = 'p', long = "partition", value_parser = kbrowse::cli::parse_partition, allow_hyphen_values = true)]
        partitions: Vec<i32>,
        /// Where to start: beginning, end, N, -N (N before the end), @MILLIS or @RFC3339.
        #[arg(short = 'o', long, default_value = "beginning", value_parser = parse_offset, allow_hyphen_values = true)]
        offset: StartAt,
        /// Stop after this many records.
        #[arg(short = 'c', long, value_parser = kbrowse::cli::parse_count, allow_hyphen_values = true)]
        count: Option<u64>,
        /// Exit once every partition reaches the end it had at start.
        #[arg(short = 'e', long)]
        exit: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// committed hides aborted transactions; uncommitted shows everything.
        #[arg(long, value_enum, default_value_t = IsolationArg::Committed)]
        isolation: IsolationArg,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum IsolationArg {
    Committed,
    Uncommitted,
}

impl From<IsolationArg> for Isolation {
    fn from(i: IsolationArg) -> Isolation {
        match i {
            IsolationArg::Committed => Isolation::ReadCommitted,
            IsolationArg::Uncommitted => Isolation::ReadUncommitted,
        }
    }
}

fn parse_offset(s: &str) -> Result<StartAt, String> {
    let now = chrono::Utc::now().timestamp_millis();
    kbrowse::position::parse_position(s, now)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(path) = &cli.log {
        match std::fs::File::create(path) {
            Ok(f) => tracing_subscriber::fmt()
                .with_writer(std::sync::Mutex::new(f))
                .with_ansi(false)
                .init(),
            Err(e) => {
                eprintln!("kbrowse: cannot open log file {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kbrowse: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kbrowse: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = ClientConfig::new(&cli.brokers);
    config.conn.request_timeout = std::time::Duration::from_secs(cli.timeout);
    match cli.command {
        Some(Command::Topics) => {
            let cluster = Cluster::connect(config).await?;
            let stdout = std::io::stdout();
            kbrowse::cli::topics::run(&cluster, &mut stdout.lock()).await
        }
        Some(Command::Consume {
            topic,
            partitions,
            offset,
            count,
            exit,
            format,
            isolation,
        }) => {
            let cluster = Cluster::connect(config).await?;
            let opts = ConsumeOptions {
                topic,
                partitions,
                start: offset,
                count,
                exit_at_end: exit,
                format,
                isolation: isolation.into(),
            };
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            consume(cluster, opts, &mut out).await
        }
        None => {
            kbrowse::tui::run(kbrowse::tui::Options {
                brokers: cli.brokers,
                topic: cli.topic,
                window: cli.window as usize,
                isolation: Isolation::ReadCommitted,
                request_timeout: std::time::Duration::from_secs(cli.timeout),
            })
            .await
        }
    }
}
