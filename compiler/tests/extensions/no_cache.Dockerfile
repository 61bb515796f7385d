FROM busybox:1.36
RUN echo before > /before
RUN --no-cache date +%s%N > /stamp
RUN cat /stamp
