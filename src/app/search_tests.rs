//! The search state machine: `/`, `n`, `N`, `&`, `K`, Esc, and the scans' reports.

use super::*;
use crate::app::search::{Query, SearchJob, SearchReport, Understood};

fn searches(fx: &[Effect]) -> Vec<SearchJob> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Search(j) => Some(j.clone()),
            _ => None,
        })
        .collect()
}

fn filtered(fx: &[Effect]) -> Vec<(u64, i32, StartAt, Option<i64>, Query)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::FilteredReader {
                generation,
                partition,
                start,
                until,
                query,
                ..
            } => Some((*generation, *partition, *start, *until, query.clone())),
            _ => None,
        })
        .collect()
}

fn understood(app: &App) -> Understood {
    app.search_prompt.as_ref().unwrap().understood()
}

/// Partition 0 of `orders` (0..1000) with offsets 0..20 loaded in a window of 40.
fn loaded() -> (App, u64) {
    let mut app = app(40);
    let g = open_partition(&mut app, 1000);
    app.update(Action::Reader(vec![
        started(g, 0, 0, 1000),
        records(g, 0..20),
        ev(
            g,
            ReaderEventKind::CaughtUp {
                next: 20,
                high: 1000,
            },
        ),
    ]));
    (app, g)
}

fn pane(app: &App) -> &MessagePane {
    app.messages.as_ref().unwrap()
}

#[test]
fn the_prompt_says_what_it_understood_and_points_at_a_bad_column() {
    let (mut app, _) = loaded();
    app.update(ch('/'));
    assert_eq!(understood(&app), Understood::Empty);
    typed(&mut app, "order");
    assert_eq!(
        understood(&app),
        Understood::Text {
            case_sensitive: false
        }
    );
    app.update(key(KeyCode::Backspace));
    app.update(key(KeyCode::Backspace));
    app.update(key(KeyCode::Backspace));
    app.update(key(KeyCode::Backspace));
    app.update(key(KeyCode::Backspace));
    typed(&mut app, "value.amount > ");
    let Understood::Error(e) = understood(&app) else {
        panic!("{:?}", understood(&app))
    };
    assert_eq!(e.column, 16, "{e}");
    // Enter on a bad expression keeps the prompt and starts nothing.
    let fx = app.update(key(KeyCode::Enter));
    assert!(searches(&fx).is_empty());
    assert!(app.search_prompt.is_some());
    typed(&mut app, "250.0");
    assert_eq!(understood(&app), Understood::Expression);
    // `q` and `?` are typed, not obeyed.
    typed(&mut app, " ?q");
    assert!(!app.quit && !app.help);
    app.update(key(KeyCode::Esc));
    assert!(app.search_prompt.is_none());
    assert_eq!(app.screen, Screen::Messages);
}

#[test]
fn enter_scans_forward_from_the_cursor_and_a_match_in_the_window_is_selected() {
    let (mut app, g) = loaded();
    app.update(ch('j'));
    app.update(ch('/'));
    typed(&mut app, "v7");
    let fx = app.update(key(KeyCode::Enter));
    let jobs = searches(&fx);
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    assert_eq!(
        (job.partition, job.from, job.backward, job.low),
        (0, 2, false, 0)
    );
    assert_eq!(job.query.label(), "v7");
    assert!(app.search_prompt.is_none());
    // Progress shows; a report of another job does not.
    app.update(Action::Search {
        id: job.id,
        report: SearchReport::Progress {
            scanned: 5,
            reached: 7,
        },
    });
    let scan = pane(&app)
        .search
        .as_ref()
        .unwrap()
        .scanning
        .clone()
        .unwrap();
    assert_eq!((scan.scanned, scan.reached), (5, 7));
    let fx = app.update(Action::Search {
        id: job.id + 1,
        report: SearchReport::Found {
            offset: 9,
            scanned: 8,
        },
    });
    assert!(fx.is_empty());
    let fx = app.update(Action::Search {
        id: job.id,
        report: SearchReport::Found {
            offset: 7,
            scanned: 6,
        },
    });
    assert!(reader_starts(&fx).is_empty(), "{fx:?}");
    assert_eq!(pane(&app).selected().unwrap().offset, 7);
    assert_eq!(pane(&app).generation, g);
    assert!(pane(&app).search.as_ref().unwrap().scanning.is_none());
}

