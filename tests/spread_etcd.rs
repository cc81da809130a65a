//! `consume --spread-group` against a real etcd (scripts/etcd, Debian's etcd-server) and the
//! real Kafka broker, records written by librdkafka: members share the partitions, a killed
//! member's partitions move to the survivor at their saved positions, a new member takes its
//! share, and Kafka never sees a consumer group.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use support::{
    Follow, TestRecord, create_topic, kbrowse, produce, real_broker, service_env, unique,
};

fn etcd() -> Option<String> {
    service_env("KBROWSE_TEST_ETCD", "etcd", "run scripts/etcd start")
}

/// `PARTS` partitions × `n` records, values `p<partition>-<i>`.
fn records(parts: i32, range: std::ops::Range<i64>) -> Vec<TestRecord> {
    (0..parts)
        .flat_map(|p| {
            range
                .clone()
                .map(move |i| TestRecord::kv(p, &format!("k{i}"), &format!("p{p}-{i}")))
        })
        .collect()
}

/// (partition, offset) of each `--format json` line.
fn positions(lines: &[String]) -> Vec<(i64, i64)> {
    lines
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|_| panic!("{l}"));
            (
                v["partition"].as_i64().unwrap(),
                v["offset"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn spread_args<'a>(broker: &'a str, topic: &'a str, group: &'a str, etcd: &'a str) -> Vec<&'a str> {
    vec![
        "-b",
        broker,
        "consume",
        "-t",
        topic,
        "--format",
        "json",
        "--spread-group",
        group,
        "--coordinator",
        etcd,
        "--coordinator-ttl",
        "2",
    ]
}

/// Every (partition, offset) below `per` in each of `parts` partitions, each counted.
fn coverage(all: &[(i64, i64)]) -> BTreeMap<(i64, i64), usize> {
    let mut seen = BTreeMap::new();
    for &k in all {
        *seen.entry(k).or_insert(0) += 1;
    }
    seen
}

fn expected(parts: i64, per: i64) -> BTreeSet<(i64, i64)> {
    (0..parts)
        .flat_map(|p| (0..per).map(move |o| (p, o)))
        .collect()
}

fn partitions_of(lines: &[String]) -> BTreeSet<i64> {
    positions(lines).into_iter().map(|(p, _)| p).collect()
}

#[test]
fn two_members_with_e_read_every_record_exactly_once() {
    let (Some(broker), Some(etcd)) = (real_broker(), etcd()) else {
        return;
    };
    let topic = unique("spread-e");
    create_topic(&broker, &topic, 4, &[]);
    produce(&broker, &topic, "lz4", &records(4, 0..500));
    let group = unique("g");
    let mut args = spread_args(&broker, &topic, &group, &etcd);
    args.push("-e");
    let a = std::thread::spawn({
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        move || kbrowse(&args.iter().map(String::as_str).collect::<Vec<_>>())
    });
    let (code_b, out_b, err_b) = kbrowse(&args);
    let (code_a, out_a, err_a) = a.join().unwrap();
    assert_eq!((code_a, err_a.as_str()), (0, ""), "member a");
    assert_eq!((code_b, err_b.as_str()), (0, ""), "member b");
    let lines_a: Vec<String> = out_a.lines().map(String::from).collect();
    let lines_b: Vec<String> = out_b.lines().map(String::from).collect();
    let all: Vec<(i64, i64)> = positions(&lines_a)
        .into_iter()
        .chain(positions(&lines_b))
        .collect();
    let seen = coverage(&all);
    assert_eq!(
        seen.keys().copied().collect::<BTreeSet<_>>(),
        expected(4, 500)
    );
    assert!(seen.values().all(|&n| n == 1), "a record was read twice");
    // Both got partitions, two each, none shared.
    let (pa, pb) = (partitions_of(&lines_a), partitions_of(&lines_b));
    assert_eq!((pa.len(), pb.len()), (2, 2), "{pa:?} {pb:?}");
    assert!(pa.is_disjoint(&pb));

    // A second run of the same group: every partition is done, nothing is printed again.
    let (code, out, err) = kbrowse(&args);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));

    // Kafka saw no consumer group: the spread group lives in etcd only. (Other tests on this
    // broker make groups of their own, so only ours is looked for.)
    assert_no_group(&broker, &group);
}

