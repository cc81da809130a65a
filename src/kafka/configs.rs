//! Topic configs, read-only: DescribeConfigs (no alter API exists in this client).

use std::time::Duration;

use kafka_protocol::messages::DescribeConfigsRequest;
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::protocol::StrBytes;

use super::cluster::Cluster;
use super::error::{About, Error, Result};

/// Where a config's value comes from (DescribeConfigs' `config_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSource {
    /// Set on the topic (`kafka-configs --alter --entity-type topics`).
    DynamicTopic,
    /// Set dynamically for this broker.
    DynamicBroker,
    /// Set dynamically as the default of every broker.
    DynamicDefaultBroker,
    /// From the broker's server.properties.
    StaticBroker,
    /// Kafka's built-in default.
    Default,
    /// Any other source the broker names (its code).
    Other(i8),
}

impl ConfigSource {
    fn from_code(code: i8) -> ConfigSource {
        match code {
            1 => ConfigSource::DynamicTopic,
            2 => ConfigSource::DynamicBroker,
            3 => ConfigSource::DynamicDefaultBroker,
            4 => ConfigSource::StaticBroker,
            5 => ConfigSource::Default,
            c => ConfigSource::Other(c),
        }
    }

    /// A short name: `dynamic topic`, `static broker`, `default`.
    pub fn name(self) -> String {
        match self {
            ConfigSource::DynamicTopic => "dynamic topic".into(),
            ConfigSource::DynamicBroker => "dynamic broker".into(),
            ConfigSource::DynamicDefaultBroker => "dynamic default broker".into(),
            ConfigSource::StaticBroker => "static broker".into(),
            ConfigSource::Default => "default".into(),
            ConfigSource::Other(c) => format!("source {c}"),
        }
    }
}

/// One config entry of a topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigEntry {
    /// The config's name.
    pub name: String,
    /// Its value; None when the broker gives none (sensitive values are never kept).
    pub value: Option<String>,
    /// Where the value comes from.
    pub source: ConfigSource,
    /// A password or key: its value is masked.
    pub sensitive: bool,
    /// Cannot be changed.
    pub read_only: bool,
}

const DESCRIBE_CONFIGS_MAX: i16 = 4;
const TOPIC: i8 = 2;

/// Every config of `topic`, sorted by name.
pub async fn topic_configs(cluster: &Cluster, topic: &str) -> Result<Vec<ConfigEntry>> {
    let conn = cluster.any_broker().await?;
    let version = conn.version::<DescribeConfigsRequest>(DESCRIBE_CONFIGS_MAX)?;
    let resource = DescribeConfigsResource::default()
        .with_resource_type(TOPIC)
        .with_resource_name(StrBytes::from_string(topic.to_string()))
        .with_configuration_keys(None);
    let req = DescribeConfigsRequest::default().with_resources(vec![resource]);
    let resp = conn.send(&req, version, Duration::ZERO).await?;
    let Some(result) = resp.results.into_iter().next() else {
        return Err(Error::Protocol {
            addr: conn.addr().into(),
            api: "DescribeConfigs",
            reason: format!("the answer leaves out topic '{topic}'"),
        });
    };
    if result.error_code == 3 {
        return Err(Error::UnknownTopic {
            topic: topic.into(),
        });
    }
    if let Some(e) = Error::from_code("DescribeConfigs", result.error_code, About::Topic(topic)) {
        return Err(e.with_principal(&conn.principal()));
    }
    let mut out: Vec<ConfigEntry> = result
        .configs
        .into_iter()
        .map(|c| ConfigEntry {
            name: c.name.to_string(),
            value: (!c.is_sensitive)
                .then(|| c.value.map(|v| v.to_string()))
                .flatten(),
            source: ConfigSource::from_code(c.config_source),
            sensitive: c.is_sensitive,
            read_only: c.read_only,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