#[test]
fn a_match_past_the_window_is_loaded_around_and_selected() {
    let (mut app, _) = loaded();
    app.update(ch('/'));
    typed(&mut app, "key == \"k500\"");
    let job = searches(&app.update(key(KeyCode::Enter)))[0].clone();
    let fx = app.update(Action::Search {
        id: job.id,
        report: SearchReport::Found {
            offset: 500,
            scanned: 499,
        },
    });
    let starts = reader_starts(&fx);
    assert_eq!(starts.len(), 1);
    // Ten rows on screen: the match lands mid-screen.
    assert_eq!(starts[0].1, StartAt::Offset(495));
    let g = starts[0].0;
    app.update(Action::Reader(vec![
        started(g, 495, 0, 1000),
        records(g, 495..530),
    ]));
    assert_eq!(pane(&app).selected().unwrap().offset, 500);
}

#[test]
fn n_and_shift_n_scan_from_the_selected_record_and_esc_stops_a_scan() {
    let (mut app, _) = loaded();
    // No search yet: n says so.
    app.update(ch('n'));
    assert!(pane(&app).warning.is_some());
    app.update(ch('/'));
    typed(&mut app, "v");
    let first = searches(&app.update(key(KeyCode::Enter)))[0].clone();
    app.update(Action::Search {
        id: first.id,
        report: SearchReport::Found {
            offset: 4,
            scanned: 4,
        },
    });
    let next = searches(&app.update(ch('n')))[0].clone();
    assert_eq!((next.from, next.backward), (5, false));
    assert!(next.id > first.id);
    app.update(Action::Search {
        id: next.id,
        report: SearchReport::Found {
            offset: 5,
            scanned: 1,
        },
    });
    let prev = searches(&app.update(ch('N')))[0].clone();
    assert_eq!((prev.from, prev.backward), (5, true));
    // Esc stops the scan and stays; a second Esc leaves the partition.
    assert_eq!(
        app.update(key(KeyCode::Esc)),
        vec![Effect::StopSearch, Effect::Redraw]
    );
    assert_eq!(app.screen, Screen::Messages);
    // A late report of the stopped scan changes nothing.
    app.update(Action::Search {
        id: prev.id,
        report: SearchReport::Found {
            offset: 1,
            scanned: 1,
        },
    });
    assert_eq!(pane(&app).selected().unwrap().offset, 5);
    app.update(key(KeyCode::Esc));
    assert_eq!(app.screen, Screen::Partitions);
}

#[test]
fn no_match_is_said_and_a_failed_scan_is_a_popup() {
    let (mut app, _) = loaded();
    app.update(ch('/'));
    typed(&mut app, "nowhere");
    let job = searches(&app.update(key(KeyCode::Enter)))[0].clone();
    app.update(Action::Search {
        id: job.id,
        report: SearchReport::NotFound {
            scanned: 999,
            reached: 1000,
        },
    });
    let note = pane(&app).search.as_ref().unwrap().note.clone();
    assert_eq!(
        note.as_deref(),
        Some("no match from offset 1 to 1000 (999 records scanned)")
    );
    let job = searches(&app.update(ch('n')))[0].clone();
    app.update(Action::Search {
        id: job.id,
        report: SearchReport::Failed("broker gone".into()),
    });
    assert_eq!(
        app.popup.as_ref().map(|p| p.to_string()).as_deref(),
        Some("search failed: broker gone")
    );
}

