# A shared builder stage: the including file's global ARGs are in scope here.
FROM ${BASE} AS builder
ARG GREETING
INCLUDE steps.Dockerfile
RUN echo "$GREETING from the builder" > /out/greeting.txt
