FROM golang:1.22 AS deps
RUN touch /deps

FROM alpine
WORKDIR /src
RUN --mount=type=bind,from=deps,source=/deps,target=/d \
    --mount=type=bind,target=/ctx,rw \
    --mount=type=cache,target=/root/.cache,id=gocache,sharing=locked \
    --mount=type=cache,target=cache-rel,uid=1000,gid=1000,mode=0700 \
    --mount=type=tmpfs,target=/tmp,size=64m \
    ls /d /ctx
RUN --mount=type=secret,id=token,target=/run/token,required,mode=0440 \
    --mount=type=secret,id=apikey,env=API_KEY \
    --mount=type=ssh,id=default \
    echo "$API_KEY"
RUN --network=none echo offline
RUN --network=host echo host
RUN --security=insecure echo privileged