#[test]
fn the_filter_view_reads_only_matches_without_gap_markers_and_esc_clears_it() {
    let (mut app, g) = loaded();
    app.update(ch('&'));
    typed(&mut app, "k1");
    let fx = app.update(key(KeyCode::Enter));
    let f = filtered(&fx);
    assert_eq!(f.len(), 1, "{fx:?}");
    let (g2, partition, start, until, query) = f[0].clone();
    assert!(g2 > g);
    assert_eq!((partition, start, until), (0, StartAt::Beginning, None));
    assert_eq!(query.label(), "k1");
    assert!(reader_starts(&fx).is_empty());
    // The stage sends only matches: no "missing" markers between them.
    let mut batch: Vec<_> = vec![msg(1)];
    batch.extend((10..20).map(msg));
    batch.push(msg(100));
    app.update(Action::Reader(vec![
        started(g2, 0, 0, 1000),
        ev(g2, ReaderEventKind::Messages(batch)),
    ]));
    assert_eq!(pane(&app).window.len(), 12);
    app.update(Action::FilterScanned {
        generation: g2,
        scanned: 101,
        matched: 12,
        reached: 101,
    });
    // An older filter's counts are not this one's.
    app.update(Action::FilterScanned {
        generation: g,
        scanned: 5,
        matched: 5,
        reached: 5,
    });
    let pf = pane(&app).filter.clone().unwrap();
    assert_eq!((pf.scanned, pf.matched, pf.reached), (101, 12, 101));
    // A search in the filter view finds only records that pass the filter too.
    app.update(ch('/'));
    typed(&mut app, "v1");
    let job = searches(&app.update(key(KeyCode::Enter)))[0].clone();
    assert_eq!(job.within, Some(query.clone()));
    assert_eq!(job.from, 2);
    app.update(Action::Search {
        id: job.id,
        report: SearchReport::Found {
            offset: 10,
            scanned: 9,
        },
    });
    // Esc clears the filter and reads the whole partition around the selected record.
    let fx = app.update(key(KeyCode::Esc));
    assert_eq!(reader_starts(&fx), vec![(g2 + 1, StartAt::Offset(5))]);
    assert!(pane(&app).filter.is_none());
    assert_eq!(app.screen, Screen::Messages);
    app.update(Action::Reader(vec![
        started(g2 + 1, 5, 0, 1000),
        records(g2 + 1, 5..30),
    ]));
    assert_eq!(pane(&app).selected().unwrap().offset, 10);
}

#[test]
fn a_filter_view_pages_back_past_pages_without_a_match() {
    let (mut app, _) = loaded();
    app.update(ch('&'));
    typed(&mut app, "x");
    let (g, ..) = filtered(&app.update(key(KeyCode::Enter)))[0].clone();
    // The pane was jumped to offset 900 earlier: simulate a window starting there.
    app.update(Action::Reader(vec![
        started(g, 900, 0, 1000),
        records(g, 900..901),
        ev(
            g,
            ReaderEventKind::CaughtUp {
                next: 1000,
                high: 1000,
            },
        ),
    ]));
    // Up at the top: a backward page before 900, bounded by `until`.
    let f = filtered(&app.update(ch('k')));
    assert_eq!(f.len(), 1);
    let (g2, _, start, until, _) = f[0].clone();
    assert_eq!((start, until), (StartAt::Resume(880), Some(900)));
    // The page held no match: the next page before it starts at once.
    let fx = app.update(Action::Reader(vec![ev(
        g2,
        ReaderEventKind::CaughtUp {
            next: 900,
            high: 1000,
        },
    )]));
    let f = filtered(&fx);
    assert_eq!(f.len(), 1, "{fx:?}");
    assert_eq!((f[0].2, f[0].3), (StartAt::Resume(860), Some(880)));
    let g3 = f[0].0;
    app.update(Action::Reader(vec![
        ev(g3, ReaderEventKind::Messages(vec![msg(870)])),
        ev(
            g3,
            ReaderEventKind::CaughtUp {
                next: 880,
                high: 1000,
            },
        ),
    ]));
    let p = pane(&app);
    assert_eq!(p.window.first_offset(), Some(870));
    assert_eq!(p.window.len(), 2);
}

