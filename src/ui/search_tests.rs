//! Snapshots of the search prompt, the search progress, the filter status and the find-key
//! prompt, at 160x45 and 80x24; the highlighting of matches.

use super::*;
use crate::app::search::SearchReport;
use ratatui::style::Style;

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(ch(c));
    }
}

fn sized(mut app: App, w: u16, h: u16) -> App {
    app.update(Action::Resize(w, h));
    app
}

fn both(name: &str, build: impl Fn(u16, u16) -> App) {
    for (w, h) in [(160, 45), (80, 24)] {
        let app = build(w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(&app));
    }
}

fn search_job_id(fx: &[Effect]) -> u64 {
    fx.iter()
        .find_map(|e| match e {
            Effect::Search(j) => Some(j.id),
            _ => None,
        })
        .unwrap()
}

#[test]
fn search_prompt_understands_an_expression() {
    both("search_prompt_expression", |w, h| {
        let mut app = sized(messages_app(), w, h);
        typed(
            &mut app,
            "/value.amount > 25.0 && key.startsWith(\"order-\")",
        );
        app
    });
}

#[test]
fn search_prompt_understands_text() {
    both("search_prompt_text", |w, h| {
        let mut app = sized(messages_app(), w, h);
        typed(&mut app, "/c-014");
        app
    });
}

#[test]
fn search_prompt_points_at_the_bad_column() {
    both("search_prompt_error", |w, h| {
        let mut app = sized(messages_app(), w, h);
        typed(&mut app, "/value.amount >> 3");
        app
    });
}

#[test]
fn search_progress_in_the_status_line() {
    both("search_progress", |w, h| {
        let mut app = sized(messages_app(), w, h);
        typed(&mut app, "/customer\":\"c-9");
        let id = search_job_id(&app.update(key(KeyCode::Enter)));
        app.update(Action::Search {
            id,
            report: SearchReport::Progress {
                scanned: 1_234_567,
                reached: 1_234_577,
            },
        });
        app
    });
}

/// A filter view on `order-100` that scanned 1.2 M of 10 M records and matched `matched`.
fn filtered(w: u16, h: u16, matched: u64) -> App {
    let mut app = sized(messages_app(), w, h);
    typed(&mut app, "&order-100");
    let fx = app.update(key(KeyCode::Enter));
    let generation = fx
        .iter()
        .find_map(|e| match e {
            Effect::FilteredReader { generation, .. } => Some(*generation),
            _ => None,
        })
        .unwrap();
    let ev = |kind| ReaderEvent {
        generation,
        partition: 0,
        kind,
    };
    let matches: Vec<Message> = sample_records().into_iter().take(6).collect();
    app.update(Action::Reader(vec![
        ev(ReaderEventKind::Started {
            offset: 0,
            watermarks: Watermarks {
                low: 0,
                high: 10_000_000,
            },
        }),
        ev(ReaderEventKind::Messages(matches)),
    ]));
    app.update(Action::FilterScanned {
        generation,
        scanned: 1_200_000,
        matched,
        reached: 1_200_000,
    });
    app
}

#[test]
fn filter_status_counts_scanned_and_matches() {
    both("filter_status", |w, h| filtered(w, h, 37));
}

#[test]
fn one_match_is_one_match() {
    let screen = render(&filtered(160, 45, 1));
    assert!(
        screen.contains("scanned 1.2M of 10.0M · 1 match │"),
        "{screen}"
    );
}

#[test]
fn find_key_prompt_on_the_partitions() {
    both("find_key_prompt", |w, h| {
        let mut app = sized(partitions_app(), w, h);
        typed(&mut app, "Korder-1003");
        app
    });
}

