//! Every change the writing commands make to the filesystem goes through `Fs`: creating
//! folders, writing, renaming, removing, setting permissions, syncing. `RealFs` is the one
//! the commands use; tests substitute one that fails, or "crashes" (stops acting, as
//! `kill -9` would), at any chosen operation, to prove that no step's failure loses a byte.
//! Reads are not effects and go straight to the disk.
//!
//! Also here: folders created so a failure can remove them again, and the lock that keeps
//! one writer per folder.

use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::interrupt;

/// The filesystem effects of the writing commands.
pub trait Fs: Sync {
    fn create_dir(&self, path: &Path) -> io::Result<()>;
    fn write(&self, path: &Path, contents: &[u8]) -> io::Result<()>;
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove_file(&self, path: &Path) -> io::Result<()>;
    fn remove_dir(&self, path: &Path) -> io::Result<()>;
    fn remove_dir_all(&self, path: &Path) -> io::Result<()>;
    fn copy(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn set_permissions(&self, path: &Path, permissions: std::fs::Permissions) -> io::Result<()>;
    /// Make a file's contents, or a folder's entries, durable (fsync).
    fn sync(&self, path: &Path) -> io::Result<()>;
}

/// The real filesystem, through fs-err (its errors name the path).
#[derive(Debug, Default, Clone, Copy)]
pub struct RealFs;

impl Fs for RealFs {
    fn create_dir(&self, path: &Path) -> io::Result<()> {
        fs_err::create_dir(path)
    }
    fn write(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        fs_err::write(path, contents)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs_err::rename(from, to)
    }
    fn remove_file(&self, path: &Path) -> io::Result<()> {
        fs_err::remove_file(path)
    }
    fn remove_dir(&self, path: &Path) -> io::Result<()> {
        fs_err::remove_dir(path)
    }
    fn remove_dir_all(&self, path: &Path) -> io::Result<()> {
        fs_err::remove_dir_all(path)
    }
    fn copy(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs_err::copy(from, to).map(|_| ())
    }
    fn set_permissions(&self, path: &Path, permissions: std::fs::Permissions) -> io::Result<()> {
        fs_err::set_permissions(path, permissions)
    }
    fn sync(&self, path: &Path) -> io::Result<()> {
        fs_err::File::open(path)?.sync_all()
    }
}

/// `mkdir -p dir`, returning the folders it created (outermost first) so a failure can
/// remove them again; each is registered for removal on a signal.
pub fn create_dirs(fs: &dyn Fs, dir: &Path) -> Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut cur = Some(dir);
    while let Some(p) = cur {
        if p.as_os_str().is_empty() || p.exists() {
            break;
        }
        missing.push(p.to_path_buf());
        cur = p.parent();
    }
    missing.reverse();
    for (i, dir) in missing.iter().enumerate() {
        interrupt::register(dir.clone());
        if let Err(e) = fs.create_dir(dir) {
            remove_created(fs, &missing[..i]);
            return Err(Error::io(dir, "cannot be created", e));
        }
    }
    Ok(missing)
}

/// Remove folders `create_dirs` made (innermost first); a folder that is no longer empty
/// stays, since something else now lives in it.
pub fn remove_created(fs: &dyn Fs, dirs: &[PathBuf]) {
    for d in dirs.iter().rev() {
        let _ = fs.remove_dir(d);
    }
}

/// An exclusive advisory lock on a folder (or file), held until dropped. Waits (a commit
/// takes milliseconds) but gives up on a signal.
///
/// On Unix the folder itself is locked (`flock` on a read-only handle). Windows cannot lock a
/// folder, so there a stand-in file is locked instead: one per folder, in the temporary
/// folder, named after the folder's canonical path, so every process that locks the folder,
/// whichever way it spells the path, locks the same file; nothing is written beside the
/// user's files. Both are `std::fs::File::try_lock` (`flock`, `LockFileEx`): the lock goes
/// with the process, so a crash never leaves one held.
pub struct DirLock {
    _file: std::fs::File,
}

impl DirLock {
    pub fn acquire(dir: &Path) -> Result<DirLock> {
        loop {
            if let Some(lock) = DirLock::try_acquire(dir)? {
                return Ok(lock);
            }
            interrupt::check()?;
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// The lock if no one holds it, else `None`.
    pub fn try_acquire(path: &Path) -> Result<Option<DirLock>> {
        #[cfg(unix)]
        let file = fs_err::File::open(path)
            .map_err(|e| Error::io(path, "cannot be locked", e))?
            .into_parts()
            .0;
        #[cfg(not(unix))]
        let file = stand_in(path)?;
        DirLock::try_lock(file, path)
    }

    /// `try_acquire` through the stand-in file, as on Windows, for tests on every platform.
    #[cfg(test)]
    pub(crate) fn try_acquire_stand_in(path: &Path) -> Result<Option<DirLock>> {
        DirLock::try_lock(stand_in(path)?, path)
    }

    fn try_lock(file: std::fs::File, path: &Path) -> Result<Option<DirLock>> {
        match file.try_lock() {
            Ok(()) => Ok(Some(DirLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(Error::io(path, "cannot be locked", e)),
        }
    }
}

/// The file that stands in for `dir` when locking it: `<temp>/aichor-locks/<SHA-256 of its
/// canonical path>.lock`, created if missing and never removed (removing a lock file races
/// whoever opens it next; each is empty).
#[cfg(any(test, not(unix)))]
fn stand_in(dir: &Path) -> Result<std::fs::File> {
    use sha2::{Digest, Sha256};
    let canonical = fs_err::canonicalize(dir).map_err(|e| Error::io(dir, "cannot be locked", e))?;
    let digest = Sha256::digest(canonical.as_os_str().as_encoded_bytes());
    let name = digest.iter().fold(String::with_capacity(64), |mut hex, b| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{b:02x}");
        hex
    });
    let locks = std::env::temp_dir().join("aichor-locks");
    let file = locks.join(format!("{name}.lock"));
    fs_err::create_dir_all(&locks).map_err(|e| Error::io(&locks, "cannot hold a lock file", e))?;
    fs_err::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&file)
        .map(|f| f.into_parts().0)
        .map_err(|e| Error::io(&file, "cannot be locked", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Windows' folder lock (a stand-in file per folder): one holder at a time, whichever way
    /// the folder's path is spelt, and one folder's lock does not hold another's.
    #[test]
    fn the_stand_in_lock_holds_one_folder_against_every_spelling() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        fs_err::create_dir(&a).unwrap();
        fs_err::create_dir(&b).unwrap();
        let held = DirLock::try_acquire_stand_in(&a).unwrap();
        assert!(held.is_some());
        assert!(DirLock::try_acquire_stand_in(&a).unwrap().is_none());
        assert!(
            DirLock::try_acquire_stand_in(&b.join("..").join("a"))
                .unwrap()
                .is_none(),
            "another spelling of the folder took its lock"
        );
        assert!(DirLock::try_acquire_stand_in(&b).unwrap().is_some());
        drop(held);
        assert!(DirLock::try_acquire_stand_in(&a).unwrap().is_some());
    }

    /// A folder that does not exist cannot be locked: an error naming it, not a panic.
    #[test]
    fn a_missing_folder_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let gone = tmp.path().join("gone");
        let err = DirLock::try_acquire_stand_in(&gone).err().unwrap();
        assert!(err.to_string().contains("gone"), "{err}");
        assert!(DirLock::try_acquire(&gone).is_err());
    }
}
