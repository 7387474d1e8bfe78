/**
 * Runs a drain function one call at a time. A wake that arrives while it runs is remembered and
 * runs it once more right after, so work that shows up mid-drain is never missed; `onIdle` runs
 * when a drain ends with no wake pending. Shared by the import queue and the webhook dispatcher.
 */
export class SerialDrain {
  readonly #name: string;
  readonly #drain: () => Promise<void>;
  readonly #onIdle: () => void;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(name: string, drain: () => Promise<void>, onIdle: () => void = () => {}) {
    this.#name = name;
    this.#drain = drain;
    this.#onIdle = onIdle;
  }

  /** True once {@linkcode stop} was called; drains check it to end early. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Drains now, or once more after the running drain; cheap to call often. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain()
      .catch((error) => console.error(`${this.#name}:`, error))
      .finally(() => {
        this.#running = null;
        if (this.#again) {
          this.#again = false;
          this.wake();
        } else if (!this.#stopped) {
          this.#onIdle();
        }
      });
  }

  /** Starts no more drains and waits for the running one. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }
}
