//! `kbrowse topics`: every topic (or one, `-t`), its partitions, leaders and watermarks.

use std::io::Write;

use crate::kafka::{Cluster, Isolation, TopicInfo, Watermarks};

/// Output format of `topics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TopicsFormat {
    /// A line per topic, then an aligned line per partition.
    Text,
    /// One JSON object per topic per line.
    Json,
}

/// Prints the topic list (or only `topic`) to `out`.
pub async fn run(
    cluster: &Cluster,
    topic: Option<&str>,
    format: TopicsFormat,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let topics = match topic {
        Some(t) => vec![super::habits::topic(cluster, t).await?],
        None => {
            let topics = cluster.metadata(None).await?.topics;
            if let Some(who) = cluster.config().conn.security.authenticated_principal() {
                super::report(hidden_topics_note(&who));
            }
            topics
        }
    };
    let text = listing(cluster, &topics, format).await?;
    if super::write_out(out, text.as_bytes())? {
        super::flush_out(out)?;
    }
    Ok(())
}

/// The note under a listing for an authenticated principal: Kafka leaves out the topics it
/// may not describe, and no request tells how many there are.
pub fn hidden_topics_note(who: &str) -> String {
    format!(
        "note: the broker lists only the topics {who} may describe (it leaves out the others without saying how many)"
    )
}

type Marks = std::collections::HashMap<(String, i32), Watermarks>;

/// The listing of `topics` in `format`.
pub async fn listing(
    cluster: &Cluster,
    topics: &[TopicInfo],
    format: TopicsFormat,
) -> crate::kafka::Result<String> {
    let parts: Vec<(String, i32)> = topics
        .iter()
        .flat_map(|t| t.partitions.iter().map(|p| (t.name.clone(), p.id)))
        .collect();
    let marks =
        crate::kafka::offsets::watermarks(cluster, &parts, Isolation::ReadUncommitted).await?;
    let mut s = Vec::new();
    for t in topics {
        match format {
            TopicsFormat::Text => text(t, &marks, &mut s),
            TopicsFormat::Json => json(t, &marks, &mut s),
        }
    }
    Ok(String::from_utf8_lossy(&s).into_owned())
}

fn text(t: &TopicInfo, marks: &Marks, s: &mut Vec<u8>) {
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

/// `{"topic","internal","partitions":[{"partition","leader","low","high","messages"}],
/// "messages"}`; watermarks a broker did not give are `null`.
fn json(t: &TopicInfo, marks: &Marks, s: &mut Vec<u8>) {
    s.extend_from_slice(b"{\"topic\":");
    crate::render::json_str_into(&t.name, s);
    let _ = write!(s, ",\"internal\":{},\"partitions\":[", t.internal);
    let mut total = 0;
    for (i, p) in t.partitions.iter().enumerate() {
        if i > 0 {
            s.push(b',');
        }
        let _ = write!(s, "{{\"partition\":{},\"leader\":{},", p.id, p.leader);
        match marks.get(&(t.name.clone(), p.id)) {
            Some(w) => {
                total += w.count();
                let _ = write!(
                    s,
                    "\"low\":{},\"high\":{},\"messages\":{}}}",
                    w.low,
                    w.high,
                    w.count()
                );
            }
            None => s.extend_from_slice(b"\"low\":null,\"high\":null,\"messages\":null}"),
        }
    }
    let _ = writeln!(s, "],\"messages\":{total}}}");
}
