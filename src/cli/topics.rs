//! `kbrowse topics`: every topic, its partitions, leaders and watermarks.

use std::io::Write;

use crate::kafka::{Cluster, Isolation, Result};

/// Prints the topic list to `out` as aligned text.
pub async fn run(cluster: &Cluster, out: &mut impl Write) -> anyhow::Result<()> {
    let text = listing(cluster).await?;
    if super::write_out(out, text.as_bytes())? {
        super::flush_out(out)?;
    }
    Ok(())
}

/// The listing as text: one line per topic, then one per partition.
pub async fn listing(cluster: &Cluster) -> Result<String> {
    let md = cluster.metadata(None).await?;
    let parts: Vec<(String, i32)> = md
        .topics
        .iter()
        .flat_map(|t| t.partitions.iter().map(|p| (t.name.clone(), p.id)))
        .collect();
    let marks = cluster
        .watermarks(&parts, Isolation::ReadUncommitted)
        .await?;
    let mut s = String::new();
    use std::fmt::Write as _;
    for t in &md.topics {
        let total: i64 = t
            .partitions
            .iter()
            .filter_map(|p| marks.get(&(t.name.clone(), p.id)))
            .map(|w| w.count())
            .sum();
        let internal = if t.internal { " (internal)" } else { "" };
        let _ = writeln!(
            s,
            "{}{internal}  partitions {}  messages {total}",
            crate::render::escape(t.name.as_bytes()),
            t.partitions.len()
        );
        for p in &t.partitions {
            let (low, high, count) = match marks.get(&(t.name.clone(), p.id)) {
                Some(w) => (w.low.to_string(), w.high.to_string(), w.count().to_string()),
                None => ("?".into(), "?".into(), "?".into()),
            };
            let _ = writeln!(
                s,
                "  partition {:>4}  leader {:>4}  low {low:>12}  high {high:>12}  messages {count:>12}",
                p.id, p.leader
            );
        }
    }
    Ok(s)
}
