# Builds the mstage frontend image from source:
#   docker build -t mstage .        (then use `# syntax=mstage` or BUILDKIT_SYNTAX=mstage)
# The final image holds only the static binary, runs as a non-root user and carries the
# labels BuildKit reads from a frontend image. RUST_IMAGE can point at a local toolchain image.
ARG RUST_IMAGE=rust:1-bookworm

FROM ${RUST_IMAGE} AS build
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
COPY --from=build /mstage /bin/mstage
LABEL moby.buildkit.frontend.network.none="true"
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts"
USER 65532:65532
ENTRYPOINT ["/bin/mstage"]
