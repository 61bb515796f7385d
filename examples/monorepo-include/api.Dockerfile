# syntax=mstage:dev
# The api service. Its builder stage is the shared one in common/builder.Dockerfile.
ARG BASE=busybox:latest
ARG SERVICE=api
INCLUDE common/builder.Dockerfile

FROM ${BASE}
INCLUDE common/runtime.Dockerfile
COPY --from=builder /out/ /app/
CMD ["api"]
