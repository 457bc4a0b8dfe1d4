//! `aichor profiles list`: a pack's resource profiles as a table or JSON.

use aichor::error::{AnswerFlag, Error, Invalid, Origin, Result, Unoffered};
use aichor::operator::Operator;
use aichor::pack::Pack;
use aichor::printer::{Format, Printer};
use aichor::profile;
use aichor::suggest::did_you_mean;

pub(super) fn list(
    template: Option<&str>,
    operator: Option<&str>,
    format: Format,
    printer: &Printer,
    env: &aichor::environment::Environment,
) -> Result<()> {
    let op = operator
        .map(|raw| {
            Operator::parse(raw).ok_or_else(|| Error::InvalidAnswer {
                key: "operator".into(),
                value: raw.into(),
                origin: Origin::Flag("--operator".into()),
                invalid: Invalid::NotOffered {
                    why: Unoffered::Unknown,
                    choices: Operator::IDS.iter().map(|id| (*id).to_string()).collect(),
                    suggestion: did_you_mean(raw, Operator::IDS.iter().copied()),
                },
                flag: AnswerFlag::Flag("--operator"),
            })
        })
        .transpose()?;
    let pack = Pack::load(template, env)?;
    let profiles: Vec<_> = pack
        .profiles
        .iter()
        .filter(|p| op.is_none_or(|op| p.supports(op)))
        .collect();
    match format {
        Format::Json => {
            let list = profiles
                .iter()
                .map(|p| {
                    let mut v = serde_json::to_value(p)
                        .map_err(|e| Error::internal("a profile cannot be written as JSON", e))?;
                    v["summary"] = p.resources.summary().into();
                    v["accelerator"] = p.accelerator().into();
                    Ok(v)
                })
                .collect::<Result<Vec<_>>>()?;
            printer.json(&list)
        }
        Format::Text => {
            let operators = |p: &profile::Profile| {
                vec![if p.operators.is_empty() {
                    "all".to_string()
                } else {
                    p.operators
                        .iter()
                        .map(|o| o.id())
                        .collect::<Vec<_>>()
                        .join(",")
                }]
            };
            let header: &[&str] = &["ID", "RESOURCES", "OPERATORS", "DESCRIPTION"];
            let lines = profile::table(Some(header), &profiles, &operators);
            printer.data(&(lines.join("\n") + "\n"));
            Ok(())
        }
    }
}
