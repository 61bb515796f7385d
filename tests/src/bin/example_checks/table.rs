//! Every example of `examples/` and what its check does (`step.rs` says what each step means).
//! The order is the run's and the size table's.

use super::step::{Build, Cache, Context, Edit, Example, Machine, Serve, Step, Stock};

/// The built-in frontend rebuilds this image from mstage's cache.
const MULTI: Build = Build {
    stock: Stock::Reuses,
    ..Build::tag("multi")
};

const fn config(image: &'static str, format: &'static str, is: &'static str) -> Step {
    Step::Config { image, format, is }
}

const fn user(image: &'static str, is: &'static str) -> Step {
    config(image, "{{.Config.User}}", is)
}

/// `row` of the size table: the `multi` and `single` images.
const fn sizes(row: &'static str) -> Step {
    Step::Sizes {
        row,
        multi: "multi",
        single: "single",
    }
}

pub const EXAMPLES: &[Example] = &[
    HELLO,
    NODE_TYPESCRIPT_API,
    STATIC_SITE_NGINX,
    GO_SCRATCH,
    PYTHON_VENV,
    JAVA_MAVEN,
    BUILD_TEST_RUNTIME,
    DEV_PROD_TARGETS,
    BUILDKIT_EXTRAS,
    MONOREPO_INCLUDE,
];

const HELLO: Example = Example {
    name: "hello",
    secrets: &[],
    steps: &[
        Step::Build(MULTI),
        Step::Prints {
            image: "multi",
            args: &[],
            is: "Hello from a multi-stage build, compiled by mstage",
        },
    ],
};

