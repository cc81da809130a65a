//! Values that point elsewhere: `env:VAR`, `file:PATH` and `cmd:COMMAND`, so that no password
//! has to sit in a file or on a command line.
//!
//! Any property's value may use them. Errors name the property and the reference, never the
//! value.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A file or a command's output may be at most this long: a key or a token, not a log.
const MAX: u64 = 1 << 20;

/// The environment as the resolver sees it (the process's, or a test's).
pub trait Env {
    /// The variable's value, when it is set and valid UTF-8.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process's own environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

/// Whether `value` is a reference (`env:`, `file:` or `cmd:`) rather than the value itself.
pub fn is_reference(value: &str) -> bool {
    ["env:", "file:", "cmd:"]
        .iter()
        .any(|p| value.starts_with(p))
}

/// The value `value` stands for: itself, or what its reference points at. `name` is the
/// property, for the error message.
pub fn resolve(name: &str, value: &str, env: &dyn Env) -> Result<String, String> {
    let fail = |why: String| format!("{name}: {why}");
    let got = if let Some(var) = value.strip_prefix("env:") {
        env.var(var)
            .ok_or_else(|| fail(format!("environment variable {var} is not set")))?
    } else if let Some(path) = value.strip_prefix("file:") {
        read_file(&expand_home(path, env)).map_err(|e| fail(format!("cannot read {value}: {e}")))?
    } else if let Some(cmd) = value.strip_prefix("cmd:") {
        run(cmd).map_err(|e| fail(format!("command '{cmd}': {e}")))?
    } else {
        return Ok(value.to_string());
    };
    let got = got.trim_end_matches(['\n', '\r']).to_string();
    if got.is_empty() {
        return Err(fail(format!("{value} is empty")));
    }
    Ok(got)
}

/// `~/rest` with the home directory in front; anything else unchanged.
pub fn expand_home(path: &str, env: &dyn Env) -> PathBuf {
    match (path.strip_prefix("~/"), env.var("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ if path == "~" => env.var("HOME").map_or_else(|| path.into(), PathBuf::from),
        _ => PathBuf::from(path),
    }
}

/// Reads a file of at most 1 MiB of UTF-8 (a secret, a profiles or properties file: never
/// `/dev/zero` into memory).
pub fn read_file(path: &std::path::Path) -> Result<String, String> {
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    capped(f)
}

/// Reads at most `MAX` bytes of UTF-8.
fn capped(r: impl std::io::Read) -> Result<String, String> {
    let mut buf = Vec::new();
    r.take(MAX + 1)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.len() as u64 > MAX {
        return Err(format!("longer than {} KiB", MAX >> 10));
    }
    String::from_utf8(buf).map_err(|_| "not valid UTF-8".into())
}

/// Runs `sh -c cmd` with the terminal's stdin and stderr (a password manager may ask for a
/// passphrase or explain a failure there) and returns its stdout.
fn run(cmd: &str) -> Result<String, String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("could not start: {e}"))?;
    let out = match child.stdout.take() {
        Some(stdout) => capped(stdout).map_err(|e| format!("output {e}")),
        None => Err("has no stdout".into()),
    };
    if out.is_err() {
        let _ = child.kill();
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let out = out?;
    if !status.success() {
        return Err(match status.code() {
            Some(c) => format!("failed with exit status {c}"),
            None => "was killed by a signal".into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A fixed environment for tests.
    pub(crate) struct FakeEnv(pub HashMap<String, String>);

    impl FakeEnv {
        pub(crate) fn of(vars: &[(&str, &str)]) -> FakeEnv {
            FakeEnv(
                vars.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        }
    }

    impl Env for FakeEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).cloned()
        }
    }

    #[test]
    fn references_resolve_and_fail_without_the_value() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pw"), "s3cret\n").unwrap();
        std::fs::write(dir.path().join("empty"), "\n").unwrap();
        let home = dir.path().to_str().unwrap();
        let env = FakeEnv::of(&[("PW", "from-env"), ("HOME", home)]);
        let r = |v: &str| resolve("sasl.password", v, &env);
        assert_eq!(r("plain"), Ok("plain".into()));
        assert_eq!(r("env:PW"), Ok("from-env".into()));
        assert_eq!(r("file:~/pw"), Ok("s3cret".into()));
        assert_eq!(r("cmd:printf 'a b\\n\\n'"), Ok("a b".into()));
        assert_eq!(
            r("env:NOPE"),
            Err("sasl.password: environment variable NOPE is not set".into())
        );
        assert_eq!(
            r("file:/nonexistent/pw"),
            Err(
                "sasl.password: cannot read file:/nonexistent/pw: No such file or directory (os error 2)"
                    .into()
            )
        );
        assert_eq!(
            r("file:~/empty"),
            Err("sasl.password: file:~/empty is empty".into())
        );
        assert_eq!(
            r("cmd:echo hunter2; exit 3"),
            Err("sasl.password: command 'echo hunter2; exit 3': failed with exit status 3".into())
        );
        assert_eq!(
            r("cmd:head -c 1048577 /dev/zero"),
            Err(
                "sasl.password: command 'head -c 1048577 /dev/zero': output longer than 1024 KiB"
                    .into()
            )
        );
        assert_eq!(
            r("cmd:printf '\\377'"),
            Err("sasl.password: command 'printf '\\377'': output not valid UTF-8".into())
        );
    }

    #[test]
    fn home_expansion() {
        let env = FakeEnv::of(&[("HOME", "/home/a")]);
        assert_eq!(
            expand_home("~/c/ca.pem", &env),
            PathBuf::from("/home/a/c/ca.pem")
        );
        assert_eq!(expand_home("~", &env), PathBuf::from("/home/a"));
        assert_eq!(expand_home("/etc/ca", &env), PathBuf::from("/etc/ca"));
        assert_eq!(expand_home("~b/x", &env), PathBuf::from("~b/x"));
        assert_eq!(expand_home("~/x", &FakeEnv::of(&[])), PathBuf::from("~/x"));
    }
}
