/** Options of an engine's `stop()` and `close()`. */
export interface StopOptions {
  /**
   * Bounds the wait for running handlers: `stop()`/`close()` save an agent only once none of its
   * handlers runs. On abort the running handlers' tokens are cancelled and an agent whose handler
   * has not finished keeps its last committed state (one persisted on deactivation is not saved).
   */
  signal?: AbortSignal;
}
