//! The schema tests' set-up: the venv's Python with Confluent's serializers, the registry
//! stand-in (scripts/registry-standin) and tests/python/produce.py's cases.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's Python with confluent-kafka; None (skip) when missing, except under CI.
pub fn python() -> Option<PathBuf> {
    let py = root().join(".venv/bin/python");
    if py.exists() {
        return Some(py);
    }
    assert!(
        std::env::var("CI").is_err(),
        "{} is missing under CI: scripts/setup makes it",
        py.display()
    );
    eprintln!("no .venv: skipping a schema test (run scripts/setup)");
    None
}

/// The registry stand-in on a free loopback port, with basic auth kb:secret.
pub struct Standin {
    child: Child,
    /// Its plain-HTTP URL, without credentials.
    pub url: String,
    /// With `start_tls`: the same store over HTTPS (client certificates required), and the
    /// directory of ca.pem, client.pem and client.key.
    https: Option<(String, tempfile::TempDir)>,
}

impl Standin {
    /// A stand-in over plain HTTP.
    pub fn start() -> Standin {
        Standin::spawn(&[], None)
    }

    /// Also accepting the bearer token `tok-123`, and serving HTTPS with mTLS.
    pub fn start_tls() -> Standin {
        let dir = tempfile::tempdir().unwrap();
        let certs = dir.path().join("certs");
        Standin::spawn(
            &["--bearer", "tok-123", "--tls-dir", certs.to_str().unwrap()],
            Some(dir),
        )
    }

    fn spawn(extra: &[&str], dir: Option<tempfile::TempDir>) -> Standin {
        let mut child = Command::new(root().join("scripts/registry-standin"))
            .args(["--user", "kb", "--password", "secret"])
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the registry stand-in");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert!(line.starts_with("http://127.0.0.1:"), "{line:?}");
        let https = dir.map(|d| {
            let mut l = String::new();
            out.read_line(&mut l).unwrap();
            assert!(l.starts_with("https://127.0.0.1:"), "{l:?}");
            (l.trim().to_string(), d)
        });
        Standin {
            child,
            url: line.trim().to_string(),
            https,
        }
    }

    /// The HTTPS URL and a certificate file's path.
    pub fn https(&self) -> (&str, impl Fn(&str) -> String + '_) {
        let (url, dir) = self.https.as_ref().unwrap();
        (url.as_str(), move |f: &str| {
            dir.path().join("certs").join(f).display().to_string()
        })
    }

    /// The URL with credentials, as a user passes it to `-r`.
    pub fn with_auth(&self, user_pass: &str) -> String {
        self.url.replace("http://", &format!("http://{user_pass}@"))
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs one case of tests/python/produce.py (Confluent's serializers, registering in the
/// stand-in with kb:secret, writing to `broker`); returns what each record must show, in
/// offset order.
pub fn produce_case(
    py: &PathBuf,
    case: &str,
    broker: &str,
    registry: &str,
    topic: &str,
) -> Vec<Value> {
    produce_case_with(py, case, broker, registry, topic, &[])
}

/// `produce_case` with more arguments for produce.py (e.g. `--count`).
pub fn produce_case_with(
    py: &PathBuf,
    case: &str,
    broker: &str,
    registry: &str,
    topic: &str,
    more: &[&str],
) -> Vec<Value> {
    let out = Command::new(py)
        .arg(root().join("tests/python/produce.py"))
        .args([case, "--broker", broker, "--registry", registry])
        .args(["--auth", "kb:secret", "--topic", topic])
        .args(more)
        .output()
        .expect("run produce.py");
    assert!(
        out.status.success(),
        "produce.py {case}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Everything a schema test needs: the real broker, the venv's Python, a stand-in; None
/// (skip) when one is missing, except under CI.
pub fn setup() -> Option<(String, PathBuf, Standin)> {
    let broker = super::real_broker()?;
    let py = python()?;
    Some((broker, py, Standin::start()))
}

/// A profiles file in a temporary XDG_CONFIG_HOME (`kbrowse/config.toml`): the directory,
/// to pass as XDG_CONFIG_HOME.
pub fn profiles_home(toml: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("kbrowse")).unwrap();
    std::fs::write(home.path().join("kbrowse/config.toml"), toml).unwrap();
    home
}
