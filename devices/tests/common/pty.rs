//! A pseudo-terminal pair whose slave is reachable through a symlink (like a simulator's path or
//! `/dev/serial/by-id/…`), so tests can unplug and replug a "device" at the same path.

#![allow(clippy::unwrap_used)] // a failure here fails the calling test

use std::os::fd::OwnedFd;
use std::path::Path;

/// One plugged-in "device". The test keeps one slave descriptor open so the master does not
/// see "no slave" (`EIO`) before the code under test opens the path; dropping it (the master
/// closes) is the unplug.
pub struct Pty {
    master: std::fs::File,
    _slave: OwnedFd,
}

impl Pty {
    /// Opens a new pair and (re)points `link` at its slave, atomically.
    pub fn plug(link: &Path) -> Pty {
        let pair = nix::pty::openpty(None, None).unwrap();
        let slave = nix::unistd::ttyname(&pair.slave).unwrap();
        let tmp = link.with_extension("new");
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(&slave, &tmp).unwrap();
        std::fs::rename(&tmp, link).unwrap();
        Pty {
            master: std::fs::File::from(pair.master),
            _slave: pair.slave,
        }
    }

    /// Writes bytes as the device would send them.
    pub fn write(&mut self, bytes: &[u8]) {
        use std::io::Write;
        self.master.write_all(bytes).unwrap();
        self.master.flush().unwrap();
    }

    /// The master (for a fake device on its own thread) and the slave descriptor to keep.
    pub fn split(self) -> (std::fs::File, OwnedFd) {
        (self.master, self._slave)
    }
}
