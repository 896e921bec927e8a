import { describe, expect, it } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { DeliveryTimeoutError } from '../errors.js';
import { ReplyRouter } from './reply-router.js';

describe('ReplyRouter', () => {
  const nats = useNats();

  it('matches replies to 1,000 outstanding requests by id, from another connection', async () => {
    const router = ReplyRouter.start(nats.nc, uniqueName('reply'));
    const responder = await nats.connect();
    const expected = Array.from({ length: 1000 }, () => router.expect(10_000, () => 'never'));
    // Answered in reverse order: matching is by id, not by arrival.
    for (const { replySubject, requestId } of [...expected].reverse()) responder.publish(replySubject, `answer ${requestId}`);
    const answers = await Promise.all(expected.map((e) => e.reply));
    expect(answers.map((msg) => msg.string())).toEqual(expected.map((e) => `answer ${e.requestId}`));
    expect(router.outstanding).toBe(0);
    router.close(new Error('closed'));
  });

  it('rejects with DeliveryTimeoutError at the deadline and ignores a late or second reply', async () => {
    const router = ReplyRouter.start(nats.nc, uniqueName('reply'));
    const { reply, replySubject } = router.expect(100, () => 'no answer from worker/1');
    await expect(reply).rejects.toThrow(DeliveryTimeoutError);
    await expect(reply).rejects.toMatchObject({ name: 'DeliveryTimeoutError', code: 'DELIVERY_TIMEOUT', message: 'no answer from worker/1' });
    nats.nc.publish(replySubject, 'late');
    await nats.nc.flush();
    expect(router.outstanding).toBe(0);
    router.close(new Error('closed'));
  });

  it('fails one waiter on demand and every waiter on close', async () => {
    const router = ReplyRouter.start(nats.nc, uniqueName('reply'));
    const a = router.expect(10_000, () => 'a');
    const b = router.expect(10_000, () => 'b');
    expect(router.fail(a.requestId, new Error('cancelled'))).toBe(true);
    expect(router.fail(a.requestId, new Error('again'))).toBe(false);
    await expect(a.reply).rejects.toThrow('cancelled');
    router.close(new Error('engine closed'));
    await expect(b.reply).rejects.toThrow('engine closed');
  });
});
