FROM alpine AS common
RUN echo common > /common

FROM common AS left
RUN echo left > /left

FROM common AS right
RUN echo right > /right

FROM busybox
COPY --from=left /left /left
COPY --from=right /right /right
