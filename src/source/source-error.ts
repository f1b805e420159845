/** A sync that failed. `retryable`: the remote may come back (back off and retry); otherwise
 * retrying the same revision cannot help (an unsigned head commit): keep the last good one. */
export class SourceError extends Error {
  override name = "SourceError";
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean }) {
    super(message);
    this.retryable = options.retryable;
  }
}
