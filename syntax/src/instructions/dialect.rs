//! Which Dockerfile language the typing accepts: exactly the stock frontend's, or that
//! plus mstage's extensions (everything the stock frontend rejects as an unknown
//! instruction or flag, or as a variable in `--from`).

/// The language of a Dockerfile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// BuildKit's Dockerfile syntax, with its errors for everything else (the conformance
    /// suites check this one).
    #[default]
    Stock,
    /// Stock plus mstage's extensions: variables in `COPY --from` / `--mount from=`,
    /// `RUN --no-cache`, the `MOUNT` instruction. A file the stock frontend accepts types
    /// the same in both.
    Mstage,
}

impl Dialect {
    pub fn extensions(self) -> bool {
        self == Dialect::Mstage
    }
}

#[cfg(test)]
mod tests {
    use super::Dialect;
    use crate::instructions::{
        extension_uses, parse_dockerfile, parse_dockerfile_in, Extension, Instruction, MountType,
    };
    use crate::parser::parse;

    fn typed(src: &str, dialect: Dialect) -> Result<Vec<Instruction>, String> {
        let df = parse(src.as_bytes()).map_err(|e| e.to_string())?;
        let p = parse_dockerfile_in(&df, dialect).map_err(|e| e.to_string())?;
        Ok(p.stages[0].commands.iter().map(|c| (**c).clone()).collect())
    }

    const EXTENDED: &[(&str, &str)] = &[
        (
            "FROM a\nCOPY --from=$S /x /y\n",
            "variable expansion is not supported for --from",
        ),
        (
            "FROM a\nRUN --mount=from=${S},target=/x true\n",
            "'from' doesn't support variable expansion",
        ),
        ("FROM a\nRUN --no-cache true\n", "unknown flag: --no-cache"),
        (
            "FROM a\nMOUNT type=cache,target=/c\n",
            "unknown instruction: MOUNT",
        ),
    ];

    #[test]
    fn the_stock_dialect_keeps_the_stock_errors() {
        for (src, want) in EXTENDED {
            let e = typed(src, Dialect::Stock).unwrap_err();
            assert!(e.contains(want), "{src}: {e}");
            let df = parse(src.as_bytes()).unwrap();
            assert!(
                parse_dockerfile(&df).is_err(),
                "parse_dockerfile is stock: {src}"
            );
        }
    }

    #[test]
    fn the_mstage_dialect_accepts_the_extensions() {
        for (src, _) in EXTENDED {
            typed(src, Dialect::Mstage).unwrap_or_else(|e| panic!("{src}: {e}"));
        }
        let Instruction::Run(r) = &typed(
            "FROM a\nRUN --no-cache=false --network=none true\n",
            Dialect::Mstage,
        )
        .unwrap()[0] else {
            panic!()
        };
        assert!(!r.no_cache);
        assert_eq!(
            r.flags_used,
            ["network"],
            "mstage's flags are not BuildKit's FlagsUsed"
        );
        let Instruction::Mount(m) =
            &typed("FROM a\nmount type=tmpfs,target=/t\n", Dialect::Mstage).unwrap()[0]
        else {
            panic!()
        };
        let mut ident = |w: &str| Ok::<_, String>(w.to_string());
        assert_eq!(m.expand(&mut ident).unwrap().mount_type, MountType::Tmpfs);
    }

    #[test]
    fn mstage_dialect_errors_name_the_line() {
        for (src, want) in [
            (
                "FROM a\nRUN true\nMOUNT\n",
                "line 3: MOUNT requires exactly one argument",
            ),
            (
                "FROM a\nMOUNT a b\n",
                "line 2: MOUNT requires exactly one argument",
            ),
            (
                "FROM a\nMOUNT --x type=cache\n",
                "line 2: unknown flag: --x",
            ),
            (
                "FROM a\nMOUNT type=bind,target=\"/x\n",
                "line 2: failed to parse csv mounts",
            ),
            (
                "FROM a\nRUN --no-cache=maybe true\n",
                "line 2: expecting boolean value for flag --no-cache",
            ),
            (
                "FROM a\nRUN --mnt=x true\n",
                "line 2: unknown flag: --mnt (did you mean mount?)",
            ),
        ] {
            let e = typed(src, Dialect::Mstage).unwrap_err();
            assert!(e.contains(want), "{src}: {e}");
        }
    }

    #[test]
    fn extension_uses_one_per_instruction_and_extension() {
        let src = "FROM a\nCOPY --from=b /x /y\nCOPY --from=$B /x /y\nRUN --mount=from=a$,target=/m true\n\
                   MOUNT type=bind,from=${B},target=/b\nRUN --no-cache --mount=from=$B,target=/m true\n";
        let df = parse(src.as_bytes()).unwrap();
        let p = parse_dockerfile_in(&df, Dialect::Mstage).unwrap();
        let uses: Vec<(usize, Extension)> = extension_uses(&p, '\\')
            .into_iter()
            .map(|u| (u.range.start_line, u.extension))
            .collect();
        assert_eq!(
            uses,
            [
                (3, Extension::VariableInFrom),
                (5, Extension::StageMount),
                (5, Extension::VariableInFrom),
                (6, Extension::VariableInFrom),
                (6, Extension::RunNoCache),
            ]
        );
    }
}
