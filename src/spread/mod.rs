//! Spreading a topic's partitions over several kbrowse instances without a Kafka consumer
//! group (the seed's "Spread" scheme): statically (`--spread I/N`) or through an external
//! coordinator (`--spread-group NAME --coordinator etcd://...`).
//!
//! The coordinator holds, under `kbrowse/spread/NAME/`:
//! - `members/ID`: one key per live instance, attached to its lease;
//! - `owners/TOPIC/P`: which member reads partition P now, attached to its lease, so that a
//!   dead member's partitions free themselves when its lease expires;
//! - `offsets/TOPIC/P`: the next offset to read, written only after the output for it was
//!   flushed, and only while the writer still owns the partition (fenced on the owner key's
//!   lease), so a member that lost its lease can no longer move the position;
//! - `ends/TOPIC/P`: with `-e`, the end each partition had when the group first started it.
//!
//! Kafka sees only reads: no group join, no commit.

pub mod etcd;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

/// A lease the coordinator grants; keys attached to it vanish when it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseId(pub i64);

/// What can go wrong with the coordinator, in one line each.
#[derive(Debug, thiserror::Error)]
pub enum CoordinatorError {
    /// A bad `--coordinator` or group name.
    #[error("{0}")]
    Config(String),
    /// No endpoint answered.
    #[error("the coordinator ({endpoints}) is unreachable: {reason}")]
    Unreachable {
        /// The endpoints tried.
        endpoints: String,
        /// The last endpoint's failure.
        reason: String,
    },
    /// The coordinator answered with an error (no quorum, lease not found, ...).
    #[error("the coordinator refused: {0}")]
    Etcd(String),
    /// The answer was not what the protocol says.
    #[error("{0}")]
    Protocol(String),
}

/// The few calls spreading needs: leases and compare-and-set on keys. etcd has them; Consul's
/// sessions and check-and-set map onto them too.
pub trait Coordinator: Send + Sync + 'static {
    /// Names the coordinator for messages (`etcd at host:port`).
    fn describe(&self) -> String;
    /// A new lease of about `ttl`.
    fn grant(
        &self,
        ttl: Duration,
    ) -> impl Future<Output = Result<LeaseId, CoordinatorError>> + Send;
    /// Renews the lease: its new TTL, or None when it already expired.
    fn keep_alive(
        &self,
        lease: LeaseId,
    ) -> impl Future<Output = Result<Option<Duration>, CoordinatorError>> + Send;
    /// Ends the lease now, deleting its keys.
    fn revoke(&self, lease: LeaseId) -> impl Future<Output = Result<(), CoordinatorError>> + Send;
    /// Sets `key`.
    fn put(
        &self,
        key: &str,
        value: &[u8],
    ) -> impl Future<Output = Result<(), CoordinatorError>> + Send;
    /// Sets `key` only if it does not exist, attached to `lease` if given; true if set.
    fn put_if_absent(
        &self,
        key: &str,
        value: &[u8],
        lease: Option<LeaseId>,
    ) -> impl Future<Output = Result<bool, CoordinatorError>> + Send;
    /// Sets `key` only while `guard` exists attached to `lease`; true if set.
    fn put_if_held(
        &self,
        guard: &str,
        lease: LeaseId,
        key: &str,
        value: &[u8],
    ) -> impl Future<Output = Result<bool, CoordinatorError>> + Send;
    /// Deletes `guard` if it is attached to `lease`.
    fn delete_if_held(
        &self,
        guard: &str,
        lease: LeaseId,
    ) -> impl Future<Output = Result<(), CoordinatorError>> + Send;
    /// The value of `key`.
    fn get(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, CoordinatorError>> + Send;
    /// Every key under `prefix`, in key order.
    fn list(
        &self,
        prefix: &str,
    ) -> impl Future<Output = Result<Vec<(String, Vec<u8>)>, CoordinatorError>> + Send;
    /// Deletes every key under `prefix`.
    fn delete_prefix(
        &self,
        prefix: &str,
    ) -> impl Future<Output = Result<(), CoordinatorError>> + Send;
}

