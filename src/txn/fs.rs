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
pub struct DirLock {
    #[cfg(unix)]
    _file: std::fs::File,
}

impl DirLock {
    #[cfg(unix)]
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
    #[cfg(unix)]
    pub fn try_acquire(path: &Path) -> Result<Option<DirLock>> {
        // Opening a folder read-only is allowed on Unix, and flock works on it.
        let file = fs_err::File::open(path)
            .map_err(|e| Error::io(path, "cannot be locked", e))?
            .into_parts()
            .0;
        match file.try_lock() {
            Ok(()) => Ok(Some(DirLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(Error::io(path, "cannot be locked", e)),
        }
    }

    /// Elsewhere, no lock: the re-inspection under `apply` still refuses most races.
    #[cfg(not(unix))]
    pub fn acquire(_: &Path) -> Result<DirLock> {
        Ok(DirLock {})
    }

    #[cfg(not(unix))]
    pub fn try_acquire(_: &Path) -> Result<Option<DirLock>> {
        Ok(Some(DirLock {}))
    }
}
