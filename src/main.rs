//! The `kbrowse` binary: the TUI, or a headless command.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};
use kbrowse::cli::consume::{ConsumeOptions, run as consume};
use kbrowse::cli::format::Format;
use kbrowse::cli::groups::ListFormat;
use kbrowse::cli::habits;
use kbrowse::cli::kcat::{OffsetArg, Template};
use kbrowse::cli::topics::TopicsFormat;
use kbrowse::config::{self, Inputs, Settings};
use kbrowse::kafka::{ClientConfig, Cluster, Isolation};

#[derive(Parser, Debug)]
#[command(
    name = "kbrowse",
    version,
    about = "A fast, safe terminal browser for Apache Kafka topics"
)]
struct Cli {
    /// Bootstrap brokers, comma-separated host[:port] (port 9092 when absent) [default: the
    /// profile's, else localhost:9092].
    #[arg(
        short = 'b',
        long,
        env = "KBROWSE_BROKERS",
        global = true,
        value_parser = kbrowse::cli::parse_brokers
    )]
    brokers: Option<String>,
    /// Seconds a request may wait for its answer [default: socket.timeout.ms, else 10].
    #[arg(long, global = true, value_parser = kbrowse::cli::parse_timeout)]
    timeout: Option<u64>,
    /// Write a debug log to this file.
    #[arg(long, global = true)]
    log: Option<PathBuf>,
    /// The cluster profile to use (a [clusters.NAME] table of the profiles file).
    #[arg(long, env = "KBROWSE_CLUSTER", global = true)]
    cluster: Option<String>,
    /// The profiles file [default: $XDG_CONFIG_HOME/kbrowse/config.toml, else
    /// ~/.config/kbrowse/config.toml].
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// A librdkafka property, as kcat takes it (repeatable): -X security.protocol=SASL_SSL.
    #[arg(short = 'X', value_name = "KEY=VALUE", global = true, value_parser = config::properties::parse_x)]
    properties: Vec<(String, String)>,
    /// A file of librdkafka properties, key=value lines (repeatable).
    #[arg(short = 'F', value_name = "FILE", global = true)]
    property_files: Vec<PathBuf>,
    /// committed hides aborted transactions; uncommitted shows everything (TUI and consume).
    #[arg(long, value_enum, default_value_t = IsolationArg::Committed, global = true)]
    isolation: IsolationArg,
    /// Show times in UTC instead of the local zone (TUI and consume).
    #[arg(long, global = true)]
    utc: bool,
    /// Records the message pane holds at most.
    #[arg(long, default_value_t = 10_000, value_parser = kbrowse::cli::parse_window)]
    window: u64,
    /// Schema Registry URL for the browser (may carry user:pass@) [default:
    /// schema.registry.url]; `consume` takes its own -r.
    #[arg(short = 'r', long = "schema-registry")]
    schema_registry: Option<String>,
    /// The browser's key=FMT, value=FMT or FMT (both): auto, avro, protobuf, protobuf:pkg.Msg,
    /// json, msgpack, string, bytes.
    #[arg(short = 's', value_parser = kbrowse::cli::parse_serde)]
    serde: Vec<kbrowse::cli::SerdeArg>,
    /// A directory of .proto files for protobuf:pkg.Msg in the browser (repeatable).
    #[arg(long = "proto-path")]
    proto_path: Vec<std::path::PathBuf>,
    /// A consumer group whose lag the partitions screen shows even where the broker cannot
    /// list groups (repeatable).
    #[arg(long = "group", value_name = "GROUP")]
    group: Vec<String>,
    /// Open this topic's partitions directly.
    topic: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

