//! Authorization failures a broker answers per partition (the librdkafka mock cluster injects
//! them): one line naming the request, the topic or the cluster, and the principal, exit code 1.
//!
//! Why the mock and not the secure broker: Kafka 4.x needs no cluster permission for any
//! request kbrowse sends (Metadata, ListOffsets and Fetch check DESCRIBE or READ on topics
//! only; alice with a DENY ALL ACL on the cluster still lists and reads her topics), and a
//! principal refused DESCRIBE on a topic is refused already at Metadata, before ListOffsets.
//! So CLUSTER_AUTHORIZATION_FAILED, and TOPIC_AUTHORIZATION_FAILED on ListOffsets, only
//! come from a broker told to answer them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
use support::*;

fn seeded(topic: &str) -> Mock {
    let mock = Mock::new(1);
    mock.topic(topic, 1);
    produce(&mock.addr, topic, "none", &[TestRecord::kv(0, "k", "v")]);
    mock
}

#[test]
fn cluster_authorization_failed_on_list_offsets_names_the_cluster_and_the_principal() {
    let mock = seeded("orders");
    mock.cluster.request_errors(
        RDKafkaApiKey::ListOffsets,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED],
    );
    let (code, out, err) = kbrowse(&["-b", &mock.addr, "consume", "-t", "orders", "-e"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            "kbrowse: not authorized: ListOffsets on the cluster for principal 'User:ANONYMOUS'\n"
        )
    );
}

#[test]
fn topic_authorization_failed_on_list_offsets_names_the_topic_and_the_principal() {
    let mock = seeded("orders");
    mock.cluster.request_errors(
        RDKafkaApiKey::ListOffsets,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED],
    );
    let (code, out, err) = kbrowse(&["-b", &mock.addr, "topics"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            "kbrowse: not authorized: ListOffsets on topic 'orders' for principal 'User:ANONYMOUS'\n"
        )
    );
}

#[test]
fn topic_authorization_failed_on_fetch_names_the_topic_and_the_principal() {
    let mock = seeded("orders");
    mock.cluster.request_errors(
        RDKafkaApiKey::Fetch,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED],
    );
    let (code, out, err) = kbrowse(&["-b", &mock.addr, "consume", "-t", "orders", "-p", "0", "-e"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            "kbrowse: not authorized: Fetch on topic 'orders' for principal 'User:ANONYMOUS'\n"
        )
    );
}

#[test]
fn cluster_authorization_failed_on_fetch_names_the_cluster_and_the_principal() {
    let mock = seeded("orders");
    mock.cluster.request_errors(
        RDKafkaApiKey::Fetch,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED],
    );
    let (code, out, err) = kbrowse(&["-b", &mock.addr, "consume", "-t", "orders", "-p", "0", "-e"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            "kbrowse: not authorized: Fetch on the cluster for principal 'User:ANONYMOUS'\n"
        )
    );
}
