/**
 * The layout's rules, checked on the source: imports point one way (routes → core → database),
 * domains are used through their `mod.ts`, route modules never import each other, the browser
 * bundle holds no server code, and no module imports itself through others.
 */
import { deepStrictEqual } from "node:assert/strict";
import { dirname, join, normalize } from "node:path";

const ROOT = normalize(join(dirname(new URL(import.meta.url).pathname), ".."));
const SOURCE_DIRS = ["core", "routes", "components", "islands", "workers", "bench"];
/** Modules under core/ that the browser bundle may use: no server imports at all. */
const BROWSER_SAFE_CORE = ["core/platform/text.ts", "core/products/fields.ts", "core/imports/progress.ts"];
/** Modules under routes/ that are shared by the route modules rather than routes themselves. */
const ROUTE_SUPPORT = [
  "routes/mod.tsx",
  "routes/bulk_form.ts",
  "routes/return_to.ts",
  "routes/auth.ts",
  "routes/client_address.ts",
  "routes/context.ts",
  "routes/http.ts",
  "routes/errors.ts",
  "routes/forms.ts",
  "routes/request_log.ts",
  "routes/security_headers.ts",
];
/** Packages the browser bundle may contain. */
const BROWSER_PACKAGES = /^(preact|preact\/.*|@preact\/signals)$/;

interface Import {
  specifier: string;
  /** The repository path the specifier names, for relative specifiers. */
  target: string | null;
  typeOnly: boolean;
}

async function sourceFiles(): Promise<string[]> {
  const files = ["main.ts"];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(join(ROOT, dir))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (/\.tsx?$/.test(entry.name)) files.push(path);
    }
  };
  for (const dir of SOURCE_DIRS) await walk(dir);
  return files.sort();
}

const IMPORT_PATTERN = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^"';]*?\s+from\s+)?["']([^"']+)["']/g;

async function importsOf(file: string): Promise<Import[]> {
  const text = await Deno.readTextFile(join(ROOT, file));
  return [...text.matchAll(IMPORT_PATTERN)].map((match) => {
    const specifier = match[3];
    const target = specifier.startsWith(".") ? normalize(join(dirname(file), specifier)) : null;
    return { specifier, target, typeOnly: match[2] !== undefined };
  });
}

const graph = new Map<string, Import[]>();
for (const file of await sourceFiles()) graph.set(file, await importsOf(file));

function violations(rule: (file: string, imported: Import) => boolean): string[] {
  const found: string[] = [];
  for (const [file, imports] of graph) {
    for (const imported of imports) if (rule(file, imported)) found.push(`${file} → ${imported.specifier}`);
  }
  return found;
}

Deno.test("core/ never imports routes, components, islands or workers", () => {
  deepStrictEqual(
    violations((file, { target }) =>
      file.startsWith("core/") && target !== null && !target.startsWith("core/")
    ),
    [],
  );
});

Deno.test("outside core/, a domain is used through its mod.ts (or a browser-safe module)", () => {
  deepStrictEqual(
    violations((file, { target }) =>
      !file.startsWith("core/") && target !== null && target.startsWith("core/") &&
      !/^core\/\w+\/mod\.ts$/.test(target) && !BROWSER_SAFE_CORE.includes(target)
    ),
    [],
  );
});

Deno.test("route modules never import each other; only routes/mod.tsx mounts them", () => {
  const isRoute = (path: string) => path.startsWith("routes/") && !ROUTE_SUPPORT.includes(path);
  deepStrictEqual(
    violations((file, { target }) => file !== "routes/mod.tsx" && target !== null && isRoute(target)),
    [],
  );
});

Deno.test("the browser bundle holds no server code", () => {
  const reached = new Set<string>();
  const problems: string[] = [];
  const visit = (file: string) => {
    if (reached.has(file)) return;
    reached.add(file);
    if (file.startsWith("core/") && !BROWSER_SAFE_CORE.includes(file)) problems.push(`bundles ${file}`);
    for (const imported of graph.get(file) ?? []) {
      if (imported.typeOnly) continue;
      if (imported.target) visit(imported.target);
      else if (!BROWSER_PACKAGES.test(imported.specifier)) problems.push(`${file} → ${imported.specifier}`);
    }
  };
  visit("islands/boot.ts");
  deepStrictEqual(problems, []);
});

Deno.test("no module imports itself through others (no import cycles)", () => {
  const cycles: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "visiting") {
      cycles.push([...stack.slice(stack.indexOf(file)), file].join(" → "));
      return;
    }
    state.set(file, "visiting");
    stack.push(file);
    for (const { target } of graph.get(file) ?? []) if (target && graph.has(target)) visit(target);
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) visit(file);
  deepStrictEqual(cycles, []);
});

Deno.test("every relative import names a file that exists", () => {
  deepStrictEqual(
    violations((_file, { target }) => target !== null && !graph.has(target) && !existsSync(target)),
    [],
  );
});

function existsSync(path: string): boolean {
  try {
    Deno.statSync(join(ROOT, path));
    return true;
  } catch {
    return false;
  }
}
