//! `aichor-kit`: the `aichor` program under a name of its own, the one the Python wheel
//! installs, so that it can sit on PATH beside the AIchor platform's CLI (`aichor-cli`),
//! whose command is also called `aichor` (README, "Install").

// The whole binary, modules included: a file loaded with `#[path]` finds its child modules
// (`cli`, `commands`) next to itself, in src/.
#[path = "../main.rs"]
mod aichor_main;

// The binary's modules refer to each other from the crate root (`crate::cli`).
use aichor_main::cli;

fn main() -> std::process::ExitCode {
    aichor_main::main()
}
