//! The interactive path through a real pseudo-terminal: what a user at a terminal sees and
//! types, including Ctrl-C. Matches substrings only: dialoguer redraws lines as it goes.

use std::path::Path;
use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::session::PtySession;

use crate::support::entries;

const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";
const ESC: &str = "\x1b";

fn spawn(cwd: &Path, args: &[&str]) -> PtySession {
    spawn_env(cwd, args, &[("AICHOR_NO_CONFIG", "1")])
}

/// `spawn` with these variables, in the suite's sandbox (`support::isolate`).
fn spawn_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aichor"));
    crate::support::isolate(&mut cmd);
    // `spawn` asks for no config file; a test that gives `XDG_CONFIG_HOME` reads one.
    cmd.env_remove("AICHOR_NO_CONFIG");
    cmd.args(["local-repo", "init"])
        .args(args)
        .current_dir(cwd)
        .env("TERM", "xterm-256color");
    for (k, v) in env {
        cmd.env(k, v);
    }
    rexpect::session::spawn_command(cmd, Some(20_000)).expect("spawn in a pty")
}

/// `aichor local-repo adopt` in a pseudo-terminal, in the sandbox, without a config file.
fn spawn_adopt(cwd: &Path) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aichor"));
    crate::support::isolate(&mut cmd);
    cmd.args(["local-repo", "adopt"])
        .current_dir(cwd)
        .env("TERM", "xterm-256color");
    rexpect::session::spawn_command(cmd, Some(20_000)).expect("spawn in a pty")
}

/// Press a key at a select/confirm prompt. console switches the terminal to raw mode with
/// TCSAFLUSH for each key read, which discards anything typed before; so wait until the
/// prompt is waiting for the key, as a person would.
fn key(p: &mut PtySession, keys: &str) {
    std::thread::sleep(std::time::Duration::from_millis(300));
    p.send(keys).expect("send key");
    p.flush().expect("flush");
}

fn exit_code(p: &mut PtySession) -> i32 {
    match p.process_mut().wait().expect("wait") {
        WaitStatus::Exited(_, code) => code,
        other => panic!("unexpected status {other:?}"),
    }
}

#[test]
fn choose_an_operator_and_accept_the_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = spawn(tmp.path(), &[]);
    p.exp_string("Project name").unwrap();
    p.send_line("demo").unwrap();
    p.exp_string("Operator").unwrap();
    p.exp_string("torch.distributed").unwrap();
    key(&mut p, DOWN); // jax
    key(&mut p, ENTER);
    p.exp_string("Resource profile").unwrap();
    // rexpect decodes bytes one by one, so match ASCII only.
    p.exp_string("4 GB RAM").unwrap();
    key(&mut p, ENTER);
    p.exp_string("Containers, process 0 coordinating").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Python version").unwrap();
    key(&mut p, ENTER);
    p.exp_string("TensorBoard").unwrap();
    key(&mut p, ENTER);
    p.exp_string("Will write into").unwrap();
    p.exp_string("Write these 11 files?").unwrap();
    key(&mut p, "y");
    p.exp_string("Created").unwrap();
    p.exp_string("aichor[manifest.yaml]").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 0);
    assert_eq!(entries(tmp.path()), ["demo"]);
    let manifest =
        std::fs::read_to_string(tmp.path().join("demo/aichor_manifests/manifest.yaml")).unwrap();
    assert!(manifest.contains("operator: jax"), "{manifest}");
    assert!(
        manifest.contains("count: 2"),
        "cpu-small's default of 2 workers: {manifest}"
    );
}

#[test]
fn invalid_typed_values_are_reasked_not_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = spawn(
        tmp.path(),
        &["--operator", "jobset", "--profile", "cpu-small"],
    );
    p.exp_string("Project name").unwrap();
    p.send_line("My Proj").unwrap();
    // The same suggestion as `--name` gets.
    p.exp_string("must start with a lowercase letter a-z: try `my-proj`")
        .unwrap();
    p.send_line("email").unwrap();
    p.exp_string("standard library").unwrap();
    p.send_line("my-proj").unwrap();
    p.exp_string("Jobs of one").unwrap();
    p.send_line("0").unwrap();
    p.exp_string("at least 1 container").unwrap();
    p.send_line("3").unwrap();
    p.exp_string("Python version").unwrap();
    key(&mut p, ENTER);
    p.exp_string("TensorBoard").unwrap();
    key(&mut p, "n");
    // The built-in pack's jobset question, with its help; the default (1) is taken.
    p.exp_string("every pod takes its own share").unwrap();
    p.exp_string("Pods per job").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Write these").unwrap();
    key(&mut p, "y");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 0);
    let manifest =
        std::fs::read_to_string(tmp.path().join("my-proj/aichor_manifests/manifest.yaml")).unwrap();
    assert!(
        manifest.contains("count: 3") && manifest.contains("enabled: false"),
        "{manifest}"
    );
}