/// The partitions instance `index` of `count` reads: with the partitions sorted by number,
/// those whose number modulo `count` is `index`.
pub fn spread_partitions(partitions: &[i32], index: usize, count: usize) -> Vec<i32> {
    let mut sorted = partitions.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if count == 0 {
        return Vec::new();
    }
    sorted
        .into_iter()
        .filter(|&p| p.rem_euclid(count as i32) as usize == index)
        .collect()
}

/// `--spread I/N`: this instance is number I (0-based) of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spread {
    /// This instance's number, below `count`.
    pub index: usize,
    /// How many instances share the topic.
    pub count: usize,
}

/// More instances than this is a typo, not a deployment.
const MAX_INSTANCES: usize = 100_000;

impl std::str::FromStr for Spread {
    type Err = String;

    /// Parses `I/N`; the message names what is wrong with it.
    fn from_str(s: &str) -> Result<Spread, String> {
        let shown = crate::render::escape(s.as_bytes());
        let bad = |why: &str| format!("invalid --spread '{shown}': {why}");
        let form = "expected I/N, instance I (from 0) of N, e.g. 0/2";
        let Some((i, n)) = s.trim().split_once('/') else {
            return Err(bad(form));
        };
        let number = |t: &str| -> Option<usize> {
            let t = t.trim();
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            t.parse().ok()
        };
        let (Some(index), Some(count)) = (number(i), number(n)) else {
            return Err(bad(form));
        };
        if count == 0 || count > MAX_INSTANCES {
            return Err(bad(&format!(
                "N must be from 1 to {MAX_INSTANCES} instances"
            )));
        }
        if index >= count {
            return Err(bad(&format!(
                "instances are numbered from 0 to {}, so I must be below N",
                count - 1
            )));
        }
        Ok(Spread { index, count })
    }
}

/// Checks a spread group name: it becomes part of coordinator keys.
pub fn check_group(name: &str) -> Result<(), CoordinatorError> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(CoordinatorError::Config(format!(
            "invalid spread group name '{}': use 1 to 200 of a-z A-Z 0-9 . _ -",
            crate::render::escape(name.as_bytes())
        )))
    }
}

/// One instance's membership of a spread group: its lease, kept alive in the background.
pub struct Member<C: Coordinator> {
    coord: Arc<C>,
    root: String,
    id: String,
    lease: LeaseId,
    /// Until when the lease is sure to be alive on the coordinator (from the last renewal's
    /// send time plus its TTL), less a margin.
    alive_until: watch::Receiver<Instant>,
    lost: Arc<AtomicBool>,
    keeper: tokio::task::JoinHandle<()>,
}

impl<C: Coordinator> fmt::Debug for Member<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Member")
            .field("id", &self.id)
            .field("lease", &self.lease)
            .finish()
    }
}

impl<C: Coordinator> Drop for Member<C> {
    fn drop(&mut self) {
        self.keeper.abort();
    }
}

impl<C: Coordinator> Member<C> {
    /// Joins `group` with a lease of `ttl`, renewed every third of it.
    pub async fn join(coord: Arc<C>, group: &str, ttl: Duration) -> Result<Self, CoordinatorError> {
        check_group(group)?;
        let root = format!("kbrowse/spread/{group}/");
        let ttl = ttl.max(Duration::from_secs(1));
        let sent = Instant::now();
        let lease = coord.grant(ttl).await?;
        let id = format!(
            "{}-{}-{:08x}",
            hostname(),
            std::process::id(),
            fastrand::u32(..)
        );
        let key = format!("{root}members/{id}");
        if !coord.put_if_absent(&key, b"", Some(lease)).await? {
            return Err(CoordinatorError::Protocol(format!(
                "member id {id} is taken in spread group {group}"
            )));
        }
        let margin = ttl / 5;
        let (tx, alive_until) = watch::channel(sent + ttl - margin);
        let lost = Arc::new(AtomicBool::new(false));
        let keeper = tokio::spawn(keep_alive(
            coord.clone(),
            lease,
            ttl,
            margin,
            tx,
            lost.clone(),
        ));
        Ok(Member {
            coord,
            root,
            id,
            lease,
            alive_until,
            lost,
            keeper,
        })
    }

