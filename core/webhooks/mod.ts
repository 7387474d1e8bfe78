/**
 * Webhooks: endpoints users configure (`store.ts`, `input.ts`), events recorded with the change
 * that caused them (`events.ts`), and their delivery — claiming, signing, sending through the
 * SSRF guard, retrying and logging (`deliveries.ts`, `signing.ts`, `sender.ts`, `url_guard.ts`,
 * `log.ts`). The dispatcher that drives delivery lives in `workers/webhook_dispatcher.ts`.
 */
export {
  claimDueDeliveries,
  type ClaimedDelivery,
  type DeliveryPolicy,
  deliveryPolicy,
  nextDueAt,
  recordAttempt,
  redeliver,
  sendDelivery,
  sendTestEvent,
  urlGuard,
} from "./deliveries.ts";
export {
  eventBody,
  recordEvent,
  recordEventIn,
  TEST_EVENT_TYPE,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
} from "./events.ts";
export { parseWebhookCreate, parseWebhookUpdate, WebhookCreateSchema, WebhookUpdateSchema } from "./input.ts";
export {
  ATTEMPT_RESULTS,
  type AttemptResult,
  countWebhookLogs,
  findWebhookLog,
  latestAttempts,
  listWebhookLogs,
  type LogFilter,
  type LogPage,
  pageOfWebhookLogs,
  pendingDeliveries,
  pruneOldDeliveries,
  type WebhookAttempt,
  type WebhookLog,
} from "./log.ts";
export {
  EXCERPT_CHARS,
  type HeaderPair,
  RESPONSE_BODY_LIMIT_BYTES,
  type SendErrorKind,
  type SendResult,
} from "./sender.ts";
export {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  previousSecretSigns,
  recordWebhookSend,
  rotateWebhookSecret,
  updateWebhook,
  type Webhook,
  webhookAuditName,
  type WebhookChangeOptions,
  webhookJson,
} from "./store.ts";
export type { UrlGuardOptions } from "./url_guard.ts";
