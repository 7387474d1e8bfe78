/** The page shell every page renders in. */
import type { ComponentChildren } from "preact";
import { assetUrl, PageScripts, usePageAssets } from "./page_assets.tsx";
import { CsrfField, usePageSession } from "./session.tsx";

/** The navigation sections; `current` highlights one. */
export type Section = "products" | "imports" | "webhooks" | "settings";

/** The page shell: skip link, header, navigation, main column, and the scripts the page needs. */
export function Layout(
  props: { title: string; current?: Section; children: ComponentChildren; refreshSeconds?: number },
) {
  const link = (href: string, section: Section, label: string) =>
    props.current === section
      ? <a href={href} class="nav-link nav-link--current" aria-current="page">{label}</a>
      : <a href={href} class="nav-link">{label}</a>;
  const session = usePageSession();
  const assets = usePageAssets();
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Acme Product Importer`}</title>
        <link rel="stylesheet" href={assetUrl(assets, "app.css")} />
        <link rel="icon" type="image/svg+xml" href={assetUrl(assets, "favicon.svg")} />
        {/* The islands' boot script reads the session from here (see session.tsx). */}
        {session.email ? <meta name="session-can-change" content={String(session.canChange)} /> : null}
        {session.csrfToken ? <meta name="csrf-token" content={session.csrfToken} /> : null}
        {props.refreshSeconds
          ? (
            <noscript>
              <meta http-equiv="refresh" content={String(props.refreshSeconds)} />
            </noscript>
          )
          : null}
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="topbar">
          <a class="brand" href="/">Acme Product Importer</a>
          {session.signedIn
            ? (
              <nav class="nav" aria-label="Sections">
                {link("/", "products", "Products")}
                {link("/imports", "imports", "Imports")}
                {link("/webhooks", "webhooks", "Webhooks")}
                {session.email ? link("/settings", "settings", "Settings") : null}
              </nav>
            )
            : null}
          {session.email
            ? (
              <form class="account" method="post" action="/logout">
                <span class="account-email muted">{session.email}</span>
                <CsrfField />
                <button class="btn btn--small btn--secondary" type="submit">Sign out</button>
              </form>
            )
            : null}
        </header>
        <main class="page" id="main" tabindex={-1}>{props.children}</main>
        {/* After the content: by now every island and time on the page has said what it needs. */}
        <PageScripts />
      </body>
    </html>
  );
}
