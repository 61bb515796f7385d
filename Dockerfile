# Builds the mstage frontend image from source:
#   docker build -t mstage .        (then use `# syntax=mstage` or BUILDKIT_SYNTAX=mstage)
# The final image holds only the static binary, runs as a non-root user and carries the
# labels BuildKit reads from a frontend image. RUST_IMAGE can point at a local toolchain image.
# The context leaves out .git, so the revision comes in as a build arg:
#   docker build --build-arg MSTAGE_REVISION=$(git rev-parse HEAD) \
#     --build-arg MSTAGE_VERSION=0.1.0 -t mstage .
# (scripts/package-image.sh builds the same image for amd64 and arm64 without an engine.)
ARG RUST_IMAGE=rust:1-bookworm

FROM ${RUST_IMAGE} AS build
# frontend/build.rs reads it when there is no git work tree: `mstage --version` shows it.
ARG MSTAGE_REVISION
WORKDIR /src
COPY . .
# glibc with crt-static gives a static-pie binary. Without the CLI-only `registry` feature
# no OpenSSL is linked. The explicit target keeps RUSTFLAGS off build scripts.
RUN --mount=type=cache,id=mstage-target,target=/src/target \
    set -eux; \
    triple="$(uname -m)-unknown-linux-gnu"; \
    RUSTFLAGS='-C target-feature=+crt-static' \
        cargo build --release --locked --target "$triple" -p mstage --no-default-features; \
    cp "target/$triple/release/mstage" /mstage; \
    /mstage --version

FROM scratch
ARG MSTAGE_VERSION
ARG MSTAGE_REVISION
ARG MSTAGE_SOURCE
COPY --from=build /mstage /bin/mstage
LABEL org.opencontainers.image.title="mstage" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${MSTAGE_VERSION}" \
      org.opencontainers.image.revision="${MSTAGE_REVISION}" \
      org.opencontainers.image.source="${MSTAGE_SOURCE}"
LABEL moby.buildkit.frontend.network.none="true"
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts"
USER 65532:65532
ENTRYPOINT ["/bin/mstage"]
