//! Snapshots of the merged view at 160x45 and 80x24.

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::merged::{Chunk, MergedLoaded};
use crate::app::{Action, App, Effect, PartitionRow, TimeZone, TopicRow};
use crate::kafka::{BatchInfo, Codec, Message, TimestampType, Watermarks};

fn key(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn render(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    t.draw(|f| super::super::draw(app, f)).unwrap();
    format!("{}", t.backend())
}

/// The screen as text with the highlighted matches in «»: the match style shows.
fn render_marked(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    t.draw(|f| super::super::draw(app, f)).unwrap();
    let buf = t.backend().buffer();
    let hit = super::super::search::match_style().bg;
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut on = false;
        for x in 0..buf.area.width {
            let cell = &buf[(x, y)];
            let marked = cell.bg != ratatui::style::Color::Reset && Some(cell.bg) == hit;
            if marked != on {
                out.push(if marked { '«' } else { '»' });
                on = marked;
            }
            out.push_str(cell.symbol());
        }
        if on {
            out.push('»');
        }
        out.push('\n');
    }
    out
}

fn record(partition: i32, offset: i64, ts_s: i64, value: &str) -> Message {
    Message {
        partition,
        offset,
        timestamp: 1_714_564_800_000 + ts_s * 1_000,
        timestamp_type: TimestampType::CreateTime,
        key: Some(Bytes::from(format!(
            "user-{}",
            (offset * 7 + partition as i64) % 13
        ))),
        value: Some(Bytes::from(value.to_string())),
        headers: Vec::new(),
        batch: BatchInfo {
            base_offset: offset,
            last_offset: offset,
            codec: Codec::None,
            transactional: false,
            producer_id: -1,
            producer_epoch: -1,
            leader_epoch: 0,
        },
    }
}

/// The merged view of a 3-partition topic, after its first page landed.
fn merged_app(w: u16, h: u16) -> App {
    merged_app_of(w, h, 3)
}

