//! `kbrowse brokers`: id, host:port, rack and controller, from Metadata.

use std::io::Write;

use super::groups::{ListFormat, table};
use crate::kafka::Cluster;
use crate::kafka::cluster::Metadata;
use crate::render::{escape, json_str_into};

/// Prints the broker list.
pub async fn run(
    cluster: &Cluster,
    format: ListFormat,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let md = cluster.metadata(Some(&[])).await?;
    let text = listing(&md, format);
    if super::write_out(out, text.as_bytes())? {
        super::flush_out(out)?;
    }
    Ok(())
}

/// The brokers by id: `ID ADDRESS RACK CONTROLLER` or `{"id","host","port","rack","controller"}`.
pub fn listing(md: &Metadata, format: ListFormat) -> String {
    let mut brokers = md.brokers.clone();
    brokers.sort_by_key(|b| b.id);
    let mut s = Vec::new();
    match format {
        ListFormat::Json => {
            for b in &brokers {
                let _ = write!(s, "{{\"id\":{},\"host\":", b.id);
                json_str_into(&b.host, &mut s);
                let _ = write!(s, ",\"port\":{},\"rack\":", b.port);
                match &b.rack {
                    Some(r) => json_str_into(r, &mut s),
                    None => s.extend_from_slice(b"null"),
                }
                let _ = writeln!(s, ",\"controller\":{}}}", b.id == md.controller);
            }
        }
        ListFormat::Text => {
            let rows: Vec<[String; 4]> = brokers
                .iter()
                .map(|b| {
                    [
                        b.id.to_string(),
                        escape(b.addr().as_bytes()),
                        b.rack
                            .as_deref()
                            .map_or("-".into(), |r| escape(r.as_bytes())),
                        if b.id == md.controller { "yes" } else { "" }.into(),
                    ]
                })
                .collect();
            table(
                &["ID", "ADDRESS", "RACK", "CONTROLLER"],
                &rows,
                &[0],
                &mut s,
            );
        }
    }
    String::from_utf8_lossy(&s).into_owned()
}
