/**
 * The two-step import behind the imports page: `POST /api/imports/previews` keeps the file and
 * describes it; the preview page's form imports it with a mapping (the same file, not uploaded
 * again) or cancels it; a preview used once, cancelled or expired is gone with a clear message.
 */
import { equal, match } from "node:assert/strict";
import {
  appTest,
  authHeaders,
  fetchWithDeadline,
  readBody,
  readProgress,
  signIn,
} from "../helpers/test_app.ts";

const CSV = "Title;sku;Colour\nLinen shirt;LIN-1;blue\nWool scarf;WOOL-2;red\n";

async function preview(app: { url: string; token: string }, body: BodyInit, type = "text/csv") {
  const response = await fetchWithDeadline(`${app.url}/api/imports/previews?filename=shop.csv`, {
    method: "POST",
    headers: { ...authHeaders(app), "content-type": type },
    body,
  });
  return { status: response.status, body: JSON.parse(await readBody(response)) };
}

appTest(
  "a preview describes the file without importing it; its form imports that same file with the mapping",
  async (app) => {
    const created = await preview(app, CSV);
    equal(created.status, 201, JSON.stringify(created.body));
    equal(created.body.delimiter, ";");
    equal(created.body.encoding, "UTF-8");
    equal(created.body.problem, null);
    equal(
      JSON.stringify(created.body.columns.map((c: { field: string }) => c.field)),
      '["ignore","sku","ignore"]',
    );
    equal(created.body.rows.length, 2);
    equal(created.body.url, `/imports/preview/${created.body.id}`);
    const [{ count }] = await app.db.sql`SELECT count(*)::int AS count FROM import_jobs`;
    equal(count, 0, "no import yet");
    const files = [...Deno.readDirSync(app.config.uploadDir)];
    equal(files.length, 1, "the file is kept for the confirmation");

    const session = await signIn(app);
    const page = await readBody(await session.fetch(created.body.url));
    match(page, /semicolon \(;\)/);
    const confirm = await session.fetch(created.body.url, {
      method: "POST",
      body: new URLSearchParams({
        _csrf: session.csrfToken,
        "map.0": "name",
        "map.1": "sku",
        "map.2": "description",
        action: "import",
      }),
      redirect: "manual",
    });
    equal(confirm.status, 303);
    const jobId = confirm.headers.get("location")!.split("/").pop()!;
    const final = (await readProgress(app, jobId)).at(-1)!;
    equal(final.status, "complete", final.message);
    equal(final.inserted, 2);
    const rows = await app.db.sql`SELECT sku, name, description FROM products ORDER BY sku`;
    equal(
      JSON.stringify(rows),
      '[{"sku":"LIN-1","name":"Linen shirt","description":"blue"},{"sku":"WOOL-2","name":"Wool scarf","description":"red"}]',
    );
    const [job] = await app.db.sql`SELECT file_path FROM import_jobs WHERE id = ${jobId}`;
    equal(
      job.file_path,
      `${app.config.uploadDir}/${files[0].name}`,
      "the import read the file kept by the preview",
    );

    // Used once, the preview is gone: a second submit says so in words.
    const again = await session.fetch(created.body.url);
    equal(again.status, 404);
    match(await readBody(again), /This preview is gone/);
  },
);

appTest(
  "a cancelled preview removes its file; a file that is not UTF-8 is previewed with its problem and no import",
  async (app) => {
    const created = await preview(app, CSV);
    const session = await signIn(app);
    const cancel = await session.fetch(created.body.url, {
      method: "POST",
      body: new URLSearchParams({ _csrf: session.csrfToken, action: "cancel" }),
      redirect: "manual",
    });
    equal(cancel.status, 303);
    equal(cancel.headers.get("location"), "/imports");
    equal([...Deno.readDirSync(app.config.uploadDir)].length, 0);

    const latin1 = await preview(
      app,
      new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0x2c, 0x73, 0x6b, 0x75, 0x0a, 0x43, 0xe9, 0x2c, 0x31]),
    );
    equal(latin1.status, 201);
    match(latin1.body.problem, /not UTF-8 text/);
    const page = await readBody(await session.fetch(latin1.body.url));
    match(page, /not UTF-8 text/);
    equal(/value="import"/.test(page), false, "no Import button for a file that cannot be imported");

    const empty = await preview(app, "");
    equal(empty.status, 422);
    const wrongType = await preview(app, "{}", "application/json");
    equal(wrongType.status, 415);
  },
);

appTest(
  "the API's one-step upload takes a column mapping; a malformed one is refused before the body is read",
  async (app) => {
    const mapping = encodeURIComponent(JSON.stringify({ "Item title": "name", Notes: "description" }));
    const form = new FormData();
    form.append(
      "file",
      new Blob(["Item title,sku,Notes\nLinen shirt,LIN-1,blue\n"], { type: "text/csv" }),
      "a.csv",
    );
    const upload = await app.fetch(`/api/upload?mapping=${mapping}`, { method: "POST", body: form });
    equal(upload.status, 202);
    const { task_id } = await upload.json();
    const final = (await readProgress(app, task_id)).at(-1)!;
    equal(final.status, "complete", final.message);
    const [row] = await app.db.sql`SELECT sku, name, description FROM products`;
    equal(JSON.stringify(row), '{"sku":"LIN-1","name":"Linen shirt","description":"blue"}');

    for (const bad of ["{not json", JSON.stringify({ "Item title": "colour" }), "[1]"]) {
      const refused = await app.fetch(`/api/upload?mapping=${encodeURIComponent(bad)}`, {
        method: "POST",
        body: "name,sku\nA,a\n",
        headers: { "content-type": "text/csv" },
      });
      equal(refused.status, 400, bad);
      match(JSON.stringify(await refused.json()), /mapping must be a JSON object/);
    }
    const [{ count }] = await app.db.sql`SELECT count(*)::int AS count FROM import_jobs`;
    equal(count, 1, "no job for a refused mapping");
  },
);
