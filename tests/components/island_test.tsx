import { equal, match } from "node:assert/strict";
import { render } from "preact-render-to-string";
import { Island } from "../../components/island.tsx";

Deno.test("an island renders its component inside the marker the boot script hydrates", () => {
  const html = render(
    <Island name="SendButton" props={{ action: "/x", label: "Send", pendingLabel: "…" }} />,
  );
  match(html, /^<div data-island="SendButton" data-props="\{&quot;action&quot;:&quot;\/x&quot;/);
  match(
    html,
    /<form method="post" action="\/x"><button class="btn" type="submit"[^>]*>Send<\/button><\/form><\/div>$/,
  );
});

Deno.test("the props travel as JSON the browser reads back unchanged", () => {
  const props = { count: 1234, error: 'Type "1,234" <or> DELETE' };
  const html = render(<Island name="DeleteAllForm" props={props} />);
  const encoded = html.match(/data-props="([^"]*)"/)![1];
  const decoded = encoded.replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
  equal(decoded, JSON.stringify(props));
});

Deno.test("the type checker refuses unknown islands and props that are not the island's", () => {
  // These lines only have to fail type checking (deno test checks them); they are never rendered.
  function _unchecked() {
    // @ts-expect-error: no island has this name
    const _unknown = <Island name="Nonesuch" props={{}} />;
    // @ts-expect-error: ConfirmSubmit needs `what`
    const _missing = <Island name="ConfirmSubmit" props={{ action: "/x", label: "Delete" }} />;
    // @ts-expect-error: `maxBytes` is a number
    const _wrongType = <Island name="UploadForm" props={{ maxBytes: "10" }} />;
    // @ts-expect-error: these are SendButton's props, not ConfirmSubmit's
    const _other = <Island name="ConfirmSubmit" props={{ action: "/x", label: "Send", pendingLabel: "…" }} />;
  }
});
