//! `kbrowse groups`: every group with its type, state, members and total lag; `-g GROUP`: one
//! row per partition with the committed offset, the high watermark, the lag and the member.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;

use crate::kafka::groups::{self, GroupDetail, watermarks_for};
pub use crate::kafka::groups::{LagRow, lag_rows};
use crate::kafka::{Cluster, Error, Watermarks};
use crate::render::{escape, json_str_into};

/// Output format of `groups` and `brokers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// Aligned columns with a header line.
    Text,
    /// One JSON object per line.
    Json,
}

/// `kbrowse groups`: every group, one line each.
pub async fn run_list(
    cluster: &Cluster,
    format: ListFormat,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let listed = groups::list(cluster).await?;
    let details = groups::describe(cluster, &listed).await?;
    let marks = watermarks_for(cluster, &details).await?;
    let text = listing(&details, &marks, format);
    if super::write_out(out, text.as_bytes())? {
        super::flush_out(out)?;
    }
    Ok(())
}

/// The `groups` listing of `details` in `format`.
pub fn listing(
    details: &[GroupDetail],
    marks: &HashMap<(String, i32), Watermarks>,
    format: ListFormat,
) -> String {
    let mut rows: Vec<[String; 7]> = Vec::with_capacity(details.len());
    let mut s = Vec::new();
    for d in details {
        let lag_rows = lag_rows(d, marks);
        // Share groups keep no offsets that OffsetFetch returns: their lag is unknown here.
        let lag = (d.listing.group_type != "share")
            .then(|| lag_rows.iter().filter_map(|r| r.lag).sum::<i64>());
        let topics: BTreeSet<&str> = d.committed.keys().map(|(t, _)| t.as_str()).collect();
        match format {
            ListFormat::Json => {
                s.extend_from_slice(b"{\"group\":");
                json_str_into(&d.listing.id, &mut s);
                for (k, v) in [
                    ("type", &d.listing.group_type),
                    ("state", &d.state),
                    ("protocol", &d.protocol),
                ] {
                    let _ = write!(s, ",\"{k}\":");
                    json_str_into(v, &mut s);
                }
                let members = d.members.as_ref().map(Vec::len);
                let _ = write!(s, ",\"members\":{},\"topics\":[", opt(members));
                for (i, t) in topics.iter().enumerate() {
                    if i > 0 {
                        s.push(b',');
                    }
                    json_str_into(t, &mut s);
                }
                let _ = writeln!(s, "],\"lag\":{}}}", opt(lag));
            }
            ListFormat::Text => rows.push([
                escape(d.listing.id.as_bytes()),
                escape(d.listing.group_type.as_bytes()),
                escape(d.state.as_bytes()),
                escape(d.protocol.as_bytes()),
                d.members
                    .as_ref()
                    .map_or("-".into(), |m| m.len().to_string()),
                lag.map_or("-".into(), |l| l.to_string()),
                topics
                    .iter()
                    .map(|t| escape(t.as_bytes()))
                    .collect::<Vec<_>>()
                    .join(","),
            ]),
        }
    }
    if format == ListFormat::Text {
        let header = [
            "GROUP", "TYPE", "STATE", "PROTOCOL", "MEMBERS", "LAG", "TOPICS",
        ];
        table(&header, &rows, &[4, 5], &mut s);
    }
    String::from_utf8_lossy(&s).into_owned()
}

fn opt(v: Option<impl std::fmt::Display>) -> String {
    v.map_or("null".into(), |v| v.to_string())
}

/// Aligned columns (the last one unpadded; `right` ones right-aligned), a header first.
pub(crate) fn table<const N: usize>(
    header: &[&str; N],
    rows: &[[String; N]],
    right: &[usize],
    s: &mut Vec<u8>,
) {
    let mut width = header.map(|h| h.chars().count());
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>, s: &mut Vec<u8>| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == N {
                l.push_str(c);
            } else if right.contains(&i) {
                l.push_str(&format!("{c:>w$}  ", w = width[i]));
            } else {
                l.push_str(&format!("{c:<w$}  ", w = width[i]));
            }
        }
        let _ = writeln!(s, "{}", l.trim_end());
    };
    line(header.to_vec(), s);
    for r in rows {
        line(r.iter().map(String::as_str).collect(), s);
    }
}

