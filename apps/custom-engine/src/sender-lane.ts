import type { MessageEnvelope } from '@agentopera/engine';

/** The lane of anything sent or published without a sender (application code outside agents). */
export const EXTERNAL_LANE = '(external)';

/** A `FairQueue` lane per sending agent, so one chatty agent cannot starve the others. */
export function senderLane(envelope: MessageEnvelope): string {
  return envelope.sender === null ? EXTERNAL_LANE : envelope.sender.toString();
}
