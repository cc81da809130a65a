//! `S` (records to a file), `e`/`E` (the value in a program) and the record keys in the
//! detail: the prompts, the effects, the progress and the notes; snapshots of the prompt and
//! the progress line.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::window::tests::msg;
use crate::app::{Action, App, PartitionRow, PromptKind, Screen, TopicRow};
use crate::kafka::{ReaderEvent, ReaderEventKind, Watermarks};

fn key(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(ch(c));
    }
}

/// `orders` partition 0 open in a `w`×`h` terminal with records 0..n loaded (watermarks
/// 0..n); returns the reader generation.
fn pane(w: u16, h: u16, n: i64) -> (App, u64) {
    let mut app = App::new("localhost:9092".into(), 100, Box::new(|| 1_700_000_000_000));
    app.update(Action::Resize(w, h));
    app.start(Some("orders".into()));
    app.update(Action::TopicsLoaded(Ok(vec![TopicRow {
        name: "orders".into(),
        internal: false,
        partitions: 1,
        messages: Some(n),
    }])));
    app.update(Action::PartitionsLoaded {
        topic: "orders".into(),
        result: Ok(vec![PartitionRow {
            id: 0,
            leader: 1,
            replicas: vec![1],
            isr: vec![1],
            low: Some(0),
            high: Some(n),
        }]),
    });
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
            watermarks: Watermarks { low: 0, high: n },
        }),
        ev(ReaderEventKind::Messages((0..n).map(msg).collect())),
        ev(ReaderEventKind::CaughtUp { next: n, high: n }),
    ]));
    assert_eq!(app.screen, Screen::Messages);
    (app, generation)
}

fn note(app: &App) -> Option<String> {
    app.messages
        .as_ref()
        .and_then(|p| p.warning.as_ref())
        .map(|w| w.to_string())
}

fn save_job(fx: &[Effect]) -> SaveJob {
    fx.iter()
        .find_map(|e| match e {
            Effect::SaveRecords(job) => Some(job.clone()),
            _ => None,
        })
        .expect("a save")
}

fn render(app: &App) -> String {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    t.draw(|f| crate::ui::draw(app, f)).unwrap();
    format!("{}", t.backend())
}

#[test]
fn shift_s_proposes_a_file_and_json_lines_and_saves_the_window() {
    let (mut app, _) = pane(80, 24, 3);
    let fx = app.update(ch('S'));
    assert!(fx.iter().all(|e| *e == Effect::Redraw), "{fx:?}");
    let p = app.prompt.as_ref().unwrap();
    assert_eq!(
        (p.kind, p.input.value(), p.format.value(), p.verb()),
        (
            PromptKind::SaveRecords,
            "orders-0-0-2.jsonl",
            "json",
            "save"
        )
    );
    assert_eq!(
        p.records.as_ref().unwrap().title(),
        "Save the 3 records loaded (offsets 0–2)"
    );
    let fx = app.update(key(KeyCode::Enter));
    let job = save_job(&fx);
    assert_eq!(
        job,
        SaveJob {
            id: 1,
            topic: "orders".into(),
            partition: 0,
            source: SaveSource::Window(Arc::new((0..3).map(msg).collect())),
            path: "orders-0-0-2.jsonl".into(),
            format: SaveFormat::Json,
        }
    );
    assert!(app.prompt.is_none());
    // Progress, then the end, in the status line.
    let saving = |app: &App| app.saving.as_ref().map(Saving::describe);
    assert_eq!(
        saving(&app).as_deref(),
        Some("saving 0 of 3 records to orders-0-0-2.jsonl")
    );
    app.update(Action::SaveRecords {
        id: 1,
        report: SaveReport::Progress {
            written: 2,
            reached: 2,
        },
    });
    assert_eq!(
        saving(&app).as_deref(),
        Some("saving 2 of 3 records to orders-0-0-2.jsonl")
    );
    // Another save's reports are not this one's.
    app.update(Action::SaveRecords {
        id: 7,
        report: SaveReport::Done { written: 9 },
    });
    assert!(app.saving.is_some());
    app.update(Action::SaveRecords {
        id: 1,
        report: SaveReport::Done { written: 3 },
    });
    assert_eq!(app.saving, None);
    assert_eq!(
        note(&app).as_deref(),
        Some("saved 3 records to orders-0-0-2.jsonl")
    );
}