/// `kbrowse groups -g GROUP`: one row per partition.
pub async fn run_group(
    cluster: &Cluster,
    group: &str,
    format: ListFormat,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let listed = groups::list(cluster).await?;
    let Some(listing) = listed.iter().find(|g| g.id == group) else {
        // ListGroups leaves out the groups the principal may not describe: asking for the
        // group's coordinator tells a refusal from a group that does not exist.
        if let Err(e @ Error::AuthorizationFailed { .. }) =
            groups::coordinators(cluster, &[group.to_string()]).await
        {
            return Err(e.into());
        }
        let names = listed.iter().map(|g| g.id.as_str());
        let err = Error::UnknownGroup {
            group: group.to_string(),
        };
        return Err(match super::habits::closest(group, names) {
            Some(near) => anyhow::anyhow!("{err}; did you mean '{near}'?"),
            None => err.into(),
        });
    };
    let details = groups::describe(cluster, std::slice::from_ref(listing)).await?;
    let marks = watermarks_for(cluster, &details).await?;
    let rows: Vec<LagRow> = details.iter().flat_map(|d| lag_rows(d, &marks)).collect();
    let text = group_rows(&rows, format);
    if super::write_out(out, text.as_bytes())? {
        super::flush_out(out)?;
    }
    Ok(())
}

