//! One bot per state file: `qmbot run` holds an exclusive OS file lock
//! (`flock`) on `<state file>.lock` for as long as it runs. The operating
//! system releases the lock when the process ends in any way, SIGKILL and
//! power loss included, so a stale lock never blocks a restart (a PID file
//! would). The lock file itself stays; it is empty and harmless.

use crate::error::{Error, Result};
use fs4::fs_std::FileExt;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// The exclusive lock on a state file; released when dropped or when the
/// process ends.
#[derive(Debug)]
pub struct StateLock {
    path: PathBuf,
    _file: File,
}

impl StateLock {
    /// The lock file that guards `state`: `<state>.lock`.
    pub fn path_for(state: &Path) -> PathBuf {
        let mut name = state.as_os_str().to_owned();
        name.push(".lock");
        PathBuf::from(name)
    }

    /// Takes the lock for the state file `state` without waiting (creating
    /// its directory and the lock file when missing). When another process
    /// holds it, the error says so in one line.
    pub fn acquire(state: &Path) -> Result<StateLock> {
        let path = StateLock::path_for(state);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        if !file.try_lock_exclusive().map_err(io)? {
            return Err(Error::Invalid {
                path: state.to_path_buf(),
                message: format!(
                    "another qmbot instance holds this state file (lock {}); stop it first or use another [storage] path",
                    path.display()
                ),
            });
        }
        Ok(StateLock { path, _file: file })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_is_refused_until_the_first_is_dropped() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state/qmbot.sqlite3");
        let first = StateLock::acquire(&state)?;
        assert_eq!(first.path(), dir.path().join("state/qmbot.sqlite3.lock"));
        let err = StateLock::acquire(&state).expect_err("held by the first");
        let text = err.to_string();
        assert!(
            text.contains("another qmbot instance") && !text.contains('\n'),
            "{text}"
        );
        drop(first);
        StateLock::acquire(&state)?;
        Ok(())
    }
}