#[test]
fn tab_switches_to_the_format_a_kcat_format_is_taken_and_a_bad_one_refused() {
    let (mut app, _) = pane(80, 24, 3);
    app.update(ch('S'));
    app.update(ctrl('u'));
    typed(&mut app, "/tmp/o.txt");
    app.update(key(KeyCode::Tab));
    assert!(app.prompt.as_ref().unwrap().on_format);
    app.update(ctrl('u'));
    typed(&mut app, "%o %q");
    let fx = app.update(key(KeyCode::Enter));
    assert!(fx.iter().all(|e| *e == Effect::Redraw), "{fx:?}");
    let p = app.prompt.as_ref().unwrap();
    assert!(
        p.error
            .as_deref()
            .unwrap()
            .starts_with("invalid -f format: unknown token '%q'"),
        "{:?}",
        p.error
    );
    insta::assert_snapshot!("save_records_prompt_bad_format_80x24", render(&app));
    app.update(key(KeyCode::Backspace));
    app.update(key(KeyCode::Backspace));
    typed(&mut app, "%s\\n");
    let job = save_job(&app.update(key(KeyCode::Enter)));
    assert_eq!(job.path, std::path::PathBuf::from("/tmp/o.txt"));
    assert_eq!(
        job.format,
        SaveFormat::Template("%o %s\\n".parse().unwrap())
    );
    // An empty file name is refused in the prompt.
    app.update(Action::SaveRecords {
        id: job.id,
        report: SaveReport::Done { written: 3 },
    });
    app.update(ch('S'));
    app.update(ctrl('u'));
    app.update(key(KeyCode::Enter));
    assert_eq!(
        app.prompt.as_ref().unwrap().error.as_deref(),
        Some("type a file name")
    );
}

#[test]
fn in_a_filter_view_shift_s_saves_every_match_up_to_the_end_it_has_now() {
    let (mut app, generation) = pane(80, 24, 3);
    let query = crate::app::search::Query::Filter {
        text: "v1".into(),
        filter: crate::search::Filter::parse("v1").unwrap(),
    };
    let pane = app.messages.as_mut().unwrap();
    pane.filter = Some(crate::app::search::PaneFilter::new(
        query.clone(),
        generation + 1,
    ));
    app.update(ch('S'));
    let p = app.prompt.as_ref().unwrap();
    assert_eq!(p.input.value(), "orders-0-matches-0-2.jsonl");
    assert_eq!(
        p.records.as_ref().unwrap().title(),
        "Save the filter's matches in offsets 0–2"
    );
    insta::assert_snapshot!("save_records_prompt_filter_80x24", render(&app));
    let job = save_job(&app.update(key(KeyCode::Enter)));
    assert_eq!(
        job.source,
        SaveSource::Matches {
            query,
            from: 0,
            to: 3
        }
    );
    app.update(Action::SaveRecords {
        id: job.id,
        report: SaveReport::Progress {
            written: 1,
            reached: 2,
        },
    });
    assert_eq!(
        app.saving.as_ref().map(Saving::describe).as_deref(),
        Some("saving 1 match to orders-0-matches-0-2.jsonl · offset 2 of 0–2")
    );
    insta::assert_snapshot!("save_records_progress_80x24", render(&app));
    app.update(Action::Resize(160, 45));
    insta::assert_snapshot!("save_records_progress_160x45", render(&app));
    // S again while it runs: refused; Esc stops it.
    app.update(ch('S'));
    assert!(app.prompt.is_none());
    assert_eq!(
        note(&app).as_deref(),
        Some("a save is under way (Esc stops it)")
    );
    let fx = app.update(key(KeyCode::Esc));
    assert!(fx.contains(&Effect::StopSave), "{fx:?}");
    assert_eq!(app.saving, None);
    assert_eq!(
        note(&app).as_deref(),
        Some("save stopped: 1 record in orders-0-matches-0-2.jsonl")
    );
    // The filter is still there: the next Esc clears it.
    assert!(app.messages.as_ref().unwrap().filter.is_some());
}

#[test]
fn a_failed_save_says_why_in_one_line() {
    let (mut app, _) = pane(80, 24, 3);
    app.update(ch('S'));
    let job = save_job(&app.update(key(KeyCode::Enter)));
    app.update(Action::SaveRecords {
        id: job.id,
        report: SaveReport::Failed {
            written: 0,
            error: "File exists (os error 17)".into(),
        },
    });
    assert_eq!(
        note(&app).as_deref(),
        Some("not saved: orders-0-0-2.jsonl: File exists (os error 17)")
    );
    app.update(ch('S'));
    let job = save_job(&app.update(key(KeyCode::Enter)));
    app.update(Action::SaveRecords {
        id: job.id,
        report: SaveReport::Failed {
            written: 2,
            error: "No space left on device (os error 28)".into(),
        },
    });
    assert_eq!(
        note(&app).as_deref(),
        Some(
            "save failed: orders-0-0-2.jsonl: No space left on device (os error 28) \
             (2 records written)"
        )
    );
    assert_eq!(app.saving, None);
}

