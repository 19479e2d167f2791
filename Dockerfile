# syntax=docker/dockerfile:1
#
# qmbot in a container: built with the Rust toolchain, run on distroless as a
# non-root user, with data/ and config/ baked in and the subscriptions in a
# volume.
#
#   docker build -t qmbot .
#   docker run -d --name qmbot -e TELOXIDE_TOKEN=... -v qmbot-state:/app/state qmbot
#   docker kill --signal=HUP qmbot        # reload /app/data (and [admin])
#
# The image runs `qmbot --config /app/config/container.toml run`; that config
# turns on [http] listen = "0.0.0.0:9090", which the HEALTHCHECK asks
# (`qmbot healthcheck` exits 0 without [http], so a config without it never
# marks the container unhealthy).

ARG RUST_IMAGE=rust:1-slim-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

FROM ${RUST_IMAGE} AS build
WORKDIR /src
# rusqlite (bundled SQLite), zstd and ring compile C with the image's gcc.
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin qmbot \
 && install -D -m 0755 target/release/qmbot /out/qmbot
# The state directory, owned by distroless' nonroot user (65532), so the
# volume created from it is writable by the bot.
RUN install -d -m 0750 -o 65532 -g 65532 /out/state

FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /out/qmbot /app/qmbot
COPY data/ /app/data/
COPY config/ /app/config/
COPY --from=build --chown=65532:65532 /out/state /app/state
USER 65532:65532
ENV RUST_LOG=info
VOLUME ["/app/state"]
# 9090: /healthz and /metrics. 8443: the webhook, when [webhook] is configured.
EXPOSE 9090 8443
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/app/qmbot", "--config", "/app/config/container.toml", "healthcheck"]
# SIGTERM (docker stop) stops the bot within 5 s; SIGHUP reloads the corpus.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/qmbot", "--config", "/app/config/container.toml"]
CMD ["run"]
