//! Headless commands for scripts and benchmarks: `topics` and `consume`.

pub mod consume;
pub mod format;
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
