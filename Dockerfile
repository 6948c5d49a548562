# syntax=docker/dockerfile:1
#
# wxbridge in a container. Build with version information (the .git
# directory is not part of the build context):
#
#   docker build -t wxbridge \
#     --build-arg TAG="$(git describe --tags --exact-match 2>/dev/null || echo unknown)" \
#     --build-arg COMMIT="$(git rev-parse HEAD)" \
#     --build-arg BUILD_TIME="$(date -u +%Y-%m-%dT%H:%M:%SZ)" .
#
# Run: everything lives in the /data volume (config.yaml, registration.yaml,
# wxbridge.db, logs/), owned by uid 1337. See docker-run.sh for the first start.
#
#   mkdir data && sudo chown 1337:1337 data
#   docker run --rm -v "$PWD/data:/data" wxbridge          # writes data/config.yaml; edit it
#   docker run --rm -v "$PWD/data:/data" wxbridge          # writes data/registration.yaml
#   docker run -d --name wxbridge -v "$PWD/data:/data" -p 29350:29350 wxbridge

# The Go version of go.mod, on the Debian release of the runtime image: the
# binary uses cgo (SQLite), so it must link against the same glibc.
ARG GO_VERSION=1.26
FROM golang:${GO_VERSION}-bookworm AS build

# The golang image already has gcc and libc6-dev for cgo.
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

COPY . .
ARG TAG=unknown
ARG COMMIT=unknown
ARG BUILD_TIME=unknown
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
	CGO_ENABLED=1 go build -tags goolm -trimpath \
	-ldflags "-s -w -X main.Tag=${TAG} -X main.Commit=${COMMIT} -X 'main.BuildTime=${BUILD_TIME}'" \
	-o /out/wxbridge . \
	&& /out/wxbridge -v

FROM debian:bookworm-slim

# ffmpeg turns WeChat voice notes into Matrix voice messages (Ogg/Opus).
RUN apt-get update \
	&& apt-get install -y --no-install-recommends ca-certificates tzdata ffmpeg \
	&& rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1337 wxbridge \
	&& useradd --system --uid 1337 --gid wxbridge --home-dir /data --no-create-home --shell /usr/sbin/nologin wxbridge \
	&& mkdir /data && chown wxbridge:wxbridge /data

COPY --from=build /out/wxbridge /usr/bin/wxbridge
COPY docker-run.sh /usr/local/bin/docker-run.sh
COPY config.example.yaml /usr/share/wxbridge/config.example.yaml

USER 1337:1337
# The default config's SQLite database (file:wxbridge.db) and log directory
# (./logs) are relative to the working directory.
WORKDIR /data
VOLUME /data
EXPOSE 29350

ENTRYPOINT ["/usr/local/bin/docker-run.sh"]
