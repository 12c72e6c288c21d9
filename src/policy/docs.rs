//! Rule documentation rendered from the registry: `govsheet explain`, `govsheet rules` and the
//! committed rule reference `docs/rules.md` all come from the same rule metadata.

use super::RuleInfo;

/// The full explanation of one rule, as Markdown (what `govsheet explain` prints).
pub fn explain(r: &RuleInfo) -> String {
    let mut s = format!("# {}\n\n", r.id);
    s.push_str(&format!(
        "Default severity: **{}**. Pack: `{}`.{}\n\n",
        r.severity,
        r.pack,
        if r.command == "check" {
            String::new()
        } else {
            format!(" Reported by `govsheet {}`.", r.command)
        }
    ));
    s.push_str(&format!("{}\n\n", capitalise(&r.summary)));
    s.push_str("## What it finds\n\n");
    s.push_str(&format!("{}\n\n", r.description.trim()));
    if !r.why.trim().is_empty() {
        s.push_str("## Why it matters\n\n");
        s.push_str(&format!("{}\n\n", r.why.trim()));
    }
    if !r.example_fail.trim().is_empty() {
        s.push_str("## Fails\n\n```yaml\n");
        s.push_str(r.example_fail.trim_end());
        s.push_str("\n```\n\n");
    }
    if !r.example_pass.trim().is_empty() {
        s.push_str("## Passes\n\n```yaml\n");
        s.push_str(r.example_pass.trim_end());
        s.push_str("\n```\n\n");
    }
    s.push_str(&format!(
        "## Configure\n\n```yaml\npolicy:\n  rules:\n    {}: warning   # or off, info, error\nwaivers:\n  - rule: {}\n    target: /events/Purchase   # the finding's JSON pointer\n    reason: why the exception is accepted\n    approved_by: OWNER-ID\n    expires: YYYY-MM-DD\n```\n",
        r.id, r.id
    ));
    s
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The rule reference (`docs/rules.md`): a table, then every rule's explanation.
pub fn reference(rules: &[&RuleInfo]) -> String {
    let mut s = String::from(
        "<!-- Generated from policies/*.yaml by `govsheet rules --format markdown > docs/rules.md`; do not edit by hand. -->\n\n# Rules\n\n\
         Every rule has an id (for `policy.rules` and `waivers`), a default severity and a pack.\n\
         `govsheet rules --sheet FILE` shows the severities a sheet configures; `govsheet explain ID` prints one rule.\n\n\
         | id | severity | finds | pack |\n|---|---|---|---|\n",
    );
    for r in rules {
        s.push_str(&format!(
            "| [`{}`](#{}) | {} | {} | {} |\n",
            r.id,
            r.id,
            r.severity,
            r.summary.replace('|', "\\|"),
            r.pack
        ));
    }
    for r in rules {
        s.push('\n');
        s.push_str(
            &explain(r)
                .replacen("# ", "## ", 1)
                .replace("\n## ", "\n### "),
        );
    }
    s
}