/// The `groups -g` rows in `format`.
pub fn group_rows(rows: &[LagRow], format: ListFormat) -> String {
    let mut s = Vec::new();
    if format == ListFormat::Json {
        for r in rows {
            s.extend_from_slice(b"{\"group\":");
            json_str_into(&r.group, &mut s);
            s.extend_from_slice(b",\"topic\":");
            json_str_into(&r.topic, &mut s);
            let _ = write!(
                s,
                ",\"partition\":{},\"committed\":{},\"high\":{},\"lag\":{}",
                r.partition,
                opt(r.committed),
                opt(r.high),
                opt(r.lag)
            );
            let (m, c, h) = match &r.member {
                Some((m, c, h)) => (Some(m), Some(c), Some(h)),
                None => (None, None, None),
            };
            for (k, v) in [("member", m), ("client_id", c), ("host", h)] {
                let _ = write!(s, ",\"{k}\":");
                match v {
                    Some(v) => json_str_into(v, &mut s),
                    None => s.extend_from_slice(b"null"),
                }
            }
            s.extend_from_slice(b"}\n");
        }
        return String::from_utf8_lossy(&s).into_owned();
    }
    let dash = |v: Option<i64>| v.map_or("-".into(), |v| v.to_string());
    let table_rows: Vec<[String; 9]> = rows
        .iter()
        .map(|r| {
            let (m, c, h) = match &r.member {
                Some((m, c, h)) => (
                    escape(m.as_bytes()),
                    escape(c.as_bytes()),
                    escape(h.as_bytes()),
                ),
                None => ("-".into(), "-".into(), "-".into()),
            };
            [
                escape(r.group.as_bytes()),
                escape(r.topic.as_bytes()),
                r.partition.to_string(),
                dash(r.committed),
                dash(r.high),
                dash(r.lag),
                m,
                h,
                c,
            ]
        })
        .collect();
    let header = [
        "GROUP",
        "TOPIC",
        "PARTITION",
        "COMMITTED",
        "HIGH",
        "LAG",
        "MEMBER",
        "HOST",
        "CLIENT-ID",
    ];
    table(&header, &table_rows, &[2, 3, 4, 5], &mut s);
    String::from_utf8_lossy(&s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::groups::{GroupListing, GroupMember};

    fn detail(kind: &str, members: Option<Vec<GroupMember>>) -> GroupDetail {
        GroupDetail {
            listing: GroupListing {
                id: "g\u{1b}1".into(),
                group_type: kind.into(),
                protocol_type: "consumer".into(),
                state: "Stable".into(),
            },
            state: "Stable".into(),
            protocol: "range".into(),
            members,
            committed: [(("t".to_string(), 0), 4), (("t".to_string(), 2), 12)].into(),
        }
    }

    fn marks() -> HashMap<(String, i32), Watermarks> {
        (0..3)
            .map(|p| {
                (
                    ("t".to_string(), p),
                    Watermarks {
                        low: 2,
                        high: 10 + p as i64,
                    },
                )
            })
            .collect()
    }

    fn member() -> GroupMember {
        GroupMember {
            id: "m-1".into(),
            client_id: "c".into(),
            host: "/127.0.0.1".into(),
            assigned: [("t".to_string(), vec![1, 2])].into(),
        }
    }

    #[test]
    fn rows_cover_committed_and_assigned_partitions_with_their_lag() {
        let rows = lag_rows(&detail("classic", Some(vec![member()])), &marks());
        type Row = (i32, Option<i64>, Option<i64>, Option<i64>, bool);
        let got: Vec<Row> = rows
            .iter()
            .map(|r| (r.partition, r.committed, r.high, r.lag, r.member.is_some()))
            .collect();
        // p0: committed, unassigned; p1: assigned, nothing committed (high − low); p2: both;
        // a commit past the high watermark is a negative lag, as Kafka's tool shows it.
        assert_eq!(
            got,
            [
                (0, Some(4), Some(10), Some(6), false),
                (1, None, Some(11), Some(9), true),
                (2, Some(12), Some(12), Some(0), true),
            ]
        );
        // A topic that is gone: no high watermark, no lag.
        let rows = lag_rows(&detail("classic", None), &HashMap::new());
        assert!(rows.iter().all(|r| r.high.is_none() && r.lag.is_none()));
    }

    #[test]
    fn json_rows_and_listing_are_exact_and_escaped() {
        let d = detail("consumer", Some(vec![member()]));
        let rows = lag_rows(&d, &marks());
        assert_eq!(
            group_rows(&rows[..2], ListFormat::Json),
            "{\"group\":\"g\\u001b1\",\"topic\":\"t\",\"partition\":0,\"committed\":4,\"high\":10,\"lag\":6,\"member\":null,\"client_id\":null,\"host\":null}\n\
             {\"group\":\"g\\u001b1\",\"topic\":\"t\",\"partition\":1,\"committed\":null,\"high\":11,\"lag\":9,\"member\":\"m-1\",\"client_id\":\"c\",\"host\":\"/127.0.0.1\"}\n"
        );
        assert_eq!(
            group_rows(&rows, ListFormat::Text),
            "GROUP  TOPIC  PARTITION  COMMITTED  HIGH  LAG  MEMBER  HOST        CLIENT-ID\n\
             g\\e1   t              0          4    10    6  -       -           -\n\
             g\\e1   t              1          -    11    9  m-1     /127.0.0.1  c\n\
             g\\e1   t              2         12    12    0  m-1     /127.0.0.1  c\n"
        );
        let share = detail("share", None);
        let both = [d, share];
        assert_eq!(
            listing(&both, &marks(), ListFormat::Json),
            "{\"group\":\"g\\u001b1\",\"type\":\"consumer\",\"state\":\"Stable\",\"protocol\":\"range\",\"members\":1,\"topics\":[\"t\"],\"lag\":15}\n\
             {\"group\":\"g\\u001b1\",\"type\":\"share\",\"state\":\"Stable\",\"protocol\":\"range\",\"members\":null,\"topics\":[\"t\"],\"lag\":null}\n"
        );
        assert_eq!(
            listing(&both, &marks(), ListFormat::Text),
            "GROUP  TYPE      STATE   PROTOCOL  MEMBERS  LAG  TOPICS\n\
             g\\e1   consumer  Stable  range           1   15  t\n\
             g\\e1   share     Stable  range           -    -  t\n"
        );
    }
}
