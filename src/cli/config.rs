//! `kbrowse config`: the resolved settings and where each came from, secrets masked.

use std::io::Write;

/// Prints `description` (`config::Settings::describe`, which sits above this layer) to `out`.
pub fn run(description: &str, out: &mut impl Write) -> anyhow::Result<()> {
    if super::write_out(out, description.as_bytes())? {
        super::flush_out(out)?;
    }
    Ok(())
}