    /// This member's id (host, pid and a random part).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The coordinator, for messages.
    pub fn coordinator(&self) -> &C {
        &self.coord
    }

    /// False once the lease may have expired: the member must stop reading at once, since
    /// another one may take its partitions.
    pub fn alive(&self) -> bool {
        !self.lost.load(Ordering::SeqCst) && Instant::now() < *self.alive_until.borrow()
    }

    /// The live members' ids, sorted.
    pub async fn members(&self) -> Result<Vec<String>, CoordinatorError> {
        let prefix = format!("{}members/", self.root);
        let mut ids: Vec<String> = self
            .coord
            .list(&prefix)
            .await?
            .into_iter()
            .filter_map(|(k, _)| k.strip_prefix(&prefix).map(str::to_string))
            .collect();
        ids.sort();
        Ok(ids)
    }

    /// The partitions this member should read now, by the Spread rule over the live members.
    pub async fn assignment(&self, partitions: &[i32]) -> Result<Vec<i32>, CoordinatorError> {
        let members = self.members().await?;
        Ok(match members.iter().position(|m| *m == self.id) {
            Some(k) => spread_partitions(partitions, k, members.len()),
            // Not listed (the lease just expired): nothing.
            None => Vec::new(),
        })
    }

    fn owner_key(&self, topic: &str, p: i32) -> String {
        format!("{}owners/{topic}/{p}", self.root)
    }

    fn offset_key(&self, topic: &str, p: i32) -> String {
        format!("{}offsets/{topic}/{p}", self.root)
    }

    /// Takes partition `p` for reading: false while another member still holds it.
    pub async fn claim(&self, topic: &str, p: i32) -> Result<bool, CoordinatorError> {
        let key = self.owner_key(topic, p);
        if self
            .coord
            .put_if_absent(&key, self.id.as_bytes(), Some(self.lease))
            .await?
        {
            return Ok(true);
        }
        // Already ours (a claim whose answer was lost).
        Ok(self.coord.get(&key).await?.as_deref() == Some(self.id.as_bytes()))
    }

    /// Gives partition `p` back (after its last position was saved).
    pub async fn release(&self, topic: &str, p: i32) -> Result<(), CoordinatorError> {
        self.coord
            .delete_if_held(&self.owner_key(topic, p), self.lease)
            .await
    }

    /// The saved next offset of partition `p`, if any member saved one.
    pub async fn position(&self, topic: &str, p: i32) -> Result<Option<i64>, CoordinatorError> {
        match self.coord.get(&self.offset_key(topic, p)).await? {
            None => Ok(None),
            Some(v) => parse_offset(&v).map(Some),
        }
    }

    /// Every saved next offset of `topic`.
    pub async fn positions(
        &self,
        topic: &str,
    ) -> Result<std::collections::HashMap<i32, i64>, CoordinatorError> {
        self.numbers(&format!("{}offsets/{topic}/", self.root))
            .await
    }

    /// Every stored end of `topic` (`-e`).
    pub async fn ends(
        &self,
        topic: &str,
    ) -> Result<std::collections::HashMap<i32, i64>, CoordinatorError> {
        self.numbers(&format!("{}ends/{topic}/", self.root)).await
    }

    async fn numbers(
        &self,
        prefix: &str,
    ) -> Result<std::collections::HashMap<i32, i64>, CoordinatorError> {
        let mut out = std::collections::HashMap::new();
        for (k, v) in self.coord.list(prefix).await? {
            let Some(p) = k.strip_prefix(prefix).and_then(|p| p.parse::<i32>().ok()) else {
                continue;
            };
            out.insert(p, parse_offset(&v)?);
        }
        Ok(out)
    }

    /// Saves partition `p`'s next offset, only while this member owns it; false if it no
    /// longer does (its lease expired, or it released it).
    pub async fn save(&self, topic: &str, p: i32, next: i64) -> Result<bool, CoordinatorError> {
        self.coord
            .put_if_held(
                &self.owner_key(topic, p),
                self.lease,
                &self.offset_key(topic, p),
                next.to_string().as_bytes(),
            )
            .await
    }

