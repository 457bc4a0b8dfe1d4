//! The interactive order, in process: `answers::collect` with a scripted prompter. What is
//! asked, in which order, with which choices, defaults and wording; what is not asked.

use aichor::error::Origin;
use aichor::generate::answers::{ProvidedAnswers, collect};
use aichor::generate::questions::{Answers, FlagStyle, Questions, Value};
use aichor::operator::Operator;
use aichor::pack::Pack;

use crate::scripted::{Scripted, confirm, esc, pick, pick_default, typed};

/// Collect with the built-in pack, `provided` and `script`; checks the script was played.
fn play(provided: &ProvidedAnswers, script: &mut Scripted) -> Answers {
    let pack = Pack::builtin().expect("the built-in pack loads");
    let answers = collect(
        &Questions {
            pack: &pack,
            flags: FlagStyle::Init,
        },
        provided,
        Some(script),
    )
    .unwrap_or_else(|e| panic!("collect failed: {e}"));
    script.finish();
    answers
}

fn flag(provided: &mut ProvidedAnswers, key: &str, value: &str) {
    provided.insert(key, value, Origin::Flag(format!("--{key}")));
}

/// The first word of each item (the id a select offers).
fn ids(items: &[String]) -> Vec<&str> {
    items
        .iter()
        .map(|i| i.split_whitespace().next().unwrap_or_default())
        .collect()
}

#[test]
fn built_in_questions_are_asked_in_order() {
    let mut script = Scripted::new([
        typed("Project name", &["demo"]),
        pick("Operator", "jax"),
        pick("Resource profile", "cpu-medium"),
        typed("Containers", &["3"]),
        pick("Python version", "3.12"),
        confirm("TensorBoard", false),
    ]);
    let answers = play(&ProvidedAnswers::default(), &mut script);
    assert_eq!(
        script.prompts(),
        [
            "Project name",
            "Operator",
            "Resource profile",
            "Containers, process 0 coordinating",
            "Python version",
            "Log to TensorBoard?",
        ]
    );
    assert_eq!(
        answers,
        Answers::from_iter(vec![
            ("name".into(), Value::Str("demo".into())),
            ("operator".into(), Value::Operator(Operator::Jax)),
            ("profile".into(), Value::Str("cpu-medium".into())),
            ("workers".into(), Value::Int(3)),
            ("python".into(), Value::Str("3.12".into())),
            ("tensorboard".into(), Value::Bool(false)),
            // A pack option with `ask = false`: never prompted, its default taken.
            ("github_actions".into(), Value::Bool(false)),
        ])
    );
}

#[test]
fn esc_goes_back_to_the_previous_question_and_forgets_later_answers() {
    let mut provided = ProvidedAnswers::default();
    flag(&mut provided, "name", "demo");
    // Esc works at menus and yes/no questions (dialoguer's text input has no Esc).
    let mut script = Scripted::new([
        pick("Operator", "kuberay"),
        esc("Resource profile"),
        // A different operator: its own profiles and worker wording.
        pick("Operator", "jax"),
        pick("Resource profile", "cpu-medium"),
        typed("Containers", &["3"]),
        esc("Python version"),
        typed("Containers", &["4"]),
        pick("Python version", "3.12"),
        esc("TensorBoard"),
        pick("Python version", "3.11"),
        confirm("TensorBoard", false),
    ]);
    let answers = play(&provided, &mut script);
    assert_eq!(answers.operator(), Some(Operator::Jax));
    assert_eq!(answers.int("workers"), Some(4));
    assert_eq!(answers.str("profile"), Some("cpu-medium"));
    assert_eq!(answers.str("python"), Some("3.11"));
    assert_eq!(answers.bool("tensorboard"), Some(false));
    assert_eq!(answers.len(), 7);
}

#[test]
fn esc_at_the_first_question_stops() {
    let mut provided = ProvidedAnswers::default();
    flag(&mut provided, "name", "demo");
    let mut script = Scripted::new([esc("Operator")]);
    let questions = Questions {
        pack: &Pack::builtin().unwrap(),
        flags: FlagStyle::Init,
    };
    let err = collect(&questions, &provided, Some(&mut script)).unwrap_err();
    assert!(matches!(err, aichor::error::Error::Back), "{err:?}");
    script.finish();
}