#[test]
fn find_key_opens_the_murmur2_partition_filtered_to_the_key() {
    let mut app = app(40);
    open_partition(&mut app, 1000);
    app.update(key(KeyCode::Esc));
    assert_eq!(app.screen, Screen::Partitions);
    app.update(ch('K'));
    assert_eq!(app.search_prompt.as_ref().unwrap().title(), "Find key");
    typed(&mut app, "order-29");
    assert_eq!(understood(&app), Understood::Key);
    let fx = app.update(key(KeyCode::Enter));
    let f = filtered(&fx);
    assert_eq!(f.len(), 1, "{fx:?}");
    let want = crate::search::murmur2::partition_for_key(b"order-29", 3);
    assert_eq!(f[0].1, want);
    assert_eq!(f[0].2, StartAt::Beginning);
    assert_eq!(f[0].4, Query::Key(b"order-29".to_vec()));
    assert!(reader_starts(&fx).is_empty());
    assert_eq!(app.screen, Screen::Messages);
    assert_eq!(pane(&app).partition, want);
}

fn hit(partition: i32, offset: i64) -> crate::app::results::Hit {
    let mut m = msg(offset);
    m.partition = partition;
    crate::app::results::Hit::of(&m)
}

fn topic_searches(fx: &[Effect]) -> Vec<crate::app::results::TopicSearchJob> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::TopicSearch(j) => Some(j.clone()),
            _ => None,
        })
        .collect()
}

fn report(
    hits: Vec<crate::app::results::Hit>,
    next: Vec<(i32, i64)>,
    done: bool,
) -> crate::app::results::TopicSearchReport {
    crate::app::results::TopicSearchReport {
        scanned: 100,
        total: 1000,
        hits,
        next,
        done,
        error: None,
    }
}

#[test]
fn a_topic_search_streams_into_the_results_and_enter_opens_a_match_in_context() {
    let mut app = app(40);
    open_partition(&mut app, 1000);
    app.update(key(KeyCode::Esc));
    app.update(ch('/'));
    assert_eq!(
        app.search_prompt.as_ref().unwrap().kind,
        search::SearchKind::TopicSearch
    );
    typed(&mut app, "k7");
    // Tab: the start position; a bad one keeps the prompt open with its error.
    app.update(key(KeyCode::Tab));
    for _ in 0.."beginning".len() {
        app.update(key(KeyCode::Backspace));
    }
    typed(&mut app, "soon");
    assert!(topic_searches(&app.update(key(KeyCode::Enter))).is_empty());
    assert!(app.search_prompt.as_ref().unwrap().error.is_some());
    for _ in 0..4 {
        app.update(key(KeyCode::Backspace));
    }
    typed(&mut app, "-100");
    let jobs = topic_searches(&app.update(key(KeyCode::Enter)));
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    assert_eq!(
        job.partitions,
        vec![
            (0, StartAt::FromEnd(100)),
            (1, StartAt::FromEnd(100)),
            (2, StartAt::FromEnd(100))
        ]
    );
    assert_eq!(job.query.label(), "k7");
    assert_eq!(job.limit, crate::app::results::RESULTS_LIMIT);
    assert_eq!(app.key_tables()[1].name, "Search results");
    // Matches stream in; a report of another search is ignored.
    app.update(Action::TopicResults {
        id: job.id + 1,
        report: report(vec![hit(2, 1)], vec![], false),
    });
    app.update(Action::TopicResults {
        id: job.id,
        report: report(vec![hit(1, 7), hit(0, 907)], vec![(1, 8), (0, 950)], false),
    });
    let r = app.results.as_ref().unwrap();
    assert_eq!(r.hits.len(), 2);
    assert_eq!((r.scanned, r.total, r.running), (100, 1000, true));
    // Enter on the second: partition 0 around offset 907, selected once loaded, with the
    // search kept for n and N.
    app.update(ch('j'));
    let fx = app.update(key(KeyCode::Enter));
    let starts = reader_starts(&fx);
    assert_eq!(starts.len(), 1);
    assert_eq!(starts[0].1, StartAt::Offset(902));
    app.update(Action::Reader(vec![
        started(starts[0].0, 902, 0, 1000),
        records(starts[0].0, 902..950),
    ]));
    assert_eq!(app.screen, Screen::Messages);
    assert_eq!(pane(&app).selected().unwrap().offset, 907);
    assert_eq!(
        pane(&app).search.as_ref().unwrap().query.label(),
        "k7".to_string()
    );
    // Esc: back to the results; Esc again stops the search and closes them.
    app.update(key(KeyCode::Esc));
    assert_eq!(app.screen, Screen::Partitions);
    assert!(app.results.is_some());
    let fx = app.update(key(KeyCode::Esc));
    assert!(fx.contains(&Effect::StopTopicSearch));
    assert!(app.results.is_none());
    assert_eq!(app.screen, Screen::Partitions);
}

