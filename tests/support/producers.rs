//! The librdkafka producers that write test data, set up once for tests, benchmarks and
//! examples (`tests/support` includes it; benches and examples include it by `#[path]`).
#![allow(dead_code)]

use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::error::KafkaResult;
use rdkafka::producer::{DefaultProducerContext, Producer as _, ThreadedProducer};

/// The producer every helper here returns.
pub type Producer = ThreadedProducer<DefaultProducerContext>;

fn base(addr: &str, codec: &str) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", addr)
        .set("compression.type", codec)
        .set("message.timeout.ms", "120000");
    c
}

/// A producer of test records with `codec` (`none`, `gzip`, `snappy`, `lz4`, `zstd`):
/// short linger, values up to 20 MB.
pub fn producer(addr: &str, codec: &str) -> KafkaResult<Producer> {
    base(addr, codec)
        .set("linger.ms", "20")
        .set("message.max.bytes", "20000000")
        .set("queue.buffering.max.messages", "1000000")
        .create()
}

/// A producer for seeding long topics fast: large batches (zstd at level 12).
pub fn bulk_producer(addr: &str, codec: &str) -> KafkaResult<Producer> {
    let level = if codec == "zstd" { "12" } else { "-1" };
    base(addr, codec)
        .set("compression.level", level)
        .set("linger.ms", "50")
        .set("batch.num.messages", "100000")
        .set("batch.size", "4000000")
        .set("message.max.bytes", "8000000")
        .set("queue.buffering.max.messages", "2000000")
        .set("queue.buffering.max.kbytes", "1048576")
        .set("message.timeout.ms", "300000")
        .create()
}

/// An idempotent producer: a send retried across a broker restart cannot write a record
/// twice, so a reader's "no duplicate" is the reader's doing.
pub fn idempotent_producer(addr: &str, codec: &str) -> KafkaResult<Producer> {
    base(addr, codec)
        .set("enable.idempotence", "true")
        .set("linger.ms", "5")
        .set("reconnect.backoff.max.ms", "500")
        .create()
}

/// A transactional producer (`transactional.id` = `id`, zstd), its transactions initialised.
pub fn transactional_producer(addr: &str, id: &str) -> KafkaResult<Producer> {
    let p: Producer = base(addr, "zstd")
        .set("transactional.id", id)
        .set("linger.ms", "5")
        // At most transaction.timeout.ms (60 s by default).
        .set("message.timeout.ms", "60000")
        .create()?;
    p.init_transactions(Duration::from_secs(60))?;
    Ok(p)
}
