//! Headless commands for scripts and benchmarks: `topics`, `consume`, `groups`, `brokers` and
//! `config`.

pub mod brokers;
pub mod config;
pub mod configs;
pub mod consume;
pub mod format;
pub mod groups;
pub mod habits;
pub mod kcat;
pub mod scan;
pub mod spread;
pub mod topics;

use std::io::{self, Write};

/// Writes `buf` to stdout; false when the reader went away (a closed pipe), which ends the
/// command quietly with status 0.
pub(crate) fn write_out(out: &mut impl Write, buf: &[u8]) -> io::Result<bool> {
    match out.write_all(buf) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e),
    }
}

/// Flushes stdout with the same closed-pipe rule as `write_out`.
pub(crate) fn flush_out(out: &mut impl Write) -> io::Result<bool> {
    match out.flush() {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e),
    }
}

/// Prints `kbrowse: MESSAGE` on stderr, escaped: errors and warnings quote broker data (topic
/// names, hosts, error texts), which must not reach the terminal raw. Every message kbrowse
/// writes to stderr goes through here.
pub fn report(message: impl std::fmt::Display) {
    eprintln!("kbrowse: {}", crate::render::Safe::display(&message));
}

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `-q`: from now on `note` prints nothing; errors still go out through `report`.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

/// `report` for what is not an error (warnings, notices), which `-q` silences.
pub fn note(message: impl std::fmt::Display) {
    if !QUIET.load(std::sync::atomic::Ordering::Relaxed) {
        report(message);
    }
}

/// Checks a comma-separated bootstrap list: each entry `host[:port]` (IPv6 as
/// `[addr][:port]`), port 1–65535, 9092 when absent (as in kcat). Returns the list with the
/// missing ports filled in, or a one-line message naming the bad entry.
pub fn parse_brokers(list: &str) -> Result<String, String> {
    let entries: Vec<&str> = list.split(',').map(str::trim).collect();
    if entries.iter().all(|e| e.is_empty()) {
        return Err("the broker list is empty: expected host:port[,host:port...]".into());
    }
    let mut portless = false;
    for entry in entries.iter().filter(|e| !e.is_empty()) {
        let bad = |why: &str| format!("invalid broker address '{entry}': {why}");
        let (host, port) = match entry.rsplit_once(':') {
            Some(_) if entry.ends_with(']') => (*entry, None),
            Some((h, p)) => (h, Some(p)),
            None => (*entry, None),
        };
        let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']'));
        if host.is_empty() || bare == Some("") {
            return Err(bad("the host is missing"));
        }
        if bare.is_none() && host.contains(':') {
            return Err(bad("write an IPv6 address as [addr]:port"));
        }
        match port.map(str::parse::<u16>) {
            None => portless = true,
            Some(Ok(p)) if p > 0 => {}
            Some(_) => return Err(bad("the port must be a number from 1 to 65535")),
        }
    }
    if !portless {
        return Ok(list.to_string());
    }
    let filled: Vec<String> = entries
        .iter()
        .filter(|e| !e.is_empty())
        .map(|e| {
            if e.ends_with(']') || !e.contains(':') {
                format!("{e}:9092")
            } else {
                e.to_string()
            }
        })
        .collect();
    Ok(filled.join(","))
}

/// One `-s` argument: `key=FMT`, `value=FMT`, or `FMT` for both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerdeArg {
    /// The key or the value; None: both.
    pub part: Option<crate::schema::Part>,
    /// The format.
    pub format: crate::schema::FormatSpec,
}

/// Parses `-s key=FMT`, `-s value=FMT` or `-s FMT`.
pub fn parse_serde(s: &str) -> Result<SerdeArg, String> {
    use crate::schema::Part;
    let (part, fmt) = match s.split_once('=') {
        Some(("key", f)) => (Some(Part::Key), f),
        Some(("value", f)) => (Some(Part::Value), f),
        Some((p, _)) => {
            return Err(format!("invalid -s '{s}': '{p}' is neither key nor value"));
        }
        None => (None, s),
    };
    Ok(SerdeArg {
        part,
        format: fmt.parse()?,
    })
}

/// The key and value formats several `-s` arguments give, later ones winning; None for a
/// part no `-s` names (the profile's per-topic format, or `auto`, applies).
pub fn serde_overrides(
    args: &[SerdeArg],
) -> (
    Option<crate::schema::FormatSpec>,
    Option<crate::schema::FormatSpec>,
) {
    use crate::schema::Part;
    let (mut key, mut value) = (None, None);
    for a in args {
        if a.part != Some(Part::Value) {
            key = Some(a.format.clone());
        }
        if a.part != Some(Part::Key) {
            value = Some(a.format.clone());
        }
    }
    (key, value)
}