    /// With `-e`: records the partitions' ends the first time the group starts them, and
    /// returns the ends in force (another member's, if it was first).
    pub async fn fix_ends(
        &self,
        topic: &str,
        highs: &[(i32, i64)],
    ) -> Result<std::collections::HashMap<i32, i64>, CoordinatorError> {
        for &(p, high) in highs {
            let key = format!("{}ends/{topic}/{p}", self.root);
            self.coord
                .put_if_absent(&key, high.to_string().as_bytes(), None)
                .await?;
        }
        self.ends(topic).await
    }

    /// Leaves the group: the lease ends, and with it the member and owner keys.
    pub async fn leave(self) -> Result<(), CoordinatorError> {
        self.keeper.abort();
        self.coord.revoke(self.lease).await
    }
}

fn parse_offset(v: &[u8]) -> Result<i64, CoordinatorError> {
    std::str::from_utf8(v)
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .filter(|n| *n >= 0)
        .ok_or_else(|| {
            CoordinatorError::Protocol(format!(
                "the coordinator holds a bad offset: {}",
                crate::render::escape(&v[..v.len().min(40)])
            ))
        })
}

/// Renews the lease every third of its TTL; marks it lost when the coordinator says it
/// expired. A renewal that fails (network) leaves the deadline where it was: the member stops
/// reading when it passes.
async fn keep_alive<C: Coordinator>(
    coord: Arc<C>,
    lease: LeaseId,
    ttl: Duration,
    margin: Duration,
    alive_until: watch::Sender<Instant>,
    lost: Arc<AtomicBool>,
) {
    let every = ttl / 3;
    loop {
        tokio::time::sleep(every).await;
        let sent = Instant::now();
        match coord.keep_alive(lease).await {
            Ok(Some(t)) => {
                let _ = alive_until.send(sent + t.saturating_sub(margin));
            }
            Ok(None) => {
                lost.store(true, Ordering::SeqCst);
                return;
            }
            Err(e) => tracing::warn!("lease renewal failed: {e}"),
        }
    }
}

