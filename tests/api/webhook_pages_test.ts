import { equal, match, ok } from "node:assert/strict";
import { appTest, type BrowserSession, signIn, type TestApp } from "../helpers/test_app.ts";
import { startReceiver } from "../helpers/webhook_receiver.ts";

let session: BrowserSession;

/** Posts a form as a browser without JavaScript does (its cookie, origin and CSRF field), not following the redirect. */
async function postForm(_app: TestApp, path: string, fields: [string, string][]) {
  const response = await session.fetch(path, {
    method: "POST",
    body: new URLSearchParams([...fields, ["_csrf", session.csrfToken]]),
    redirect: "manual",
  });
  return { status: response.status, location: response.headers.get("location"), html: await response.text() };
}

async function page(_app: TestApp, path: string) {
  const response = await session.fetch(path);
  return { status: response.status, html: await response.text() };
}

appTest("the webhook pages work with plain forms, without JavaScript", async (app) => {
  session = await signIn(app);
  const receiver = startReceiver();
  try {
    match((await page(app, "/webhooks")).html, /No webhooks yet/);
    match((await page(app, "/webhooks/new")).html, /name="event_types" value="product.created"/);

    const invalid = await postForm(app, "/webhooks", [["url", "http://10.0.0.1/"], ["enabled", "on"]]);
    equal(invalid.status, 422);
    match(invalid.html, /Choose at least one event type/);
    match(invalid.html, /value="http:\/\/10.0.0.1\/"/, "what was typed is kept");

    const created = await postForm(app, "/webhooks", [
      ["url", `${receiver.url}/plain`],
      ["event_types", "product.created"],
      ["event_types", "import.completed"],
      ["enabled", "on"],
    ]);
    equal(created.status, 303);
    const path = created.location!.replace(/\?.*/, "");
    match(path, /^\/webhooks\/\d+$/);
    const detail = await page(app, `${path}?notice=created`);
    match(detail.html, /Webhook added/);
    match(detail.html, /whsec_/);

    const tested = await postForm(app, `${path}/test`, []);
    equal(tested.status, 303);
    match(tested.location!, /\?sent=msg_/);
    match((await page(app, tested.location!)).html, /Test event: HTTP 200 in \d+ ms/);
    equal(receiver.on("/plain").length, 1);

    const before = (await page(app, path)).html.match(/whsec_[A-Za-z0-9+/=]+/)![0];
    // "Rotate secret…" is a link to a page that asks first; only its form's POST rotates.
    const asking = await page(app, `${path}/rotate-secret`);
    match(asking.html, /Rotate the signing secret\?/);
    match(asking.html, /action="\/webhooks\/\d+\/rotate-secret"/);
    equal((await page(app, path)).html.match(/whsec_[A-Za-z0-9+/=]+/)![0], before, "asking changed nothing");
    equal((await postForm(app, `${path}/rotate-secret`, [])).status, 303);
    const after = (await page(app, path)).html.match(/whsec_[A-Za-z0-9+/=]+/)![0];
    ok(before !== after, "the secret changed");

    // "All events" and single events exclude each other; both ticked (no JavaScript) is asked again.
    const both = await postForm(app, path, [
      ["url", `${receiver.url}/plain2`],
      ["event_types", "*"],
      ["event_types", "product.created"],
    ]);
    equal(both.status, 422);
    match(both.html, /Choose either All events or single events, not both/);
    match(both.html, /value="\*" checked/, "what was ticked is kept");

    const edited = await postForm(app, path, [["url", `${receiver.url}/plain2`], ["event_types", "*"]]);
    equal(edited.status, 303);
    const editedPage = (await page(app, path)).html;
    match(editedPage, /All events/);
    match(
      editedPage,
      /badge--state badge--off">Off/,
      "an unchecked Enabled box turns it off: grey, turned off by you",
    );

    equal((await postForm(app, `${path}/enabled`, [["enabled", "true"]])).status, 303);
    match((await page(app, path)).html, /badge--state badge--complete">Enabled/);

    match((await page(app, `${path}/delete`)).html, /Delete this webhook\?/);
    const deleted = await postForm(app, `${path}/delete`, []);
    equal(deleted.location, "/webhooks?notice=deleted");
    equal((await page(app, path)).status, 404);
  } finally {
    await receiver.close();
  }
}, { WEBHOOK_ALLOW_PRIVATE: "true" });