#[test]
fn the_results_are_bounded_and_more_goes_on_where_each_partition_stopped() {
    let mut app = app(40);
    open_partition(&mut app, 1000);
    app.update(key(KeyCode::Esc));
    app.update(ch('/'));
    typed(&mut app, "v");
    let job = topic_searches(&app.update(key(KeyCode::Enter)))[0].clone();
    let limit = crate::app::results::RESULTS_LIMIT;
    // `m` does nothing while the page is not full.
    assert!(topic_searches(&app.update(ch('m'))).is_empty());
    let hits: Vec<_> = (0..limit as i64 + 5).map(|o| hit(0, o)).collect();
    app.update(Action::TopicResults {
        id: job.id,
        report: report(hits, vec![(0, limit as i64), (2, 40)], true),
    });
    let r = app.results.as_ref().unwrap();
    assert_eq!(r.hits.len(), limit);
    assert!(r.full() && !r.running);
    let more = topic_searches(&app.update(ch('m')));
    assert_eq!(more.len(), 1);
    assert_eq!(
        more[0].partitions,
        vec![
            (0, StartAt::Resume(limit as i64)),
            (1, StartAt::Beginning),
            (2, StartAt::Resume(40))
        ]
    );
    let r = app.results.as_ref().unwrap();
    assert_eq!((r.hits.len(), r.before, r.running), (0, limit, true));
}

/// A loaded pane whose last search found nothing (its "no match" note showing).
fn after_a_search_with_no_match() -> App {
    let (mut app, _) = loaded();
    app.update(ch('/'));
    typed(&mut app, "nowhere");
    let job = searches(&app.update(key(KeyCode::Enter)))[0].clone();
    app.update(Action::Search {
        id: job.id,
        report: SearchReport::NotFound {
            scanned: 999,
            reached: 1000,
        },
    });
    assert!(pane(&app).search.as_ref().unwrap().note.is_some());
    app
}

#[test]
fn a_filter_clears_the_last_searchs_no_match() {
    let mut app = after_a_search_with_no_match();
    app.update(ch('&'));
    typed(&mut app, "v1");
    app.update(key(KeyCode::Enter));
    assert_eq!(
        pane(&app).search.as_ref().and_then(|s| s.note.clone()),
        None
    );
}

#[test]
fn a_jump_clears_the_last_searchs_no_match() {
    let mut app = after_a_search_with_no_match();
    app.update(ch('o'));
    typed(&mut app, "0");
    app.update(key(KeyCode::Enter));
    assert_eq!(
        pane(&app).search.as_ref().and_then(|s| s.note.clone()),
        None
    );
}
