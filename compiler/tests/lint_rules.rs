//! The rules on small Dockerfiles, through the whole compile (offline resolver), as a
//! build or `mstage lint` runs them.

use mstage_compiler::image::Platform;
use mstage_compiler::lower::{check_blocking, BuildRequest, Checked, NoneResolver};

fn check_with(dockerfile: &str, adjust: impl FnOnce(&mut BuildRequest)) -> Checked {
    let mut req = BuildRequest::golden(dockerfile);
    adjust(&mut req);
    check_blocking(&req, &NoneResolver)
}

fn check(dockerfile: &str) -> Checked {
    check_with(dockerfile, |_| {})
}

/// `(line, "Rule: detail")`, sorted by line then text (BuildKit's order between findings
/// of one line is map order, so it is not part of the contract).
fn found(c: &Checked) -> Vec<(usize, String)> {
    let mut v: Vec<(usize, String)> = c
        .findings
        .iter()
        .map(|f| {
            (
                f.range.start_line,
                format!("{}: {}", f.rule.name(), f.detail),
            )
        })
        .collect();
    v.sort();
    v
}

fn pairs(expected: &[(usize, &str)]) -> Vec<(usize, String)> {
    let mut v: Vec<(usize, String)> = expected.iter().map(|(l, s)| (*l, s.to_string())).collect();
    v.sort();
    v
}

#[test]
fn a_clean_dockerfile_has_no_findings() {
    let c = check(
        "FROM alpine AS build\nRUN echo $HOME\nFROM build\nCOPY --from=build /a /b\nCMD [\"sh\"]\n",
    );
    assert!(c.result.is_ok());
    assert_eq!(found(&c), vec![]);
}

#[test]
fn casing_rules() {
    let c = check("FROM alpine as Build\nrun echo\nFROM build AS final\n");
    assert_eq!(
        found(&c),
        pairs(&[
            (1, "StageNameCasing: Stage name 'Build' should be lowercase"),
            (1, "FromAsCasing: 'as' and 'FROM' keywords' casing do not match"),
            (2, "ConsistentInstructionCasing: Command 'run' should match the case of the command majority (uppercase)"),
        ])
    );
}

#[test]
fn stage_names_and_maintainer() {
    let c = check("FROM alpine AS scratch\nMAINTAINER me\nFROM alpine AS scratch\n");
    assert_eq!(
        found(&c),
        pairs(&[
            (1, "ReservedStageName: Stage name should not use the same name as reserved stage \"scratch\""),
            (2, "MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label"),
            (3, "ReservedStageName: Stage name should not use the same name as reserved stage \"scratch\""),
            (3, "DuplicateStageName: Duplicate stage name \"scratch\", stage names should be unique"),
        ])
    );
}

#[test]
fn values_of_instructions() {
    let c = check(
        "FROM alpine\nENV a b\nLABEL k v\nARG DB_PASSWORD=x\nENV PUBLIC_KEY=1\nWORKDIR rel\nWORKDIR more\nEXPOSE 80/TCP 127.0.0.1:8080:80/udp\n",
    );
    assert_eq!(
        found(&c),
        pairs(&[
            (2, "LegacyKeyValueFormat: \"ENV key=value\" should be used instead of legacy \"ENV key value\" format"),
            (3, "LegacyKeyValueFormat: \"LABEL key=value\" should be used instead of legacy \"LABEL key value\" format"),
            (4, "SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ARG \"DB_PASSWORD\")"),
            (6, "WorkdirRelativePath: Relative workdir \"rel\" can have unexpected results if the base image changes"),
            (8, "ExposeProtoCasing: Defined protocol '80/TCP' in EXPOSE instruction should be lowercase"),
            (8, "ExposeInvalidFormat: EXPOSE instruction should not define an IP address or host-port mapping, found '127.0.0.1:8080:80/udp'"),
        ])
    );
}

#[test]
fn a_relative_workdir_after_an_absolute_one_in_the_base_stage_is_fine() {
    let c = check("FROM alpine AS base\nWORKDIR /app\nFROM base\nWORKDIR sub\n");
    assert_eq!(found(&c), vec![]);
}

#[test]
fn cmd_entrypoint_and_healthcheck_once_per_stage() {
    let c = check_with(
        "FROM alpine\nCMD [\"a\"]\nCMD [\"b\"]\nENTRYPOINT echo\nHEALTHCHECK NONE\nHEALTHCHECK NONE\nFROM alpine\nCMD [\"c\"]\n",
        |r| r.all_stages = true,
    );
    assert_eq!(
        found(&c),
        pairs(&[
            (2, "MultipleInstructionsDisallowed: Multiple CMD instructions should not be used in the same stage because only the last one will be used"),
            (4, "JSONArgsRecommended: JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals"),
            (5, "MultipleInstructionsDisallowed: Multiple HEALTHCHECK instructions should not be used in the same stage because only the last one will be used"),
        ])
    );
}

