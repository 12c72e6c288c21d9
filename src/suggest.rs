//! Did-you-mean suggestions: the closest existing name to a misspelt one.

/// The candidate closest to `wanted`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        if c == wanted {
            continue;
        }
        let score = strsim::jaro_winkler(&wanted_lower, &c.to_lowercase());
        let case_only = c.eq_ignore_ascii_case(wanted);
        let score = if case_only { 1.0 } else { score };
        if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_not_strangers() {
        let ids = ["tracking", "commerce", "catalog"];
        assert_eq!(did_you_mean("trakcing", ids), Some("tracking"));
        assert_eq!(did_you_mean("Catalog", ids), Some("catalog"));
        assert_eq!(did_you_mean("zzz", ids), None);
    }
}
