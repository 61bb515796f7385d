FROM alpine AS first
RUN echo a > /a

FROM scratch
COPY --from=0 /a /by-index
COPY --from=first /a /by-name
COPY --from=nginx:1.27 /etc/nginx/nginx.conf /by-image