fn hostname() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_default();
    let clean: String = raw
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(60)
        .collect();
    if clean.is_empty() {
        "host".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_rule() {
        let parts = [3, 0, 2, 1, 4];
        assert_eq!(spread_partitions(&parts, 0, 2), vec![0, 2, 4]);
        assert_eq!(spread_partitions(&parts, 1, 2), vec![1, 3]);
        assert_eq!(spread_partitions(&parts, 2, 3), vec![2]);
        assert_eq!(spread_partitions(&parts, 0, 1), vec![0, 1, 2, 3, 4]);
        assert!(spread_partitions(&parts, 0, 0).is_empty());
        // Every partition exactly once over all instances.
        for n in 1..7 {
            let mut all: Vec<i32> = (0..n)
                .flat_map(|i| spread_partitions(&parts, i, n))
                .collect();
            all.sort();
            assert_eq!(all, vec![0, 1, 2, 3, 4]);
        }
    }

    #[test]
    fn group_names_are_checked() {
        assert!(check_group("export-1.a_b").is_ok());
        assert_eq!(
            check_group("a/b").unwrap_err().to_string(),
            "invalid spread group name 'a/b': use 1 to 200 of a-z A-Z 0-9 . _ -"
        );
        assert!(check_group("").is_err());
    }

    /// Key → (value, lease).
    type Keys = std::collections::BTreeMap<String, (Vec<u8>, Option<i64>)>;

    /// A coordinator in memory whose leases can be made to expire.
    #[derive(Default)]
    struct Memory {
        keys: std::sync::Mutex<Keys>,
        expired: AtomicBool,
    }

    impl Coordinator for Memory {
        fn describe(&self) -> String {
            "memory".into()
        }
        async fn grant(&self, _ttl: Duration) -> Result<LeaseId, CoordinatorError> {
            Ok(LeaseId(7))
        }
        async fn keep_alive(&self, _l: LeaseId) -> Result<Option<Duration>, CoordinatorError> {
            if self.expired.load(Ordering::SeqCst) {
                self.keys.lock().unwrap().retain(|_, (_, l)| l.is_none());
                Ok(None)
            } else {
                Ok(Some(Duration::from_secs(3)))
            }
        }
        async fn revoke(&self, _l: LeaseId) -> Result<(), CoordinatorError> {
            self.keys.lock().unwrap().retain(|_, (_, l)| l.is_none());
            Ok(())
        }
        async fn put(&self, key: &str, value: &[u8]) -> Result<(), CoordinatorError> {
            self.keys
                .lock()
                .unwrap()
                .insert(key.into(), (value.to_vec(), None));
            Ok(())
        }
        async fn put_if_absent(
            &self,
            key: &str,
            value: &[u8],
            lease: Option<LeaseId>,
        ) -> Result<bool, CoordinatorError> {
            let mut keys = self.keys.lock().unwrap();
            if keys.contains_key(key) {
                return Ok(false);
            }
            keys.insert(key.into(), (value.to_vec(), lease.map(|l| l.0)));
            Ok(true)
        }
        async fn put_if_held(
            &self,
            guard: &str,
            lease: LeaseId,
            key: &str,
            value: &[u8],
        ) -> Result<bool, CoordinatorError> {
            let mut keys = self.keys.lock().unwrap();
            if keys.get(guard).and_then(|(_, l)| *l) != Some(lease.0) {
                return Ok(false);
            }
            keys.insert(key.into(), (value.to_vec(), None));
            Ok(true)
        }
        async fn delete_if_held(
            &self,
            guard: &str,
            lease: LeaseId,
        ) -> Result<(), CoordinatorError> {
            let mut keys = self.keys.lock().unwrap();
            if keys.get(guard).and_then(|(_, l)| *l) == Some(lease.0) {
                keys.remove(guard);
            }
            Ok(())
        }
        async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CoordinatorError> {
            Ok(self.keys.lock().unwrap().get(key).map(|(v, _)| v.clone()))
        }
        async fn list(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, CoordinatorError> {
            let keys = self.keys.lock().unwrap();
            Ok(keys
                .iter()
                .filter(|(k, _)| k.starts_with(prefix))
                .map(|(k, (v, _))| (k.clone(), v.clone()))
                .collect())
        }
        async fn delete_prefix(&self, prefix: &str) -> Result<(), CoordinatorError> {
            self.keys
                .lock()
                .unwrap()
                .retain(|k, _| !k.starts_with(prefix));
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_member_whose_lease_expired_is_no_longer_alive_and_cannot_save() {
        let coord = Arc::new(Memory::default());
        let m = Member::join(coord.clone(), "g", Duration::from_secs(3))
            .await
            .unwrap();
        assert!(m.alive());
        assert_eq!(m.members().await.unwrap(), vec![m.id().to_string()]);
        assert_eq!(m.assignment(&[0, 1, 2]).await.unwrap(), vec![0, 1, 2]);
        assert!(m.claim("t", 1).await.unwrap());
        assert!(m.save("t", 1, 42).await.unwrap());
        assert_eq!(m.position("t", 1).await.unwrap(), Some(42));
        // Renewals (every second) keep it alive past the first TTL.
        tokio::time::sleep(Duration::from_millis(3500)).await;
        assert!(m.alive());
        // The coordinator lets the lease expire: at the next renewal the member knows.
        coord.expired.store(true, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(!m.alive());
        // Its owner key went with the lease: saving is refused, the position stays.
        assert!(!m.save("t", 1, 50).await.unwrap());
        assert_eq!(m.position("t", 1).await.unwrap(), Some(42));
        assert_eq!(m.assignment(&[0, 1, 2]).await.unwrap(), Vec::<i32>::new());
    }

    #[tokio::test]
    async fn without_renewals_the_member_stops_before_the_lease_ends() {
        // A coordinator that cannot be reached renews nothing: the member must consider its
        // lease gone before the coordinator does (TTL less a fifth).
        struct Silent(Memory);
        impl Coordinator for Silent {
            fn describe(&self) -> String {
                "silent".into()
            }
            async fn grant(&self, t: Duration) -> Result<LeaseId, CoordinatorError> {
                self.0.grant(t).await
            }
            async fn keep_alive(&self, _l: LeaseId) -> Result<Option<Duration>, CoordinatorError> {
                Err(CoordinatorError::Etcd("no leader".into()))
            }
            async fn revoke(&self, l: LeaseId) -> Result<(), CoordinatorError> {
                self.0.revoke(l).await
            }
            async fn put(&self, k: &str, v: &[u8]) -> Result<(), CoordinatorError> {
                self.0.put(k, v).await
            }
            async fn put_if_absent(
                &self,
                k: &str,
                v: &[u8],
                l: Option<LeaseId>,
            ) -> Result<bool, CoordinatorError> {
                self.0.put_if_absent(k, v, l).await
            }
            async fn put_if_held(
                &self,
                g: &str,
                l: LeaseId,
                k: &str,
                v: &[u8],
            ) -> Result<bool, CoordinatorError> {
                self.0.put_if_held(g, l, k, v).await
            }
            async fn delete_if_held(&self, g: &str, l: LeaseId) -> Result<(), CoordinatorError> {
                self.0.delete_if_held(g, l).await
            }
            async fn get(&self, k: &str) -> Result<Option<Vec<u8>>, CoordinatorError> {
                self.0.get(k).await
            }
            async fn list(&self, p: &str) -> Result<Vec<(String, Vec<u8>)>, CoordinatorError> {
                self.0.list(p).await
            }
            async fn delete_prefix(&self, p: &str) -> Result<(), CoordinatorError> {
                self.0.delete_prefix(p).await
            }
        }
        let m = Member::join(
            Arc::new(Silent(Memory::default())),
            "g",
            Duration::from_secs(5),
        )
        .await
        .unwrap();
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert!(m.alive());
        tokio::time::sleep(Duration::from_millis(3200)).await;
        assert!(!m.alive(), "alive past TTL - TTL/5");
    }

    #[test]
    fn offsets_are_checked() {
        assert_eq!(parse_offset(b"42").unwrap(), 42);
        assert_eq!(
            parse_offset(b"-1").unwrap_err().to_string(),
            "the coordinator holds a bad offset: -1"
        );
        assert!(parse_offset(b"\x1b[2J").is_err());
    }
}

#[cfg(test)]
mod spread_arg_tests {
    use super::*;

    #[test]
    fn spread_arguments() {
        assert_eq!("0/2".parse(), Ok(Spread { index: 0, count: 2 }));
        assert_eq!(" 3/4 ".parse(), Ok(Spread { index: 3, count: 4 }));
        assert_eq!("0/1".parse(), Ok(Spread { index: 0, count: 1 }));
        let form = "expected I/N, instance I (from 0) of N, e.g. 0/2";
        for (bad, why) in [
            ("2", form.to_string()),
            ("", form.to_string()),
            ("a/2", form.to_string()),
            ("-1/2", form.to_string()),
            ("1/+2", form.to_string()),
            ("1/2/3", form.to_string()),
            ("0/0", "N must be from 1 to 100000 instances".to_string()),
            (
                "0/100001",
                "N must be from 1 to 100000 instances".to_string(),
            ),
            ("0/99999999999999999999999", form.to_string()),
            (
                "2/2",
                "instances are numbered from 0 to 1, so I must be below N".to_string(),
            ),
            (
                "5/1",
                "instances are numbered from 0 to 0, so I must be below N".to_string(),
            ),
        ] {
            assert_eq!(
                bad.parse::<Spread>(),
                Err(format!("invalid --spread '{bad}': {why}")),
                "{bad}"
            );
        }
        assert_eq!(
            "\u{1b}[2J".parse::<Spread>().unwrap_err(),
            "invalid --spread '\\e[2J': expected I/N, instance I (from 0) of N, e.g. 0/2"
        );
    }
}