/// A partition number for `-p`: 0 or more.
pub fn parse_partition(s: &str) -> Result<i32, String> {
    match s.trim().parse::<i32>() {
        Ok(p) if p >= 0 => Ok(p),
        _ => Err(format!(
            "invalid partition '{s}': expected a partition number, 0 or more"
        )),
    }
}

/// A record count for `-c`: 0 or more.
pub fn parse_count(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .map_err(|_| format!("invalid count '{s}': expected a whole number, 0 or more"))
}

/// `--timeout`: seconds, from 1 to 3600.
pub fn parse_timeout(s: &str) -> Result<u64, String> {
    whole_number_in(s, 1, 3600)
        .ok_or_else(|| format!("invalid timeout '{s}': expected seconds from 1 to 3600"))
}

/// `--window`: records the message pane holds, from 100 to 10,000,000.
pub fn parse_window(s: &str) -> Result<u64, String> {
    whole_number_in(s, 100, 10_000_000)
        .ok_or_else(|| format!("invalid window '{s}': expected records from 100 to 10000000"))
}

/// `--coordinator-ttl`: seconds, from 1 to 300.
pub fn parse_coordinator_ttl(s: &str) -> Result<u64, String> {
    whole_number_in(s, 1, 300)
        .ok_or_else(|| format!("invalid lease time '{s}': expected seconds from 1 to 300"))
}

fn whole_number_in(s: &str, low: u64, high: u64) -> Option<u64> {
    s.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (low..=high).contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_numbers_name_their_range_in_words() {
        assert_eq!(parse_timeout("1"), Ok(1));
        assert_eq!(parse_timeout(" 3600 "), Ok(3600));
        assert_eq!(
            parse_timeout("0"),
            Err("invalid timeout '0': expected seconds from 1 to 3600".into())
        );
        assert_eq!(
            parse_timeout("1s"),
            Err("invalid timeout '1s': expected seconds from 1 to 3600".into())
        );
        assert_eq!(
            parse_coordinator_ttl("301"),
            Err("invalid lease time '301': expected seconds from 1 to 300".into())
        );
        assert_eq!(parse_window("100"), Ok(100));
        assert_eq!(
            parse_window("10"),
            Err("invalid window '10': expected records from 100 to 10000000".into())
        );
    }

    #[test]
    fn broker_lists() {
        for ok in [
            "localhost:9092",
            "a:1,b:65535",
            "[::1]:9092",
            " h:9092 , k:9093 ",
            "h:1,",
        ] {
            assert_eq!(parse_brokers(ok), Ok(ok.to_string()), "{ok}");
        }
        // A host without a port means 9092, as in kcat.
        for (short, full) in [
            ("localhost", "localhost:9092"),
            ("a, b:1", "a:9092,b:1"),
            ("[::1]", "[::1]:9092"),
            ("[::1]:9093,k", "[::1]:9093,k:9092"),
        ] {
            assert_eq!(parse_brokers(short), Ok(full.to_string()), "{short}");
        }
        for (bad, msg) in [
            (
                "",
                "the broker list is empty: expected host:port[,host:port...]",
            ),
            (
                " , ",
                "the broker list is empty: expected host:port[,host:port...]",
            ),
            (
                "h:notaport",
                "invalid broker address 'h:notaport': the port must be a number from 1 to 65535",
            ),
            (
                "h:0",
                "invalid broker address 'h:0': the port must be a number from 1 to 65535",
            ),
            (
                "h:70000",
                "invalid broker address 'h:70000': the port must be a number from 1 to 65535",
            ),
            (
                ":9092",
                "invalid broker address ':9092': the host is missing",
            ),
            (
                "[]:9092",
                "invalid broker address '[]:9092': the host is missing",
            ),
            (
                "::1:9092",
                "invalid broker address '::1:9092': write an IPv6 address as [addr]:port",
            ),
            (
                "h:",
                "invalid broker address 'h:': the port must be a number from 1 to 65535",
            ),
            (
                "[::1",
                "invalid broker address '[::1': write an IPv6 address as [addr]:port",
            ),
        ] {
            assert_eq!(parse_brokers(bad), Err(msg.to_string()), "{bad:?}");
        }
    }

    #[test]
    fn partitions_and_counts() {
        assert_eq!(parse_partition("0"), Ok(0));
        assert_eq!(parse_partition("12"), Ok(12));
        for bad in ["-1", "x", "", "2147483648", "1.5"] {
            assert_eq!(
                parse_partition(bad),
                Err(format!(
                    "invalid partition '{bad}': expected a partition number, 0 or more"
                ))
            );
        }
        assert_eq!(parse_count("0"), Ok(0));
        assert_eq!(parse_count("18446744073709551615"), Ok(u64::MAX));
        for bad in ["-1", "x", "", "1e3"] {
            assert_eq!(
                parse_count(bad),
                Err(format!(
                    "invalid count '{bad}': expected a whole number, 0 or more"
                ))
            );
        }
    }
}