#[test]
fn flags_are_checked_before_the_first_question() {
    for (flag, value, says) in [
        ("--python", "2.7", "invalid python `2.7` (from `--python`)"),
        ("--workers", "-1", "invalid workers `-1` (from `--workers`)"),
        (
            "--profile",
            "gpu-a101",
            "invalid profile `gpu-a101` (from `--profile`)",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let mut p = spawn(tmp.path(), &[flag, value]);
        let before = p.exp_string(says).unwrap();
        assert!(!before.contains("Project name"), "{flag}: asked first");
        p.exp_eof().unwrap();
        assert_eq!(exit_code(&mut p), 2, "{flag}");
        assert!(entries(tmp.path()).is_empty());
    }
    // `--workers 0` suits kuberay (head only): it waits for the operator's answer.
    let tmp = tempfile::tempdir().unwrap();
    let mut p = spawn(tmp.path(), &["--workers", "0"]);
    p.exp_string("Project name").unwrap();
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn the_users_defaults_are_preselected_not_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("aichor")).unwrap();
    std::fs::write(
        tmp.path().join("aichor/config.toml"),
        "[defaults]\npython = \"3.13\"\n",
    )
    .unwrap();
    let config = tmp.path().to_str().unwrap();
    let mut p = spawn_env(
        tmp.path(),
        &["demo", "--operator", "jax", "--profile", "cpu-small"],
        &[("XDG_CONFIG_HOME", config), ("AICHOR_TENSORBOARD", "no")],
    );
    p.exp_string("Containers").unwrap();
    p.send_line("").unwrap();
    // Still asked, with the config's answer under the cursor: Enter takes it.
    p.exp_string("Python version").unwrap();
    key(&mut p, ENTER);
    p.exp_string("TensorBoard").unwrap();
    key(&mut p, ENTER);
    p.exp_string("Write these").unwrap();
    key(&mut p, "y");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 0);
    let demo = tmp.path().join("demo");
    assert_eq!(
        std::fs::read_to_string(demo.join(".python-version"))
            .unwrap()
            .trim(),
        "3.13"
    );
    let manifest = std::fs::read_to_string(demo.join("aichor_manifests/manifest.yaml")).unwrap();
    assert!(manifest.contains("enabled: false"), "{manifest}");
}

#[test]
fn esc_goes_back_a_question_and_at_the_first_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = spawn(tmp.path(), &["demo"]);
    p.exp_string("Operator").unwrap();
    key(&mut p, ENTER); // pytorch
    p.exp_string("Resource profile").unwrap();
    key(&mut p, ESC);
    // The operator menu again: take jax this time.
    p.exp_string("Operator").unwrap();
    key(&mut p, DOWN);
    key(&mut p, ENTER);
    p.exp_string("Resource profile").unwrap();
    key(&mut p, ENTER);
    p.exp_string("Containers").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Python version").unwrap();
    key(&mut p, ENTER);
    p.exp_string("TensorBoard").unwrap();
    key(&mut p, ENTER);
    p.exp_string("Write these").unwrap();
    key(&mut p, "y");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 0);
    let manifest =
        std::fs::read_to_string(tmp.path().join("demo/aichor_manifests/manifest.yaml")).unwrap();
    assert!(manifest.contains("operator: jax"), "{manifest}");

    // Esc at the first menu: nothing to go back to, so the run stops without an error.
    let tmp = tempfile::tempdir().unwrap();
    let mut p = spawn(tmp.path(), &["demo"]);
    p.exp_string("Operator").unwrap();
    key(&mut p, ESC);
    let before = p.exp_string("Nothing written.").unwrap();
    assert!(!before.contains("error"), "{before}");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 1);
    assert!(entries(tmp.path()).is_empty());
}

