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
# sharing=locked: compose builds the three images at once, and Maven's local repository is not
# safe for concurrent writers. -ntp: progress per module, not per downloaded byte.
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    ./mvnw -B -ntp -Dmaven.test.skip=true -pl "${MODULE}" -am package \
 && ./mvnw -B -ntp -q -f ops/aot/pom.xml dependency:copy-dependencies -DoutputDirectory=/training/lib \
 && cp "${MODULE}"/target/"${MODULE}"-*-exec.jar /service.jar

# Layers, dependencies first: a code change rebuilds only the last one (Spring Boot's "extract").
RUN java -Djarmode=tools -jar /service.jar extract --destination /app --application-filename service.jar

# Its in-memory stores, compiled here: the JRE below has no source launcher.
RUN javac -cp '/training/lib/*' -d /training/classes ops/aot/TrainingStores.java

FROM eclipse-temurin:25-jre
ARG MODULE
LABEL org.opencontainers.image.title="shuzhi-${MODULE}"
# A fixed uid: compose's try-out secret and Kubernetes' securityContext name it.
RUN groupadd --system --gid 10001 shuzhi \
 && useradd --system --uid 10001 --gid shuzhi --home-dir /app shuzhi
WORKDIR /app
COPY --from=build /app/lib /app/lib
COPY --from=build /app/service.jar /app/service.jar

# The AOT cache (JEP 483/514/515) fits one JVM build and one classpath, so it is made here, on the
# JRE and the files the service runs with: a training run starts the service until its context has
# refreshed and records what it loaded, linked and profiled. Its stores are in-memory ones
# (ops/aot/TrainingStores.java), mounted from the build stage for this step only. Their timeouts
# are long: a busy builder made the 2 s production ones fail a training run (measured).
RUN --mount=type=bind,from=build,source=/training,target=/training \
    java -cp '/training/classes:/training/lib/*' TrainingStores 27017 6379 > /tmp/stores.log 2>&1 & stores=$!; \
    for i in $(seq 1 600); do grep -q 'training stores' /tmp/stores.log && break; sleep 0.2; done; \
    SHUZHI_JWT_SECRET="$(head -c 48 /dev/urandom | base64 -w0)" \
    SPRING_DATA_MONGODB_URI=mongodb://127.0.0.1:27017/shuzhi \
    SPRING_DATA_REDIS_URL=redis://127.0.0.1:6379 \
    SPRING_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9 SHUZHI_LLM_API_KEY=training-run-only \
    SHUZHI_PLATFORM_STORE_TIMEOUT=30s SPRING_DATA_REDIS_TIMEOUT=30s \
    SPRING_DATA_REDIS_CONNECT_TIMEOUT=30s \
    java -XX:AOTCacheOutput=/app/app.aot -Dspring.context.exit=onRefresh \
      -Dserver.port=0 -Dmanagement.server.port=0 -jar /app/service.jar > /tmp/training.log 2>&1 \
    || { tail -n 50 /tmp/training.log; exit 1; }; \
    kill "$stores"; test -s /app/app.aot && rm -rf /tmp/*

USER shuzhi
# The heap follows the container's memory limit; leave room for metaspace, threads and buffers.
# G1 named: under 1,792 MB or 2 CPUs the JVM would choose the serial collector, whose young pauses
# (0.7-1.3 s in the bench's 2,000-chat phase) held every stream's tokens; with G1 the same phase's
# token p99 was 20 ms (README, Performance).
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+UseG1GC"
# No curl or wget in this image: compose's healthchecks use bash's /dev/tcp.
ENTRYPOINT ["java", "-XX:AOTCache=/app/app.aot", "-jar", "/app/service.jar"]