const NODE_TYPESCRIPT_API: Example = Example {
    name: "node-typescript-api",
    secrets: &[],
    steps: &[
        Step::Build(MULTI),
        user("multi", "10001:10001"),
        config(
            "multi",
            "{{json .Config.Cmd}}",
            r#"["node","dist/server.js"]"#,
        ),
        config(
            "multi",
            "{{range $k, $v := .Config.ExposedPorts}}{{$k}}{{end}}",
            "3000/tcp",
        ),
        // Production dependencies only: zod yes; typescript, @types and the TS sources no.
        Step::Succeeds {
            image: "multi",
            entrypoint: Some("sh"),
            args: &[
                "-c",
                r#"test -d node_modules/zod && test ! -e node_modules/typescript && test ! -e node_modules/@types/node && test ! -e src && test "$(id -u):$(id -g)" = 10001:10001"#,
            ],
            why: "runtime image: dev dependencies or sources present, or wrong user",
        },
        Step::Serve(Serve {
            health_interval: true,
            healthy: true,
            ..Serve::on(
                "multi",
                3000,
                &[
                    ("/hello?name=mstage", r#"^\{"message":"Hello, mstage!"\}$"#),
                    ("/health", r#""status":"ok""#),
                ],
            )
        }),
        Step::Build(Build::single()),
        Step::Serve(Serve::on(
            "single",
            3000,
            &[("/hello?name=single", "Hello, single!")],
        )),
        sizes("node-typescript-api"),
    ],
};

const STATIC_SITE_NGINX: Example = Example {
    name: "static-site-nginx",
    secrets: &[],
    steps: &[
        Step::Build(MULTI),
        // Only the built files: no node, no sources, no node_modules.
        Step::Succeeds {
            image: "multi",
            entrypoint: None,
            args: &[
                "sh",
                "-c",
                "! command -v node && ! command -v npm && test ! -e /app && ls /usr/share/nginx/html/assets/app.js",
            ],
            why: "final image holds node or the sources",
        },
        Step::Serve(Serve::on(
            "multi",
            8080,
            &[
                ("/", "<title>mstage static site</title>"),
                ("/assets/app.js", "Good morning"),
                ("/healthz", "^ok$"),
            ],
        )),
        Step::Build(Build::single()),
        Step::Serve(Serve::on(
            "single",
            8080,
            &[("/assets/app.js", "Good morning")],
        )),
        sizes("static-site-nginx"),
    ],
};

const GO_SCRATCH: Example = Example {
    name: "go-scratch",
    secrets: &[],
    steps: &[
        Step::Build(MULTI),
        user("multi", "65532:65532"),
        config("multi", "{{json .Config.Entrypoint}}", r#"["/server"]"#),
        // scratch + two COPY layers, and exactly these files.
        config("multi", "{{len .RootFS.Layers}}", "2"),
        Step::Files {
            image: "multi",
            is: &["etc/ssl/certs/ca-certificates.crt", "server"],
        },
        Step::Serve(Serve::on(
            "multi",
            8080,
            &[
                (
                    "/",
                    r"^hello from a static Go binary in a scratch image \(uid 65532\)$",
                ),
                (
                    "/tls",
                    "system pool ok=true, certificates in bundle=[1-9][0-9]+",
                ),
            ],
        )),
        Step::Build(Build::single()),
        Step::Serve(Serve::on(
            "single",
            8080,
            &[("/", "hello from a static Go binary")],
        )),
        sizes("go-scratch"),
    ],
};

const PYTHON_VENV: Example = Example {
    name: "python-venv",
    secrets: &[],
    steps: &[
        Step::Build(MULTI),
        user("multi", "10001:10001"),
        // The runtime has the virtualenv but not pip's system package (python3-pip) nor the
        // builder's files.
        Step::Succeeds {
            image: "multi",
            entrypoint: None,
            args: &[
                "sh",
                "-c",
                r#"test -x /opt/venv/bin/gunicorn && python -c "import flask" && test ! -e /tmp/requirements.txt"#,
            ],
            why: "runtime image: virtualenv incomplete or builder files present",
        },
        Step::Serve(Serve::on(
            "multi",
            8000,
            &[
                (
                    "/",
                    r#""message":"hello from a virtualenv copied into a slim image""#,
                ),
                ("/", r#""venv":"/opt/venv""#),
                ("/items/1", r#""item":"banana""#),
            ],
        )),
        Step::Build(Build::single()),
        Step::Serve(Serve::on(
            "single",
            8000,
            &[("/items/2", r#""item":"cherry""#)],
        )),
        sizes("python-venv"),
    ],
};

const JAVA_MAVEN: Example = Example {
    name: "java-maven",
    secrets: &[],
    steps: &[
        Step::Build(MULTI),
        user("multi", "10001:10001"),
        Step::Succeeds {
            image: "multi",
            entrypoint: Some("sh"),
            args: &[
                "-c",
                "! command -v javac && ! command -v mvn && test -f /opt/app/app.jar && test ! -e /src",
            ],
            why: "runtime image holds the JDK, Maven or the sources",
        },
        // The app prints the JRE's version: the image's own.
        Step::Capture {
            var: "java",
            image: "multi",
            entrypoint: "java",
            args: &["-XshowSettings:properties", "-version"],
            regex: r"^ *java\.version = (.*)$",
        },
        Step::Prints {
            image: "multi",
            args: &[],
            is: "words=6 distinct=4 {be=2, not=1, or=1, to=2} (java ${java})",
        },
        Step::Prints {
            image: "multi",
            args: &["rose", "a", "rose"],
            is: "words=3 distinct=2 {a=1, rose=2} (java ${java})",
        },
        Step::Build(Build::single()),
        Step::Prints {
            image: "single",
            args: &[],
            is: "words=6 distinct=4 {be=2, not=1, or=1, to=2} (java ${java})",
        },
        sizes("java-maven"),
    ],
};

const BUILD_TEST_RUNTIME: Example = Example {
    name: "build-test-runtime",
    secrets: &[],
    steps: &[
        // No cache: the tests really run (a cached test step prints nothing).
        Step::Build(Build {
            target: Some("test"),
            cache: Cache::Never,
            log_has: Some("--- PASS: TestMake"),
            ..Build::tag("test")
        }),
        Step::Build(MULTI),
        Step::Prints {
            image: "multi",
            args: &["Hello, World!"],
            is: "hello-world",
        },
        Step::Prints {
            image: "multi",
            args: &["Multi-stage", "builds"],
            is: "multi-stage-builds",
        },
        // A failing test fails `--target test`; the default target does not run the tests.
        Step::Copy { name: "btr" },
        Step::Edit {
            copy: "btr",
            edit: Edit::Replace {
                file: "slug/slug_test.go",
                regex: r#""Hello, World!": *"hello-world""#,
                with: r#""Hello, World!": "hello_world""#,
            },
        },
        Step::Build(Build {
            context: Context::Copy("btr"),
            target: Some("test"),
            fails: true,
            log_has: Some("--- FAIL: TestMake"),
            note: Some("--target test with a broken test: build failed as it should"),
            ..Build::tag("broken-test")
        }),
        Step::Build(Build {
            context: Context::Copy("btr"),
            log_lacks: Some("go test"),
            note: Some("default target with a broken test: built, test stage skipped"),
            ..Build::tag("broken-default")
        }),
        Step::Build(Build::single()),
        Step::Prints {
            image: "single",
            args: &["Hello, World!"],
            is: "hello-world",
        },
        sizes("build-test-runtime"),
    ],
};

const DEV_PROD_TARGETS: Example = Example {
    name: "dev-prod-targets",
    secrets: &[],
    steps: &[
        Step::Build(Build {
            target: Some("dev"),
            ..Build::tag("dev")
        }),
        Step::Build(Build {
            target: Some("prod"),
            ..MULTI
        }),
        // The default target is prod (the last stage): the same image (cached even without
        // the cache otherwise, to compare the images).
        Step::Build(Build {
            cache: Cache::Kept,
            ..Build::tag("default")
        }),
        Step::SameImage {
            a: "default",
            b: "multi",
        },
        user("multi", "node"),
        Step::Serve(Serve {
            health_interval: true,
            healthy: true,
            ..Serve::on(
                "multi",
                3000,
                &[(
                    "/",
                    r#"^\{"mode":"production","nodemon":false,"express":"4\.21\.1"\}$"#,
                )],
            )
        }),
        // nodemon is what runs the dev server.
        Step::Serve(Serve {
            process: Some("nodemon"),
            ..Serve::on(
                "dev",
                3000,
                &[(
                    "/",
                    r#"^\{"mode":"development","nodemon":true,"express":"4\.21\.1"\}$"#,
                )],
            )
        }),
        Step::Build(Build::single()),
        Step::Serve(Serve::on(
            "single",
            3000,
            &[("/", r#""mode":"production","nodemon":true"#)],
        )),
        sizes("dev-prod-targets"),
        Step::Sizes {
            row: "dev-prod-targets (dev)",
            multi: "dev",
            single: "single",
        },
    ],
};

const NETRC: &[&str] = &["netrc"];

const BUILDKIT_EXTRAS: Example = Example {
    name: "buildkit-extras",
    secrets: &[(
        "netrc",
        "machine git.example.com login ci password ${token}\n",
    )],
    steps: &[
        Step::Build(Build {
            secrets: NETRC,
            stock: Stock::ReusesWhereLink,
            ..Build::tag("multi")
        }),
        user("multi", "65532:65532"),
        Step::Serve(Serve {
            health_interval: true,
            healthy: true,
            ..Serve::on("multi", 8080, &[("/", r"^extras 1\.0\.0 linux/amd64$")])
        }),
        // The control: the saved image does hold the binary's version string.
        Step::SecretAbsent {
            image: "multi",
            control: "extras %s %s/%s",
        },
        // required=true: without the secret the build fails, because of the secret
        // (BuildKit: "secret netrc: not found"). No cache: secrets are not part of the cache
        // key, so a cached `go mod download` step would not even look for it.
        Step::Build(Build {
            cache: Cache::Never,
            fails: true,
            error_has: Some("netrc"),
            ..Build::tag("no-secret")
        }),
        // Cross-compilation: the compiler runs on the build platform, the binary is arm64.
        Step::Build(Build {
            secrets: NETRC,
            platform: Some("linux/arm64"),
            build_args: &[("APP_VERSION", "2.0.0")],
            target: Some("binary"),
            local: Some("out"),
            ..Build::tag("binary-arm64")
        }),
        Step::Elf {
            path: "out/app",
            machine: Machine::Aarch64,
        },
        // .dockerignore: changes to ignored files (docs, .env, secrets/) leave the build cached.
        Step::Copy { name: "extras" },
        Step::Build(IGNORE_CHECK),
        Step::Edit {
            copy: "extras",
            edit: Edit::Append {
                file: "README.md",
                text: "changed\n",
            },
        },
        Step::Edit {
            copy: "extras",
            edit: Edit::Write {
                file: "secrets/token",
                text: "${token}\n",
            },
        },
        Step::Edit {
            copy: "extras",
            edit: Edit::Write {
                file: ".env",
                text: "TOKEN=${token}\n",
            },
        },
        Step::Build(Build {
            step_cached: Some(r"\[build +[0-9]+/[0-9]+\] COPY \. \."),
            note: Some(".dockerignore: README.md, .env, secrets/ changed, COPY . . stayed cached"),
            ..IGNORE_CHECK
        }),
        Step::Build(Build::single()),
        Step::Serve(Serve::on(
            "single",
            8080,
            &[("/", r"^extras 1\.0\.0 linux/amd64$")],
        )),
        sizes("buildkit-extras"),
    ],
};

/// buildkit-extras' copy, built with the cache.
const IGNORE_CHECK: Build = Build {
    context: Context::Copy("extras"),
    secrets: NETRC,
    cache: Cache::Kept,
    ..Build::tag("ignore-check")
};

/// Two services whose Dockerfiles INCLUDE one shared builder stage and shared runtime
/// settings (an mstage extension: the built-in frontend rejects INCLUDE, so no stock
/// rebuild).
const MONOREPO_INCLUDE: Example = Example {
    name: "monorepo-include",
    secrets: &[],
    steps: &[
        Step::Build(Build {
            file: Some("api.Dockerfile"),
            ..Build::tag("api")
        }),
        Step::Prints {
            image: "api",
            args: &[],
            is: "api: ready to serve (shared lib 1.0)",
        },
        user("api", "10001:10001"),
        config(
            "api",
            "{{index .Config.Labels \"org.example.monorepo.builder\"}}",
            "common/builder.Dockerfile",
        ),
        // The shared builder's first step is the same op for both services: the worker
        // build finds it in the api build's cache.
        Step::Build(Build {
            file: Some("worker.Dockerfile"),
            cache: Cache::Kept,
            step_cached: Some(r"\[builder 2/6\] WORKDIR /build"),
            ..Build::tag("worker")
        }),
        Step::Prints {
            image: "worker",
            args: &[],
            is: "worker: processed 1 batch (--once) (shared lib 1.0)",
        },
        Step::Prints {
            image: "worker",
            args: &["cat", "/app/BUILD"],
            is: "worker built by common/builder.Dockerfile",
        },
        // A missing fragment fails the build, naming the Dockerfile and the INCLUDE line.
        Step::Copy { name: "mono" },
        Step::Edit {
            copy: "mono",
            edit: Edit::Replace {
                file: "api.Dockerfile",
                regex: r"common/builder\.Dockerfile",
                with: "common/missing.Dockerfile",
            },
        },
        Step::Build(Build {
            context: Context::Copy("mono"),
            file: Some("api.Dockerfile"),
            fails: true,
            error_has: Some("api.Dockerfile:5: INCLUDE common/missing.Dockerfile: file not found"),
            note: Some("a missing fragment: the build failed naming api.Dockerfile:5"),
            ..Build::tag("missing-fragment")
        }),
    ],
};

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    fn examples_dir() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples"))
    }

    #[test]
    fn every_example_folder_is_in_the_table_once() {
        let mut folders: Vec<String> = std::fs::read_dir(examples_dir())
            .unwrap()
            .flatten()
            // A folder with a Dockerfile, or several (`*.Dockerfile`: monorepo-include).
            .filter(|e| {
                let names = std::fs::read_dir(e.path()).into_iter().flatten().flatten();
                e.path().join("Dockerfile").is_file()
                    || names
                        .into_iter()
                        .any(|f| f.file_name().to_string_lossy().ends_with(".Dockerfile"))
            })
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        folders.sort();
        let mut names: Vec<String> = EXAMPLES.iter().map(|e| e.name.to_string()).collect();
        names.sort();
        assert_eq!(names, folders);
    }

    /// Every image is built, every copy made, and every secret and Dockerfile exists before a
    /// step uses it; `${var}`s are defined.
    #[test]
    fn steps_use_only_what_earlier_steps_made() {
        for example in EXAMPLES {
            let dir = examples_dir().join(example.name);
            let (mut images, mut copies) = (BTreeSet::new(), BTreeSet::new());
            let mut vars = BTreeSet::from(["token"]);
            let secrets: BTreeSet<&str> = example.secrets.iter().map(|(id, _)| *id).collect();
            let name = example.name;
            let has = |set: &BTreeSet<&str>, what: &str, x: &str| {
                assert!(set.contains(x), "{name}: {what} {x} used before it is made");
            };
            for step in example.steps {
                for image in step.images() {
                    has(&images, "image", image);
                }
                for text in step.texts() {
                    for var in super::super::run::vars_in(text) {
                        has(&vars, "variable", var);
                    }
                }
                match step {
                    Step::Copy { name } => {
                        copies.insert(*name);
                    }
                    Step::Edit { copy, .. } => has(&copies, "copy", copy),
                    Step::Capture { var, .. } => {
                        vars.insert(var);
                    }
                    Step::Build(b) => {
                        if let Context::Copy(c) = b.context {
                            has(&copies, "copy", c);
                        }
                        for s in b.secrets {
                            has(&secrets, "secret", s);
                        }
                        let file = dir.join(b.file.unwrap_or("Dockerfile"));
                        assert!(file.is_file(), "{}: no {}", name, file.display());
                        if b.local.is_none() && !b.fails {
                            images.insert(b.tag);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn regexes_compile() {
        for example in EXAMPLES {
            for step in example.steps {
                for re in step.regexes() {
                    regex::Regex::new(re).unwrap();
                }
            }
        }
    }
}
