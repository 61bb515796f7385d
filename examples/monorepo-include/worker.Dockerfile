# syntax=mstage:dev
# The worker service: the same shared builder and runtime settings, another service.
ARG BASE=busybox:latest
ARG SERVICE=worker
INCLUDE common/builder.Dockerfile

FROM ${BASE}
INCLUDE common/runtime.Dockerfile
COPY --from=builder /out/ /app/
CMD ["worker", "--once"]
