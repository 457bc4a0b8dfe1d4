//! Every filesystem step of the writing commands, failed in turn and "crashed" at in turn:
//! run each scenario once to count its operations N, then for every k in 1..=N
//! - fail operation k (ENOSPC, EACCES, EIO, EXDEV, in rotation): the command reports an error
//!   naming the path and its cause, exit status 1, and the destination is byte for byte what
//!   it was (files, modes, symlinks), with no staging folder left; or, when k falls after
//!   the commit (removing the staging folder), it succeeds with the new project and the
//!   next run's recovery removes the leftover;
//! - stop acting at operation k, as `kill -9` would (no cleanup runs): after the recovery the
//!   next run performs, the destination is exactly the old state or exactly the new one.

use std::collections::BTreeMap;
use std::io;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use aichor::error::{Error, Origin};
use aichor::generate::answers::ProvidedAnswers;
use aichor::init::settings::{InitSettings, LockPolicy, WritePolicy};
use aichor::printer::Printer;
use aichor::txn::fs::{Fs, RealFs};

/// What the test filesystem does at operation `k`.
#[derive(Clone, Copy)]
enum Mode {
    /// Count operations; fail none.
    Count,
    /// Fail operation k (1-based) with this errno; the others act.
    Fail(usize, i32),
    /// From operation k on, do nothing (the process died).
    Crash(usize),
}

struct FaultyFs {
    mode: Mode,
    count: AtomicUsize,
    crashed: AtomicBool,
    log: Mutex<Vec<String>>,
}

impl FaultyFs {
    fn new(mode: Mode) -> FaultyFs {
        FaultyFs {
            mode,
            count: AtomicUsize::new(0),
            crashed: AtomicBool::new(false),
            log: Mutex::new(Vec::new()),
        }
    }

