/** Base class for errors whose message is safe and useful to show to a user. */
export class DomainError extends Error {
  /** A stable machine-readable code for the JSON error shape. */
  readonly code: string;
  /** Optional structured details (e.g. per-field validation messages). */
  readonly details?: unknown;
  constructor(code: string, message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** The thing asked for does not exist (404). */
export class NotFoundError extends DomainError {
  constructor(message: string) {
    super("not_found", message);
  }
}

/** The request conflicts with existing data, e.g. a duplicate SKU (409). */
export class ConflictError extends DomainError {
  constructor(message: string, details?: unknown) {
    super("conflict", message, details);
  }
}

/** The actor may not do this, e.g. a viewer or a read-only token asking for a change (403). */
export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super("forbidden", message);
  }
}

/** The input is well-formed but invalid (422). */
export class ValidationError extends DomainError {
  constructor(message: string, details?: unknown) {
    super("validation_error", message, details);
  }
}

/** The request body is larger than allowed (413). */
export class PayloadTooLargeError extends DomainError {
  constructor(message: string) {
    super("payload_too_large", message);
  }
}

/** The request body has a media type the endpoint does not accept (415). */
export class UnsupportedMediaTypeError extends DomainError {
  constructor(message: string) {
    super("unsupported_media_type", message);
  }
}

/**
 * A problem with an uploaded file that ends its import with a message for the uploader: no `sku`
 * column, not UTF-8, empty, a quote never closed. Found before the first row, nothing is written;
 * found mid-way, the rows before it are kept.
 */
export class ImportFileError extends DomainError {
  constructor(message: string) {
    super("import_file_error", message);
  }
}

/** Too many requests or failed attempts in a window; try again after `retryAfterSeconds` (429). */
export class RateLimitedError extends DomainError {
  /** Seconds until the window ends: the `Retry-After` header. */
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super("rate_limited", message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
