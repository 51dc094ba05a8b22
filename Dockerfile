# One image for every Sluice process (scheduler, worker, webserver, migrate): the command decides.
FROM node:20-bookworm-slim
WORKDIR /opt/sluice
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY workers ./workers
COPY ui ./ui
COPY dags ./dags
# The demo shop's data process (docker-compose service demo-data); it imports src/log.ts and src/core.
COPY demo ./demo
# Sluice runs its own code bundled (node_modules/.cache/sluice): built here once, so that no
# container has to build it when it starts.
RUN node bin/sluice.mjs --help > /dev/null
ENV SLUICE_DAGS_FOLDER=/opt/sluice/dags \
    SLUICE_HOST=0.0.0.0
ENTRYPOINT ["node", "bin/sluice.mjs"]
CMD ["standalone"]
