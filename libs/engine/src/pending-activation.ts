import type { Activation } from './activation.js';

/** Called with the live activation. */
export type ActivationReady = (activation: Activation) => void;
/** Called with why there is no activation (the builder or the load failed, or the type is unknown). */
export type ActivationFailed = (error: unknown) => void;

/**
 * Stands in the directory's map of activations under way for one that has not needed to wait
 * yet: most end at once, and only one that must wait gets a `PendingActivation`.
 */
export const BUILDING: unique symbol = Symbol('activation under way');

/**
 * An activation under way (building the agent, making room under the cap, loading its state), or
 * one that will start once the agent's previous instance is closed. Every message that arrives
 * meanwhile waits on the same one: an id never gets two instances. Waiters are callbacks, so the
 * engine's dispatch pays for no promise; `promise()` makes one for callers that await. Most
 * activations have one waiter, the message that started them: it is kept without an array.
 */
export class PendingActivation {
  private firstReady: ActivationReady | undefined = undefined;
  private firstFailed: ActivationFailed | undefined = undefined;
  private others: (ActivationReady | ActivationFailed)[] | undefined = undefined;
  private settled = false;
  private activation: Activation | undefined = undefined;
  private error: unknown = undefined;

  static failed(error: unknown): PendingActivation {
    const pending = new PendingActivation();
    pending.fail(error);
    return pending;
  }

  /** Calls `ready` with the live activation, or `failed` with why there is none; at once if settled. */
  onSettled(ready: ActivationReady, failed: ActivationFailed): void {
    if (this.settled) {
      if (this.activation !== undefined) ready(this.activation);
      else failed(this.error);
    } else if (this.firstReady === undefined) {
      this.firstReady = ready;
      this.firstFailed = failed;
    } else {
      (this.others ??= []).push(ready, failed);
    }
  }

  promise(): Promise<Activation> {
    return new Promise<Activation>((resolve, reject) => this.onSettled(resolve, reject));
  }

  succeed(activation: Activation): void {
    if (this.settle(activation, undefined)) this.wake(activation, undefined);
  }

  fail(error: unknown): void {
    if (this.settle(undefined, error)) this.wake(undefined, error);
  }

  private settle(activation: Activation | undefined, error: unknown): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.activation = activation;
    this.error = error;
    return true;
  }

  private wake(activation: Activation | undefined, error: unknown): void {
    const ready = this.firstReady;
    const failed = this.firstFailed;
    const others = this.others;
    this.firstReady = this.firstFailed = this.others = undefined;
    if (ready === undefined || failed === undefined) return;
    if (activation !== undefined) ready(activation);
    else failed(error);
    if (others === undefined) return;
    for (let index = 0; index < others.length; index += 2) {
      if (activation !== undefined) (others[index] as ActivationReady)(activation);
      else (others[index + 1] as ActivationFailed)(error);
    }
  }
}
