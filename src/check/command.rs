//! What `spec.command` runs: Python modules (`python -m pkg.mod`, `uv run -m`, `torchrun -m`,
//! a launcher's own `-m pkg.main`) and script files (`python main.py`, `torchrun train.py`,
//! `bash run.sh`). Anything else (a program from the image) is not looked for.

/// Something the command needs from the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A dotted module name run with `-m`.
    Module(String),
    /// A script path as written.
    Script(String),
}

/// The targets of a command line.
pub fn targets(command: &str) -> Vec<Target> {
    let words = split(command);
    let mut out = Vec::new();
    run(&words, &mut out);
    out
}

/// Words of a command line: whitespace separates, quotes group, a backslash escapes.
pub fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => {
                if let Some(next) = chars.next() {
                    word.push(next);
                }
                in_word = true;
            }
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The program's name without its folder: `/usr/bin/python3` → `python3`.
fn program(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn is_python(word: &str) -> bool {
    let p = program(word);
    p == "python"
        || p.strip_prefix("python")
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_script(word: &str) -> bool {
    std::path::Path::new(word)
        .extension()
        .is_some_and(|e| e == "py" || e == "sh")
}

fn run(words: &[String], out: &mut Vec<Target>) {
    let mut i = 0;
    // `env [-u NAME] NAME=value ...` and bare assignments before the program.
    while let Some(w) = words.get(i) {
        if w == "env" || w.contains('=') && !w.starts_with('-') {
            i += 1;
        } else if w == "-u" && i > 0 && words[i - 1] == "env" {
            i += 2;
        } else {
            break;
        }
    }
    let Some(first) = words.get(i) else { return };
    let rest = &words[i + 1..];
    match program(first) {
        _ if is_python(first) => python(rest, out),
        "uv" if rest.first().is_some_and(|w| w == "run") => uv_run(&rest[1..], out),
        "torchrun" => launcher(rest, TORCHRUN_FLAGS, out),
        "accelerate" if rest.first().is_some_and(|w| w == "launch") => {
            launcher(&rest[1..], ACCELERATE_FLAGS, out);
        }
        "bash" | "sh" => shell(rest, out),
        _ if is_script(first) => out.push(Target::Script(first.clone())),
        _ => {}
    }
}

/// `bash [options] script` runs a script; `bash -c 'command'` (`-c` alone or in a group:
/// `-lc`, `-ec`) runs a command line, looked into like `spec.command` itself.
fn shell(words: &[String], out: &mut Vec<Target>) {
    let mut command = false;
    let mut i = 0;
    while let Some(w) = words.get(i) {
        if w == "-o" || w == "+o" || w == "-O" || w == "+O" {
            i += 2;
        } else if w.starts_with("--") {
            i += 1;
        } else if let Some(flags) = w.strip_prefix('-').or_else(|| w.strip_prefix('+')) {
            command |= flags.contains('c');
            i += 1;
        } else if command {
            return run(&split(w), out);
        } else {
            out.push(Target::Script(w.clone()));
            return;
        }
    }
}

/// `python [options] (-m module | script | -c code) args...`; a launcher module's own
/// `-m pkg.main` in its arguments is a target too.
fn python(words: &[String], out: &mut Vec<Target>) {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        match w.as_str() {
            "-m" => {
                // `python -m` alone: an empty name, which the check reports.
                let module = words.get(i + 1).cloned().unwrap_or_default();
                out.push(Target::Module(module));
                inner_modules(words.get(i + 2..).unwrap_or_default(), out);
                return;
            }
            "-c" => return,
            "-X" | "-W" | "--check-hash-based-pycs" => i += 2,
            w if w.starts_with("-m") && w.len() > 2 => {
                out.push(Target::Module(w[2..].to_string()));
                inner_modules(&words[i + 1..], out);
                return;
            }
            w if w.starts_with('-') => i += 1,
            _ => {
                out.push(Target::Script(w.clone()));
                return;
            }
        }
    }
}

/// `-m pkg.main` passed on to a launcher module.
fn inner_modules(words: &[String], out: &mut Vec<Target>) {
    for pair in words.windows(2) {
        if pair[0] == "-m" || pair[0] == "--module" {
            out.push(Target::Module(pair[1].clone()));
        }
    }
}

/// uv run's options that take a value.
const UV_RUN_VALUED: &[&str] = &[
    "--with",
    "--with-editable",
    "--with-requirements",
    "--python",
    "-p",
    "--extra",
    "--group",
    "--only-group",
    "--no-group",
    "--package",
    "--env-file",
    "--directory",
    "--project",
    "--index",
    "--default-index",
    "--index-url",
    "--extra-index-url",
];

fn uv_run(words: &[String], out: &mut Vec<Target>) {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        match w.as_str() {
            "-m" | "--module" => {
                out.push(Target::Module(
                    words.get(i + 1).cloned().unwrap_or_default(),
                ));
                inner_modules(words.get(i + 2..).unwrap_or_default(), out);
                return;
            }
            "--" => return run(&words[i + 1..], out),
            w if UV_RUN_VALUED.contains(&w) => i += 2,
            w if w.starts_with('-') => i += 1,
            _ => return run(&words[i..], out),
        }
    }
}

