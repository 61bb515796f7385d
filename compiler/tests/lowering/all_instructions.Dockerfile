ARG BASE=alpine:3.20
FROM ${BASE} AS base
LABEL org.example.a="1" b=2
MAINTAINER someone@example.com
ENV A=1 B="two words"
ARG VERSION=1.0
WORKDIR /app
USER 1000:1000
SHELL ["/bin/bash", "-c"]
RUN echo $A $VERSION
RUN ["echo", "exec form"]
COPY --chown=app:app --chmod=644 a.txt b.txt ./
COPY --chmod=u+x run.sh /usr/local/bin/
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/file.tar.gz /tmp/
ADD https://github.com/moby/buildkit.git#v0.12.0:docs /docs
ADD --keep-git-dir=true https://github.com/x/y.git /src
ADD archive.tar.gz /opt/
ADD --unpack=false archive.tar.gz /raw/
COPY --link dist/ /srv/
COPY --exclude=*.md --parents src/./pkg/ /out/
COPY <<EOT /etc/config
hello $A
EOT
RUN <<EOT
set -e
echo hi
EOT
RUN <<EOT
#!/usr/bin/env python3
print("hi")
EOT
EXPOSE 80 443/udp
VOLUME /data
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5s --timeout=3s --retries=2 CMD curl -f http://localhost/
ONBUILD RUN echo triggered
ENTRYPOINT ["/bin/app"]
CMD ["--help"]
