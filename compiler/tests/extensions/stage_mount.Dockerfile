FROM busybox:1.36 AS base
WORKDIR /work
MOUNT type=cache,id=pip,target=cache
MOUNT type=bind,target=/src
RUN ls cache /src
RUN --mount=type=tmpfs,target=/src ls /src

FROM base
RUN ls /work
