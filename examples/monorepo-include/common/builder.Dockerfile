# The shared builder stage of every service. BASE and SERVICE are the global ARGs of the
# Dockerfile that includes this file.
FROM ${BASE} AS builder
ARG SERVICE
WORKDIR /build
COPY lib/ lib/
COPY services/${SERVICE}/ app/
RUN mkdir -p /out/bin /out/lib \
 && cp lib/common.sh /out/lib/common.sh \
 && cp app/main.sh "/out/bin/${SERVICE}" \
 && chmod 0755 "/out/bin/${SERVICE}" \
 && echo "${SERVICE} built by common/builder.Dockerfile" > /out/BUILD
# A smoke test of the assembled service, in the builder: a broken service fails the build.
RUN "/out/bin/${SERVICE}" --self-test
