//! Serves a librdkafka mock cluster until stdin closes: `scripts/bench` uses it to compare
//! kbrowse and kcat on the same in-process broker. Prints the bootstrap address.
//!
//!   mock_broker [BROKERS] [TOPIC] [EXTRA_TOPICS]
//!
//! TOPIC (default bench1m) has one partition; EXTRA_TOPICS more one-partition topics
//! (`topic-0000`, …; default none) make a large topic list for the start-up benchmark.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::Read;

use rdkafka::mocking::MockCluster;

fn main() {
    let arg = |i: usize| std::env::args().nth(i);
    let brokers = arg(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let topic = arg(2).unwrap_or_else(|| "bench1m".into());
    let extra: usize = arg(3).and_then(|s| s.parse().ok()).unwrap_or(0);
    let cluster = match MockCluster::new(brokers) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mock_broker: {e}");
            std::process::exit(1);
        }
    };
    let names = std::iter::once(topic).chain((0..extra).map(|i| format!("topic-{i:04}")));
    for name in names {
        if let Err(e) = cluster.create_topic(&name, 1, 1) {
            eprintln!("mock_broker: cannot create {name}: {e}");
            std::process::exit(1);
        }
    }
    println!("{}", cluster.bootstrap_servers());
    // Serve until whoever started us closes our stdin.
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}
