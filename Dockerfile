# syntax=docker/dockerfile:1
# One image recipe for each of the three services:
#   docker build --build-arg MODULE=chat-worker -t shuzhi/chat-worker .
# docker-compose.yml builds all three with it.
ARG MODULE=api-service

FROM eclipse-temurin:25-jdk AS build
ARG MODULE
WORKDIR /src
# The whole reactor: Maven needs every module's pom, and -am builds what MODULE depends on.
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -Dmaven.test.skip=true -pl "${MODULE}" -am package \
 && cp "${MODULE}"/target/"${MODULE}"-*-exec.jar /service.jar

FROM eclipse-temurin:25-jre
ARG MODULE
LABEL org.opencontainers.image.title="shuzhi-${MODULE}"
RUN groupadd --system shuzhi && useradd --system --gid shuzhi --home-dir /app shuzhi
WORKDIR /app
COPY --from=build /service.jar /app/service.jar
USER shuzhi
# The heap follows the container's memory limit; leave room for metaspace, threads and buffers.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
# No curl or wget in this image: compose's healthchecks use bash's /dev/tcp.
ENTRYPOINT ["java", "-jar", "/app/service.jar"]