#[test]
fn defaults_offered_at_each_prompt() {
    let mut script = Scripted::new([
        typed("Project name", &["demo"]),
        pick_default("Operator"),
        pick("Resource profile", "gpu-t4"),
        typed("Containers", &["1"]),
        pick_default("Python version"),
        confirm("TensorBoard", true),
    ]);
    let answers = play(&ProvidedAnswers::default(), &mut script);
    assert_eq!(
        script.asked("Project name").default,
        None,
        "a name has no default"
    );
    assert_eq!(ids(&script.asked("Operator").items), Operator::IDS);
    assert!(
        script
            .asked("Operator")
            .default
            .as_deref()
            .is_some_and(|d| d.starts_with("pytorch ")),
        "{:?}",
        script.asked("Operator")
    );
    assert!(
        script
            .asked("Resource profile")
            .default
            .as_deref()
            .is_some_and(|d| d.starts_with("cpu-small ")),
        "the pack's first profile: {:?}",
        script.asked("Resource profile")
    );
    // The default count follows the chosen profile (gpu-t4: 1, not cpu-small's 2).
    assert_eq!(script.asked("Containers").default.as_deref(), Some("1"));
    assert_eq!(
        script.asked("Python version").default.as_deref(),
        Some("3.12")
    );
    assert_eq!(script.asked("TensorBoard").default.as_deref(), Some("true"));
    assert_eq!(answers.operator(), Some(Operator::Pytorch));
    assert_eq!(answers.str("python"), Some("3.12"));
}

#[test]
fn provided_values_are_not_asked() {
    let mut provided = ProvidedAnswers::default();
    provided.insert("operator", "kuberay", Origin::Flag("--operator".into()));
    provided.insert("tensorboard", "no", Origin::Set);
    let mut script = Scripted::new([
        typed("Project name", &["demo"]),
        pick_default("Resource profile"),
        typed("Ray worker pods", &["0"]),
        pick_default("Python version"),
    ]);
    let answers = play(&provided, &mut script);
    assert_eq!(
        script.prompts(),
        [
            "Project name",
            "Resource profile",
            "Ray worker pods, 0 for head only",
            "Python version",
        ]
    );
    assert_eq!(answers.operator(), Some(Operator::Kuberay));
    assert_eq!(answers.int("workers"), Some(0));
    assert_eq!(answers.bool("tensorboard"), Some(false));
}

#[test]
fn kuberay_offers_its_profiles_and_python_3_10_to_3_12() {
    let mut provided = ProvidedAnswers::default();
    flag(&mut provided, "name", "demo");
    flag(&mut provided, "operator", "kuberay");
    let mut script = Scripted::new([
        pick("Resource profile", "tpu-v5e-4x4"),
        typed("TPU slices", &["2"]),
        pick("Python version", "3.10"),
        confirm("TensorBoard", true),
    ]);
    let answers = play(&provided, &mut script);
    assert_eq!(
        ids(&script.asked("Resource profile").items),
        [
            "cpu-small",
            "cpu-medium",
            "cpu-large",
            "gpu-t4",
            "gpu-a100-80gb",
            "gpu-h100x8",
            "tpu-v5e-4x4",
        ]
    );
    assert_eq!(
        script.asked("Python version").items,
        ["3.10", "3.11", "3.12"]
    );
    assert_eq!(answers.str("profile"), Some("tpu-v5e-4x4"));
    assert_eq!(answers.str("python"), Some("3.10"));
}

#[test]
fn other_operators_offer_no_tpu_and_python_3_13() {
    let mut provided = ProvidedAnswers::default();
    flag(&mut provided, "name", "demo");
    flag(&mut provided, "operator", "pytorch");
    let mut script = Scripted::new([
        pick_default("Resource profile"),
        typed("Containers", &["2"]),
        pick("Python version", "3.13"),
        confirm("TensorBoard", true),
    ]);
    play(&provided, &mut script);
    assert_eq!(
        ids(&script.asked("Resource profile").items),
        [
            "cpu-small",
            "cpu-medium",
            "cpu-large",
            "gpu-t4",
            "gpu-a100-80gb",
            "gpu-h100x8",
        ]
    );
    // The label shows the resources, as in `aichor profiles list`.
    let t4 = script
        .asked("Resource profile")
        .items
        .iter()
        .find(|i| i.starts_with("gpu-t4 "))
        .unwrap();
    assert!(t4.contains("nvidia-tesla-t4"), "{t4}");
    assert_eq!(
        script.asked("Python version").items,
        ["3.10", "3.11", "3.12", "3.13"]
    );
}

