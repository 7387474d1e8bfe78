import { deepStrictEqual, equal } from "node:assert/strict";
import type { AppContext } from "../../routes/context.ts";
import { createApp } from "../../routes/mod.tsx";
import { appTest } from "../helpers/test_app.ts";

Deno.test("the OpenAPI document describes exactly the API routes the app serves", async () => {
  // Registering routes touches no context; only handlers do.
  const app = createApp({} as AppContext);
  const served = new Set(
    app.routes
      .filter((route) => route.path.startsWith("/api/") && route.method !== "ALL")
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}")}`),
  );
  const { OPENAPI_DOCUMENT } = await import("../../routes/api/openapi.ts");
  const documented = new Set(
    Object.entries(OPENAPI_DOCUMENT.paths)
      .filter(([path]) => path.startsWith("/api/"))
      .flatMap(([path, item]) =>
        Object.keys(item).filter((key) => key !== "parameters").map((method) =>
          `${method.toUpperCase()} ${path}`
        )
      ),
  );
  deepStrictEqual([...documented].sort(), [...served].sort());
});

appTest("GET /api/openapi.json serves the document", async (app) => {
  const response = await app.fetch(`/api/openapi.json`);
  equal(response.status, 200);
  const document = await response.json();
  equal(document.openapi, "3.1.0");
  equal(
    document.paths["/api/products"].post.requestBody.content["application/json"].schema.required[0],
    "sku",
  );
});