/// torchrun's options that take no value.
const TORCHRUN_FLAGS: &[&str] = &[
    "--standalone",
    "--no-python",
    "--no_python",
    "--run-path",
    "--run_path",
    "--module",
    "-m",
    "--tee-output",
];

/// accelerate launch's options that take no value (the common ones).
const ACCELERATE_FLAGS: &[&str] = &[
    "--multi_gpu",
    "--cpu",
    "--use_deepspeed",
    "--use_fsdp",
    "--use_megatron_lm",
    "--no_python",
    "--module",
    "-m",
    "--debug",
    "-q",
    "--quiet",
];

/// A launcher (`torchrun`, `accelerate launch`): options (`--x value`, `--x=value`, flags),
/// then the script, or the module when `-m`/`--module` was given.
fn launcher(words: &[String], flags: &[&str], out: &mut Vec<Target>) {
    let mut module = false;
    let mut i = 0;
    while let Some(w) = words.get(i) {
        if w == "-m" || w == "--module" {
            module = true;
            i += 1;
        } else if w == "--no-python" || w == "--no_python" {
            return;
        } else if w.starts_with('-') {
            i += if w.contains('=') || flags.contains(&w.as_str()) {
                1
            } else {
                2
            };
        } else {
            out.push(if module {
                Target::Module(w.clone())
            } else {
                Target::Script(w.clone())
            });
            return;
        }
    }
    if module {
        out.push(Target::Module(String::new()));
    }
}

#[cfg(test)]
mod tests {
    use super::Target::{Module, Script};
    use super::*;

    #[test]
    fn finds_what_commands_run() {
        let m = |s: &str| Module(s.to_string());
        let s = |s: &str| Script(s.to_string());
        for (command, want) in [
            ("python -u -m pkg.main", vec![m("pkg.main")]),
            ("python3 -m pkg.main --lr 1e-3", vec![m("pkg.main")]),
            ("/usr/bin/python3.11 -X dev -mpkg.main", vec![m("pkg.main")]),
            (
                "python -u -m pkg.launch -m pkg.main",
                vec![m("pkg.launch"), m("pkg.main")],
            ),
            ("python main.py --x 1", vec![s("main.py")]),
            ("python3 -u /app/main.py", vec![s("/app/main.py")]),
            ("python -c 'print(1)'", vec![]),
            ("uv run -m pkg.main", vec![m("pkg.main")]),
            ("uv run --no-sync python -m pkg.main", vec![m("pkg.main")]),
            ("uv run --with rich train.py", vec![s("train.py")]),
            (
                "env NCCL_P2P_DISABLE=\"1\" NCCL_IB_DISABLE=\"1\" torchrun --nproc_per_node gpu main.py --mixed_precision fp16",
                vec![s("main.py")],
            ),
            (
                "torchrun --standalone --nproc-per-node=2 -m pkg.main",
                vec![m("pkg.main")],
            ),
            (
                "accelerate launch --multi_gpu --num_processes 2 train.py",
                vec![s("train.py")],
            ),
            ("bash scripts/run.sh", vec![s("scripts/run.sh")]),
            ("./run.sh", vec![s("./run.sh")]),
            ("ray job submit -- echo", vec![]),
            ("", vec![]),
            // A shell's `-c` runs a command line, not a script of that name.
            ("bash -c 'python -m pkg.main'", vec![m("pkg.main")]),
            ("sh -ec \"python3 train.py\"", vec![s("train.py")]),
            (
                "bash -o pipefail -lc 'uv run -m pkg.main'",
                vec![m("pkg.main")],
            ),
            ("bash -c 'cd /app && python -m pkg.main'", vec![]),
            ("bash -x run.sh", vec![s("run.sh")]),
            // `-m` with nothing after it: an empty name the check reports.
            ("python -u -m", vec![m("")]),
            ("uv run -m", vec![m("")]),
            ("torchrun --standalone -m", vec![m("")]),
        ] {
            assert_eq!(targets(command), want, "{command}");
        }
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            split(r#"a "b c" 'd e' f\ g"#),
            vec!["a", "b c", "d e", "f g"]
        );
        assert_eq!(split("x ''"), vec!["x", ""]);
    }
}
