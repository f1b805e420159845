// A typed event map that feeds the logs, the metrics and the tests at once.
// emit() never throws: a faulty listener must not break the scheduler.

type Listener<T> = (payload: T) => void;

export class Events<Map extends object> {
  private readonly listeners = new Map<keyof Map, Set<Listener<never>>>();
  private readonly onListenerError: (err: unknown) => void;

  constructor(onListenerError: (err: unknown) => void = () => {}) {
    this.onListenerError = onListenerError;
  }

  on<K extends keyof Map>(event: K, listener: Listener<Map[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof Map>(event: K, payload: Map[K]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as Listener<Map[K]>)(payload);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  /** Resolves with the next payload for which `match` holds. */
  next<K extends keyof Map>(event: K, match: (p: Map[K]) => boolean = () => true): Promise<Map[K]> {
    return new Promise((resolve) => {
      const off = this.on(event, (p) => {
        if (match(p)) {
          off();
          resolve(p);
        }
      });
    });
  }
}