#[test]
fn a_killed_members_partitions_move_to_the_survivor_without_a_gap() {
    let (Some(broker), Some(etcd)) = (real_broker(), etcd()) else {
        return;
    };
    let topic = unique("spread-kill");
    create_topic(&broker, &topic, 4, &[]);
    produce(&broker, &topic, "lz4", &records(4, 0..100));
    let group = unique("g");
    let args = spread_args(&broker, &topic, &group, &etcd);
    let mut a = Follow::spawn(&args);
    let mut b = Follow::spawn(&args);
    // Together they print the first 400, then wait for more.
    wait_total(&mut [&mut a, &mut b], 400);
    let owned_by_a = partitions_of(&a.got);
    assert_eq!(owned_by_a.len(), 2, "a read {owned_by_a:?}");
    // Give a's saved positions a tick to reach etcd, then SIGKILL it: no goodbye.
    std::thread::sleep(Duration::from_millis(1200));
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    produce(&broker, &topic, "lz4", &records(4, 100..200));
    // Within the TTL (2 s) and a few ticks, b reads all four partitions' new records.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        b.collect_for(Duration::from_millis(500));
        let all: Vec<(i64, i64)> = positions(&a.got)
            .into_iter()
            .chain(positions(&b.got))
            .collect();
        let seen = coverage(&all);
        if expected(4, 200).iter().all(|k| seen.contains_key(k)) {
            // No gap; every record is there at least once, and only those (nothing invented).
            assert_eq!(
                seen.keys().copied().collect::<BTreeSet<_>>(),
                expected(4, 200)
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "b did not take over: missing {:?}; stderr {}",
            expected(4, 200)
                .difference(&seen.keys().copied().collect())
                .take(5)
                .collect::<Vec<_>>(),
            b.stderr()
        );
    }
    // b now reads a's partitions too.
    assert!(owned_by_a.is_subset(&partitions_of(&b.got[b.got.len() - 200..])));
    assert_no_group(&broker, &group);
}

#[test]
fn a_third_member_takes_its_share() {
    let (Some(broker), Some(etcd)) = (real_broker(), etcd()) else {
        return;
    };
    let topic = unique("spread-join");
    create_topic(&broker, &topic, 6, &[]);
    produce(&broker, &topic, "lz4", &records(6, 0..50));
    let group = unique("g");
    let args = spread_args(&broker, &topic, &group, &etcd);
    let mut a = Follow::spawn(&args);
    let mut b = Follow::spawn(&args);
    wait_total(&mut [&mut a, &mut b], 300);
    let mut c = Follow::spawn(&args);
    // Let c join and the partitions move (a tick or two), then write more.
    std::thread::sleep(Duration::from_secs(3));
    produce(&broker, &topic, "lz4", &records(6, 50..100));
    wait_total(&mut [&mut a, &mut b, &mut c], 600);
    let later = |f: &Follow| -> BTreeSet<i64> {
        positions(&f.got)
            .into_iter()
            .filter(|&(_, o)| o >= 50)
            .map(|(p, _)| p)
            .collect()
    };
    let (la, lb, lc) = (later(&a), later(&b), later(&c));
    assert_eq!(
        (la.len(), lb.len(), lc.len()),
        (2, 2, 2),
        "{la:?} {lb:?} {lc:?}"
    );
    let all: Vec<(i64, i64)> = [&a, &b, &c]
        .iter()
        .flat_map(|f| positions(&f.got))
        .collect();
    let seen = coverage(&all);
    assert_eq!(
        seen.keys().copied().collect::<BTreeSet<_>>(),
        expected(6, 100)
    );
    // The hand-over is orderly (the old owner saves, then gives back): nothing twice.
    assert!(seen.values().all(|&n| n == 1), "a record was read twice");
}

