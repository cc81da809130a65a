//! Where `sasl.oauthbearer.token` points: parsing `file:`/`env:`/`cmd:`, and reading a file
//! or running a command with bounded output.

use std::path::PathBuf;
use std::time::Duration;

use super::{MAX_TOKEN_LEN, Secret, TokenSource, check_token};
use crate::kafka::sasl::SaslError;

/// How long a `cmd:` token command may run.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Parses `sasl.oauthbearer.token`: a token, `file:PATH`, `env:VAR` or `cmd:COMMAND`.
pub(super) fn parse_token_source(value: &str) -> Result<TokenSource, String> {
    if let Some(path) = value.strip_prefix("file:") {
        if path.is_empty() {
            return Err("sasl.oauthbearer.token: file: needs a path".into());
        }
        return Ok(TokenSource::File(expand_home(path)));
    }
    if let Some(var) = value.strip_prefix("env:") {
        if var.is_empty() {
            return Err("sasl.oauthbearer.token: env: needs a variable name".into());
        }
        return Ok(TokenSource::Env(var.to_string()));
    }
    if let Some(command) = value.strip_prefix("cmd:") {
        if command.trim().is_empty() {
            return Err("sasl.oauthbearer.token: cmd: needs a command".into());
        }
        return Ok(TokenSource::Command(command.to_string()));
    }
    check_token(value.trim()).map_err(|e| format!("sasl.oauthbearer.token: {e}"))?;
    Ok(TokenSource::Static(Secret(value.trim().to_string())))
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// Reads at most `MAX_TOKEN_LEN` bytes of `path`, refusing a bigger file.
pub(super) fn read_bounded(path: &std::path::Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot read token file {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_TOKEN_LEN as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read token file {}: {e}", path.display()))?;
    if bytes.len() > MAX_TOKEN_LEN {
        return Err(format!(
            "token file {} is larger than {MAX_TOKEN_LEN} bytes",
            path.display()
        ));
    }
    Ok(bytes)
}

/// Runs `sh -c command` and returns what it printed (bounded, with a timeout).
pub(crate) async fn run_token_command(command: &str) -> Result<String, SaslError> {
    use tokio::io::AsyncReadExt;
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| SaslError(format!("cannot run the token command: {e}")))?;
    let Some(stdout) = child.stdout.take() else {
        return Err(SaslError("the token command has no stdout".into()));
    };
    let run = async {
        let mut out = Vec::new();
        stdout
            .take(MAX_TOKEN_LEN as u64 + 1)
            .read_to_end(&mut out)
            .await
            .map_err(|e| SaslError(format!("cannot read the token command's output: {e}")))?;
        let status = child
            .wait()
            .await
            .map_err(|e| SaslError(format!("the token command failed: {e}")))?;
        Ok::<_, SaslError>((out, status))
    };
    let (out, status) = tokio::time::timeout(COMMAND_TIMEOUT, run)
        .await
        .map_err(|_| {
            SaslError(format!(
                "the token command did not finish within {}s",
                COMMAND_TIMEOUT.as_secs()
            ))
        })??;
    if !status.success() {
        return Err(SaslError(format!("the token command exited with {status}")));
    }
    if out.len() > MAX_TOKEN_LEN {
        return Err(SaslError(format!(
            "the token command printed more than {MAX_TOKEN_LEN} bytes"
        )));
    }
    String::from_utf8(out).map_err(|_| SaslError("the token command printed non-UTF-8".into()))
}