#[test]
fn the_workers_prompt_is_worded_per_operator() {
    for (operator, wording) in [
        ("pytorch", "Containers, process 0 coordinating"),
        ("jax", "Containers, process 0 coordinating"),
        ("xgboost", "Containers, process 0 coordinating"),
        (
            "jobset",
            "Jobs of one or more pods each, every pod taking a share",
        ),
        ("kuberay", "Ray worker pods, 0 for head only"),
    ] {
        let mut provided = ProvidedAnswers::default();
        for (key, value) in [
            ("name", "demo"),
            ("operator", operator),
            ("profile", "cpu-small"),
            ("python", "3.11"),
            ("tensorboard", "true"),
            // The built-in pack's jobset question, answered so only the workers are asked.
            ("completions", "1"),
        ] {
            flag(&mut provided, key, value);
        }
        let mut script = Scripted::new([typed(wording, &["1"])]);
        play(&provided, &mut script);
        assert_eq!(script.prompts(), [wording], "{operator}");
    }
}

#[test]
fn refused_typed_values_are_reasked_with_the_reason() {
    let mut provided = ProvidedAnswers::default();
    flag(&mut provided, "operator", "jobset");
    let mut script = Scripted::new([
        typed("Project name", &["My Proj", "class", "my-proj"]),
        pick_default("Resource profile"),
        typed("Jobs of", &["0", "two", "4"]),
        pick_default("Python version"),
        confirm("TensorBoard", true),
        // The built-in pack's own question, asked after the built-in ones; a pack int is
        // checked as a whole number too.
        typed("Pods per job", &["x", "2"]),
    ]);
    let answers = play(&provided, &mut script);
    assert_eq!(
        script.asked("Pods per job").refusals,
        ["not a whole number"]
    );
    assert_eq!(answers.int("completions"), Some(2));
    assert_eq!(script.asked("Project name").refusals.len(), 2);
    assert_eq!(
        script.asked("Jobs of").refusals,
        [
            "at least 1 container is needed for this operator",
            "not a whole number"
        ]
    );
    assert_eq!(answers.str("name"), Some("my-proj"));
    assert_eq!(answers.int("workers"), Some(4));
}

#[test]
fn without_a_prompter_defaults_fill_in_and_required_answers_fail() {
    let pack = Pack::builtin().unwrap();
    let mut provided = ProvidedAnswers::default();
    flag(&mut provided, "name", "demo");
    let err = collect(
        &Questions {
            pack: &pack,
            flags: FlagStyle::Init,
        },
        &provided,
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("`operator`"), "{err}");
    flag(&mut provided, "operator", "xgboost");
    let answers = collect(
        &Questions {
            pack: &pack,
            flags: FlagStyle::Init,
        },
        &provided,
        None,
    )
    .unwrap();
    assert_eq!(answers.str("profile"), Some("cpu-small"));
    assert_eq!(answers.int("workers"), Some(2));
    assert_eq!(answers.str("python"), Some("3.12"));
    assert_eq!(answers.bool("tensorboard"), Some(true));
}

/// The script is strict: a prompt it does not expect fails the test, naming both.
#[test]
#[should_panic(
    expected = "expected a prompt containing `Operator`, but the text prompt `Project name` was asked"
)]
fn the_script_fails_on_an_unexpected_prompt() {
    let mut script = Scripted::new([pick("Operator", "jax")]);
    play(&ProvidedAnswers::default(), &mut script);
}

/// … and so does a step never asked.
#[test]
#[should_panic(expected = "the script expected more prompts, never asked: [\"Operator\"]")]
fn the_script_fails_on_an_unasked_step() {
    let mut provided = ProvidedAnswers::default();
    for (key, value) in [
        ("name", "demo"),
        ("operator", "jax"),
        ("profile", "cpu-small"),
        ("workers", "2"),
        ("python", "3.11"),
        ("tensorboard", "true"),
    ] {
        flag(&mut provided, key, value);
    }
    let mut script = Scripted::new([pick("Operator", "jax")]);
    play(&provided, &mut script);
}

/// A TPU worker group's `count` is slices of several hosts, not pods: the prompt says so.
#[test]
fn kuberay_on_tpu_asks_for_slices() {
    let mut provided = ProvidedAnswers::default();
    for (key, value) in [
        ("name", "demo"),
        ("operator", "kuberay"),
        ("profile", "tpu-v5e-4x4"),
        ("python", "3.11"),
        ("tensorboard", "true"),
    ] {
        flag(&mut provided, key, value);
    }
    let wording = "TPU slices of several hosts each, 0 for head only";
    let mut script = Scripted::new([typed(wording, &["2"])]);
    let answers = play(&provided, &mut script);
    assert_eq!(script.prompts(), [wording]);
    assert_eq!(answers.int("workers"), Some(2));
}
