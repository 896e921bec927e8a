import { describe, expect, it, vi } from 'vitest';
import { CancellationToken } from './cancellation-token.js';
import { CancelledError } from './errors.js';

describe('CancellationToken', () => {
  it('runs callbacks once on cancel and reports isCancelled', () => {
    const token = new CancellationToken();
    const callback = vi.fn();
    token.addCallback(callback);
    expect(token.isCancelled()).toBe(false);
    token.cancel();
    token.cancel();
    expect(token.isCancelled()).toBe(true);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('runs a callback added after cancellation at once', () => {
    const token = new CancellationToken();
    token.cancel();
    const callback = vi.fn();
    token.addCallback(callback);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('does not run a removed callback', () => {
    const token = new CancellationToken();
    const callback = vi.fn();
    token.addCallback(callback)();
    token.cancel();
    expect(callback).not.toHaveBeenCalled();
  });

  it('runs every callback even when one throws, then rethrows', () => {
    const token = new CancellationToken();
    const after = vi.fn();
    token.addCallback(() => {
      throw new Error('boom');
    });
    token.addCallback(after);
    expect(() => token.cancel()).toThrow('boom');
    expect(after).toHaveBeenCalled();
  });

  it('linkFuture rejects with CancelledError when cancelled first', async () => {
    const token = new CancellationToken();
    const linked = token.linkFuture(new Promise<number>(() => undefined));
    token.cancel();
    await expect(linked).rejects.toBeInstanceOf(CancelledError);
  });

  it('linkFuture settles like the promise when not cancelled, and cancelling later changes nothing', async () => {
    const token = new CancellationToken();
    await expect(token.linkFuture(Promise.resolve(7))).resolves.toBe(7);
    await expect(token.linkFuture(Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(() => token.cancel()).not.toThrow();
  });

  it('linkFuture on an already cancelled token rejects at once', async () => {
    const token = new CancellationToken();
    token.cancel();
    await expect(token.linkFuture(Promise.resolve(1))).rejects.toBeInstanceOf(CancelledError);
  });

  it('exposes an AbortSignal that aborts on cancel, even when read after cancel', () => {
    const token = new CancellationToken();
    const signal = token.signal;
    expect(signal.aborted).toBe(false);
    token.cancel();
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(CancelledError);
    const late = new CancellationToken();
    late.cancel();
    expect(late.signal.aborted).toBe(true);
  });

  it('fromSignal follows an AbortSignal, including one already aborted', () => {
    const controller = new AbortController();
    const token = CancellationToken.fromSignal(controller.signal);
    expect(token.isCancelled()).toBe(false);
    controller.abort();
    expect(token.isCancelled()).toBe(true);
    expect(CancellationToken.fromSignal(AbortSignal.abort()).isCancelled()).toBe(true);
  });

  it('rejects a non-function callback', () => {
    expect(() => new CancellationToken().addCallback('x' as unknown as () => void)).toThrow(TypeError);
  });
});
