use crossterm::event::KeyCode;

use crate::app::merged::tests::in_the_app::{app, key, load_of, typed};
use crate::app::merged::tests::{ROWS, Topic, at, drive, topic, walk};
use crate::app::merged::{Direction, MergedPane, MergedStart};
use crate::app::search::{MergedSearchJob, PaneFilter, Query, SearchReport};
use crate::app::{Action, App, Effect, Screen};
use crate::kafka::{Message, StartAt};
use crate::search::Filter;

fn query(text: &str) -> Query {
    Query::Filter {
        text: text.into(),
        filter: Filter::parse(text).unwrap(),
    }
}

/// A filter on keys ("P-OFFSET"): those that end with 1, 3 or 7.
const ENDS_1: &str = r#"key.endsWith("1") || key.endsWith("3") || key.endsWith("7")"#;
/// A search: keys of partition 2 from offset 20 on.
const P2_2X: &str = r#"key.startsWith("2-2")"#;

/// The records whose key ("P-OFFSET") passes `pick`, in merged order.
fn matching(topic: &Topic, pick: fn(&str) -> bool) -> Vec<(i32, i64)> {
    topic
        .sorted()
        .into_iter()
        .filter(|(p, o)| pick(&format!("{p}-{o}")))
        .collect()
}

fn ends_1(k: &str) -> bool {
    k.ends_with('1') || k.ends_with('3') || k.ends_with('7')
}

fn p2_2x(k: &str) -> bool {
    k.starts_with("2-2")
}

fn record(topic: &Topic, (p, o): (i32, i64)) -> Message {
    topic.parts[p as usize]
        .0
        .iter()
        .find(|m| m.offset == o)
        .cloned()
        .unwrap()
}

/// Where each partition stands just before `found` in merged order: its own offset, and for
/// the others the first record that comes after it (else the end): what the runtime's merge
/// scan reports with a match.
fn positions_before(topic: &Topic, found: (i32, i64)) -> Vec<(i32, i64)> {
    let f = record(topic, found);
    let key = (f.timestamp, f.partition, f.offset);
    topic
        .parts
        .iter()
        .enumerate()
        .map(|(p, (records, w))| {
            let p = p as i32;
            if p == found.0 {
                return (p, found.1);
            }
            let next = records
                .iter()
                .find(|m| (m.timestamp, m.partition, m.offset) > key)
                .map_or(w.high, |m| m.offset);
            (p, next)
        })
        .collect()
}

/// Carries out the app's merged loads until it asks for none.
fn drive_app(topic: &Topic, a: &mut App, mut fx: Vec<Effect>) {
    while let Some(req) = fx.iter().find_map(|e| match e {
        Effect::LoadMerged(r) => Some(r.clone()),
        _ => None,
    }) {
        fx = a.update(Action::MergedLoaded(topic.serve(&req)));
    }
}

fn search_job(fx: &[Effect]) -> MergedSearchJob {
    fx.iter()
        .find_map(|e| match e {
            Effect::MergedSearch(j) => Some(j.clone()),
            _ => None,
        })
        .expect("a merged search")
}

fn selected(a: &App) -> (i32, i64) {
    at(a.merged.as_ref().unwrap())
}

/// The merged view of `topic()`, its first page loaded.
fn merged() -> App {
    let mut a = app();
    let fx = a.update(key(KeyCode::Char('a')));
    drive_app(&topic(), &mut a, fx);
    a
}

#[test]
fn a_filter_pages_only_matching_records_in_merged_order_both_ways() {
    let topic = topic();
    let want = matching(&topic, ends_1);
    assert!(want.len() > 10, "more matches than the window holds");
    let mut p = MergedPane::new("t".into(), vec![0, 1, 2], 10, 0);
    p.filter = Some(PaneFilter::new(query(ENDS_1), 1));
    let fx = p.jump(MergedStart::Beginning);
    let Effect::LoadMerged(req) = &fx else {
        panic!("a load")
    };
    assert_eq!(req.filter, Some(query(ENDS_1)));
    drive(&topic, &mut p, Some(fx));
    let down = walk(&topic, &mut p, 1);
    assert_eq!(down, want);
    let up = walk(&topic, &mut p, -1);
    let mut back = want.clone();
    back.reverse();
    assert_eq!(up, back);
    // From the end too: the last matches, paging back to the first.
    let fx = p.jump(MergedStart::End);
    drive(&topic, &mut p, Some(fx));
    assert_eq!(Some(&at(&p)), want.last());
    assert_eq!(walk(&topic, &mut p, -1), back);
}

