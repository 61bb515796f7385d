//! "Did you mean ...?" suggestions, with BuildKit's threshold (edit distance below 3).

/// The closest option to `value` with an edit distance of at most 2, or `None` when
/// `value` is itself an option (then the error is not a typo) or nothing is close.
/// Without `case_sensitive` the match is given in the case style of `value`.
pub fn suggest(value: &str, options: &[&str], case_sensitive: bool) -> Option<String> {
    let norm = |s: &str| {
        if case_sensitive {
            s.to_string()
        } else {
            s.to_lowercase()
        }
    };
    let val = norm(value);
    let mut best: Option<&str> = None;
    let mut min = 3;
    for opt in options {
        let o = norm(opt);
        if o == val {
            return None;
        }
        let d = levenshtein(&val, &o);
        if d < min {
            min = d;
            best = Some(opt);
        }
    }
    let best = best?;
    if case_sensitive {
        return Some(best.to_string());
    }
    Some(if value == value.to_lowercase() {
        best.to_lowercase()
    } else if value == value.to_uppercase() {
        best.to_uppercase()
    } else {
        best.to_string()
    })
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_matches_in_the_users_case() {
        let opts = ["RUN", "COPY", "FROM"];
        assert_eq!(suggest("RUNN", &opts, false).as_deref(), Some("RUN"));
        assert_eq!(suggest("runn", &opts, false).as_deref(), Some("run"));
        assert_eq!(suggest("Fro", &opts, false).as_deref(), Some("FROM"));
        assert_eq!(suggest("xyzzy", &opts, false), None);
        assert_eq!(suggest("run", &opts, false), None, "exact match is no typo");
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }
}