    fn ops(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    fn act<T>(&self, what: String, op: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
        let k = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        self.log.lock().unwrap().push(what);
        if self.crashed.load(Ordering::SeqCst) {
            return Err(io::Error::other("crashed"));
        }
        match self.mode {
            Mode::Fail(n, errno) if k == n => Err(io::Error::from_raw_os_error(errno)),
            Mode::Crash(n) if k >= n => {
                self.crashed.store(true, Ordering::SeqCst);
                Err(io::Error::other("crashed"))
            }
            _ => op(),
        }
    }
}

impl Fs for FaultyFs {
    fn create_dir(&self, p: &Path) -> io::Result<()> {
        self.act(format!("mkdir {}", p.display()), || RealFs.create_dir(p))
    }
    fn write(&self, p: &Path, c: &[u8]) -> io::Result<()> {
        self.act(format!("write {}", p.display()), || RealFs.write(p, c))
    }
    fn rename(&self, a: &Path, b: &Path) -> io::Result<()> {
        self.act(format!("rename {} {}", a.display(), b.display()), || {
            RealFs.rename(a, b)
        })
    }
    fn remove_file(&self, p: &Path) -> io::Result<()> {
        self.act(format!("rm {}", p.display()), || RealFs.remove_file(p))
    }
    fn remove_dir(&self, p: &Path) -> io::Result<()> {
        self.act(format!("rmdir {}", p.display()), || RealFs.remove_dir(p))
    }
    fn remove_dir_all(&self, p: &Path) -> io::Result<()> {
        self.act(format!("rm -r {}", p.display()), || {
            RealFs.remove_dir_all(p)
        })
    }
    fn copy(&self, a: &Path, b: &Path) -> io::Result<()> {
        self.act(format!("cp {} {}", a.display(), b.display()), || {
            RealFs.copy(a, b)
        })
    }
    fn set_permissions(&self, p: &Path, perm: std::fs::Permissions) -> io::Result<()> {
        self.act(format!("chmod {}", p.display()), || {
            RealFs.set_permissions(p, perm)
        })
    }
    fn sync(&self, p: &Path) -> io::Result<()> {
        self.act(format!("sync {}", p.display()), || RealFs.sync(p))
    }
}

/// A folder as comparable data: every entry's kind, mode bits and contents (or link target).
fn snapshot(root: &Path) -> BTreeMap<String, (String, u32, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, (String, u32, Vec<u8>)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&p).unwrap();
                out.insert(
                    rel,
                    ("link".into(), 0, target.display().to_string().into_bytes()),
                );
            } else if meta.is_dir() {
                out.insert(rel, ("dir".into(), mode, Vec::new()));
                walk(root, &p, out);
            } else {
                out.insert(rel, ("file".into(), mode, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// One scenario: how to lay out the folder before, and what to run in it.
struct Scenario {
    name: &'static str,
    setup: fn(&Path),
    run: fn(&Path, &dyn Fs) -> Result<(), Error>,
}

fn init_settings(dest: PathBuf, force: bool) -> InitSettings {
    let mut answers = ProvidedAnswers::default();
    answers.insert("name", "demo", Origin::Set);
    answers.insert("operator", "jax", Origin::Set);
    InitSettings {
        destination: Some(dest),
        write: if force {
            WritePolicy::Force
        } else {
            WritePolicy::Ask
        },
        // No uv here: the lock step is an external program, not a filesystem operation.
        lock: LockPolicy::Auto,
        answers,
        ..InitSettings::default()
    }
}

fn run_init(parent: &Path, fs: &dyn Fs, force: bool) -> Result<(), Error> {
    // SAFETY of the test: AICHOR_UV is never set in this process, and uv may be missing;
    // a kept uv.lock skips it anyway.
    aichor::init::run_with(
        &init_settings(parent.join("demo"), force),
        None,
        &Printer::quiet(),
        fs,
    )
    .map(|_| ())
}

fn existing_project(parent: &Path) {
    let dest = parent.join("demo");
    std::fs::create_dir_all(dest.join("src")).unwrap();
    std::fs::write(
        dest.join("pyproject.toml"),
        "[project]\nname = \"demo\"\ndependencies = [\"pandas\"]\n",
    )
    .unwrap();
    std::fs::write(dest.join(".gitignore"), "data/\n").unwrap();
    std::fs::write(dest.join("Dockerfile"), "FROM scratch\n").unwrap();
    std::fs::write(dest.join("notes.txt"), "mine").unwrap();
    std::fs::set_permissions(
        dest.join("notes.txt"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    symlink("notes.txt", dest.join("link")).unwrap();
}

/// `manifest new gpu.yaml --profile gpu-t4` in the project `demo` (without uv: the lock is
/// an external program, not a filesystem operation).
fn run_new(parent: &Path, fs: &dyn Fs) -> Result<(), Error> {
    let mut answers = ProvidedAnswers::default();
    answers.insert("profile", "gpu-t4", Origin::Flag("--profile".into()));
    let settings = aichor::manifest_new::NewSettings {
        path: "gpu.yaml".into(),
        start: parent.join("demo"),
        answers,
        lock: LockPolicy::Skip,
        ..aichor::manifest_new::NewSettings::default()
    };
    aichor::manifest_new::run_with(&settings, None, &Printer::quiet(), fs).map(|_| ())
}

/// A pytorch project (made through the real filesystem) with a user's edit, for `update`.
fn pytorch_project(parent: &Path) {
    let mut settings = init_settings(parent.join("demo"), false);
    settings.answers.insert("operator", "pytorch", Origin::Set);
    aichor::init::run(&settings, None, &Printer::quiet()).unwrap();
    let readme = parent.join("demo/README.md");
    let text = std::fs::read_to_string(&readme).unwrap();
    std::fs::write(readme, text.replacen("# demo", "# demo (ours)", 1)).unwrap();
}

/// `update --set operator=jax`: files replaced, merged and removed in one commit.
fn run_update(parent: &Path, fs: &dyn Fs) -> Result<(), Error> {
    let mut answers = ProvidedAnswers::default();
    answers.insert("operator", "jax", Origin::Set);
    let settings = aichor::update::UpdateSettings {
        project: parent.join("demo"),
        answers,
        ..aichor::update::UpdateSettings::default()
    };
    aichor::update::run_with(&settings, None, &Printer::quiet(), fs).map(|_| ())
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "update --set operator=jax (replaced, merged and removed files)",
        setup: pytorch_project,
        run: run_update,
    },
    Scenario {
        name: "init, new folder",
        setup: |_| {},
        run: |p, fs| run_init(p, fs, false),
    },
    Scenario {
        name: "init, empty folder (mode 2750)",
        setup: |p| {
            std::fs::create_dir(p.join("demo")).unwrap();
            std::fs::set_permissions(p.join("demo"), std::fs::Permissions::from_mode(0o2750))
                .unwrap();
        },
        run: |p, fs| run_init(p, fs, false),
    },
    Scenario {
        name: "init --force over a project (merged, replaced, kept files, a symlink)",
        setup: existing_project,
        run: |p, fs| run_init(p, fs, true),
    },
    Scenario {
        name: "init --force with a uv.lock present",
        setup: |p| {
            existing_project(p);
            std::fs::write(p.join("demo/uv.lock"), "mine: numpy 1.26\n").unwrap();
        },
        run: |p, fs| run_init(p, fs, true),
    },
    Scenario {
        name: "manifest new (a manifest, a Dockerfile and a starter added, pyproject.toml merged)",
        setup: |p| {
            let settings = InitSettings {
                lock: LockPolicy::Skip,
                ..init_settings(p.join("demo"), false)
            };
            aichor::init::run(&settings, None, &Printer::quiet()).unwrap();
        },
        run: run_new,
    },
    Scenario {
        name: "manifest migrate --write (legacy pytorch)",
        setup: |p| {
            let legacy = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/conformance/legacy/pytorch-demo/manifests/manifest.yaml");
            std::fs::create_dir(p.join("demo")).unwrap();
            std::fs::copy(legacy, p.join("demo/manifest.yaml")).unwrap();
            std::fs::set_permissions(
                p.join("demo/manifest.yaml"),
                std::fs::Permissions::from_mode(0o640),
            )
            .unwrap();
        },
        run: |p, fs| {
            let file = p.join("demo/manifest.yaml");
            let report = aichor::manifest::files::migrate_file(fs, &file, true)?;
            assert_eq!(
                report.outcome,
                aichor::manifest::files::MigrateOutcome::Written,
                "{report:?}"
            );
            Ok(())
        },
    },
    Scenario {
        name: "local-repo adopt (a root manifest and a demo's moved and migrated)",
        setup: |p| {
            let legacy = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/legacy");
            std::fs::create_dir_all(p.join("demo/jax-demo/manifests")).unwrap();
            std::fs::copy(
                legacy.join("pytorch-demo/manifests/manifest.yaml"),
                p.join("demo/manifest.yaml"),
            )
            .unwrap();
            std::fs::copy(
                legacy.join("jax-demo/manifests/manifest.yaml"),
                p.join("demo/jax-demo/manifests/manifest.yaml"),
            )
            .unwrap();
            std::fs::write(p.join("demo/jax-demo/train.py"), "print(1)\n").unwrap();
        },
        run: |p, fs| {
            let settings = aichor::adopt::AdoptSettings {
                path: p.join("demo"),
                force: true,
                ..aichor::adopt::AdoptSettings::default()
            };
            aichor::adopt::run_with(&settings, &Printer::quiet(), fs).map(|_| ())
        },
    },
];

const ERRNOS: [(i32, &str); 4] = [(28, "ENOSPC"), (13, "EACCES"), (5, "EIO"), (18, "EXDEV")];

fn fresh(s: &Scenario) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    (s.setup)(tmp.path());
    tmp
}

/// Paths whose entry differs between two snapshots.
fn diff(
    a: &BTreeMap<String, (String, u32, Vec<u8>)>,
    b: &BTreeMap<String, (String, u32, Vec<u8>)>,
) -> Vec<String> {
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

fn leftovers(dir: &Path) -> Vec<String> {
    snapshot(dir)
        .into_keys()
        .filter(|k| {
            k.rsplit('/')
                .next()
                .unwrap_or(k)
                .starts_with(aichor::txn::staging::PREFIX)
        })
        .collect()
}

// One test per scenario, so a failure names its scenario; each fails and crashes its
// scenario at every filesystem operation in turn. They take turns (`SWEEP`): a scenario that
// spawns git (update, manifest new) in one thread while another thread's recovery tries the
// lock of a folder its crash left makes that recovery fail now and then (the child, between
// fork and exec, still holds the folder's flock), which a real, single-threaded run never
// meets.
#[test]
fn every_failure_and_every_crash_of_update_leaves_the_old_state_or_the_new_one() {
    sweep(&SCENARIOS[0]);
}

#[test]
fn every_failure_and_every_crash_of_init_into_a_new_folder_leaves_the_old_state_or_the_new_one() {
    sweep(&SCENARIOS[1]);
}

#[test]
fn every_failure_and_every_crash_of_init_into_an_empty_folder_leaves_the_old_state_or_the_new_one()
{
    sweep(&SCENARIOS[2]);
}

#[test]
fn every_failure_and_every_crash_of_init_force_leaves_the_old_state_or_the_new_one() {
    sweep(&SCENARIOS[3]);
}

#[test]
fn every_failure_and_every_crash_of_init_force_with_a_lock_leaves_the_old_state_or_the_new_one() {
    sweep(&SCENARIOS[4]);
}

#[test]
fn every_failure_and_every_crash_of_manifest_new_leaves_the_old_state_or_the_new_one() {
    sweep(&SCENARIOS[5]);
}

#[test]
fn every_failure_and_every_crash_of_migrate_write_leaves_the_old_state_or_the_new_one() {
    sweep(&SCENARIOS[6]);
}

#[test]
fn every_failure_and_every_crash_of_adopt_leaves_the_old_state_or_the_new_one() {
    sweep(&SCENARIOS[7]);
}

#[test]
fn every_scenario_has_its_test() {
    assert_eq!(SCENARIOS.len(), 8, "add a test above for the new scenario");
}

static SWEEP: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn sweep(s: &Scenario) {
    let _turn = SWEEP
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut summary = Vec::new();
    {
        // The states to compare with.
        let before = snapshot(fresh(s).path());
        let counter = FaultyFs::new(Mode::Count);
        let done = fresh(s);
        (s.run)(done.path(), &counter).unwrap_or_else(|e| panic!("{}: {e}", s.name));
        let after = snapshot(done.path());
        assert_ne!(before, after, "{}: the run changed nothing", s.name);
        let n = counter.ops();
        assert!(n > 0, "{}: no operation went through Fs", s.name);

        let (mut failed, mut crashed, mut late) = (0, 0, 0);
        for k in 1..=n {
            // Failure at k.
            let (errno, errname) = ERRNOS[k % ERRNOS.len()];
            let tmp = fresh(s);
            let fs = FaultyFs::new(Mode::Fail(k, errno));
            if let Err(e) = (s.run)(tmp.path(), &fs) {
                assert_eq!(e.exit_code(), 1, "{} fail@{k} ({errname}): {e}", s.name);
                let text = format!("{e}: {}", e.causes().join(": "));
                assert!(
                    text.contains('`') && !e.causes().is_empty(),
                    "{} fail@{k}: says what and why: {text}",
                    s.name
                );
                let state = snapshot(tmp.path());
                assert!(
                    state == before,
                    "{} fail@{k} ({errname}): {text}\ndiffers in: {:?}\nops: {:#?}",
                    s.name,
                    diff(&before, &state),
                    fs.log.lock().unwrap()
                );
            } else {
                late += 1;
                // Only a failure after the commit (cleaning up) may let the run succeed.
                aichor::txn::staging::recover(&RealFs, tmp.path());
                aichor::txn::staging::recover(&RealFs, &tmp.path().join("demo"));
                assert_eq!(
                    snapshot(tmp.path()),
                    after,
                    "{} fail@{k} succeeded with a different result",
                    s.name
                );
            }
            failed += 1;

            // Crash at k, then the next run's recovery.
            let tmp = fresh(s);
            let fs = FaultyFs::new(Mode::Crash(k));
            let _ = (s.run)(tmp.path(), &fs);
            // The next run's recovery. A git that another test thread is starting can hold the
            // crashed run's staging lock between its fork and exec (a moment): recovery then
            // leaves that folder to the run after, as it would for a live writer. Run it again
            // as that later run would.
            let (mut said, mut said2) = (Vec::new(), Vec::new());
            for _ in 0..20 {
                said.extend(aichor::txn::staging::recover(&RealFs, tmp.path()));
                said2.extend(aichor::txn::staging::recover(
                    &RealFs,
                    &tmp.path().join("demo"),
                ));
                if leftovers(tmp.path()).is_empty() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            let state = snapshot(tmp.path());
            assert!(
                state == before || state == after,
                "{} crash@{k}: neither old nor new after recovery ({said:?} {said2:?});\nleft: {:?}\nops: {:#?}",
                s.name,
                state.keys().collect::<Vec<_>>(),
                fs.log.lock().unwrap()
            );
            assert!(
                leftovers(tmp.path()).is_empty(),
                "{} crash@{k}: {:?}",
                s.name,
                leftovers(tmp.path())
            );
            crashed += 1;
        }
        summary.push(format!(
            "{}: N = {n}, {failed} failures ({late} of them after the commit, succeeding) and {crashed} crashes passed",
            s.name
        ));
    }
    for line in &summary {
        eprintln!("{line}");
    }
}