#[test]
fn an_unreachable_coordinator_is_one_line() {
    let Some(broker) = real_broker() else {
        return;
    };
    let (code, out, err) = kbrowse(&[
        "-b",
        &broker,
        "consume",
        "-t",
        "any",
        "--spread-group",
        "g",
        "--coordinator",
        "etcd://127.0.0.1:9",
    ]);
    assert_eq!(out, "");
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "kbrowse: the coordinator (127.0.0.1:9) is unreachable: connection refused or failed\n"
    );
    let (code, _, err) = kbrowse(&[
        "-b",
        &broker,
        "consume",
        "-t",
        "any",
        "--spread-group",
        "g/x",
        "--coordinator",
        "etcd://127.0.0.1:9",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "kbrowse: invalid spread group name 'g/x': use 1 to 200 of a-z A-Z 0-9 . _ -\n"
    );
}

/// Waits until the followers printed `n` lines between them.
fn wait_total(followers: &mut [&mut Follow], n: usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        for f in followers.iter_mut() {
            f.collect_for(Duration::from_millis(100));
        }
        let total: usize = followers.iter().map(|f| f.got.len()).sum();
        if total >= n {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{total} of {n} lines; stderr: {:?}",
            followers.iter().map(|f| f.stderr()).collect::<Vec<_>>()
        );
    }
}

/// No consumer group on the broker carries the spread group's name.
fn assert_no_group(broker: &str, group: &str) {
    let groups = kafka_groups(broker);
    assert!(
        !groups.iter().any(|g| g.contains(group)),
        "{group} in {groups:?}"
    );
}

/// The consumer groups the broker knows, listed with librdkafka (which joins nothing to list).
fn kafka_groups(broker: &str) -> Vec<String> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let c: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", broker)
        .create()
        .unwrap();
    let list = c.fetch_group_list(None, Duration::from_secs(10)).unwrap();
    let mut names: Vec<String> = list.groups().iter().map(|g| g.name().to_string()).collect();
    names.sort();
    names
}

#[test]
fn a_coordinator_that_dies_stops_the_member_with_one_line() {
    let Some(broker) = real_broker() else {
        return;
    };
    // An etcd of its own: the shared one serves the other tests.
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let peer = free_port();
    let mut etcd = std::process::Command::new("etcd")
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--listen-client-urls",
            &format!("http://127.0.0.1:{port}"),
            "--advertise-client-urls",
            &format!("http://127.0.0.1:{port}"),
            "--listen-peer-urls",
            &format!("http://127.0.0.1:{peer}"),
            "--initial-advertise-peer-urls",
            &format!("http://127.0.0.1:{peer}"),
            "--initial-cluster",
            &format!("default=http://127.0.0.1:{peer}"),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("etcd (scripts/setup installs etcd-server)");
    let url = format!("etcd://127.0.0.1:{port}");
    support::faults::wait_until("etcd up", Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let topic = unique("spread-dies");
    create_topic(&broker, &topic, 2, &[]);
    produce(&broker, &topic, "lz4", &records(2, 0..10));
    let mut a = Follow::spawn(&spread_args(&broker, &topic, "g", &url));
    a.wait_lines(20, Duration::from_secs(30));
    etcd.kill().unwrap();
    etcd.wait().unwrap();
    // The next tick finds the coordinator gone: the member stops reading and exits.
    let status = wait_exit(&mut a.child, Duration::from_secs(20));
    assert_eq!(status, Some(1));
    // Whichever comes first on a loaded machine: the next call to etcd failing, or the lease
    // running out before a renewal got through. Both stop the reading first, in one line.
    let err = a.stderr();
    let unreachable = format!(
        "kbrowse: the coordinator (127.0.0.1:{port}) is unreachable: connection refused or failed\n"
    );
    let lost = format!(
        "kbrowse: lost the lease on etcd at 127.0.0.1:{port} (not renewed in time); stopped reading partitions [0, 1] of spread group member "
    );
    assert!(
        err == unreachable || (err.starts_with(&lost) && err.lines().count() == 1),
        "{err}"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_exit(child: &mut std::process::Child, limit: Duration) -> Option<i32> {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if let Some(s) = child.try_wait().unwrap() {
            return s.code();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}
