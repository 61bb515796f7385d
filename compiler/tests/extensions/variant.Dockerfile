FROM busybox:1.36 AS build-release
RUN echo release > /out

FROM alpine:3.20 AS build-debug
RUN false

FROM busybox:1.36
ARG VARIANT=release
COPY --from=build-${VARIANT} /out /out
RUN --mount=from=build-$VARIANT,source=/out,target=/in cat /in
