FROM alpine AS one
RUN echo 1 > /1

FROM one AS two
RUN echo 2 > /2

FROM two AS three
RUN echo 3 > /3