#[test]
fn matches_are_highlighted_in_keys_and_values() {
    let spans = super::super::search::highlight(
        crate::render::Safe::new("Order-42 and order-7"),
        &["order-".to_string()],
        false,
        Style::new(),
    );
    let parts: Vec<(&str, bool)> = spans
        .iter()
        .map(|s| {
            (
                s.content.as_ref(),
                s.style == super::super::search::match_style(),
            )
        })
        .collect();
    assert_eq!(
        parts,
        [
            ("Order-", true),
            ("42 and ", false),
            ("order-", true),
            ("7", false)
        ]
    );
    // Smartcase: an upper-case letter makes case matter.
    let spans = super::super::search::highlight(
        crate::render::Safe::new("Order-42 and order-7"),
        &["Order".to_string()],
        true,
        Style::new(),
    );
    assert_eq!(spans.len(), 2);
    // On screen: the matched text in the value column has the match style.
    let mut app = sized(messages_app(), 160, 45);
    typed(&mut app, "/c-014");
    app.update(key(KeyCode::Enter));
    let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
    t.draw(|f| super::super::draw(&app, f)).unwrap();
    let buf = t.backend().buffer();
    let screen = format!("{}", t.backend());
    let (row, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("c-014"))
        .unwrap();
    let col = line.chars().collect::<Vec<_>>();
    let at = (0..col.len())
        .find(|&i| col[i..].iter().collect::<String>().starts_with("c-014"))
        .unwrap();
    // The snapshot's lines are quoted: one column of `"` before the screen's first.
    let cell = &buf[(at as u16 - 1, row as u16)];
    assert_eq!(cell.symbol(), "c");
    assert_eq!(cell.style().bg, super::super::search::match_style().bg);
}

#[test]
fn topic_search_prompt_with_its_start() {
    both("topic_search_prompt", |w, h| {
        let mut app = sized(partitions_app(), w, h);
        typed(&mut app, "/value.amount > 20.0");
        app.update(key(KeyCode::Tab));
        for _ in 0.."beginning".len() {
            app.update(key(KeyCode::Backspace));
        }
        typed(&mut app, "@-1h");
        app
    });
}

#[test]
fn topic_search_results_stream_into_a_bounded_list() {
    both("topic_search_results", |w, h| {
        let mut app = sized(partitions_app(), w, h);
        typed(&mut app, "/c-0");
        let fx = app.update(key(KeyCode::Enter));
        let id = fx
            .iter()
            .find_map(|e| match e {
                Effect::TopicSearch(j) => Some(j.id),
                _ => None,
            })
            .unwrap();
        let hits = sample_records()
            .iter()
            .take(6)
            .enumerate()
            .map(|(i, m)| {
                let mut m = m.clone();
                m.partition = (i % 3) as i32;
                m.offset += 100 * i as i64;
                crate::app::results::Hit::of(&m)
            })
            .collect();
        app.update(Action::TopicResults {
            id,
            report: crate::app::results::TopicSearchReport {
                hits,
                scanned: 1_234_567,
                total: 12_000_000,
                next: vec![],
                done: false,
                error: None,
            },
        });
        app.update(ch('j'));
        app
    });
}

#[test]
fn the_search_is_highlighted_in_the_detail() {
    let mut app = sized(messages_app(), 160, 45);
    typed(&mut app, "/c-014");
    let id = search_job_id(&app.update(key(KeyCode::Enter)));
    app.update(Action::Search {
        id,
        report: SearchReport::Found {
            offset: 2,
            scanned: 2,
        },
    });
    app.update(key(KeyCode::Enter));
    assert_eq!(app.screen, crate::app::Screen::Detail);
    assert_eq!(app.detail.as_ref().unwrap().message.offset, 2);
    let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
    t.draw(|f| super::super::draw(&app, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let screen = format!("{}", t.backend());
    let hits: Vec<(u16, u16)> = screen
        .lines()
        .enumerate()
        .filter_map(|(row, l)| {
            let chars: Vec<char> = l.chars().collect();
            (0..chars.len())
                .find(|&i| chars[i..].iter().collect::<String>().starts_with("c-014"))
                .map(|i| (i as u16 - 1, row as u16))
        })
        .collect();
    assert!(!hits.is_empty(), "{screen}");
    for (x, y) in hits {
        assert_eq!(buf[(x, y)].symbol(), "c");
        assert_eq!(
            buf[(x, y)].style().bg,
            super::super::search::match_style().bg,
            "{screen}"
        );
    }
}
