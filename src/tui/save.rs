//! `S`: records to a new file in a task, written by the CLI's formatter (`consume --format
//! json`'s lines, or a kcat `-f` template) with the same decoding `consume` does, so the
//! file is what `consume` prints for the same records. Progress goes through the action
//! channel; the UI thread only draws it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use std::io::Write as _;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::app::Action;
use crate::app::save::{SaveFormat, SaveJob, SaveReport, SaveSource};
use crate::cli::consume::write_batch;
use crate::cli::format::{Format, RecordFormatter};
use crate::kafka::{Cluster, Message, PartitionReader, ReaderConfig, ReaderEventKind, StartAt};
use crate::schema::RecordDecoder;

/// How often a save reports its progress.
const REPORT_EVERY: Duration = Duration::from_millis(100);
/// Records formatted between two writes of the window.
const CHUNK: usize = 512;

/// The decoders of a save: `output` as `consume` makes it for the topic, `filter` as the
/// filter view's scan has it (None when the bytes are matched as they are).
pub struct SaveDecoders {
    /// Decodes what is written.
    pub output: RecordDecoder,
    /// Decodes what a filter sees.
    pub filter: Option<RecordDecoder>,
}

/// Runs `job`; its reports go to `actions`, the last one `Done` or `Failed`. Aborting the
/// task stops the save (the file keeps what was written).
pub fn spawn(
    cluster: Arc<Cluster>,
    config: ReaderConfig,
    decoders: SaveDecoders,
    job: SaveJob,
    actions: mpsc::UnboundedSender<Action>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let id = job.id;
        let report = run(cluster, config, decoders, job, &actions).await;
        let _ = actions.send(Action::SaveRecords { id, report });
    })
}

/// The file and the formatter, with the counts for progress.
struct Writer<'a> {
    /// Written in the task itself: writes of 256 KiB to a local file (tokio's `fs` is not
    /// among the features built).
    out: std::io::BufWriter<std::fs::File>,
    fmt: RecordFormatter,
    decoder: RecordDecoder,
    decoding: bool,
    buf: Vec<u8>,
    written: u64,
    reported: Instant,
    id: u64,
    actions: &'a mpsc::UnboundedSender<Action>,
}

impl Writer<'_> {
    async fn write(&mut self, msgs: &[Message]) -> std::io::Result<()> {
        self.buf.clear();
        let decoder = self.decoding.then_some(&mut self.decoder);
        write_batch(decoder, &mut self.fmt, msgs, &mut self.buf).await;
        self.out.write_all(&self.buf)?;
        self.written += msgs.len() as u64;
        Ok(())
    }

    fn progress(&mut self, reached: i64) {
        if self.reported.elapsed() < REPORT_EVERY {
            return;
        }
        self.reported = Instant::now();
        let _ = self.actions.send(Action::SaveRecords {
            id: self.id,
            report: SaveReport::Progress {
                written: self.written,
                reached,
            },
        });
    }
}

async fn run(
    cluster: Arc<Cluster>,
    config: ReaderConfig,
    decoders: SaveDecoders,
    job: SaveJob,
    actions: &mpsc::UnboundedSender<Action>,
) -> SaveReport {
    let failed = |written, error: String| SaveReport::Failed { written, error };
    let decoder = decoders.output;
    // An existing file is never overwritten.
    let file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&job.path)
    {
        Ok(f) => f,
        Err(e) => return failed(0, e.to_string()),
    };
    let template = match &job.format {
        SaveFormat::Json => None,
        SaveFormat::Template(t) => Some(t.clone()),
    };
    // As `consume` decides: a file is not a terminal, so `-f` writes bytes raw.
    let decoding = !decoder.is_plain();
    let mut w = Writer {
        out: std::io::BufWriter::with_capacity(256 << 10, file),
        fmt: RecordFormatter::new(Format::Json, &job.topic).with_template(template, true),
        decoder,
        decoding,
        buf: Vec::with_capacity(64 << 10),
        written: 0,
        reported: Instant::now(),
        id: job.id,
        actions,
    };
    let result = match &job.source {
        SaveSource::Window(records) => write_window(&mut w, records).await,
        SaveSource::Matches { query, to, .. } => {
            let matcher = super::scan::ScanMatcher::new(query.matcher(&job.topic), decoders.filter);
            write_matches(&mut w, cluster, config, &job, matcher, *to).await
        }
    };
    let result = match result {
        Ok(()) => w
            .out
            .flush()
            .and_then(|()| w.out.get_ref().sync_all())
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => SaveReport::Done { written: w.written },
        Err(e) => {
            // What was formatted reaches the file, so the count says what it holds.
            let _ = w.out.flush();
            failed(w.written, e)
        }
    }
}

async fn write_window(w: &mut Writer<'_>, records: &[Message]) -> Result<(), String> {
    for chunk in records.chunks(CHUNK) {
        w.write(chunk).await.map_err(|e| e.to_string())?;
        if let Some(last) = chunk.last() {
            w.progress(last.offset + 1);
        }
    }
    Ok(())
}

/// Reads the partition from its beginning to `to` (the end it had when `S` was pressed),
/// writing the records `query` matches.
async fn write_matches(
    w: &mut Writer<'_>,
    cluster: Arc<Cluster>,
    config: ReaderConfig,
    job: &SaveJob,
    mut matcher: super::scan::ScanMatcher,
    to: i64,
) -> Result<(), String> {
    let config = ReaderConfig {
        stop_at_end: true,
        ..config
    };
    let (_reader, mut rx) = PartitionReader::start(
        cluster,
        job.topic.clone(),
        job.partition,
        StartAt::Beginning,
        config,
    );
    let mut kept = Vec::new();
    while let Some(ev) = rx.recv().await {
        match ev.kind {
            ReaderEventKind::Messages(msgs) => {
                // A filter sees decoded values, as the view's does.
                matcher.prepare(&msgs).await;
                let mut reached = None;
                let mut done = false;
                for m in msgs {
                    if m.offset >= to {
                        done = true;
                        break;
                    }
                    reached = Some(m.offset + 1);
                    if matcher.matches(&m) {
                        kept.push(m);
                    }
                }
                if !kept.is_empty() {
                    w.write(&kept).await.map_err(|e| e.to_string())?;
                    kept.clear();
                }
                if let Some(r) = reached {
                    w.progress(r);
                }
                if done || reached.is_some_and(|r| r >= to) {
                    return Ok(());
                }
            }
            ReaderEventKind::CaughtUp { next, .. } if next >= to => return Ok(()),
            ReaderEventKind::Finished { .. } => return Ok(()),
            ReaderEventKind::Failed(e) => return Err(e.to_string()),
            _ => {}
        }
    }
    Err("the reader stopped".into())
}