// Parsed once at start-up; the size of the consume variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
enum Command {
    /// List topics with partitions, leaders and watermarks.
    Topics {
        /// Only this topic.
        #[arg(short = 't', long)]
        topic: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TopicsFormat::Text)]
        format: TopicsFormat,
        /// Print the topic's configs (with -t): value and source of each.
        #[arg(long, requires = "topic")]
        configs: bool,
    },
    /// List consumer groups with type, state, members and total lag; -g: one group's lag per
    /// partition.
    Groups {
        /// Only this group, one row per partition.
        #[arg(short = 'g', long)]
        group: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// List the brokers: id, host:port, rack, controller.
    Brokers {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print a topic's records to stdout.
    Consume {
        /// The topic to read.
        #[arg(short = 't', long)]
        topic: String,
        /// A partition to read (repeatable); all partitions when absent.
        #[arg(short = 'p', long = "partition", value_parser = kbrowse::cli::parse_partition, allow_hyphen_values = true)]
        partitions: Vec<i32>,
        /// Where to start: beginning (default), end, N, -N (N before the end), @TIME or kcat's
        /// s@TIME; e@TIME stops each partition before its first record at or after TIME (give
        /// both: -o s@A -o e@B). TIME: MILLIS, RFC3339, 'YYYY-MM-DD HH:MM[:SS]' or -15m/-2h/-1d.
        #[arg(short = 'o', long, value_parser = parse_offset, allow_hyphen_values = true)]
        offset: Vec<OffsetArg>,
        /// Stop after this many records.
        #[arg(short = 'c', long, value_parser = kbrowse::cli::parse_count, allow_hyphen_values = true)]
        count: Option<u64>,
        /// Exit once every partition reaches the end it had at start.
        #[arg(short = 'e', long)]
        exit: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// kcat's output template: %t topic, %p partition, %o offset, %k key, %s value, %K/%S
        /// key/value size (-1 when null), %R value size as 4 big-endian bytes, %T timestamp
        /// (ms), %h headers (k=v,k=v), %%; escapes \n \r \t \xNN. Bytes go out raw when
        /// stdout is not a terminal.
        #[arg(short = 'f', value_name = "FORMAT", value_parser = parse_template, conflicts_with = "format")]
        template: Option<Template>,
        /// The same as --format json (kcat's -J).
        #[arg(short = 'J', conflicts_with_all = ["format", "template"])]
        json: bool,
        /// Print no warnings or notices on stderr, only errors.
        #[arg(short = 'q', long)]
        quiet: bool,
        /// Unbuffered output: stdout is flushed after every record.
        #[arg(short = 'u', long)]
        unbuffered: bool,
        /// Read only instance I's share of the partitions, of N instances (0-based): the
        /// partitions p with p mod N == I.
        #[arg(long, value_name = "I/N", conflicts_with = "spread_group")]
        spread: Option<kbrowse::spread::Spread>,
        /// Show headers in the text and hex formats (JSON always has them).
        #[arg(long)]
        headers: bool,
        /// Schema Registry URL (may carry user:pass@) [default: schema.registry.url].
        #[arg(short = 'r', long = "schema-registry")]
        schema_registry: Option<String>,
        /// key=FMT, value=FMT or FMT (both): auto, avro, protobuf, protobuf:pkg.Msg, json, msgpack, string, bytes.
        #[arg(short = 's', value_parser = kbrowse::cli::parse_serde)]
        serde: Vec<kbrowse::cli::SerdeArg>,
        /// A directory of .proto files for protobuf:pkg.Msg (repeatable).
        #[arg(long = "proto-path")]
        proto_path: Vec<std::path::PathBuf>,
        /// Only records that match: a CEL expression over key, value, headers, partition,
        /// offset, size, timestamp, topic; or text to find in the key, value or a header value.
        #[arg(long, value_name = "EXPR", value_parser = parse_filter)]
        filter: Option<kbrowse::search::Filter>,
        /// Only records with this key, read from the partition murmur2 puts it in (-p overrides).
        #[arg(long)]
        key: Option<String>,
        /// Report records scanned, matches, rate, offsets covered and ETA on stderr.
        #[arg(long)]
        progress: bool,
        /// How partitions are interleaved: arrival (as records come) or time (a k-way merge by
        /// timestamp; ties by partition, then offset).
        #[arg(long, value_enum, default_value_t = MergeArg::Arrival)]
        merge: MergeArg,
        /// With --merge time while following: how long a silent partition may hold the others
        /// back (e.g. 500ms, 2s).
        #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_wait)]
        merge_wait: std::time::Duration,
        /// Share the partitions with the other instances of this spread group (needs
        /// --coordinator); no Kafka consumer group is used.
        #[arg(long, value_name = "NAME", requires = "coordinator")]
        spread_group: Option<String>,
        /// The spread group's coordinator: etcd://HOST:PORT[,HOST:PORT...].
        #[arg(long, value_name = "URL", requires = "spread_group")]
        coordinator: Option<String>,
        /// Seconds a member's lease lives without renewal.
        #[arg(long, value_name = "SECS", default_value_t = 5, value_parser = kbrowse::cli::parse_coordinator_ttl)]
        coordinator_ttl: u64,
    },
    /// Print the resolved settings (profile, brokers, properties and where each came from),
    /// secrets masked.
    Config,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MergeArg {
    Arrival,
    Time,
}

fn parse_wait(s: &str) -> Result<std::time::Duration, String> {
    let bad =
        || format!("invalid duration '{s}': expected a number with ms or s, e.g. 500ms or 2s");
    let (num, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return Err(bad());
    };
    let ms = num.trim().parse::<f64>().map_err(|_| bad())? * scale;
    if !(0.0..=3_600_000.0).contains(&ms) {
        return Err(format!("invalid duration '{s}': use 0ms to 3600s"));
    }
    Ok(std::time::Duration::from_micros((ms * 1000.0) as u64))
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

fn time_zone(utc: bool) -> kbrowse::render::TimeZone {
    // Times typed without a zone are read in the zone times are shown in.
    kbrowse::kafka::offsets::position::set_input_utc(utc);
    if utc {
        kbrowse::render::TimeZone::Utc
    } else {
        kbrowse::render::TimeZone::Local
    }
}

fn parse_filter(s: &str) -> Result<kbrowse::search::Filter, String> {
    kbrowse::search::Filter::parse(s).map_err(|e| e.to_string())
}

fn parse_offset(s: &str) -> Result<OffsetArg, String> {
    let now = chrono::Utc::now().timestamp_millis();
    kbrowse::cli::kcat::parse_offset_arg(s, now)
}

fn parse_template(s: &str) -> Result<Template, String> {
    s.parse()
}

/// A mistake in what the user asked for (exit status 2, like clap's own), as opposed to a
/// failure while doing it (1).
#[derive(Debug)]
struct Usage(String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

fn usage(msg: impl Into<String>) -> anyhow::Error {
    Usage(msg.into()).into()
}

fn main() -> ExitCode {
    let args = habits::kcat_topic(std::env::args_os().collect());
    // `-o @12:00` is read while the arguments are parsed: in UTC when `--utc` is among them.
    if args.iter().any(|a| a == "--utc") {
        kbrowse::kafka::offsets::position::set_input_utc(true);
    }
    let matches = Cli::command().get_matches_from(args);
    let from_env = matches.value_source("brokers") == Some(ValueSource::EnvVariable);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    if let Some(Command::Consume { quiet: true, .. }) = cli.command {
        kbrowse::cli::set_quiet(true);
    }
    if let Some(path) = &cli.log {
        match std::fs::File::create(path) {
            Ok(f) => tracing_subscriber::fmt()
                .with_writer(std::sync::Mutex::new(f))
                .with_ansi(false)
                .with_max_level(tracing::Level::DEBUG)
                .init(),
            Err(e) => {
                kbrowse::cli::report(format_args!("cannot open log file {}: {e}", path.display()));
                return ExitCode::from(2);
            }
        }
    }
    let inputs = Inputs {
        config: cli.config.clone(),
        // An empty KBROWSE_CLUSTER (exported but unset) names no profile.
        cluster: cli.cluster.clone().filter(|c| !c.is_empty()),
        brokers_flag: cli.brokers.clone().filter(|_| !from_env),
        brokers_env: cli.brokers.clone().filter(|_| from_env),
        timeout_secs: cli.timeout,
        files: cli.property_files.clone(),
        properties: cli.properties.clone(),
    };
    let settings = match config::resolve(&inputs, &config::secret::ProcessEnv) {
        Ok(s) => s,
        Err(e) => {
            kbrowse::cli::report(&e);
            return ExitCode::from(2);
        }
    };
    for w in &settings.warnings {
        kbrowse::cli::note(w);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            kbrowse::cli::report(format_args!("cannot start the async runtime: {e}"));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, inputs, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "exiting on an error");
            kbrowse::cli::report(format_args!("{e:#}"));
            if e.downcast_ref::<Usage>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

async fn run(cli: Cli, inputs: Inputs, settings: Settings) -> anyhow::Result<()> {
    if let Some(Command::Config) = cli.command {
        let stdout = std::io::stdout();
        return kbrowse::cli::config::run(&settings.describe(), &mut stdout.lock());
    }
    let client = client_config(&settings)?;
    match cli.command {
        Some(Command::Config) => Ok(()),
        Some(Command::Topics {
            topic: Some(topic),
            format,
            configs: true,
        }) => {
            let cluster = Cluster::connect(client).await?;
            let stdout = std::io::stdout();
            kbrowse::cli::configs::run(&cluster, &topic, format, &mut stdout.lock()).await
        }
        Some(Command::Topics { topic, format, .. }) => {
            let cluster = Cluster::connect(client).await?;
            let stdout = std::io::stdout();
            kbrowse::cli::topics::run(&cluster, topic.as_deref(), format, &mut stdout.lock()).await
        }
        Some(Command::Groups { group, format }) => {
            let cluster = Cluster::connect(client).await?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match group {
                Some(g) => kbrowse::cli::groups::run_group(&cluster, &g, format, &mut out).await,
                None => kbrowse::cli::groups::run_list(&cluster, format, &mut out).await,
            }
        }
        Some(Command::Brokers { format }) => {
            let cluster = Cluster::connect(client).await?;
            let stdout = std::io::stdout();
            kbrowse::cli::brokers::run(&cluster, format, &mut stdout.lock()).await
        }
        Some(Command::Consume {
            topic,
            partitions,
            offset,
            count,
            exit,
            format,
            template,
            json,
            quiet: _,
            unbuffered,
            spread,
            headers,
            schema_registry,
            serde,
            proto_path,
            filter,
            key: find_key,
            progress,
            merge,
            merge_wait,
            spread_group,
            coordinator,
            coordinator_ttl,
        }) => {
            let (key, value) = kbrowse::cli::serde_overrides(&serde);
            let decode = settings
                .schema(&config::SchemaFlags {
                    registry: schema_registry,
                    key,
                    value,
                    proto_paths: proto_path,
                })
                .map_err(usage)?;
            let (start, stop_before) = kbrowse::cli::kcat::offset_bounds(&offset).map_err(usage)?;
            let cluster = Cluster::connect(client).await?;
            let opts = ConsumeOptions {
                topic,
                partitions,
                start,
                count,
                exit_at_end: exit,
                format: if json { Format::Json } else { format },
                isolation: cli.isolation.into(),
                headers,
                decode,
                scan: kbrowse::cli::scan::ScanOptions {
                    filter,
                    key: find_key.map(String::into_bytes),
                    progress,
                },
                merge: match merge {
                    MergeArg::Arrival => kbrowse::cli::consume::Merge::Arrival,
                    MergeArg::Time => kbrowse::cli::consume::Merge::Time(merge_wait),
                },
                time_zone: time_zone(cli.utc),
                kcat: kbrowse::cli::consume::KcatOptions {
                    raw: !std::io::stdout().is_terminal(),
                    template,
                    stop_before,
                    unbuffered,
                    spread,
                },
            };
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            if let (Some(group), Some(coordinator)) = (spread_group, coordinator) {
                let spread = kbrowse::cli::spread::SpreadOptions {
                    group,
                    coordinator,
                    ttl: std::time::Duration::from_secs(coordinator_ttl),
                };
                return kbrowse::cli::spread::run(cluster, opts, spread, &mut out).await;
            }
            consume(cluster, opts, &mut out).await
        }
        None => browse(cli, inputs, settings, client).await,
    }
}

/// The TUI, after the checks that need no terminal: a positional that is a misspelled
/// command, stdout that is not a terminal, a topic the cluster does not have.
async fn browse(
    cli: Cli,
    inputs: Inputs,
    settings: Settings,
    client: ClientConfig,
) -> anyhow::Result<()> {
    let cluster = match &cli.topic {
        Some(t) => command_slip(t, &settings, &client).await?,
        None => None,
    };
    if !std::io::stdout().is_terminal() {
        let topic = cli
            .topic
            .as_deref()
            .map_or("TOPIC".into(), |t| kbrowse::render::escape(t.as_bytes()));
        return Err(usage(format!(
            "the browser needs a terminal and stdout is not one; to print records, use: kbrowse consume -t {topic}"
        )));
    }
    let profiles = settings.profiles.clone();
    let switchable = profiles.len() > 1;
    // Several profiles and none chosen: the picker asks which.
    let (mut settings, mut client) = if settings.pick {
        let Some(name) = kbrowse::tui::picker::pick(profiles.clone()).await? else {
            return Ok(());
        };
        profile_settings(&inputs, name)?
    } else {
        (settings, client)
    };
    let mut cluster = match cluster {
        Some(c) => c,
        // On screen at once: where to and for how long. The error already names the brokers.
        None => match kbrowse::tui::connecting::connect(client, &settings.brokers).await? {
            Some(c) => c,
            None => return Ok(()),
        },
    };
    let mut topic = cli.topic;
    let (key, value) = kbrowse::cli::serde_overrides(&cli.serde);
    // -r, -s and --proto-path over each profile's schema.registry.* properties and per-topic
    // formats, as `consume` resolves them.
    let flags = config::SchemaFlags {
        registry: cli.schema_registry.clone(),
        key,
        value,
        proto_paths: cli.proto_path.clone(),
    };
    if let Some(t) = &topic {
        habits::topic(&cluster, t).await?;
    }
    loop {
        let decode = settings.schema(&flags).map_err(usage)?;
        let opts = kbrowse::tui::Options {
            brokers: settings.brokers.clone(),
            profile: settings.profile.clone(),
            topic: topic.take(),
            switch_cluster: switchable,
            window: cli.window as usize,
            isolation: cli.isolation.into(),
            request_timeout: settings.timeout,
            decode,
            time_zone: time_zone(cli.utc),
            groups: cli.group.clone(),
        };
        match kbrowse::tui::run_connected(cluster, opts).await? {
            kbrowse::tui::Ended::Quit => return Ok(()),
            kbrowse::tui::Ended::SwitchCluster => {
                let Some(name) = kbrowse::tui::picker::pick(profiles.clone()).await? else {
                    return Ok(());
                };
                // Another cluster takes its own profile: -b, -X and -F were for the first.
                let only_profile = Inputs {
                    config: inputs.config.clone(),
                    timeout_secs: inputs.timeout_secs,
                    ..Inputs::default()
                };
                (settings, client) = profile_settings(&only_profile, name)?;
                cluster = match kbrowse::tui::connecting::connect(client, &settings.brokers).await?
                {
                    Some(c) => c,
                    None => return Ok(()),
                };
            }
        }
    }
}

/// `kbrowse consme`: a first word one or two letters off a command is that command's typo,
/// unless the cluster has a topic of that name (then its connection is returned for reuse).
async fn command_slip(
    word: &str,
    settings: &Settings,
    client: &ClientConfig,
) -> anyhow::Result<Option<std::sync::Arc<Cluster>>> {
    let Some(cmd) = habits::close_command(word) else {
        return Ok(None);
    };
    let shown = kbrowse::render::escape(word.as_bytes());
    // With profiles to pick from, there is no cluster yet to ask.
    let connected = if settings.pick {
        None
    } else {
        Cluster::connect(client.clone()).await.ok()
    };
    let Some(c) = connected else {
        return Err(usage(format!(
            "'{shown}' is not a command; did you mean '{cmd}'?"
        )));
    };
    if c.topic(word).await.is_err() {
        return Err(usage(format!(
            "'{shown}' is neither a command nor a topic; did you mean '{cmd}'?"
        )));
    }
    Ok(Some(c))
}

/// The client configuration of `settings`; its warnings (certificate checks off) printed.
fn client_config(settings: &Settings) -> anyhow::Result<ClientConfig> {
    let client = settings.client_config().map_err(usage)?;
    for w in client.conn.security.warnings() {
        kbrowse::cli::note(w);
    }
    Ok(client)
}

/// The settings of profile `name` on top of `inputs`, its warnings printed.
fn profile_settings(inputs: &Inputs, name: String) -> anyhow::Result<(Settings, ClientConfig)> {
    let inputs = Inputs {
        cluster: Some(name),
        ..inputs.clone()
    };
    let settings = config::resolve(&inputs, &config::secret::ProcessEnv).map_err(usage)?;
    for w in &settings.warnings {
        kbrowse::cli::report(w);
    }
    let client = client_config(&settings)?;
    Ok((settings, client))
}