#[test]
fn shell_form_with_a_shell_set_is_fine() {
    let c = check("FROM alpine\nSHELL [\"/bin/bash\", \"-c\"]\nCMD echo hi\n");
    assert_eq!(found(&c), vec![]);
}

#[test]
fn undefined_variables_with_suggestions() {
    let c = check(
        "FROM alpine\nARG VERSION\nENV FOO=bar\nCOPY $VERSION /a\nCOPY $FOOO /b\nRUN echo $NOT_CHECKED\nARG X=$MISSING Y=$X\nUSER $HOME\n",
    );
    assert_eq!(
        found(&c),
        pairs(&[
            (
                5,
                "UndefinedVar: Usage of undefined variable '$FOOO' (did you mean $FOO?)"
            ),
            (7, "UndefinedVar: Usage of undefined variable '$MISSING'"),
            (8, "UndefinedVar: Usage of undefined variable '$HOME'"),
        ])
    );
}

#[test]
fn a_build_arg_value_is_not_expanded_so_not_checked() {
    let c = check_with("FROM alpine\nARG X=$MISSING\n", |r| {
        r.build_args.insert("X".into(), "1".into());
    });
    assert_eq!(found(&c), vec![]);
}

#[test]
fn from_line_rules() {
    let c = check(
        "ARG TAG=1\nFROM alpine:$TAGG AS a\nFROM --platform=$TARGETPLATFORM alpine AS b\nFROM --platform=linux/arm64 alpine AS c\nFROM --platform=linux/arm64 alpine AS arm64\n",
    );
    assert_eq!(
        found(&c),
        pairs(&[
            (2, "UndefinedArgInFrom: FROM argument 'TAGG' is not declared (did you mean TAG?)"),
            (2, "InvalidDefaultArgInFrom: Default value for ARG alpine:$TAGG results in empty or invalid base image name"),
            (3, "RedundantTargetPlatform: Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior"),
            (4, "FromPlatformFlagConstDisallowed: FROM --platform flag should not use constant value \"linux/arm64\""),
        ])
    );
}

#[test]
fn a_default_that_makes_an_invalid_base_name() {
    let c = check_with("ARG IMG\nFROM ${IMG}\n", |r| {
        r.build_args.insert("IMG".into(), "alpine".into());
    });
    assert_eq!(
        found(&c),
        pairs(&[(
            2,
            "InvalidDefaultArgInFrom: Default value for ARG ${IMG} results in empty or invalid base image name"
        )])
    );
}

#[test]
fn empty_continuation_lines() {
    let c = check("FROM alpine\nRUN echo \\\n\n  hi\n");
    assert_eq!(
        found(&c),
        pairs(&[(4, "NoEmptyContinuation: Empty continuation line")])
    );
}

#[test]
fn skip_and_experimental_settings() {
    let df = "# check=skip=StageNameCasing,FromAsCasing;experimental=InvalidDefinitionDescription\nFROM alpine as Build\n# not the name\nARG VERSION=1\n";
    assert_eq!(
        found(&check(df)),
        pairs(&[(4, "InvalidDefinitionDescription: Comment for ARG should follow the format: `# VERSION <description>`")])
    );
    let all = check("# check=skip=all\nFROM alpine as Build\nMAINTAINER x\n");
    assert_eq!(found(&all), vec![]);
}

#[test]
fn the_build_arg_overrides_the_directive() {
    let c = check_with(
        "# check=skip=all\nMAINTAINER x\nFROM alpine\nMAINTAINER x\n",
        |_| {},
    );
    assert!(
        c.result.is_err(),
        "MAINTAINER before FROM is still an error"
    );
    let c = check_with("# check=skip=all\nFROM alpine\nMAINTAINER x\n", |r| {
        r.build_args.insert(
            "BUILDKIT_DOCKERFILE_CHECK".into(),
            "skip=StageNameCasing".into(),
        );
    });
    assert_eq!(
        found(&c),
        pairs(&[(
            3,
            "MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label"
        )])
    );
}

#[test]
fn a_check_comment_above_an_instruction_applies_to_it_only() {
    let c = check("FROM alpine\n# check=skip=MaintainerDeprecated\nMAINTAINER a\nMAINTAINER b\n");
    assert_eq!(
        found(&c),
        pairs(&[(
            4,
            "MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label"
        )])
    );
}

