//! Serves a librdkafka mock cluster until stdin closes: `scripts/bench` uses it to compare
//! kbrowse and kcat on the same in-process broker. Prints the bootstrap address.

use std::io::Read;

use rdkafka::mocking::MockCluster;

fn main() {
    let brokers = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let topic = std::env::args().nth(2).unwrap_or_else(|| "bench1m".into());
    let cluster = match MockCluster::new(brokers) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mock_broker: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = cluster.create_topic(&topic, 1, 1) {
        eprintln!("mock_broker: cannot create {topic}: {e}");
        std::process::exit(1);
    }
    println!("{}", cluster.bootstrap_servers());
    // Serve until whoever started us closes our stdin.
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}
