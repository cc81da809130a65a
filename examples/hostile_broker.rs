//! A fake broker whose topic name, broker host, racks and cluster id carry terminal escape
//! sequences, C1 controls and bidi overrides: for trying kbrowse's escaping by hand.
//!
//! ```text
//! cargo run --example hostile_broker -- [ADDR] [--unreachable-leader]
//! kbrowse -b 127.0.0.1:PORT            # the TUI
//! kbrowse -b 127.0.0.1:PORT topics     # the CLI
//! ```
//!
//! With `--unreachable-leader`, partition 1 is led by the broker with the hostile host, so
//! loading its watermarks fails with an error that names that host.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../tests/support/hostile_broker.rs"]
mod hostile_broker;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let unreachable_leader = args.iter().any(|a| a == "--unreachable-leader");
    let addr = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map_or("127.0.0.1:0", String::as_str);
    let addr = hostile_broker::start(addr, hostile_broker::Behaviour { unreachable_leader });
    println!("hostile broker listening on {addr}");
    loop {
        std::thread::park();
    }
}
