//! Makes the `groups` benchmark's data on a broker: topic `bench-groups` (3 partitions, 30
//! records, written by librdkafka) and N classic groups `bench-group-NNNN`, each with offsets
//! committed by a librdkafka consumer (half of the topic read). Groups already there are kept,
//! so a second run only checks.
//!
//!     cargo run --release --example bench_groups -- ADDR [N]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::{Offset, TopicPartitionList};

const TOPIC: &str = "bench-groups";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let addr = args.get(1).expect("usage: bench_groups ADDR [N]").clone();
    let n: usize = args.get(2).map_or(1000, |s| s.parse().expect("N"));
    let probe: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &addr)
        .create()
        .expect("client");
    let md = probe
        .fetch_metadata(Some(TOPIC), Duration::from_secs(10))
        .expect("metadata");
    if md
        .topics()
        .first()
        .is_none_or(|t| t.partitions().is_empty())
    {
        let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
            .set("bootstrap.servers", &addr)
            .create()
            .expect("admin");
        let topic = NewTopic::new(TOPIC, 3, TopicReplication::Fixed(1));
        let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
        futures::executor::block_on(admin.create_topics([&topic], &opts)).expect("create");
        let p: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
            .set("bootstrap.servers", &addr)
            .create()
            .expect("producer");
        for i in 0..30 {
            let v = format!("v{i}");
            p.send(BaseRecord::<(), _>::to(TOPIC).partition(i % 3).payload(&v))
                .expect("send");
        }
        p.flush(Duration::from_secs(30)).expect("flush");
    }
    let have: std::collections::HashSet<String> = probe
        .fetch_group_list(None, Duration::from_secs(30))
        .expect("group list")
        .groups()
        .iter()
        .map(|g| g.name().to_string())
        .collect();
    let todo: Vec<String> = (0..n)
        .map(|i| format!("bench-group-{i:04}"))
        .filter(|g| !have.contains(g))
        .collect();
    std::thread::scope(|s| {
        for chunk in todo.chunks(todo.len().div_ceil(8).max(1)) {
            let addr = &addr;
            s.spawn(move || {
                for g in chunk {
                    let c: BaseConsumer = ClientConfig::new()
                        .set("bootstrap.servers", addr)
                        .set("group.id", g)
                        .set("enable.auto.commit", "false")
                        .create()
                        .expect("consumer");
                    let mut tpl = TopicPartitionList::new();
                    for p in 0..3 {
                        tpl.add_partition_offset(TOPIC, p, Offset::Offset(5))
                            .unwrap();
                    }
                    c.commit(&tpl, CommitMode::Sync).expect("commit");
                }
            });
        }
    });
    println!(
        "{} groups made, {} there already",
        todo.len(),
        n - todo.len()
    );
}
