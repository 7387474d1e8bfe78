/**
 * The deployment files (issue 10), checked as far as this machine can without Docker or flyctl:
 * fly.toml parses and says what Fly and the app need, the Dockerfile's instructions are sound, its
 * build steps succeed on a copy of the build context, its HEALTHCHECK tells a ready app from none,
 * and the README's table of environment variables matches what the app reads.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { parse as parseToml } from "smol-toml";
import { ENV_VARIABLES } from "../core/platform/mod.ts";
import { freePort } from "./helpers/server_process.ts";
import { startTestApp, withCleanup } from "./helpers/test_app.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const read = (path: string) => Deno.readTextFileSync(`${ROOT}${path}`);

/** One Dockerfile instruction: its keyword, upper-case, and its arguments with continuations joined. */
interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

const DOCKERFILE_KEYWORDS = new Set([
  "FROM",
  "RUN",
  "CMD",
  "LABEL",
  "EXPOSE",
  "ENV",
  "ADD",
  "COPY",
  "ENTRYPOINT",
  "VOLUME",
  "USER",
  "WORKDIR",
  "ARG",
  "ONBUILD",
  "STOPSIGNAL",
  "HEALTHCHECK",
  "SHELL",
]);

/** Splits a Dockerfile into instructions; a line that starts with no known keyword is an error. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: Instruction | null = null;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (pending === null && (line === "" || line.startsWith("#"))) return;
    if (pending !== null && line.startsWith("#")) return; // a comment inside a continued instruction
    const continues = line.endsWith("\\");
    const body = continues ? line.slice(0, -1).trim() : line;
    if (pending === null) {
      const [keyword] = body.split(/\s+/, 1);
      if (!DOCKERFILE_KEYWORDS.has(keyword.toUpperCase())) {
        throw new Error(`Dockerfile line ${index + 1} starts with "${keyword}", not an instruction`);
      }
      pending = { keyword: keyword.toUpperCase(), args: body.slice(keyword.length).trim(), line: index + 1 };
    } else {
      pending.args = `${pending.args} ${body}`.trim();
    }
    if (!continues) {
      instructions.push(pending);
      pending = null;
    }
  });
  if (pending !== null) throw new Error("the Dockerfile ends inside a continued instruction");
  return instructions;
}

const dockerfile = () => parseDockerfile(read("Dockerfile"));

Deno.test("fly.toml parses as TOML and says what Fly needs and what this app needs", () => {
  // deno-lint-ignore no-explicit-any
  const fly = parseToml(read("fly.toml")) as any;
  equal(typeof fly.app, "string");
  ok(fly.app.length > 0, "an app name (a placeholder fly launch replaces)");
  match(fly.primary_region, /^[a-z]{3}$/);
  equal(fly.build.dockerfile, "Dockerfile");
  equal(fly.deploy.release_command, "deno task migrate");
  equal(fly.kill_signal, "SIGTERM", "the signal main.ts stops gracefully on");
  ok(fly.kill_timeout >= 10, "room for the graceful stop (up to ~5 s) before Fly kills the machine");

  equal(fly.env.DATA_DIR, "/data");
  equal(fly.env.PORT, "8000");
  for (const name of Object.keys(fly.env)) {
    ok(ENV_VARIABLES.includes(name), `[env] sets ${name}, which the app does not read`);
  }
  for (const secret of ["DATABASE_URL", "ADMIN_EMAIL", "ADMIN_PASSWORD"]) {
    equal(fly.env[secret], undefined, `${secret} is a secret, not an [env] value`);
    ok(!read("fly.toml").includes(`${secret} =`), `${secret} is set nowhere in fly.toml`);
  }

  const mounts = Array.isArray(fly.mounts) ? fly.mounts : [fly.mounts];
  equal(mounts.length, 1);
  equal(mounts[0].destination, "/data");
  match(mounts[0].source, /^[a-z0-9_]+$/, "a volume name Fly accepts");

  const http = fly.http_service;
  equal(http.internal_port, 8000);
  equal(http.internal_port, Number(fly.env.PORT), "Fly's proxy targets the port the app listens on");
  equal(http.force_https, true);
  ok(["off", "stop", "suspend", true, false].includes(http.auto_stop_machines));
  equal(typeof http.auto_start_machines, "boolean");
  ok(Number.isInteger(http.min_machines_running) && http.min_machines_running >= 1);
  ok(["requests", "connections"].includes(http.concurrency.type));
  ok(http.concurrency.soft_limit > 0 && http.concurrency.soft_limit <= http.concurrency.hard_limit);
  equal(http.checks.length, 1);
  deepEqual(
    { method: http.checks[0].method, path: http.checks[0].path },
    { method: "GET", path: "/readyz" },
  );
  for (const key of ["grace_period", "interval", "timeout"]) match(http.checks[0][key], /^\d+s$/);
});

Deno.test("the Dockerfile pins CI's Deno, installs dependencies before the source, runs as a non-root user", () => {
  const steps = dockerfile();
  const ciVersion = read(".ci/run").match(/^DENO_VERSION=(\S+)$/m)?.[1];
  ok(ciVersion, ".ci/run sets DENO_VERSION");
  equal(steps[0].keyword, "FROM");
  equal(steps[0].args, `denoland/deno:${ciVersion}`, "the official image, the version CI installs");
  ok(read("README.md").includes(`deno@${ciVersion} task start`), "the README runs the same version");

  const users = steps.filter((step) => step.keyword === "USER");
  ok(users.length > 0, "a USER instruction");
  ok(!["root", "0", "0:0"].includes(users.at(-1)!.args), `runs as ${users.at(-1)!.args}, not root`);

  const index = (test: (step: Instruction) => boolean, what: string) => {
    const found = steps.findIndex(test);
    ok(found >= 0, `the Dockerfile has ${what}`);
    return found;
  };
  const copyManifest = index((s) => s.keyword === "COPY" && /\bdeno\.lock\b/.test(s.args), "COPY deno.lock");
  const install = index((s) => s.keyword === "RUN" && /^deno install\b/.test(s.args), "RUN deno install");
  const copySource = index((s) => s.keyword === "COPY" && /\s\.\s+\.$/.test(` ${s.args}`), "COPY . .");
  const build = index(
    (s) => s.keyword === "RUN" && s.args.includes("deno task build"),
    "RUN deno task build",
  );
  ok(
    copyManifest < install && install < copySource && copySource < build,
    "dependencies get their own layer",
  );
  ok(users.every((user) => steps.indexOf(user) < copyManifest), "USER comes before the app's files");

  const health = steps.find((step) => step.keyword === "HEALTHCHECK");
  ok(health, "a HEALTHCHECK");
  match(health.args, /\bCMD deno eval\b.*\/readyz/);
  const cmd = steps.filter((step) => step.keyword === "CMD").at(-1);
  deepEqual(JSON.parse(cmd!.args), ["deno", "task", "serve"]);
  match(read("deno.json"), /"serve": "deno run /, "the serve task exists");
});

Deno.test("the README's table of environment variables is exactly what the app's configuration reads", () => {
  const readme = read("README.md");
  const section = readme.slice(readme.indexOf("\n## Configuration\n"));
  const table = section.slice(0, section.indexOf("\n#", 5));
  const documented = [...table.matchAll(/^\| `([A-Z0-9_]+)`/gm)].map((m) => m[1]);
  deepEqual(documented.toSorted(), [...ENV_VARIABLES].toSorted());

  // Outside config.ts only tests and the bench read the environment; the README lists those too.
  const others = new Set<string>();
  for (const file of sourceFiles(ROOT)) {
    const text = Deno.readTextFileSync(file);
    const relative = file.slice(ROOT.length);
    if (
      relative !== "core/platform/config.ts" &&
      /^(core|routes|workers|components|islands)\/|^main\.ts$/.test(relative)
    ) {
      ok(!text.includes("Deno.env"), `${relative} reads Deno.env; config.ts alone should`);
    }
    for (const m of text.matchAll(/Deno\.env\.get\("([A-Z0-9_]+)"\)/g)) others.add(m[1]);
  }
  for (const name of others) ok(readme.includes(`\`${name}\``), `${name} is read but not in the README`);
});

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    if ([".git", "node_modules", "data"].includes(entry.name)) continue;
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory) files.push(...sourceFiles(`${path}/`));
    else if (/\.tsx?$/.test(entry.name)) files.push(path);
  }
  return files;
}

/** The files `docker build .` would send from a clean checkout: tracked ones, less what .dockerignore drops. */
async function buildContext(): Promise<string[]> {
  const listed = await new Deno.Command("git", {
    args: ["ls-files", "--cached", "--others", "--exclude-standard"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  const ignore = read(".dockerignore").split("\n").map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((pattern) =>
      new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*")}(/|$)`)
    );
  return new TextDecoder().decode(listed.stdout).split("\n")
    .filter((path) => path && !ignore.some((pattern) => pattern.test(path)))
    .filter((path) => {
      try {
        return Deno.statSync(`${ROOT}${path}`).isFile; // a tracked file deleted in the work tree is not sent
      } catch {
        return false;
      }
    });
}

Deno.test({
  name:
    "the Dockerfile's steps succeed on a clean checkout: deno install from the manifests alone, then the build",
  async fn() {
    const context = await buildContext();
    ok(context.includes("deno.lock") && context.includes("main.ts"));
    ok(!context.some((path) => path.startsWith("tests/") || path === "static/islands.js"));
    const image = await Deno.makeTempDir({ prefix: "importer-image-" });
    await withCleanup(async () => {
      let cwd = image;
      // Any download would go to this dead proxy and fail: the steps must work from Deno's cache.
      const env: Record<string, string> = {
        ...Deno.env.toObject(),
        HTTPS_PROXY: "http://127.0.0.1:9",
        HTTP_PROXY: "http://127.0.0.1:9",
        NO_PROXY: "127.0.0.1,localhost",
        NO_COLOR: "1",
      };
      for (const step of dockerfile()) {
        if (step.keyword === "WORKDIR") {
          cwd = `${image}${step.args}`;
          await Deno.mkdir(cwd, { recursive: true });
        } else if (step.keyword === "ENV") {
          for (const [, name, value] of step.args.matchAll(/(\w+)=(\S+)/g)) env[name] = value;
        } else if (step.keyword === "COPY") {
          const parts = step.args.split(/\s+/).filter((part) => !part.startsWith("--"));
          const dest = parts.pop()!;
          const sources = parts.includes(".") ? context : parts;
          for (const source of sources) {
            const target = dest === "." || dest.endsWith("/") ? `${cwd}/${dest}/${source}` : `${cwd}/${dest}`;
            await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
            await Deno.copyFile(`${ROOT}${source}`, target);
          }
        } else if (step.keyword === "RUN" && !step.args.startsWith("mkdir")) {
          const run = await new Deno.Command("sh", {
            args: ["-c", step.args],
            cwd,
            env,
            stdout: "piped",
            stderr: "piped",
            signal: AbortSignal.timeout(120_000),
          }).output();
          const output = new TextDecoder().decode(run.stderr).slice(-2000);
          equal(run.code, 0, `RUN ${step.args} (Dockerfile line ${step.line}) failed:\n${output}`);
        }
      }
      ok(Deno.statSync(`${cwd}/static/islands.js`).size > 1000, "the islands are bundled");
      ok(Deno.statSync(`${cwd}/node_modules/postgres`).isDirectory, "the dependencies are installed");
    }, () => [["remove the image folder", () => Deno.remove(image, { recursive: true })]]);
  },
});

Deno.test({
  name: "the HEALTHCHECK command exits 0 while the app is ready and fails when nothing answers",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const health = dockerfile().find((step) => step.keyword === "HEALTHCHECK")!;
    const command = health.args.slice(health.args.indexOf("CMD ") + 4);
    const probe = async (port: number) =>
      (await new Deno.Command("sh", {
        args: ["-c", command],
        env: { ...Deno.env.toObject(), PORT: String(port), NO_COLOR: "1" },
        stdout: "null",
        stderr: "null",
        signal: AbortSignal.timeout(30_000),
      }).output()).code;
    const app = await startTestApp();
    await withCleanup(async () => {
      equal(await probe(app.port), 0, "ready");
    }, () => [["stop the app", () => app.stop()]]);
    ok(await probe(freePort()) !== 0, "nothing listening");
  },
});
