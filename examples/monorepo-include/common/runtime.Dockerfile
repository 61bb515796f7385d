# Runtime settings every service image shares (instructions inside a stage).
WORKDIR /app
ENV PATH=/app/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL org.example.monorepo.builder="common/builder.Dockerfile"
USER 10001:10001
