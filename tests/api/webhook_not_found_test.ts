import { equal, match } from "node:assert/strict";
import { appTest, readBody, type TestApp } from "../helpers/test_app.ts";

/** Every API change (and the log read) that names a webhook by id in its path. */
function changes(id: string): [method: string, path: string, body?: unknown][] {
  return [
    ["PUT", `/api/webhooks/${id}`, { enabled: false }],
    ["DELETE", `/api/webhooks/${id}`],
    ["POST", `/api/webhooks/${id}/rotate-secret`],
    ["POST", `/api/webhooks/${id}/test`],
    ["GET", `/api/webhooks/${id}/logs`],
    ["POST", `/api/webhooks/${id}/deliveries/msg_2b7cQZ0Jd0aVx1tYp3vS9w/redeliver`],
  ];
}

async function send(app: TestApp, method: string, path: string, body?: unknown) {
  const response = await app.fetch(`${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { response, text: await readBody(response) };
}

appTest("changing an unknown webhook answers 404 with the JSON not_found error", async (app) => {
  // A real webhook exists, so a 404 means "no such id", not "no webhooks at all".
  const created = await send(app, "POST", "/api/webhooks", {
    url: "https://93.184.215.14/h",
    event_types: ["product.created"],
  });
  equal(created.response.status, 201, created.text);
  for (const id of ["999", "2147483647"]) {
    for (const [method, path, body] of changes(id)) {
      const { response, text } = await send(app, method, path, body);
      equal(response.status, 404, `${method} ${path}`);
      const { error } = JSON.parse(text);
      equal(error.code, "not_found", `${method} ${path}`);
      match(error.message, /webhook/i, `${method} ${path}`);
    }
  }
});

appTest("a malformed webhook id in the path is a 404 too, never a server error", async (app) => {
  for (const id of ["abc", "99999999999", "0", "-1", "1.5"]) {
    for (const [method, path, body] of changes(id)) {
      const { response, text } = await send(app, method, path, body);
      equal(response.status, 404, `${method} ${path}`);
      const { error } = JSON.parse(text);
      equal(error.code, "not_found", `${method} ${path}`);
      equal(typeof error.message, "string", `${method} ${path}`);
    }
  }
});

appTest("the webhook pages' form posts for an unknown webhook answer a 404 page", async (app) => {
  for (const action of ["delete", "enabled", "rotate-secret"]) {
    const response = await app.fetch(`/webhooks/999/${action}`, {
      method: "POST",
      body: new URLSearchParams([["enabled", "true"]]),
      redirect: "manual",
    });
    const html = await readBody(response);
    equal(response.status, 404, action);
    match(response.headers.get("content-type") ?? "", /^text\/html/, action);
    match(html, /<h1>Not found<\/h1>/, action);
  }
});