#[test]
fn error_true_fails_the_build_and_names_the_rules() {
    let c = check("# check=error=true\nFROM alpine as Build\n");
    assert!(c.result.is_ok());
    let Err(err) = c.into_result() else {
        panic!("error=true with findings must fail")
    };
    assert_eq!(
        err.message,
        "lint violation found for rules: StageNameCasing, FromAsCasing"
    );
    assert!(check("# check=error=true\nFROM alpine AS build\n")
        .into_result()
        .is_ok());
}

#[test]
fn an_invalid_check_setting_is_an_error() {
    let Err(err) = check("# check=skip\nFROM alpine\n").into_result() else {
        panic!("an invalid directive must fail")
    };
    assert_eq!(
        err.message,
        "failed to parse check options: invalid check option \"skip\""
    );
    let Err(err) = check_with("FROM alpine\n", |r| {
        r.build_args
            .insert("BUILDKIT_DOCKERFILE_CHECK".into(), "error=maybe".into());
    })
    .into_result() else {
        panic!("an invalid build arg must fail")
    };
    assert!(err
        .message
        .starts_with("failed to parse build-arg:BUILDKIT_DOCKERFILE_CHECK: "));
}

#[test]
fn only_stages_the_target_needs_are_checked_unless_all_are_asked_for() {
    let df = "FROM alpine AS unused\nCOPY $NOPE /x\nFROM alpine\nRUN true\n";
    assert_eq!(found(&check(df)), vec![]);
    let all = check_with(df, |r| r.all_stages = true);
    assert_eq!(
        found(&all),
        pairs(&[(2, "UndefinedVar: Usage of undefined variable '$NOPE'")])
    );
}

#[test]
fn only_the_first_platform_is_checked() {
    let c = check_with("FROM alpine\nMAINTAINER x\n", |r| {
        r.target_platforms = vec![
            Platform::new("linux", "amd64", ""),
            Platform::new("linux", "arm64", ""),
        ];
    });
    assert_eq!(found(&c).len(), 1);
}

#[test]
fn checks_off_skip_the_work_but_error_true_still_counts() {
    let quiet = check_with("FROM alpine\nMAINTAINER x\n", |r| r.checks = false);
    assert_eq!(found(&quiet), vec![]);
    let strict = check_with("# check=error=true\nFROM alpine\nMAINTAINER x\n", |r| {
        r.checks = false
    });
    assert!(strict.into_result().is_err());
}

#[test]
fn the_text_report_shows_the_lines() {
    let df = "FROM alpine\nMAINTAINER x\n";
    let c = check(df);
    let text =
        mstage_compiler::lint::results_text(&c.findings, &[("Dockerfile".into(), df.as_bytes())]);
    assert_eq!(
        text,
        "\nWARNING: MaintainerDeprecated - https://docs.docker.com/go/dockerfile/rule/maintainer-deprecated/\n\
         Maintainer instruction is deprecated in favor of using label\n\
         Dockerfile:2\n--------------------\n   1 |     FROM alpine\n   2 | >>> MAINTAINER x\n   3 |     \n--------------------\n"
    );
}

/// Every image resolves to an arm64 image, whatever platform was asked for.
struct Arm64Resolver;

impl mstage_compiler::lower::ImageResolver for Arm64Resolver {
    fn resolve<'a>(
        &'a self,
        request: &'a mstage_compiler::lower::ResolveRequest,
    ) -> mstage_compiler::lower::BoxFuture<
        'a,
        Result<mstage_compiler::lower::ResolvedImage, mstage_compiler::lower::ResolveError>,
    > {
        Box::pin(async move {
            let arm = Platform::new("linux", "arm64", "v8");
            Ok(mstage_compiler::lower::ResolvedImage {
                reference: request.reference.clone(),
                digest: None,
                config: NoneResolver::config_for(&arm).to_json(),
            })
        })
    }
}

#[test]
fn a_base_image_of_another_platform() {
    // Checked only where the image has layers: `scratch` is not resolved at all.
    let req = BuildRequest {
        all_stages: true,
        ..BuildRequest::golden("FROM alpine\nRUN true\nFROM scratch\n")
    };
    let c = check_blocking(&req, &Arm64Resolver);
    assert_eq!(
        found(&c),
        pairs(&[(
            1,
            "InvalidBaseImagePlatform: Base image alpine was pulled with platform \"linux/arm64\", expected \"linux/amd64\" for current build"
        )])
    );
}
