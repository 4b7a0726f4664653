# The API server: a static Go binary with the seed and the explorer embedded,
# on a small base holding only CA certificates, time zones and a nonroot user.
#
#   docker build .                     compiles in GO_IMAGE, on BASE_IMAGE (a registry's images)
#   docker build --target prebuilt \
#     --build-arg BASE_IMAGE=cyberkg/static:bookworm .
#                                      what `make images` does without a registry: the binary
#                                      compiled on the host into .build/server, copied onto
#                                      the base built from Debian packages (deploy/base/build)
# The prebuilt stage comes first so that the classic builder, which builds
# every stage before the target, never needs GO_IMAGE for it.
ARG BASE_IMAGE=gcr.io/distroless/static-debian12:nonroot
ARG GO_IMAGE=golang:1.26

FROM ${BASE_IMAGE} AS prebuilt
COPY .build/server /server
USER 65532:65532
EXPOSE 8080
ENV HTTP_ADDR=0.0.0.0:8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=120s --retries=3 CMD ["/server", "probe", "http://127.0.0.1:8080/readyz"]
ENTRYPOINT ["/server"]

FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags=-s -o /server ./server

FROM ${BASE_IMAGE} AS compiled
COPY --from=build /server /server
USER 65532:65532
EXPOSE 8080
ENV HTTP_ADDR=0.0.0.0:8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=120s --retries=3 CMD ["/server", "probe", "http://127.0.0.1:8080/readyz"]
ENTRYPOINT ["/server"]
