/**
 * The signed-in session as pages and islands see it: who is signed in, whether they may change
 * things, and the CSRF token every form carries. The server provides it when rendering a page
 * (`render.ts`); the browser's boot script provides it again from the page's meta tags, so an
 * island renders the same on both sides. Browser-safe.
 */
import { type ComponentChildren, createContext } from "preact";
import { useContext } from "preact/hooks";

/** What a page knows about the session it is rendered for. */
export interface PageSession {
  /** Someone is signed in (a person, or a script with a token). */
  signedIn: boolean;
  /** The signed-in person's email; null for a token or nobody. */
  email: string | null;
  /** Admins may change things; viewers only look. */
  canChange: boolean;
  csrfToken: string | null;
}

/** The session of the page being rendered; signed out by default. */
export const SessionContext = createContext<PageSession>({
  signedIn: false,
  email: null,
  canChange: false,
  csrfToken: null,
});

/** The session of the page being rendered. */
export function usePageSession(): PageSession {
  return useContext(SessionContext);
}

/** Renders its children only for a session that may change things: viewers see no change buttons. */
export function IfCanChange(props: { children: ComponentChildren }) {
  return usePageSession().canChange ? <>{props.children}</> : null;
}

/** Shows its children only to someone who may look but not change (a viewer). */
export function IfViewer(props: { children: ComponentChildren }) {
  return usePageSession().canChange ? null : <>{props.children}</>;
}

/** The hidden field that carries the session's CSRF token in a form. */
export function CsrfField() {
  const { csrfToken } = usePageSession();
  return csrfToken ? <input type="hidden" name="_csrf" value={csrfToken} /> : null;
}