#[test]
fn ampersand_filters_the_merged_view_counts_its_scan_and_esc_clears_it() {
    let topic = topic();
    let mut a = merged();
    a.update(key(KeyCode::Char('&')));
    typed(&mut a, ENDS_1);
    let fx = a.update(key(KeyCode::Enter));
    let req = load_of(&fx);
    assert_eq!(req.filter, Some(query(ENDS_1)));
    assert_eq!(req.direction, Direction::Forward);
    assert!(req.parts.iter().all(|p| p.start == StartAt::Beginning));
    let generation = req.generation;
    drive_app(&topic, &mut a, fx);
    let pane = a.merged.as_ref().unwrap();
    let shown: Vec<(i32, i64)> = pane.rows.iter().map(|m| (m.partition, m.offset)).collect();
    assert_eq!(shown.len(), 5, "a page of matches");
    assert_eq!(shown, matching(&topic, ends_1)[..5]);
    // The readers' counts; an older reader's are not this filter's.
    a.update(Action::FilterScanned {
        generation,
        scanned: 40,
        matched: 12,
        reached: 20,
    });
    a.update(Action::FilterScanned {
        generation: generation - 1,
        scanned: 1000,
        matched: 1000,
        reached: 20,
    });
    let f = a.merged.as_ref().unwrap().filter.as_ref().unwrap();
    assert_eq!((f.scanned, f.matched), (40, 12));
    // Esc: every record again, at the selected record's time, the record selected.
    a.update(key(KeyCode::Char('j')));
    let sel = selected(&a);
    let ts = record(&topic, sel).timestamp;
    let fx = a.update(key(KeyCode::Esc));
    let req = load_of(&fx);
    assert_eq!(req.filter, None);
    assert!(req.parts.iter().all(|p| p.start == StartAt::Timestamp(ts)));
    drive_app(&topic, &mut a, fx);
    assert!(a.merged.as_ref().unwrap().filter.is_none());
    assert_eq!(selected(&a), sel);
    assert_eq!(a.screen, Screen::Merged);
    a.update(key(KeyCode::Esc));
    assert_eq!(a.screen, Screen::Partitions);
}

#[test]
fn slash_finds_the_next_match_in_merged_order_beyond_the_window_and_n_goes_back() {
    let topic = topic();
    let mut a = merged();
    let first = selected(&a);
    a.update(key(KeyCode::Char('/')));
    typed(&mut a, P2_2X);
    let fx = a.update(key(KeyCode::Enter));
    let job = search_job(&fx);
    assert!(!job.backward);
    assert_eq!(job.query, query(P2_2X));
    // Each partition from just after the selected record.
    let mut after = positions_before(&topic, first);
    for x in &mut after {
        if x.0 == first.0 {
            x.1 += 1;
        }
    }
    assert_eq!(job.at, after);
    // Progress, then the scan's match (past the 10-record window).
    a.update(Action::Search {
        id: job.id,
        report: SearchReport::Progress {
            scanned: 30,
            reached: 150,
        },
    });
    assert_eq!(
        a.merged
            .as_ref()
            .unwrap()
            .search
            .as_ref()
            .unwrap()
            .scanning
            .as_ref()
            .unwrap()
            .scanned,
        30
    );
    let found = matching(&topic, p2_2x)[0];
    assert!(
        a.merged
            .as_ref()
            .unwrap()
            .rows
            .iter()
            .all(|m| (m.partition, m.offset) != found)
    );
    let fx = a.update(Action::Search {
        id: job.id,
        report: SearchReport::FoundMerged {
            partition: found.0,
            offset: found.1,
            at: positions_before(&topic, found),
            scanned: 40,
        },
    });
    let req = load_of(&fx);
    assert_eq!(
        req.parts
            .iter()
            .map(|p| (p.partition, p.start))
            .collect::<Vec<_>>(),
        positions_before(&topic, found)
            .into_iter()
            .map(|(p, o)| (p, StartAt::Resume(o)))
            .collect::<Vec<_>>()
    );
    drive_app(&topic, &mut a, fx);
    assert_eq!(selected(&a), found);
    // The records before the match were read too: going up walks the merged order.
    let pane = a.merged.as_ref().unwrap();
    let all = topic.sorted();
    let i = all.iter().position(|x| *x == found).unwrap();
    let before = pane.cursor.selected.min(i);
    let held: Vec<(i32, i64)> = pane.rows.iter().map(|m| (m.partition, m.offset)).collect();
    assert_eq!(
        held[pane.cursor.selected - before..=pane.cursor.selected],
        all[i - before..=i]
    );
    assert!(before >= ROWS, "context above the match");
    let prev = held[pane.cursor.selected - 2];
    // N: backward from the match itself.
    let job = search_job(&a.update(key(KeyCode::Char('N'))));
    assert!(job.backward);
    assert_eq!(job.at, positions_before(&topic, found));
    // A match in the window is selected there.
    let fx = a.update(Action::Search {
        id: job.id,
        report: SearchReport::FoundMerged {
            partition: prev.0,
            offset: prev.1,
            at: positions_before(&topic, prev),
            scanned: 2,
        },
    });
    assert!(fx.iter().all(|e| !matches!(e, Effect::MergedSearch(_))));
    assert_eq!(selected(&a), prev);
}

#[test]
fn esc_stops_a_merged_search_and_no_match_is_said() {
    let mut a = merged();
    a.update(key(KeyCode::Char('/')));
    typed(&mut a, "nothing");
    let job = search_job(&a.update(key(KeyCode::Enter)));
    let fx = a.update(key(KeyCode::Esc));
    assert!(fx.contains(&Effect::StopSearch));
    assert_eq!(a.screen, Screen::Merged);
    // The stopped scan's late answer is ignored.
    a.update(Action::Search {
        id: job.id,
        report: SearchReport::NotFound {
            scanned: 60,
            reached: 190,
        },
    });
    assert_eq!(
        a.merged.as_ref().unwrap().search.as_ref().unwrap().note,
        None
    );
    let job = search_job(&a.update(key(KeyCode::Char('n'))));
    a.update(Action::Search {
        id: job.id,
        report: SearchReport::NotFound {
            scanned: 60,
            reached: 190,
        },
    });
    let note = a
        .merged
        .as_ref()
        .unwrap()
        .search
        .as_ref()
        .unwrap()
        .note
        .clone();
    assert_eq!(
        note.as_deref(),
        Some("no match after 1970-01-01 00:00:00.100 to the end (60 records scanned)")
    );
}
