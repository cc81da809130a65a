//! `kbrowse topics -t TOPIC --configs`: every config with its value and source.

use std::io::Write;

use super::topics::TopicsFormat;
use crate::kafka::Cluster;
use crate::kafka::configs::{ConfigEntry, topic_configs};
use crate::render::{escape, json_str_into};

/// What a sensitive config's value shows as.
pub const MASK: &str = "[hidden]";

/// Prints `topic`'s configs.
pub async fn run(
    cluster: &Cluster,
    topic: &str,
    format: TopicsFormat,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    super::habits::topic(cluster, topic).await?;
    let configs = topic_configs(cluster, topic).await?;
    let text = listing(&configs, format);
    if super::write_out(out, text.as_bytes())? {
        super::flush_out(out)?;
    }
    Ok(())
}

fn shown(c: &ConfigEntry) -> Option<&str> {
    if c.sensitive {
        Some(MASK)
    } else {
        c.value.as_deref()
    }
}

/// `NAME VALUE SOURCE` lines, or `{"name","value","source","sensitive","read_only"}` objects.
pub fn listing(configs: &[ConfigEntry], format: TopicsFormat) -> String {
    let mut s = Vec::new();
    match format {
        TopicsFormat::Json => {
            for c in configs {
                s.extend_from_slice(b"{\"name\":");
                json_str_into(&c.name, &mut s);
                s.extend_from_slice(b",\"value\":");
                match shown(c) {
                    Some(v) => json_str_into(v, &mut s),
                    None => s.extend_from_slice(b"null"),
                }
                s.extend_from_slice(b",\"source\":");
                json_str_into(&c.source.name(), &mut s);
                let _ = writeln!(
                    s,
                    ",\"sensitive\":{},\"read_only\":{}}}",
                    c.sensitive, c.read_only
                );
            }
        }
        TopicsFormat::Text => {
            let rows: Vec<[String; 3]> = configs
                .iter()
                .map(|c| {
                    [
                        escape(c.name.as_bytes()),
                        shown(c).map_or("-".into(), |v| escape(v.as_bytes())),
                        c.source.name(),
                    ]
                })
                .collect();
            super::groups::table(&["NAME", "VALUE", "SOURCE"], &rows, &[], &mut s);
        }
    }
    String::from_utf8_lossy(&s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::configs::ConfigSource;

    #[test]
    fn sensitive_values_are_masked_and_sources_named() {
        let configs = [
            ConfigEntry {
                name: "retention.ms".into(),
                value: Some("3600000".into()),
                source: ConfigSource::DynamicTopic,
                sensitive: false,
                read_only: false,
            },
            ConfigEntry {
                name: "secret.key".into(),
                value: Some("hunter2".into()),
                source: ConfigSource::StaticBroker,
                sensitive: true,
                read_only: true,
            },
            ConfigEntry {
                name: "x".into(),
                value: None,
                source: ConfigSource::Other(9),
                sensitive: false,
                read_only: false,
            },
        ];
        assert_eq!(
            listing(&configs, TopicsFormat::Text),
            "NAME          VALUE     SOURCE\n\
             retention.ms  3600000   dynamic topic\n\
             secret.key    [hidden]  static broker\n\
             x             -         source 9\n"
        );
        assert_eq!(
            listing(&configs[1..2], TopicsFormat::Json),
            "{\"name\":\"secret.key\",\"value\":\"[hidden]\",\"source\":\"static broker\",\"sensitive\":true,\"read_only\":true}\n"
        );
    }
}
