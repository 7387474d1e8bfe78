/**
 * What every domain stands on: configuration read once from the environment, the database
 * (pool, typed query builder, schema, migrations, the embedded default) and the domain errors.
 */
export { type Config, ENV_VARIABLES, loadConfig } from "./config.ts";
export { csvStream } from "./csv_stream.ts";
export { answersWithin, connectDatabase, pingDatabase, queryBuilder, type Sql } from "./db.ts";
export { openTaskDatabase, startEmbeddedPostgres } from "./embedded_postgres.ts";
export {
  ConflictError,
  DomainError,
  ForbiddenError,
  ImportFileError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from "./errors.ts";
export { INSTANCE_ID_FILE, loadInstanceId } from "./instance_id.ts";
export { Logger, type LogSink, type RequestLogFields } from "./log.ts";
export { migrate } from "./migrate.ts";
export {
  MAX_NOTIFY_PAYLOAD_BYTES,
  type NotificationHandler,
  Notifications,
  type NotificationsOptions,
} from "./notifications.ts";
export type { Database } from "./schema.ts";
export { type FieldError, parseInput, storedText } from "./validation.ts";
export { characterCount, describeUnstorable, unstorableCharacter } from "./text.ts";
