# The official Deno image; migrations run at start-up (and as Fly's release command).
FROM denoland/deno:2.9.6
WORKDIR /app
COPY deno.json deno.lock* ./
COPY . .
RUN deno install && deno task build && deno cache main.ts workers/import_worker.ts
ENV PORT=8000 DATA_DIR=/data
EXPOSE 8000
CMD ["deno", "task", "serve"]
