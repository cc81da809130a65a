//! `e` / `E`: a record's value in `$PAGER` (`less` when unset) or `$EDITOR`. The value goes
//! to a temporary file made read-only (0400: nothing is written back to Kafka), the UI gives
//! the terminal to the program and takes it back after; the file is removed then.

use std::io::Write as _;

use crate::app::save::{OpenValue, Viewer};

use super::terminal::{self, TerminalGuard};

/// The program to run for `viewer`, split into words, from the environment; or why none.
pub fn program(
    viewer: Viewer,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Vec<String>, String> {
    let (var, default) = match viewer {
        Viewer::Pager => ("PAGER", Some("less")),
        Viewer::Editor => ("EDITOR", None),
    };
    let set = env(var).filter(|v| !v.trim().is_empty());
    match (set, default) {
        (Some(v), _) => Ok(v.split_whitespace().map(String::from).collect()),
        (None, Some(d)) => Ok(vec![d.to_string()]),
        (None, None) => Err(format!(
            "${var} is not set: no program to open the value in"
        )),
    }
}

/// Writes the value's file: the text `OpenValue::contents` gives, mode 0400.
fn temp_file(v: &OpenValue) -> std::io::Result<tempfile::NamedTempFile> {
    use std::os::unix::fs::PermissionsExt as _;
    let (contents, ext) = v.contents();
    let mut file = tempfile::Builder::new()
        .prefix(&format!("kbrowse-{}-", v.name))
        .suffix(&format!(".{ext}"))
        .tempfile()?;
    file.write_all(&contents)?;
    file.flush()?;
    file.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o400))?;
    Ok(file)
}

/// Runs the program on the value with the terminal handed over; what went wrong, if
/// anything, for the status line (unescaped: the app escapes it).
pub async fn open(guard: &mut TerminalGuard, v: OpenValue) -> Option<String> {
    let words = match program(v.viewer, |k| std::env::var(k).ok()) {
        Ok(w) => w,
        Err(e) => return Some(e),
    };
    let (name, args) = words.split_first()?;
    let (name, args) = (name.clone(), args.to_vec());
    let file = match tokio::task::spawn_blocking(move || temp_file(&v)).await {
        Ok(Ok(f)) => f,
        Ok(Err(e)) => return Some(format!("cannot write the value to a temporary file: {e}")),
        Err(e) => return Some(format!("cannot write the value to a temporary file: {e}")),
    };
    let path = file.path().to_path_buf();
    terminal::suspend();
    let shown = name.clone();
    let ran = tokio::task::spawn_blocking(move || {
        std::process::Command::new(&name)
            .args(&args)
            .arg(&path)
            .status()
    })
    .await;
    let resumed = guard.resume();
    // The file goes once the program is done with it.
    drop(file);
    if let Err(e) = resumed {
        return Some(format!("cannot take the terminal back: {e}"));
    }
    match ran {
        Ok(Ok(s)) if s.success() => None,
        Ok(Ok(s)) => Some(format!("{shown} ended with {s}")),
        Ok(Err(e)) => Some(format!("cannot run {shown}: {e}")),
        Err(e) => Some(format!("cannot run {shown}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_program_comes_from_the_environment() {
        let none = |_: &str| None;
        assert_eq!(program(Viewer::Pager, none), Ok(vec!["less".to_string()]));
        assert_eq!(
            program(Viewer::Editor, none),
            Err("$EDITOR is not set: no program to open the value in".into())
        );
        let set = |k: &str| (k == "PAGER").then(|| "less -R  -S".to_string());
        assert_eq!(
            program(Viewer::Pager, set),
            Ok(vec!["less".into(), "-R".into(), "-S".into()])
        );
        let blank = |_: &str| Some("  ".to_string());
        assert_eq!(program(Viewer::Pager, blank), Ok(vec!["less".to_string()]));
    }

    #[test]
    fn the_file_is_read_only_and_holds_the_value() {
        use std::os::unix::fs::PermissionsExt as _;
        let v = OpenValue {
            viewer: Viewer::Pager,
            value: bytes::Bytes::from_static(b"\x00\x01"),
            decoded: None,
            name: "t-0-5".into(),
        };
        let f = temp_file(&v).unwrap();
        let meta = std::fs::metadata(f.path()).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o400);
        assert_eq!(
            std::fs::read_to_string(f.path()).unwrap(),
            crate::render::hex_dump(b"\x00\x01")
        );
        let name = f.path().file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("kbrowse-t-0-5-") && name.ends_with(".hex.txt"),
            "{name}"
        );
        let path = f.path().to_path_buf();
        drop(f);
        assert!(!path.exists());
    }
}