#[test]
fn in_a_git_repository_init_offers_the_commit_msg_hook() {
    // A fresh clone of the repository the AIchor project is linked to: only `.git` in it.
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("demo");
    std::fs::create_dir(&repo).unwrap();
    let ok = crate::support::git(&repo)
        .args(["init", "-q"])
        .status()
        .expect("git is installed")
        .success();
    assert!(ok);
    let mut p = spawn(
        tmp.path(),
        &[
            "demo",
            "--operator",
            "jax",
            "--profile",
            "cpu-small",
            "--workers",
            "2",
        ],
    );
    p.exp_string("Python version").unwrap();
    key(&mut p, ENTER);
    p.exp_string("TensorBoard").unwrap();
    key(&mut p, ENTER);
    p.exp_string("Write these").unwrap();
    key(&mut p, "y");
    p.exp_string("commit-msg hook").unwrap();
    key(&mut p, "y");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 0);
    let hook = std::fs::read_to_string(repo.join(".git/hooks/commit-msg")).unwrap();
    assert!(hook.contains("local-repo check --commit-msg"), "{hook}");
    assert!(repo.join("aichor_manifests/manifest.yaml").is_file());

    // Inside a repository but not at its root: a push there would not run this project, so
    // no hook is offered, and the next steps say it needs its own repository.
    let mut p = spawn(
        &repo,
        &[
            "nested",
            "--operator",
            "jax",
            "--profile",
            "cpu-small",
            "--workers",
            "2",
        ],
    );
    p.exp_string("Python version").unwrap();
    key(&mut p, ENTER);
    p.exp_string("TensorBoard").unwrap();
    key(&mut p, ENTER);
    p.exp_string("Write these").unwrap();
    key(&mut p, "y");
    let rest = p.exp_eof().unwrap();
    assert!(!rest.contains("commit-msg hook"), "{rest}");
    assert!(rest.contains("so this project gets its own"), "{rest}");
    assert!(rest.contains("git init && git add -A"), "{rest}");
    assert_eq!(exit_code(&mut p), 0);

    // Not in a git repository: not offered (init does not run `git init`).
    let plain = tempfile::tempdir().unwrap();
    let mut p = spawn(
        plain.path(),
        &[
            "demo",
            "--operator",
            "jax",
            "--profile",
            "cpu-small",
            "--workers",
            "2",
        ],
    );
    p.exp_string("Python version").unwrap();
    key(&mut p, ENTER);
    p.exp_string("TensorBoard").unwrap();
    key(&mut p, ENTER);
    p.exp_string("Write these").unwrap();
    key(&mut p, "y");
    let rest = p.exp_eof().unwrap();
    assert!(!rest.contains("commit-msg hook"), "{rest}");
    assert_eq!(exit_code(&mut p), 0);
}

#[test]
fn a_folder_name_that_cannot_be_a_project_name_is_asked_for() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("My Project");
    std::fs::create_dir(&dir).unwrap();
    let mut p = spawn(&dir, &[".", "--operator", "jax", "--profile", "cpu-small"]);
    p.exp_string("The folder's name `My Project` cannot be the project name")
        .unwrap();
    p.exp_string("Project name").unwrap();
    // The suggestion is the default: Enter takes it.
    p.exp_string("my-project").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Containers").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Python version").unwrap();
    key(&mut p, ENTER);
    p.exp_string("TensorBoard").unwrap();
    key(&mut p, ENTER);
    p.exp_string("Write these").unwrap();
    key(&mut p, "y");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 0);
    assert!(dir.join("src/my_project/main.py").is_file());
}

/// Enter on an empty name says why it is not taken (it used to ask again without a word).
#[test]
fn an_empty_project_name_says_why_it_is_asked_again() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = spawn(tmp.path(), &["--operator", "jax", "--profile", "cpu-small"]);
    p.exp_string("Project name").unwrap();
    p.send_line("").unwrap();
    p.exp_string("the project name is empty").unwrap();
    p.send_line("demo").unwrap();
    p.exp_string("Containers").unwrap();
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 130);
    assert!(entries(tmp.path()).is_empty());
}

#[test]
fn ctrl_c_at_a_select_prompt_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = spawn(tmp.path(), &["demo"]);
    p.exp_string("Operator").unwrap();
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 130);
    assert!(entries(tmp.path()).is_empty(), "{:?}", entries(tmp.path()));
}

#[test]
fn ctrl_c_at_a_text_prompt_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = spawn(tmp.path(), &["--operator", "jax"]);
    p.exp_string("Project name").unwrap();
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 130);
    assert!(entries(tmp.path()).is_empty(), "{:?}", entries(tmp.path()));
}

#[test]
fn declining_the_summary_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = spawn(
        tmp.path(),
        &[
            "demo",
            "--operator",
            "xgboost",
            "--profile",
            "cpu-small",
            "--workers",
            "2",
        ],
    );
    p.exp_string("Python version").unwrap();
    key(&mut p, ENTER);
    p.exp_string("TensorBoard").unwrap();
    key(&mut p, ENTER);
    p.exp_string("Write these").unwrap();
    key(&mut p, "n");
    // A "no" is an answer, not a failure: no red `error:`.
    let before = p.exp_string("Nothing written.").unwrap();
    assert!(!before.contains("error"), "{before}");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 1);
    assert!(entries(tmp.path()).is_empty());
}

