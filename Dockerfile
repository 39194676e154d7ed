# syntax=docker/dockerfile:1
# Build a static binary (the SQLite driver is pure Go: no cgo).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/rendezvous ./cmd/rendezvous

# Small runtime image with CA certificates and tzdata, running as non-root.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/rendezvous /usr/local/bin/rendezvous
WORKDIR /var/lib/rendezvous
USER nonroot:nonroot
ENV RENDEZVOUS_DATA_DIR=/var/lib/rendezvous/data \
    RENDEZVOUS_DATABASE_URL=sqlite:///var/lib/rendezvous/data/rendezvous.db
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/rendezvous"]
CMD ["serve"]
