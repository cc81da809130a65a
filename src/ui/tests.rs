//! Snapshots of every screen and overlay, drawn on a `TestBackend` with a fixed clock in UTC.

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::{Action, App, Effect, PartitionRow, TimeZone, TopicRow};
use crate::kafka::{
    BatchInfo, Codec, Header, Message, ReaderEvent, ReaderEventKind, TimestampType, Watermarks,
};

const W: u16 = 120;
const H: u16 = 24;

fn key(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

fn render(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    t.draw(|f| super::draw(app, f)).unwrap();
    format!("{}", t.backend())
}

fn record(offset: i64, key: Option<&[u8]>, value: Option<&[u8]>) -> Message {
    Message {
        partition: 0,
        offset,
        timestamp: 1_714_564_800_000 + offset * 1_250,
        timestamp_type: TimestampType::CreateTime,
        key: key.map(Bytes::copy_from_slice),
        value: value.map(Bytes::copy_from_slice),
        headers: Vec::new(),
        batch: BatchInfo {
            base_offset: offset,
            last_offset: offset,
            codec: Codec::Lz4,
            transactional: false,
            producer_id: -1,
            producer_epoch: -1,
            leader_epoch: 0,
        },
    }
}

fn sample_records() -> Vec<Message> {
    let mut v: Vec<Message> = (0..6)
        .map(|i| {
            let value = format!(r#"{{"order_id":{},"customer":"c-{:03}","amount":{}.{:02},"items":[{{"sku":"A-1","qty":{}}}]}}"#, 1000 + i, i * 7, 10 + i * 3, i * 11 % 100, i % 3 + 1);
            record(i, Some(format!("order-{}", 1000 + i).as_bytes()), Some(value.as_bytes()))
        })
        .collect();
    v.push(record(6, None, Some(b"tombstone follows")));
    v.push(record(
        7,
        Some(b"ctl"),
        Some(b"\x1b[31mred\x1b[0m bell\x07 \xff\xfe not utf-8\n"),
    ));
    v.push(record(8, Some(b"deleted"), None));
    let mut h = record(9, Some(b"with-headers"), Some(b"{\"ok\":true}"));
    h.headers = vec![
        Header {
            name: Bytes::from_static(b"trace-id"),
            value: Some(Bytes::from_static(b"abc123")),
        },
        Header {
            name: Bytes::from_static(b"trace-id"),
            value: Some(Bytes::from_static(b"def456")),
        },
        Header {
            name: Bytes::from_static(b"empty"),
            value: None,
        },
    ];
    h.batch.transactional = true;
    h.batch.producer_id = 4001;
    h.batch.producer_epoch = 2;
    v.push(h);
    v
}

fn topics_app() -> App {
    let mut app = App::new(
        "localhost:9092".into(),
        10_000,
        Box::new(|| 1_714_564_900_000),
    );
    app.time_zone = TimeZone::Utc;
    app.update(Action::Resize(W, H));
    app.start(None);
    let t = |name: &str, internal, partitions, messages| TopicRow {
        name: name.into(),
        internal,
        partitions,
        messages,
    };
    app.update(Action::TopicsLoaded(Ok(vec![
        t("__consumer_offsets", true, 50, Some(0)),
        t("codec-gzip", false, 1, Some(1000)),
        t("events-long", false, 1, Some(1_000_000)),
        t("orders", false, 6, Some(12_000)),
        t("payments", false, 3, None),
    ])));
    app
}

fn partitions_app() -> App {
    let mut app = topics_app();
    // From codec-gzip, the first topic that is not internal, to orders.
    for _ in 0..2 {
        app.update(ch('j'));
    }
    app.update(key(KeyCode::Enter));
    let rows = (0..6)
        .map(|id| PartitionRow {
            id,
            leader: id % 3 + 1,
            replicas: vec![id % 3 + 1, (id + 1) % 3 + 1],
            isr: vec![id % 3 + 1],
            low: Some(if id == 0 { 0 } else { 100 * id as i64 }),
            high: Some(2000 + 100 * id as i64),
        })
        .collect();
    app.update(Action::PartitionsLoaded {
        topic: "orders".into(),
        result: Ok(rows),
    });
    app
}

fn messages_app() -> App {
    let mut app = partitions_app();
    let fx = app.update(key(KeyCode::Enter));
    let generation = fx
        .iter()
        .find_map(|e| match e {
            Effect::StartReader { generation, .. } => Some(*generation),
            _ => None,
        })
        .unwrap();
    let ev = |kind| ReaderEvent {
        generation,
        partition: 0,
        kind,
    };
    app.update(Action::Reader(vec![
        ev(ReaderEventKind::Started {
            offset: 0,
            watermarks: Watermarks { low: 0, high: 2000 },
        }),
        ev(ReaderEventKind::Messages(sample_records())),
        ev(ReaderEventKind::CaughtUp { next: 10, high: 10 }),
    ]));
    app.messages.as_mut().unwrap().rate = 1234.4;
    app
}

fn detail_app(row: usize) -> App {
    let mut app = messages_app();
    for _ in 0..row {
        app.update(ch('j'));
    }
    app.update(key(KeyCode::Enter));
    app
}

#[test]
fn topics() {
    insta::assert_snapshot!(render(&topics_app()));
}

#[test]
fn topics_loading() {
    let mut app = App::new("localhost:9092".into(), 10_000, Box::new(|| 0));
    app.update(Action::Resize(W, H));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn topics_filter() {
    let mut app = topics_app();
    for c in "/co".chars() {
        app.update(ch(c));
    }
    insta::assert_snapshot!(render(&app));
}

#[test]
fn partitions() {
    insta::assert_snapshot!(render(&partitions_app()));
}

#[test]
fn messages() {
    let mut app = messages_app();
    app.update(ch('j'));
    app.update(ch('j'));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn messages_loading() {
    let mut app = partitions_app();
    app.update(key(KeyCode::Enter));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn messages_reconnecting() {
    let mut app = messages_app();
    let generation = app.messages.as_ref().unwrap().generation;
    let error = crate::kafka::Error::Closed {
        addr: "127.0.0.1:9092".into(),
    };
    let kind = ReaderEventKind::Reconnecting {
        next: 10,
        attempt: 3,
        error,
    };
    app.update(Action::Reader(vec![ReaderEvent {
        generation,
        partition: 0,
        kind,
    }]));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn detail_text() {
    insta::assert_snapshot!(render(&detail_app(7)));
}

#[test]
fn detail_hex() {
    let mut app = detail_app(7);
    app.update(ch('x'));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn detail_json_with_headers() {
    // A JSON value opens pretty-printed.
    let app = detail_app(9);
    insta::assert_snapshot!(render(&app));
}

#[test]
fn detail_large_value_scrolled() {
    let mut app = messages_app();
    let big: Vec<u8> = (0..(10u32 << 20)).map(|i| b'a' + (i % 26) as u8).collect();
    let generation = app.messages.as_ref().unwrap().generation + 1;
    app.update(ch('G'));
    let kind = ReaderEventKind::Messages(vec![record(2000, Some(b"big"), Some(&big))]);
    app.update(Action::Reader(vec![ReaderEvent {
        generation,
        partition: 0,
        kind,
    }]));
    app.update(key(KeyCode::Enter));
    app.update(ch('x'));
    app.update(ch('G'));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn help_overlay() {
    let mut app = messages_app();
    app.update(ch('?'));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn help_overlay_narrow() {
    let mut app = topics_app();
    app.update(ch('?'));
    app.update(Action::Resize(70, 40));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn prompt_overlay() {
    let mut app = messages_app();
    for c in "o12x".chars() {
        app.update(ch(c));
    }
    app.update(key(KeyCode::Enter));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn error_popup() {
    let mut app = messages_app();
    let generation = app.messages.as_ref().unwrap().generation;
    let error = crate::kafka::Error::OffsetOutOfRange {
        topic: "orders".into(),
        partition: 0,
        offset: 5000,
        low: 0,
        high: 2000,
    };
    app.update(Action::Reader(vec![ReaderEvent {
        generation,
        partition: 0,
        kind: ReaderEventKind::Failed(error),
    }]));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn messages_records_deleted_unread() {
    let mut app = messages_app();
    let generation = app.messages.as_ref().unwrap().generation;
    app.update(Action::Reader(vec![ReaderEvent {
        generation,
        partition: 0,
        kind: ReaderEventKind::Skipped { from: 10, to: 500 },
    }]));
    insta::assert_snapshot!(render(&app));
}

/// Every binding of every key table is in the help, with its keys and its words, and the
/// help scrolls to its end.
#[test]
fn help_lists_every_binding_of_every_table() {
    use crate::app::keymap::{ALL, Key};
    let mut app = messages_app();
    app.update(ch('?'));
    app.update(Action::Resize(120, 170));
    let screen = render(&app);
    for table in ALL {
        assert!(screen.contains(table.name), "{} missing", table.name);
        for b in table.bindings {
            let keys: Vec<String> = b.keys.iter().map(|k| Key::name(*k)).collect();
            let line = format!("{:<17}{}", keys.join(" "), b.description);
            assert!(screen.contains(&line), "{}: {line:?} missing", table.name);
        }
    }
    // At 80x24 it does not fit: G scrolls to its last line, g back to the top.
    app.update(Action::Resize(80, 24));
    assert!(!render(&app).contains("Error popup"));
    app.update(ch('G'));
    let bottom = render(&app);
    assert!(bottom.contains("Error popup"), "{bottom}");
    assert!(
        bottom.contains("other keys       close the popup"),
        "{bottom}"
    );
    app.update(ch('g'));
    assert!(render(&app).contains("Messages"));
    app.update(ch('?'));
    assert!(!app.help);
}

/// The status line's hints come from the screen's table and drop the least important first.
#[test]
fn status_hints_shrink_by_priority() {
    use super::status::hints;
    use crate::app::keymap::MESSAGES;
    assert_eq!(
        hints(&MESSAGES, 100),
        "f follow  o offset  t time  w wrap  / search  & filter  Esc back "
    );
    assert_eq!(hints(&MESSAGES, 30), "f follow  / search  Esc back ");
    assert_eq!(hints(&MESSAGES, 12), "Esc back ");
    assert_eq!(hints(&MESSAGES, 5), "");
}

/// Every screen and overlay at 80x24 and 50x20: nothing collides, the breadcrumb and the
/// status line are cut with `…`, the hints shrink, `? help` stays.
#[test]
fn small_terminals() {
    type Make = fn() -> App;
    let screens: [(&str, Make); 16] = [
        ("topics", topics_app),
        ("filter", || {
            let mut app = topics_app();
            for c in "/co".chars() {
                app.update(ch(c));
            }
            app
        }),
        ("partitions", partitions_app),
        ("messages", messages_app),
        ("detail", || detail_app(1)),
        ("help", || {
            let mut app = messages_app();
            app.update(ch('?'));
            app
        }),
        ("prompt", || {
            let mut app = messages_app();
            app.update(ch('t'));
            app
        }),
        ("popup", || {
            let mut app = messages_app();
            let generation = app.messages.as_ref().unwrap().generation;
            let error = crate::kafka::Error::OffsetOutOfRange {
                topic: "orders".into(),
                partition: 0,
                offset: 5000,
                low: 0,
                high: 2000,
            };
            app.update(Action::Reader(vec![ReaderEvent {
                generation,
                partition: 0,
                kind: ReaderEventKind::Failed(error),
            }]));
            app
        }),
        ("detail_hex", || {
            let mut app = detail_app(2);
            app.update(ch('x'));
            app
        }),
        ("topics_loading", || {
            let mut app = App::new("localhost:9092".into(), 10_000, Box::new(|| 0));
            app.update(Action::Resize(W, H));
            app
        }),
        ("messages_loading", || {
            let mut app = partitions_app();
            app.update(key(KeyCode::Enter));
            app
        }),
        ("prompt_error", || {
            let mut app = messages_app();
            for c in "o999999".chars() {
                app.update(ch(c));
            }
            app.update(key(KeyCode::Enter));
            app
        }),
        ("messages_shifted", || {
            let mut app = messages_app();
            app.update(ch('>'));
            app
        }),
        ("messages_wrapped", || {
            let mut app = messages_app();
            app.update(ch('w'));
            app.update(ch('j'));
            app
        }),
        ("after_end", after_end_app),
        ("topic_deleted", topic_deleted_app),
    ];
    for (w, h) in [(80, 24), (50, 20)] {
        for (name, make) in screens {
            let mut app = make();
            app.update(Action::Resize(w, h));
            let screen = render(&app);
            let title = screen.lines().next().unwrap_or_default().to_string();
            if w >= 36 && name != "help" {
                assert!(title.contains("? help"), "{name} {w}x{h}: {title}");
            }
            // Headers are whole: a column that has no room is left out, never cut in front.
            let header = screen.lines().nth(2).unwrap_or_default();
            let want: &[&str] = match name {
                "topics" | "filter" => &["Topic", "Partitions", "Messages"],
                "partitions" => &["Partition", "Low", "High", "Messages"],
                "messages" | "messages_shifted" | "messages_wrapped" => {
                    &["Offset", "Time", "Key", "Value"]
                }
                _ => &[],
            };
            let words: Vec<&str> = header.split(|c: char| !c.is_alphanumeric()).collect();
            for word in want {
                assert!(words.contains(word), "{name} {w}x{h}: {header}");
            }
            insta::assert_snapshot!(format!("small_{name}_{w}x{h}"), screen);
        }
    }
}
/// A topic name a hostile broker might send: set the title, clear the screen, write the
/// clipboard, a C1 CSI and a right-to-left override.
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}]52;c;cHduZWQ=\u{7}\u{9b}31m\u{202e}evil";

fn hostile_app() -> App {
    let mut app = topics_app();
    let t = |name: &str| TopicRow {
        name: name.into(),
        internal: false,
        partitions: 1,
        messages: Some(1),
    };
    app.update(Action::TopicsLoaded(Ok(vec![
        t(HOSTILE),
        t(&format!(
            "{}-and-a-name-too-long-for-the-column",
            "x".repeat(60)
        )),
        t("plain"),
    ])));
    app
}

#[test]
fn topics_hostile_names_are_escaped_and_cut_with_an_ellipsis() {
    let app = hostile_app();
    let screen = render(&app);
    assert!(!screen.contains('\u{1b}') && !screen.contains('\u{9b}'));
    assert!(!screen.contains('\u{202e}'));
    insta::assert_snapshot!(screen);
}

#[test]
fn hostile_error_popup() {
    let mut app = hostile_app();
    app.update(key(KeyCode::Enter));
    app.update(Action::PartitionsLoaded {
        topic: HOSTILE.into(),
        result: Err(crate::kafka::Error::Connect {
            addr: format!("{HOSTILE}:9092"),
            reason: "Connection refused (os error 111)".into(),
        }),
    });
    let screen = render(&app);
    assert!(!screen.contains('\u{1b}') && !screen.contains('\u{9b}'));
    assert!(!screen.contains('\u{202e}'));
    insta::assert_snapshot!(screen);
}

#[test]
fn partitions_hostile_breadcrumb_title_and_warning() {
    let mut app = hostile_app();
    app.update(key(KeyCode::Enter));
    let row = PartitionRow {
        id: 0,
        leader: 1,
        replicas: vec![1],
        isr: vec![1],
        low: Some(0),
        high: Some(1),
    };
    app.update(Action::PartitionsLoaded {
        topic: HOSTILE.into(),
        result: Ok(vec![row]),
    });
    app.update(Action::PartitionsLoaded {
        topic: HOSTILE.into(),
        result: Err(crate::kafka::Error::Closed {
            addr: format!("{HOSTILE}:9092"),
        }),
    });
    let screen = render(&app);
    assert!(!screen.contains('\u{1b}') && !screen.contains('\u{9b}'));
    assert!(!screen.contains('\u{202e}'));
    insta::assert_snapshot!(screen);
}

#[test]
fn messages_backslashes_nulls_and_cut_escapes() {
    let mut app = messages_app();
    let generation = app.messages.as_ref().unwrap().generation + 1;
    app.update(ch('G'));
    let kind = ReaderEventKind::Messages(vec![
        record(
            2000,
            Some(br"C:\new"),
            Some(br"C:\new\x41 is not a newline"),
        ),
        record(2001, Some(b"(null)"), None),
        record(2002, None, Some(b"(null)")),
        // The key's escapes do not fit the column: the cut falls between them, then `…`.
        record(
            2003,
            Some(b"key\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b"),
            Some(b""),
        ),
        record(
            2004,
            Some("\u{202e}\u{202e}\u{202e}".as_bytes()),
            Some(b"x"),
        ),
    ]);
    app.update(Action::Reader(vec![ReaderEvent {
        generation,
        partition: 0,
        kind,
    }]));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn detail_null_value_and_backslash_key() {
    let mut app = messages_app();
    let generation = app.messages.as_ref().unwrap().generation + 1;
    app.update(ch('G'));
    let kind = ReaderEventKind::Messages(vec![record(2000, Some(br"C:\new"), None)]);
    app.update(Action::Reader(vec![ReaderEvent {
        generation,
        partition: 0,
        kind,
    }]));
    app.update(key(KeyCode::Enter));
    insta::assert_snapshot!(render(&app));
}

/// Broker strings reach the screen only escaped: `Outside::raw` (the protocol's form) is never
/// called by drawing code.
#[test]
fn no_screen_draws_the_raw_form_of_outside_text() {
    for (file, source) in [
        ("mod.rs", include_str!("mod.rs")),
        ("configs.rs", include_str!("configs.rs")),
        ("detail.rs", include_str!("detail.rs")),
        ("help.rs", include_str!("help.rs")),
        ("messages.rs", include_str!("messages.rs")),
        ("partitions.rs", include_str!("partitions.rs")),
        ("picker.rs", include_str!("picker.rs")),
        ("popup.rs", include_str!("popup.rs")),
        ("status.rs", include_str!("status.rs")),
        ("topics.rs", include_str!("topics.rs")),
    ] {
        assert!(
            !source.contains(".raw()"),
            "ui/{file} draws raw outside text"
        );
    }
}

#[test]
fn messages_gap_rows() {
    // Records 0-2, offsets 3-6 compacted away, 7, a corrupt batch 8-11, then 12-13; the
    // selection sits on the corrupt batch's marker.
    let mut app = partitions_app();
    let fx = app.update(key(KeyCode::Enter));
    let generation = fx
        .iter()
        .find_map(|e| match e {
            Effect::StartReader { generation, .. } => Some(*generation),
            _ => None,
        })
        .unwrap();
    let ev = |kind| ReaderEvent {
        generation,
        partition: 0,
        kind,
    };
    let rec = |o: i64| record(o, Some(format!("k{o}").as_bytes()), Some(b"v"));
    app.update(Action::Reader(vec![
        ev(ReaderEventKind::Started {
            offset: 0,
            watermarks: Watermarks { low: 0, high: 14 },
        }),
        ev(ReaderEventKind::Messages(vec![
            rec(0),
            rec(1),
            rec(2),
            rec(7),
        ])),
        ev(ReaderEventKind::Corrupt {
            from: 8,
            to: 12,
            control: false,
            reason: "checksum mismatch".into(),
        }),
        // A transaction marker lost no record: no row for it.
        ev(ReaderEventKind::Corrupt {
            from: 12,
            to: 13,
            control: true,
            reason: "checksum mismatch".into(),
        }),
        ev(ReaderEventKind::Messages(vec![rec(13)])),
        ev(ReaderEventKind::CaughtUp { next: 14, high: 14 }),
    ]));
    app.messages.as_mut().unwrap().rate = 0.0;
    for _ in 0..5 {
        app.update(ch('j'));
    }
    let pane = app.messages.as_ref().unwrap();
    assert_eq!(pane.cursor.selected, 5);
    assert!(pane.selected().is_none(), "a marker row is not a record");
    // Enter on a marker opens no detail.
    app.update(key(KeyCode::Enter));
    assert!(app.detail.is_none());
    insta::assert_snapshot!(render(&app));
}

/// A jump to a time after the last record: the probe read the last record's time.
fn after_end_app() -> App {
    let mut app = messages_app();
    app.update(ch('t'));
    for c in "2024-05-02T12:00:00Z".chars() {
        app.update(ch(c));
    }
    let fx = app.update(key(KeyCode::Enter));
    let generation = reader_generation(&fx);
    let fx = app.update(Action::Reader(vec![ReaderEvent {
        generation,
        partition: 0,
        kind: ReaderEventKind::Started {
            offset: 2000,
            watermarks: Watermarks { low: 0, high: 2000 },
        },
    }]));
    let probe = reader_generation(&fx);
    app.update(Action::Reader(vec![
        ReaderEvent {
            generation: probe,
            partition: 0,
            kind: ReaderEventKind::Started {
                offset: 1999,
                watermarks: Watermarks { low: 0, high: 2000 },
            },
        },
        ReaderEvent {
            generation: probe,
            partition: 0,
            kind: ReaderEventKind::Messages(vec![record(1999, Some(b"last"), Some(b"v"))]),
        },
        ReaderEvent {
            generation: probe,
            partition: 0,
            kind: ReaderEventKind::CaughtUp {
                next: 2000,
                high: 2000,
            },
        },
    ]));
    app
}

/// The topic was deleted while its records were read; the popup was closed.
fn topic_deleted_app() -> App {
    let mut app = messages_app();
    let generation = app.messages.as_ref().unwrap().generation;
    let error = crate::kafka::Error::TopicDeleted {
        topic: "orders".into(),
    };
    app.update(Action::Reader(vec![ReaderEvent {
        generation,
        partition: 0,
        kind: ReaderEventKind::Failed(error),
    }]));
    app
}

fn reader_generation(fx: &[Effect]) -> u64 {
    fx.iter()
        .find_map(|e| match e {
            Effect::StartReader { generation, .. } => Some(*generation),
            _ => None,
        })
        .unwrap()
}

/// The cluster picker and the connecting screen, at 80x24 and 50x20.
#[test]
fn small_picker_and_connecting() {
    let picker = crate::app::picker::ClusterPicker::new(vec![
        ("local".into(), "localhost:9092".into()),
        (
            "production-eu-west-1".into(),
            "b-1.kafka.eu-west-1.example.com:9096,b-2.kafka.eu-west-1.example.com:9096".into(),
        ),
    ]);
    for (w, h) in [(80, 24), (50, 20)] {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| super::picker::draw(&picker, f)).unwrap();
        insta::assert_snapshot!(format!("small_picker_{w}x{h}"), format!("{}", t.backend()));
        t.draw(|f| super::connecting::draw("broker-1.example.com:9092", 12_345, f))
            .unwrap();
        let screen = format!("{}", t.backend());
        assert!(
            screen.contains("connecting to broker-1.example.com:9092… 12.3 s"),
            "{screen}"
        );
        insta::assert_snapshot!(format!("small_connecting_{w}x{h}"), screen);
    }
}

/// Certificate checks off: the title bar says so on every screen, before the breadcrumb that
/// narrow terminals cut; an authenticated principal's topic list says whose it is.
#[test]
fn tls_unverified_on_every_screen_and_whose_topics_are_listed() {
    let mark = |mut app: App| {
        app.tls_unverified = true;
        app.listing_principal = Some("User:alice".into());
        app
    };
    type Make = fn() -> App;
    let screens: [(&str, Make); 3] = [
        ("topics", topics_app),
        ("messages", messages_app),
        ("detail", || detail_app(2)),
    ];
    for (w, h) in [(160, 45), (80, 24), (50, 20)] {
        for (name, make) in screens {
            let mut app = mark(make());
            app.update(Action::Resize(w, h));
            let screen = render(&app);
            let title = screen.lines().next().unwrap_or_default().to_string();
            assert!(
                title.contains("⚠ TLS UNVERIFIED"),
                "{name} {w}x{h}: {title}"
            );
            if name == "topics" || (w, h) == (80, 24) {
                insta::assert_snapshot!(format!("tls_unverified_{name}_{w}x{h}"), screen);
            }
        }
    }
}
#[path = "search_tests.rs"]
mod search_tests;
