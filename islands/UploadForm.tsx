import { useSignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import { formatBytes } from "../components/format.ts";
import { ProgressBar } from "../components/progress_bar.tsx";
import { usePageSession } from "../components/session.tsx";

/** Props of {@linkcode UploadForm}. */
export interface UploadFormProps {
  maxBytes: number;
}

/**
 * The import form, step one: the file is uploaded and kept for its preview, where the user checks
 * the columns and confirms. Without JavaScript it posts to `/imports` and the server redirects to
 * the preview; with it, the upload shows its own progress first, then opens the preview.
 */
export default function UploadForm({ maxBytes }: UploadFormProps) {
  const { csrfToken } = usePageSession();
  const uploading = useSignal<number | null>(null);
  const error = useSignal<string | null>(null);

  const onSubmit = (event: SubmitEvent) => {
    const form = event.currentTarget as HTMLFormElement;
    const file = (form.elements.namedItem("file") as HTMLInputElement).files?.[0];
    if (!file) return;
    event.preventDefault();
    if (file.size > maxBytes) {
      error.value = `This file is ${formatBytes(file.size)}; the upload limit is ${formatBytes(maxBytes)}.`;
      return;
    }
    error.value = null;
    uploading.value = 0;
    const body = new FormData();
    body.append("file", file);
    const request = new XMLHttpRequest();
    request.open("POST", "/api/imports/previews");
    if (csrfToken) request.setRequestHeader("X-CSRF-Token", csrfToken);
    request.upload.onprogress = (progress) => {
      if (progress.lengthComputable) uploading.value = Math.floor((progress.loaded / progress.total) * 100);
    };
    request.onload = () => {
      const answer = parseJson(request.responseText);
      if (request.status === 201 && typeof answer?.url === "string") {
        location.assign(answer.url);
        return;
      }
      uploading.value = null;
      error.value = uploadFailure(request, answer, maxBytes);
    };
    request.onerror = () => {
      uploading.value = null;
      error.value = "The upload was interrupted. Check your connection and try again.";
    };
    request.send(body);
  };

  return (
    <form
      class="card upload-form"
      method="post"
      // A multipart body is streamed to disk, never parsed up front, so the token rides in the URL.
      action={csrfToken ? `/imports?_csrf=${encodeURIComponent(csrfToken)}` : "/imports"}
      enctype="multipart/form-data"
      onSubmit={onSubmit}
    >
      <label class="field">
        <span class="field-label">CSV file</span>
        <input type="file" name="file" accept=".csv,text/csv" required disabled={uploading.value !== null} />
        <span class="field-hint">
          A header row naming <code>sku</code> and <code>name</code>, optionally <code>description</code>,
          {" "}
          <code>price</code>, <code>active</code>, in any order. Up to{" "}
          {formatBytes(maxBytes)}. A SKU that already exists (in any letter case) updates that product; the
          last row wins. You see the first rows and the columns before anything is imported.{" "}
          <a href="/imports/sample.csv" download>Download a sample CSV</a>
        </span>
      </label>
      {error.value ? <p class="alert alert--error" role="alert">{error.value}</p> : null}
      {uploading.value !== null ? <UploadBar percent={uploading.value} /> : null}
      <div class="actions">
        <button class="btn" type="submit" disabled={uploading.value !== null}>
          {uploading.value !== null ? "Uploading…" : "Upload and preview"}
        </button>
      </div>
    </form>
  );
}

/** The answer's JSON, or null when the body is not JSON (a proxy's HTML error page, say). */
function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : null;
  } catch {
    return null;
  }
}

/** What to tell the user when the upload was not accepted, whatever the body of the answer. */
function uploadFailure(request: XMLHttpRequest, answer: Record<string, unknown> | null, maxBytes: number) {
  const message = (answer?.error as { message?: unknown } | undefined)?.message;
  if (typeof message === "string" && message) return message;
  const status = `HTTP ${request.status}${request.statusText ? ` ${request.statusText}` : ""}`;
  if (request.status === 413) {
    return `The upload failed (${status}): the file is larger than the server accepts. This app takes up to ${
      formatBytes(maxBytes)
    }, but a proxy in front of it may allow less. Split the file into smaller ones, or ask your administrator to raise the limit.`;
  }
  if (request.status === 201) {
    return "The upload was received, but the server's answer could not be read. Upload the file again.";
  }
  return `The upload failed (${status}). Try again in a moment; if it keeps failing, tell your administrator.`;
}

function UploadBar(props: { percent: number }): ComponentChildren {
  return (
    <div>
      <p class="muted">Uploading… {props.percent}%</p>
      <ProgressBar percent={props.percent} label="Upload progress" />
    </div>
  );
}
