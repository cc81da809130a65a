//! What people type from habit or by slip: kcat's `-t TOPIC` without a command, a misspelled
//! command, a topic name one letter off.

use std::ffi::OsString;

use crate::kafka::{Cluster, Error};

/// The candidate nearest to `word` by edit distance, when it is near enough to be a typo:
/// at most 3 edits, and fewer than a third of the word's length.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The commands, as typed.
pub const COMMANDS: &[&str] = &["topics", "consume", "config", "help", "groups", "brokers"];

/// Top-level options that take a value in the next argument.
const VALUED: &[&str] = &[
    "-b",
    "--brokers",
    "--timeout",
    "--log",
    "--window",
    "--config",
    "--cluster",
    "-X",
    "-F",
    // consume's, which may come before `-t` as in kcat.
    "-o",
    "-p",
    "-c",
    "-f",
    "-s",
    "-r",
    "--spread",
];

/// kcat's habit: `kbrowse [options] -t TOPIC ...` with no command means
/// `kbrowse consume [options] -t TOPIC ...`. Returns the arguments with `consume` put first
/// when that is the case (so consume's own flags may come before `-t`, as `-e -t t` does in
/// kcat), unchanged otherwise.
pub fn kcat_topic(mut args: Vec<OsString>) -> Vec<OsString> {
    let mut i = 1;
    while let Some(a) = args.get(i).and_then(|a| a.to_str()) {
        if a == "--" {
            break;
        }
        let topic_flag = a == "--topic"
            || a.starts_with("--topic=")
            || (a.starts_with("-t") && !a.starts_with("--"));
        if topic_flag {
            args.insert(1, "consume".into());
            break;
        }
        if VALUED.contains(&a) {
            i += 2;
        } else if a.starts_with('-') {
            i += 1;
        } else {
            break;
        }
    }
    args
}

/// The command `word` is probably a slip for: one or two letters off, not a command itself.
pub fn close_command(word: &str) -> Option<&'static str> {
    if COMMANDS.contains(&word) {
        return None;
    }
    closest(word, COMMANDS.iter().copied())
}

/// The error for a topic the cluster does not have, naming the closest existing topic when
/// one is near enough to be a typo.
pub async fn unknown_topic(cluster: &Cluster, topic: &str) -> anyhow::Error {
    let near = match cluster.metadata(None).await {
        Ok(md) => {
            let names: Vec<String> = md.topics.into_iter().map(|t| t.name).collect();
            closest(topic, names.iter().map(String::as_str)).map(str::to_string)
        }
        Err(_) => None,
    };
    let plain = Error::UnknownTopic {
        topic: topic.to_string(),
    };
    match near {
        Some(n) => anyhow::anyhow!(
            "{plain}; did you mean '{}'?",
            crate::render::escape(n.as_bytes())
        ),
        None => plain.into(),
    }
}

/// `cluster.topic(topic)`, with the unknown-topic error naming the closest topic.
pub async fn topic(cluster: &Cluster, topic: &str) -> anyhow::Result<crate::kafka::TopicInfo> {
    match cluster.topic(topic).await {
        Ok(t) => Ok(t),
        Err(Error::UnknownTopic { .. }) => Err(unknown_topic(cluster, topic).await),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Vec<String> {
        let v: Vec<OsString> = args.iter().map(OsString::from).collect();
        kcat_topic(v)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn kcat_style_topic_means_consume() {
        for (given, want) in [
            (
                &["kbrowse", "-t", "orders"][..],
                &["kbrowse", "consume", "-t", "orders"][..],
            ),
            (
                &["kbrowse", "-b", "h:1", "-X", "a=b", "-e", "-t", "o"],
                &[
                    "kbrowse", "consume", "-b", "h:1", "-X", "a=b", "-e", "-t", "o",
                ],
            ),
            (
                &["kbrowse", "-torders"],
                &["kbrowse", "consume", "-torders"],
            ),
            (
                &["kbrowse", "--timeout", "5", "--topic=o"],
                &["kbrowse", "consume", "--timeout", "5", "--topic=o"],
            ),
            (
                &["kbrowse", "--brokers=h:1", "-t", "o"],
                &["kbrowse", "consume", "--brokers=h:1", "-t", "o"],
            ),
            // Unchanged: a command or a positional comes first, or -t is a value.
            (
                &["kbrowse", "consume", "-t", "o"],
                &["kbrowse", "consume", "-t", "o"],
            ),
            (
                &["kbrowse", "topics", "-t", "o"],
                &["kbrowse", "topics", "-t", "o"],
            ),
            (&["kbrowse", "orders"], &["kbrowse", "orders"]),
            (&["kbrowse", "-b", "-t"], &["kbrowse", "-b", "-t"]),
            (&["kbrowse", "--", "-t"], &["kbrowse", "--", "-t"]),
            (&["kbrowse"], &["kbrowse"]),
        ] {
            assert_eq!(run(given), want, "{given:?}");
        }
    }

    #[test]
    fn close_commands() {
        assert_eq!(close_command("consme"), Some("consume"));
        assert_eq!(close_command("comsume"), Some("consume"));
        assert_eq!(close_command("topic"), Some("topics"));
        assert_eq!(close_command("confg"), Some("config"));
        assert_eq!(close_command("consume"), None);
        assert_eq!(close_command("orders"), None);
        assert_eq!(close_command("payments"), None);
        assert_eq!(close_command("t"), None);
    }
}
