//! `kbrowse config`: the resolved settings and where each came from, secrets masked.

use std::io::Write;

use crate::config::Settings;

/// Prints `settings` to `out`.
pub fn run(settings: &Settings, out: &mut impl Write) -> anyhow::Result<()> {
    if super::write_out(out, settings.describe().as_bytes())? {
        super::flush_out(out)?;
    }
    Ok(())
}
