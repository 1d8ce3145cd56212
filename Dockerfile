# syntax=docker/dockerfile:1
# loadgen in a container, for staging runs: a static binary on a distroless
# base (CA certificates, no shell, non-root). Workloads and identity keys are
# mounted read-only; run folders go to the /runs volume.
#
#   docker build -t loadgen .
#   docker run --rm -v $PWD/configs:/configs:ro -v $PWD/runs:/runs loadgen \
#     run /configs/staging.yaml --out /runs/staging-1

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/loadgen ./cmd/loadgen

FROM gcr.io/distroless/static-debian12:nonroot AS runtime
COPY --from=build /out/loadgen /usr/local/bin/loadgen
COPY configs /configs
USER 65532:65532
WORKDIR /runs
VOLUME ["/runs"]
ENTRYPOINT ["loadgen"]
CMD ["--help"]
