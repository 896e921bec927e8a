import { ClassJsonMessageSerializer } from '@agentopera/core';

/** The payload of the NATS scenarios: about the size of the raw baseline's. */
export class Echo {
  constructor(
    public text = 'ping',
    public n = 0,
  ) {}
}

export class Event {
  constructor(public n = 0) {}
}

export const BENCH_SERIALIZERS = [new ClassJsonMessageSerializer(Echo), new ClassJsonMessageSerializer(Event)];