#[test]
fn a_non_empty_destination_asks_before_writing_into_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("demo");
    std::fs::create_dir(&dest).unwrap();
    std::fs::write(dest.join("Dockerfile"), "FROM scratch\n").unwrap();
    let mut p = spawn(
        tmp.path(),
        &[
            "demo",
            "--operator",
            "jobset",
            "--profile",
            "cpu-small",
            "--workers",
            "1",
            "--python",
            "3.11",
            "--tensorboard",
            "--set",
            "completions=1",
        ],
    );
    p.exp_string("these files would be replaced: Dockerfile")
        .unwrap();
    key(&mut p, "n");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 1);
    assert_eq!(
        std::fs::read_to_string(dest.join("Dockerfile")).unwrap(),
        "FROM scratch\n"
    );
}

#[test]
fn pack_questions_are_asked_after_the_builtin_ones_with_their_help() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = tmp.path().join("pack");
    std::fs::create_dir_all(pack.join("files")).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        "[pack]\nname = \"p\"\nversion = \"1.0.0\"\ndescription = \"d\"\nextends = \"builtin\"\n\n\
         [[questions]]\nkey = \"team\"\nprompt = \"Team name\"\ntype = \"string\"\ndefault = \"research\"\n\
         pattern = \"^[a-z]+$\"\nhelp = \"Lowercase letters only\"\n\n\
         [[questions]]\nkey = \"gpu_only\"\nprompt = \"GPU question\"\ntype = \"bool\"\nwhen = \"profile is starting_with(pat='gpu')\"\n",
    )
    .unwrap();
    std::fs::write(pack.join("files/team.txt.tera"), "{{ team }}\n").unwrap();
    let args = [
        "demo",
        "--template",
        pack.to_str().unwrap(),
        "--operator",
        "jobset",
        "--profile",
        "cpu-small",
        "--workers",
        "1",
        "--python",
        "3.11",
        "--no-tensorboard",
        "--set",
        "completions=1",
    ];
    let mut p = spawn(tmp.path(), &args);
    p.exp_string("Lowercase letters only").unwrap();
    p.exp_string("Team name").unwrap();
    p.send_line("Bad").unwrap();
    p.exp_string("does not match").unwrap();
    p.send_line("vision").unwrap();
    // The GPU-only question is skipped on a CPU profile.
    p.exp_string("Write these").unwrap();
    key(&mut p, "y");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 0);
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("demo/team.txt")).unwrap(),
        "vision\n"
    );
}

/// `AICHOR_NO_INPUT` reads like any boolean variable: `1` (the manual's own example)
/// disables prompting even in a terminal, `0` and empty keep it.
#[test]
fn aichor_no_input_accepts_the_usual_spellings() {
    for (value, prompts) in [("1", false), ("yes", false), ("0", true), ("", true)] {
        let tmp = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aichor"));
        crate::support::isolate(&mut cmd);
        cmd.args(["local-repo", "init", "demo"])
            .current_dir(tmp.path())
            .env("TERM", "xterm-256color")
            .env("AICHOR_UV", "/nonexistent/uv")
            .env("AICHOR_NO_INPUT", value);
        let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).expect("spawn in a pty");
        if prompts {
            p.exp_string("Operator").unwrap();
            p.send_control('c').unwrap();
            p.exp_eof().unwrap();
        } else {
            p.exp_string("no value for `operator`, and prompting is disabled")
                .unwrap();
            p.exp_eof().unwrap();
            assert_eq!(exit_code(&mut p), 2, "AICHOR_NO_INPUT={value:?}");
        }
    }
}

/// After `adopt` moved a legacy root manifest, a user at a terminal is offered the hook that
/// checks the `aichor[...]:` messages it just printed; Esc declines and nothing else changes.
#[test]
fn adopt_offers_the_commit_msg_hook_at_a_terminal() {
    for (answer, installed) in [("y", true), (ESC, false)] {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("legacy");
        std::fs::create_dir(&repo).unwrap();
        std::fs::write(
            repo.join("manifest.yaml"),
            "kind: AIchorManifest\napiVersion: 0.2.3\nbuilder:\n  image: demo\n  dockerfile: ./Dockerfile\n  context: .\nspec:\n  operator: jax\n  image: demo\n  command: python -m demo.main\n  types:\n    worker:\n      count: 1\n      resources:\n        cpus: 1\n        ramRatio: 2\n",
        )
        .unwrap();
        for args in [
            &["init", "-q"][..],
            &["add", "-A"],
            &["commit", "-qm", "legacy"],
        ] {
            let ok = crate::support::git(&repo)
                .args(args)
                .status()
                .expect("git is installed")
                .success();
            assert!(ok, "git {args:?}");
        }
        let mut p = spawn_adopt(&repo);
        p.exp_string("commit-msg hook").unwrap();
        key(&mut p, answer);
        p.exp_eof().unwrap();
        assert_eq!(exit_code(&mut p), 0);
        assert!(repo.join("aichor_manifests/manifest.yaml").is_file());
        assert_eq!(
            repo.join(".git/hooks/commit-msg").is_file(),
            installed,
            "answer {answer:?}"
        );
    }
}
