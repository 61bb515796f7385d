FROM alpine AS used
RUN echo used

FROM debian AS unused
RUN echo never

FROM used
RUN echo final
