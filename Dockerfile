# The app's image: the official Deno image, pinned to the version CI installs (.ci/run DENO_VERSION).
FROM denoland/deno:2.9.6

# The image's own non-root user (uid 1993) owns the app and the data folder; the server never runs as root.
RUN mkdir -p /app /data && chown deno:deno /app /data
WORKDIR /app
USER deno

# Dependencies in their own layer: rebuilt when deno.json or deno.lock change, not on every source edit.
COPY --chown=deno:deno deno.json deno.lock ./
RUN deno install --frozen

COPY --chown=deno:deno . .
# Islands are bundled now, once: `deno task start` would bundle them again on every boot. The second step
# caches the entry points that are not reached from main.ts (the release command, the token task), so
# nothing is fetched when a machine starts.
RUN deno task build \
  && deno install --frozen --entrypoint main.ts core/platform/migrate_cli.ts core/accounts/token_cli.ts

ENV PORT=8000 DATA_DIR=/data
EXPOSE 8000
# The image has no curl: Deno's own fetch asks /readyz (database and job queue) and exits 0 only on a 200.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD deno eval --no-config "const r = await fetch('http://127.0.0.1:' + (Deno.env.get('PORT') || '8000') + '/readyz'); await r.body?.cancel(); Deno.exit(r.ok ? 0 : 1)"
# The serve task, not start: start bundles the islands again. Migrations apply at start-up too.
CMD ["deno", "task", "serve"]
