/**
 * What a page links to besides its HTML: the stylesheet, the favicon and, only when the page needs
 * them, the islands' bundle and the local-time script. `htmlResponse` provides a fresh collector per
 * page; `Island` and `LocalTime` note what they need while the page renders, and `PageScripts`, rendered
 * after the page's content, links exactly those scripts.
 */
import { createContext } from "preact";
import { useContext } from "preact/hooks";

/** A static file's plain name → the URL pages link to (content-hashed when the server knows the file). */
export type AssetUrls = ReadonlyMap<string, string>;

/** The asset URLs of this render, and what the page's components asked for while rendering. */
export interface PageAssets {
  urls: AssetUrls;
  /** An island was rendered: the page needs the islands' bundle to hydrate it. */
  islands: boolean;
  /** A `LocalTime` was rendered: the page needs the script that shows it in the viewer's zone. */
  localTimes: boolean;
}

/** A fresh collector for one page render. */
export function newPageAssets(urls: AssetUrls): PageAssets {
  return { urls, islands: false, localTimes: false };
}

/** The page's assets; outside a server render (in the browser) a collector nobody reads. */
export const PageAssetsContext = createContext<PageAssets>(newPageAssets(new Map()));

/** The collector of the page being rendered. */
export function usePageAssets(): PageAssets {
  return useContext(PageAssetsContext);
}

/** The URL of a static file: its hashed name when known, else its plain path. */
export function assetUrl(assets: PageAssets, name: string): string {
  return assets.urls.get(name) ?? `/static/${name}`;
}

/** The scripts the page asked for; render it after the page's content. */
export function PageScripts() {
  const assets = usePageAssets();
  return (
    <>
      {assets.islands ? <script type="module" src={assetUrl(assets, "islands.js")}></script> : null}
      {assets.localTimes ? <script type="module" src={assetUrl(assets, "local_times.js")}></script> : null}
    </>
  );
}