#[test]
fn the_record_keys_work_in_the_detail_on_the_record_shown() {
    let (mut app, _) = pane(80, 24, 3);
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Enter));
    assert_eq!(app.screen, Screen::Detail);
    let fx = app.update(ch('y'));
    assert_eq!(fx[0], Effect::Copy(bytes::Bytes::from_static(b"v1")));
    assert_eq!(note(&app).as_deref(), Some("copied the value (2 bytes)"));
    let fx = app.update(ch('Y'));
    assert_eq!(fx[0], Effect::Copy(bytes::Bytes::from_static(b"k1")));
    let fx = app.update(ch('e'));
    assert_eq!(
        fx[0],
        Effect::OpenValue(OpenValue {
            viewer: Viewer::Pager,
            value: bytes::Bytes::from_static(b"v1"),
            decoded: None,
            name: "orders-0-1".into(),
        })
    );
    let fx = app.update(ch('E'));
    assert!(matches!(&fx[0], Effect::OpenValue(v) if v.viewer == Viewer::Editor));
    app.update(Action::Opened(Some(
        "$EDITOR is not set: no program".into(),
    )));
    assert_eq!(
        note(&app).as_deref(),
        Some("$EDITOR is not set: no program")
    );
    app.update(ch('s'));
    let p = app.prompt.take().unwrap();
    assert_eq!(
        (p.kind, p.input.value()),
        (PromptKind::SavePath, "orders-0-1.bin")
    );
    // S saves the pane behind the detail.
    app.update(ch('S'));
    let p = app.prompt.as_ref().unwrap();
    assert_eq!(p.input.value(), "orders-0-0-2.jsonl");
    assert_eq!(app.screen, Screen::Detail);
}

#[test]
fn y_copies_the_decoded_value_and_e_opens_it_pretty() {
    let (mut app, _) = pane(80, 24, 0);
    let json = bytes::Bytes::from_static(br#"{"id":1}"#);
    let decoding = RecordDecoding {
        key: None,
        value: Some(PartDecoding::Json {
            json: json.clone(),
            schema: Arc::new(crate::app::SchemaLabel::default()),
        }),
    };
    // A jump: the reader's records arrive decoded.
    app.update(ch('g'));
    let generation = app.messages.as_ref().unwrap().generation;
    app.update(Action::Decoded(crate::app::Decodings {
        generation,
        partition: 0,
        records: vec![(5, Arc::new(decoding))],
    }));
    app.update(Action::Reader(vec![ReaderEvent {
        generation,
        partition: 0,
        kind: ReaderEventKind::Messages(vec![msg(5)]),
    }]));
    let fx = app.update(ch('y'));
    assert_eq!(fx[0], Effect::Copy(json.clone()));
    assert_eq!(
        note(&app).as_deref(),
        Some("copied the decoded value (8 bytes)")
    );
    let fx = app.update(ch('e'));
    let Effect::OpenValue(v) = &fx[0] else {
        panic!("{fx:?}")
    };
    assert_eq!(v.decoded, Some(json));
    assert_eq!(v.contents(), (b"{\n  \"id\": 1\n}".to_vec(), "json"));
}

#[test]
fn the_opened_file_holds_text_as_it_is_and_binary_as_a_hex_dump() {
    let open = |value: &'static [u8]| OpenValue {
        viewer: Viewer::Pager,
        value: bytes::Bytes::from_static(value),
        decoded: None,
        name: "t".into(),
    };
    assert_eq!(
        open(b"line 1\n\tline 2\r\n").contents(),
        (b"line 1\n\tline 2\r\n".to_vec(), "txt")
    );
    assert_eq!(
        open("héllo".as_bytes()).contents(),
        ("héllo".as_bytes().to_vec(), "txt")
    );
    for binary in [&b"a\x1b[2Jb"[..], b"\xff\xfe", b"nul\x00"] {
        let (text, ext) = open(binary).contents();
        assert_eq!(
            (String::from_utf8(text).unwrap(), ext),
            (crate::render::hex_dump(binary), "hex.txt")
        );
    }
}

#[test]
fn nothing_to_save_or_open_is_said_not_done() {
    let (mut app, _) = pane(80, 24, 0);
    let fx = app.update(ch('S'));
    assert!(fx.iter().all(|e| *e == Effect::Redraw), "{fx:?}");
    assert!(app.prompt.is_none());
    assert_eq!(
        note(&app).as_deref(),
        Some("no records loaded: nothing to save")
    );
    // A filter view of an empty partition.
    let query = crate::app::search::Query::Key(b"k".to_vec());
    app.messages.as_mut().unwrap().filter = Some(crate::app::search::PaneFilter::new(query, 0));
    app.update(ch('S'));
    assert!(app.prompt.is_none());
    assert_eq!(
        note(&app).as_deref(),
        Some("the partition is empty: nothing to save")
    );
    let fx = app.update(ch('e'));
    assert!(fx.iter().all(|e| *e == Effect::Redraw), "{fx:?}");
}

#[test]
fn the_window_prompt_at_160x45() {
    let (mut app, _) = pane(160, 45, 3);
    app.update(ch('S'));
    insta::assert_snapshot!("save_records_prompt_160x45", render(&app));
}