/// The merged view of a topic of `n` partitions, after its first page landed.
fn merged_app_of(w: u16, h: u16, n: i32) -> App {
    let mut app = App::new(
        "localhost:9092".into(),
        10_000,
        Box::new(|| 1_714_564_900_000),
    );
    app.time_zone = TimeZone::Utc;
    app.update(Action::Resize(w, h));
    app.start(None);
    app.update(Action::TopicsLoaded(Ok(vec![TopicRow {
        name: "clicks".into(),
        internal: false,
        partitions: n as usize,
        messages: Some(20 * n as i64),
    }])));
    app.update(key(KeyCode::Enter));
    let rows = (0..n)
        .map(|id| PartitionRow {
            id,
            leader: 1,
            replicas: vec![1],
            isr: vec![1],
            low: Some(0),
            high: Some(20),
        })
        .collect();
    app.update(Action::PartitionsLoaded {
        topic: "clicks".into(),
        result: Ok(rows),
    });
    let fx = app.update(key(KeyCode::Char('a')));
    let req = fx
        .iter()
        .find_map(|e| match e {
            Effect::LoadMerged(r) => Some(r.clone()),
            _ => None,
        })
        .unwrap();
    let chunks = (0..n)
        .map(|p| Chunk {
            partition: p,
            start: 0,
            end: 20,
            watermarks: Watermarks { low: 0, high: 20 },
            records: (0..20)
                .map(|o| {
                    let v = format!(r#"{{"page":"/p/{}","ms":{}}}"#, o * 3 + p as i64, 40 + o);
                    record(p, o, o * 3 + p as i64 % 2, &v)
                })
                .collect(),
            exhausted: true,
        })
        .collect();
    app.update(Action::MergedLoaded(MergedLoaded {
        generation: req.generation,
        direction: req.direction,
        result: Ok(chunks),
        decoded: Vec::new(),
    }));
    app
}

#[test]
fn merged_160x45() {
    let mut app = merged_app(160, 45);
    for _ in 0..4 {
        app.update(key(KeyCode::Char('j')));
    }
    insta::assert_snapshot!(render(&app));
}

#[test]
fn a_one_partition_topic_is_not_called_all_1_partitions() {
    let screen = render(&merged_app_of(80, 24, 1));
    assert!(
        screen.contains(" clicks · 1 partition · by time "),
        "{screen}"
    );
    let screen = render(&merged_app(80, 24));
    assert!(
        screen.contains(" clicks · all 3 partitions · by time "),
        "{screen}"
    );
}

#[test]
fn merged_80x24() {
    let app = merged_app(80, 24);
    insta::assert_snapshot!(render(&app));
}

#[test]
fn merged_loading_80x24() {
    let mut app = merged_app(80, 24);
    app.update(key(KeyCode::Char('G')));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn merged_wrap_80x24() {
    let mut app = merged_app(80, 24);
    let long = format!(
        r#"{{"page":"/p/long","trail":"{}","end":true}}"#,
        "ab".repeat(60)
    );
    let pane = app.merged.as_mut().unwrap();
    pane.rows[2].value = Some(Bytes::from(long));
    app.update(key(KeyCode::Char('j')));
    app.update(key(KeyCode::Char('j')));
    let plain = render(&app);
    app.update(key(KeyCode::Char('w')));
    let wrapped = render(&app);
    assert!(app.table.wrap);
    insta::assert_snapshot!(wrapped);
    // Again: one line per record, as before.
    app.update(key(KeyCode::Char('w')));
    assert_eq!(render(&app), plain);
}

fn typed(app: &mut App, text: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for c in text.chars() {
        fx = app.update(key(KeyCode::Char(c)));
    }
    fx
}

/// `&` with a CEL filter: only matching records, the filter's counts in the status line, the
/// literal it needs highlighted (in the keys).
#[test]
fn merged_filter_160x45() {
    let mut app = merged_app(160, 45);
    let all: Vec<Message> = app.merged.as_ref().unwrap().rows.iter().cloned().collect();
    app.update(key(KeyCode::Char('&')));
    typed(&mut app, r#"key.startsWith("user-1")"#);
    let fx = app.update(key(KeyCode::Enter));
    let req = fx
        .iter()
        .find_map(|e| match e {
            Effect::LoadMerged(r) => Some(r.clone()),
            _ => None,
        })
        .unwrap();
    assert!(req.filter.is_some());
    let chunks = (0..3)
        .map(|p| Chunk {
            partition: p,
            start: 0,
            end: 20,
            watermarks: Watermarks { low: 0, high: 20 },
            records: all
                .iter()
                .filter(|m| m.partition == p)
                .filter(|m| m.key.as_deref().is_some_and(|k| k.starts_with(b"user-1")))
                .cloned()
                .collect(),
            exhausted: true,
        })
        .collect();
    app.update(Action::MergedLoaded(MergedLoaded {
        generation: req.generation,
        direction: req.direction,
        result: Ok(chunks),
        decoded: Vec::new(),
    }));
    app.update(Action::FilterScanned {
        generation: req.generation,
        scanned: 60,
        matched: 17,
        reached: 20,
    });
    insta::assert_snapshot!(render_marked(&app));
}

/// `/` with text while its scan runs: the progress line (records, time reached) and the
/// matches in the window highlighted (in the values).
#[test]
fn merged_search_80x24() {
    let mut app = merged_app(80, 24);
    app.update(key(KeyCode::Char('/')));
    typed(&mut app, "/p/2");
    let fx = app.update(key(KeyCode::Enter));
    assert!(app.search_prompt.is_none(), "understood as text");
    let id = fx
        .iter()
        .find_map(|e| match e {
            Effect::MergedSearch(j) => Some(j.id),
            _ => None,
        })
        .unwrap();
    app.update(Action::Search {
        id,
        report: crate::app::search::SearchReport::Progress {
            scanned: 12_345,
            reached: 1_714_564_800_000 + 95_000,
        },
    });
    insta::assert_snapshot!(render_marked(&app));
}

/// Schema-decoded values in the table, as compact JSON, and in the detail.
#[test]
fn merged_decoded_80x24() {
    use crate::app::{PartDecoding, RecordDecoding, SchemaLabel};
    use std::sync::Arc;
    let mut app = merged_app(80, 24);
    let req = match app.update(key(KeyCode::Char('g'))).into_iter().next() {
        Some(Effect::LoadMerged(r)) => r,
        other => panic!("a load, not {other:?}"),
    };
    let label = Arc::new(SchemaLabel {
        format: "Avro",
        id: Some(7),
        subject: Some("clicks-value".into()),
        version: Some(2),
        message: None,
    });
    let chunks: Vec<Chunk> = (0..3)
        .map(|p| Chunk {
            partition: p,
            start: 0,
            end: 3,
            watermarks: Watermarks { low: 0, high: 3 },
            records: (0..3)
                .map(|o| record(p, o, o * 3 + p as i64, "\0\0\0\0\u{7}\u{2}x"))
                .collect(),
            exhausted: true,
        })
        .collect();
    let decoded = chunks
        .iter()
        .flat_map(|c| &c.records)
        .map(|m| {
            let json = format!(r#"{{"user":"u{}","n":{}}}"#, m.partition, m.offset);
            let d = RecordDecoding {
                key: None,
                value: Some(PartDecoding::Json {
                    json: Bytes::from(json),
                    schema: label.clone(),
                }),
            };
            ((m.partition, m.offset), Arc::new(d))
        })
        .collect();
    app.update(Action::MergedLoaded(MergedLoaded {
        generation: req.generation,
        direction: req.direction,
        result: Ok(chunks),
        decoded,
    }));
    let table = render(&app);
    app.update(key(KeyCode::Char('j')));
    app.update(key(KeyCode::Enter));
    let detail = app.detail.as_ref().unwrap();
    assert_eq!(
        detail
            .decoding
            .as_ref()
            .and_then(|d| d.value.as_ref())
            .and_then(|v| v.json()),
        Some(&Bytes::from(r#"{"user":"u1","n":0}"#))
    );
    insta::assert_snapshot!(format!("{table}\n{}", render(&app)));
}
