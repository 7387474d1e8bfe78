/** The page shell every page renders in. */
import type { ComponentChildren } from "preact";
import { CsrfField, usePageSession } from "./session.tsx";

/** The navigation sections; `current` highlights one. */
export type Section = "products" | "imports" | "webhooks" | "settings";

/** The page shell: header, navigation, main column and the islands script. */
export function Layout(
  props: { title: string; current?: Section; children: ComponentChildren; refreshSeconds?: number },
) {
  const link = (href: string, section: Section, label: string) => (
    <a href={href} class={props.current === section ? "nav-link nav-link--current" : "nav-link"}>
      {label}
    </a>
  );
  const session = usePageSession();
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Acme Product Importer`}</title>
        <link rel="stylesheet" href="/static/app.css" />
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
        <script type="module" src="/static/islands.js" defer></script>
      </head>
      <body>
        <header class="topbar">
          <a class="brand" href="/">Acme Product Importer</a>
          {session.signedIn
            ? (
              <nav class="nav">
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
        <main class="page">{props.children}</main>
      </body>
    </html>
  );
}
